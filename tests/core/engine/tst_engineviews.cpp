// SPDX-License-Identifier: GPL-3.0-or-later
// What the console asks of the engine besides snapshots and events: trades from the journal, a batched tick
// stream, runtime bot changes. Paper mode on the embedded simulator with a high time scale, real threads.
#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>

#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "engine/engine.h"
#include "support/enginesimstats.h"
#include "sim/simserver.h"
#include "sim/simstats.h"
#include "store/journal.h"

using namespace Vigil;

namespace {

using Test::simStats;

QJsonObject strategy(const char *symbol, const char *stake, int duration, const char *unit)
{
    return QJsonObject{{QStringLiteral("symbol"), QString::fromLatin1(symbol)},
                       {QStringLiteral("contract_type"), QStringLiteral("CALL")},
                       {QStringLiteral("duration"), duration},
                       {QStringLiteral("duration_unit"), QString::fromLatin1(unit)},
                       {QStringLiteral("stake"), QString::fromLatin1(stake)}};
}

BotConfig botConfig(const char *id, const char *symbol, const char *stake, int duration = 5, const char *unit = "t")
{
    Result<BotConfig> b = BotConfig::fromJson(QJsonObject{{QStringLiteral("id"), QString::fromLatin1(id)},
                                                          {QStringLiteral("account"), QStringLiteral("demo")},
                                                          {QStringLiteral("strategy"), strategy(symbol, stake, duration, unit)}},
                                              QStringLiteral("bot"));
    if (!b.ok())
        qFatal("bad test bot: %s", qPrintable(b.error().message));
    return b.value();
}

EngineConfig config(const QList<BotConfig> &bots)
{
    QJsonArray list;
    for (const BotConfig &b : bots)
        list.append(b.toJson());
    const QJsonObject doc{{QStringLiteral("accounts"),
                           QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("demo")},
                                                  {QStringLiteral("token"), QJsonObject{{QStringLiteral("demo"), true}}}}}},
                          {QStringLiteral("bots"), list}};
    Result<EngineConfig> c = EngineConfig::fromJson(doc);
    if (!c.ok())
        qFatal("bad test config: %s", qPrintable(c.error().message));
    return c.value();
}

Engine::Options options(const QString &dataDir)
{
    Engine::Options o;
    o.dataDir = dataDir;
    o.instanceId = QStringLiteral("views");
    o.simTimeScale = 20;
    o.simSeed = 7;
    return o;
}

int countEvents(const QSignalSpy &spy, EngineEvent::Kind kind, const QString &bot = {})
{
    int n = 0;
    for (const QList<QVariant> &args : spy) {
        const EngineEvent e = args.at(0).value<EngineEvent>();
        n += e.kind == kind && (bot.isEmpty() || e.bot == bot) ? 1 : 0;
    }
    return n;
}

std::optional<BotSnapshot> lastBot(const QSignalSpy &snapshots, const QString &botId)
{
    for (qsizetype i = snapshots.size() - 1; i >= 0; --i) {
        for (const BotSnapshot &b : snapshots.at(i).at(0).value<AccountSnapshot>().bots) {
            if (b.id == botId)
                return b;
        }
    }
    return std::nullopt;
}

void stopEngine(Engine &engine)
{
    QSignalSpy stopped(&engine, &Engine::stopped);
    engine.stop();
    QVERIFY(stopped.wait(30000));
}

// Collects one queryTrades answer.
struct TradesAnswer
{
    bool arrived = false;
    bool onCallerThread = false;
    Result<QList<Trade>> result = Error::make(ErrorKind::Internal, QStringLiteral("NoAnswer"), QStringLiteral("no answer"));
};

std::shared_ptr<TradesAnswer> ask(Engine &engine, const TradeFilter &filter, QObject *context)
{
    auto answer = std::make_shared<TradesAnswer>();
    QThread *caller = QThread::currentThread();
    engine.queryTrades(filter, context, [answer, caller](Result<QList<Trade>> r) {
        answer->arrived = true;
        answer->onCallerThread = QThread::currentThread() == caller;
        answer->result = std::move(r);
    });
    return answer;
}

} // namespace

class TestEngineViews final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void queryTradesReadsTheJournalWithFilters();
    void queryTradesBeforeStartIsAnError();
    void ticksArriveBatchedUntilUnwatched();
    void tradeEventsCarryEntryAndExit();
    void addBotStartsTradingWithoutRestart();
    void removeBotWithAnOpenContractIsRefused();
    void updateBotChangesTheNextStake();
};

void TestEngineViews::initTestCase()
{
    qRegisterMetaType<EngineEvent>();
    qRegisterMetaType<AccountSnapshot>();
}

void TestEngineViews::queryTradesReadsTheJournalWithFilters()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path()));
    QSignalSpy events(&engine, &Engine::eventRaised);
    QSignalSpy snapshots(&engine, &Engine::accountUpdated);
    QVERIFY(engine.start(config({botConfig("a", "R_100", "1.00"), botConfig("b", "R_50", "2.00")})).ok());
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::TradeClosed, QStringLiteral("a")) >= 2
                                 && countEvents(events, EngineEvent::Kind::TradeClosed, QStringLiteral("b")) >= 2, 120000);
    // Flat and still: the journal cannot change between the two reads compared below.
    engine.stopBot(QStringLiteral("a"));
    engine.stopBot(QStringLiteral("b"));
    QTRY_VERIFY_WITH_TIMEOUT(lastBot(snapshots, QStringLiteral("a")) && lastBot(snapshots, QStringLiteral("a"))->state == BotState::Stopped
                                 && lastBot(snapshots, QStringLiteral("b")) && lastBot(snapshots, QStringLiteral("b"))->state == BotState::Stopped,
                             60000);

    JournalConfig jc;
    jc.url = dir.filePath(QStringLiteral("journal.db"));
    auto journal = Journal::open(jc);
    QVERIFY(journal.ok());

    QObject context;
    // Everything.
    auto all = ask(engine, TradeFilter{}, &context);
    QVERIFY2(!all->arrived, "the answer must not come back inside the call");
    QTRY_VERIFY_WITH_TIMEOUT(all->arrived, 20000);
    QVERIFY(all->onCallerThread);
    QVERIFY2(all->result.ok(), qPrintable(all->result.ok() ? QString() : all->result.error().message));
    const Result<QList<Trade>> direct = journal.value()->trades(TradeFilter{});
    QVERIFY(direct.ok());
    QVERIFY(direct.value().size() >= 4);
    QCOMPARE(all->result.value().size(), direct.value().size());

    // One bot, settled ones only, newest first, at most 1.
    TradeFilter f;
    f.bot = QStringLiteral("b");
    f.statuses = {TradeStatus::Won, TradeStatus::Lost};
    auto someB = ask(engine, f, &context);
    f.newestFirst = true;
    f.limit = 1;
    auto newestB = ask(engine, f, &context);
    QTRY_VERIFY_WITH_TIMEOUT(someB->arrived && newestB->arrived, 20000);
    QVERIFY(someB->result.ok() && newestB->result.ok());
    QVERIFY(someB->result.value().size() >= 2);
    qint64 newest = 0;
    for (const Trade &t : someB->result.value()) {
        QCOMPARE(t.bot, QStringLiteral("b"));
        QVERIFY(t.status == TradeStatus::Won || t.status == TradeStatus::Lost);
        QCOMPARE(t.stake, Money::fromMinor(200));
        newest = std::max(newest, t.openedMs);
    }
    QCOMPARE(newestB->result.value().size(), 1);
    QCOMPARE(newestB->result.value().first().openedMs, newest);

    // An answer for a context that is gone is dropped, not delivered to a dangling object.
    auto gone = std::make_unique<QObject>();
    auto orphan = ask(engine, TradeFilter{}, gone.get());
    gone.reset();
    auto after = ask(engine, TradeFilter{}, &context);
    QTRY_VERIFY_WITH_TIMEOUT(after->arrived, 20000);
    QVERIFY(!orphan->arrived);
    stopEngine(engine);
}

void TestEngineViews::queryTradesBeforeStartIsAnError()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path()));
    QObject context;
    auto answer = ask(engine, TradeFilter{}, &context);
    QVERIFY(!answer->arrived);
    QTRY_VERIFY_WITH_TIMEOUT(answer->arrived, 5000);
    QVERIFY(!answer->result.ok());
    QCOMPARE(answer->result.error().code, QStringLiteral("NotOpen"));
}

void TestEngineViews::ticksArriveBatchedUntilUnwatched()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path()));
    QSignalSpy events(&engine, &Engine::eventRaised);
    QSignalSpy ticks(&engine, &Engine::ticksArrived);
    // Watched before the accounts run: the watch starts with them. No bot trades 1HZ100V.
    engine.watchSymbol(QStringLiteral("1HZ100V"));
    engine.watchSymbol(QStringLiteral("1HZ100V")); // two viewers
    QVERIFY(engine.start(config({botConfig("a", "R_100", "1.00")})).ok());
    std::atomic<bool> offThread{false};
    connect(&engine, &Engine::ticksArrived, this, [&offThread, &engine] {
        if (QThread::currentThread() != engine.thread())
            offThread = true;
    }, Qt::DirectConnection);

    QTRY_VERIFY_WITH_TIMEOUT(ticks.size() >= 10, 60000);
    qint64 lastEpoch = 0;
    int total = 0;
    for (const QList<QVariant> &args : std::as_const(ticks)) {
        QCOMPARE(args.at(0).toString(), QStringLiteral("1HZ100V"));
        const auto batch = args.at(1).value<QList<TickPoint>>();
        QVERIFY(!batch.isEmpty());
        for (const TickPoint &t : batch) {
            QVERIFY(t.epochMs > lastEpoch);
            QCOMPARE(t.pipDigits, 2);
            QVERIFY(!t.quoteString().isEmpty());
            lastEpoch = t.epochMs;
            ++total;
        }
    }
    QVERIFY(!offThread);
    QVERIFY(total >= ticks.size());
    auto subscribed = [&engine](const QString &key) {
        for (const Sim::ConnectionStats &c : simStats(engine).connections) {
            if (c.subscriptionKeys.contains(key))
                return true;
        }
        return false;
    };
    QVERIFY(subscribed(QStringLiteral("ticks:1HZ100V")));

    // One viewer leaves: the stream goes on. The last leaves: it stops, and so does the subscription.
    engine.unwatchSymbol(QStringLiteral("1HZ100V"));
    const qsizetype before = ticks.size();
    QTRY_VERIFY_WITH_TIMEOUT(ticks.size() > before + 3, 30000);
    engine.unwatchSymbol(QStringLiteral("1HZ100V"));
    QTRY_VERIFY_WITH_TIMEOUT(!subscribed(QStringLiteral("ticks:1HZ100V")), 20000);
    QTest::qWait(300); // anything batched before the unwatch reached the worker has been delivered
    const qsizetype settled = ticks.size();
    const int tradesBefore = countEvents(events, EngineEvent::Kind::TradeOpened);
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::TradeOpened) > tradesBefore + 1, 60000);
    QCOMPARE(ticks.size(), settled);
    // The bot's own symbol can be watched too, and unwatching it leaves the bot's stream alone.
    engine.watchSymbol(QStringLiteral("R_100"));
    QTRY_VERIFY_WITH_TIMEOUT(ticks.size() > settled, 30000);
    QCOMPARE(ticks.last().at(0).toString(), QStringLiteral("R_100"));
    engine.unwatchSymbol(QStringLiteral("R_100"));
    QTest::qWait(300);
    QVERIFY(subscribed(QStringLiteral("ticks:R_100")));
    stopEngine(engine);
}

void TestEngineViews::tradeEventsCarryEntryAndExit()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path()));
    QSignalSpy events(&engine, &Engine::eventRaised);
    QVERIFY(engine.start(config({botConfig("a", "R_100", "1.00")})).ok());
    // The embedded simulator's accounts exist only in this process: in-process coordination, always up.
    QCOMPARE(engine.coordinationBackend(), QStringLiteral("in-process"));
    QVERIFY(engine.isCoordinationUp());
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::TradeClosed) >= 2, 60000);
    stopEngine(engine);
    int opened = 0;
    int closed = 0;
    for (const QList<QVariant> &args : std::as_const(events)) {
        const EngineEvent e = args.at(0).value<EngineEvent>();
        if (e.kind != EngineEvent::Kind::TradeOpened && e.kind != EngineEvent::Kind::TradeClosed)
            continue;
        QCOMPARE(e.details.value(QLatin1String("symbol")).toString(), QStringLiteral("R_100"));
        QVERIFY(e.details.value(QLatin1String("contractId")).toString().toLongLong() > 0);
        QVERIFY2(e.details.value(QLatin1String("entrySpot")).toString().contains(u'.'), qPrintable(e.message));
        QVERIFY(e.details.value(QLatin1String("entryEpochMs")).toString().toLongLong() > 0);
        if (e.kind == EngineEvent::Kind::TradeOpened) {
            ++opened;
            continue;
        }
        ++closed;
        QVERIFY(e.details.value(QLatin1String("exitSpot")).toString().contains(u'.'));
        const qint64 entry = e.details.value(QLatin1String("entryEpochMs")).toString().toLongLong();
        const qint64 exit = e.details.value(QLatin1String("exitEpochMs")).toString().toLongLong();
        QVERIFY(exit > entry);
        QVERIFY(!e.details.value(QLatin1String("profit")).toString().isEmpty());
    }
    QVERIFY(opened >= 2);
    QVERIFY(closed >= 2);
}

namespace {
bool applied(const QSignalSpy &spy, const QString &botId, const QString &change)
{
    for (const QList<QVariant> &args : spy) {
        if (args.at(0).toString() == botId && args.at(1).toString() == change)
            return true;
    }
    return false;
}

QList<Sim::ContractStats> contractsOn(Engine &engine, const QString &symbol)
{
    QList<Sim::ContractStats> out;
    for (const Sim::ContractStats &c : simStats(engine).contracts) {
        if (c.symbol == symbol)
            out.append(c);
    }
    std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.contractId < b.contractId; });
    return out;
}
} // namespace

void TestEngineViews::addBotStartsTradingWithoutRestart()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path()));
    QSignalSpy events(&engine, &Engine::eventRaised);
    QSignalSpy applies(&engine, &Engine::botChangeApplied);
    QSignalSpy started(&engine, &Engine::started);
    QVERIFY(engine.start(config({botConfig("a", "R_100", "1.00")})).ok());
    QVERIFY(started.wait(20000));
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::TradeOpened, QStringLiteral("a")) >= 1, 60000);

    QVERIFY(engine.addBot(botConfig("added", "R_50", "3.00")).ok());
    QTRY_VERIFY_WITH_TIMEOUT(applied(applies, QStringLiteral("added"), QStringLiteral("add")), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::TradeOpened, QStringLiteral("added")) >= 1, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(!contractsOn(engine, QStringLiteral("R_50")).isEmpty(), 20000);
    QCOMPARE(contractsOn(engine, QStringLiteral("R_50")).first().buyPrice, Money::fromMinor(300));

    // Bad input is refused at once and changes nothing.
    const Result<void> twice = engine.addBot(botConfig("added", "R_50", "3.00"));
    QVERIFY(!twice.ok());
    QCOMPARE(twice.error().code, QStringLiteral("BotExists"));
    BotConfig elsewhere = botConfig("lost", "R_50", "1.00");
    elsewhere.account = QStringLiteral("nowhere");
    QVERIFY(!engine.addBot(elsewhere).ok());
    QVERIFY(!engine.config().bot(QStringLiteral("lost")));
    stopEngine(engine);
}

void TestEngineViews::removeBotWithAnOpenContractIsRefused()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path()));
    QSignalSpy events(&engine, &Engine::eventRaised);
    QSignalSpy snapshots(&engine, &Engine::accountUpdated);
    QSignalSpy applies(&engine, &Engine::botChangeApplied);
    QSignalSpy refusals(&engine, &Engine::botChangeRefused);
    // Two-minute contracts: at 20x, six seconds open each.
    QVERIFY(engine.start(config({botConfig("a", "R_100", "1.00", 2, "m")})).ok());
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::TradeOpened, QStringLiteral("a")) >= 1, 60000);
    const int closedBefore = countEvents(events, EngineEvent::Kind::TradeClosed, QStringLiteral("a"));

    const Result<void> r = engine.removeBot(QStringLiteral("a"));
    if (r.ok()) {
        QTRY_VERIFY_WITH_TIMEOUT(!refusals.isEmpty(), 20000); // the account thread refuses it
        QCOMPARE(refusals.first().at(2).value<Error>().code, QStringLiteral("BotNotFlat"));
    } else {
        QCOMPARE(r.error().code, QStringLiteral("BotNotFlat"));
    }
    QVERIFY(!applied(applies, QStringLiteral("a"), QStringLiteral("remove")));
    QVERIFY(engine.config().bot(QStringLiteral("a")));
    // The contract is still followed to its settlement.
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::TradeClosed, QStringLiteral("a")) > closedBefore, 60000);

    // Stopped and flat: now it goes.
    engine.stopBot(QStringLiteral("a"));
    QTRY_VERIFY_WITH_TIMEOUT(lastBot(snapshots, QStringLiteral("a")) && lastBot(snapshots, QStringLiteral("a"))->state == BotState::Stopped, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(lastBot(snapshots, QStringLiteral("a"))->openContracts == 0, 20000);
    QVERIFY(engine.removeBot(QStringLiteral("a")).ok());
    QTRY_VERIFY_WITH_TIMEOUT(applied(applies, QStringLiteral("a"), QStringLiteral("remove")), 20000);
    QVERIFY(!engine.config().bot(QStringLiteral("a")));
    QTRY_VERIFY_WITH_TIMEOUT(!snapshots.isEmpty() && snapshots.last().at(0).value<AccountSnapshot>().bots.isEmpty(), 20000);
    QCOMPARE(engine.removeBot(QStringLiteral("a")).error().code, QStringLiteral("NotFound"));
    stopEngine(engine);
}

void TestEngineViews::updateBotChangesTheNextStake()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path()));
    QSignalSpy events(&engine, &Engine::eventRaised);
    QSignalSpy applies(&engine, &Engine::botChangeApplied);
    QVERIFY(engine.start(config({botConfig("a", "R_100", "1.00")})).ok());
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::TradeOpened, QStringLiteral("a")) >= 1, 60000);

    QVERIFY(engine.updateBot(botConfig("a", "R_100", "2.50")).ok());
    QTRY_VERIFY_WITH_TIMEOUT(applied(applies, QStringLiteral("a"), QStringLiteral("update")), 60000);
    const int openedBefore = countEvents(events, EngineEvent::Kind::TradeOpened, QStringLiteral("a"));
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, EngineEvent::Kind::TradeOpened, QStringLiteral("a")) >= openedBefore + 2, 60000);
    // On the server: the first buys at 1.00, everything bought after the change at 2.50.
    QList<Sim::ContractStats> contracts;
    QTRY_VERIFY_WITH_TIMEOUT((contracts = contractsOn(engine, QStringLiteral("R_100"))).size() >= openedBefore + 2, 20000);
    QCOMPARE(contracts.first().buyPrice, Money::fromMinor(100));
    QCOMPARE(contracts.last().buyPrice, Money::fromMinor(250));
    QCOMPARE(contracts.at(contracts.size() - 2).buyPrice, Money::fromMinor(250));
    QCOMPARE(engine.config().bot(QStringLiteral("a"))->strategy.value(QLatin1String("stake")).toString(), QStringLiteral("2.50"));

    // Moving a bot to another account is not an update.
    BotConfig moved = botConfig("a", "R_100", "1.00");
    moved.account = QStringLiteral("other");
    QVERIFY(!engine.updateBot(moved).ok());
    stopEngine(engine);
}

QTEST_GUILESS_MAIN(TestEngineViews)
#include "tst_engineviews.moc"
