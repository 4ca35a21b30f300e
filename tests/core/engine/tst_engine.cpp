// SPDX-License-Identifier: GPL-3.0-or-later
// The engine end to end in paper mode: real threads, the embedded simulator on loopback, SQLite journal.
#include <atomic>
#include <memory>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "engine/engine.h"
#include "risk/tradinggate.h"
#include "sim/faultinjector.h"
#include "sim/simserver.h"
#include "sim/simstats.h"
#include "store/journal.h"
#include "support/enginesimstats.h"

using namespace Vigil;

namespace {

using Test::simStats;

QJsonObject bot(const QString &id, const QJsonObject &strategy)
{
    return QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("account"), QStringLiteral("demo")},
                       {QStringLiteral("strategy"), strategy}};
}

QJsonObject strategy(const char *symbol, const char *type, int duration, const char *unit, const char *stake = "1.00")
{
    return QJsonObject{{QStringLiteral("symbol"), QString::fromLatin1(symbol)},
                       {QStringLiteral("contract_type"), QString::fromLatin1(type)},
                       {QStringLiteral("duration"), duration},
                       {QStringLiteral("duration_unit"), QString::fromLatin1(unit)},
                       {QStringLiteral("stake"), QString::fromLatin1(stake)}};
}

EngineConfig config(const QJsonObject &limits, const QJsonArray &bots)
{
    const QJsonObject doc{{QStringLiteral("accounts"),
                           QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("demo")},
                                                  {QStringLiteral("token"), QJsonObject{{QStringLiteral("demo"), true}}},
                                                  {QStringLiteral("limits"), limits}}}},
                          {QStringLiteral("bots"), bots}};
    Result<EngineConfig> c = EngineConfig::fromJson(doc);
    if (!c.ok())
        qFatal("bad test config: %s", qPrintable(c.error().message));
    return c.value();
}

Engine::Options options(const QString &dataDir, double timeScale)
{
    Engine::Options o;
    o.dataDir = dataDir;
    o.instanceId = QStringLiteral("test");
    o.simTimeScale = timeScale;
    o.simSeed = 42;
    return o;
}

int countEvents(const QSignalSpy &spy, EngineEvent::Kind kind)
{
    int n = 0;
    for (const QList<QVariant> &args : spy)
        n += args.at(0).value<EngineEvent>().kind == kind ? 1 : 0;
    return n;
}

int countEventsMentioning(const QSignalSpy &spy, EngineEvent::Kind kind, const QString &text)
{
    int n = 0;
    for (const QList<QVariant> &args : spy) {
        const EngineEvent e = args.at(0).value<EngineEvent>();
        n += e.kind == kind && e.message.contains(text) ? 1 : 0;
    }
    return n;
}

// Makes the simulator refuse the next tick subscription with `code`, then drops every connection: the
// account's tick stream is re-created on the new socket and meets the error.
void failNextTickStreamAfterADrop(Engine &engine, const QString &code, const QString &message)
{
    engine.withSimulator([code, message](Sim::SimServer &sim) {
        sim.faults().failCall(QStringLiteral("ticks"), code, message, 1);
        sim.faults().dropNow();
    });
}

void stopEngine(Engine &engine)
{
    QSignalSpy stopped(&engine, &Engine::stopped);
    engine.stop();
    QVERIFY(stopped.wait(20000));
}

} // namespace

class TestEngine final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void paperTradesAreJournaled();
    void tenBotsRaceForTheLastSlot();
    void dailyLossSurvivesRestart();
    void emergencyStopSellsEverythingAndBuysNothingAfter();
    void emergencyStopWaitsForABuyOnTheWire();
    void emergencyStopSellsAContractOnceItBecomesSellable();
    void reArmingEndsTheLateSale();
    void revokingATokenClosesEverySession();
    void failedTickStreamIsSubscribedAgain();
    void invalidSymbolHaltsItsBots();
    void stopAlwaysEndsWithStopped();
    void concurrentOpenLimitMakesBotsWait();
    void haltedBotsStartOnlyAfterRearm();

private:
    void openAContractNotSellableYet(Engine &engine, QSignalSpy &events, int refusals);
};

void TestEngine::initTestCase()
{
    qRegisterMetaType<EngineEvent>();
    qRegisterMetaType<AccountSnapshot>();
    qRegisterMetaType<EmergencyStopReport>();
}

void TestEngine::paperTradesAreJournaled()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path(), 20));
    QSignalSpy events(&engine, &Engine::eventRaised);
    QVERIFY(engine.start(EngineConfig::paperDefault()).ok());
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::TradeClosed) >= 4, 60000);
    // The simulator's demo token has every scope; a new user is not told to swap it for a trade-only one.
    QCOMPARE(countEventsMentioning(events, EngineEvent::Kind::General, QStringLiteral("trade-only token")), 0);
    stopEngine(engine);

    JournalConfig jc;
    jc.url = dir.filePath(QStringLiteral("journal.db"));
    auto journal = Journal::open(jc);
    QVERIFY(journal.ok());
    TradeFilter all;
    Result<QList<Trade>> trades = journal.value()->trades(all);
    QVERIFY(trades.ok());
    int settled = 0;
    for (const Trade &t : trades.value()) {
        QVERIFY(t.status != TradeStatus::Pending && t.status != TradeStatus::Unknown);
        if (isSettledStatus(t.status)) {
            ++settled;
            QVERIFY(t.contractId > 0);
            QVERIFY(t.profit.has_value());
            QCOMPARE(*t.profit, *t.sellPrice - *t.buyPrice);
        }
    }
    QVERIFY(settled >= 4);
    QCOMPARE(journal.value()->integrityCheck().value(), QStringLiteral("ok"));
}

void TestEngine::tenBotsRaceForTheLastSlot()
{
    QTemporaryDir dir;
    QJsonArray bots;
    for (int i = 0; i < 10; ++i)
        bots.append(bot(QStringLiteral("racer-%1").arg(i), strategy(i % 2 ? "1HZ100V" : "R_100", "CALL", 5, "t")));
    // One trade left for the day: the first bot to reserve it trades, nine are refused by the ledger.
    Engine engine(options(dir.path(), 10));
    QSignalSpy events(&engine, &Engine::eventRaised);
    QSignalSpy snapshots(&engine, &Engine::accountUpdated);
    QVERIFY(engine.start(config(QJsonObject{{QStringLiteral("max_trades_per_day"), 1}}, bots)).ok());
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::LimitReached) >= 1, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::TradeClosed) >= 1, 30000);
    QTest::qWait(2000); // give any wrongly admitted buy time to reach the simulator

    const Sim::SimStats stats = simStats(engine);
    QCOMPARE(stats.accounts.size(), qsizetype(1));
    QCOMPARE(stats.accounts.first().buysReceived, 1);
    QCOMPARE(stats.accounts.first().maxBuysInFlight, 1);

    // Every bot ends halted by the limit, named.
    QTRY_VERIFY_WITH_TIMEOUT(!snapshots.isEmpty(), 5000);
    const AccountSnapshot last = snapshots.last().at(0).value<AccountSnapshot>();
    QCOMPARE(last.bots.size(), 10);
    for (const BotSnapshot &b : last.bots) {
        QCOMPARE(b.state, BotState::Halted);
        QCOMPARE(b.reason.halt, HaltReason::Limit);
    }
    QCOMPARE(last.limits.tradesToday, 1);
    stopEngine(engine);
}

void TestEngine::dailyLossSurvivesRestart()
{
    QTemporaryDir dir;
    const QJsonObject limits{{QStringLiteral("daily_loss"), QStringLiteral("2.00")}};
    // A digit match wins one time in ten: the bot loses its way to the daily-loss limit long before it could
    // reach any other limit (a Rise/Fall bot on a lucky run once hit the trades-per-day limit first).
    QJsonObject digitMatch = strategy("1HZ100V", "DIGITMATCH", 1, "t");
    digitMatch.insert(QStringLiteral("barrier"), 7);
    const QJsonArray bots{bot(QStringLiteral("loser"), digitMatch)};
    int buysFirstRun = 0;
    {
        Engine engine(options(dir.path(), 20));
        QSignalSpy events(&engine, &Engine::eventRaised);
        QVERIFY(engine.start(config(limits, bots)).ok());
        // Trades until the worst-case loss would pass 2.00, then the ledger halts the bot.
        QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::LimitReached) >= 1, 90000);
        QVERIFY(countEventsMentioning(events, EngineEvent::Kind::LimitReached, QStringLiteral("loss")) >= 1);
        buysFirstRun = simStats(engine).accounts.first().buysReceived;
        QVERIFY(buysFirstRun >= 2);
        stopEngine(engine);
    }
    // The journal holds the day's losses; a fresh process (fresh simulator, same login id) must not trade.
    JournalConfig jc;
    jc.url = dir.filePath(QStringLiteral("journal.db"));
    {
        auto journal = Journal::open(jc);
        QVERIFY(journal.ok());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        Result<DailyUsage> usage = journal.value()->dailyUsage(QStringLiteral("VRTC1000001"), utcDayStartMs(now),
                                                                 utcDayStartMs(now) + 86'400'000);
        QVERIFY(usage.ok());
        QVERIFY2(usage->realizedProfit.minor() <= -100, qPrintable(usage->realizedProfit.toString()));
    }
    Engine again(options(dir.path(), 20));
    QSignalSpy events(&again, &Engine::eventRaised);
    QVERIFY(again.start(config(limits, bots)).ok());
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::LimitReached) >= 1, 30000);
    QTest::qWait(1500);
    QCOMPARE(simStats(again).accounts.first().buysReceived, 0);
    stopEngine(again);
}

void TestEngine::emergencyStopSellsEverythingAndBuysNothingAfter()
{
    QTemporaryDir dir;
    QJsonArray bots;
    // 50 bots, each holding one 3-minute Rise/Fall contract (resellable after the entry tick): 50 open at once.
    for (int i = 0; i < 50; ++i)
        bots.append(bot(QStringLiteral("holder-%1").arg(i), strategy(i % 2 ? "R_100" : "1HZ100V", i % 3 ? "CALL" : "PUT", 3, "m")));
    Engine engine(options(dir.path(), 2));
    QSignalSpy snapshots(&engine, &Engine::accountUpdated);
    QSignalSpy reports(&engine, &Engine::emergencyStopFinished);
    const QJsonObject limits{{QStringLiteral("max_concurrent_open"), 60}, {QStringLiteral("max_trades_per_day"), 500}};
    QVERIFY(engine.start(config(limits, bots)).ok());
    engine.withSimulator([](Sim::SimServer &sim) { sim.setRateLimitsEnabled(false); });
    QTRY_VERIFY_WITH_TIMEOUT(!snapshots.isEmpty() && snapshots.last().at(0).value<AccountSnapshot>().openContracts >= 50, 90000);
    QTest::qWait(3000); // past the entry tick of every contract

    engine.emergencyStop();
    // The gate is closed when emergencyStop() returns: no buy may pass any more.
    QCOMPARE(engine.gate().globalState(), GateState::Halted);
    QVERIFY(reports.wait(30000));
    const EmergencyStopReport report = reports.first().at(0).value<EmergencyStopReport>();
    QVERIFY2(report.sold.size() + report.unsellable.size() + report.alreadyClosed.size() >= 50, qPrintable(report.summary()));
    QVERIFY2(report.failed.isEmpty(), qPrintable(report.summary()));
    QVERIFY2(report.verifiedFlat, qPrintable(report.summary()));

    const int buysAtReport = simStats(engine).accounts.first().buysReceived;
    QTest::qWait(3000);
    const Sim::SimStats later = simStats(engine);
    QCOMPARE(later.accounts.first().buysReceived, buysAtReport);
    QCOMPARE(later.accounts.first().openContracts, int(report.unsellable.size()));

    // The bots are halted by the kill switch, and stay so until re-armed.
    // The spy may be empty for a moment (snapshots come at most ~10 times a second): never read last() of nothing.
    QTRY_VERIFY_WITH_TIMEOUT(!snapshots.isEmpty() && !snapshots.last().at(0).value<AccountSnapshot>().bots.isEmpty()
                                 && snapshots.last().at(0).value<AccountSnapshot>().bots.first().state == BotState::Halted,
                             5000);
    const AccountSnapshot s = snapshots.last().at(0).value<AccountSnapshot>();
    for (const BotSnapshot &b : s.bots)
        QCOMPARE(b.reason.halt, HaltReason::KillSwitch);

    // A second stop is harmless: nothing left to sell.
    reports.clear();
    engine.emergencyStop();
    QVERIFY(reports.wait(30000));
    QCOMPARE(reports.first().at(0).value<EmergencyStopReport>().sold.size(), 0);
    stopEngine(engine);
}

// A buy on the wire when the kill switch closes the gate makes its contract only when it is answered: the stop
// waits for it and sells (or reports) that contract, instead of calling the account flat and leaving it open.
void TestEngine::emergencyStopWaitsForABuyOnTheWire()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path(), 1));
    QSignalSpy reports(&engine, &Engine::emergencyStopFinished);
    QJsonArray bots;
    bots.append(bot(QStringLiteral("late"), strategy("R_100", "CALL", 3, "m")));
    QVERIFY(engine.start(config({}, bots)).ok());
    engine.withSimulator([](Sim::SimServer &sim) {
        sim.setRateLimitsEnabled(false);
        sim.faults().setBuyProcessingDelay(3000); // each buy executes 3 s after it arrives
    });
    const auto buyOnTheWire = [&engine] {
        const Sim::SimStats stats = simStats(engine);
        return !stats.accounts.isEmpty() && stats.accounts.first().buysReceived > stats.accounts.first().buysCompleted;
    };
    QTRY_VERIFY_WITH_TIMEOUT(buyOnTheWire(), 60000);
    engine.emergencyStop();
    QVERIFY(reports.wait(60000));
    const EmergencyStopReport report = reports.first().at(0).value<EmergencyStopReport>();
    const Sim::SimStats server = simStats(engine);
    QCOMPARE(server.accounts.first().buysCompleted, server.accounts.first().buysReceived); // the late buy executed
    QVERIFY2(server.accounts.first().buysCompleted >= 1, qPrintable(report.summary()));
    // Every contract the server made is sold, or reported as not sellable yet; none is left unmentioned.
    QVERIFY2(report.sold.size() + report.unsellable.size() + report.alreadyClosed.size() >= 1, qPrintable(report.summary()));
    QCOMPARE(server.accounts.first().openContracts, int(report.unsellable.size()));
    QCOMPARE(report.buysInFlight, 0);
    QVERIFY2(report.verifiedFlat || !report.unsellable.isEmpty(), qPrintable(report.summary()));
    stopEngine(engine);
}

void TestEngine::openAContractNotSellableYet(Engine &engine, QSignalSpy &events, int refusals)
{
    // One bot, 10-minute contracts; once it holds one, the server refuses the next `refusals` sells as "not valid to
    // sell" (as while it waits for the entry tick).
    QJsonArray bots;
    bots.append(bot(QStringLiteral("held"), strategy("R_100", "CALL", 10, "m")));
    QVERIFY(engine.start(config({}, bots)).ok());
    engine.withSimulator([](Sim::SimServer &sim) { sim.setRateLimitsEnabled(false); });
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::TradeOpened) >= 1, 60000);
    engine.withSimulator([refusals](Sim::SimServer &sim) {
        sim.faults().failCall(QStringLiteral("sell"), QStringLiteral("InvalidtoSell"),
                              QStringLiteral("Contract is not yet valid for sale, waiting for entry tick."), refusals);
    });
}

void TestEngine::emergencyStopSellsAContractOnceItBecomesSellable()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path(), 1));
    QSignalSpy reports(&engine, &Engine::emergencyStopFinished);
    QSignalSpy events(&engine, &Engine::eventRaised);
    openAContractNotSellableYet(engine, events, 3);
    if (QTest::currentTestFailed())
        return;
    engine.emergencyStop();
    QVERIFY(reports.wait(60000));
    const EmergencyStopReport report = reports.first().at(0).value<EmergencyStopReport>();
    QVERIFY2(!report.unsellable.isEmpty(), qPrintable(report.summary()));
    QVERIFY(simStats(engine).accounts.first().openContracts >= 1);
    // Tried again every second after the report: sold once the server lets it go, long before its expiry.
    QTRY_COMPARE_WITH_TIMEOUT(simStats(engine).accounts.first().openContracts, 0, 20000);
    // The event follows the sell's reply (control thread → engine): it may land a moment after the server's count.
    QTRY_VERIFY_WITH_TIMEOUT(countEventsMentioning(events, EngineEvent::Kind::General, QStringLiteral("sold once it could be")) >= 1, 10000);
    stopEngine(engine);
}

// The trader re-arms trading while the kill switch still waits to sell a contract: from then on the contract is the
// trader's again (it runs to expiry); a sale the server would allow later must not happen.
void TestEngine::reArmingEndsTheLateSale()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path(), 1));
    QSignalSpy reports(&engine, &Engine::emergencyStopFinished);
    QSignalSpy events(&engine, &Engine::eventRaised);
    openAContractNotSellableYet(engine, events, 1'000'000);
    if (QTest::currentTestFailed())
        return;
    engine.emergencyStop();
    QVERIFY(reports.wait(60000));
    QVERIFY(!reports.first().at(0).value<EmergencyStopReport>().unsellable.isEmpty());
    QTest::qWait(1500); // the late sale is being tried every second
    const int open = simStats(engine).accounts.first().openContracts;
    QVERIFY(open >= 1);
    engine.rearm();
    QTest::qWait(300);
    engine.withSimulator([](Sim::SimServer &sim) { sim.faults().clear(); }); // the server would sell now
    QTest::qWait(4000);
    QVERIFY2(simStats(engine).accounts.first().openContracts >= open, "a contract was sold after the re-arm");
    QCOMPARE(countEventsMentioning(events, EngineEvent::Kind::General, QStringLiteral("sold once it could be")), 0);
    stopEngine(engine);
}

void TestEngine::revokingATokenClosesEverySession()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path(), 10));
    QSignalSpy events(&engine, &Engine::eventRaised);
    QSignalSpy revoked(&engine, &Engine::tokenRevoked);
    QSignalSpy snapshots(&engine, &Engine::accountUpdated);
    QVERIFY(engine.start(EngineConfig::paperDefault()).ok());
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::TradeOpened) >= 1, 60000);
    // The trading socket and the control socket are both authorized on the account.
    QTRY_VERIFY_WITH_TIMEOUT(simStats(engine).accounts.first().sessions == 2, 10000);

    QElapsedTimer timer;
    timer.start();
    engine.revokeToken(QStringLiteral("demo"), true);
    QVERIFY(revoked.wait(5000));
    QCOMPARE(revoked.first().at(0).toString(), QStringLiteral("demo"));
    // Every session using the token is closed within a second.
    int sessions = -1;
    while (timer.elapsed() < 1000) {
        sessions = simStats(engine).accounts.first().sessions;
        if (sessions == 0)
            break;
    }
    QCOMPARE(sessions, 0);
    const int buys = simStats(engine).accounts.first().buysReceived;
    // The spy may be empty for a moment (snapshots come at most ~10 times a second): never read last() of nothing.
    QTRY_VERIFY_WITH_TIMEOUT(!snapshots.isEmpty() && !snapshots.last().at(0).value<AccountSnapshot>().bots.isEmpty()
                                 && snapshots.last().at(0).value<AccountSnapshot>().bots.first().state == BotState::Halted,
                             5000);
    for (const BotSnapshot &b : snapshots.last().at(0).value<AccountSnapshot>().bots)
        QCOMPARE(b.reason.halt, HaltReason::TokenRevoked);
    QVERIFY(countEvents(events, EngineEvent::Kind::TokenRevoked) >= 1);
    QTest::qWait(2000); // no reconnect loop, no buy with the revoked token
    QCOMPARE(simStats(engine).accounts.first().sessions, 0);
    QCOMPARE(simStats(engine).accounts.first().buysReceived, buys);
    stopEngine(engine);
}

// Re-creating the tick stream after a drop fails once: the stream used to stay dead (the bot never traded
// again); it must be subscribed again (with backoff) and trading resume.
void TestEngine::failedTickStreamIsSubscribedAgain()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path(), 20));
    QSignalSpy events(&engine, &Engine::eventRaised);
    QVERIFY(engine.start(config({}, QJsonArray{bot(QStringLiteral("ticker"), strategy("R_100", "CALL", 5, "t"))})).ok());
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::TradeClosed) >= 1, 60000);
    failNextTickStreamAfterADrop(engine, QStringLiteral("InternalServerError"), QStringLiteral("scripted tick failure"));
    QTRY_VERIFY_WITH_TIMEOUT(countEventsMentioning(events, EngineEvent::Kind::General, QStringLiteral("tick stream for R_100")) >= 1,
                             60000);
    const int closedBefore = countEvents(events, EngineEvent::Kind::TradeClosed);
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::TradeClosed) >= closedBefore + 2, 90000);
    stopEngine(engine);
}

// A symbol the server refuses (the stream comes back InvalidSymbol after a reconnect) cannot be retried into
// working: the bots trading it halt with the server's message.
void TestEngine::invalidSymbolHaltsItsBots()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path(), 20));
    QSignalSpy events(&engine, &Engine::eventRaised);
    QSignalSpy snapshots(&engine, &Engine::accountUpdated);
    QVERIFY(engine.start(config({}, QJsonArray{bot(QStringLiteral("ticker"), strategy("R_100", "CALL", 5, "t"))})).ok());
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::TradeClosed) >= 1, 60000);
    failNextTickStreamAfterADrop(engine, QStringLiteral("InvalidSymbol"), QStringLiteral("Symbol R_100 invalid."));
    QTRY_VERIFY_WITH_TIMEOUT(countEventsMentioning(events, EngineEvent::Kind::General, QStringLiteral("refuses ticks for R_100")) == 1,
                             60000);
    QTRY_VERIFY_WITH_TIMEOUT(!snapshots.isEmpty()
                                 && snapshots.last().at(0).value<AccountSnapshot>().bots.first().state == BotState::Halted,
                             20000);
    const BotSnapshot b = snapshots.last().at(0).value<AccountSnapshot>().bots.first();
    QCOMPARE(b.reason.halt, HaltReason::Other);
    QCOMPARE(b.reason.code, QStringLiteral("InvalidSymbol"));
    QVERIFY(b.reason.text.contains(QStringLiteral("R_100")));
    stopEngine(engine);
}

// The concurrent-open limit clears itself when a contract settles: bots that meet it wait for a slot. They
// used to be halted (HaltReason::Limit) like at the trades-per-day limit, and never traded again.
void TestEngine::concurrentOpenLimitMakesBotsWait()
{
    QTemporaryDir dir;
    QJsonArray bots;
    for (int i = 0; i < 3; ++i)
        bots.append(bot(QStringLiteral("waiter-%1").arg(i), strategy("1HZ100V", "CALL", 1, "t")));
    Engine engine(options(dir.path(), 20));
    QSignalSpy events(&engine, &Engine::eventRaised);
    QSignalSpy snapshots(&engine, &Engine::accountUpdated);
    QVERIFY(engine.start(config(QJsonObject{{QStringLiteral("max_concurrent_open"), 1}}, bots)).ok());
    // Three bots share one slot: far more trades than one per bot means they waited and went on.
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::TradeClosed) >= 9, 90000);
    QCOMPARE(countEvents(events, EngineEvent::Kind::LimitReached), 0);
    QTRY_VERIFY_WITH_TIMEOUT(!snapshots.isEmpty(), 5000);
    for (const BotSnapshot &b : snapshots.last().at(0).value<AccountSnapshot>().bots)
        QVERIFY2(b.state == BotState::Running, qPrintable(b.id + QStringLiteral(": ") + b.reason.toString()));
    QCOMPARE(simStats(engine).accounts.first().maxOpenContracts, 1);
    stopEngine(engine);
}

QTEST_GUILESS_MAIN(TestEngine)

// Many account threads finishing close together: stopped() must come every time (it once depended on the
// order in which the threads ended and was sometimes never emitted).
// After the kill switch, Start / Resume of a halted bot is refused with a clear message (it would show "running"
// while the closed gate refuses every buy); re-arming starts it and it buys again.
void TestEngine::haltedBotsStartOnlyAfterRearm()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path(), 20));
    QSignalSpy snapshots(&engine, &Engine::accountUpdated);
    QSignalSpy events(&engine, &Engine::eventRaised);
    QSignalSpy reports(&engine, &Engine::emergencyStopFinished);
    QVERIFY(engine.start(config({}, {bot(QStringLiteral("b"), strategy("R_100", "CALL", 5, "t"))})).ok());
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::TradeOpened) >= 1, 60000);

    engine.emergencyStop();
    QVERIFY(reports.wait(30000));
    const auto botState = [&snapshots] {
        if (snapshots.isEmpty())
            return BotState::Failed;
        const AccountSnapshot s = snapshots.last().at(0).value<AccountSnapshot>();
        return s.bots.isEmpty() ? BotState::Failed : s.bots.first().state;
    };
    QTRY_COMPARE_WITH_TIMEOUT(botState(), BotState::Halted, 10000);
    const int buysAtStop = simStats(engine).accounts.first().buysReceived;

    engine.resumeBot(QStringLiteral("b"));
    engine.startBot(QStringLiteral("b"));
    QTRY_COMPARE_WITH_TIMEOUT(countEventsMentioning(events, EngineEvent::Kind::General, QStringLiteral("re-arm trading first")), 2, 10000);
    QTest::qWait(1500); // several ticks of R_100 at 20x
    QCOMPARE(botState(), BotState::Halted);
    QCOMPARE(simStats(engine).accounts.first().buysReceived, buysAtStop);

    engine.rearm();
    QTRY_COMPARE_WITH_TIMEOUT(botState(), BotState::Running, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(simStats(engine).accounts.first().buysReceived > buysAtStop, 30000);
    stopEngine(engine);
}

void TestEngine::stopAlwaysEndsWithStopped()
{
    QJsonArray accounts;
    QJsonArray bots;
    for (int i = 0; i < 8; ++i) {
        const QString id = QStringLiteral("demo-%1").arg(i);
        accounts.append(QJsonObject{{QStringLiteral("id"), id},
                                    {QStringLiteral("token"), QJsonObject{{QStringLiteral("demo"), true}}}});
        QJsonObject b = bot(QStringLiteral("bot-%1").arg(i), strategy(i % 2 ? "R_100" : "1HZ100V", "CALL", 1, "t"));
        b.insert(QStringLiteral("account"), id);
        bots.append(b);
    }
    Result<EngineConfig> c = EngineConfig::fromJson(QJsonObject{{QStringLiteral("accounts"), accounts},
                                                                {QStringLiteral("bots"), bots}});
    QVERIFY2(c.ok(), qPrintable(c.ok() ? QString() : c.error().message));
    for (int round = 0; round < 3; ++round) {
        QTemporaryDir dir;
        Engine engine(options(dir.path(), 20));
        QSignalSpy snapshots(&engine, &Engine::accountUpdated);
        QVERIFY(engine.start(c.value()).ok());
        QSet<QString> connected;
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
            for (const QList<QVariant> &args : std::as_const(snapshots)) {
                const AccountSnapshot s = args.at(0).value<AccountSnapshot>();
                if (s.connection == AccountSnapshot::Connection::Connected)
                    connected.insert(s.id);
            }
            return connected.size() == 8;
        }()), 60000);
        stopEngine(engine);
        QVERIFY(!engine.isRunning());
    }
}

#include "tst_engine.moc"
