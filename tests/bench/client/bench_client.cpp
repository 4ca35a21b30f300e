// SPDX-License-Identifier: GPL-3.0-or-later
// The "foundation" benchmark (a program, not a test): Vigil's DerivClient against the simulator on loopback,
// side by side with Deriv's official JS client (@deriv/deriv-api under node, tests/bench/js/bench_js.mjs)
// against the SAME simulator in the same run, so the machine's noise hits both.
//
//   round trip     n sequential `ping`s (each sent when the previous reply arrived): call → reply handler.
//                  A bare QWebSocket doing the same (no client at all) is the floor. Rounds alternate the three;
//                  the table shows the median over rounds of each round's p50 and p99.
//   throughput     one socket, one tick subscription per synthetic index, at two simulator time scales: one
//                  both clients keep up with (their CPU per message at equal load is the efficiency figure) and
//                  one past what the simulator can produce (delivered messages per second: the capacity figure,
//                  which for the C++ client is bounded by the simulator sharing the 2 cores). Messages reaching
//                  the subscriber over a fixed window; client CPU (C++: the client thread; node: the whole node
//                  process); the simulator thread's CPU. C++ and JS rounds alternate. The harness flushes the
//                  simulator's sockets every 64 ticks (see flushWorkaround in main()).
//   saturation     the same clients against TickBlaster, a producer that writes tick frames as fast as the client
//                  reads them (TCP backpressure paces it): the delivered rate is then each client's own capacity,
//                  the "throughput", measured instead of derived from the CPU per message. The producer
//                  thread's CPU is printed: near a whole core, the client's figure is a lower bound.
//   reconnect      N proposal_open_contract subscriptions (N open 12-hour contracts bought with buyDirect) on
//                  one authorized socket; the simulator drops the socket (FaultInjector::dropNow); measured
//                  from the drop (steady clock, taken on the simulator's thread just before it) to the
//                  client's connectionLost, to its reconnected() signal (every restore written), to the moment
//                  the simulator's socket has received the N-th request (textFrameReceived, simulator thread)
//                  and to the moment every one of the N streams has delivered its Reconnected event.
//                  backoffInitialMs = 1. The floor: a bare authorized QWebSocket writing the same N requests at
//                  once, first write → N-th reply (what the simulator alone needs).
//
// Each simulator runs in this process on its own thread, rate limits off. Prints Markdown tables; exit 0
// unless something failed outright (a missed target is reported, not a failure).
// Usage: bench_client [--quick] [--rtt-n 5000] [--rtt-rounds 3] [--rounds 5] [--seconds 3] [--time-scale 2000,12000]
//                     [--reps 20] [--no-js] [--no-flush-workaround] [--node PATH] [--js-dir DIR]
//                     [--only rtt,throughput,saturation,reconnect]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

#include <unistd.h>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
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
#include <QWebSocketServer>

#include "../benchstats.h"
#include "deriv/derivclient.h"
#include "deriv/tickframe.h"
#include "sim/faultinjector.h"
#include "sim/market.h"
#include "sim/simserver.h"

using namespace Vigil;
using namespace Vigil::Bench;

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

// CPU seconds thread `tid` of this process has used (-1 where unknown).
double threadCpuSecondsOf(qint64 tid)
{
    QFile stat(QStringLiteral("/proc/self/task/%1/stat").arg(tid));
    if (tid <= 0 || !stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray line = stat.readAll();
    const QList<QByteArray> f = line.mid(line.lastIndexOf(')') + 2).split(' ');
    if (f.size() < 13)
        return -1;
    return double(f.at(11).toLongLong() + f.at(12).toLongLong()) / double(::sysconf(_SC_CLK_TCK));
}

// A named thread with an anchor object living on it: what the simulator and the tick producer run on. The owner
// runs its set-up and tear-down on the thread with runBlocking(); the thread stops when this is destroyed.
class BenchThread
{
public:
    explicit BenchThread(const QString &name)
    {
        m_thread.setObjectName(name);
        m_thread.start();
        m_anchor = new QObject;
        m_anchor->moveToThread(&m_thread);
        runBlocking([this] {
#if defined(Q_OS_LINUX)
            m_tid = qint64(::gettid());
#endif
        });
    }
    ~BenchThread()
    {
        m_thread.quit();
        m_thread.wait();
        delete m_anchor;
    }
    Q_DISABLE_COPY_MOVE(BenchThread)

    QObject *anchor() const { return m_anchor; }
    void runBlocking(const std::function<void()> &fn) const
    {
        QMetaObject::invokeMethod(m_anchor, fn, Qt::BlockingQueuedConnection);
    }
    // CPU seconds the thread has used (-1 where unknown).
    double cpuSeconds() const { return threadCpuSecondsOf(m_tid); }

private:
    QThread m_thread;
    QObject *m_anchor = nullptr;
    qint64 m_tid = 0;
};

// One SimServer on its own thread. Created and destroyed on that thread; the methods below wait for it.
class SimHost
{
public:
    // flushEvery > 0: after every that many generated ticks, flush every session's socket (see main()).
    explicit SimHost(const Sim::SimConfig &config, int flushEvery = 0) : m_thread(QStringLiteral("simulator"))
    {
        m_thread.runBlocking([this, config, flushEvery] {
            m_sim = new Sim::SimServer(config);
            Sim::SimServer *sim = m_sim;
            QObject::connect(&m_sim->market(), &Sim::Market::ticked, m_sim, [this, sim, flushEvery](const QString &, const Sim::Tick &) {
                const qint64 n = m_ticks.fetch_add(1, std::memory_order_relaxed) + 1;
                if (flushEvery > 0 && n % flushEvery == 0) {
                    for (QWebSocket *ws : sim->findChildren<QWebSocket *>())
                        ws->flush();
                }
            });
            const Result<quint16> port = m_sim->listen();
            if (port.ok())
                m_url = m_sim->url();
            else
                std::fprintf(stderr, "simulator: %s\n", qPrintable(port.error().message));
        });
    }
    ~SimHost()
    {
        m_thread.runBlocking([this] {
            delete m_sim;
            m_sim = nullptr;
        });
    }
    Q_DISABLE_COPY_MOVE(SimHost)

    QUrl url() const { return m_url; }
    // CPU seconds the simulator's thread has used (-1 where unknown).
    double cpuSeconds() const { return m_thread.cpuSeconds(); }
    // Ticks the market has generated (all symbols), counted on the simulator's thread.
    const std::atomic<qint64> &ticksGenerated() const { return m_ticks; }
    // Runs fn on the simulator's thread and waits for it.
    void call(const std::function<void(Sim::SimServer &)> &fn)
    {
        m_thread.runBlocking([this, &fn] { fn(*m_sim); });
    }
    // Queues fn on the simulator's thread.
    void post(std::function<void(Sim::SimServer &)> fn)
    {
        QMetaObject::invokeMethod(m_thread.anchor(), [this, fn = std::move(fn)] { fn(*m_sim); }, Qt::QueuedConnection);
    }

private:
    BenchThread m_thread;
    Sim::SimServer *m_sim = nullptr;
    QUrl m_url;
    std::atomic<qint64> m_ticks{0};
};

// A producer that writes tick frames as fast as the client reads them, so a client's delivered rate is its own
// capacity and not what a simulator can generate: a QWebSocketServer on its own thread that answers a `ticks`
// subscription like Deriv (the first tick carries the request's req_id, echo_req and a new subscription id), then
// writes one tick per subscribed symbol in turn, each symbol's epoch one higher than its last, in bursts while the
// socket holds less than kHighWater unwritten bytes; TCP's backpressure then paces it to the reader. The frames
// have the simulator's shape and field order. Answers ping, forget and forget_all; anything else with an empty
// reply of its own msg_type. Used by the saturation section only.
class TickBlaster
{
public:
    TickBlaster() : m_thread(QStringLiteral("blaster"))
    {
        m_thread.runBlocking([this] {
            m_server = new QWebSocketServer(QStringLiteral("blaster"), QWebSocketServer::NonSecureMode, m_thread.anchor());
            QObject::connect(m_server, &QWebSocketServer::newConnection, m_thread.anchor(), [this] {
                while (QWebSocket *ws = m_server->nextPendingConnection())
                    accept(ws);
            });
            if (m_server->listen(QHostAddress::LocalHost, 0))
                m_url = QUrl(QStringLiteral("ws://127.0.0.1:%1/websockets/v3?app_id=1089").arg(m_server->serverPort()));
            else
                std::fprintf(stderr, "blaster: %s\n", qPrintable(m_server->errorString()));
        });
    }
    ~TickBlaster()
    {
        m_thread.runBlocking([this] {
            m_connections.clear();
            qDeleteAll(m_thread.anchor()->findChildren<QWebSocket *>()); // the accepted sockets (children of the anchor)
            delete m_server;
            m_server = nullptr;
        });
    }
    Q_DISABLE_COPY_MOVE(TickBlaster)

    QUrl url() const { return m_url; }
    // Tick frames written (all connections).
    const std::atomic<qint64> &ticksGenerated() const { return m_written; }
    double cpuSeconds() const { return m_thread.cpuSeconds(); }

private:
    static constexpr qint64 kHighWater = 256 * 1024;
    static constexpr int kBurst = 256;

    struct Stream
    {
        QString subscriptionId;
        QString prefix; // the frame up to the epoch's digits
        QString suffix; // the rest
        qint64 epoch = 1'700'000'000;
    };
    struct Connection
    {
        QWebSocket *ws = nullptr;
        std::vector<Stream> streams;
        size_t next = 0;
        bool scheduled = false;
    };

    void accept(QWebSocket *ws)
    {
        ws->setParent(m_thread.anchor());
        auto c = std::make_shared<Connection>();
        c->ws = ws;
        m_connections.push_back(c);
        std::weak_ptr<Connection> weak = c;
        QObject::connect(ws, &QWebSocket::textMessageReceived, ws, [this, weak](const QString &text) {
            if (auto conn = weak.lock())
                onRequest(*conn, text);
        });
        QObject::connect(ws, &QWebSocket::bytesWritten, ws, [this, weak](qint64) {
            if (auto conn = weak.lock())
                schedule(*conn);
        });
        QObject::connect(ws, &QWebSocket::disconnected, ws, [this, ws, weak] {
            if (auto conn = weak.lock())
                conn->streams.clear();
            ws->deleteLater();
            m_connections.erase(std::remove_if(m_connections.begin(), m_connections.end(),
                                               [ws](const std::shared_ptr<Connection> &x) { return x->ws == ws; }),
                                m_connections.end());
        });
    }

    void reply(Connection &c, QJsonObject o, const QJsonObject &request, const QString &msgType)
    {
        o.insert(QStringLiteral("echo_req"), request);
        o.insert(QStringLiteral("msg_type"), msgType);
        if (request.contains(QLatin1String("req_id")))
            o.insert(QStringLiteral("req_id"), request.value(QLatin1String("req_id")));
        c.ws->sendTextMessage(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
    }

    void onRequest(Connection &c, const QString &text)
    {
        const QJsonObject request = QJsonDocument::fromJson(text.toUtf8()).object();
        if (request.contains(QLatin1String("ticks"))) {
            const QString symbol = request.value(QLatin1String("ticks")).toString();
            const QString id = QStringLiteral("%1").arg(++m_nextId, 32, 16, QLatin1Char('0'));
            QJsonObject echo = request;
            const QString reqId = request.contains(QLatin1String("req_id"))
                ? QStringLiteral("\"req_id\":%1,").arg(request.value(QLatin1String("req_id")).toInteger())
                : QString();
            Stream s;
            s.subscriptionId = id;
            s.prefix = QStringLiteral("{\"echo_req\":") + QString::fromUtf8(QJsonDocument(echo).toJson(QJsonDocument::Compact))
                + QStringLiteral(",\"msg_type\":\"tick\",") + reqId + QStringLiteral("\"subscription\":{\"id\":\"") + id
                + QStringLiteral("\"},\"tick\":{\"ask\":1234.57,\"bid\":1234.55,\"epoch\":");
            s.suffix = QStringLiteral(",\"id\":\"") + id + QStringLiteral("\",\"pip_size\":2,\"quote\":1234.56,\"symbol\":\"")
                + symbol + QStringLiteral("\"}}");
            c.streams.push_back(s);
            schedule(c);
            return;
        }
        if (request.contains(QLatin1String("ping")))
            return reply(c, QJsonObject{{QStringLiteral("ping"), QStringLiteral("pong")}}, request, QStringLiteral("ping"));
        if (request.contains(QLatin1String("forget_all"))) {
            QJsonArray ids;
            for (const Stream &s : c.streams)
                ids.append(s.subscriptionId);
            c.streams.clear();
            return reply(c, QJsonObject{{QStringLiteral("forget_all"), ids}}, request, QStringLiteral("forget_all"));
        }
        if (request.contains(QLatin1String("forget"))) {
            const QString id = request.value(QLatin1String("forget")).toString();
            const auto before = c.streams.size();
            c.streams.erase(std::remove_if(c.streams.begin(), c.streams.end(),
                                           [&id](const Stream &s) { return s.subscriptionId == id; }),
                            c.streams.end());
            return reply(c, QJsonObject{{QStringLiteral("forget"), c.streams.size() < before ? 1 : 0}}, request,
                         QStringLiteral("forget"));
        }
        const QString call = request.isEmpty() ? QStringLiteral("error") : request.constBegin().key();
        reply(c, QJsonObject{{call, 1}}, request, call);
    }

    void schedule(Connection &c)
    {
        if (c.scheduled || c.streams.empty())
            return;
        c.scheduled = true;
        QWebSocket *ws = c.ws;
        QMetaObject::invokeMethod(ws, [this, ws] {
            for (const std::shared_ptr<Connection> &conn : m_connections) {
                if (conn->ws == ws) {
                    burst(*conn);
                    return;
                }
            }
        }, Qt::QueuedConnection);
    }

    void burst(Connection &c)
    {
        c.scheduled = false;
        if (c.streams.empty() || !c.ws->isValid())
            return;
        int n = 0;
        while (n < kBurst && c.ws->bytesToWrite() < kHighWater) {
            Stream &s = c.streams[c.next++ % c.streams.size()];
            ++s.epoch;
            c.ws->sendTextMessage(s.prefix + QString::number(s.epoch) + s.suffix);
            ++n;
        }
        m_written.fetch_add(n, std::memory_order_relaxed);
        c.ws->flush();
        if (c.ws->bytesToWrite() < kHighWater)
            schedule(c); // room left: go on after the event loop has read what came in
        // else: bytesWritten schedules the next burst
    }

    BenchThread m_thread;
    QWebSocketServer *m_server = nullptr;
    std::vector<std::shared_ptr<Connection>> m_connections;
    QUrl m_url;
    std::atomic<qint64> m_written{0};
    quint64 m_nextId = 0;
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

std::optional<std::vector<double>> cppRoundTrip(const QUrl &url, int n)
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
    return us;
}

// The floor: a bare QWebSocket, no client (frames built by hand, replies not even parsed).
std::optional<std::vector<double>> rawRoundTrip(const QUrl &url, int n)
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
    return us;
}

struct Throughput
{
    double simCpuShare = -1; // the simulator thread's CPU over the window (1 = a whole core)
    double offeredPerSecond = 0; // ticks the simulator generated for the subscribed symbols
    double perSecond = 0;
    qint64 messages = 0;
    double seconds = 0;
    double cpuUsPerMessage = -1;
};

// typed: the subscriber asks for typed ticks (what the engine does: most live ticks skip the JSON document,
// see TickFrame) and reads each tick's symbol, epoch and quote; otherwise it gets every tick as a QJsonObject.
template<typename Source>
std::optional<Throughput> cppThroughput(const Source &sim, double seconds, double warmup, bool typed)
{
    const QUrl url = sim.url();
    const std::atomic<qint64> &generated = sim.ticksGenerated();
    DerivClient client(clientOptions(url));
    QObject ctx;
    qint64 count = 0;
    qint64 typedCount = 0;
    qint64 checksum = 0; // what the subscriber read, so nothing is optimised away
    QSet<QString> seen;
    bool failed = false;
    Throughput out;
    DerivClient::SubscribeOptions options;
    options.typedTicks = typed;
    const bool ok = runUntil(int((seconds + warmup) * 1000) + 30'000, [&](const std::function<void()> &done) {
        auto measure = [&, done] {
            QTimer::singleShot(int(warmup * 1000), &ctx, [&, done] {
                const qint64 c0 = count;
                const qint64 g0 = generated.load();
                const qint64 t0 = steadyNs();
                const double cpu0 = threadCpuSeconds();
                const double simCpu0 = sim.cpuSeconds();
                QTimer::singleShot(int(seconds * 1000), &ctx, [&, done, c0, g0, t0, cpu0, simCpu0] {
                    out.messages = count - c0;
                    out.seconds = double(steadyNs() - t0) / 1e9;
                    out.perSecond = double(out.messages) / out.seconds;
                    out.offeredPerSecond = double(generated.load() - g0) / out.seconds;
                    if (simCpu0 >= 0)
                        out.simCpuShare = (sim.cpuSeconds() - simCpu0) / out.seconds;
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
                                 if (ev.tick) {
                                     ++typedCount;
                                     checksum += ev.tick->epoch + ev.tick->quoteUnits + ev.tick->symbol.size();
                                 }
                                 if (!seen.contains(symbol)) {
                                     seen.insert(symbol);
                                     if (seen.size() == s_symbols.size())
                                         measure();
                                 }
                             },
                             options);
        }
        client.open();
    });
    client.close();
    if (typed && count > 0 && typedCount * 10 < count * 9)
        std::fprintf(stderr, "typed ticks: only %lld of %lld came typed\n", static_cast<long long>(typedCount),
                     static_cast<long long>(count));
    if (checksum == 42)
        std::fprintf(stderr, " ");
    if (!ok || failed) {
        std::fprintf(stderr, "C++ throughput failed (%s)\n", ok ? "stream error" : "timeout");
        return std::nullopt;
    }
    return out;
}

// The floors of the CPU per message: a bare QWebSocket subscribed to the same ticks (frames built by hand) that
// only counts what arrives, the same parsing each message with QJsonDocument::fromJson (what a Qt client that
// builds a document per message must do), and the same reading each with TickFrame (the typed-tick fast path).
enum class RawParse { None, QtJson, TickFrame };

template<typename Source>
std::optional<Throughput> rawThroughput(const Source &sim, double seconds, double warmup, RawParse parse)
{
    const std::atomic<qint64> &generated = sim.ticksGenerated();
    QWebSocket socket;
    QObject ctx;
    qint64 count = 0;
    qint64 parsedBytes = 0;
    Throughput out;
    const bool ok = runUntil(int((seconds + warmup) * 1000) + 30'000, [&](const std::function<void()> &done) {
        QObject::connect(&socket, &QWebSocket::connected, &socket, [&] {
            int reqId = 1;
            for (const QString &symbol : s_symbols)
                socket.sendTextMessage(QStringLiteral("{\"ticks\":\"%1\",\"subscribe\":1,\"req_id\":%2}").arg(symbol).arg(reqId++));
        });
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket, [&, parse](const QString &message) {
            ++count;
            if (parse == RawParse::QtJson) {
                const QJsonDocument doc = QJsonDocument::fromJson(message.toUtf8());
                parsedBytes += doc.object().size();
            } else if (parse == RawParse::TickFrame) {
                if (const std::optional<TickFrame> t = TickFrame::read(message))
                    parsedBytes += t->quoteUnits;
            }
        });
        QTimer::singleShot(int(warmup * 1000), &ctx, [&, done] {
            const qint64 c0 = count;
            const qint64 g0 = generated.load();
            const qint64 t0 = steadyNs();
            const double cpu0 = threadCpuSeconds();
            const double simCpu0 = sim.cpuSeconds();
            QTimer::singleShot(int(seconds * 1000), &ctx, [&, done, c0, g0, t0, cpu0, simCpu0] {
                out.messages = count - c0;
                out.seconds = double(steadyNs() - t0) / 1e9;
                out.perSecond = double(out.messages) / out.seconds;
                out.offeredPerSecond = double(generated.load() - g0) / out.seconds;
                if (simCpu0 >= 0)
                    out.simCpuShare = (sim.cpuSeconds() - simCpu0) / out.seconds;
                const double cpu1 = threadCpuSeconds();
                if (cpu0 >= 0 && out.messages > 0)
                    out.cpuUsPerMessage = (cpu1 - cpu0) * 1e6 / double(out.messages);
                done();
            });
        });
        socket.open(sim.url());
    });
    socket.abort();
    if (!ok || out.messages == 0) {
        std::fprintf(stderr, "bare QWebSocket throughput failed\n");
        return std::nullopt;
    }
    Q_UNUSED(parsedBytes)
    return out;
}

// Counts proposal_open_contract requests as their frames reach the simulator's sockets (simulator thread).
struct RequestProbe
{
    std::atomic<int> target{0};
    std::atomic<int> seen{0};
    std::atomic<qint64> allSeenNs{0};
};

// QWebSocket emits textFrameReceived before textMessageReceived, i.e. before the session handles the frame.
void installRequestProbe(Sim::SimServer &sim, const std::shared_ptr<RequestProbe> &probe)
{
    Sim::SimServer *server = &sim;
    QObject::connect(&sim, &Sim::SimServer::connectionOpened, &sim, [server, probe](quint64) {
        for (QWebSocket *ws : server->findChildren<QWebSocket *>()) {
            if (ws->property("benchProbe").toBool())
                continue;
            ws->setProperty("benchProbe", true);
            QObject::connect(ws, &QWebSocket::textFrameReceived, ws, [probe](const QString &frame, bool) {
                if (!frame.startsWith(QLatin1String("{\"contract_id\"")))
                    return;
                if (probe->seen.fetch_add(1) + 1 == probe->target.load())
                    probe->allSeenNs.store(steadyNs());
            });
        }
    });
}

struct ReconnectRow
{
    int n = 0;
    int reps = 0;
    std::vector<double> lostMs, signalMs, receivedMs, allMs;
    std::vector<double> bareMs; // the floor: a bare socket's N subscribes → N replies
    int restoredReported = -1; // reconnected()'s count, last rep
    bool ok = true;
};

ReconnectRow cppReconnect(SimHost &sim, RequestProbe &probe, const QList<qint64> &contracts, int n, int reps)
{
    ReconnectRow row;
    row.n = n;
    DerivClient client(clientOptions(sim.url(), s_token));
    QObject ctx;
    int live = 0;
    int restored = 0;
    auto dropNs = std::make_shared<std::atomic<qint64>>(0); // written on the simulator's thread
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
        probe.target.store(n);
        probe.seen.store(0);
        probe.allSeenNs.store(0);
        const bool ok = runUntil(30'000, [&](const std::function<void()> &done) {
            repDone = done;
            // Let the socket settle (poc updates in flight) before each drop.
            QTimer::singleShot(rep == 0 ? 200 : 50, &ctx, [&] {
                sim.post([dropNs](Sim::SimServer &s) {
                    dropNs->store(steadyNs());
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
        const qint64 d = dropNs->load();
        row.lostMs.push_back(double(lostNs - d) / 1e6);
        row.signalMs.push_back(double(signalNs - d) / 1e6);
        row.receivedMs.push_back(double(probe.allSeenNs.load() - d) / 1e6);
        row.allMs.push_back(double(allNs - d) / 1e6);
        ++row.reps;
    }
    client.close();
    return row;
}

// The floor for the reconnect figure: a bare authorized QWebSocket (no client) writes the same N subscribe
// requests at once and waits for the N replies; milliseconds from the first write to the last reply.
std::vector<double> rawResubscribe(const QUrl &url, const QList<qint64> &contracts, int n, int reps)
{
    std::vector<double> ms;
    for (int rep = 0; rep < reps; ++rep) {
        QWebSocket socket;
        int replies = 0;
        bool authorized = false;
        qint64 t0 = 0;
        const bool ok = runUntil(30'000, [&](const std::function<void()> &done) {
            QObject::connect(&socket, &QWebSocket::connected, &socket, [&] {
                socket.sendTextMessage(QStringLiteral("{\"authorize\":\"%1\",\"req_id\":1}").arg(s_token));
            });
            QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket, [&, done](const QString &text) {
                if (!authorized) {
                    authorized = true;
                    t0 = steadyNs();
                    for (int i = 0; i < n; ++i) {
                        socket.sendTextMessage(QStringLiteral("{\"contract_id\":%1,\"proposal_open_contract\":1,"
                                                              "\"req_id\":%2,\"subscribe\":1}")
                                                   .arg(contracts.at(i))
                                                   .arg(i + 2));
                    }
                    return;
                }
                if (text.contains(QLatin1String("\"req_id\"")) && ++replies == n) {
                    ms.push_back(double(steadyNs() - t0) / 1e6);
                    done();
                }
            });
            socket.open(url);
        });
        socket.abort();
        if (!ok) {
            std::fprintf(stderr, "bare resubscribe N=%d: %d replies within 30 s\n", n, replies);
            break;
        }
    }
    return ms;
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
    const QCommandLineOption rttRoundsOpt(QStringLiteral("rtt-rounds"), QStringLiteral("Round-trip rounds (bare, C++, JS each)."),
                                          QStringLiteral("n"), QStringLiteral("3"));
    const QCommandLineOption roundsOpt(QStringLiteral("rounds"), QStringLiteral("Throughput rounds per client (alternating)."),
                                       QStringLiteral("n"), QStringLiteral("5"));
    const QCommandLineOption secondsOpt(QStringLiteral("seconds"), QStringLiteral("Throughput window per round."),
                                        QStringLiteral("s"), QStringLiteral("3"));
    const QCommandLineOption scaleOpt(QStringLiteral("time-scale"),
                                      QStringLiteral("Throughput: simulator time scales, comma-separated (a load both "
                                                     "clients keep up with, and one past what they can take)."),
                                      QStringLiteral("x,y"), QStringLiteral("2000,12000"));
    const QCommandLineOption repsOpt(QStringLiteral("reps"), QStringLiteral("Drops per N in the reconnect test."),
                                     QStringLiteral("n"), QStringLiteral("20"));
    const QCommandLineOption noJsOpt(QStringLiteral("no-js"), QStringLiteral("Skip the JS peer."));
    const QCommandLineOption noFlushOpt(QStringLiteral("no-flush-workaround"),
                                        QStringLiteral("Throughput: leave the simulator's socket writes to Qt alone."));
    const QCommandLineOption nodeOpt(QStringLiteral("node"), QStringLiteral("node executable."), QStringLiteral("path"));
    const QCommandLineOption jsDirOpt(QStringLiteral("js-dir"), QStringLiteral("Folder of bench_js.mjs."),
                                      QStringLiteral("dir"), QStringLiteral(VIGIL_BENCH_JS_DIR));
    const QCommandLineOption onlyOpt(QStringLiteral("only"), QStringLiteral("Comma-separated: rtt, throughput, saturation, reconnect."),
                                     QStringLiteral("phases"), QStringLiteral("rtt,throughput,saturation,reconnect"));
    parser.addOptions({quickOpt, rttOpt, rttRoundsOpt, roundsOpt, secondsOpt, scaleOpt, repsOpt, noJsOpt, noFlushOpt, nodeOpt, jsDirOpt,
                       onlyOpt});
    parser.process(app);

    const bool quick = parser.isSet(quickOpt);
    const int rttN = quick ? 300 : std::max(10, parser.value(rttOpt).toInt());
    const int rttRounds = quick ? 1 : std::max(1, parser.value(rttRoundsOpt).toInt());
    const int rounds = quick ? 1 : std::max(1, parser.value(roundsOpt).toInt());
    const double seconds = quick ? 0.5 : std::max(0.2, parser.value(secondsOpt).toDouble());
    const double warmup = quick ? 0.2 : 0.5;
    std::vector<double> timeScales;
    for (const QString &v : parser.value(scaleOpt).split(u',', Qt::SkipEmptyParts))
        timeScales.push_back(std::max(1.0, v.toDouble()));
    const int reps = quick ? 2 : std::max(1, parser.value(repsOpt).toInt());
    // The simulator writes each frame with QWebSocket::sendTextMessage and leaves the flush to Qt, which
    // writes one buffer block per event-loop pass; at tick rates it cannot sustain, its output collapses to a
    // trickle (~1k msg/s at time scale 12000) instead of saturating. The harness flushes its sockets every 64
    // ticks so the benchmark measures the clients, not that (reported as a simulator issue).
    const bool flushWorkaround = !parser.isSet(noFlushOpt);
    const QString node = parser.isSet(nodeOpt) ? parser.value(nodeOpt) : QStandardPaths::findExecutable(QStringLiteral("node"));
    const JsPeer js(node, parser.value(jsDirOpt));
    const QString jsMissing = parser.isSet(noJsOpt) ? QStringLiteral("--no-js") : js.unavailable();
    const bool withJs = jsMissing.isEmpty();
    const QStringList phases = parser.value(onlyOpt).split(u',', Qt::SkipEmptyParts);
    bool allOk = true;

    std::printf("# bench_client%s\n\n", quick ? " --quick" : "");
    std::printf("Machine: %d cores (shared). Simulators in-process, one thread each, rate limits off, loopback.\n"
                "Load average at start (/proc/loadavg): %s\n",
                QThread::idealThreadCount(), qPrintable(loadAverage()));
    if (!withJs)
        std::printf("JS peer skipped: %s\n", qPrintable(jsMissing));

    // 1. Round trip: rounds alternate bare socket, C++, JS on one simulator; each round gives every client a
    // p50 and a p99, and the table shows the median over rounds (the noise of one round hits all three).
    if (phases.contains(QLatin1String("rtt"))) {
        struct RttClient
        {
            QString name;
            std::vector<double> p50s, p99s, all;
            void add(const std::vector<double> &samples)
            {
                const Stats st = summarize(samples);
                p50s.push_back(st.p50);
                p99s.push_back(st.p99);
                all.insert(all.end(), samples.begin(), samples.end());
            }
        };
        RttClient raw{QStringLiteral("bare QWebSocket (floor, no client)"), {}, {}, {}};
        RttClient cpp{QStringLiteral("Vigil DerivClient (C++)"), {}, {}, {}};
        RttClient jsc{QStringLiteral("@deriv/deriv-api"), {}, {}, {}};
        std::vector<double> p50Ratios, p99Ratios; // JS ÷ C++, per round
        {
            SimHost sim(simConfig(1.0));
            if (sim.url().isEmpty())
                return 1;
            for (int r = 0; r < rttRounds; ++r) {
                const auto rawRound = rawRoundTrip(sim.url(), rttN);
                const auto cppRound = cppRoundTrip(sim.url(), rttN);
                allOk = allOk && rawRound && cppRound;
                if (rawRound)
                    raw.add(*rawRound);
                if (cppRound)
                    cpp.add(*cppRound);
                if (!withJs)
                    continue;
                const auto out = js.run({QStringLiteral("--url"), sim.url().toString(), QStringLiteral("--mode"),
                                         QStringLiteral("rtt"), QStringLiteral("--n"), QString::number(rttN)},
                                        180'000);
                if (!out) {
                    allOk = false;
                    continue;
                }
                jsc.name = out->value(QLatin1String("client")).toString() + QStringLiteral(" (node ")
                    + out->value(QLatin1String("node")).toString() + u')';
                std::vector<double> samples;
                for (const QJsonValue &v : out->value(QLatin1String("samples_us")).toArray())
                    samples.push_back(v.toDouble());
                if (samples.empty())
                    continue;
                jsc.add(samples);
                if (cppRound) {
                    const Stats c = summarize(*cppRound), j = summarize(samples);
                    p50Ratios.push_back(j.p50 / c.p50);
                    p99Ratios.push_back(j.p99 / c.p99);
                }
            }
        }
        std::printf("\n## Request round trip (`ping`: %d rounds × %d sequential calls per client, alternating, each after "
                    "50 warm-up calls; median over rounds)\n\n",
                    rttRounds, rttN);
        std::printf("| client | p50 µs | p99 µs | p99 range over rounds µs | pooled p99 µs | pooled max µs | p50 vs C++ | "
                    "p99 vs C++ |\n|---|---|---|---|---|---|---|---|\n");
        const double cppP50 = median(cpp.p50s), cppP99 = median(cpp.p99s);
        for (const RttClient *c : {&raw, &cpp, &jsc}) {
            if (c->p50s.empty())
                continue;
            const auto [lo, hi] = std::minmax_element(c->p99s.begin(), c->p99s.end());
            const Stats pooled = summarize(c->all);
            std::printf("| %s | %s | %s | %s – %s | %s | %s | %s | %s |\n", qPrintable(c->name), qPrintable(fmt(median(c->p50s))),
                        qPrintable(fmt(median(c->p99s))), qPrintable(fmt(*lo)), qPrintable(fmt(*hi)),
                        qPrintable(fmt(pooled.p99)), qPrintable(fmt(pooled.max)),
                        qPrintable(ratio(median(c->p50s), cppP50)), qPrintable(ratio(median(c->p99s), cppP99)));
        }
        if (!p99Ratios.empty()) {
            QStringList perRound;
            for (double r : p99Ratios)
                perRound << QString::number(r, 'f', 2) + u'x';
            std::printf("\nTarget: C++ p99 ≥ 3x lower than JS → %s (JS p99 ÷ C++ p99, median of rounds %s; per round: %s; "
                        "p50 ratio, median of rounds %s).\n",
                        median(p99Ratios) >= 3 ? "met" : "MISSED", qPrintable(QString::number(median(p99Ratios), 'f', 2) + u'x'),
                        qPrintable(perRound.join(QStringLiteral(", "))),
                        qPrintable(QString::number(median(p50Ratios), 'f', 2) + u'x'));
        }
        std::printf("Load average after this section: %s\n", qPrintable(loadAverage()));
    }

    // 2. Throughput: per time scale, C++ and JS rounds alternate on one simulator.
    if (phases.contains(QLatin1String("throughput"))) {
        std::printf("\n## Stream throughput (ticks of %lld symbols on one socket; %d × %.1f s windows per client and time "
                    "scale, C++ and JS alternating%s)\n\n",
                    static_cast<long long>(s_symbols.size()), rounds, seconds,
                    flushWorkaround ? "; the simulator's sockets flushed by the harness every 64 ticks" : "; no flush workaround");
        std::printf("| time scale | client | offered msg/s | simulator thread CPU | delivered msg/s (median) | min – max | "
                    "delivered / offered | client CPU µs per msg | one-core capacity (10⁶ / CPU µs) | delivered vs JS | "
                    "CPU per msg: JS ÷ C++ |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        struct Point
        {
            double scale;
            double cppRate = 0, jsRate = 0, cppCpu = 0, jsCpu = 0, cppOffered = 0;
        };
        std::vector<Point> points;
        for (const double timeScale : timeScales) {
            std::vector<Throughput> cppTp, jsonTp, bareTp, parsedTp, scannedTp;
            std::vector<QJsonObject> jsTp;
            {
                SimHost sim(simConfig(timeScale), flushWorkaround ? 64 : 0);
                if (sim.url().isEmpty())
                    return 1;
                for (int r = 0; r < rounds; ++r) {
                    if (auto t = cppThroughput(sim, seconds, warmup, true))
                        cppTp.push_back(*t);
                    else
                        allOk = false;
                    if (auto t = cppThroughput(sim, seconds, warmup, false))
                        jsonTp.push_back(*t);
                    else
                        allOk = false;
                    if (auto t = rawThroughput(sim, seconds, warmup, RawParse::None))
                        bareTp.push_back(*t);
                    if (auto t = rawThroughput(sim, seconds, warmup, RawParse::QtJson))
                        parsedTp.push_back(*t);
                    if (auto t = rawThroughput(sim, seconds, warmup, RawParse::TickFrame))
                        scannedTp.push_back(*t);
                    if (!withJs)
                        continue;
                    const qint64 g0 = sim.ticksGenerated().load();
                    const qint64 t0 = steadyNs();
                    const double simCpu0 = sim.cpuSeconds();
                    auto j = js.run({QStringLiteral("--url"), sim.url().toString(), QStringLiteral("--mode"),
                                     QStringLiteral("throughput"), QStringLiteral("--symbols"), s_symbols.join(u','),
                                     QStringLiteral("--seconds"), QString::number(seconds), QStringLiteral("--warmup"),
                                     QString::number(warmup)},
                                    int((seconds + warmup) * 1000) + 60'000);
                    if (!j) {
                        allOk = false;
                        continue;
                    }
                    // Over the node process's life (the generation rate is steady: the clock drives it).
                    const double lifetime = double(steadyNs() - t0) / 1e9;
                    j->insert(QStringLiteral("offered_per_second"), double(sim.ticksGenerated().load() - g0) / lifetime);
                    if (simCpu0 >= 0)
                        j->insert(QStringLiteral("sim_cpu_share"), (sim.cpuSeconds() - simCpu0) / lifetime);
                    jsTp.push_back(*j);
                }
            }
            std::vector<double> cppRate, cppCpu, cppOffered, cppSim, jsRate, jsCpu, jsOffered, jsSim;
            for (const Throughput &t : cppTp) {
                cppRate.push_back(t.perSecond);
                cppOffered.push_back(t.offeredPerSecond);
                if (t.simCpuShare >= 0)
                    cppSim.push_back(t.simCpuShare);
                if (t.cpuUsPerMessage >= 0)
                    cppCpu.push_back(t.cpuUsPerMessage);
            }
            for (const QJsonObject &j : jsTp) {
                jsRate.push_back(j.value(QLatin1String("per_second")).toDouble());
                jsOffered.push_back(j.value(QLatin1String("offered_per_second")).toDouble());
                if (j.contains(QLatin1String("sim_cpu_share")))
                    jsSim.push_back(j.value(QLatin1String("sim_cpu_share")).toDouble());
                if (j.value(QLatin1String("cpu_us_per_msg")).isDouble())
                    jsCpu.push_back(j.value(QLatin1String("cpu_us_per_msg")).toDouble());
            }
            const auto row = [timeScale](const QString &name, const std::vector<double> &rate, const std::vector<double> &offered,
                                         const std::vector<double> &simCpu, const std::vector<double> &cpu, const QString &vsJs,
                                         const QString &cpuVsJs) {
                if (rate.empty())
                    return;
                const auto [lo, hi] = std::minmax_element(rate.begin(), rate.end());
                const double c = cpu.empty() ? -1 : median(cpu);
                std::printf("| %.0f | %s | %.0f | %s | %.0f | %.0f – %.0f | %.0f %% | %s | %s | %s | %s |\n", timeScale,
                            qPrintable(name), median(offered),
                            simCpu.empty() ? "n/a" : qPrintable(QString::number(100 * median(simCpu), 'f', 0) + QStringLiteral(" %")),
                            median(rate), *lo, *hi, 100.0 * median(rate) / std::max(1.0, median(offered)),
                            c < 0 ? "n/a" : qPrintable(fmt(c, 2)), c <= 0 ? "n/a" : qPrintable(fmt(1e6 / c, 0)),
                            qPrintable(vsJs), qPrintable(cpuVsJs));
            };
            const bool bothCpu = !cppCpu.empty() && !jsCpu.empty();
            row(QStringLiteral("Vigil DerivClient (C++), typed ticks (the engine's subscription)"), cppRate, cppOffered, cppSim, cppCpu,
                jsRate.empty() || cppRate.empty() ? QStringLiteral("–") : ratio(median(cppRate), median(jsRate)),
                bothCpu ? ratio(median(jsCpu), median(cppCpu)) : QStringLiteral("–"));
            if (!jsTp.empty())
                row(jsTp.front().value(QLatin1String("client")).toString() + QStringLiteral(" (node)"), jsRate, jsOffered, jsSim,
                    jsCpu, QStringLiteral("1.00x"), QStringLiteral("1.00x"));
            // The floors: what QWebSocket alone costs per message, and with Qt's JSON parse on top.
            const auto floorRow = [&](const QString &name, const std::vector<Throughput> &tp) {
                std::vector<double> rate, offered, cpu;
                for (const Throughput &t : tp) {
                    rate.push_back(t.perSecond);
                    offered.push_back(t.offeredPerSecond);
                    if (t.cpuUsPerMessage >= 0)
                        cpu.push_back(t.cpuUsPerMessage);
                }
                row(name, rate, offered, {}, cpu,
                    jsRate.empty() || rate.empty() ? QStringLiteral("–") : ratio(median(rate), median(jsRate)),
                    cpu.empty() || jsCpu.empty() ? QStringLiteral("–") : ratio(median(jsCpu), median(cpu)));
            };
            floorRow(QStringLiteral("Vigil DerivClient (C++), every tick as a QJsonObject"), jsonTp);
            floorRow(QStringLiteral("floor: bare QWebSocket, counting only"), bareTp);
            floorRow(QStringLiteral("floor: bare QWebSocket + QJsonDocument::fromJson"), parsedTp);
            floorRow(QStringLiteral("floor: bare QWebSocket + TickFrame::read"), scannedTp);
            if (!cppRate.empty() && !jsRate.empty() && bothCpu)
                points.push_back({timeScale, median(cppRate), median(jsRate), median(cppCpu), median(jsCpu), median(cppOffered)});
        }
        for (const Point &pt : points) {
            std::printf("\nTime scale %.0f: C++ ≥ 5x the JS client's throughput → %s: delivered %s, CPU per message %s "
                        "(C++: its client thread; node: the whole process).%s",
                        pt.scale, pt.cppRate >= 5 * pt.jsRate || pt.jsCpu >= 5 * pt.cppCpu ? "met" : "MISSED",
                        qPrintable(ratio(pt.cppRate, pt.jsRate)), qPrintable(ratio(pt.jsCpu, pt.cppCpu)),
                        pt.cppRate >= 0.95 * pt.cppOffered ? " The C++ client took everything the simulator produced while it "
                                                             "ran: its delivered rate is the simulator's, not its own limit."
                                                           : "");
        }
        std::printf("\nLoad average after this section: %s\n", qPrintable(loadAverage()));
    }

    // 2b. Saturation: the same clients against TickBlaster, which writes as fast as each one reads, so the delivered
    // rate is the client's own capacity (the "throughput"), measured rather than derived from CPU per message.
    if (phases.contains(QLatin1String("saturation"))) {
        struct Series
        {
            QString name;
            std::vector<double> rate, cpu, producer;
        };
        Series typed{QStringLiteral("Vigil DerivClient (C++), typed ticks (the engine's subscription)"), {}, {}, {}};
        Series json{QStringLiteral("Vigil DerivClient (C++), every tick as a QJsonObject"), {}, {}, {}};
        Series bare{QStringLiteral("floor: bare QWebSocket, counting only"), {}, {}, {}};
        Series scanned{QStringLiteral("floor: bare QWebSocket + TickFrame::read"), {}, {}, {}};
        Series jsSeries{QStringLiteral("@deriv/deriv-api (node)"), {}, {}, {}};
        {
            TickBlaster blaster;
            if (blaster.url().isEmpty())
                return 1;
            const auto add = [](Series &series, const std::optional<Throughput> &t) {
                if (!t)
                    return false;
                series.rate.push_back(t->perSecond);
                if (t->cpuUsPerMessage >= 0)
                    series.cpu.push_back(t->cpuUsPerMessage);
                if (t->simCpuShare >= 0)
                    series.producer.push_back(t->simCpuShare);
                return true;
            };
            for (int r = 0; r < rounds; ++r) {
                allOk = add(typed, cppThroughput(blaster, seconds, warmup, true)) && allOk;
                allOk = add(json, cppThroughput(blaster, seconds, warmup, false)) && allOk;
                add(bare, rawThroughput(blaster, seconds, warmup, RawParse::None));
                add(scanned, rawThroughput(blaster, seconds, warmup, RawParse::TickFrame));
                if (!withJs)
                    continue;
                const qint64 t0 = steadyNs();
                const double producer0 = blaster.cpuSeconds();
                auto j = js.run({QStringLiteral("--url"), blaster.url().toString(), QStringLiteral("--mode"),
                                 QStringLiteral("throughput"), QStringLiteral("--symbols"), s_symbols.join(u','),
                                 QStringLiteral("--seconds"), QString::number(seconds), QStringLiteral("--warmup"),
                                 QString::number(warmup)},
                                int((seconds + warmup) * 1000) + 60'000);
                if (!j) {
                    allOk = false;
                    continue;
                }
                jsSeries.name = j->value(QLatin1String("client")).toString() + QStringLiteral(" (node)");
                jsSeries.rate.push_back(j->value(QLatin1String("per_second")).toDouble());
                if (j->value(QLatin1String("cpu_us_per_msg")).isDouble())
                    jsSeries.cpu.push_back(j->value(QLatin1String("cpu_us_per_msg")).toDouble());
                if (producer0 >= 0) // over the node process's whole life: start-up included, so a lower bound
                    jsSeries.producer.push_back((blaster.cpuSeconds() - producer0) / (double(steadyNs() - t0) / 1e9));
            }
        }
        std::printf("\n## Saturated stream (ticks of %lld symbols on one socket from a producer that writes as fast as the "
                    "client reads: TCP backpressure paces it; %d × %.1f s windows per client; median over rounds)\n\n",
                    static_cast<long long>(s_symbols.size()), rounds, seconds);
        std::printf("| client | delivered msg/s (median) | min – max | client CPU µs per msg | producer thread CPU | "
                    "delivered vs JS |\n|---|---|---|---|---|---|\n");
        const double jsRate = jsSeries.rate.empty() ? 0 : median(jsSeries.rate);
        for (const Series *series : {&typed, &jsSeries, &json, &bare, &scanned}) {
            if (series->rate.empty())
                continue;
            const auto [lo, hi] = std::minmax_element(series->rate.begin(), series->rate.end());
            std::printf("| %s | %.0f | %.0f – %.0f | %s | %s | %s |\n", qPrintable(series->name), median(series->rate), *lo, *hi,
                        series->cpu.empty() ? "n/a" : qPrintable(fmt(median(series->cpu), 2)),
                        series->producer.empty() ? "n/a"
                                                 : qPrintable(QString::number(100 * median(series->producer), 'f', 0) + QStringLiteral(" %")),
                        jsRate > 0 ? qPrintable(ratio(median(series->rate), jsRate)) : "–");
        }
        if (!typed.rate.empty() && jsRate > 0) {
            const double r = median(typed.rate) / jsRate;
            std::printf("\nSaturated: C++ (typed ticks) ≥ 5x the JS client's throughput → %s (%.2fx).%s\n", r >= 5 ? "met" : "MISSED", r,
                        !typed.producer.empty() && median(typed.producer) > 0.9
                            ? " The producer used a whole core for the C++ client: its figure is a lower bound."
                            : "");
        }
        std::printf("\nLoad average after this section: %s\n", qPrintable(loadAverage()));
    }

    // 3. Reconnect with N subscriptions.
    if (phases.contains(QLatin1String("reconnect"))) {
        std::vector<ReconnectRow> rows;
        {
            SimHost sim(simConfig(1.0));
            if (sim.url().isEmpty())
                return 1;
            const int maxN = 1000;
            QList<qint64> contracts;
            auto probe = std::make_shared<RequestProbe>();
            sim.call([&](Sim::SimServer &s) {
                installRequestProbe(s, probe);
                const Result<QString> login = s.addAccount(s_token, QStringLiteral("USD"), Money::fromMinor(100'000'000'00));
                if (!login.ok()) {
                    std::fprintf(stderr, "addAccount: %s\n", qPrintable(login.error().toString()));
                    return;
                }
                for (int i = 0; i < maxN; ++i) {
                    const QJsonObject p{{QStringLiteral("contract_type"), i % 2 ? QStringLiteral("PUT") : QStringLiteral("CALL")},
                                        {QStringLiteral("symbol"), s_symbols.at(i % s_symbols.size())},
                                        {QStringLiteral("amount"), 1},
                                        {QStringLiteral("basis"), QStringLiteral("stake")},
                                        {QStringLiteral("currency"), QStringLiteral("USD")},
                                        {QStringLiteral("duration"), 12},
                                        {QStringLiteral("duration_unit"), QStringLiteral("h")}};
                    const Result<QJsonObject> b = s.buyDirect(*login, p);
                    if (!b.ok()) {
                        std::fprintf(stderr, "buyDirect: %s\n", qPrintable(b.error().toString()));
                        return;
                    }
                    contracts.append(b->value(QLatin1String("contract_id")).toInteger());
                }
            });
            if (contracts.size() != maxN) {
                std::fprintf(stderr, "could only buy %lld of %d contracts\n", static_cast<long long>(contracts.size()), maxN);
                return 1;
            }
            for (int n : {1, 100, 1000}) {
                const int drops = reps;
                rows.push_back(cppReconnect(sim, *probe, contracts, n, drops));
                rows.back().bareMs = rawResubscribe(sim.url(), contracts, n, drops);
            }
        }
        std::printf("\n## Socket drop → N proposal_open_contract subscriptions restored (DerivClient, backoffInitialMs = 1)\n\n");
        std::printf("| N | drops | drop → connectionLost p50 / p99 ms | drop → reconnected() p50 / p99 ms | "
                    "drop → simulator has all N requests p50 / p99 ms | drop → all N Reconnected p50 / p99 ms | max ms | "
                    "reconnected() count | floor: bare socket, N requests → N replies p50 / p99 ms |\n"
                    "|---|---|---|---|---|---|---|---|---|\n");
        for (const ReconnectRow &r : rows) {
            allOk = allOk && r.ok;
            const Stats lost = summarize(r.lostMs), sig = summarize(r.signalMs), rec = summarize(r.receivedMs),
                        all = summarize(r.allMs);
            const Stats bare = summarize(r.bareMs);
            std::printf("| %d | %d | %s / %s | %s / %s | %s / %s | %s / %s | %s | %d | %s / %s |\n", r.n, r.reps, qPrintable(fmt(lost.p50, 2)),
                        qPrintable(fmt(lost.p99, 2)), qPrintable(fmt(sig.p50, 2)), qPrintable(fmt(sig.p99, 2)),
                        qPrintable(fmt(rec.p50, 2)), qPrintable(fmt(rec.p99, 2)),
                        qPrintable(fmt(all.p50, 2)), qPrintable(fmt(all.p99, 2)), qPrintable(fmt(all.max, 2)), r.restoredReported,
                        qPrintable(fmt(bare.p50, 2)), qPrintable(fmt(bare.p99, 2)));
            if (r.n == 1000)
                std::printf("\nTarget: 1000 subscriptions restored in < 250 ms → %s (p99 %s ms).\n",
                            all.n && all.p99 < 250 ? "met" : "MISSED", qPrintable(fmt(all.p99, 1)));
        }
        std::printf("Load average after this section: %s\n", qPrintable(loadAverage()));
    }
    std::printf("\n%s\n", allOk ? "All measurements completed." : "SOME MEASUREMENTS FAILED (see stderr).");
    std::fflush(stdout);
    return allOk ? 0 : 1;
}
