// SPDX-License-Identifier: GPL-3.0-or-later
// LeaseKeeper over RedisLockBackend and a real redis-server (label "redis"): what the engine sees when a
// lease is lost, when Redis dies and when it comes back.
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include "coordination/coordinationerror.h"
#include "coordination/leasekeeper.h"
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
    return i;
}
} // namespace

class TestRedisLeaseKeeper final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void renewalKeepsTheKeyAlive();
    void deletedKeyLosesLeaseAtOnce();
    void expiredAndRetakenKeyLosesLeaseWithoutHurtingTheNewHolder();
    void redisKilledStopsTradingAndRecovers();

private:
    RedisConfig config() const { return RedisConfig::fromUrl(m_server.url()).value(); }

    Test::RedisServer m_server;
    std::unique_ptr<RedisConnection> m_raw;
    std::unique_ptr<LeaseKeeper> m_keeper;
};

void TestRedisLeaseKeeper::initTestCase()
{
    VIGIL_START_REDIS_OR_SKIP(m_server);
}

void TestRedisLeaseKeeper::init()
{
    if (!m_server.isRunning())
        QVERIFY(m_server.start());
    m_raw = std::make_unique<RedisConnection>(config());
    QVERIFY(m_raw->command({ "FLUSHALL" }).ok());
    LeaseKeeperOptions options;
    options.probeIntervalMs = 200;
    m_keeper = std::make_unique<LeaseKeeper>(
        std::make_unique<RedisLockBackend>(config(), identity(QStringLiteral("me"))), Clock::system(), options);
    m_keeper->start(); // on the test thread: its timers run while the test waits
}

void TestRedisLeaseKeeper::cleanup()
{
    m_keeper.reset();
}

void TestRedisLeaseKeeper::renewalKeepsTheKeyAlive()
{
    const QString key = LockKey::account(QStringLiteral("CR1"));
    auto lease = m_keeper->acquireNow(key, 600);
    QVERIFY2(lease.ok(), Test::describe(lease));
    QTest::qWait(1500); // 2.5 ttls: only renewals keep it
    QVERIFY(m_keeper->isValid(lease.value()));
    QCOMPARE(m_raw->command({ "GET", key.toUtf8() })->text, lease->token.toUtf8());
    QCOMPARE(m_keeper->status().backend, CoordinationBackendKind::Redis);
}

void TestRedisLeaseKeeper::deletedKeyLosesLeaseAtOnce()
{
    QSignalSpy lost(m_keeper.get(), &LeaseKeeper::leaseLost);
    const QString key = LockKey::account(QStringLiteral("CR1"));
    auto lease = m_keeper->acquireNow(key, 900);
    QVERIFY(lease.ok());
    QVERIFY(m_raw->command({ "DEL", key.toUtf8() }).ok());
    QElapsedTimer t;
    t.start();
    QVERIFY(lost.wait(2000));
    // At the first renewal after the deletion (every ttl/3 = 300 ms, checked every 150 ms), well before the
    // ttl would have run out; the bound leaves room for a loaded machine.
    QVERIFY2(t.elapsed() < 900, QByteArray::number(t.elapsed()).constData());
    QVERIFY(!m_keeper->isValid(lease.value()));
    QCOMPARE(lost.at(0).at(1).value<Error>().code, QString(CoordinationError::LeaseLost));
    QVERIFY(m_keeper->status().up); // refused, not unreachable
}

void TestRedisLeaseKeeper::expiredAndRetakenKeyLosesLeaseWithoutHurtingTheNewHolder()
{
    QSignalSpy lost(m_keeper.get(), &LeaseKeeper::leaseLost);
    const QString key = LockKey::account(QStringLiteral("CR1"));
    auto lease = m_keeper->acquireNow(key, 900);
    QVERIFY(lease.ok());
    QVERIFY(m_raw->command({ "PEXPIRE", key.toUtf8(), "1" }).ok());
    RedisLockBackend other(config(), identity(QStringLiteral("other")));
    QTRY_VERIFY_WITH_TIMEOUT(m_raw->command({ "EXISTS", key.toUtf8() })->integer == 0, 1000);
    auto theirs = other.acquire(key, 60'000);
    QVERIFY2(theirs.ok(), Test::describe(theirs));
    QVERIFY(lost.wait(2000));
    QVERIFY(!m_keeper->isValid(lease.value()));
    // Our failed renewal and the clean-up release after the loss left their lock alone.
    QVERIFY(other.verify(theirs.value()).value());
    QVERIFY(m_raw->command({ "PTTL", key.toUtf8() })->integer > 50'000);
}

void TestRedisLeaseKeeper::redisKilledStopsTradingAndRecovers()
{
    QSignalSpy lost(m_keeper.get(), &LeaseKeeper::leaseLost);
    QSignalSpy status(m_keeper.get(), &LeaseKeeper::statusChanged);
    QSignalSpy restored(m_keeper.get(), &LeaseKeeper::coordinationRestored);
    const QString key = LockKey::account(QStringLiteral("CR1"));
    auto lease = m_keeper->acquireNow(key, 900);
    QVERIFY(lease.ok());
    const qint64 fenceBefore = lease->fence;

    m_server.kill();
    QVERIFY(lost.wait(2000)); // the next renewal fails: lost at once, never kept "just in case"
    QVERIFY(!m_keeper->isValid(lease.value()));
    QTRY_COMPARE(status.count(), 1);
    QVERIFY(!status.at(0).at(0).value<CoordinationStatus>().up);
    QCOMPARE(status.at(0).at(0).value<CoordinationStatus>().lastError.code, QString(CoordinationError::Unavailable));

    // No acquire succeeds while Redis is down, and none takes longer than the connect timeout.
    for (int i = 0; i < 3; ++i) {
        QElapsedTimer t;
        t.start();
        auto r = m_keeper->acquireNow(LockKey::account(QStringLiteral("CR%1").arg(i + 2)), 900);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QString(CoordinationError::Unavailable));
        QVERIFY(t.elapsed() <= config().connectTimeoutMs + 250);
    }
    QCOMPARE(restored.count(), 0);

    QVERIFY(m_server.restart());
    QVERIFY(restored.wait(3000)); // the probe noticed
    QVERIFY(m_keeper->status().up);
    QVERIFY(status.last().at(0).value<CoordinationStatus>().up);
    auto again = m_keeper->acquireNow(key, 900);
    QVERIFY2(again.ok(), Test::describe(again));
    QVERIFY(again->fence > fenceBefore); // even though Redis came back empty
}

QTEST_GUILESS_MAIN(TestRedisLeaseKeeper)
#include "tst_redisleasekeeper.moc"
