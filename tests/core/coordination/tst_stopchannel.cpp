// SPDX-License-Identifier: GPL-3.0-or-later
// StopChannel over a real redis-server (label "redis").
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include "coordination/redisconnection.h"
#include "coordination/stopchannel.h"
#include "support/redisserver.h"
#include "support/resultcheck.h"

using namespace Vigil;

namespace {
InstanceIdentity identity(const QString &id)
{
    InstanceIdentity i;
    i.instanceId = id;
    i.host = QStringLiteral("host-") + id;
    return i;
}
} // namespace

class TestStopChannel final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void stopReachesEveryInstanceWithinOneSecond();
    void malformedPayloadIsStillAStop();
    void stopPublishedWhileDisconnectedIsReplayed();
    void resubscribesAfterRedisRestart();
    void publishFailsClearlyWhenRedisIsDown();
    void stopStaysInForceUntilRearmed();
    void rearmKeepsANewerStop();
    void payloadRoundTrip();

private:
    std::unique_ptr<StopChannel> channel(const QString &id);
    RedisConfig config() const { return RedisConfig::fromUrl(m_server.url()).value(); }

    Test::RedisServer m_server;
    std::unique_ptr<RedisConnection> m_raw;
};

void TestStopChannel::initTestCase()
{
    qRegisterMetaType<Vigil::StopMessage>();
    qRegisterMetaType<Vigil::Error>();
    VIGIL_START_REDIS_OR_SKIP(m_server);
}

void TestStopChannel::init()
{
    if (!m_server.isRunning())
        QVERIFY(m_server.start());
    m_raw = std::make_unique<RedisConnection>(config());
    QVERIFY(m_raw->command({ "FLUSHALL" }).ok());
}

void TestStopChannel::cleanup()
{
    m_raw.reset();
}

std::unique_ptr<StopChannel> TestStopChannel::channel(const QString &id)
{
    StopChannelOptions options;
    options.reconnectIntervalMs = 200;
    options.pingIntervalMs = 200;
    auto c = std::make_unique<StopChannel>(config(), identity(id), Clock::system(), options);
    c->start();
    return c;
}

void TestStopChannel::stopReachesEveryInstanceWithinOneSecond()
{
    auto desktop = channel(QStringLiteral("desktop"));
    auto vps = channel(QStringLiteral("vps"));
    QVERIFY(desktop->isListening());
    QVERIFY(vps->isListening());
    QSignalSpy atVps(vps.get(), &StopChannel::stopRequested);
    QSignalSpy atDesktop(desktop.get(), &StopChannel::stopRequested);

    QElapsedTimer t;
    t.start();
    auto sent = desktop->publishStop(QStringLiteral("user pressed STOP ALL"));
    QVERIFY2(sent.ok(), Test::describe(sent));
    QVERIFY(atVps.wait(1000));
    QVERIFY2(t.elapsed() < 1000, QByteArray::number(t.elapsed()).constData());
    const auto got = atVps.at(0).at(0).value<StopMessage>();
    QCOMPARE(got.id, sent->id);
    QCOMPARE(got.reason, QStringLiteral("user pressed STOP ALL"));
    QCOMPARE(got.origin.instanceId, QStringLiteral("desktop"));
    QCOMPARE(got.origin.host, QStringLiteral("host-desktop"));
    QVERIFY(!got.malformed);
    // The origin hears its own stop too: nothing is ignored.
    QTRY_COMPARE(atDesktop.count(), 1);
    QTest::qWait(100);
    QCOMPARE(atVps.count(), 1); // once, not once per path
}

void TestStopChannel::malformedPayloadIsStillAStop()
{
    auto vps = channel(QStringLiteral("vps"));
    QSignalSpy atVps(vps.get(), &StopChannel::stopRequested);
    QVERIFY(m_raw->command({ "PUBLISH", "vigil:stop", "{not json" }).ok());
    QVERIFY(atVps.wait(1000));
    const auto got = atVps.at(0).at(0).value<StopMessage>();
    QVERIFY(got.malformed);
    QVERIFY(got.reason.contains(QStringLiteral("{not json")));
}

void TestStopChannel::stopPublishedWhileDisconnectedIsReplayed()
{
    auto desktop = channel(QStringLiteral("desktop"));
    auto vps = channel(QStringLiteral("vps"));
    QSignalSpy atVps(vps.get(), &StopChannel::stopRequested);
    QSignalSpy listening(vps.get(), &StopChannel::listeningChanged);
    // Cut every subscriber's connection (as a network blip would), then stop while they are away.
    QVERIFY(m_raw->command({ "CLIENT", "KILL", "TYPE", "pubsub" }).ok());
    QTRY_VERIFY(!vps->isListening());
    QVERIFY(!listening.at(0).at(0).toBool());
    auto sent = desktop->publishStop(QStringLiteral("stop while you were away"));
    QVERIFY2(sent.ok(), Test::describe(sent));
    QTRY_VERIFY_WITH_TIMEOUT(vps->isListening(), 3000);
    QTRY_COMPARE_WITH_TIMEOUT(atVps.count(), 1, 3000);
    QCOMPARE(atVps.at(0).at(0).value<StopMessage>().id, sent->id);
    QTest::qWait(300);
    QCOMPARE(atVps.count(), 1);
}

void TestStopChannel::resubscribesAfterRedisRestart()
{
    auto desktop = channel(QStringLiteral("desktop"));
    auto vps = channel(QStringLiteral("vps"));
    QSignalSpy atVps(vps.get(), &StopChannel::stopRequested);
    m_server.kill();
    QTRY_VERIFY_WITH_TIMEOUT(!vps->isListening(), 3000); // noticed by EOF or a missed PING
    QVERIFY(m_server.restart());
    QTRY_VERIFY_WITH_TIMEOUT(vps->isListening(), 3000);
    QTRY_VERIFY_WITH_TIMEOUT(desktop->isListening(), 3000);
    auto sent = desktop->publishStop(QStringLiteral("after restart"));
    QVERIFY2(sent.ok(), Test::describe(sent));
    QVERIFY(atVps.wait(1000));
}

void TestStopChannel::publishFailsClearlyWhenRedisIsDown()
{
    auto desktop = channel(QStringLiteral("desktop"));
    QSignalSpy failed(desktop.get(), &StopChannel::publishFailed);
    m_server.kill();
    desktop->requestStop(QStringLiteral("nobody will hear this"));
    QVERIFY(failed.wait(2000));
    QCOMPARE(failed.at(0).at(0).value<Error>().code, QStringLiteral("CoordinationUnavailable"));
    QVERIFY(m_server.restart());
}

void TestStopChannel::stopStaysInForceUntilRearmed()
{
    auto desktop = channel(QStringLiteral("desktop"));
    auto sent = desktop->publishStop(QStringLiteral("stop"));
    QVERIFY2(sent.ok(), Test::describe(sent));
    QCOMPARE(m_raw->command({ "PTTL", "vigil:stop:last" })->integer, -1); // never expires by itself

    // An instance started later: readStanding() sees the stop, and subscribing delivers it (once).
    StopChannelOptions options;
    options.reconnectIntervalMs = 200;
    options.pingIntervalMs = 200;
    StopChannel late(config(), identity(QStringLiteral("late")), Clock::system(), options);
    QSignalSpy atLate(&late, &StopChannel::stopRequested);
    QSignalSpy rearmAtLate(&late, &StopChannel::rearmRequested);
    auto standing = late.readStanding();
    QVERIFY2(standing.ok(), Test::describe(standing));
    QVERIFY(standing->stop.has_value());
    QCOMPARE(standing->stop->id, sent->id);
    QVERIFY(!standing->rearm.has_value());
    StopChannel later(config(), identity(QStringLiteral("later")), Clock::system(), options);
    QSignalSpy atLater(&later, &StopChannel::stopRequested); // never read it: the subscription delivers it
    later.start();
    QTRY_COMPARE_WITH_TIMEOUT(atLater.count(), 1, 2000);
    QCOMPARE(atLater.at(0).at(0).value<StopMessage>().id, sent->id);
    late.start();
    QTest::qWait(300);
    QCOMPARE(atLate.count(), 0); // already known through readStanding()

    auto rearm = desktop->publishRearm(QStringLiteral("re-armed"));
    QVERIFY2(rearm.ok(), Test::describe(rearm));
    QCOMPARE(rearm->rearms, sent->id);
    QTRY_COMPARE_WITH_TIMEOUT(rearmAtLate.count(), 1, 2000);
    QCOMPARE(m_raw->command({ "EXISTS", "vigil:stop:last" })->integer, 0);
    standing = late.readStanding();
    QVERIFY(standing.ok() && !standing->stop && standing->rearm && standing->rearm->rearms == sent->id);
}

void TestStopChannel::rearmKeepsANewerStop()
{
    auto desktop = channel(QStringLiteral("desktop"));
    auto first = desktop->publishStop(QStringLiteral("first"));
    QVERIFY2(first.ok(), Test::describe(first));
    // A stop this channel has not heard of yet (written straight into Redis, as if just published elsewhere).
    StopMessage newer;
    newer.id = QStringLiteral("newer-stop");
    newer.origin = identity(QStringLiteral("vps"));
    newer.reason = QStringLiteral("second");
    newer.timeMs = 1;
    QVERIFY(m_raw->command({ "SET", "vigil:stop:last", newer.toPayload() }).ok());
    auto rearm = desktop->publishRearm(QStringLiteral("re-armed"));
    QVERIFY(!rearm.ok());
    QCOMPARE(rearm.error().code, QStringLiteral("NewerStop"));
    QCOMPARE(m_raw->command({ "EXISTS", "vigil:stop:last" })->integer, 1);
}

void TestStopChannel::payloadRoundTrip()
{
    StopMessage m;
    m.id = QStringLiteral("id-1");
    m.origin = identity(QStringLiteral("x"));
    m.reason = QStringLiteral("daily loss limit");
    m.timeMs = 1'700'000'000'123;
    const StopMessage back = StopMessage::fromPayload(m.toPayload());
    QVERIFY(!back.malformed);
    QCOMPARE(back.id, m.id);
    QCOMPARE(back.origin, m.origin);
    QCOMPARE(back.reason, m.reason);
    QCOMPARE(back.timeMs, m.timeMs);
    StopMessage r;
    r.kind = StopMessage::Kind::Rearm;
    r.id = QStringLiteral("id-2");
    r.reason = QStringLiteral("re-armed");
    r.rearms = m.id;
    const StopMessage rBack = StopMessage::fromPayload(r.toPayload());
    QVERIFY(!rBack.malformed);
    QCOMPARE(rBack.kind, StopMessage::Kind::Rearm);
    QCOMPARE(rBack.rearms, m.id);
    QVERIFY(StopMessage::fromPayload(R"({"type":"other","reason":"x"})").malformed);
    QVERIFY(StopMessage::fromPayload(R"({"type":"stop_all"})").malformed);
    QVERIFY(StopMessage::fromPayload("").malformed);
}

QTEST_GUILESS_MAIN(TestStopChannel)
#include "tst_stopchannel.moc"
