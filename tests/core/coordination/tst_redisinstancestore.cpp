// SPDX-License-Identifier: GPL-3.0-or-later
// RedisInstanceStore and InstanceRegistry over a real redis-server (label "redis").
#include <QSignalSpy>
#include <QTest>

#include "coordination/instanceregistry.h"
#include "coordination/redisconnection.h"
#include "coordination/redisinstancestore.h"
#include "support/redisserver.h"
#include "support/resultcheck.h"

using namespace Vigil;

namespace {
InstanceInfo info(const QString &id, const QStringList &bots)
{
    InstanceInfo i;
    i.identity.instanceId = id;
    i.identity.host = QStringLiteral("host-") + id;
    i.identity.pid = 123;
    i.identity.app = QStringLiteral("vigil");
    i.identity.version = QStringLiteral("0.1.0");
    i.bots = bots;
    i.startedMs = 1000;
    i.lastSeenMs = 2000;
    return i;
}
} // namespace

class TestRedisInstanceStore final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void publishAndList();
    void entriesExpireWithoutHeartbeat();
    void removeDropsTheEntry();
    void registriesOnTwoInstancesSeeEachOther();
    void downRedisIsAnErrorNotAnEmptyList();

private:
    RedisConfig config() const { return RedisConfig::fromUrl(m_server.url()).value(); }

    Test::RedisServer m_server;
    std::unique_ptr<RedisConnection> m_raw;
};

void TestRedisInstanceStore::initTestCase()
{
    VIGIL_START_REDIS_OR_SKIP(m_server);
}

void TestRedisInstanceStore::init()
{
    if (!m_server.isRunning())
        QVERIFY(m_server.start());
    m_raw = std::make_unique<RedisConnection>(config());
    QVERIFY(m_raw->command({ "FLUSHALL" }).ok());
}

void TestRedisInstanceStore::publishAndList()
{
    RedisInstanceStore store(config());
    QVERIFY(store.publish(info(QStringLiteral("A"), { QStringLiteral("bot-1") }), 10'000).ok());
    QVERIFY(store.publish(info(QStringLiteral("B"), {}), 10'000).ok());
    auto list = store.list();
    QVERIFY2(list.ok(), Test::describe(list));
    QCOMPARE(list->size(), 2);
    const auto a = std::find_if(
        list->cbegin(), list->cend(), [](const InstanceInfo &i) { return i.identity.instanceId == u"A"; });
    QVERIFY(a != list->cend());
    QCOMPARE(*a, info(QStringLiteral("A"), { QStringLiteral("bot-1") }));
    // A hash per instance with an expiry, readable with redis-cli.
    QCOMPARE(m_raw->command({ "HGET", "vigil:instance:A", "host" })->text, QByteArray("host-A"));
    const qint64 pttl = m_raw->command({ "PTTL", "vigil:instance:A" })->integer;
    QVERIFY(pttl > 0 && pttl <= 10'000);
}

void TestRedisInstanceStore::entriesExpireWithoutHeartbeat()
{
    RedisInstanceStore store(config());
    QVERIFY(store.publish(info(QStringLiteral("A"), {}), 10'000).ok());
    QVERIFY(store.publish(info(QStringLiteral("gone"), {}), 100).ok());
    QTRY_VERIFY_WITH_TIMEOUT(store.list().value().size() == 1, 2000);
    QCOMPARE(store.list()->first().identity.instanceId, QStringLiteral("A"));
    QCOMPARE(m_raw->command({ "SISMEMBER", "vigil:instances", "gone" })->integer, 0); // pruned from the set
}

void TestRedisInstanceStore::removeDropsTheEntry()
{
    RedisInstanceStore store(config());
    QVERIFY(store.publish(info(QStringLiteral("A"), {}), 10'000).ok());
    QVERIFY(store.remove(QStringLiteral("A")).ok());
    QVERIFY(store.list()->isEmpty());
}

void TestRedisInstanceStore::registriesOnTwoInstancesSeeEachOther()
{
    InstanceIdentity desktop;
    desktop.instanceId = QStringLiteral("desktop");
    InstanceIdentity vps;
    vps.instanceId = QStringLiteral("vps");
    InstanceRegistry a(std::make_unique<RedisInstanceStore>(config()), desktop, Clock::system(), 200);
    InstanceRegistry b(std::make_unique<RedisInstanceStore>(config()), vps, Clock::system(), 200);
    a.setBots({ QStringLiteral("bot-x") });
    a.start();
    b.start();
    QTRY_COMPARE(a.instances().size(), 2);
    QTRY_COMPARE(b.instances().size(), 2);
    const auto list = b.instances();
    const auto it = std::find_if(
        list.cbegin(), list.cend(), [](const InstanceInfo &i) { return i.identity.instanceId == u"desktop"; });
    QVERIFY(it != list.cend());
    QCOMPARE(it->bots, QStringList { QStringLiteral("bot-x") });
    a.stop();
    QTRY_COMPARE(b.instances().size(), 1);
}

void TestRedisInstanceStore::downRedisIsAnErrorNotAnEmptyList()
{
    RedisConfig cfg = config();
    cfg.port = Test::RedisServer::freeLoopbackPort();
    RedisInstanceStore store(cfg);
    auto list = store.list();
    QVERIFY(!list.ok());
    QCOMPARE(list.error().code, QStringLiteral("CoordinationUnavailable"));
}

QTEST_GUILESS_MAIN(TestRedisInstanceStore)
#include "tst_redisinstancestore.moc"
