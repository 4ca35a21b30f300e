// SPDX-License-Identifier: GPL-3.0-or-later
// RedisLockBackend against a real redis-server started on a free loopback port (label "redis").
#include <QElapsedTimer>
#include <QTcpServer>
#include <QTest>

#include "coordination/coordinationerror.h"
#include "coordination/lockkey.h"
#include "coordination/redisconnection.h"
#include "coordination/redislockbackend.h"
#include "support/redisserver.h"
#include "support/resultcheck.h"

using namespace Vigil;

namespace {
InstanceIdentity identity(const QString &id)
{
    InstanceIdentity i;
    i.instanceId = id;
    i.host = QStringLiteral("host-") + id;
    i.pid = 77;
    i.app = QStringLiteral("vigil-test");
    return i;
}

bool isFree(LockBackend &backend, const QString &key)
{
    auto r = backend.holderInfo(key);
    return r.ok() && !r->has_value();
}
} // namespace

class TestRedisLockBackend final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void exclusiveAcquireAcrossInstances();
    void holderInfoNamesTheHolder();
    void staleHolderCannotRenewOrRelease();
    void ttlExpiryLetsAnotherInstanceIn();
    void renewExtendsTheTtl();
    void fencingUsesIncrPerAccount();
    void scriptsSurviveScriptFlush();
    void authAndDatabaseSelection();
    void lostAcquireReplyIsCleanedUpLater();
    void silentServerTimesOut();
    void refusedConnectionIsUnavailable();
    void killedRedisIsUnavailableThenRecovers();
    void fencesKeepIncreasingAfterRedisLostItsData();

private:
    RedisConfig config() const;
    std::unique_ptr<RedisLockBackend> backend(const QString &id) const;
    Result<RedisReply> raw(const QByteArrayList &argv);

    Test::RedisServer m_server;
    std::unique_ptr<RedisConnection> m_raw;
};

void TestRedisLockBackend::initTestCase()
{
    VIGIL_START_REDIS_OR_SKIP(m_server);
}

void TestRedisLockBackend::init()
{
    if (!m_server.isRunning())
        QVERIFY(m_server.start());
    m_raw = std::make_unique<RedisConnection>(config());
    QVERIFY(raw({ "FLUSHALL" }).ok());
}

RedisConfig TestRedisLockBackend::config() const
{
    auto cfg = RedisConfig::fromUrl(m_server.url());
    Q_ASSERT(cfg.ok());
    return cfg.value();
}

std::unique_ptr<RedisLockBackend> TestRedisLockBackend::backend(const QString &id) const
{
    return std::make_unique<RedisLockBackend>(config(), identity(id));
}

Result<RedisReply> TestRedisLockBackend::raw(const QByteArrayList &argv)
{
    return m_raw->command(argv);
}

void TestRedisLockBackend::exclusiveAcquireAcrossInstances()
{
    auto a = backend(QStringLiteral("A"));
    auto b = backend(QStringLiteral("B"));
    const QString key = LockKey::account(QStringLiteral("CR100"));
    auto la = a->acquire(key, 10'000);
    QVERIFY2(la.ok(), Test::describe(la));
    auto lb = b->acquire(key, 10'000);
    QVERIFY(!lb.ok());
    QCOMPARE(lb.error().code, QString(CoordinationError::LockHeld));
    const QJsonObject holder = lb.error().details.value(QStringLiteral("holder")).toObject();
    QCOMPARE(holder.value(QStringLiteral("instance_id")).toString(), QStringLiteral("A"));
    QCOMPARE(holder.value(QStringLiteral("fence")).toInteger(), la->fence);
    // The lock value is exactly the token (what the compare scripts check).
    QCOMPARE(raw({ "GET", key.toUtf8() })->text, la->token.toUtf8());
    QVERIFY(a->release(la.value()).ok());
    QVERIFY(b->acquire(key, 10'000).ok());
}

void TestRedisLockBackend::holderInfoNamesTheHolder()
{
    auto a = backend(QStringLiteral("A"));
    auto b = backend(QStringLiteral("B"));
    const QString key = LockKey::bot(QStringLiteral("bot-9"));
    QVERIFY(isFree(*b, key));
    auto la = a->acquire(key, 10'000);
    QVERIFY(la.ok());
    auto who = b->holderInfo(key);
    QVERIFY2(who.ok(), Test::describe(who));
    QVERIFY(who->has_value());
    QCOMPARE(who.value()->instance.instanceId, QStringLiteral("A"));
    QCOMPARE(who.value()->instance.host, QStringLiteral("host-A"));
    QCOMPARE(who.value()->instance.pid, 77);
    QCOMPARE(who.value()->fence, la->fence);
    QCOMPARE(who.value()->sinceMs, la->holder.sinceMs);
    // The holder record expires with the lock.
    const qint64 pttl = raw({ "PTTL", LockKey::holderRecord(key).toUtf8() })->integer;
    QVERIFY2(pttl > 0 && pttl <= 10'000, QByteArray::number(pttl).constData());
}

void TestRedisLockBackend::staleHolderCannotRenewOrRelease()
{
    auto a = backend(QStringLiteral("A"));
    auto b = backend(QStringLiteral("B"));
    const QString key = LockKey::account(QStringLiteral("CR100"));
    auto stale = a->acquire(key, 10'000);
    QVERIFY(stale.ok());
    QVERIFY(raw({ "DEL", key.toUtf8() }).ok()); // expired / deleted behind A's back
    auto fresh = b->acquire(key, 10'000);
    QVERIFY(fresh.ok());
    QVERIFY(fresh->fence > stale->fence);

    QCOMPARE(a->renew(stale.value()).error().code, QString(CoordinationError::NotOwner));
    QCOMPARE(a->release(stale.value()).error().code, QString(CoordinationError::NotOwner));
    QVERIFY(!a->verify(stale.value()).value());
    // B's lock is intact: same token, ttl not shortened by A's failed renew.
    QCOMPARE(raw({ "GET", key.toUtf8() })->text, fresh->token.toUtf8());
    QVERIFY(b->verify(fresh.value()).value());
    QCOMPARE(b->holderInfo(key).value()->instance.instanceId, QStringLiteral("B"));

    Lease forged = fresh.value();
    forged.token = Lease::newToken();
    QCOMPARE(a->release(forged).error().code, QString(CoordinationError::NotOwner));
    QVERIFY(b->verify(fresh.value()).value());
}

void TestRedisLockBackend::ttlExpiryLetsAnotherInstanceIn()
{
    auto a = backend(QStringLiteral("A"));
    auto b = backend(QStringLiteral("B"));
    const QString key = LockKey::account(QStringLiteral("CR100"));
    auto la = a->acquire(key, 150);
    QVERIFY(la.ok());
    QVERIFY(!b->acquire(key, 150).ok());
    QTRY_VERIFY_WITH_TIMEOUT(isFree(*b, key), 2000);
    QVERIFY(b->acquire(key, 10'000).ok());
    QCOMPARE(a->renew(la.value()).error().code, QString(CoordinationError::NotOwner));
}

void TestRedisLockBackend::renewExtendsTheTtl()
{
    auto a = backend(QStringLiteral("A"));
    const QString key = LockKey::account(QStringLiteral("CR100"));
    auto la = a->acquire(key, 5000);
    QVERIFY(la.ok());
    QVERIFY(raw({ "PEXPIRE", key.toUtf8(), "100" }).ok());
    QVERIFY(raw({ "PEXPIRE", LockKey::holderRecord(key).toUtf8(), "100" }).ok());
    QVERIFY(a->renew(la.value()).ok());
    QVERIFY(raw({ "PTTL", key.toUtf8() })->integer > 4000);
    QVERIFY(raw({ "PTTL", LockKey::holderRecord(key).toUtf8() })->integer > 4000);
}

void TestRedisLockBackend::fencingUsesIncrPerAccount()
{
    auto a = backend(QStringLiteral("A"));
    auto b = backend(QStringLiteral("B"));
    const QString key = LockKey::account(QStringLiteral("CR100"));
    qint64 last = 0;
    for (int i = 0; i < 10; ++i) {
        RedisLockBackend &who = (i % 2) ? *b : *a;
        auto l = who.acquire(key, 10'000);
        QVERIFY2(l.ok(), Test::describe(l));
        QVERIFY(l->fence > last);
        last = l->fence;
        QVERIFY(who.release(l.value()).ok());
    }
    QCOMPARE(raw({ "GET", "vigil:fence:CR100" })->text.toLongLong(), last);
    // A refused acquire does not consume a fence.
    auto held = a->acquire(key, 10'000);
    QVERIFY(!b->acquire(key, 10'000).ok());
    QCOMPARE(raw({ "GET", "vigil:fence:CR100" })->text.toLongLong(), held->fence);
    // Bot locks and other accounts count separately.
    QCOMPARE(a->acquire(LockKey::account(QStringLiteral("CR200")), 10'000)->fence, 1);
    QCOMPARE(a->acquire(LockKey::bot(QStringLiteral("bot-1")), 10'000)->fence, 1);
    QCOMPARE(raw({ "GET", "vigil:fence:bot:bot-1" })->text, QByteArray("1"));
}

void TestRedisLockBackend::scriptsSurviveScriptFlush()
{
    auto a = backend(QStringLiteral("A"));
    const QString key = LockKey::account(QStringLiteral("CR100"));
    auto la = a->acquire(key, 10'000);
    QVERIFY(la.ok());
    QVERIFY(raw({ "SCRIPT", "FLUSH" }).ok()); // as after a Redis restart: EVALSHA answers NOSCRIPT
    QVERIFY2(a->renew(la.value()).ok(), "renew after SCRIPT FLUSH");
    QVERIFY(raw({ "SCRIPT", "FLUSH" }).ok());
    QVERIFY(a->release(la.value()).ok());
    QVERIFY(raw({ "SCRIPT", "FLUSH" }).ok());
    QVERIFY(a->acquire(key, 10'000).ok());
}

void TestRedisLockBackend::authAndDatabaseSelection()
{
    const QByteArray password = "t3st-Pa55";
    QVERIFY(raw({ "CONFIG", "SET", "requirepass", password }).ok());
    QVERIFY(raw({ "AUTH", password }).ok());
    auto restore = qScopeGuard([&] { (void)raw({ "CONFIG", "SET", "requirepass", "" }); });

    auto noPassword = backend(QStringLiteral("A"));
    auto refused = noPassword->acquire(LockKey::account(QStringLiteral("CR1")), 10'000);
    QVERIFY(!refused.ok());

    auto wrong = RedisConfig::fromUrl(QStringLiteral("redis://:wrong-pw@127.0.0.1:%1").arg(m_server.port()));
    QVERIFY(wrong.ok());
    RedisLockBackend wrongBackend(wrong.value(), identity(QStringLiteral("A")));
    auto denied = wrongBackend.acquire(LockKey::account(QStringLiteral("CR1")), 10'000);
    QVERIFY(!denied.ok());
    QCOMPARE(denied.error().code, QString(CoordinationError::Unavailable));
    QVERIFY(denied.error().message.contains(QStringLiteral("authentication")));
    QVERIFY(!denied.error().message.contains(QStringLiteral("wrong-pw")));

    auto good = RedisConfig::fromUrl(
        QStringLiteral("redis://:%1@127.0.0.1:%2/3").arg(QString::fromUtf8(password)).arg(m_server.port()));
    QVERIFY(good.ok());
    RedisLockBackend a(good.value(), identity(QStringLiteral("A")));
    auto la = a.acquire(LockKey::account(QStringLiteral("CR1")), 10'000);
    QVERIFY2(la.ok(), Test::describe(la));
    QVERIFY(raw({ "SELECT", "3" }).ok());
    QCOMPARE(raw({ "GET", "vigil:lock:account:CR1" })->text, la->token.toUtf8());
    QVERIFY(raw({ "SELECT", "0" }).ok());
    QVERIFY(raw({ "GET", "vigil:lock:account:CR1" })->isNil());
}

void TestRedisLockBackend::lostAcquireReplyIsCleanedUpLater()
{
    auto a = backend(QStringLiteral("A"));
    auto b = backend(QStringLiteral("B"));
    // Load the scripts, so the acquire below is a plain EVALSHA.
    auto warm = a->acquire(LockKey::account(QStringLiteral("CR999")), 1000);
    QVERIFY(warm.ok());
    QVERIFY(a->release(warm.value()).ok());

    const QString key = LockKey::account(QStringLiteral("CR100"));
    // Redis stalls for 1 s: A's acquire times out (outcome unknown), yet Redis runs it afterwards.
    QVERIFY(m_raw->send({ "DEBUG", "SLEEP", "1" }).ok());
    auto la = a->acquire(key, 60'000);
    QVERIFY(!la.ok());
    QCOMPARE(la.error().code, QString(CoordinationError::Unavailable));
    m_raw = std::make_unique<RedisConnection>(config());
    QTRY_VERIFY_WITH_TIMEOUT(!isFree(*b, key), 5000); // the "failed" acquire took the lock after all
    // The next call of A deletes it (compare-then-delete with the lost token) instead of leaving it for a minute.
    QVERIFY(a->ping().ok());
    QVERIFY(isFree(*b, key));
    QVERIFY(b->acquire(key, 10'000).ok());
}

void TestRedisLockBackend::silentServerTimesOut()
{
    // Accepts TCP connections (the kernel does) but never answers: a hung Redis.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    RedisConfig cfg = config();
    cfg.port = silent.serverPort();
    cfg.commandTimeoutMs = 300;
    RedisLockBackend a(cfg, identity(QStringLiteral("A")));
    QElapsedTimer t;
    t.start();
    auto r = a.acquire(LockKey::account(QStringLiteral("CR1")), 10'000);
    const qint64 took = t.elapsed();
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QString(CoordinationError::Unavailable));
    QVERIFY2(took < 1500, QByteArray::number(took).constData());
}

void TestRedisLockBackend::refusedConnectionIsUnavailable()
{
    RedisConfig cfg = config();
    cfg.port = Test::RedisServer::freeLoopbackPort();
    RedisLockBackend a(cfg, identity(QStringLiteral("A")));
    auto r = a.acquire(LockKey::account(QStringLiteral("CR1")), 10'000);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::Coordination);
    QCOMPARE(r.error().code, QString(CoordinationError::Unavailable));
    QVERIFY(r.error().message.contains(QString::number(cfg.port)));
    QCOMPARE(a.ping().error().code, QString(CoordinationError::Unavailable));
}

void TestRedisLockBackend::killedRedisIsUnavailableThenRecovers()
{
    auto a = backend(QStringLiteral("A"));
    const QString key = LockKey::account(QStringLiteral("CR100"));
    auto la = a->acquire(key, 10'000);
    QVERIFY(la.ok());
    m_server.kill();

    const int connectTimeout = config().connectTimeoutMs;
    for (int i = 0; i < 5; ++i) {
        QElapsedTimer t;
        t.start();
        auto r = a->acquire(LockKey::account(QStringLiteral("CR%1").arg(200 + i)), 10'000);
        QVERIFY(!r.ok()); // no acquire succeeds, no local fallback
        QCOMPARE(r.error().code, QString(CoordinationError::Unavailable));
        QVERIFY2(t.elapsed() <= connectTimeout + 250, QByteArray::number(t.elapsed()).constData());
    }
    QCOMPARE(a->renew(la.value()).error().code, QString(CoordinationError::Unavailable));
    QCOMPARE(a->verify(la.value()).error().code, QString(CoordinationError::Unavailable));
    QCOMPARE(a->holderInfo(key).error().code, QString(CoordinationError::Unavailable));

    QVERIFY(m_server.restart());
    QVERIFY(a->ping().ok());
    auto again = a->acquire(key, 10'000); // an empty Redis: the key died with it
    QVERIFY2(again.ok(), Test::describe(again));
}

void TestRedisLockBackend::fencesKeepIncreasingAfterRedisLostItsData()
{
    auto a = backend(QStringLiteral("A"));
    auto b = backend(QStringLiteral("B"));
    const QString key = LockKey::account(QStringLiteral("CR100"));
    qint64 last = 0;
    for (int i = 0; i < 5; ++i) {
        auto l = a->acquire(key, 10'000);
        QVERIFY(l.ok());
        last = l->fence;
        QVERIFY(a->release(l.value()).ok());
    }
    QVERIFY(m_server.restart()); // no persistence: every counter is gone
    auto l = a->acquire(key, 10'000);
    QVERIFY2(l.ok(), Test::describe(l));
    QVERIFY2(l->fence > last, qPrintable(QStringLiteral("%1 after %2").arg(l->fence).arg(last)));
    QVERIFY(a->release(l.value()).ok());
    // Another instance continues from there (the counter in Redis was raised).
    auto lb = b->acquire(key, 10'000);
    QVERIFY(lb.ok());
    QVERIFY(lb->fence > l->fence);
    // A floor seeded from elsewhere (the journal) is honoured too.
    QVERIFY(b->release(lb.value()).ok());
    a->raiseFenceFloor(key, 1000);
    QVERIFY(a->acquire(key, 10'000)->fence > 1000);
}

QTEST_GUILESS_MAIN(TestRedisLockBackend)
#include "tst_redislockbackend.moc"
