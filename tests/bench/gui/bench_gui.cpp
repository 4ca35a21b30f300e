// SPDX-License-Identifier: GPL-3.0-or-later
// The "gui" benchmark (a program, not a test): is the desktop console still responsive while 100 bots trade?
//
// The real MainWindow and Engine (paper mode, embedded simulator at --time-scale, default 10x), shown on the
// QPA platform of the environment (offscreen unless QT_QPA_PLATFORM says otherwise; run it under
// `xvfb-run -a` with QT_QPA_PLATFORM=xcb for a real X server). --accounts demo accounts × --bots bots each
// (default 10 × 10), the app's own two example strategies (EngineConfig::paperDefaultJson: flat-stake rise
// and momentum martingale) spread over ten symbols; the per-account limits are raised so every bot keeps
// trading for the whole run, and the simulator's rate limits are off unless --rate-limits (at 10x the
// buys of ten bots exceed Deriv's per-account budget, which would halt bots and lighten the load).
//
// Measured on the GUI thread:
//   event-loop lag  a single-shot precise timer re-armed every --probe-ms (5 ms); the lag of a sample is how
//                   much later than due (monotonic clock) its timeout was delivered: everything the GUI thread
//                   did meanwhile (model updates, layout, painting, the feed's batches) shows up here.
//   RSS             VmRSS from /proc/self/status once a second, VmHWM at the end (the whole process: the
//                   engine's account threads and the simulator live in it too, as in the app).
//   load            snapshots/s and events/s from the engine, batches/s out of ConsoleFeed, dataChanged/s of
//                   the bot table, trades/s (TradeClosed), and how many bots traded in the last 10 s.
// Peer: the same probe in the same process for --peer-seconds before the engine starts (window shown, idle).
//
// --profile: also times every event the GUI thread dispatches at the top level (QApplication::notify, nested
// sends included in their parent's time) and prints where the time went, by receiver class and event type.
//
// Prints Markdown tables; exit 0 unless something failed outright (targets missed are reported, not failures).
// --quick (CTest): 2 accounts × 3 bots for a few seconds; exits 1 if the engine did not trade.
// Usage: bench_gui [--quick] [--seconds 60] [--peer-seconds 10] [--accounts 10] [--bots 10] [--time-scale 10]
//                  [--probe-ms 5] [--rate-limits] [--dir DIR] [--profile] [--verbose]
// --dir: where the journal (SQLite, synchronous=FULL) and settings go, in a fresh sub-folder (default: the
// system temporary folder; /dev/shm takes the journal's fsyncs out of the picture).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QEvent>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMetaEnum>
#include <QSettings>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include "engine/engine.h"
#include "sim/simserver.h"
#include "store/journal.h"
#include "ui/bottablemodel.h"
#include "ui/consolefeed.h"
#include "ui/consolesettings.h"
#include "ui/eventlogmodel.h"
#include "ui/mainwindow.h"

using namespace Vigil;

namespace {

using SteadyClock = std::chrono::steady_clock;

const QStringList s_symbols{QStringLiteral("1HZ10V"), QStringLiteral("1HZ25V"), QStringLiteral("1HZ50V"),
                            QStringLiteral("1HZ75V"), QStringLiteral("1HZ100V"), QStringLiteral("R_10"),
                            QStringLiteral("R_25"), QStringLiteral("R_50"), QStringLiteral("R_75"),
                            QStringLiteral("R_100")};

double msSince(SteadyClock::time_point from, SteadyClock::time_point to)
{
    return std::chrono::duration<double, std::milli>(to - from).count();
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto i = size_t(std::min<double>(double(v.size() - 1), p / 100.0 * double(v.size() - 1) + 0.5));
    return v[i];
}

double maximum(const std::vector<double> &v)
{
    return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
}

// A field of /proc/self/status in MiB ("VmRSS", "VmHWM"); 0 when unreadable.
double procStatusMiB(const char *field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return 0;
}

QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("?");
    const QList<QByteArray> parts = f.readAll().split(' ');
    return QStringLiteral("load average: %1, %2, %3").arg(QString::fromLatin1(parts.value(0)), QString::fromLatin1(parts.value(1)),
                                                          QString::fromLatin1(parts.value(2)));
}

// The app's two example bots (paper default) as templates: bot j of account a uses template j % 2 on symbol
// (a + j) % 10, so an account's bots are spread over symbols and every symbol is shared by accounts.
EngineConfig benchConfig(int accounts, int bots)
{
    const QJsonArray templates = EngineConfig::paperDefaultJson().value(QLatin1String("bots")).toArray();
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
            QJsonObject bot = templates.at(j % templates.size()).toObject();
            QJsonObject strategy = bot.value(QLatin1String("strategy")).toObject();
            const QString oldSymbol = strategy.value(QLatin1String("symbol")).toString();
            const QString symbol = s_symbols.at((a + j) % s_symbols.size());
            strategy.insert(QStringLiteral("symbol"), symbol);
            bot.insert(QStringLiteral("strategy"), strategy);
            bot.insert(QStringLiteral("id"), QStringLiteral("a%1-b%2").arg(a).arg(j));
            bot.insert(QStringLiteral("name"), bot.value(QLatin1String("name")).toString().replace(oldSymbol, symbol));
            bot.insert(QStringLiteral("account"), id);
            botList.append(bot);
        }
    }
    Result<EngineConfig> c = EngineConfig::fromJson(QJsonObject{{QStringLiteral("accounts"), accountList},
                                                                {QStringLiteral("bots"), botList}});
    if (!c.ok())
        qFatal("bench config refused: %s", qPrintable(c.error().message));
    return c.value();
}

// Times what the GUI thread dispatches at the top level of its event loop (--profile).
class ProfilingApplication final : public QApplication
{
public:
    struct Cost
    {
        qint64 count = 0;
        double totalMs = 0;
        double maxMs = 0;
        qint64 over8ms = 0;
    };

    ProfilingApplication(int &argc, char **argv) : QApplication(argc, argv) {}
    Q_DISABLE_COPY_MOVE(ProfilingApplication)
    ~ProfilingApplication() override = default;

    bool enabled = false;
    QHash<QString, Cost> costs;

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (!enabled || m_depth > 0 || QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        ++m_depth;
        const SteadyClock::time_point start = SteadyClock::now();
        const QString key = describe(receiver, event); // before: the receiver may be gone afterwards
        const bool result = QApplication::notify(receiver, event);
        const double ms = msSince(start, SteadyClock::now());
        --m_depth;
        Cost &c = costs[key];
        ++c.count;
        c.totalMs += ms;
        c.maxMs = std::max(c.maxMs, ms);
        if (ms > 8)
            ++c.over8ms;
        return result;
    }

private:
    static QString describe(QObject *receiver, QEvent *event)
    {
        QString who = QString::fromLatin1(receiver->metaObject()->className());
        // Name the console's own owner (the first Vigil class up the parent chain) of Qt's helper objects.
        if (!who.startsWith(QLatin1String("Vigil::"))) {
            for (QObject *p = receiver->parent(); p; p = p->parent()) {
                if (QByteArray(p->metaObject()->className()).startsWith("Vigil::")) {
                    who += QLatin1Char('<') + QString::fromLatin1(p->metaObject()->className()) + QLatin1Char('>');
                    break;
                }
            }
        }
        const char *type = QMetaEnum::fromType<QEvent::Type>().valueToKey(event->type());
        return who + QLatin1Char('/') + (type ? QString::fromLatin1(type) : QString::number(int(event->type())));
    }

    int m_depth = 0;
};

void printProfile(const QHash<QString, ProfilingApplication::Cost> &costs, double seconds)
{
    QList<QString> keys = costs.keys();
    std::sort(keys.begin(), keys.end(), [&costs](const QString &a, const QString &b) { return costs[a].totalMs > costs[b].totalMs; });
    std::printf("\n| GUI-thread event (receiver/type), trading phase | count | total ms/s | max ms | > 8 ms |\n|---|---:|---:|---:|---:|\n");
    for (qsizetype i = 0; i < std::min<qsizetype>(15, keys.size()); ++i) {
        const ProfilingApplication::Cost &c = costs[keys.at(i)];
        std::printf("| %s | %lld | %.2f | %.1f | %lld |\n", qPrintable(keys.at(i)), qlonglong(c.count), c.totalMs / seconds, c.maxMs,
                    qlonglong(c.over8ms));
    }
}

struct Options
{
    bool quick = false;
    int seconds = 60;
    int peerSeconds = 10;
    int accounts = 10;
    int bots = 10;
    double timeScale = 10;
    int probeMs = 5;
    bool rateLimits = false;
    bool profile = false;
    bool verbose = false;
};

// What one phase measured.
struct Phase
{
    QString name;
    std::vector<double> lagMs;
    std::vector<double> rssMiB;
    SteadyClock::time_point start;
    SteadyClock::time_point end;
    // Counters over the phase.
    qint64 snapshots = 0;      // Engine::accountUpdated
    qint64 events = 0;         // Engine::eventRaised
    qint64 batches = 0;        // ConsoleFeed::snapshotsUpdated + eventsArrived
    qint64 botRowChanges = 0;  // BotTableModel::dataChanged
    qint64 logRows = 0;        // EventLogModel rows inserted
    qint64 trades = 0;         // TradeClosed

    double seconds() const { return std::max(1e-9, msSince(start, end) / 1000.0); }
    double rate(qint64 n) const { return double(n) / seconds(); }
};

// The benchmark as a state machine on the GUI thread: idle peer → engine start-up → steady trading → stop.
class GuiBench final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GuiBench)

public:
    GuiBench(const Options &options, ProfilingApplication &app, Engine &engine, MainWindow &window, QObject *parent = nullptr)
        : QObject(parent), m_options(options), m_app(app), m_engine(engine), m_window(window), m_probe(new QTimer(this)),
          m_rss(new QTimer(this))
    {
        m_probe->setSingleShot(true);
        m_probe->setTimerType(Qt::PreciseTimer);
        m_probe->setInterval(options.probeMs);
        connect(m_probe, &QTimer::timeout, this, &GuiBench::probe);
        m_rss->setInterval(1000);
        connect(m_rss, &QTimer::timeout, this, [this] {
            if (m_current)
                m_current->rssMiB.push_back(procStatusMiB("VmRSS"));
        });
        connect(&engine, &Engine::accountUpdated, this, [this](const AccountSnapshot &s) {
            m_latest.insert(s.id, s);
            if (m_current)
                ++m_current->snapshots;
        });
        connect(&engine, &Engine::eventRaised, this, [this](const EngineEvent &e) {
            if (m_options.verbose)
                std::fprintf(stderr, "%s %s: %s\n", qPrintable(e.account), qPrintable(e.bot), qPrintable(e.message));
            if (!m_current)
                return;
            ++m_current->events;
            if (e.kind == EngineEvent::Kind::TradeClosed)
                ++m_current->trades;
            if (e.kind == EngineEvent::Kind::TradeOpened)
                m_lastTrade.insert(e.bot, SteadyClock::now());
        });
        connect(&engine, &Engine::startFailed, this, [this](const Error &e) { fail(QStringLiteral("engine start failed: ") + e.message); });
        connect(window.feed(), &ConsoleFeed::snapshotsUpdated, this, [this] { count(&Phase::batches); });
        connect(window.feed(), &ConsoleFeed::eventsArrived, this, [this] { count(&Phase::batches); });
        connect(window.botModel(), &QAbstractItemModel::dataChanged, this, [this] { count(&Phase::botRowChanges); });
        connect(window.eventModel(), &QAbstractItemModel::rowsInserted, this,
                [this](const QModelIndex &, int first, int last) {
                    if (m_current)
                        m_current->logRows += last - first + 1;
                });
    }

    void begin(const EngineConfig &config)
    {
        m_config = config;
        m_rss->start();
        // Let the window map and paint once before the idle baseline starts.
        QTimer::singleShot(500, this, [this] {
            startPhase(m_idle, QStringLiteral("idle (window shown, engine not started)"));
            QTimer::singleShot(m_options.peerSeconds * 1000, this, &GuiBench::startEngine);
        });
    }

    int exitCode() const { return m_exitCode; }

private:
    void count(qint64 Phase::*counter)
    {
        if (m_current)
            ++(m_current->*counter);
    }

    void startPhase(Phase &phase, const QString &name)
    {
        if (m_current)
            m_current->end = SteadyClock::now();
        phase.name = name;
        phase.start = SteadyClock::now();
        m_current = &phase;
        m_due = SteadyClock::now() + std::chrono::milliseconds(m_options.probeMs);
        m_probe->start();
    }

    void probe()
    {
        const SteadyClock::time_point now = SteadyClock::now();
        if (m_current)
            m_current->lagMs.push_back(msSince(m_due, now));
        m_due = now + std::chrono::milliseconds(m_options.probeMs);
        m_probe->start();
    }

    void startEngine()
    {
        startPhase(m_startup, QStringLiteral("start-up (engine start → every account connected)"));
        const Result<void> started = m_engine.start(m_config);
        if (!started.ok()) {
            fail(QStringLiteral("engine start refused: ") + started.error().message);
            return;
        }
        if (!m_options.rateLimits)
            m_engine.withSimulator([](Sim::SimServer &sim) { sim.setRateLimitsEnabled(false); });
        auto *poll = new QTimer(this);
        poll->setInterval(100);
        connect(poll, &QTimer::timeout, this, [this, poll] {
            if (!allAccountsUp()) {
                if (m_startup.seconds() > 120) {
                    poll->deleteLater();
                    fail(QStringLiteral("not every account connected and reconciled within 120 s"));
                }
                return;
            }
            poll->deleteLater();
            startPhase(m_steady, QStringLiteral("trading (%1 bots, %2x)").arg(m_config.bots.size()).arg(m_options.timeScale));
            m_app.enabled = m_options.profile;
            QTimer::singleShot(m_options.seconds * 1000, this, &GuiBench::finish);
        });
        poll->start();
    }

    bool allAccountsUp() const
    {
        if (m_latest.size() < m_config.accounts.size())
            return false;
        for (const AccountSnapshot &s : m_latest) {
            if (s.connection != AccountSnapshot::Connection::Connected || !s.reconciled)
                return false;
        }
        return true;
    }

    void finish()
    {
        m_steady.end = SteadyClock::now();
        m_app.enabled = false;
        m_current = nullptr;
        m_probe->stop();
        m_rss->stop();
        report();
        if (m_steady.trades == 0) {
            std::printf("\nFAILED: the engine did not trade\n");
            m_exitCode = 1;
        }
        stopEngine();
    }

    void fail(const QString &why)
    {
        std::fprintf(stderr, "bench_gui: %s\n", qPrintable(why));
        m_exitCode = 1;
        m_current = nullptr;
        m_probe->stop();
        stopEngine();
    }

    // Engine::stop() is graceful; the destructor joins whatever is left after a bounded wait.
    void stopEngine()
    {
        if (!m_engine.isRunning()) {
            QCoreApplication::exit(m_exitCode);
            return;
        }
        connect(&m_engine, &Engine::stopped, this, [this] { QCoreApplication::exit(m_exitCode); });
        QTimer::singleShot(10'000, this, [this] {
            std::fprintf(stderr, "note: Engine::stop() did not emit stopped() within 10 s\n");
            QCoreApplication::exit(m_exitCode);
        });
        m_engine.stop();
    }

    void report()
    {
        const double hwm = procStatusMiB("VmHWM");
        const SteadyClock::time_point end = m_steady.end;
        int activeBots = 0;
        for (auto it = m_lastTrade.cbegin(); it != m_lastTrade.cend(); ++it) {
            if (msSince(it.value(), end) <= 10'000)
                ++activeBots;
        }
        std::printf("\n## GUI responsiveness (bench_gui)\n\n");
        std::printf("Platform: %s (Qt %s), %d cores (shared), %s. %s before, %s after.\n",
                    qPrintable(QGuiApplication::platformName()), qVersion(), QThread::idealThreadCount(),
                    qPrintable(QSysInfo::prettyProductName()), qPrintable(m_loadBefore), qPrintable(loadAverage()));
        std::printf("Load: %lld accounts × %lld bots on the embedded simulator at %gx, simulator rate limits %s; "
                    "journal in %s; probe: %d ms precise timer on the GUI thread; ConsoleFeed interval %d ms.\n\n",
                    qlonglong(m_config.accounts.size()), qlonglong(m_config.bots.size() / std::max<qsizetype>(1, m_config.accounts.size())),
                    m_options.timeScale, m_options.rateLimits ? "on" : "off", qPrintable(QFileInfo(m_config.journalUrl).absolutePath()),
                    m_options.probeMs, m_window.feed()->interval());
        std::printf("| Phase | Seconds | Probe samples | Lag p50 (ms) | Lag p99 (ms) | Lag max (ms) | RSS median (MiB) | RSS max (MiB) |\n");
        std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (const Phase *p : {&m_idle, &m_startup, &m_steady}) {
            // RSS is sampled once a second: a phase shorter than that has no sample.
            const QString rss = p->rssMiB.empty() ? QStringLiteral("– | –")
                                                  : QStringLiteral("%1 | %2").arg(percentile(p->rssMiB, 50), 0, 'f', 0).arg(maximum(p->rssMiB), 0, 'f', 0);
            std::printf("| %s | %.1f | %zu | %.2f | %.2f | %.1f | %s |\n", qPrintable(p->name), p->seconds(), p->lagMs.size(),
                        percentile(p->lagMs, 50), percentile(p->lagMs, 99), maximum(p->lagMs), qPrintable(rss));
        }
        const double idle50 = std::max(0.001, percentile(m_idle.lagMs, 50));
        const double idle99 = std::max(0.001, percentile(m_idle.lagMs, 99));
        std::printf("\nRatio trading / idle (same process): lag p50 %.1fx, lag p99 %.1fx, RSS median %.2fx. VmHWM at the end: %.0f MiB.\n",
                    percentile(m_steady.lagMs, 50) / idle50, percentile(m_steady.lagMs, 99) / idle99,
                    percentile(m_steady.rssMiB, 50) / std::max(1.0, percentile(m_idle.rssMiB, 50)), hwm);
        std::printf("\n| Load while trading | per second |\n|---|---:|\n");
        std::printf("| engine snapshots (accountUpdated) | %.0f |\n", m_steady.rate(m_steady.snapshots));
        std::printf("| engine events (eventRaised) | %.0f |\n", m_steady.rate(m_steady.events));
        std::printf("| ConsoleFeed batches (snapshots + events) | %.1f |\n", m_steady.rate(m_steady.batches));
        std::printf("| bot table dataChanged | %.1f |\n", m_steady.rate(m_steady.botRowChanges));
        std::printf("| event log rows appended | %.0f |\n", m_steady.rate(m_steady.logRows));
        std::printf("| trades settled (TradeClosed) | %.1f |\n", m_steady.rate(m_steady.trades));
        std::printf("\nBots that opened a trade in the last 10 s of the run: %d of %lld (%lld trades settled in %.0f s).\n",
                    activeBots, qlonglong(m_config.bots.size()), qlonglong(m_steady.trades), m_steady.seconds());
        const double p99 = percentile(m_steady.lagMs, 99);
        std::printf("Targets: lag p99 < 16 ms: %s (%.2f ms); RSS < 150 MB: %s (VmHWM %.0f MiB = %.0f MB).\n",
                    p99 < 16 ? "met" : "MISSED", p99, hwm * 1.048576 < 150 ? "met" : "MISSED", hwm, hwm * 1.048576);
        if (m_options.profile)
            printProfile(m_app.costs, m_steady.seconds());
        std::fflush(stdout);
    }

    const Options m_options;
    ProfilingApplication &m_app;
    Engine &m_engine;
    MainWindow &m_window;
    QTimer *m_probe;
    QTimer *m_rss;
    EngineConfig m_config;
    SteadyClock::time_point m_due;
    Phase m_idle, m_startup, m_steady;
    Phase *m_current = nullptr;
    QHash<QString, AccountSnapshot> m_latest;
    QHash<QString, SteadyClock::time_point> m_lastTrade;
    QString m_loadBefore = loadAverage();
    int m_exitCode = 0;
};

// Creates the journal (WAL mode, schema) before the account threads open it at once (see bench_engine:
// concurrent first opens of a fresh SQLite file can fail with "database is locked").
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

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    ProfilingApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("GUI-thread event-loop lag and RSS of the console with 100 bots trading."));
    parser.addHelpOption();
    const QCommandLineOption quickOpt(QStringLiteral("quick"), QStringLiteral("A few seconds, 2 accounts × 3 bots (CTest)."));
    const QCommandLineOption secondsOpt(QStringLiteral("seconds"), QStringLiteral("Trading phase length."), QStringLiteral("s"), QStringLiteral("60"));
    const QCommandLineOption peerOpt(QStringLiteral("peer-seconds"), QStringLiteral("Idle baseline length."), QStringLiteral("s"), QStringLiteral("10"));
    const QCommandLineOption accountsOpt(QStringLiteral("accounts"), QStringLiteral("Demo accounts."), QStringLiteral("n"), QStringLiteral("10"));
    const QCommandLineOption botsOpt(QStringLiteral("bots"), QStringLiteral("Bots per account."), QStringLiteral("n"), QStringLiteral("10"));
    const QCommandLineOption scaleOpt(QStringLiteral("time-scale"), QStringLiteral("Simulator speed."), QStringLiteral("x"), QStringLiteral("10"));
    const QCommandLineOption probeOpt(QStringLiteral("probe-ms"), QStringLiteral("Probe period."), QStringLiteral("ms"), QStringLiteral("5"));
    const QCommandLineOption rateOpt(QStringLiteral("rate-limits"), QStringLiteral("Keep the simulator's rate limits on."));
    const QCommandLineOption dirOpt(QStringLiteral("dir"), QStringLiteral("Folder for the journal and settings."), QStringLiteral("dir"),
                                    QDir::tempPath());
    const QCommandLineOption profileOpt(QStringLiteral("profile"), QStringLiteral("Time every top-level GUI-thread event while trading."));
    const QCommandLineOption verboseOpt(QStringLiteral("verbose"), QStringLiteral("Print every engine event to stderr."));
    parser.addOptions({quickOpt, secondsOpt, peerOpt, accountsOpt, botsOpt, scaleOpt, probeOpt, rateOpt, dirOpt, profileOpt, verboseOpt});
    parser.process(app);

    Options o;
    o.quick = parser.isSet(quickOpt);
    bool ok = true;
    auto number = [&parser, &ok](const QCommandLineOption &opt, int lo, int hi) {
        bool good = false;
        const int v = parser.value(opt).toInt(&good);
        if (!good || v < lo || v > hi) {
            std::fprintf(stderr, "bench_gui: --%s: a whole number from %d to %d\n", qPrintable(opt.names().first()), lo, hi);
            ok = false;
        }
        return v;
    };
    o.seconds = number(secondsOpt, 1, 3600);
    o.peerSeconds = number(peerOpt, 1, 3600);
    o.accounts = number(accountsOpt, 1, 100);
    o.bots = number(botsOpt, 1, 100);
    o.probeMs = number(probeOpt, 1, 1000);
    o.timeScale = parser.value(scaleOpt).toDouble(&ok);
    if (!ok || o.timeScale <= 0 || o.timeScale > 1000) {
        std::fprintf(stderr, "bench_gui: bad arguments (see --help)\n");
        return 2;
    }
    o.rateLimits = parser.isSet(rateOpt);
    o.profile = parser.isSet(profileOpt);
    o.verbose = parser.isSet(verboseOpt);
    if (o.quick) {
        o.seconds = 4;
        o.peerSeconds = 1;
        o.accounts = 2;
        o.bots = 3;
    }
    if (!o.verbose)
        QLoggingCategory::setFilterRules(QStringLiteral("vigil.*.debug=false\nvigil.*.info=false"));

    QTemporaryDir dir(QDir(parser.value(dirOpt)).filePath(QStringLiteral("bench-gui-XXXXXX")));
    if (!dir.isValid()) {
        std::fprintf(stderr, "bench_gui: cannot create a folder in %s\n", qPrintable(parser.value(dirOpt)));
        return 1;
    }
    EngineConfig config = benchConfig(o.accounts, o.bots);
    if (!precreateJournal(config, dir.path()))
        return 1;
    Engine::Options eo;
    eo.dataDir = dir.path();
    eo.instanceId = QStringLiteral("bench-gui");
    eo.simTimeScale = o.timeScale;
    eo.simSeed = 42;
    eo.autoStartBots = true;
    Engine engine(eo);
    ConsoleSettings settings(std::make_unique<QSettings>(dir.filePath(QStringLiteral("vigil.ini")), QSettings::IniFormat));
    MainWindow window(engine, settings);
    window.show();

    GuiBench bench(o, app, engine, window);
    bench.begin(config);
    app.exec();
    return bench.exitCode();
}

#include "bench_gui.moc"
