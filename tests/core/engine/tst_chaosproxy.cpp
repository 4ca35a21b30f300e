// SPDX-License-Identifier: GPL-3.0-or-later
// The engine against an unmodified vigil-sim process through a fault-injecting proxy (FaultProxy): sockets
// drop at any frame (also right after a buy went out, and in the middle of a reconnect's authorize and
// resubscribe burst), replies are lost while the socket stays up, requests are answered RateLimit without
// reaching the server, frames are delayed, truncated, split or junk. Afterwards, with the proxy clean, the
// journal is checked against the simulator's own truth (GET /stats). The seed is printed; rerun one with
// VIGIL_CHAOS_SEED=<seed>.
#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "engine/engine.h"
#include "store/journal.h"
#include "support/faultproxy.h"
#include "support/simprocess.h"

using namespace Vigil;
using Test::FaultProxy;
using Test::SimProcess;

namespace {

const QString s_tokenA = QStringLiteral("ChaosTokenAlpha01");
const QString s_tokenB = QStringLiteral("ChaosTokenBravo02");

quint64 chaosSeed()
{
    bool ok = false;
    const quint64 fromEnv = qEnvironmentVariable("VIGIL_CHAOS_SEED").toULongLong(&ok);
    return ok && fromEnv != 0 ? fromEnv : (QRandomGenerator::global()->generate64() | 1);
}

// VIGIL_CHAOS_SCALE=<x> multiplies every fault rate (to hunt for bugs by hand; CI runs the rates as written).
FaultProxy::Rates scaled(FaultProxy::Rates r)
{
    bool ok = false;
    const double k = qEnvironmentVariable("VIGIL_CHAOS_SCALE").toDouble(&ok);
    if (!ok || k <= 0)
        return r;
    for (double *rate : {&r.drop, &r.dropAfterBuy, &r.dropInBurst, &r.swallow, &r.swallowBuy, &r.rateLimit, &r.rateLimitBuy,
                         &r.delay, &r.garble, &r.junk})
        *rate = std::min(1.0, *rate * k);
    return r;
}

QJsonObject strategy(const char *symbol, const char *type, int duration)
{
    return QJsonObject{{QStringLiteral("symbol"), QString::fromLatin1(symbol)},
                       {QStringLiteral("contract_type"), QString::fromLatin1(type)},
                       {QStringLiteral("duration"), duration},
                       {QStringLiteral("duration_unit"), QStringLiteral("t")},
                       {QStringLiteral("stake"), QStringLiteral("1.00")}};
}

QJsonObject bot(const QString &id, const QString &account, const QJsonObject &strategy)
{
    return QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("account"), account}, {QStringLiteral("strategy"), strategy}};
}

QJsonObject account(const QString &id, const char *tokenVariable, const QJsonObject &limits)
{
    return QJsonObject{{QStringLiteral("id"), id},
                       {QStringLiteral("token"), QJsonObject{{QStringLiteral("env"), QString::fromLatin1(tokenVariable)}}},
                       {QStringLiteral("limits"), limits}};
}

// Three bots per account on two symbols: more bots than the concurrent-open limit allows at once.
QJsonArray botsOf(const QString &accountId)
{
    return QJsonArray{bot(accountId + QStringLiteral("-rise"), accountId, strategy("1HZ100V", "CALL", 3)),
                      bot(accountId + QStringLiteral("-fall"), accountId, strategy("R_100", "PUT", 2)),
                      bot(accountId + QStringLiteral("-even"), accountId, strategy("1HZ100V", "DIGITEVEN", 1))};
}

EngineConfig chaosConfig(const QUrl &endpoint, const QString &journal, const QJsonArray &accounts, const QJsonArray &bots)
{
    const QJsonObject doc{{QStringLiteral("accounts"), accounts},
                          {QStringLiteral("bots"), bots},
                          {QStringLiteral("endpoint"), endpoint.toString()},
                          {QStringLiteral("app_id"), QStringLiteral("1089")},
                          {QStringLiteral("journal"), journal}};
    Result<EngineConfig> c = EngineConfig::fromJson(doc);
    if (!c.ok())
        qFatal("bad test config: %s", qPrintable(c.error().message));
    return c.value();
}

Engine::Options engineOptions(const QString &dataDir)
{
    Engine::Options o;
    o.dataDir = dataDir;
    o.instanceId = QStringLiteral("chaos");
    o.pingIntervalMs = 5000;
    return o;
}

// Latest snapshot per configured account id.
QHash<QString, AccountSnapshot> latestSnapshots(const QSignalSpy &spy)
{
    QHash<QString, AccountSnapshot> out;
    for (const QList<QVariant> &args : spy) {
        const AccountSnapshot s = args.at(0).value<AccountSnapshot>();
        out.insert(s.id, s);
    }
    return out;
}

int countEvents(const QSignalSpy &spy, EngineEvent::Kind kind, const QString &loginId, qsizetype from = 0)
{
    int n = 0;
    for (qsizetype i = from; i < spy.size(); ++i) {
        const EngineEvent e = spy.at(i).at(0).value<EngineEvent>();
        n += e.kind == kind && e.account == loginId ? 1 : 0;
    }
    return n;
}

QJsonObject accountStats(const QJsonObject &stats, const QString &loginId)
{
    for (const QJsonValue &v : stats.value(QLatin1String("accounts")).toArray()) {
        if (v.toObject().value(QLatin1String("loginid")).toString() == loginId)
            return v.toObject();
    }
    return {};
}

// The simulator's contracts of one account, by contract id.
QHash<qint64, QJsonObject> serverContracts(const QJsonObject &stats, const QString &loginId)
{
    QHash<qint64, QJsonObject> out;
    for (const QJsonValue &v : stats.value(QLatin1String("contracts")).toArray()) {
        const QJsonObject c = v.toObject();
        if (c.value(QLatin1String("loginid")).toString() == loginId)
            out.insert(c.value(QLatin1String("contract_id")).toInteger(), c);
    }
    return out;
}

// One line per account and bot of the latest snapshots: where a stalled engine stands.
QStringList describe(const QSignalSpy &snapshots)
{
    QStringList out;
    const QHash<QString, AccountSnapshot> last = latestSnapshots(snapshots);
    for (const AccountSnapshot &s : last) {
        out << QStringLiteral("account %1 (%2): connection %3, gate %4, breaker %5, reconciling %6, reconciled %7, "
                              "unresolved %8, open %9, last error: %10")
                   .arg(s.id, s.loginId).arg(int(s.connection)).arg(s.gate, s.breaker).arg(s.reconciling).arg(s.reconciled)
                   .arg(s.unresolvedTrades).arg(s.openContracts).arg(s.lastError);
        out << QStringLiteral("  limits: %1 trades today, %2 open, %3 pending").arg(s.limits.tradesToday)
                   .arg(s.limits.openContracts).arg(s.limits.pendingContracts);
        for (const BotSnapshot &b : s.bots)
            out << QStringLiteral("  bot %1: %2 (%3), open %4, trades today %5, last error: %6")
                       .arg(b.id, botStateName(b.state), b.reason.toString()).arg(b.openContracts).arg(b.tradesToday).arg(b.lastError);
    }
    return out;
}

QString diagnostics(const FaultProxy &proxy, const QStringList &extra = {})
{
    const FaultProxy::Counters c = proxy.counters();
    QStringList lines{QStringLiteral("seed %1 (rerun with VIGIL_CHAOS_SEED=%1)").arg(proxy.seed()),
                      QStringLiteral("faults: %1 drops, %2 after a buy, %3 in a burst, %4 swallowed (%5 buy replies), "
                                     "%6 RateLimit (%7 buys), %8 delayed, %9 garbled, %10 junk; %11 connections, %12 buys forwarded")
                          .arg(c.drops).arg(c.dropsAfterBuy).arg(c.dropsInBurst).arg(c.swallowed).arg(c.swallowedBuys)
                          .arg(c.rateLimited).arg(c.rateLimitedBuys).arg(c.delayed).arg(c.garbled).arg(c.junk)
                          .arg(c.connections).arg(c.buysForwarded)};
    lines << extra;
    const QStringList log = proxy.faultLog();
    lines << QStringLiteral("last faults:") << log.mid(std::max<qsizetype>(0, log.size() - 60));
    return lines.join(u'\n');
}

// The journal's rows of an account, one line each (for failure messages).
QStringList journalRows(const QString &journalPath, const QString &loginId)
{
    JournalConfig jc;
    jc.url = journalPath;
    auto journal = Journal::open(jc);
    if (!journal.ok())
        return {QStringLiteral("journal unreadable: ") + journal.error().message};
    TradeFilter filter;
    filter.account = loginId;
    Result<QList<Trade>> rows = journal.value()->trades(filter);
    if (!rows.ok())
        return {QStringLiteral("journal unreadable: ") + rows.error().message};
    QStringList out{QStringLiteral("journal of %1:").arg(loginId)};
    for (const Trade &t : rows.value())
        out << QStringLiteral("  row %1 %2 %3 contract %4 tag %5 opened %6 closed %7 (%8)")
                   .arg(t.localId).arg(t.bot, tradeStatusToString(t.status)).arg(t.contractId).arg(t.requestTag)
                   .arg(t.openedMs).arg(t.closedMs).arg(t.closeReason.left(160));
    return out;
}

// Runs the event loop until `done` holds or `timeoutMs` passed.
template<typename Predicate>
bool waitFor(Predicate done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QTest::qWait(50);
    }
    return true;
}

} // namespace

// QVERIFY2 cuts long messages: the whole story goes to the log first.
#define CHAOS_VERIFY(condition, story)                                                                              \
    do {                                                                                                            \
        if (!(condition)) {                                                                                         \
            qWarning().noquote() << (story);                                                                        \
            QFAIL("failed: " #condition " (the fault log and the engine's state are printed above)");              \
        }                                                                                                           \
    } while (false)

class TestChaosProxy final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void journalMatchesTheServerAfterFaults();
    void revokedTokenOnTheServerStopsEveryBuy();

private:
    bool startSim(SimProcess &sim, const QStringList &tokens);
    void checkAccount(const FaultProxy &proxy, SimProcess &sim, const QString &journalPath, const QString &loginId,
                      const QJsonObject &limits);
};

void TestChaosProxy::initTestCase()
{
    qRegisterMetaType<EngineEvent>();
    qRegisterMetaType<AccountSnapshot>();
    qRegisterMetaType<ReconcileReport>();
    qputenv("VIGIL_CHAOS_TOKEN_A", s_tokenA.toLatin1());
    qputenv("VIGIL_CHAOS_TOKEN_B", s_tokenB.toLatin1());
}

bool TestChaosProxy::startSim(SimProcess &sim, const QStringList &tokens)
{
    // Real time: the reconciler matches a lost buy to its contract by purchase time in the server's clock, and a
    // faster virtual clock drifts away from the offset it learns.
    QStringList args{QStringLiteral("--time-scale"), QStringLiteral("1"), QStringLiteral("--quiet")};
    for (const QString &t : tokens)
        args << QStringLiteral("--token") << t;
    return sim.start(args); // Deriv's rate limits stay on
}

void TestChaosProxy::checkAccount(const FaultProxy &proxy, SimProcess &sim, const QString &journalPath, const QString &loginId,
                                  const QJsonObject &limits)
{
    JournalConfig jc;
    jc.url = journalPath;
    auto opened = Journal::open(jc);
    QVERIFY(opened.ok());
    Journal &journal = *opened.value();
    QCOMPARE(journal.integrityCheck().value(), QStringLiteral("ok"));
    const QJsonObject stats = sim.request("GET", "/stats");
    const QJsonObject acc = accountStats(stats, loginId);
    QVERIFY2(!acc.isEmpty(), qPrintable(loginId));
    const QHash<qint64, QJsonObject> server = serverContracts(stats, loginId);
    TradeFilter filter;
    filter.account = loginId;
    Result<QList<Trade>> rows = journal.trades(filter);
    QVERIFY(rows.ok());

    QHash<qint64, int> journaled;
    QStringList problems;
    for (const Trade &t : rows.value()) {
        if (t.status == TradeStatus::Pending || t.status == TradeStatus::Unknown)
            problems << QStringLiteral("row %1 (%2, tag %3) left %4 after the final reconciliation")
                            .arg(t.localId).arg(t.bot, t.requestTag, tradeStatusToString(t.status));
        if (t.contractId <= 0)
            continue;
        journaled[t.contractId] += 1;
        const auto it = server.constFind(t.contractId);
        if (it == server.cend()) {
            problems << QStringLiteral("row %1 names contract %2 the server never sold").arg(t.localId).arg(t.contractId);
            continue;
        }
        if (t.buyPrice != Money::fromJson(it->value(QLatin1String("buy_price"))))
            problems << QStringLiteral("row %1 contract %2: buy price %3, server %4").arg(t.localId).arg(t.contractId)
                            .arg(t.buyPrice ? t.buyPrice->toString() : QStringLiteral("none"),
                                 it->value(QLatin1String("buy_price")).toVariant().toString());
        const QString serverStatus = it->value(QLatin1String("status")).toString();
        if (serverStatus != QLatin1String("open") && isSettledStatus(t.status)
            && t.sellPrice != Money::fromJson(it->value(QLatin1String("sell_price"))))
            problems << QStringLiteral("row %1 contract %2 (%3): sell price %4, server %5 (%6)").arg(t.localId).arg(t.contractId)
                            .arg(tradeStatusToString(t.status), t.sellPrice ? t.sellPrice->toString() : QStringLiteral("none"),
                                 it->value(QLatin1String("sell_price")).toVariant().toString(), serverStatus);
    }
    for (auto it = server.cbegin(); it != server.cend(); ++it) {
        const int n = journaled.value(it.key());
        if (n != 1)
            problems << QStringLiteral("server contract %1 appears %2 times in the journal").arg(it.key()).arg(n);
    }
    const int buysCompleted = acc.value(QLatin1String("buys_completed")).toInt();
    if (buysCompleted != server.size())
        problems << QStringLiteral("server: %1 buys completed, %2 contracts").arg(buysCompleted).arg(server.size());
    if (journaled.size() != server.size())
        problems << QStringLiteral("journal holds %1 contracts, the server sold %2").arg(journaled.size()).arg(server.size());
    const int maxInFlight = acc.value(QLatin1String("max_buys_in_flight")).toInt();
    if (maxInFlight > 1)
        problems << QStringLiteral("the server saw %1 buys in flight at once").arg(maxInFlight);
    const int maxOpen = acc.value(QLatin1String("max_open_contracts")).toInt();
    if (maxOpen > limits.value(QLatin1String("max_concurrent_open")).toInt())
        problems << QStringLiteral("the server held %1 contracts open at once (limit %2)").arg(maxOpen)
                        .arg(limits.value(QLatin1String("max_concurrent_open")).toInt());
    if (server.size() > limits.value(QLatin1String("max_trades_per_day")).toInt())
        problems << QStringLiteral("the server sold %1 contracts today (limit %2)").arg(server.size())
                        .arg(limits.value(QLatin1String("max_trades_per_day")).toInt());
    CHAOS_VERIFY(problems.isEmpty(), diagnostics(proxy, QStringList{QStringLiteral("account %1:").arg(loginId)} + problems
                                                         + journalRows(journalPath, loginId)));
}

void TestChaosProxy::journalMatchesTheServerAfterFaults()
{
    const quint64 seed = chaosSeed();
    qInfo("chaos seed %llu", static_cast<unsigned long long>(seed));
    SimProcess sim;
    QVERIFY(startSim(sim, {s_tokenA, s_tokenB}));
    FaultProxy proxy(QUrl(sim.url()), seed);
    QVERIFY(proxy.listen());

    QTemporaryDir dir;
    // A trades all along; B reaches its trades-per-day limit under the faults. Both hit concurrent-open.
    const QJsonObject limitsA{{QStringLiteral("max_concurrent_open"), 2}, {QStringLiteral("max_trades_per_day"), 1000}};
    const QJsonObject limitsB{{QStringLiteral("max_concurrent_open"), 1}, {QStringLiteral("max_trades_per_day"), 12}};
    QJsonArray bots = botsOf(QStringLiteral("a"));
    for (const QJsonValue &b : botsOf(QStringLiteral("b")))
        bots.append(b);
    const EngineConfig config = chaosConfig(proxy.url(), dir.filePath(QStringLiteral("journal.db")),
                                            QJsonArray{account(QStringLiteral("a"), "VIGIL_CHAOS_TOKEN_A", limitsA),
                                                       account(QStringLiteral("b"), "VIGIL_CHAOS_TOKEN_B", limitsB)},
                                            bots);

    FaultProxy::Rates rates;
    rates.drop = 0.004;
    rates.dropAfterBuy = 0.06;
    rates.dropInBurst = 0.04;
    rates.swallow = 0.005;
    rates.swallowBuy = 0.04;
    rates.rateLimit = 0.015;
    rates.rateLimitBuy = 0.08;
    rates.delay = 0.05;
    rates.maxDelayMs = 400;
    rates.garble = 0.02;
    rates.junk = 0.005;
    proxy.setRates(scaled(rates));

    Engine engine(engineOptions(dir.path()));
    QSignalSpy events(&engine, &Engine::eventRaised);
    QSignalSpy snapshots(&engine, &Engine::accountUpdated);
    QSignalSpy reconciled(&engine, &Engine::reconcileFinished);
    QVERIFY(engine.start(config).ok());
    QVERIFY(waitFor([&] { return !engine.loginId(QStringLiteral("a")).isEmpty() && !engine.loginId(QStringLiteral("b")).isEmpty(); },
                    60000));
    const QString loginA = engine.loginId(QStringLiteral("a"));
    const QString loginB = engine.loginId(QStringLiteral("b"));

    // The fault phase.
    const QString journalPath = dir.filePath(QStringLiteral("journal.db"));
    const auto story = [&](const QString &what) {
        return diagnostics(proxy, QStringList{what} + describe(snapshots) + journalRows(journalPath, loginA)
                                      + journalRows(journalPath, loginB));
    };
    // A lost or garbled buy reply holds its account for the client's request timeout (30 s): few trades are
    // guaranteed here; that trading goes on is checked below, on a clean network.
    QTest::qWait(35'000);
    const int tradesA = countEvents(events, EngineEvent::Kind::TradeOpened, loginA);
    const int tradesB = countEvents(events, EngineEvent::Kind::TradeOpened, loginB);
    qInfo("under faults: %d trades opened on %s, %d on %s", tradesA, qPrintable(loginA), tradesB, qPrintable(loginB));
    const FaultProxy::Counters faults = proxy.counters();
    CHAOS_VERIFY(faults.drops + faults.dropsAfterBuy + faults.dropsInBurst >= 1, story(QStringLiteral("no connection was dropped")));
    // (Hunting with VIGIL_CHAOS_SCALE above 1 may leave an account reconnecting most of the phase.)
    const bool harsher = qEnvironmentVariable("VIGIL_CHAOS_SCALE").toDouble() > 1;
    // (One lost buy reply holds its account for the client's 30 s request timeout: per account, only the
    // recovery below is guaranteed.)
    CHAOS_VERIFY(harsher || tradesA + tradesB >= 3,
                 story(QStringLiteral("%1 and %2 traded %3 times under faults").arg(loginA, loginB).arg(tradesA + tradesB)));

    // Clean network: the engine recovers by itself and A trades again (B may be at its daily limit).
    // (A buy lost before it reached the server keeps its account waiting for the reconciler's grace, 60 s.)
    proxy.clean();
    const qsizetype mark = events.size();
    CHAOS_VERIFY(waitFor([&] { return countEvents(events, EngineEvent::Kind::TradeOpened, loginA, mark) >= 3; }, 90000),
                 story(QStringLiteral("%1 did not trade again on a clean network").arg(loginA)));

    // Stop the bots, let their contracts settle, reconcile once more over the clean network.
    for (const QJsonValue &b : bots)
        engine.stopBot(b.toObject().value(QLatin1String("id")).toString());
    const auto atRest = [&] {
        const QHash<QString, AccountSnapshot> last = latestSnapshots(snapshots);
        if (last.size() != 2)
            return false;
        for (const AccountSnapshot &s : last) {
            for (const BotSnapshot &b : s.bots) {
                if (b.state != BotState::Stopped && b.state != BotState::Halted)
                    return false;
            }
            if (s.openContracts != 0 || s.unresolvedTrades != 0)
                return false;
        }
        return true;
    };
    CHAOS_VERIFY(waitFor(atRest, 90000), story(QStringLiteral("the bots did not come to rest")));
    reconciled.clear();
    engine.reconcileNow();
    const auto finalRunsDone = [&] {
        QSet<QString> done;
        for (const QList<QVariant> &args : std::as_const(reconciled)) {
            const ReconcileReport r = args.at(0).value<ReconcileReport>();
            if (r.trigger == QLatin1String("manual") && r.completed())
                done.insert(r.account);
        }
        return done.size() == 2;
    };
    CHAOS_VERIFY(waitFor(finalRunsDone, 60000), story(QStringLiteral("the final reconciliation did not complete")));
    QSignalSpy stopped(&engine, &Engine::stopped);
    engine.stop();
    QVERIFY(stopped.wait(30000));

    checkAccount(proxy, sim, journalPath, loginA, limitsA);
    if (QTest::currentTestFailed())
        return;
    checkAccount(proxy, sim, journalPath, loginB, limitsB);
    qInfo().noquote() << diagnostics(proxy).section(u'\n', 0, 1);
    CHAOS_VERIFY(proxy.counters().maxBuysInFlight <= 1,
                 diagnostics(proxy, {QStringLiteral("%1 buys of one account were at the server at once").arg(proxy.counters().maxBuysInFlight)}));
}

void TestChaosProxy::revokedTokenOnTheServerStopsEveryBuy()
{
    const quint64 seed = chaosSeed();
    qInfo("chaos seed %llu", static_cast<unsigned long long>(seed));
    SimProcess sim;
    QVERIFY(startSim(sim, {s_tokenA}));
    FaultProxy proxy(QUrl(sim.url()), seed);
    QVERIFY(proxy.listen());
    FaultProxy::Rates rates;
    rates.drop = 0.002;
    rates.dropAfterBuy = 0.05;
    rates.dropInBurst = 0.03;
    rates.rateLimit = 0.01;
    rates.rateLimitBuy = 0.05;
    rates.delay = 0.05;
    rates.maxDelayMs = 300;
    rates.junk = 0.002;
    proxy.setRates(scaled(rates));

    QTemporaryDir dir;
    const QJsonObject limits{{QStringLiteral("max_concurrent_open"), 2}, {QStringLiteral("max_trades_per_day"), 1000}};
    const EngineConfig config = chaosConfig(proxy.url(), dir.filePath(QStringLiteral("journal.db")),
                                            QJsonArray{account(QStringLiteral("a"), "VIGIL_CHAOS_TOKEN_A", limits)},
                                            botsOf(QStringLiteral("a")));
    Engine engine(engineOptions(dir.path()));
    QSignalSpy events(&engine, &Engine::eventRaised);
    QSignalSpy snapshots(&engine, &Engine::accountUpdated);
    QVERIFY(engine.start(config).ok());
    QVERIFY(waitFor([&] { return !engine.loginId(QStringLiteral("a")).isEmpty(); }, 60000));
    const QString login = engine.loginId(QStringLiteral("a"));
    const QString journalPath = dir.filePath(QStringLiteral("journal.db"));
    const auto story = [&](const QString &what) {
        return diagnostics(proxy, QStringList{what} + describe(snapshots) + journalRows(journalPath, login));
    };
    // 90 s: a buy the proxy drops before it reaches the server holds the account for the reconciler's 60 s grace
    // (its outcome is unknown until then), and the drops may cost a few reconnects on top (seed 15110235898536923405
    // lost one at 0.7 s: trading resumed at 61.7 s).
    CHAOS_VERIFY(waitFor([&] { return countEvents(events, EngineEvent::Kind::TradeOpened, login) >= 4; }, 90000),
                 story(QStringLiteral("no trading before the revocation")));

    // The token is deleted on the server behind Vigil's back (another device, the Deriv website).
    const QJsonObject deleted = sim.request("POST", "/tokens/delete", QJsonObject{{QStringLiteral("token"), s_tokenA}});
    QCOMPARE(deleted.value(QLatin1String("deleted")).toInt(), 1);
    const QJsonObject atRevocation = accountStats(sim.request("GET", "/stats"), login);
    const int completedAtRevocation = atRevocation.value(QLatin1String("buys_completed")).toInt();

    // Every session using the token ends; the bots halt, naming the revoked token.
    const auto haltedForTheToken = [&] {
        const AccountSnapshot s = latestSnapshots(snapshots).value(QStringLiteral("a"));
        if (s.bots.isEmpty())
            return false;
        for (const BotSnapshot &b : s.bots) {
            if (b.state != BotState::Halted || b.reason.halt != HaltReason::TokenRevoked)
                return false;
        }
        return true;
    };
    CHAOS_VERIFY(waitFor(haltedForTheToken, 60000), story(QStringLiteral("the bots did not halt for the revoked token")));
    CHAOS_VERIFY(waitFor([&] { return accountStats(sim.request("GET", "/stats"), login).value(QLatin1String("sessions")).toInt() == 0; },
                         20000),
                 story(QStringLiteral("a session with the revoked token stayed open")));
    const int receivedAfter = accountStats(sim.request("GET", "/stats"), login).value(QLatin1String("buys_received")).toInt();
    QTest::qWait(3000); // no reconnect loop, no buy with the dead token
    const QJsonObject later = accountStats(sim.request("GET", "/stats"), login);
    QCOMPARE(later.value(QLatin1String("buys_received")).toInt(), receivedAfter);
    QCOMPARE(later.value(QLatin1String("buys_completed")).toInt(), completedAtRevocation);
    QCOMPARE(later.value(QLatin1String("sessions")).toInt(), 0);
    QSignalSpy stopped(&engine, &Engine::stopped);
    engine.stop();
    QVERIFY(stopped.wait(30000));
}

QTEST_GUILESS_MAIN(TestChaosProxy)

#include "tst_chaosproxy.moc"
