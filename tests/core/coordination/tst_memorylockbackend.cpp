// SPDX-License-Identifier: GPL-3.0-or-later
#include <QRegularExpression>
#include <QTest>

#include "coordination/coordinationerror.h"
#include "coordination/lockkey.h"
#include "coordination/memorylockbackend.h"
#include "support/fakeclock.h"
#include "support/resultcheck.h"

using namespace Vigil;

namespace {
InstanceIdentity identity(const QString &id)
{
    InstanceIdentity i;
    i.instanceId = id;
    i.host = QStringLiteral("host-") + id;
    i.pid = 4242;
    i.app = QStringLiteral("vigil-test");
    return i;
}
} // namespace

class TestMemoryLockBackend final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void acquireIsExclusive();
    void ttlExpiryFreesTheLock();
    void renewExtendsOnlyForTheHolder();
    void releaseComparesTheToken();
    void staleHolderCannotTouchTheNewHolder();
    void fencesStrictlyIncreasePerAccount();
    void verifyAndHolderInfo();
    void outageFailsEveryCall();
    void tokensAreRandom128BitHex();
    void rejectsBadKeys_data();
    void rejectsBadKeys();
    void rejectsBadTtl();
};

void TestMemoryLockBackend::acquireIsExclusive()
{
    Test::FakeClock clock;
    MemoryLockBackend a(identity(QStringLiteral("A")), clock);
    auto b = a.sharingStoreWith(identity(QStringLiteral("B")));
    const QString key = LockKey::account(QStringLiteral("CR100"));

    auto la = a.acquire(key, 10'000);
    QVERIFY2(la.ok(), Test::describe(la));
    QCOMPARE(la->key, key);
    QCOMPARE(la->holder.instance.instanceId, QStringLiteral("A"));

    auto lb = b->acquire(key, 10'000);
    QVERIFY(!lb.ok());
    QCOMPARE(lb.error().kind, ErrorKind::Coordination);
    QCOMPARE(lb.error().code, QString(CoordinationError::LockHeld));
    const QJsonObject holder = lb.error().details.value(QStringLiteral("holder")).toObject();
    QCOMPARE(holder.value(QStringLiteral("instance_id")).toString(), QStringLiteral("A"));
    QCOMPARE(holder.value(QStringLiteral("fence")).toInteger(), la->fence);
    QVERIFY(lb.error().message.contains(QStringLiteral("instance A")));

    // The holder itself cannot take it twice either.
    QVERIFY(!a.acquire(key, 10'000).ok());
    // Other keys are independent.
    QVERIFY(b->acquire(LockKey::account(QStringLiteral("CR200")), 10'000).ok());
}

void TestMemoryLockBackend::ttlExpiryFreesTheLock()
{
    Test::FakeClock clock;
    MemoryLockBackend a(identity(QStringLiteral("A")), clock);
    auto b = a.sharingStoreWith(identity(QStringLiteral("B")));
    const QString key = LockKey::account(QStringLiteral("CR100"));
    QVERIFY(a.acquire(key, 1000).ok());
    clock.advance(999);
    QVERIFY(!b->acquire(key, 1000).ok());
    clock.advance(1);
    auto lb = b->acquire(key, 1000);
    QVERIFY2(lb.ok(), Test::describe(lb));
    QCOMPARE(lb->holder.instance.instanceId, QStringLiteral("B"));
}

void TestMemoryLockBackend::renewExtendsOnlyForTheHolder()
{
    Test::FakeClock clock;
    MemoryLockBackend a(identity(QStringLiteral("A")), clock);
    auto b = a.sharingStoreWith(identity(QStringLiteral("B")));
    const QString key = LockKey::bot(QStringLiteral("bot-1"));
    auto la = a.acquire(key, 1000);
    QVERIFY(la.ok());
    clock.advance(800);
    QVERIFY(a.renew(la.value()).ok());
    clock.advance(800); // 1600 ms after acquire, 800 after the renewal
    QVERIFY(!b->acquire(key, 1000).ok());

    Lease forged = la.value();
    forged.token = Lease::newToken();
    auto r = b->renew(forged);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QString(CoordinationError::NotOwner));
    clock.advance(200); // the forged renewal did not extend anything
    QVERIFY(b->acquire(key, 1000).ok());
}

void TestMemoryLockBackend::releaseComparesTheToken()
{
    Test::FakeClock clock;
    MemoryLockBackend a(identity(QStringLiteral("A")), clock);
    auto b = a.sharingStoreWith(identity(QStringLiteral("B")));
    const QString key = LockKey::account(QStringLiteral("CR100"));
    auto la = a.acquire(key, 10'000);
    QVERIFY(la.ok());

    Lease stranger = la.value();
    stranger.token = Lease::newToken();
    auto r = b->release(stranger);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QString(CoordinationError::NotOwner));
    QVERIFY(a.verify(la.value()).value());
    QVERIFY(!b->acquire(key, 10'000).ok());

    QVERIFY(a.release(la.value()).ok());
    QVERIFY(!a.verify(la.value()).value());
    QVERIFY(b->acquire(key, 10'000).ok());
    // Releasing twice is refused, not silently accepted.
    QCOMPARE(a.release(la.value()).error().code, QString(CoordinationError::NotOwner));
}

void TestMemoryLockBackend::staleHolderCannotTouchTheNewHolder()
{
    Test::FakeClock clock;
    MemoryLockBackend a(identity(QStringLiteral("A")), clock);
    auto b = a.sharingStoreWith(identity(QStringLiteral("B")));
    const QString key = LockKey::account(QStringLiteral("CR100"));
    auto stale = a.acquire(key, 1000);
    QVERIFY(stale.ok());
    clock.advance(1500); // A paused past its ttl
    auto fresh = b->acquire(key, 1000);
    QVERIFY(fresh.ok());
    QVERIFY(fresh->fence > stale->fence);

    QCOMPARE(a.renew(stale.value()).error().code, QString(CoordinationError::NotOwner));
    QCOMPARE(a.release(stale.value()).error().code, QString(CoordinationError::NotOwner));
    QVERIFY(!a.verify(stale.value()).value());
    QVERIFY(b->verify(fresh.value()).value());
}

void TestMemoryLockBackend::fencesStrictlyIncreasePerAccount()
{
    Test::FakeClock clock;
    MemoryLockBackend a(identity(QStringLiteral("A")), clock);
    auto b = a.sharingStoreWith(identity(QStringLiteral("B")));
    const QString key = LockKey::account(QStringLiteral("CR100"));
    qint64 last = 0;
    for (int i = 0; i < 20; ++i) {
        LockBackend &who = (i % 2) ? static_cast<LockBackend &>(*b) : a;
        auto l = who.acquire(key, 1000);
        QVERIFY(l.ok());
        QVERIFY2(l->fence > last, qPrintable(QStringLiteral("fence %1 after %2").arg(l->fence).arg(last)));
        last = l->fence;
        if (i % 3 == 0)
            clock.advance(1000); // expiry instead of release: the counter still moves on
        else
            QVERIFY(who.release(l.value()).ok());
    }
    // Counters are per account: another account starts from its own.
    auto other = a.acquire(LockKey::account(QStringLiteral("CR200")), 1000);
    QVERIFY(other.ok());
    QCOMPARE(other->fence, 1);
}

void TestMemoryLockBackend::verifyAndHolderInfo()
{
    Test::FakeClock clock;
    MemoryLockBackend a(identity(QStringLiteral("A")), clock);
    auto b = a.sharingStoreWith(identity(QStringLiteral("B")));
    const QString key = LockKey::account(QStringLiteral("CR100"));
    auto none = b->holderInfo(key);
    QVERIFY(none.ok());
    QVERIFY(!none->has_value());
    auto la = a.acquire(key, 5000);
    QVERIFY(la.ok());
    auto who = b->holderInfo(key);
    QVERIFY(who.ok() && who->has_value());
    QCOMPARE(who.value()->instance.instanceId, QStringLiteral("A"));
    QCOMPARE(who.value()->instance.host, QStringLiteral("host-A"));
    QCOMPARE(who.value()->sinceMs, clock.nowMs());
    QCOMPARE(who.value()->fence, la->fence);
    a.removeKey(key);
    QVERIFY(!a.verify(la.value()).value());
}

void TestMemoryLockBackend::outageFailsEveryCall()
{
    Test::FakeClock clock;
    MemoryLockBackend a(identity(QStringLiteral("A")), clock);
    const QString key = LockKey::account(QStringLiteral("CR100"));
    auto la = a.acquire(key, 5000);
    QVERIFY(la.ok());
    a.setAvailable(false);
    const auto unavailable = QString(CoordinationError::Unavailable);
    QCOMPARE(a.acquire(LockKey::account(QStringLiteral("CR300")), 5000).error().code, unavailable);
    QCOMPARE(a.renew(la.value()).error().code, unavailable);
    QCOMPARE(a.release(la.value()).error().code, unavailable);
    QCOMPARE(a.verify(la.value()).error().code, unavailable);
    QCOMPARE(a.holderInfo(key).error().code, unavailable);
    QCOMPARE(a.ping().error().code, unavailable);
    a.setAvailable(true);
    QVERIFY(a.ping().ok());
    QVERIFY(a.verify(la.value()).value());
}

void TestMemoryLockBackend::tokensAreRandom128BitHex()
{
    const QRegularExpression hex32(QStringLiteral("^[0-9a-f]{32}$"));
    QSet<QString> seen;
    for (int i = 0; i < 1000; ++i) {
        const QString t = Lease::newToken();
        QVERIFY2(hex32.match(t).hasMatch(), qPrintable(t));
        seen.insert(t);
    }
    QCOMPARE(seen.size(), 1000);
}

void TestMemoryLockBackend::rejectsBadKeys_data()
{
    QTest::addColumn<QString>("key");
    QTest::newRow("empty") << QString();
    QTest::newRow("no prefix") << QStringLiteral("account:CR1");
    QTest::newRow("prefix only") << QStringLiteral("vigil:lock:");
    QTest::newRow("account without id") << QStringLiteral("vigil:lock:account:");
    QTest::newRow("whitespace") << QStringLiteral("vigil:lock:account:CR 1");
    QTest::newRow("control char") << QStringLiteral("vigil:lock:bot:a\nb");
    QTest::newRow("colon in login id") << QStringLiteral("vigil:lock:account:bot:x");
    QTest::newRow("too long") << QStringLiteral("vigil:lock:bot:") + QString(300, u'x');
}

void TestMemoryLockBackend::rejectsBadKeys()
{
    QFETCH(QString, key);
    Test::FakeClock clock;
    MemoryLockBackend a(identity(QStringLiteral("A")), clock);
    auto r = a.acquire(key, 1000);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::InvalidInput);
    QCOMPARE(r.error().code, QString(CoordinationError::InvalidKey));
}

void TestMemoryLockBackend::rejectsBadTtl()
{
    Test::FakeClock clock;
    MemoryLockBackend a(identity(QStringLiteral("A")), clock);
    auto r = a.acquire(LockKey::account(QStringLiteral("CR1")), 0);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::InvalidInput);
}

QTEST_APPLESS_MAIN(TestMemoryLockBackend)
#include "tst_memorylockbackend.moc"
