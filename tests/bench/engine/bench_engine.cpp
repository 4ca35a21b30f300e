// SPDX-License-Identifier: GPL-3.0-or-later
// The "engine" benchmark (a program, not a test): the paper-mode Engine (real account threads, the embedded
// simulator on loopback, SQLite journal) measured from the simulator's side of the wire.
//
//   tick → buy       A accounts × B bots (FixedEntry: every idle bot buys on the next tick of its symbol), the
//                    bots of one account on B different symbols. Both ends are taken on the simulator's thread
//                    with one steady clock: "tick sent" = the simulator started on that tick (see installProbes:
//                    errs towards longer figures by at most the simulator's own time per tick, printed);
//                    "buy received" = the buy's text frame reached the simulator's socket
//                    (QWebSocket::textFrameReceived, emitted before the session parses it). A buy is attributed
//                    to the latest tick of its symbol before it. Buys are also split by their place in the
//                    account's queue: an account has one buy in flight at a time (account lock), so when several
//                    of its symbols tick together the later bots wait for the earlier buys' replies. Everything in
//                    between is Vigil: client parse → bot → executor (gate, ledger, lock, journal insertPending
//                    with synchronous=FULL) → client write. Rounds alternate the journal under --dir and on tmpfs.
//                    The simulator has 10 synthetic indices, so the bots share 10 symbols (not 20).
//   emergency stop   the same accounts each holding B open 60-minute contracts (sellable after their entry
//                    tick); Engine::emergencyStop() repeatedly (re-armed in between, bots buy again): the
//                    EmergencyStopReport's trigger → gate halted, trigger → last sell written, trigger → every
//                    sell answered and every account re-queried (verified flat). Simulator rate limits off.
//   journal          insertPending + markOpen on SQLite (WAL, synchronous=FULL) in a temporary folder on disk,
//                    the same on tmpfs (/dev/shm) as the peer (the difference is the fsync), and `accounts` writers
//                    with their own connections to one file at once, as the account workers write.
//
// Each latency is taken in rounds; the tables show the median over rounds of each round's p50 and p99, and the
// load average (/proc/loadavg) is printed with every section: the machine is shared.
//
// Prints Markdown tables; exit 0 unless something failed outright (a missed target is reported, not a failure).
// Usage: bench_engine [--quick] [--accounts 20] [--bots 5] [--seconds 60] [--rounds 3] [--stops 20] [--journal-n 2000]
//                     [--dir DIR] [--contract-ticks 5] [--no-tmpfs-peer] [--verbose]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QEvent>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSet>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QWebSocket>

#include "../benchstats.h"
#include "engine/engine.h"
#include "sim/market.h"
#include "sim/simserver.h"
#include "sim/simsession.h"
#include "store/journal.h"

using namespace Vigil;
using namespace Vigil::Bench;

namespace {

bool s_verbose = false; // --verbose: every engine event to stderr

// The simulator's 20 synthetic indices (issue: "100 bots over 20 symbols").
const QStringList s_symbols{
    QStringLiteral("R_10"),    QStringLiteral("R_25"),    QStringLiteral("R_50"),   QStringLiteral("R_75"),
    QStringLiteral("R_100"),   QStringLiteral("1HZ10V"),  QStringLiteral("1HZ15V"), QStringLiteral("1HZ25V"),
    QStringLiteral("1HZ30V"),  QStringLiteral("1HZ50V"),  QStringLiteral("1HZ75V"), QStringLiteral("1HZ90V"),
    QStringLiteral("1HZ100V"), QStringLiteral("1HZ150V"), QStringLiteral("1HZ250V"), QStringLiteral("JD10"),
    QStringLiteral("JD25"),    QStringLiteral("JD50"),    QStringLiteral("JD75"),   QStringLiteral("JD100")};

qint64 steadyNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

QString fmt(double v, int decimals = 1)
{
    return QString::number(v, 'f', decimals);
}

// A latency measured in rounds: each round gives a p50 and a p99; the figures are the medians over rounds, so
// one round hit by the machine's noise does not make the figure.
struct Rounds
{
    std::vector<double> p50s, p99s;
    size_t samples = 0;

    void add(const std::vector<double> &v)
    {
        if (v.empty())
            return;
        const Stats st = summarize(v);
        p50s.push_back(st.p50);
        p99s.push_back(st.p99);
        samples += v.size();
    }
    bool empty() const { return p50s.empty(); }
    double p50() const { return median(p50s); }
    double p99() const { return median(p99s); }
    QString p99Range(int decimals = 1) const
    {
        if (p99s.empty())
            return QStringLiteral("–");
        const auto [lo, hi] = std::minmax_element(p99s.begin(), p99s.end());
        return fmt(*lo, decimals) + QStringLiteral(" – ") + fmt(*hi, decimals);
    }
};

// Runs an event loop until `done` is called or `timeoutMs` passes; false on timeout. Called only from
// main()'s phases, between measurements, never from a handler: the only loop running, not a nested one.
bool runUntil(int timeoutMs, const std::function<void(const std::function<void()> &done)> &start)
{
    QEventLoop loop;
    bool finished = false;
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, [&loop] { loop.exit(1); });
    timeout.start(timeoutMs);
    const std::function<void()> done = [&loop, &finished] {
        finished = true;
        loop.exit(0);
    };
    QTimer::singleShot(0, &loop, [&start, &done] { start(done); });
    loop.exec();
    return finished;
}

// Polls `condition` every 10 ms (on this thread) until true or timeout.
bool waitFor(int timeoutMs, const std::function<bool()> &condition)
{
    return runUntil(timeoutMs, [&condition](const std::function<void()> &done) {
        auto *poll = new QTimer;
        QObject::connect(poll, &QTimer::timeout, poll, [poll, &condition, done] {
            if (condition()) {
                poll->stop();
                poll->deleteLater();
                done();
            }
        });
        poll->start(10);
    });
}

void sleepMs(int ms)
{
    runUntil(ms + 1000, [ms](const std::function<void()> &done) { QTimer::singleShot(ms, done); });
}

// Runs fn on the engine's simulator thread and waits for it.
bool onSimulator(Engine &engine, std::function<void(Sim::SimServer &)> fn)
{
    auto flag = std::make_shared<std::atomic<bool>>(false);
    engine.withSimulator([flag, fn = std::move(fn)](Sim::SimServer &sim) {
        fn(sim);
        flag->store(true, std::memory_order_release);
    });
    return waitFor(30'000, [flag] { return flag->load(std::memory_order_acquire); });
}

// ------------------------------------------------------------------------------------------------
// Engine set-up

QJsonObject strategy(const QString &symbol, bool call, int duration, const char *unit)
{
    return QJsonObject{{QStringLiteral("symbol"), symbol},
                       {QStringLiteral("contract_type"), call ? QStringLiteral("CALL") : QStringLiteral("PUT")},
                       {QStringLiteral("duration"), duration},
                       {QStringLiteral("duration_unit"), QString::fromLatin1(unit)},
                       {QStringLiteral("stake"), QStringLiteral("1.00")}};
}

// `accounts` demo accounts with `bots` bots each; bot j of account a trades symbol (a + j) % 10, so an
// account's bots are on different symbols and every symbol is shared by accounts.
EngineConfig engineConfig(int accounts, int bots, int duration, const char *unit)
{
    QJsonArray accountList, botList;
    const QJsonObject limits{{QStringLiteral("max_trades_per_day"), 100'000},
                             {QStringLiteral("max_concurrent_open"), std::max(10, bots * 2)},
                             {QStringLiteral("daily_loss_bp"), 10'000}};
    for (int a = 0; a < accounts; ++a) {
        const QString id = QStringLiteral("acct%1").arg(a);
        accountList.append(QJsonObject{{QStringLiteral("id"), id},
                                       {QStringLiteral("token"), QJsonObject{{QStringLiteral("demo"), true}}},
                                       {QStringLiteral("limits"), limits}});
        for (int j = 0; j < bots; ++j) {
            const QString symbol = s_symbols.at((a + j) % s_symbols.size());
            botList.append(QJsonObject{{QStringLiteral("id"), QStringLiteral("a%1-b%2").arg(a).arg(j)},
                                       {QStringLiteral("account"), id},
                                       {QStringLiteral("strategy"), strategy(symbol, (a + j) % 2 == 0, duration, unit)}});
        }
    }
    Result<EngineConfig> c = EngineConfig::fromJson(
        QJsonObject{{QStringLiteral("accounts"), accountList}, {QStringLiteral("bots"), botList}});
    if (!c.ok())
        qFatal("bench config refused: %s", qPrintable(c.error().message));
    return c.value();
}

Engine::Options engineOptions(const QString &dataDir, double timeScale)
{
    Engine::Options o;
    o.dataDir = dataDir;
    o.instanceId = QStringLiteral("bench");
    o.simTimeScale = timeScale;
    o.simSeed = 42;
    o.reconcileIntervalMs = 3'600'000; // no periodic reconciliation inside the window
    return o;
}

// Creates the journal (WAL mode, schema) before the account threads open it at once. Works around a race in
// Journal::open: on a FRESH file, concurrent openers' `PRAGMA journal_mode = WAL` can fail at once with
// "database is locked" (busy_timeout is not honoured there), and that account then never trades (reported).
bool precreateJournal(EngineConfig &config, const QString &dataDir)
{
    config.journalUrl = QDir(dataDir).filePath(QStringLiteral("journal.db"));
    JournalConfig jc;
    jc.url = config.journalUrl;
    const Result<std::unique_ptr<Journal>> journal = Journal::open(jc);
    if (!journal.ok())
        std::fprintf(stderr, "journal: %s\n", qPrintable(journal.error().toString()));
    return journal.ok();
}

// Starts the engine and waits until every account is connected and reconciled. `onSimulatorStart` runs on the
// simulator's thread right after it starts listening, before any account connects. False on failure.
bool startEngine(Engine &engine, const EngineConfig &config, QHash<QString, AccountSnapshot> &snapshots,
                 const std::function<void(Sim::SimServer &)> &onSimulatorStart = {})
{
    QObject::connect(&engine, &Engine::accountUpdated, &engine,
                     [&snapshots](const AccountSnapshot &s) { snapshots.insert(s.id, s); });
    QObject::connect(&engine, &Engine::eventRaised, &engine, [](const EngineEvent &e) {
        if (s_verbose)
            std::fprintf(stderr, "[%lld] %s %s: %s\n", static_cast<long long>(e.atMs % 100000), qPrintable(e.account),
                         qPrintable(e.bot), qPrintable(e.message));
    });
    QObject::connect(&engine, &Engine::startFailed, &engine, [](const Error &e) {
        std::fprintf(stderr, "engine start failed: %s\n", qPrintable(e.toString()));
    });
    const Result<void> started = engine.start(config);
    if (!started.ok()) {
        std::fprintf(stderr, "engine start refused: %s\n", qPrintable(started.error().toString()));
        return false;
    }
    // Queued behind the simulator's listen(); the accounts connect only once the engine has its URL.
    engine.withSimulator([onSimulatorStart](Sim::SimServer &sim) {
        sim.setRateLimitsEnabled(false);
        if (onSimulatorStart)
            onSimulatorStart(sim);
    });
    const qsizetype n = config.accounts.size();
    const bool up = waitFor(120'000, [&] {
        if (snapshots.size() < n)
            return false;
        for (const AccountSnapshot &s : std::as_const(snapshots)) {
            if (s.connection != AccountSnapshot::Connection::Connected || !s.reconciled)
                return false;
        }
        return true;
    });
    if (!up)
        std::fprintf(stderr, "engine: not every account connected and reconciled within 120 s\n");
    return up;
}

// Stops the engine; the Engine's destructor joins whatever is left. Engine::stop() does not always emit
// stopped() when several accounts stop at once (see the report: onWorkerFinished tests QThread::isRunning() of
// threads that were told to quit but have not finished yet), so this waits a bounded time and says so.
void stopEngine(Engine &engine)
{
    if (!engine.isRunning())
        return;
    const bool stopped = runUntil(5'000, [&engine](const std::function<void()> &done) {
        QObject::connect(&engine, &Engine::stopped, &engine, done, Qt::SingleShotConnection);
        engine.stop();
    });
    if (!stopped)
        std::fprintf(stderr, "note: Engine::stop() did not emit stopped() within 5 s; the destructor joins the threads\n");
}

int totalOpen(const QHash<QString, AccountSnapshot> &snapshots)
{
    int n = 0;
    for (const AccountSnapshot &s : snapshots)
        n += s.openContracts;
    return n;
}

// ------------------------------------------------------------------------------------------------
// 1. tick → buy

// What the simulator's thread records. Only that thread touches it while `recording` is set; main() reads
// it after a round trip through onSimulator() that cleared the flag.
struct WireRecorder
{
    struct TickSent
    {
        qint64 ns;    // the simulator started on this tick (it writes the tick frames first)
        qint64 endNs; // ... and was done with it (tick frames and the contract updates it caused)
        qint64 epoch;
    };
    struct BuyReceived
    {
        qint64 ns;
        quint64 connection;
        QString frame;
    };
    bool recording = false;
    qint64 mark = 0; // the start of the current pump, or the end of the tick before in the same pump
    std::map<QString, std::vector<TickSent>> ticks; // by symbol, in time order
    std::vector<BuyReceived> buys;
    std::vector<quint64> connections;
};

// Stamps WireRecorder::mark when a timer event reaches the watched timer (before it fires). Simulator thread.
class TimerMark final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimerMark)

public:
    TimerMark(std::shared_ptr<WireRecorder> rec, QObject *parent) : QObject(parent), m_rec(std::move(rec)) {}

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Timer)
            m_rec->mark = steadyNs();
        return QObject::eventFilter(watched, event);
    }

private:
    std::shared_ptr<WireRecorder> m_rec;
};

// The probes, on the simulator's thread.
// "Tick sent": Market::ticked reaches this slot only after the server's own slot (connected first, in its
// constructor) has written the tick to every subscribed session and sent the contract updates it caused, which
// can take a millisecond. So the tick's time is taken as the moment the simulator STARTED on it: the end of the
// previous tick of the same pump, or the moment the pump's timer event arrived for the first one.
// The tick frames are the first thing it writes, so this errs towards longer tick → buy figures.
// "Buy received": QWebSocket emits textFrameReceived before textMessageReceived, i.e. before the session even
// parses the request.
void installProbes(Sim::SimServer &sim, const std::shared_ptr<WireRecorder> &rec)
{
    // The market is pumped from the server's own single-shot QTimer (its only QTimer child): an event filter
    // sees the timer event before the timer emits timeout(), i.e. before the pump starts.
    auto *mark = new TimerMark(rec, &sim);
    for (QTimer *timer : sim.findChildren<QTimer *>(Qt::FindDirectChildrenOnly))
        timer->installEventFilter(mark);
    QObject::connect(&sim.market(), &Sim::Market::ticked, &sim, [rec](const QString &symbol, const Sim::Tick &tick) {
        const qint64 now = steadyNs();
        if (rec->recording)
            rec->ticks[symbol].push_back({rec->mark ? rec->mark : now, now, tick.epoch});
        rec->mark = now;
    });
    Sim::SimServer *server = &sim;
    QObject::connect(&sim, &Sim::SimServer::connectionOpened, &sim, [rec, server](quint64 id) {
        rec->connections.push_back(id);
        for (Sim::SimSession *session : server->findChildren<Sim::SimSession *>(Qt::FindDirectChildrenOnly)) {
            if (session->id() != id)
                continue;
            if (auto *ws = session->findChild<QWebSocket *>()) {
                QObject::connect(ws, &QWebSocket::textFrameReceived, session, [rec, id](const QString &frame, bool) {
                    if (rec->recording && frame.startsWith(QLatin1String("{\"buy\"")))
                        rec->buys.push_back({steadyNs(), id, frame});
                });
            }
        }
    });
}

struct TickToBuy
{
    std::vector<double> allUs, firstUs, queuedUs;
    std::vector<double> simTickUs; // how long the simulator spent on each tick (the uncertainty of "sent")
    int buys = 0;
    int unmatched = 0;
    qsizetype probedConnections = 0;
    double seconds = 0;
    int maxBuysPerAccountMinute = 0;
};

TickToBuy analyse(const WireRecorder &rec, double seconds)
{
    TickToBuy out;
    out.seconds = seconds;
    out.probedConnections = qsizetype(rec.connections.size());
    std::map<std::pair<quint64, qint64>, int> place; // (connection, tick epoch) → buys seen so far
    std::map<quint64, int> perConnection;
    for (const WireRecorder::BuyReceived &b : rec.buys) {
        ++out.buys;
        ++perConnection[b.connection];
        const QJsonObject req = QJsonDocument::fromJson(b.frame.toUtf8()).object();
        const QString symbol = req.value(QLatin1String("parameters")).toObject().value(QLatin1String("symbol")).toString();
        const auto it = rec.ticks.find(symbol);
        if (it == rec.ticks.end()) {
            ++out.unmatched;
            continue;
        }
        const std::vector<WireRecorder::TickSent> &ticks = it->second;
        const auto after = std::upper_bound(ticks.begin(), ticks.end(), b.ns,
                                            [](qint64 ns, const WireRecorder::TickSent &t) { return ns < t.ns; });
        if (after == ticks.begin()) {
            ++out.unmatched; // its tick came before the window opened
            continue;
        }
        const WireRecorder::TickSent &tick = *(after - 1);
        const double us = double(b.ns - tick.ns) / 1000.0;
        out.allUs.push_back(us);
        const int p = place[{b.connection, tick.epoch}]++;
        (p == 0 ? out.firstUs : out.queuedUs).push_back(us);
    }
    for (const auto &[symbol, ticks] : rec.ticks) {
        for (const WireRecorder::TickSent &t : ticks)
            out.simTickUs.push_back(double(t.endNs - t.ns) / 1000.0);
    }
    for (const auto &[connection, n] : perConnection)
        out.maxBuysPerAccountMinute = std::max(out.maxBuysPerAccountMinute, int(double(n) * 60.0 / std::max(1.0, seconds)));
    return out;
}

std::optional<TickToBuy> benchTickToBuy(const QString &baseDir, int accounts, int bots, int ticksPerContract, double seconds,
                                        double timeScale)
{
    QTemporaryDir dir(baseDir + QStringLiteral("/bench_engine-XXXXXX"));
    if (!dir.isValid())
        return std::nullopt;
    Engine engine(engineOptions(dir.path(), timeScale));
    QHash<QString, AccountSnapshot> snapshots;
    QSet<QString> traded;
    QObject::connect(&engine, &Engine::eventRaised, &engine, [&traded](const EngineEvent &e) {
        if (e.kind == EngineEvent::Kind::TradeOpened)
            traded.insert(e.bot);
    });
    auto rec = std::make_shared<WireRecorder>();
    EngineConfig config = engineConfig(accounts, bots, ticksPerContract, "t");
    if (!precreateJournal(config, dir.path()))
        return std::nullopt;
    if (!startEngine(engine, config, snapshots, [rec](Sim::SimServer &sim) { installProbes(sim, rec); })) {
        stopEngine(engine);
        return std::nullopt;
    }
    // Warm-up: every bot has bought at least once (journal, locks and sockets warm).
    const qsizetype botCount = config.bots.size();
    if (!waitFor(120'000, [&] { return traded.size() >= botCount; })) {
        std::fprintf(stderr, "tick → buy: only %lld of %lld bots traded within 120 s\n",
                     static_cast<long long>(traded.size()), static_cast<long long>(botCount));
        stopEngine(engine);
        return std::nullopt;
    }
    onSimulator(engine, [rec](Sim::SimServer &) { rec->recording = true; });
    const qint64 t0 = steadyNs();
    sleepMs(int(seconds * 1000));
    onSimulator(engine, [rec](Sim::SimServer &) { rec->recording = false; });
    const double window = double(steadyNs() - t0) / 1e9;
    stopEngine(engine);
    return analyse(*rec, window);
}

// ------------------------------------------------------------------------------------------------
// 2. emergency stop

struct StopRuns
{
    std::vector<double> haltedUs, sellsSentUs, completedMs;
    int runs = 0;
    int expected = 0;
    int badRuns = 0; // not everything sold / not verified flat
    QStringList problems;
};

std::optional<StopRuns> benchEmergencyStop(const QString &baseDir, int accounts, int bots, int runs, double timeScale)
{
    QTemporaryDir dir(baseDir + QStringLiteral("/bench_engine-XXXXXX"));
    if (!dir.isValid())
        return std::nullopt;
    Engine engine(engineOptions(dir.path(), timeScale));
    QHash<QString, AccountSnapshot> snapshots;
    std::optional<EmergencyStopReport> report;
    QObject::connect(&engine, &Engine::emergencyStopFinished, &engine,
                     [&report](const EmergencyStopReport &r) { report = r; });
    EngineConfig config = engineConfig(accounts, bots, 60, "m");
    if (!precreateJournal(config, dir.path()))
        return std::nullopt;
    if (!startEngine(engine, config, snapshots)) {
        stopEngine(engine);
        return std::nullopt;
    }
    StopRuns out;
    out.expected = int(config.bots.size());
    // The slowest symbols tick every 2 s of virtual time: by then every contract is past its entry tick.
    const int entryWaitMs = int(2 * 2000 / timeScale) + 300;
    for (int run = 0; run < runs; ++run) {
        if (!waitFor(120'000, [&] { return totalOpen(snapshots) >= out.expected; })) {
            std::fprintf(stderr, "emergency stop run %d: only %d of %d contracts open within 120 s\n", run,
                         totalOpen(snapshots), out.expected);
            break;
        }
        sleepMs(entryWaitMs);
        report.reset();
        engine.emergencyStop();
        if (!waitFor(60'000, [&] { return report.has_value(); })) {
            std::fprintf(stderr, "emergency stop run %d: no report within 60 s\n", run);
            break;
        }
        ++out.runs;
        out.haltedUs.push_back(double(report->haltedAfterUs));
        out.sellsSentUs.push_back(double(report->sellsSentAfterUs));
        out.completedMs.push_back(double(report->completedAfterMs));
        const qsizetype handled = report->sold.size() + report->alreadyClosed.size();
        if (handled < out.expected || !report->failed.isEmpty() || !report->verifiedFlat) {
            ++out.badRuns;
            out.problems << report->summary();
        }
        // Everything sold is settled by the account workers; then the bots may trade again.
        if (!waitFor(60'000, [&] { return totalOpen(snapshots) == 0; }))
            std::fprintf(stderr, "emergency stop run %d: %d contracts still open after the stop\n", run, totalOpen(snapshots));
        if (run + 1 < runs)
            engine.rearm();
    }
    stopEngine(engine);
    return out;
}

// ------------------------------------------------------------------------------------------------
// 3. journal

struct JournalSamples
{
    std::vector<double> insertUs, openUs, pairUs;
    int failures = 0;
};

// Writes n trades as the executor does (insertPending before the buy is sent, markOpen with its reply), after
// 20 warm-up pairs; `writer` keeps the rows of concurrent writers apart.
void writePairs(Journal &journal, int writer, int n, JournalSamples &out)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int i = -20; i < n; ++i) {
        Trade t;
        t.account = QStringLiteral("VRTC%1").arg(1000001 + writer);
        t.bot = QStringLiteral("bench-bot-%1").arg(writer);
        t.symbol = s_symbols.at((i + 20) % s_symbols.size());
        t.contractType = QStringLiteral("CALL");
        t.duration = 5;
        t.durationUnit = QStringLiteral("t");
        t.currency = QStringLiteral("USD");
        t.stake = Money::fromMinor(100);
        t.openedMs = now + i;
        t.requestTag = QStringLiteral("bench:%1:%2").arg(writer).arg(i);
        const qint64 contract = 500'000'000 + qint64(writer) * 1'000'000 + i;
        const qint64 a = steadyNs();
        const Result<qint64> id = journal.insertPending(t);
        const qint64 b = steadyNs();
        const Result<void> open = id.ok() ? journal.markOpen(id.value(), contract, contract + 200'000'000,
                                                             Money::fromMinor(100), Money::fromMinor(195), now + i, 0)
                                          : Result<void>(id.error());
        const qint64 c = steadyNs();
        if (!id.ok() || !open.ok()) {
            if (out.failures++ == 0)
                std::fprintf(stderr, "journal writer %d: %s (after %.1f ms)\n", writer,
                             qPrintable((id.ok() ? open.error() : id.error()).toString()), double(c - a) / 1e6);
            continue;
        }
        if (i < 0)
            continue;
        out.insertUs.push_back(double(b - a) / 1000.0);
        out.openUs.push_back(double(c - b) / 1000.0);
        out.pairUs.push_back(double(c - a) / 1000.0);
    }
}

// `writers` threads, each with its own connection to one fresh journal file (as the engine's account workers
// have), write n pairs each, all at once. nullopt when the journal cannot be opened.
std::optional<JournalSamples> benchJournal(const QString &baseDir, int writers, int n)
{
    QTemporaryDir dir(baseDir + QStringLiteral("/bench_journal-XXXXXX"));
    if (!dir.isValid())
        return std::nullopt;
    JournalConfig jc;
    jc.url = dir.filePath(QStringLiteral("journal.db"));
    {
        // Schema and WAL mode first, before concurrent openers (see precreateJournal).
        const Result<std::unique_ptr<Journal>> first = Journal::open(jc);
        if (!first.ok()) {
            std::fprintf(stderr, "journal in %s: %s\n", qPrintable(baseDir), qPrintable(first.error().toString()));
            return std::nullopt;
        }
    }
    std::vector<JournalSamples> per(static_cast<size_t>(writers));
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::atomic<bool> openFailed{false};
    std::vector<std::unique_ptr<QThread>> threads;
    for (int w = 0; w < writers; ++w) {
        threads.emplace_back(QThread::create([&, w] {
            Result<std::unique_ptr<Journal>> journal = Journal::open(jc);
            ready.fetch_add(1);
            while (!go.load())
                QThread::yieldCurrentThread();
            if (!journal.ok()) {
                std::fprintf(stderr, "journal writer %d: %s\n", w, qPrintable(journal.error().toString()));
                openFailed.store(true);
                return;
            }
            writePairs(*journal.value(), w, n, per[size_t(w)]);
        }));
        threads.back()->start();
    }
    while (ready.load() < writers)
        QThread::yieldCurrentThread();
    go.store(true);
    for (const auto &t : threads)
        t->wait();
    JournalSamples all;
    for (const JournalSamples &p : per) {
        all.insertUs.insert(all.insertUs.end(), p.insertUs.begin(), p.insertUs.end());
        all.openUs.insert(all.openUs.end(), p.openUs.begin(), p.openUs.end());
        all.pairUs.insert(all.pairUs.end(), p.pairUs.begin(), p.pairUs.end());
        all.failures += p.failures;
    }
    if (openFailed.load())
        return std::nullopt;
    return all;
}

QString filesystemOf(const QString &path)
{
    QFile mounts(QStringLiteral("/proc/mounts"));
    if (!mounts.open(QIODevice::ReadOnly))
        return QStringLiteral("?");
    const QString canonical = QFileInfo(path).canonicalFilePath();
    QString best, type = QStringLiteral("?");
    for (const QByteArray &line : mounts.readAll().split('\n')) {
        const QList<QByteArray> f = line.split(' ');
        if (f.size() < 3)
            continue;
        const QString mountPoint = QString::fromUtf8(f.at(1));
        if ((canonical == mountPoint || canonical.startsWith(mountPoint.endsWith(u'/') ? mountPoint : mountPoint + u'/'))
            && mountPoint.size() > best.size()) {
            best = mountPoint;
            type = QString::fromUtf8(f.at(2));
        }
    }
    return type;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("vigil.*.info=false\nvigil.*.debug=false\nvigil.*.warning=false\n"
                                                    "qt.*.warning=false"));
    qRegisterMetaType<EngineEvent>();
    qRegisterMetaType<AccountSnapshot>();
    qRegisterMetaType<EmergencyStopReport>();
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Engine latency: tick → buy, emergency stop, journal writes."));
    parser.addHelpOption();
    const QCommandLineOption quickOpt(QStringLiteral("quick"), QStringLiteral("A tiny run for CI."));
    const QCommandLineOption accountsOpt(QStringLiteral("accounts"), QStringLiteral("Accounts."), QStringLiteral("n"),
                                         QStringLiteral("20"));
    const QCommandLineOption botsOpt(QStringLiteral("bots"), QStringLiteral("Bots per account (≤ 10)."), QStringLiteral("n"),
                                     QStringLiteral("5"));
    const QCommandLineOption secondsOpt(QStringLiteral("seconds"), QStringLiteral("tick → buy window."), QStringLiteral("s"),
                                        QStringLiteral("60"));
    const QCommandLineOption stopsOpt(QStringLiteral("stops"), QStringLiteral("Emergency stops."), QStringLiteral("n"),
                                      QStringLiteral("20"));
    const QCommandLineOption journalOpt(QStringLiteral("journal-n"), QStringLiteral("Journal write pairs per filesystem."),
                                        QStringLiteral("n"), QStringLiteral("2000"));
    const QCommandLineOption dirOpt(QStringLiteral("dir"), QStringLiteral("Folder for journals (default: the temp folder)."),
                                    QStringLiteral("path"), QDir::tempPath());
    const QCommandLineOption ticksOpt(QStringLiteral("contract-ticks"), QStringLiteral("tick → buy: contract duration in ticks."),
                                      QStringLiteral("n"), QStringLiteral("5"));
    const QCommandLineOption noPeerOpt(QStringLiteral("no-tmpfs-peer"), QStringLiteral("tick → buy: skip the run on /dev/shm."));
    const QCommandLineOption verboseOpt(QStringLiteral("verbose"), QStringLiteral("Print every engine event to stderr."));
    const QCommandLineOption roundsOpt(QStringLiteral("rounds"),
                                       QStringLiteral("tick → buy and journal: rounds, disk and tmpfs alternating."),
                                       QStringLiteral("n"), QStringLiteral("3"));
    parser.addOptions({quickOpt, accountsOpt, botsOpt, secondsOpt, stopsOpt, journalOpt, dirOpt, ticksOpt, noPeerOpt,
                       verboseOpt, roundsOpt});
    parser.process(app);

    const bool quick = parser.isSet(quickOpt);
    s_verbose = parser.isSet(verboseOpt);
    const int accounts = quick ? 4 : std::clamp(parser.value(accountsOpt).toInt(), 1, 200);
    const int bots = quick ? 5 : std::clamp(parser.value(botsOpt).toInt(), 1, int(s_symbols.size()));
    const double seconds = quick ? 5 : std::max(1.0, parser.value(secondsOpt).toDouble());
    const int stops = quick ? 1 : std::max(1, parser.value(stopsOpt).toInt());
    const int rounds = quick ? 1 : std::max(1, parser.value(roundsOpt).toInt());
    const int journalN = quick ? 100 : std::max(10, parser.value(journalOpt).toInt());
    const QString baseDir = parser.value(dirOpt);
    // Full runs: 5-tick contracts keep every account inside Deriv's call budget (the account workers' clients
    // enforce it); the quick run uses 1-tick contracts so that its short window sees buys at all.
    const int ticksPerContract = quick ? 1 : std::clamp(parser.value(ticksOpt).toInt(), 1, 10);
    const double tickScale = 1.0;  // 1 s / 2 s ticks: the accounts stay inside Deriv's call budget
    const double stopScale = 4.0;  // entry ticks come sooner; 60-minute contracts still stay open
    bool allOk = true;

    std::printf("# bench_engine%s\n\n", quick ? " --quick" : "");
    std::printf("Machine: %d cores (shared). Paper-mode Engine, embedded simulator (own thread, rate limits off), "
                "SQLite journal under %s (%s).\nLoad average at start (/proc/loadavg): %s\n",
                QThread::idealThreadCount(), qPrintable(baseDir), qPrintable(filesystemOf(baseDir)),
                qPrintable(loadAverage()));

    const QString shm = QStringLiteral("/dev/shm");
    const QString diskName = QStringLiteral("%1 (%2)").arg(baseDir, filesystemOf(baseDir));
    const QString shmName = QStringLiteral("%1 (%2)").arg(shm, filesystemOf(shm));
    const bool shmPeer = QFileInfo(shm).isDir() && QFileInfo(shm).isWritable() && filesystemOf(baseDir) != QLatin1String("tmpfs");
    const auto printLoad = [] { std::printf("Load average after this section: %s\n", qPrintable(loadAverage())); };

    // 1. Journal: per round, one writer on --dir, one on tmpfs (the peer: fsync is free there), and `accounts`
    // writers at once on each (every account worker has its own connection to the one journal file).
    struct JournalSeries
    {
        QString where;
        int writers = 1;
        QString folder;
        Rounds insert, open, pair;
        int failures = 0;
        bool ok = true;
    };
    std::vector<JournalSeries> journals{{diskName, 1, baseDir, {}, {}, {}, 0, true}};
    if (shmPeer)
        journals.push_back({shmName + QStringLiteral(", peer: fsync is free"), 1, shm, {}, {}, {}, 0, true});
    // Not in --quick: on a busy disk concurrent writers can fail with Busy (a finding, not a smoke-test failure).
    if (accounts > 1 && !quick) {
        journals.push_back({diskName, accounts, baseDir, {}, {}, {}, 0, true});
        if (shmPeer)
            journals.push_back({shmName, accounts, shm, {}, {}, {}, 0, true});
    }
    const int contendedN = std::max(10, journalN / std::max(1, accounts));
    for (int r = 0; r < rounds; ++r) {
        for (JournalSeries &j : journals) {
            const std::optional<JournalSamples> got = benchJournal(j.folder, j.writers, j.writers > 1 ? contendedN : journalN);
            if (!got) {
                j.ok = false;
                continue;
            }
            j.insert.add(got->insertUs);
            j.open.add(got->openUs);
            j.pair.add(got->pairUs);
            j.failures += got->failures;
        }
    }
    std::printf("\n## Journal trade write (insertPending + markOpen, SQLite WAL, synchronous=FULL; %d rounds of %d pairs "
                "per single writer, %d pairs per writer when %d write at once; median over rounds)\n\n",
                rounds, journalN, contendedN, accounts);
    std::printf("| journal | writers | insertPending p50 / p99 µs | markOpen p50 / p99 µs | pair p50 / p99 µs | pair p99 range "
                "over rounds µs | pair p99 vs tmpfs | failures |\n|---|---|---|---|---|---|---|---|\n");
    const double peerP99 = shmPeer && !journals.at(1).pair.empty() ? journals.at(1).pair.p99() : 0;
    for (const JournalSeries &j : journals) {
        allOk = allOk && j.ok && j.failures == 0;
        if (j.pair.empty()) {
            std::printf("| %s | %d | FAILED (see stderr) | | | | | |\n", qPrintable(j.where), j.writers);
            continue;
        }
        std::printf("| %s | %d | %s / %s | %s / %s | %s / %s | %s | %s | %d |\n", qPrintable(j.where), j.writers,
                    qPrintable(fmt(j.insert.p50())), qPrintable(fmt(j.insert.p99())), qPrintable(fmt(j.open.p50())),
                    qPrintable(fmt(j.open.p99())), qPrintable(fmt(j.pair.p50())), qPrintable(fmt(j.pair.p99())),
                    qPrintable(j.pair.p99Range()),
                    qPrintable(peerP99 > 0 ? QString::number(j.pair.p99() / peerP99, 'f', 2) + u'x' : QStringLiteral("–")),
                    j.failures);
    }
    printLoad();

    // 2. tick → buy: rounds alternate the journal on --dir and (full runs) on tmpfs: the same engine without
    // the cost of fsync, in the same run.
    struct T2bSeries
    {
        QString where;
        QString folder;
        Rounds all, first, queued, simTick;
        int buys = 0, unmatched = 0, failedRounds = 0, maxBuysPerAccountMinute = 0;
        qsizetype connections = 0;
    };
    std::vector<T2bSeries> t2b{{diskName, baseDir, {}, {}, {}, {}, 0, 0, 0, 0, 0}};
    if (!quick && shmPeer && !parser.isSet(noPeerOpt))
        t2b.push_back({shmName, shm, {}, {}, {}, {}, 0, 0, 0, 0, 0});
    for (int r = 0; r < rounds; ++r) {
        for (T2bSeries &t : t2b) {
            const std::optional<TickToBuy> got = benchTickToBuy(t.folder, accounts, bots, ticksPerContract, seconds, tickScale);
            if (!got || got->allUs.empty()) {
                if (got)
                    std::fprintf(stderr, "tick → buy on %s: no buy inside the %.0f s window\n", qPrintable(t.where), seconds);
                ++t.failedRounds;
                continue;
            }
            t.all.add(got->allUs);
            t.first.add(got->firstUs);
            t.queued.add(got->queuedUs);
            t.simTick.add(got->simTickUs);
            t.buys += got->buys;
            t.unmatched += got->unmatched;
            t.connections = std::max(t.connections, got->probedConnections);
            t.maxBuysPerAccountMinute = std::max(t.maxBuysPerAccountMinute, got->maxBuysPerAccountMinute);
        }
    }
    std::printf("\n## tick → buy on the wire (%d accounts × %d bots = %d bots over %lld symbols (the simulator has %lld), "
                "FixedEntry, %d-tick contracts, simulator time scale %.0f; %d rounds of %.0f s per journal folder, "
                "alternating; median over rounds)\n\n",
                accounts, bots, accounts * bots,
                static_cast<long long>(std::min<qsizetype>(s_symbols.size(), accounts + bots - 1)),
                static_cast<long long>(s_symbols.size()), ticksPerContract, tickScale, rounds, seconds);
    std::printf("| journal | buys | n | p50 µs | p99 µs | p99 range over rounds µs | p99 vs the first row |\n"
                "|---|---|---|---|---|---|---|\n");
    const double t2bBase = t2b.front().all.empty() ? 0 : t2b.front().all.p99();
    for (const T2bSeries &t : t2b) {
        allOk = allOk && t.failedRounds == 0;
        if (t.all.empty()) {
            std::printf("| %s | FAILED (see stderr) | | | | | |\n", qPrintable(t.where));
            continue;
        }
        const auto line = [&t, t2bBase](const char *name, const Rounds &v, bool headline) {
            if (v.empty())
                return;
            std::printf("| %s | %s | %zu | %s | %s | %s | %s |\n", qPrintable(t.where), name, v.samples, qPrintable(fmt(v.p50())),
                        qPrintable(fmt(v.p99())), qPrintable(v.p99Range()),
                        headline && t2bBase > 0 ? qPrintable(QString::number(v.p99() / t2bBase, 'f', 2) + u'x') : "");
        };
        line("all", t.all, true);
        line("first of its account for that tick (no wait for the account lock)", t.first, false);
        line("behind another buy of the same account (waited for its reply)", t.queued, false);
    }
    for (const T2bSeries &t : t2b) {
        if (t.all.empty())
            continue;
        std::printf("\n%s: %d buys received (%d not attributable to a tick inside the window), %lld connections probed, "
                    "%d failed rounds, busiest account %d buys/min (Deriv's budget: 80 pricing + 180 general calls/min); "
                    "the simulator spent p50 %s / p99 %s µs on a tick (counted against Vigil above). Target tick → buy "
                    "≤ 250 µs p99: %s for all buys (p99 %s µs), %s for the first buy per account and tick (p99 %s µs).\n",
                    qPrintable(t.where), t.buys, t.unmatched, static_cast<long long>(t.connections), t.failedRounds,
                    t.maxBuysPerAccountMinute, qPrintable(fmt(t.simTick.p50())), qPrintable(fmt(t.simTick.p99())),
                    t.all.p99() <= 250 ? "met" : "MISSED", qPrintable(fmt(t.all.p99())),
                    !t.first.empty() && t.first.p99() <= 250 ? "met" : "MISSED", qPrintable(fmt(t.first.p99())));
    }
    printLoad();

    // 3. Emergency stop.
    const std::optional<StopRuns> stop = benchEmergencyStop(baseDir, accounts, bots, stops, stopScale);
    allOk = allOk && stop.has_value() && stop->runs == stops;
    std::printf("\n## Emergency stop (%d accounts × %d open 60-minute contracts, %d runs, simulator time scale %.0f)\n\n",
                accounts, bots, stop ? stop->runs : 0, stopScale);
    if (stop && stop->runs > 0) {
        const Stats h = summarize(stop->haltedUs), s = summarize(stop->sellsSentUs), c = summarize(stop->completedMs);
        std::printf("| from the trigger to | p50 | p99 | max | target |\n|---|---|---|---|---|\n");
        std::printf("| gate halted | %s µs | %s µs | %s µs | ≤ 1 ms: %s |\n", qPrintable(fmt(h.p50)), qPrintable(fmt(h.p99)),
                    qPrintable(fmt(h.max)), h.p99 <= 1000 ? "met" : "MISSED");
        std::printf("| all %d sells on the wire | %s ms | %s ms | %s ms | ≤ 20 ms: %s |\n", stop->expected,
                    qPrintable(fmt(s.p50 / 1000, 2)), qPrintable(fmt(s.p99 / 1000, 2)), qPrintable(fmt(s.max / 1000, 2)),
                    s.p99 <= 20'000 ? "met" : "MISSED");
        std::printf("| all confirmed and re-queried (verified flat) | %s ms | %s ms | %s ms | – |\n", qPrintable(fmt(c.p50, 0)),
                    qPrintable(fmt(c.p99, 0)), qPrintable(fmt(c.max, 0)));
        std::printf("\n%d of %d runs sold everything and verified flat.\n", stop->runs - stop->badRuns, stop->runs);
        for (const QString &p : std::as_const(stop->problems))
            std::fprintf(stderr, "emergency stop problem: %s\n", qPrintable(p));
    } else {
        std::printf("FAILED (see stderr)\n");
    }

    printLoad();

    std::printf("\n%s\n", allOk ? "All measurements completed." : "SOME MEASUREMENTS FAILED (see stderr).");
    std::fflush(stdout);
    return allOk ? 0 : 1;
}

#include "bench_engine.moc"
