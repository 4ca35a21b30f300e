// SPDX-License-Identifier: GPL-3.0-or-later
// The emergency stop stays in force across instance starts until re-armed: on one machine through the stop file
// in the data directory, across instances through Redis (label "redis": VIGIL_TEST_REDIS_URL, else a throw-away
// redis-server; skipped without either). Paper engines in this process, each with its own simulator.
#include <memory>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include "coordination/redisconfig.h"
#include "coordination/redisconnection.h"
#include "engine/engine.h"
#include "risk/tradinggate.h"
#include "support/enginesimstats.h"
#include "support/redisserver.h"

using namespace Vigil;

namespace {

EngineConfig config(const QString &redisUrl = {})
{
    const QJsonObject strategy{{QStringLiteral("symbol"), QStringLiteral("R_100")},
                               {QStringLiteral("contract_type"), QStringLiteral("CALL")},
                               {QStringLiteral("duration"), 5},
                               {QStringLiteral("duration_unit"), QStringLiteral("t")},
                               {QStringLiteral("stake"), QStringLiteral("1.00")}};
    QJsonObject doc{{QStringLiteral("accounts"),
                     QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("demo")},
                                            {QStringLiteral("token"), QJsonObject{{QStringLiteral("demo"), true}}}}}},
                    {QStringLiteral("bots"),
                     QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("b")},
                                            {QStringLiteral("account"), QStringLiteral("demo")},
                                            {QStringLiteral("strategy"), strategy}}}}};
    if (!redisUrl.isEmpty())
        doc.insert(QStringLiteral("redis"), redisUrl);
    Result<EngineConfig> c = EngineConfig::fromJson(doc);
    if (!c.ok())
        qFatal("bad test config: %s", qPrintable(c.error().message));
    return c.value();
}

Engine::Options options(const QString &dataDir, const QString &instance)
{
    Engine::Options o;
    o.dataDir = dataDir;
    o.instanceId = instance;
    o.simTimeScale = 20;
    o.simSeed = 7;
    return o;
}

int tradesOpened(const QSignalSpy &events)
{
    int n = 0;
    for (const QList<QVariant> &args : events)
        n += args.at(0).value<EngineEvent>().kind == EngineEvent::Kind::TradeOpened ? 1 : 0;
    return n;
}

void stopEngine(Engine &engine)
{
    QSignalSpy stopped(&engine, &Engine::stopped);
    engine.stop();
    QVERIFY(stopped.wait(20000));
}

// Starts a paper engine and checks it trades.
void startAndTrade(Engine &engine, const EngineConfig &config, QSignalSpy &events)
{
    QVERIFY(engine.start(config).ok());
    QCOMPARE(engine.gate().globalState(), GateState::Active);
    QTRY_VERIFY_WITH_TIMEOUT(tradesOpened(events) >= 1, 60000);
}

// Starts a paper engine that must come up halted by a stop still in force and send no buy.
void startHalted(Engine &engine, const EngineConfig &config, QSignalSpy &events, const QString &stoppedBy)
{
    QVERIFY(engine.start(config).ok());
    // Halted before any account is launched (a stop kept here: when start() returns; one only Redis knows: once
    // the coordination thread has read it, accounts waiting for that).
    QTRY_COMPARE_WITH_TIMEOUT(engine.gate().globalState(), GateState::Halted, 5000);
    const QString reason = engine.gate().globalReason();
    QVERIFY2(reason.contains(QStringLiteral("emergency stop by instance ") + stoppedBy), qPrintable(reason));
    QVERIFY2(reason.contains(QStringLiteral("still in force: re-arm to trade")), qPrintable(reason));
    QSignalSpy snapshots(&engine, &Engine::accountUpdated);
    QTRY_VERIFY_WITH_TIMEOUT(!snapshots.isEmpty() && snapshots.last().at(0).value<AccountSnapshot>().reconciled, 30000);
    QTest::qWait(3000); // many R_100 ticks at 20x: a bot that could buy would have
    QCOMPARE(tradesOpened(events), 0);
    QCOMPARE(Test::simStats(engine).accounts.first().buysReceived, 0);
    // Started under the stop, not running one: no emergency-stop run of its own (the stop channel replays the stop
    // in force while the instance starts).
    for (const QList<QVariant> &args : events)
        QVERIFY2(args.at(0).value<EngineEvent>().kind != EngineEvent::Kind::EmergencyStopFinished,
                 qPrintable(args.at(0).value<EngineEvent>().message));
    const AccountSnapshot s = snapshots.last().at(0).value<AccountSnapshot>();
    QCOMPARE(s.gate, QStringLiteral("halted"));
    QVERIFY(!s.bots.isEmpty());
    QCOMPARE(s.bots.first().state, BotState::Halted);
}

} // namespace

class TestStickyStop final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void stopSurvivesRestartWithoutRedis();
    void stopIsInForceForInstancesStartedLater();
    void startNeverWaitsForRedis();

private:
    Test::RedisServer m_server; // only when VIGIL_TEST_REDIS_URL is not set
};

void TestStickyStop::initTestCase()
{
    qRegisterMetaType<EngineEvent>();
    qRegisterMetaType<AccountSnapshot>();
    qRegisterMetaType<EmergencyStopReport>();
}

void TestStickyStop::stopSurvivesRestartWithoutRedis()
{
    QTemporaryDir dir;
    {
        Engine a(options(dir.path(), QStringLiteral("solo")));
        QSignalSpy events(&a, &Engine::eventRaised);
        QSignalSpy reports(&a, &Engine::emergencyStopFinished);
        startAndTrade(a, config(), events);
        if (QTest::currentTestFailed())
            return;
        a.emergencyStop();
        QVERIFY(reports.wait(30000));
        stopEngine(a);
        if (QTest::currentTestFailed())
            return;
    }
    {
        // The same instance restarted (a supervisor, a crash): still halted.
        Engine again(options(dir.path(), QStringLiteral("solo")));
        QSignalSpy events(&again, &Engine::eventRaised);
        startHalted(again, config(), events, QStringLiteral("solo"));
        if (QTest::currentTestFailed())
            return;
        again.rearm();
        QCOMPARE(again.gate().globalState(), GateState::Active);
        stopEngine(again);
        if (QTest::currentTestFailed())
            return;
    }
    {
        // Re-armed: the next start trades.
        Engine rearmed(options(dir.path(), QStringLiteral("solo")));
        QSignalSpy events(&rearmed, &Engine::eventRaised);
        startAndTrade(rearmed, config(), events);
        if (QTest::currentTestFailed())
            return;
        stopEngine(rearmed);
    }
}

void TestStickyStop::stopIsInForceForInstancesStartedLater()
{
    QString url = qEnvironmentVariable("VIGIL_TEST_REDIS_URL");
    if (url.isEmpty()) {
        if (Test::RedisServer::executable().isEmpty())
            QSKIP("no Redis: set VIGIL_TEST_REDIS_URL or install redis-server");
        QVERIFY2(m_server.start(), "redis-server did not start on a loopback port");
        url = m_server.url();
    }
    RedisConnection raw(RedisConfig::fromUrl(url).value());
    QVERIFY(raw.command({"DEL", "vigil:stop:last", "vigil:stop:rearmed"}).ok());
    auto stopInForce = [&raw] {
        const Result<RedisReply> r = raw.command({"EXISTS", "vigil:stop:last"});
        return r.ok() && r->integer == 1;
    };

    // Every instance has a data directory of its own: only Redis carries the stop between them.
    QTemporaryDir dirA, dirB, dirC;
    Engine a(options(dirA.path(), QStringLiteral("sticky-a")));
    QSignalSpy eventsA(&a, &Engine::eventRaised);
    QSignalSpy reportsA(&a, &Engine::emergencyStopFinished);
    startAndTrade(a, config(url), eventsA);
    if (QTest::currentTestFailed())
        return;
    a.emergencyStop();
    QVERIFY(reportsA.wait(30000));
    QTRY_VERIFY_WITH_TIMEOUT(stopInForce(), 5000);
    const Result<RedisReply> ttl = raw.command({"PTTL", "vigil:stop:last"});
    QVERIFY(ttl.ok());
    QCOMPARE(ttl->integer, -1); // no expiry: in force until re-armed

    {
        // Started after the stop, by a supervisor or by hand: halted, no buy.
        Engine b(options(dirB.path(), QStringLiteral("sticky-b")));
        QSignalSpy eventsB(&b, &Engine::eventRaised);
        startHalted(b, config(url), eventsB, QStringLiteral("sticky-a"));
        if (QTest::currentTestFailed())
            return;

        // Re-armed at A: the shared stop is lifted, and B (halted by it) re-arms too.
        a.rearm();
        QTRY_VERIFY_WITH_TIMEOUT(!stopInForce(), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(b.gate().globalState(), GateState::Active, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(tradesOpened(eventsB) >= 1, 60000);
        stopEngine(b);
        if (QTest::currentTestFailed())
            return;
    }
    {
        // Started after the re-arm: trades.
        Engine c(options(dirC.path(), QStringLiteral("sticky-c")));
        QSignalSpy eventsC(&c, &Engine::eventRaised);
        startAndTrade(c, config(url), eventsC);
        if (QTest::currentTestFailed())
            return;
        stopEngine(c);
        if (QTest::currentTestFailed())
            return;
    }
    stopEngine(a);
}

void TestStickyStop::startNeverWaitsForRedis()
{
    // A "Redis" that accepts connections and never answers (a hung server, a half-open firewall): every command
    // takes its whole timeout. start() runs on the GUI thread and must not wait for it.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    QList<QTcpSocket *> held;
    connect(&silent, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *c = silent.nextPendingConnection())
            held << c;
    });
    QTemporaryDir dir;
    Engine engine(options(dir.path(), QStringLiteral("silent-redis")));
    QSignalSpy events(&engine, &Engine::eventRaised);
    QSignalSpy snapshots(&engine, &Engine::accountUpdated);
    QElapsedTimer timer;
    timer.start();
    QVERIFY(engine.start(config(QStringLiteral("redis://127.0.0.1:%1").arg(silent.serverPort()))).ok());
    const qint64 startMs = timer.elapsed();
    qInfo() << "start() returned after" << startMs << "ms";
    QVERIFY2(startMs < 300, qPrintable(QStringLiteral("start() blocked %1 ms on a silent Redis").arg(startMs)));
    // The accounts come up once the stop state could not be read; no buy without coordination.
    QTRY_VERIFY_WITH_TIMEOUT(!snapshots.isEmpty(), 30000);
    QTest::qWait(2000);
    QCOMPARE(tradesOpened(events), 0);
    stopEngine(engine);
    qDeleteAll(held);
}

QTEST_GUILESS_MAIN(TestStickyStop)
#include "tst_stickystop.moc"
