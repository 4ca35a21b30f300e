// SPDX-License-Identifier: GPL-3.0-or-later
// The "foundation" benchmark (a program, not a test): Vigil's DerivClient against the simulator on loopback,
// side by side with Deriv's official JS client (@deriv/deriv-api under node, tests/bench/js/bench_js.mjs)
// against the SAME simulator in the same run, so the machine's noise hits both.
//
//   round trip     n sequential `ping`s (each sent when the previous reply arrived): call → reply handler.
//                  A bare QWebSocket doing the same (no client at all) is the floor.
//   throughput     one socket, one tick subscription per synthetic index, the simulator at a high time scale
//                  (it pushes ticks as fast as it can make them); messages reaching the subscriber per second
//                  over a fixed window, and the client's CPU per message (C++: the client thread's CPU time;
//                  node: the whole node process). C++ and JS rounds alternate.
//   reconnect      N proposal_open_contract subscriptions (N open 1-day contracts bought with buyDirect) on
//                  one authorized socket; the simulator drops the socket (FaultInjector::dropNow); measured
//                  from the drop (steady clock, taken on the simulator's thread just before it) to the
//                  client's connectionLost, to its reconnected() signal and to the moment every one of the
//                  N streams has delivered its Reconnected event. backoffInitialMs = 1.
//
// Each simulator runs in this process on its own thread, rate limits off. Prints Markdown tables; exit 0
// unless something failed outright (a missed target is reported, not a failure).
// Usage: bench_client [--quick] [--rtt-n 5000] [--rounds 5] [--seconds 3] [--time-scale 20000]
//                     [--reps 20] [--no-js] [--node PATH] [--js-dir DIR]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QThread>
#include <QTimer>
#include <QWebSocket>

#include "deriv/derivclient.h"
#include "sim/faultinjector.h"
#include "sim/simserver.h"

using namespace Vigil;

namespace {

const QString s_token = QStringLiteral("benchClientToken1");
const QStringList s_symbols{QStringLiteral("R_10"),   QStringLiteral("R_25"),   QStringLiteral("R_50"),
                            QStringLiteral("R_75"),   QStringLiteral("R_100"),  QStringLiteral("1HZ10V"),
                            QStringLiteral("1HZ25V"), QStringLiteral("1HZ50V"), QStringLiteral("1HZ75V"),
                            QStringLiteral("1HZ100V")};

qint64 steadyNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// CPU time of the calling thread in seconds (-1 where the platform has no per-thread clock).
double threadCpuSeconds()
{
#if defined(CLOCK_THREAD_CPUTIME_ID)
    timespec ts{};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
        return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
#endif
    return -1;
}

struct Stats
{
    size_t n = 0;
    double p50 = 0;
    double p99 = 0;
    double max = 0;
};

// Nearest rank: the value at round(p * (n - 1)) of the sorted samples (bench_js.mjs uses the same).
double percentile(const std::vector<double> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    const auto idx = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(idx, sorted.size() - 1)];
}

Stats summarize(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    Stats s;
    s.n = v.size();
    s.p50 = percentile(v, 0.5);
    s.p99 = percentile(v, 0.99);
    s.max = v.empty() ? 0 : v.back();
    return s;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return percentile(v, 0.5);
}

QString fmt(double v, int decimals = 1)
{
    return QString::number(v, 'f', decimals);
}

QString ratio(double num, double den)
{
    return den > 0 && num > 0 ? QString::number(num / den, 'f', 2) + u'x' : QStringLiteral("–");
}

// Runs an event loop until `done` is called or `timeoutMs` passes; false on timeout. Called only from
// main() between phases (never from inside a handler), so it is the only loop running: not nested.
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

// One SimServer on its own thread. Created and destroyed on that thread; the methods below wait for it.
class SimHost
{
public:
    explicit SimHost(const Sim::SimConfig &config)
    {
        m_thread.setObjectName(QStringLiteral("simulator"));
        m_thread.start();
        m_anchor = new QObject;
        m_anchor->moveToThread(&m_thread);
        QMetaObject::invokeMethod(m_anchor, [this, config] {
            m_sim = new Sim::SimServer(config);
            const Result<quint16> port = m_sim->listen();
            if (port.ok())
                m_url = m_sim->url();
            else
                std::fprintf(stderr, "simulator: %s\n", qPrintable(port.error().message));
        }, Qt::BlockingQueuedConnection);
    }
    ~SimHost()
    {
        QMetaObject::invokeMethod(m_anchor, [this] {
            delete m_sim;
            m_sim = nullptr;
        }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
        delete m_anchor;
    }
    Q_DISABLE_COPY_MOVE(SimHost)

    QUrl url() const { return m_url; }
    // Runs fn on the simulator's thread and waits for it.
    void call(const std::function<void(Sim::SimServer &)> &fn)
    {
        QMetaObject::invokeMethod(m_anchor, [this, &fn] { fn(*m_sim); }, Qt::BlockingQueuedConnection);
    }
    // Queues fn on the simulator's thread.
    void post(std::function<void(Sim::SimServer &)> fn)
    {
        QMetaObject::invokeMethod(m_anchor, [this, fn = std::move(fn)] { fn(*m_sim); }, Qt::QueuedConnection);
    }

private:
    QThread m_thread;
    QObject *m_anchor = nullptr;
    Sim::SimServer *m_sim = nullptr;
    QUrl m_url;
};

Sim::SimConfig simConfig(double timeScale)
{
    Sim::SimConfig c;
    c.seed = 7;
    c.timeScale = timeScale;
    c.rateLimitsEnabled = false;
    c.logRequests = false;
    c.idleTimeoutMs = 0;
    return c;
}

DerivClient::Options clientOptions(const QUrl &url, const QString &token = {})
{
    DerivClient::Options o;
    o.url = url;
    o.token = token;
    o.accountLabel = QStringLiteral("bench");
    o.clientRateLimit = false;
    o.pingIntervalMs = 3'600'000; // no keepalive traffic inside the measurements
    o.silenceTimeoutMs = 3'600'000;
    o.backoffInitialMs = 1;
    o.backoffMaxMs = 1000;
    return o;
}

// ------------------------------------------------------------------------------------------------
// C++ measurements

std::optional<Stats> cppRoundTrip(const QUrl &url, int n)
{
    DerivClient client(clientOptions(url));
    QObject ctx;
    std::vector<double> us;
    us.reserve(size_t(n));
    int i = -50; // warm-up pings, not counted
    qint64 t0 = 0;
    bool failed = false;
    std::function<void()> next;
    const bool ok = runUntil(120'000, [&](const std::function<void()> &done) {
        next = [&, done] {
            if (i == n) {
                done();
                return;
            }
            t0 = steadyNs();
            client.send(QJsonObject{{QStringLiteral("ping"), 1}}, &ctx, [&, done](const Result<QJsonObject> &r) {
                const qint64 t1 = steadyNs();
                if (!r.ok() || r->value(QLatin1String("ping")).toString() != QLatin1String("pong")) {
                    failed = true;
                    done();
                    return;
                }
                if (i >= 0)
                    us.push_back(double(t1 - t0) / 1000.0);
                ++i;
                next();
            });
        };
        QObject::connect(&client, &DerivClient::ready, &ctx, [&] { next(); }, Qt::SingleShotConnection);
        client.open();
    });
    client.close();
    if (!ok || failed) {
        std::fprintf(stderr, "C++ round trip failed (%s)\n", ok ? "bad reply" : "timeout");
        return std::nullopt;
    }
    return summarize(us);
}

// The floor: a bare QWebSocket, no client (frames built by hand, replies not even parsed).
std::optional<Stats> rawRoundTrip(const QUrl &url, int n)
{
    QWebSocket socket;
    std::vector<double> us;
    us.reserve(size_t(n));
    int i = -50;
    qint64 t0 = 0;
    const bool ok = runUntil(120'000, [&](const std::function<void()> &done) {
        auto sendNext = [&] {
            t0 = steadyNs();
            socket.sendTextMessage(QStringLiteral("{\"ping\":1,\"req_id\":%1}").arg(i + 100));
        };
        QObject::connect(&socket, &QWebSocket::connected, &socket, sendNext);
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket, [&, done, sendNext](const QString &) {
            const qint64 t1 = steadyNs();
            if (i >= 0)
                us.push_back(double(t1 - t0) / 1000.0);
            if (++i == n) {
                done();
                return;
            }
            sendNext();
        });
        socket.open(url);
    });
    socket.abort();
    if (!ok) {
        std::fprintf(stderr, "raw QWebSocket round trip timed out\n");
        return std::nullopt;
    }
    return summarize(us);
}

struct Throughput
{
    double perSecond = 0;
    qint64 messages = 0;
    double seconds = 0;
    double cpuUsPerMessage = -1;
};

std::optional<Throughput> cppThroughput(const QUrl &url, double seconds, double warmup)
{
    DerivClient client(clientOptions(url));
    QObject ctx;
    qint64 count = 0;
    QSet<QString> seen;
    bool failed = false;
    Throughput out;
    const bool ok = runUntil(int((seconds + warmup) * 1000) + 30'000, [&](const std::function<void()> &done) {
        auto measure = [&, done] {
            QTimer::singleShot(int(warmup * 1000), &ctx, [&, done] {
                const qint64 c0 = count;
                const qint64 t0 = steadyNs();
                const double cpu0 = threadCpuSeconds();
                QTimer::singleShot(int(seconds * 1000), &ctx, [&, done, c0, t0, cpu0] {
                    out.messages = count - c0;
                    out.seconds = double(steadyNs() - t0) / 1e9;
                    out.perSecond = double(out.messages) / out.seconds;
                    const double cpu1 = threadCpuSeconds();
                    if (cpu0 >= 0 && out.messages > 0)
                        out.cpuUsPerMessage = (cpu1 - cpu0) * 1e6 / double(out.messages);
                    done();
                });
            });
        };
        for (const QString &symbol : s_symbols) {
            client.subscribe(QJsonObject{{QStringLiteral("ticks"), symbol}}, &ctx,
                             [&, symbol, measure, done](const DerivClient::StreamEvent &ev) {
                                 if (ev.kind != DerivClient::StreamEvent::Kind::Message) {
                                     if (ev.kind != DerivClient::StreamEvent::Kind::Reconnected) {
                                         std::fprintf(stderr, "tick stream %s: %s\n", qPrintable(symbol),
                                                      qPrintable(ev.error.toString()));
                                         failed = true;
                                         done();
                                     }
                                     return;
                                 }
                                 ++count;
                                 if (!seen.contains(symbol)) {
                                     seen.insert(symbol);
                                     if (seen.size() == s_symbols.size())
                                         measure();
                                 }
                             });
        }
        client.open();
    });
    client.close();
    if (!ok || failed) {
        std::fprintf(stderr, "C++ throughput failed (%s)\n", ok ? "stream error" : "timeout");
        return std::nullopt;
    }
    return out;
}

struct ReconnectRow
{
    int n = 0;
    int reps = 0;
    std::vector<double> lostMs, signalMs, allMs;
    int restoredReported = -1; // reconnected()'s count, last rep
    bool ok = true;
};

ReconnectRow cppReconnect(SimHost &sim, const QList<qint64> &contracts, int n, int reps)
{
    ReconnectRow row;
    row.n = n;
    DerivClient client(clientOptions(sim.url(), s_token));
    QObject ctx;
    int live = 0;
    int restored = 0;
    std::atomic<qint64> dropNs{0};
    qint64 lostNs = 0, signalNs = 0, allNs = 0;
    std::function<void()> repDone; // set while a rep runs
    std::vector<bool> seen(size_t(n), false);

    QObject::connect(&client, &DerivClient::connectionLost, &ctx, [&](const Error &) { lostNs = steadyNs(); });
    QObject::connect(&client, &DerivClient::reconnected, &ctx, [&](qint64, int count) {
        signalNs = steadyNs();
        row.restoredReported = count;
        if (allNs && repDone)
            repDone();
    });
    for (int i = 0; i < n; ++i) {
        const QJsonObject request{{QStringLiteral("proposal_open_contract"), 1},
                                  {QStringLiteral("contract_id"), contracts.at(i)}};
        // (The client copies handlers when it queues an event: state lives out here, not in the lambda.)
        client.subscribe(request, &ctx, [&, i](const DerivClient::StreamEvent &ev) {
            using Kind = DerivClient::StreamEvent::Kind;
            if (ev.kind == Kind::Message && !seen[size_t(i)]) {
                seen[size_t(i)] = true;
                ++live;
            } else if (ev.kind == Kind::Reconnected) {
                if (++restored == n) {
                    allNs = steadyNs();
                    if (signalNs && repDone)
                        repDone();
                }
            } else if (ev.kind == Kind::Ended || ev.kind == Kind::Failed) {
                std::fprintf(stderr, "poc stream ended: %s\n", qPrintable(ev.error.toString()));
                row.ok = false;
            }
        });
    }
    // Every stream live first.
    const bool up = runUntil(60'000, [&](const std::function<void()> &done) {
        auto poll = std::make_shared<QTimer>();
        QObject::connect(poll.get(), &QTimer::timeout, &ctx, [&, done, poll] {
            if (live == n) {
                poll->stop();
                done();
            }
        });
        poll->start(5);
        client.open();
    });
    if (!up) {
        std::fprintf(stderr, "reconnect N=%d: only %d of %d streams came up\n", n, live, n);
        row.ok = false;
        return row;
    }
    for (int rep = 0; rep < reps && row.ok; ++rep) {
        restored = 0;
        lostNs = signalNs = allNs = 0;
        const bool ok = runUntil(30'000, [&](const std::function<void()> &done) {
            repDone = done;
            // Let the socket settle (poc updates in flight) before each drop.
            QTimer::singleShot(rep == 0 ? 200 : 50, &ctx, [&] {
                sim.post([&dropNs](Sim::SimServer &s) {
                    dropNs.store(steadyNs());
                    s.faults().dropNow();
                });
            });
        });
        repDone = nullptr;
        if (!ok) {
            std::fprintf(stderr, "reconnect N=%d rep %d: %d of %d restored within 30 s\n", n, rep, restored, n);
            row.ok = false;
            break;
        }
        const qint64 d = dropNs.load();
        row.lostMs.push_back(double(lostNs - d) / 1e6);
        row.signalMs.push_back(double(signalNs - d) / 1e6);
        row.allMs.push_back(double(allNs - d) / 1e6);
        ++row.reps;
    }
    client.close();
    return row;
}

// ------------------------------------------------------------------------------------------------
// The JS peer

class JsPeer
{
public:
    JsPeer(QString node, QString dir) : m_node(std::move(node)), m_dir(std::move(dir)) {}

    // Empty when it can run; otherwise why not.
    QString unavailable() const
    {
        if (m_node.isEmpty())
            return QStringLiteral("node not found on PATH");
        if (!QFileInfo::exists(m_dir + QStringLiteral("/node_modules/@deriv/deriv-api/package.json")))
            return QStringLiteral("run `npm ci` in %1").arg(QDir::cleanPath(m_dir));
        return {};
    }

    std::optional<QJsonObject> run(const QStringList &args, int timeoutMs) const
    {
        QProcess p;
        p.setProgram(m_node);
        p.setArguments(QStringList{m_dir + QStringLiteral("/bench_js.mjs")} + args);
        p.start();
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished(2000);
            std::fprintf(stderr, "bench_js.mjs %s: timed out\n", qPrintable(args.join(u' ')));
            return std::nullopt;
        }
        const QByteArray out = p.readAllStandardOutput();
        if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
            std::fprintf(stderr, "bench_js.mjs %s: exit %d\n%s%s\n", qPrintable(args.join(u' ')), p.exitCode(),
                         out.constData(), p.readAllStandardError().constData());
            return std::nullopt;
        }
        const QJsonDocument doc = QJsonDocument::fromJson(out.trimmed().split('\n').last());
        if (!doc.isObject()) {
            std::fprintf(stderr, "bench_js.mjs printed no JSON: %s\n", out.constData());
            return std::nullopt;
        }
        return doc.object();
    }

private:
    QString m_node;
    QString m_dir;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("vigil.*.info=false\nvigil.*.debug=false\nvigil.*.warning=false"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("DerivClient vs @deriv/deriv-api against vigil-sim on loopback."));
    parser.addHelpOption();
    const QCommandLineOption quickOpt(QStringLiteral("quick"), QStringLiteral("A tiny run (a few seconds) for CI."));
    const QCommandLineOption rttOpt(QStringLiteral("rtt-n"), QStringLiteral("Sequential pings per client."),
                                    QStringLiteral("n"), QStringLiteral("5000"));
    const QCommandLineOption roundsOpt(QStringLiteral("rounds"), QStringLiteral("Throughput rounds per client (alternating)."),
                                       QStringLiteral("n"), QStringLiteral("5"));
    const QCommandLineOption secondsOpt(QStringLiteral("seconds"), QStringLiteral("Throughput window per round."),
                                        QStringLiteral("s"), QStringLiteral("3"));
    const QCommandLineOption scaleOpt(QStringLiteral("time-scale"), QStringLiteral("Simulator time scale for throughput."),
                                      QStringLiteral("x"), QStringLiteral("20000"));
    const QCommandLineOption repsOpt(QStringLiteral("reps"), QStringLiteral("Drops per N in the reconnect test."),
                                     QStringLiteral("n"), QStringLiteral("20"));
    const QCommandLineOption noJsOpt(QStringLiteral("no-js"), QStringLiteral("Skip the JS peer."));
    const QCommandLineOption nodeOpt(QStringLiteral("node"), QStringLiteral("node executable."), QStringLiteral("path"));
    const QCommandLineOption jsDirOpt(QStringLiteral("js-dir"), QStringLiteral("Folder of bench_js.mjs."),
                                      QStringLiteral("dir"), QStringLiteral(VIGIL_BENCH_JS_DIR));
    parser.addOptions({quickOpt, rttOpt, roundsOpt, secondsOpt, scaleOpt, repsOpt, noJsOpt, nodeOpt, jsDirOpt});
    parser.process(app);

    const bool quick = parser.isSet(quickOpt);
    const int rttN = quick ? 300 : std::max(10, parser.value(rttOpt).toInt());
    const int rounds = quick ? 1 : std::max(1, parser.value(roundsOpt).toInt());
    const double seconds = quick ? 0.5 : std::max(0.2, parser.value(secondsOpt).toDouble());
    const double warmup = quick ? 0.2 : 0.5;
    const double timeScale = std::max(1.0, parser.value(scaleOpt).toDouble());
    const int reps = quick ? 2 : std::max(1, parser.value(repsOpt).toInt());
    const QString node = parser.isSet(nodeOpt) ? parser.value(nodeOpt) : QStandardPaths::findExecutable(QStringLiteral("node"));
    const JsPeer js(node, parser.value(jsDirOpt));
    const QString jsMissing = parser.isSet(noJsOpt) ? QStringLiteral("--no-js") : js.unavailable();
    const bool withJs = jsMissing.isEmpty();
    bool allOk = true;

    std::printf("# bench_client%s\n\n", quick ? " --quick" : "");
    std::printf("Machine: %d cores (shared). Simulators in-process, one thread each, rate limits off, loopback.\n",
                QThread::idealThreadCount());
    if (!withJs)
        std::printf("JS peer skipped: %s\n", qPrintable(jsMissing));

    // 1. Round trip.
    std::optional<Stats> cppRtt, rawRtt;
    std::optional<QJsonObject> jsRtt;
    {
        SimHost sim(simConfig(1.0));
        if (sim.url().isEmpty())
            return 1;
        rawRtt = rawRoundTrip(sim.url(), rttN);
        cppRtt = cppRoundTrip(sim.url(), rttN);
        if (withJs)
            jsRtt = js.run({QStringLiteral("--url"), sim.url().toString(), QStringLiteral("--mode"), QStringLiteral("rtt"),
                            QStringLiteral("--n"), QString::number(rttN)},
                           180'000);
    }
    allOk = allOk && cppRtt && rawRtt && (!withJs || jsRtt);
    std::printf("\n## Request round trip (`ping`, %d sequential calls per client, after 50 warm-up)\n\n", rttN);
    std::printf("| client | n | p50 µs | p99 µs | max µs | p50 vs C++ | p99 vs C++ |\n|---|---|---|---|---|---|---|\n");
    if (rawRtt)
        std::printf("| bare QWebSocket (floor, no client) | %zu | %s | %s | %s | %s | %s |\n", rawRtt->n,
                    qPrintable(fmt(rawRtt->p50)), qPrintable(fmt(rawRtt->p99)), qPrintable(fmt(rawRtt->max)),
                    qPrintable(cppRtt ? ratio(rawRtt->p50, cppRtt->p50) : QStringLiteral("–")),
                    qPrintable(cppRtt ? ratio(rawRtt->p99, cppRtt->p99) : QStringLiteral("–")));
    if (cppRtt)
        std::printf("| Vigil DerivClient (C++) | %zu | %s | %s | %s | 1.00x | 1.00x |\n", cppRtt->n,
                    qPrintable(fmt(cppRtt->p50)), qPrintable(fmt(cppRtt->p99)), qPrintable(fmt(cppRtt->max)));
    if (jsRtt && cppRtt) {
        const double p50 = jsRtt->value(QLatin1String("p50_us")).toDouble();
        const double p99 = jsRtt->value(QLatin1String("p99_us")).toDouble();
        std::printf("| %s (node %s) | %d | %s | %s | %s | %s | %s |\n",
                    qPrintable(jsRtt->value(QLatin1String("client")).toString()),
                    qPrintable(jsRtt->value(QLatin1String("node")).toString()), jsRtt->value(QLatin1String("n")).toInt(),
                    qPrintable(fmt(p50)), qPrintable(fmt(p99)),
                    qPrintable(fmt(jsRtt->value(QLatin1String("max_us")).toDouble())), qPrintable(ratio(p50, cppRtt->p50)),
                    qPrintable(ratio(p99, cppRtt->p99)));
        std::printf("\nTarget: C++ p99 ≥ 3x lower than JS → %s (JS p99 / C++ p99 = %s).\n",
                    p99 >= 3 * cppRtt->p99 ? "met" : "MISSED", qPrintable(ratio(p99, cppRtt->p99)));
    }

    // 2. Throughput: C++ and JS rounds alternate on one simulator.
    std::vector<Throughput> cppTp;
    std::vector<QJsonObject> jsTp;
    {
        SimHost sim(simConfig(timeScale));
        if (sim.url().isEmpty())
            return 1;
        for (int r = 0; r < rounds; ++r) {
            if (auto t = cppThroughput(sim.url(), seconds, warmup))
                cppTp.push_back(*t);
            else
                allOk = false;
            if (withJs) {
                auto j = js.run({QStringLiteral("--url"), sim.url().toString(), QStringLiteral("--mode"),
                                 QStringLiteral("throughput"), QStringLiteral("--symbols"), s_symbols.join(u','),
                                 QStringLiteral("--seconds"), QString::number(seconds), QStringLiteral("--warmup"),
                                 QString::number(warmup)},
                                int((seconds + warmup) * 1000) + 60'000);
                if (j)
                    jsTp.push_back(*j);
                else
                    allOk = false;
            }
        }
    }
    std::printf("\n## Stream throughput (ticks of %lld symbols on one socket, simulator at time scale %.0f; "
                "%d × %.1f s windows per client, alternating)\n\n",
                static_cast<long long>(s_symbols.size()), timeScale, rounds, seconds);
    std::printf("| client | median msg/s | min msg/s | max msg/s | CPU µs per msg (median) | msg/s vs JS | CPU/msg vs JS |\n"
                "|---|---|---|---|---|---|---|\n");
    std::vector<double> cppRate, cppCpu, jsRate, jsCpu;
    for (const Throughput &t : cppTp) {
        cppRate.push_back(t.perSecond);
        if (t.cpuUsPerMessage >= 0)
            cppCpu.push_back(t.cpuUsPerMessage);
    }
    for (const QJsonObject &j : jsTp) {
        jsRate.push_back(j.value(QLatin1String("per_second")).toDouble());
        if (j.contains(QLatin1String("cpu_us_per_msg")))
            jsCpu.push_back(j.value(QLatin1String("cpu_us_per_msg")).toDouble());
    }
    const auto minMax = [](const std::vector<double> &v) {
        return v.empty() ? std::pair<double, double>{0, 0} : std::pair{*std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end())};
    };
    if (!cppRate.empty()) {
        const auto [lo, hi] = minMax(cppRate);
        std::printf("| Vigil DerivClient (C++) | %.0f | %.0f | %.0f | %s | %s | %s |\n", median(cppRate), lo, hi,
                    cppCpu.empty() ? "n/a" : qPrintable(fmt(median(cppCpu), 2)),
                    qPrintable(jsRate.empty() ? QStringLiteral("–") : ratio(median(cppRate), median(jsRate))),
                    qPrintable(jsCpu.empty() || cppCpu.empty() ? QStringLiteral("–") : ratio(median(jsCpu), median(cppCpu)) + QStringLiteral(" less")));
    }
    if (!jsRate.empty()) {
        const auto [lo, hi] = minMax(jsRate);
        std::printf("| %s (node) | %.0f | %.0f | %.0f | %s | 1.00x | 1.00x |\n",
                    qPrintable(jsTp.front().value(QLatin1String("client")).toString()), median(jsRate), lo, hi,
                    jsCpu.empty() ? "n/a" : qPrintable(fmt(median(jsCpu), 2)));
        std::printf("\nTarget: C++ ≥ 5x the JS client's throughput → %s (delivered msg/s ratio %s; CPU per message "
                    "ratio %s).\n",
                    !cppRate.empty() && median(cppRate) >= 5 * median(jsRate) ? "met" : "MISSED",
                    qPrintable(ratio(median(cppRate), median(jsRate))),
                    qPrintable(jsCpu.empty() || cppCpu.empty() ? QStringLiteral("–") : ratio(median(jsCpu), median(cppCpu))));
    }

    // 3. Reconnect with N subscriptions.
    std::vector<ReconnectRow> rows;
    {
        SimHost sim(simConfig(1.0));
        if (sim.url().isEmpty())
            return 1;
        const int maxN = 1000;
        QList<qint64> contracts;
        sim.call([&](Sim::SimServer &s) {
            const Result<QString> login = s.addAccount(s_token, QStringLiteral("USD"), Money::fromMinor(100'000'000'00));
            if (!login.ok())
                return;
            for (int i = 0; i < maxN; ++i) {
                const QJsonObject p{{QStringLiteral("contract_type"), i % 2 ? QStringLiteral("PUT") : QStringLiteral("CALL")},
                                    {QStringLiteral("symbol"), s_symbols.at(i % s_symbols.size())},
                                    {QStringLiteral("amount"), 1},
                                    {QStringLiteral("basis"), QStringLiteral("stake")},
                                    {QStringLiteral("currency"), QStringLiteral("USD")},
                                    {QStringLiteral("duration"), 1},
                                    {QStringLiteral("duration_unit"), QStringLiteral("d")}};
                const Result<QJsonObject> b = s.buyDirect(*login, p);
                if (b.ok())
                    contracts.append(b->value(QLatin1String("contract_id")).toInteger());
            }
        });
        if (contracts.size() != maxN) {
            std::fprintf(stderr, "could only buy %lld of %d contracts\n", static_cast<long long>(contracts.size()), maxN);
            return 1;
        }
        for (int n : {1, 100, 1000})
            rows.push_back(cppReconnect(sim, contracts, n, n == 1000 ? std::max(1, reps / 2) : reps));
    }
    std::printf("\n## Socket drop → N proposal_open_contract subscriptions restored (DerivClient, backoffInitialMs = 1)\n\n");
    std::printf("| N | drops | drop → connectionLost p50 / p99 ms | drop → reconnected() p50 / p99 ms | "
                "drop → all N Reconnected p50 / p99 ms | max ms | reconnected() count |\n|---|---|---|---|---|---|---|\n");
    for (const ReconnectRow &r : rows) {
        allOk = allOk && r.ok;
        const Stats lost = summarize(r.lostMs), sig = summarize(r.signalMs), all = summarize(r.allMs);
        std::printf("| %d | %d | %s / %s | %s / %s | %s / %s | %s | %d |\n", r.n, r.reps, qPrintable(fmt(lost.p50, 2)),
                    qPrintable(fmt(lost.p99, 2)), qPrintable(fmt(sig.p50, 2)), qPrintable(fmt(sig.p99, 2)),
                    qPrintable(fmt(all.p50, 2)), qPrintable(fmt(all.p99, 2)), qPrintable(fmt(all.max, 2)), r.restoredReported);
        if (r.n == 1000)
            std::printf("\nTarget: 1000 subscriptions restored in < 250 ms → %s (p99 %s ms).\n",
                        all.n && all.p99 < 250 ? "met" : "MISSED", qPrintable(fmt(all.p99, 1)));
    }
    std::printf("\n%s\n", allOk ? "All measurements completed." : "SOME MEASUREMENTS FAILED (see stderr).");
    std::fflush(stdout);
    return allOk ? 0 : 1;
}
