// SPDX-License-Identifier: GPL-3.0-or-later
#include <QJsonArray>
#include <QMutex>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include "accounts/envsecretstore.h"
#include "accounts/memorysecretstore.h"
#include "accounts/sessionregistry.h"
#include "accounts/tokenfingerprint.h"
#include "accounts/tokenvault.h"
#include "support/capturedresult.h"

using namespace Vigil;
using Vigil::Test::CapturedResult;

namespace {
// The server side of authorize and api_token delete_token, answering from its own thread like a client would.
class FakeAuthServer
{
public:
    FakeAuthServer()
    {
        m_thread.setObjectName(QStringLiteral("fake-deriv"));
        m_thread.start();
        m_home.moveToThread(&m_thread);
    }
    ~FakeAuthServer()
    {
        m_thread.quit();
        m_thread.wait();
    }

    void accept(const QString &token, const QString &loginId, const QStringList &scopes, bool isVirtual = false)
    {
        AccountInfo info;
        info.loginId = loginId;
        info.currency = QStringLiteral("USD");
        info.isVirtual = isVirtual;
        info.scopes = TokenScopes::fromJson(QJsonArray::fromStringList(scopes)).value();
        QMutexLocker lock(&m_mutex);
        m_accounts.insert(token, info);
    }
    void failDeletes(bool fail)
    {
        QMutexLocker lock(&m_mutex);
        m_failDeletes = fail;
    }
    QStringList deletedTokens() const
    {
        QMutexLocker lock(&m_mutex);
        return m_deleted;
    }
    int probeCalls() const
    {
        QMutexLocker lock(&m_mutex);
        return m_probes;
    }

    TokenVault::AuthorizeProbe probe()
    {
        return [this](const QString &token, TokenVault::AccountCallback done) {
            QMetaObject::invokeMethod(
                &m_home,
                [this, token, done] {
                    QMutexLocker lock(&m_mutex);
                    ++m_probes;
                    if (m_accounts.contains(token))
                        done(m_accounts.value(token));
                    else
                        done(Error::broker(QStringLiteral("InvalidToken"), QStringLiteral("The token is invalid.")));
                },
                Qt::QueuedConnection);
        };
    }
    TokenVault::ServerTokenDeleter deleter()
    {
        return [this](const QString &, const QString &token, TokenVault::DoneCallback done) {
            QMetaObject::invokeMethod(
                &m_home,
                [this, token, done] {
                    QMutexLocker lock(&m_mutex);
                    if (m_failDeletes) {
                        done(Error::broker(QStringLiteral("PermissionDenied"), QStringLiteral("Permission denied, requires admin scope(s).")));
                        return;
                    }
                    m_deleted << token;
                    m_accounts.remove(token);
                    done(Result<void>());
                },
                Qt::QueuedConnection);
        };
    }

private:
    QThread m_thread;
    QObject m_home;
    mutable QMutex m_mutex;
    QHash<QString, AccountInfo> m_accounts;
    QStringList m_deleted;
    bool m_failDeletes = false;
    int m_probes = 0;
};

class FakeSession final : public QObject
{
    Q_OBJECT
public:
    void close(const QString &reason)
    {
        QMutexLocker lock(&m_mutex);
        m_reasons << reason;
    }
    int closeCount() const
    {
        QMutexLocker lock(&m_mutex);
        return int(m_reasons.size());
    }

private:
    mutable QMutex m_mutex;
    QStringList m_reasons;
};

const QString tokenTrade = QStringLiteral("trAdeTok3n0001");
const QString tokenAdmin = QStringLiteral("adminTok3n0002");
const QString tokenRead = QStringLiteral("readTok3n00003");
} // namespace

class TestTokenVault final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void addTokenStoresItUnderTheLoginId();
    void addTokenReportsScopeWarnings_data();
    void addTokenReportsScopeWarnings();
    void addTokenRefusedByTheServerStoresNothing();
    void addTokenBadFormat_data();
    void addTokenBadFormat();
    void addTokenWithKeychainUnavailable();
    void tokenForFromAWorkerThread();
    void tokenForUnknownAccount();
    void revokeLocallyClosesSessionsAndForgetsTheToken();
    void revokeOnTheServer();
    void revokeWhenTheServerRefusesStillStopsTheToken();
    void revokeWithReadOnlyStore();
    void invalidTokenMidSessionRemovesTheToken();
    void invalidTokenOfAReplacedTokenKeepsTheNewOne();
    void readdingARevokedTokenClearsTheRevocation();

private:
    struct Fixture
    {
        MemorySecretStore store;
        SessionRegistry registry;
        FakeAuthServer server;
        TokenVault vault{store, registry, server.probe(), server.deleter()};
    };
    static Result<AccountInfo> add(TokenVault &vault, const QString &token);
    static Result<QString> tokenFor(TokenVault &vault, const QString &loginId);
    static Result<void> revoke(TokenVault &vault, const QString &loginId, bool onServer);
};

Result<AccountInfo> TestTokenVault::add(TokenVault &vault, const QString &token)
{
    CapturedResult<Result<AccountInfo>> r;
    QObject context;
    vault.addToken(token, &context, r.callback());
    if (!QTest::qWaitFor([&] { return r.arrived(); }, 5000))
        return Error::make(ErrorKind::Timeout, QStringLiteral("TestTimeout"), QStringLiteral("no callback"));
    return r.value();
}

Result<QString> TestTokenVault::tokenFor(TokenVault &vault, const QString &loginId)
{
    CapturedResult<Result<QString>> r;
    QObject context;
    vault.tokenFor(loginId, &context, r.callback());
    if (!QTest::qWaitFor([&] { return r.arrived(); }, 5000))
        return Error::make(ErrorKind::Timeout, QStringLiteral("TestTimeout"), QStringLiteral("no callback"));
    return r.value();
}

Result<void> TestTokenVault::revoke(TokenVault &vault, const QString &loginId, bool onServer)
{
    CapturedResult<Result<void>> r;
    QObject context;
    vault.revoke(loginId, onServer, &context, r.callback());
    if (!QTest::qWaitFor([&] { return r.arrived(); }, 5000))
        return Error::make(ErrorKind::Timeout, QStringLiteral("TestTimeout"), QStringLiteral("no callback"));
    return r.value();
}

void TestTokenVault::addTokenStoresItUnderTheLoginId()
{
    Fixture f;
    f.server.accept(tokenTrade, QStringLiteral("CR100"), {QStringLiteral("read"), QStringLiteral("trade")});
    QSignalSpy added(&f.vault, &TokenVault::accountAdded);

    CapturedResult<Result<AccountInfo>> r;
    QObject context;
    f.vault.addToken(tokenTrade, &context, r.callback());
    QVERIFY(!r.arrived());
    QTRY_VERIFY(r.arrived());
    QVERIFY2(r.value().ok(), qPrintable(r.value().ok() ? QString() : r.value().error().toString()));
    const AccountInfo info = r.value().value();
    QCOMPARE(info.loginId, QStringLiteral("CR100"));
    QCOMPARE(info.currency, QStringLiteral("USD"));
    QVERIFY(!info.isVirtual);
    QCOMPARE(info.scopes.names(), (QStringList{QStringLiteral("read"), QStringLiteral("trade")}));
    QVERIFY(info.warnings.isEmpty());
    QCOMPARE(info.tokenRef, TokenFingerprint::of(tokenTrade));
    for (const QString &field : {info.loginId, info.currency, info.tokenRef, info.warnings.join(u' ')})
        QVERIFY(!field.contains(tokenTrade));

    QCOMPARE(f.store.keys(), QStringList{QStringLiteral("token:CR100")});
    const Result<QString> stored = tokenFor(f.vault, QStringLiteral("CR100"));
    QVERIFY2(stored.ok(), qPrintable(stored.ok() ? QString() : stored.error().toString()));
    QCOMPARE(stored.value(), tokenTrade);
    QCOMPARE(added.size(), 1);
    QCOMPARE(added[0][0].value<AccountInfo>(), info);
    QCOMPARE(f.vault.accounts().size(), 1);
}

void TestTokenVault::addTokenReportsScopeWarnings_data()
{
    QTest::addColumn<QStringList>("scopes");
    QTest::addColumn<QStringList>("warningWords");
    QTest::newRow("trade-only") << QStringList{"read", "trade"} << QStringList{};
    QTest::newRow("admin+payments") << QStringList{"read", "trade", "admin", "payments"}
                                    << QStringList{"withdraw", "tokens"};
    QTest::newRow("read-only") << QStringList{"read"} << QStringList{"'trade'"};
    QTest::newRow("admin-read-only") << QStringList{"read", "admin"} << QStringList{"tokens", "'trade'"};
}

void TestTokenVault::addTokenReportsScopeWarnings()
{
    QFETCH(QStringList, scopes);
    QFETCH(QStringList, warningWords);
    Fixture f;
    f.server.accept(tokenAdmin, QStringLiteral("CR200"), scopes);
    const Result<AccountInfo> r = add(f.vault, tokenAdmin);
    QVERIFY(r.ok());
    QCOMPARE(r->warnings.size(), warningWords.size());
    for (int i = 0; i < warningWords.size(); ++i)
        QVERIFY2(r->warnings[i].contains(warningWords[i]), qPrintable(r->warnings[i]));
    QVERIFY(f.store.contains(QStringLiteral("token:CR200"))); // stored even if it cannot trade
}

void TestTokenVault::addTokenRefusedByTheServerStoresNothing()
{
    Fixture f;
    QSignalSpy added(&f.vault, &TokenVault::accountAdded);
    const Result<AccountInfo> r = add(f.vault, QStringLiteral("unknownTok3n99"));
    QVERIFY(!r.ok());
    QVERIFY(r.error().is("InvalidToken"));
    QVERIFY(f.store.keys().isEmpty());
    QCOMPARE(added.size(), 0);
    QVERIFY(f.vault.accounts().isEmpty());
}

void TestTokenVault::addTokenBadFormat_data()
{
    QTest::addColumn<QString>("token");
    QTest::newRow("empty") << QString();
    QTest::newRow("short") << QStringLiteral("abc123");
    QTest::newRow("space") << QStringLiteral("abcd efgh1234");
    QTest::newRow("quoted") << QStringLiteral("\"abcdefgh1234\"");
    QTest::newRow("newline") << QStringLiteral("abcdefgh1234\n");
    QTest::newRow("too-long") << QString(129, u'a');
}

void TestTokenVault::addTokenBadFormat()
{
    QFETCH(QString, token);
    Fixture f;
    const Result<AccountInfo> r = add(f.vault, token);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("InvalidTokenFormat"));
    QCOMPARE(r.error().kind, ErrorKind::InvalidInput);
    if (!token.isEmpty())
        QVERIFY(!r.error().message.contains(token));
    QCOMPARE(f.server.probeCalls(), 0);
    QCOMPARE(f.store.operationCount(), 0);
}

void TestTokenVault::addTokenWithKeychainUnavailable()
{
    Fixture f;
    f.server.accept(tokenTrade, QStringLiteral("CR100"), {QStringLiteral("read"), QStringLiteral("trade")});
    f.store.failWith(SecretStore::unavailable(QStringLiteral("no Secret Service on the bus")));
    QSignalSpy added(&f.vault, &TokenVault::accountAdded);
    const Result<AccountInfo> r = add(f.vault, tokenTrade);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QString(SecretStore::UnavailableCode));
    QCOMPARE(r.error().account, QStringLiteral("CR100"));
    QCOMPARE(added.size(), 0);
    QVERIFY(f.vault.accounts().isEmpty());
}

void TestTokenVault::tokenForFromAWorkerThread()
{
    Fixture f;
    f.server.accept(tokenTrade, QStringLiteral("CR100"), {QStringLiteral("read"), QStringLiteral("trade")});
    QVERIFY(add(f.vault, tokenTrade).ok());
    QThread worker;
    worker.start();
    QObject workerContext;
    workerContext.moveToThread(&worker);
    CapturedResult<Result<QString>> r;
    QMetaObject::invokeMethod(
        &workerContext,
        [&f, &workerContext, cb = r.callback()] { f.vault.tokenFor(QStringLiteral("CR100"), &workerContext, cb); },
        Qt::QueuedConnection);
    QTRY_VERIFY(r.arrived());
    QCOMPARE(r.thread(), &worker);
    QCOMPARE(r.value().value(), tokenTrade);
    worker.quit();
    QVERIFY(worker.wait(5000));
}

void TestTokenVault::tokenForUnknownAccount()
{
    Fixture f;
    const Result<QString> r = tokenFor(f.vault, QStringLiteral("CR404"));
    QCOMPARE(r.error().code, QString(SecretStore::NotFoundCode));
    QCOMPARE(r.error().account, QStringLiteral("CR404"));
    QVERIFY(r.error().message.contains(QStringLiteral("CR404")));
    QCOMPARE(tokenFor(f.vault, QStringLiteral("token:CR1")).error().code, QStringLiteral("InvalidLoginId"));
}

void TestTokenVault::revokeLocallyClosesSessionsAndForgetsTheToken()
{
    Fixture f;
    f.server.accept(tokenTrade, QStringLiteral("CR100"), {QStringLiteral("read"), QStringLiteral("trade")});
    f.server.accept(tokenRead, QStringLiteral("CR300"), {QStringLiteral("read")});
    QVERIFY(add(f.vault, tokenTrade).ok());
    QVERIFY(add(f.vault, tokenRead).ok());
    FakeSession s1, s2, other;
    const QString ref = TokenFingerprint::of(tokenTrade);
    QVERIFY(f.registry.registerSession(QStringLiteral("s1"), QStringLiteral("CR100"), ref, &s1, &FakeSession::close).ok());
    QVERIFY(f.registry.registerSession(QStringLiteral("s2"), QStringLiteral("CR100"), ref, &s2, &FakeSession::close).ok());
    QVERIFY(f.registry.registerSession(QStringLiteral("o"), QStringLiteral("CR300"), TokenFingerprint::of(tokenRead),
                                       &other, &FakeSession::close).ok());
    QSignalSpy revoked(&f.registry, &SessionRegistry::tokenRevoked);
    QSignalSpy removed(&f.vault, &TokenVault::accountRemoved);

    const Result<void> r = revoke(f.vault, QStringLiteral("CR100"), false);
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
    QTRY_COMPARE(s1.closeCount(), 1);
    QTRY_COMPARE(s2.closeCount(), 1);
    QCOMPARE(other.closeCount(), 0);
    QCOMPARE(revoked.size(), 1);
    QCOMPARE(revoked[0][0].toString(), ref);
    QCOMPARE(revoked[0][1].toStringList(), QStringList{QStringLiteral("CR100")});
    QCOMPARE(f.store.keys(), QStringList{QStringLiteral("token:CR300")});
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed[0][0].toString(), QStringLiteral("CR100"));
    QVERIFY(f.server.deletedTokens().isEmpty());
    QCOMPARE(tokenFor(f.vault, QStringLiteral("CR100")).error().code, QString(SecretStore::NotFoundCode));
    QCOMPARE(f.vault.accounts().size(), 1);
}

void TestTokenVault::revokeOnTheServer()
{
    Fixture f;
    f.server.accept(tokenAdmin, QStringLiteral("CR200"), {QStringLiteral("read"), QStringLiteral("trade"), QStringLiteral("admin")});
    QVERIFY(add(f.vault, tokenAdmin).ok());
    FakeSession s;
    QVERIFY(f.registry.registerSession(QStringLiteral("s"), QStringLiteral("CR200"), TokenFingerprint::of(tokenAdmin), &s,
                                       &FakeSession::close).ok());
    QVERIFY(revoke(f.vault, QStringLiteral("CR200"), true).ok());
    QCOMPARE(f.server.deletedTokens(), QStringList{tokenAdmin});
    QTRY_COMPARE(s.closeCount(), 1);
    QVERIFY(f.store.keys().isEmpty());
    // And the server no longer accepts it.
    QVERIFY(add(f.vault, tokenAdmin).error().is("InvalidToken"));
}

void TestTokenVault::revokeWhenTheServerRefusesStillStopsTheToken()
{
    Fixture f;
    f.server.accept(tokenTrade, QStringLiteral("CR100"), {QStringLiteral("read"), QStringLiteral("trade")});
    QVERIFY(add(f.vault, tokenTrade).ok());
    FakeSession s;
    QVERIFY(f.registry.registerSession(QStringLiteral("s"), QStringLiteral("CR100"), TokenFingerprint::of(tokenTrade), &s,
                                       &FakeSession::close).ok());
    f.server.failDeletes(true);
    QSignalSpy removed(&f.vault, &TokenVault::accountRemoved);
    const Result<void> r = revoke(f.vault, QStringLiteral("CR100"), true);
    QVERIFY(!r.ok());
    QVERIFY(r.error().is("PermissionDenied"));
    QCOMPARE(r.error().account, QStringLiteral("CR100"));
    QTRY_COMPARE(s.closeCount(), 1);                 // bots stop anyway
    QCOMPARE(f.store.keys(), QStringList{QStringLiteral("token:CR100")}); // kept, to retry the deletion
    QCOMPARE(tokenFor(f.vault, QStringLiteral("CR100")).error().code, QStringLiteral("TokenRevoked"));
    QCOMPARE(removed.size(), 0);

    f.server.failDeletes(false); // the retry goes through
    QVERIFY(revoke(f.vault, QStringLiteral("CR100"), true).ok());
    QCOMPARE(f.server.deletedTokens(), QStringList{tokenTrade});
    QVERIFY(f.store.keys().isEmpty());
    QCOMPARE(removed.size(), 1);
}

void TestTokenVault::revokeWithReadOnlyStore()
{
    qputenv("VIGIL_TEST_VAULT_TOKEN", tokenTrade.toUtf8());
    EnvSecretStore store;
    QVERIFY(store.bind(TokenVault::secretKeyFor(QStringLiteral("CR100")), QStringLiteral("VIGIL_TEST_VAULT_TOKEN")).ok());
    SessionRegistry registry;
    FakeAuthServer server;
    TokenVault vault(store, registry, server.probe());
    QCOMPARE(tokenFor(vault, QStringLiteral("CR100")).value(), tokenTrade);
    FakeSession s;
    QVERIFY(registry.registerSession(QStringLiteral("s"), QStringLiteral("CR100"), TokenFingerprint::of(tokenTrade), &s,
                                     &FakeSession::close).ok());
    const Result<void> r = revoke(vault, QStringLiteral("CR100"), false);
    QCOMPARE(r.error().code, QString(SecretStore::ReadOnlyCode));
    QVERIFY(r.error().message.contains(QStringLiteral("VIGIL_TEST_VAULT_TOKEN")));
    QTRY_COMPARE(s.closeCount(), 1);
    QCOMPARE(tokenFor(vault, QStringLiteral("CR100")).error().code, QStringLiteral("TokenRevoked"));
    // No deleter wired: deleting on the server is refused up front.
    QCOMPARE(revoke(vault, QStringLiteral("CR100"), true).error().code, QStringLiteral("NoServerTokenDeleter"));
    qunsetenv("VIGIL_TEST_VAULT_TOKEN");
}

void TestTokenVault::invalidTokenMidSessionRemovesTheToken()
{
    Fixture f;
    f.server.accept(tokenTrade, QStringLiteral("CR100"), {QStringLiteral("read"), QStringLiteral("trade")});
    QVERIFY(add(f.vault, tokenTrade).ok());
    QThread accountThread;
    accountThread.start();
    auto *session = new FakeSession;
    session->moveToThread(&accountThread);
    connect(&accountThread, &QThread::finished, session, &QObject::deleteLater);
    QVERIFY(f.registry.registerSession(QStringLiteral("s"), QStringLiteral("CR100"), TokenFingerprint::of(tokenTrade),
                                       session, &FakeSession::close).ok());
    QSignalSpy removed(&f.vault, &TokenVault::accountRemoved);

    // The client on the account thread got InvalidToken in a reply.
    QMetaObject::invokeMethod(
        session,
        [&f] {
            f.registry.reportInvalidToken(QStringLiteral("s"), Error::broker(QStringLiteral("InvalidToken"),
                                                                             QStringLiteral("The token is invalid.")));
        },
        Qt::QueuedConnection);
    QTRY_COMPARE(session->closeCount(), 1);
    QTRY_COMPARE(removed.size(), 1);
    QCOMPARE(removed[0][0].toString(), QStringLiteral("CR100"));
    QVERIFY(removed[0][1].toString().contains(QStringLiteral("InvalidToken")));
    QVERIFY(f.store.keys().isEmpty());
    QVERIFY(f.vault.accounts().isEmpty());
    accountThread.quit();
    QVERIFY(accountThread.wait(5000));
}

void TestTokenVault::invalidTokenOfAReplacedTokenKeepsTheNewOne()
{
    Fixture f;
    const QString oldToken = QStringLiteral("oldTok3nCR100");
    const QString newToken = QStringLiteral("newTok3nCR100");
    f.server.accept(oldToken, QStringLiteral("CR100"), {QStringLiteral("read"), QStringLiteral("trade")});
    f.server.accept(newToken, QStringLiteral("CR100"), {QStringLiteral("read"), QStringLiteral("trade")});
    QVERIFY(add(f.vault, oldToken).ok());
    FakeSession oldSession;
    QVERIFY(f.registry.registerSession(QStringLiteral("old"), QStringLiteral("CR100"), TokenFingerprint::of(oldToken),
                                       &oldSession, &FakeSession::close).ok());
    QVERIFY(add(f.vault, newToken).ok()); // replaced while the old session still runs
    QSignalSpy removed(&f.vault, &TokenVault::accountRemoved);
    QVERIFY(f.registry.reportInvalidToken(QStringLiteral("old"), Error::broker(QStringLiteral("InvalidToken"), QStringLiteral("x"))));
    QTRY_COMPARE(oldSession.closeCount(), 1);
    QTest::qWait(50); // let the vault's read/compare run
    QCOMPARE(removed.size(), 0);
    QCOMPARE(tokenFor(f.vault, QStringLiteral("CR100")).value(), newToken);
}

void TestTokenVault::readdingARevokedTokenClearsTheRevocation()
{
    Fixture f;
    f.server.accept(tokenTrade, QStringLiteral("CR100"), {QStringLiteral("read"), QStringLiteral("trade")});
    QVERIFY(add(f.vault, tokenTrade).ok());
    f.server.failDeletes(true);
    QVERIFY(!revoke(f.vault, QStringLiteral("CR100"), true).ok());
    QVERIFY(f.registry.isRevoked(TokenFingerprint::of(tokenTrade)));
    // The user re-adds it; the server still accepts it, so it is usable again.
    QVERIFY(add(f.vault, tokenTrade).ok());
    QVERIFY(!f.registry.isRevoked(TokenFingerprint::of(tokenTrade)));
    QCOMPARE(tokenFor(f.vault, QStringLiteral("CR100")).value(), tokenTrade);
}

QTEST_GUILESS_MAIN(TestTokenVault)
#include "tst_tokenvault.moc"
