// SPDX-License-Identifier: GPL-3.0-or-later
#include <memory>

#include <QMutex>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include "accounts/sessionregistry.h"
#include "accounts/tokenfingerprint.h"
#include "support/fakeclock.h"

using namespace Vigil;

namespace {
// Stands in for a DerivClient: a QObject on its own thread that records how it was closed.
class FakeSession final : public QObject
{
    Q_OBJECT
public:
    explicit FakeSession(QString id) : m_id(std::move(id)) {}

    void closeForRevocation(const QString &reason)
    {
        QMutexLocker lock(&m_mutex);
        m_closedOn = QThread::currentThread();
        m_reasons << reason;
    }
    int closeCount() const
    {
        QMutexLocker lock(&m_mutex);
        return int(m_reasons.size());
    }
    QThread *closedOn() const
    {
        QMutexLocker lock(&m_mutex);
        return m_closedOn;
    }
    QString lastReason() const
    {
        QMutexLocker lock(&m_mutex);
        return m_reasons.isEmpty() ? QString() : m_reasons.last();
    }
    QString id() const { return m_id; }

private:
    const QString m_id;
    mutable QMutex m_mutex;
    QThread *m_closedOn = nullptr;
    QStringList m_reasons;
};

struct Worker
{
    explicit Worker(const QString &name)
    {
        thread.setObjectName(name);
        thread.start();
    }
    ~Worker()
    {
        thread.quit();
        thread.wait();
    }
    FakeSession *make(const QString &id)
    {
        auto *s = new FakeSession(id);
        s->moveToThread(&thread);
        QObject::connect(&thread, &QThread::finished, s, &QObject::deleteLater);
        return s;
    }
    QThread thread;
};

const QString tokenA = TokenFingerprint::of(QStringLiteral("tokenAAAAAAAA"));
const QString tokenB = TokenFingerprint::of(QStringLiteral("tokenBBBBBBBB"));
} // namespace

class TestSessionRegistry final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void registrationIsValidated_data();
    void registrationIsValidated();
    void listsSessionsPerAccountAndToken();
    void revokeClosesEverySessionOfThatTokenOnItsOwnThread();
    void revokeRefusesTheTokenUntilCleared();
    void revokeWithoutSessionsStillNamesAccounts();
    void revokeIgnoresNonFingerprints();
    void invalidTokenMidSessionTakesTheRevokePath();
    void unregisteredSessionIsNotClosed();
    void cleanupRemovesDeadOwnersAndClosesIdleSessions();
    void periodicCleanup();
    void deadOwnerIsNotCalledOnRevoke();
    void concurrentUse();
};

void TestSessionRegistry::registrationIsValidated_data()
{
    QTest::addColumn<QString>("sessionId");
    QTest::addColumn<QString>("account");
    QTest::addColumn<QString>("tokenRef");
    QTest::addColumn<bool>("withOwner");
    QTest::addColumn<QString>("code");
    QTest::newRow("ok") << "s1" << "CR1" << tokenA << true << QString();
    QTest::newRow("no-id") << "" << "CR1" << tokenA << true << "InvalidSession";
    QTest::newRow("no-account") << "s1" << "" << tokenA << true << "InvalidSession";
    QTest::newRow("raw-token") << "s1" << "CR1" << "tokenAAAAAAAA" << true << "InvalidSession";
    QTest::newRow("no-owner") << "s1" << "CR1" << tokenA << false << "InvalidSession";
}

void TestSessionRegistry::registrationIsValidated()
{
    QFETCH(QString, sessionId);
    QFETCH(QString, account);
    QFETCH(QString, tokenRef);
    QFETCH(bool, withOwner);
    QFETCH(QString, code);
    SessionRegistry registry;
    FakeSession owner(sessionId);
    const Result<void> r = registry.registerSession(sessionId, account, tokenRef, withOwner ? &owner : nullptr,
                                                    [](const QString &) {});
    QCOMPARE(r.ok(), code.isEmpty());
    if (!code.isEmpty()) {
        QCOMPARE(r.error().code, code);
        QVERIFY(!r.error().message.contains(QStringLiteral("tokenAAAAAAAA")));
        QVERIFY(registry.allSessions().isEmpty());
    } else {
        const Result<void> again = registry.registerSession(sessionId, account, tokenRef, &owner, [](const QString &) {});
        QCOMPARE(again.error().code, QStringLiteral("DuplicateSession"));
    }
}

void TestSessionRegistry::listsSessionsPerAccountAndToken()
{
    Test::FakeClock clock;
    SessionRegistry registry(clock);
    FakeSession s1(QStringLiteral("s1")), s2(QStringLiteral("s2")), s3(QStringLiteral("s3"));
    QVERIFY(registry.registerSession(QStringLiteral("s1"), QStringLiteral("CR1"), tokenA, &s1, &FakeSession::closeForRevocation).ok());
    clock.advance(10);
    QVERIFY(registry.registerSession(QStringLiteral("s2"), QStringLiteral("CR1"), tokenA, &s2, &FakeSession::closeForRevocation).ok());
    QVERIFY(registry.registerSession(QStringLiteral("s3"), QStringLiteral("CR2"), tokenB, &s3, &FakeSession::closeForRevocation).ok());
    QCOMPARE(registry.sessions(QStringLiteral("CR1")).size(), 2);
    QCOMPARE(registry.sessions(QStringLiteral("CR2")).size(), 1);
    QCOMPARE(registry.sessionsForToken(tokenB).first().sessionId, QStringLiteral("s3"));
    QCOMPARE(registry.allSessions().size(), 3);
    clock.advance(5);
    registry.touch(QStringLiteral("s1"));
    for (const SessionInfo &i : registry.sessions(QStringLiteral("CR1"))) {
        if (i.sessionId == QLatin1String("s1")) {
            QCOMPARE(i.registeredMs, 0);
            QCOMPARE(i.lastActivityMs, 15);
        } else {
            QCOMPARE(i.registeredMs, 10);
            QCOMPARE(i.lastActivityMs, 10);
        }
        QVERIFY(i.ownerAlive);
    }
}

void TestSessionRegistry::revokeClosesEverySessionOfThatTokenOnItsOwnThread()
{
    SessionRegistry registry;
    Worker w1(QStringLiteral("account-1")), w2(QStringLiteral("account-2"));
    FakeSession *a1 = w1.make(QStringLiteral("a1"));
    FakeSession *a2 = w2.make(QStringLiteral("a2"));
    FakeSession *b1 = w1.make(QStringLiteral("b1"));
    FakeSession *b2 = w2.make(QStringLiteral("b2"));
    QVERIFY(registry.registerSession(QStringLiteral("a1"), QStringLiteral("CR1"), tokenA, a1, &FakeSession::closeForRevocation).ok());
    QVERIFY(registry.registerSession(QStringLiteral("a2"), QStringLiteral("CR9"), tokenA, a2, &FakeSession::closeForRevocation).ok());
    QVERIFY(registry.registerSession(QStringLiteral("b1"), QStringLiteral("CR1"), tokenB, b1, &FakeSession::closeForRevocation).ok());
    QVERIFY(registry.registerSession(QStringLiteral("b2"), QStringLiteral("CR2"), tokenB, b2, &FakeSession::closeForRevocation).ok());

    QSignalSpy revoked(&registry, &SessionRegistry::tokenRevoked);
    QSignalSpy closed(&registry, &SessionRegistry::sessionClosed);
    QStringList closedIds = registry.revoke(tokenA, QStringLiteral("user request"));
    closedIds.sort();
    QCOMPARE(closedIds, (QStringList{QStringLiteral("a1"), QStringLiteral("a2")}));

    QTRY_COMPARE(a1->closeCount(), 1);
    QTRY_COMPARE(a2->closeCount(), 1);
    QCOMPARE(a1->closedOn(), &w1.thread);
    QCOMPARE(a2->closedOn(), &w2.thread);
    QVERIFY(a1->lastReason().contains(QStringLiteral("token revoked: user request")));

    QCOMPARE(revoked.size(), 1);
    QCOMPARE(revoked[0][0].toString(), tokenA);
    QStringList accounts = revoked[0][1].toStringList();
    accounts.sort();
    QCOMPARE(accounts, (QStringList{QStringLiteral("CR1"), QStringLiteral("CR9")}));
    QCOMPARE(revoked[0][2].toString(), QStringLiteral("user request"));
    QCOMPARE(closed.size(), 2);

    // Only those: token B's sessions are untouched and still registered.
    QCOMPARE(registry.sessionsForToken(tokenA).size(), 0);
    QCOMPARE(registry.sessionsForToken(tokenB).size(), 2);
    QTest::qWait(50); // give a wrongly queued close the chance to show up
    QCOMPARE(b1->closeCount(), 0);
    QCOMPARE(b2->closeCount(), 0);

    // A second revoke of the same token closes nothing twice.
    QVERIFY(registry.revoke(tokenA, QStringLiteral("again")).isEmpty());
    QTest::qWait(20);
    QCOMPARE(a1->closeCount(), 1);
}

void TestSessionRegistry::revokeRefusesTheTokenUntilCleared()
{
    SessionRegistry registry;
    FakeSession s(QStringLiteral("s"));
    QVERIFY(!registry.isRevoked(tokenA));
    registry.revoke(tokenA, QStringLiteral("gone"), {QStringLiteral("CR1")});
    QVERIFY(registry.isRevoked(tokenA));
    const Result<void> r = registry.registerSession(QStringLiteral("late"), QStringLiteral("CR1"), tokenA, &s,
                                                    &FakeSession::closeForRevocation);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("TokenRevoked"));
    QCOMPARE(r.error().account, QStringLiteral("CR1"));
    QVERIFY(registry.registerSession(QStringLiteral("other"), QStringLiteral("CR1"), tokenB, &s,
                                     &FakeSession::closeForRevocation).ok());
    registry.clearRevocation(tokenA);
    QVERIFY(registry.registerSession(QStringLiteral("late"), QStringLiteral("CR1"), tokenA, &s,
                                     &FakeSession::closeForRevocation).ok());
}

void TestSessionRegistry::revokeWithoutSessionsStillNamesAccounts()
{
    SessionRegistry registry;
    QSignalSpy revoked(&registry, &SessionRegistry::tokenRevoked);
    QVERIFY(registry.revoke(tokenB, QStringLiteral("by user"), {QStringLiteral("CR5")}).isEmpty());
    QCOMPARE(revoked.size(), 1);
    QCOMPARE(revoked[0][1].toStringList(), QStringList{QStringLiteral("CR5")});
}

void TestSessionRegistry::revokeIgnoresNonFingerprints()
{
    SessionRegistry registry;
    FakeSession s(QStringLiteral("s"));
    QVERIFY(registry.registerSession(QStringLiteral("s"), QStringLiteral("CR1"), tokenA, &s,
                                     &FakeSession::closeForRevocation).ok());
    QSignalSpy revoked(&registry, &SessionRegistry::tokenRevoked);
    QTest::ignoreMessage(QtWarningMsg, "revoke called without a token fingerprint; ignored");
    QVERIFY(registry.revoke(QStringLiteral("tokenAAAAAAAA"), QStringLiteral("oops")).isEmpty());
    QCOMPARE(revoked.size(), 0);
    QCOMPARE(registry.allSessions().size(), 1);
}

void TestSessionRegistry::invalidTokenMidSessionTakesTheRevokePath()
{
    SessionRegistry registry;
    Worker w1(QStringLiteral("w1")), w2(QStringLiteral("w2"));
    FakeSession *trading = w1.make(QStringLiteral("trading"));
    FakeSession *control = w2.make(QStringLiteral("control"));
    FakeSession *other = w2.make(QStringLiteral("other"));
    QVERIFY(registry.registerSession(QStringLiteral("trading"), QStringLiteral("CR1"), tokenA, trading, &FakeSession::closeForRevocation).ok());
    QVERIFY(registry.registerSession(QStringLiteral("control"), QStringLiteral("CR1"), tokenA, control, &FakeSession::closeForRevocation).ok());
    QVERIFY(registry.registerSession(QStringLiteral("other"), QStringLiteral("CR2"), tokenB, other, &FakeSession::closeForRevocation).ok());
    QSignalSpy revoked(&registry, &SessionRegistry::tokenRevoked);

    QVERIFY(!registry.reportInvalidToken(QStringLiteral("nope"), Error::broker(QStringLiteral("InvalidToken"), QStringLiteral("x"))));
    QCOMPARE(revoked.size(), 0);

    // Reported from the session's own thread, as the client would.
    bool reported = false;
    QMetaObject::invokeMethod(
        trading,
        [&registry, &reported] {
            reported = registry.reportInvalidToken(
                QStringLiteral("trading"), Error::broker(QStringLiteral("InvalidToken"), QStringLiteral("The token is invalid.")));
        },
        Qt::BlockingQueuedConnection);
    QVERIFY(reported);
    QTRY_COMPARE(revoked.size(), 1);
    QCOMPARE(revoked[0][0].toString(), tokenA);
    QCOMPARE(revoked[0][1].toStringList(), QStringList{QStringLiteral("CR1")});
    QVERIFY(revoked[0][2].toString().contains(QStringLiteral("InvalidToken")));
    QTRY_COMPARE(control->closeCount(), 1); // the other session of that token, on its own thread
    QCOMPARE(control->closedOn(), &w2.thread);
    QTRY_COMPARE(trading->closeCount(), 1);
    QVERIFY(registry.isRevoked(tokenA));
    QCOMPARE(registry.allSessions().size(), 1);
    QCOMPARE(other->closeCount(), 0);
}

void TestSessionRegistry::unregisteredSessionIsNotClosed()
{
    SessionRegistry registry;
    FakeSession s(QStringLiteral("s"));
    QVERIFY(registry.registerSession(QStringLiteral("s"), QStringLiteral("CR1"), tokenA, &s,
                                     &FakeSession::closeForRevocation).ok());
    QVERIFY(registry.unregisterSession(QStringLiteral("s")));
    QVERIFY(!registry.unregisterSession(QStringLiteral("s")));
    QVERIFY(registry.revoke(tokenA, QStringLiteral("r")).isEmpty());
    QTest::qWait(20);
    QCOMPARE(s.closeCount(), 0);
}

void TestSessionRegistry::cleanupRemovesDeadOwnersAndClosesIdleSessions()
{
    Test::FakeClock clock;
    SessionRegistry registry(clock);
    auto dead = std::make_unique<FakeSession>(QStringLiteral("dead"));
    FakeSession busy(QStringLiteral("busy")), idle(QStringLiteral("idle"));
    QVERIFY(registry.registerSession(QStringLiteral("dead"), QStringLiteral("CR1"), tokenA, dead.get(), &FakeSession::closeForRevocation).ok());
    QVERIFY(registry.registerSession(QStringLiteral("busy"), QStringLiteral("CR1"), tokenA, &busy, &FakeSession::closeForRevocation).ok());
    QVERIFY(registry.registerSession(QStringLiteral("idle"), QStringLiteral("CR2"), tokenB, &idle, &FakeSession::closeForRevocation).ok());
    dead.reset(); // its owner died without unregistering

    QCOMPARE(registry.sessions(QStringLiteral("CR1")).size(), 2);
    clock.advance(40'000);
    registry.touch(QStringLiteral("busy"));
    clock.advance(30'000);
    QSignalSpy closed(&registry, &SessionRegistry::sessionClosed);
    QStringList removed = registry.cleanupStale(60'000);
    removed.sort();
    QCOMPARE(removed, (QStringList{QStringLiteral("dead"), QStringLiteral("idle")}));
    QCOMPARE(registry.allSessions().size(), 1);
    QCOMPARE(registry.allSessions().first().sessionId, QStringLiteral("busy"));
    QTRY_COMPARE(idle.closeCount(), 1);
    QVERIFY(idle.lastReason().contains(QStringLiteral("idle")));
    QCOMPARE(busy.closeCount(), 0);
    QCOMPARE(closed.size(), 1);
    QVERIFY(registry.cleanupStale(60'000).isEmpty());
}

void TestSessionRegistry::periodicCleanup()
{
    Test::FakeClock clock;
    SessionRegistry registry(clock);
    FakeSession s(QStringLiteral("s"));
    QVERIFY(registry.registerSession(QStringLiteral("s"), QStringLiteral("CR1"), tokenA, &s,
                                     &FakeSession::closeForRevocation).ok());
    registry.startPeriodicCleanup(5, 1000);
    QTest::qWait(30);
    QCOMPARE(registry.allSessions().size(), 1); // not idle yet
    clock.advance(1001);
    QTRY_COMPARE(registry.allSessions().size(), 0);
    QTRY_COMPARE(s.closeCount(), 1);
    registry.stopPeriodicCleanup();
}

void TestSessionRegistry::deadOwnerIsNotCalledOnRevoke()
{
    SessionRegistry registry;
    Worker w(QStringLiteral("w"));
    FakeSession *s = w.make(QStringLiteral("s"));
    QVERIFY(registry.registerSession(QStringLiteral("s"), QStringLiteral("CR1"), tokenA, s, &FakeSession::closeForRevocation).ok());
    QMetaObject::invokeMethod(s, [s] { delete s; }, Qt::BlockingQueuedConnection);
    QSignalSpy revoked(&registry, &SessionRegistry::tokenRevoked);
    registry.revoke(tokenA, QStringLiteral("after death"));
    QCOMPARE(revoked.size(), 1);
    QTest::qWait(20); // a call into the deleted owner would crash under ASan
}

void TestSessionRegistry::concurrentUse()
{
    // Registration, touches and revocations from several threads at once (run under ASan/TSan to be useful).
    SessionRegistry registry;
    Worker w1(QStringLiteral("w1")), w2(QStringLiteral("w2"));
    std::vector<std::unique_ptr<QThread>> threads;
    QList<FakeSession *> owners;
    for (int i = 0; i < 40; ++i)
        owners << (i % 2 ? w1 : w2).make(QStringLiteral("s%1").arg(i));
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back(QThread::create([&registry, &owners, t] {
            for (int i = t; i < owners.size(); i += 4) {
                const QString id = QStringLiteral("s%1").arg(i);
                const Result<void> r = registry.registerSession(id, QStringLiteral("CR%1").arg(i % 3 + 1),
                                                                i % 2 ? tokenA : tokenB, owners[i],
                                                                &FakeSession::closeForRevocation);
                Q_UNUSED(r);
                registry.touch(id);
                if (i % 5 == 0)
                    registry.unregisterSession(id);
            }
        }));
        threads.back()->start();
    }
    registry.revoke(tokenA, QStringLiteral("mid-flight"));
    for (auto &t : threads)
        QVERIFY(t->wait(5000));
    // Whatever interleaving happened: no session of the revoked token remains registered.
    QVERIFY(registry.sessionsForToken(tokenA).isEmpty());
    QTest::qWait(20);
    for (int i = 0; i < owners.size(); i += 2)
        QCOMPARE(owners[i]->closeCount(), 0); // token B's sessions were never closed
}

QTEST_GUILESS_MAIN(TestSessionRegistry)
#include "tst_sessionregistry.moc"
