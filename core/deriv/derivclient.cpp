// SPDX-License-Identifier: GPL-3.0-or-later
#include "derivclient.h"

#include <algorithm>
#include <array>
#include <deque>
#include <limits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <QHash>
#include <QJsonArray>
#include <QMetaEnum>
#include <QPointer>
#include <QRegularExpression>
#include <QSet>
#include <QThread>
#include <QTimer>
#include <QWebSocket>

#include "deriv/derivcall.h"
#include "deriv/derivfields.h"
#include "deriv/framecodec.h"
#include "deriv/reconnectbackoff.h"
#include "deriv/subscriptionregistry.h"
#include "deriv/tickframe.h"
#include "health/clock.h"
#include "health/jsonlogsink.h"
#include "health/logcategories.h"
#include "health/redactor.h"

namespace Vigil {

namespace {

using Group = RateLimiter::Group;

enum class Origin { User, Authorize, Ping, Subscribe, Backfill, Forget };

// Codes a session cannot recover from by reconnecting.
bool isFinalCode(const QString &code)
{
    return code == QLatin1String("InvalidToken") || code == QLatin1String("DisabledClient")
        || code == QLatin1String("AccountDisabled") || code == QLatin1String("InvalidAppID");
}

// The HTTP status of a refused WebSocket upgrade when it is a refusal no retry can cure (401/403), else 0.
// Qt 6 reports it only in the error text ("... Unhandled http status code: 401 (Unauthorized).").
int handshakeRefusalStatus(const QString &socketError)
{
    static const QRegularExpression status(QStringLiteral(R"(status code:?\s*(\d{3})\b)"),
                                           QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = status.match(socketError);
    const int code = m.hasMatch() ? m.captured(1).toInt() : 0;
    return code == 401 || code == 403 ? code : 0;
}

// Server faults worth another attempt on a fresh socket (authorize only; user requests are never retried).
bool isTransientCode(const QString &code)
{
    return code == QLatin1String("RateLimit") || code == QLatin1String("InternalServerError")
        || code == QLatin1String("WrongResponse") || code == QLatin1String("CallError");
}

// Calls the client performs itself: letting a caller send them would desynchronise the session state.
bool isSessionCall(QStringView call)
{
    return call == u"authorize" || call == u"logout" || call == u"forget" || call == u"forget_all";
}

constexpr int s_maxSubscribeRetries = 3;
constexpr qint64 s_lateTimerMs = 100;  // a timer this late means the thread was busy: look again once
constexpr int s_graceMs = 20;
constexpr int s_backfillCount = 5000;  // ticks_history's largest page

} // namespace

struct DerivClient::Impl
{
    struct Pending
    {
        qint64 handle = 0;
        qint64 wireReqId = 0;
        QJsonObject request; // without req_id
        QString call;
        Group group = Group::General;
        Origin origin = Origin::User;
        bool priority = false;  // session lane: ahead of ordinary requests, allowed while authorizing
        quint64 connection = 0; // != 0: only meaningful on that socket, dropped with it
        bool setup = false;     // authorize/restore: Ready waits until these are written
        std::function<Result<void>()> guard;
        bool resend = false;
        int timeoutMs = 0;          // reply timeout once written; 0 = none
        qint64 queueDeadlineMs = 0; // monotonic; 0 = may wait indefinitely
        qint64 replyDeadlineMs = 0; // monotonic; set when written
        std::function<void(const Result<DerivMessage> &)> onReply;
    };

    // A single-shot timer that gives a starved thread one more look before acting.
    struct Watchdog
    {
        QTimer *timer = nullptr;
        qint64 dueMs = 0;
        bool graceUsed = false;
    };

    Impl(DerivClient *client, Options o);

    // plumbing
    qint64 now() const { return clock->monotonicMs(); }
    QString accountName() const;
    Error annotate(Error e, const Pending &p) const;
    void post(std::function<void()> fn);
    void flush();
    void setState(State s);
    bool socketOpen() const;
    bool firedLate(Watchdog &w);
    void arm(Watchdog &w, qint64 ms);

    // connection
    void connectSocket();
    void teardownSocket();
    void onConnected(quint64 id);
    void onSocketGone(quint64 id, const Error &reason);
    void handleConnectionLost(const Error &reason);
    void scheduleReconnect();
    void endSession(const Error &reason);
    void shutDown(const Error &queuedError, const Error &streamError);
    void becomeReadyIfDone();

    // requests
    qint64 enqueue(Pending p);
    void schedulePump();
    void pump();
    void write(Pending &p);
    Pending take(qint64 handle);
    std::optional<Pending> unqueue(qint64 handle);
    int queuedAhead(Group g) const;
    void failInFlight();
    void armDeadlineTimer();
    void onDeadlineTimer();
    void handleText(quint64 id, const QString &text);
    void onMalformed(QStringView raw, const Error &error);
    void onReplyReceived(Pending p, const DerivMessage &m);
    void fail(Pending p, Error e);

    // keepalive
    void onPingTimer();
    void onPongTimeout();
    void onSilenceTimeout();

    // streams
    void enqueueSubscribe(quint64 streamId, bool restore);
    void onSubscribeReply(quint64 streamId, qint64 handle, const Result<DerivMessage> &r);
    void startRestore();
    void onStreamMessage(SubscriptionRegistry::Stream &s, const DerivMessage &m);
    void deliverStreamMessage(quint64 streamId, const QJsonObject &json, bool backfilled);
    bool deliverTypedTick(const TickFrame &tick);
    void startBackfill(SubscriptionRegistry::Stream &s, qint64 firstLiveEpoch);
    void onBackfillReply(quint64 streamId, qint64 handle, const Result<DerivMessage> &r);
    void endStream(quint64 streamId, StreamEvent::Kind kind, const Error &error);
    void postEvent(quint64 key, const StreamEvent &event);
    void sendForget(const QString &serverId);
    void unsubscribe(quint64 key);

    DerivClient *q;
    Options options;
    Clock *clock;
    FrameCodec codec;
    RateLimiter limiter;
    SubscriptionRegistry registry;

    State state = State::Disconnected;
    QWebSocket *socket = nullptr;
    quint64 connectionId = 0;
    bool authorizedOnSocket = false;
    bool restoreStarted = false;
    int setupRemaining = 0;
    int restoredCount = 0;
    bool everReady = false;
    bool lostSinceReady = false;
    qint64 downSinceMs = 0;
    ReconnectBackoff backoff;
    bool authRetryPending = false; // reconnected because of AuthorizationRequired: once more is final
    QJsonObject authorization;

    QTimer *pingTimer = nullptr;
    QTimer *connectTimer = nullptr;
    QTimer *reconnectTimer = nullptr;
    QTimer *pumpTimer = nullptr;
    Watchdog pong;
    Watchdog silence;
    Watchdog deadline;
    bool pingOutstanding = false; // queued or awaiting its pong
    qint64 lastFrameMs = 0;

    std::unordered_map<qint64, Pending> requests; // by handle: queued and in flight
    std::array<std::deque<qint64>, RateLimiter::GroupCount> priorityQueue;
    std::array<std::deque<qint64>, RateLimiter::GroupCount> normalQueue;
    QHash<qint64, qint64> inFlight; // wire req_id -> handle
    qint64 nextReqId = 0;

    // What flush() hands out, in order: a stream message for one subscriber (the hot path: no closure per
    // message), or anything else as a closure.
    struct Delivery
    {
        std::function<void()> fn;
        quint64 subscriberKey = 0; // with fn empty: deliver `event` to this subscriber's handler
        StreamEvent event;
        QPointer<QObject> context;
        std::shared_ptr<const StreamHandler> handler; // taken when posted: the registry entry may go first
    };
    std::vector<Delivery> deliveries; // a queue from deliveryHead on; its storage is reused between flushes
    std::size_t deliveryHead = 0;
    void deliverMessage(const Delivery &d);
    void scheduleFlush();
    bool flushScheduled = false;
    bool pumpScheduled = false;
    QSet<quint64> deliverable; // subscriber keys still entitled to events
    QSet<QString> forgetSent;  // server ids forgotten on the current socket
    QHash<QString, QString> orphans; // canonical request -> unowned server id seen on the current socket
};

DerivClient::Impl::Impl(DerivClient *client, Options o)
    : q(client)
    , options(std::move(o))
    , clock(options.clock ? options.clock : &Clock::system())
    , codec(FrameCodec::Options{options.maxFrameBytes})
    , limiter(options.rateLimits)
    , backoff(options.backoffInitialMs, options.backoffMaxMs)
{
}

// ---------------------------------------------------------------------------------------------------------------
// plumbing

QString DerivClient::Impl::accountName() const
{
    const QString loginId = authorization.value(QLatin1String("loginid")).toString();
    return loginId.isEmpty() ? options.accountLabel : loginId;
}

Error DerivClient::Impl::annotate(Error e, const Pending &p) const
{
    if (e.msgType.isEmpty())
        e.msgType = p.call;
    if (e.reqId == 0)
        e.reqId = p.wireReqId;
    if (e.account.isEmpty())
        e.account = accountName();
    return e;
}

void DerivClient::Impl::post(std::function<void()> fn)
{
    // Every call out of the client (handlers, signals) goes through here: nothing user-supplied ever runs
    // while the client is half-way through changing its own state.
    deliveries.push_back(Delivery{std::move(fn), 0, {}, {}, {}});
    scheduleFlush();
}

void DerivClient::Impl::scheduleFlush()
{
    if (flushScheduled)
        return;
    flushScheduled = true;
    QMetaObject::invokeMethod(q, [this] { flush(); }, Qt::QueuedConnection);
}

void DerivClient::Impl::flush()
{
    flushScheduled = false;
    const QPointer<DerivClient> self(q);
    while (deliveryHead < deliveries.size()) {
        // Moved out first: a handler may queue more, which can move the vector's storage.
        Delivery d = std::move(deliveries[deliveryHead++]);
        if (d.fn)
            d.fn();
        else
            deliverMessage(d);
        if (!self)
            return;
    }
    deliveries.clear(); // keeps its capacity
    deliveryHead = 0;
}

void DerivClient::Impl::setState(State s)
{
    if (state == s)
        return;
    state = s;
    qCInfo(lcDeriv).noquote() << accountName() << "state" << QMetaEnum::fromType<State>().valueToKey(int(s));
    post([this, s] { Q_EMIT q->stateChanged(s); });
}

bool DerivClient::Impl::socketOpen() const
{
    return socket && socket->state() == QAbstractSocket::ConnectedState
        && (state == State::Authorizing || state == State::Ready);
}

bool DerivClient::Impl::firedLate(Watchdog &w)
{
    // A timer far behind schedule means the thread was busy; the frame we are waiting for may be sitting
    // unread in the socket. Give the event loop one pass before concluding anything.
    if (!w.graceUsed && now() - w.dueMs > s_lateTimerMs) {
        w.graceUsed = true;
        w.dueMs = now() + s_graceMs;
        w.timer->start(s_graceMs);
        return true;
    }
    return false;
}

void DerivClient::Impl::arm(Watchdog &w, qint64 ms)
{
    w.graceUsed = false;
    w.dueMs = now() + ms;
    w.timer->start(int(std::max<qint64>(0, ms)));
}

// ---------------------------------------------------------------------------------------------------------------
// connection

void DerivClient::Impl::connectSocket()
{
    teardownSocket();
    ++connectionId;
    forgetSent.clear();
    orphans.clear();
    authorizedOnSocket = false;
    restoreStarted = false;
    setupRemaining = 0;
    restoredCount = 0;
    pingOutstanding = false;

    const quint64 id = connectionId;
    socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, q);
    // A memory guard well above the codec's limit: frames between the two are rejected as malformed
    // without losing the connection; only absurd ones cost it.
    socket->setMaxAllowedIncomingMessageSize(quint64(std::max<qsizetype>(options.maxFrameBytes * 4, 64 * 1024 * 1024)));
    QObject::connect(socket, &QWebSocket::connected, q, [this, id] { onConnected(id); });
    QObject::connect(socket, &QWebSocket::disconnected, q, [this, id] {
        const QString why = socket ? socket->closeReason() : QString();
        const int code = socket ? int(socket->closeCode()) : 0;
        onSocketGone(id, Error::make(ErrorKind::OutcomeUnknown, QStringLiteral("Disconnected"),
                                     QStringLiteral("socket closed (%1) %2").arg(code).arg(why)));
    });
    QObject::connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), q, [this, id](QAbstractSocket::SocketError) {
        const QString why = socket ? socket->errorString() : QString();
        if (id == connectionId && socket && (state == State::Connecting || state == State::Reconnecting)) {
            // Refused at the HTTP upgrade: Deriv answers a bad app_id with 401 before any JSON can flow, so
            // this is the InvalidAppID a reconnect cannot cure.
            if (const int status = handshakeRefusalStatus(why); status != 0) {
                endSession(Error::broker(QStringLiteral("InvalidAppID"),
                                         QStringLiteral("the server refused the WebSocket handshake (HTTP %1): the "
                                                        "app_id is invalid or not allowed")
                                             .arg(status),
                                         QJsonObject{{QStringLiteral("httpStatus"), status},
                                                     {QStringLiteral("socketError"), why}}));
                return;
            }
        }
        onSocketGone(id, Error::make(ErrorKind::OutcomeUnknown, QStringLiteral("SocketError"), why));
    });
    QObject::connect(socket, &QWebSocket::textMessageReceived, q, [this, id](const QString &text) { handleText(id, text); });
    QObject::connect(socket, &QWebSocket::binaryMessageReceived, q, [this, id](const QByteArray &data) {
        if (id != connectionId)
            return;
        lastFrameMs = now();
        onMalformed(QString::fromLatin1(data.left(2048).toHex()),
                    Error::make(ErrorKind::Protocol, QStringLiteral("BinaryFrame"), QStringLiteral("binary frame")));
    });
    connectTimer->start(std::max(1, options.connectTimeoutMs));
    qCInfo(lcDeriv).noquote() << accountName() << "connecting to" << options.url.toString(QUrl::RemoveQuery);
    socket->open(options.url);
}

void DerivClient::Impl::teardownSocket()
{
    pingTimer->stop();
    pong.timer->stop();
    silence.timer->stop();
    connectTimer->stop();
    pingOutstanding = false;
    if (!socket)
        return;
    QWebSocket *s = socket;
    socket = nullptr;
    QObject::disconnect(s, nullptr, q, nullptr);
    s->abort();
    s->deleteLater();
}

void DerivClient::Impl::onConnected(quint64 id)
{
    if (id != connectionId)
        return;
    connectTimer->stop();
    lastFrameMs = now();
    setState(State::Authorizing);
    pingTimer->start(std::max(1, options.pingIntervalMs));
    arm(silence, std::max(1, options.silenceTimeoutMs));
    if (options.token.isEmpty()) {
        startRestore();
    } else {
        Pending p;
        p.request = QJsonObject{{QStringLiteral("authorize"), options.token}};
        p.call = QStringLiteral("authorize");
        p.group = DerivCall::rateGroup(p.call);
        p.origin = Origin::Authorize;
        p.priority = true;
        p.setup = true;
        p.connection = connectionId;
        p.timeoutMs = options.requestTimeoutMs;
        p.onReply = [this](const Result<DerivMessage> &r) {
            if (r) {
                authorization = r->body.toObject();
                authorizedOnSocket = true;
                qCInfo(lcDeriv).noquote() << accountName() << "authorized";
                startRestore();
                return;
            }
            const Error &e = r.error();
            // A garbled reply on a live socket is not a lost socket: without this the session would sit in
            // Authorizing (pings keep the socket alive) and never trade again.
            if (e.code == QLatin1String("MalformedReply")) {
                handleConnectionLost(e);
                return;
            }
            if (e.kind == ErrorKind::OutcomeUnknown || e.kind == ErrorKind::NotSent)
                return; // the socket went away; the reconnect authorizes again
            if (e.kind == ErrorKind::Broker && !isTransientCode(e.code)) {
                endSession(e);
                return;
            }
            handleConnectionLost(e); // timeouts, server faults, garbled replies: try a fresh socket
        };
        ++setupRemaining;
        enqueue(std::move(p));
    }
    schedulePump();
}

void DerivClient::Impl::onSocketGone(quint64 id, const Error &reason)
{
    if (id != connectionId || !socket)
        return;
    Error e = reason;
    e.account = accountName();
    handleConnectionLost(e);
}

void DerivClient::Impl::handleConnectionLost(const Error &reason)
{
    if (state != State::Connecting && state != State::Authorizing && state != State::Ready && state != State::Reconnecting)
        return;
    const qint64 t = now();
    if (state == State::Ready) {
        lostSinceReady = true;
        downSinceMs = t;
    }
    teardownSocket();
    ++connectionId; // anything bound to the old socket is now stale

    // Streams: the server forgot them all. Those that were live come back with a Reconnected event.
    for (quint64 id : registry.streamIds()) {
        SubscriptionRegistry::Stream *s = registry.stream(id);
        if (!s->serverId.isEmpty()) {
            s->restoring = true;
            s->lostAtMs = t;
            registry.clearServerId(*s);
        }
    }
    failInFlight();
    // Session-lane items of the dead socket (authorize, restores, pings, forgets, backfills) go with it.
    for (int g = 0; g < RateLimiter::GroupCount; ++g) {
        for (auto *queue : {&priorityQueue[size_t(g)], &normalQueue[size_t(g)]}) {
            std::vector<qint64> stale;
            for (qint64 h : *queue) {
                if (requests.at(h).connection != 0)
                    stale.push_back(h);
            }
            for (qint64 h : stale) {
                if (std::optional<Pending> p = unqueue(h))
                    fail(std::move(*p), Error::make(ErrorKind::NotSent, QStringLiteral("ConnectionLost"),
                                                    QStringLiteral("socket replaced before it was sent")));
            }
        }
    }
    authorizedOnSocket = false;
    setupRemaining = 0;

    setState(State::Reconnecting);
    scheduleReconnect();
    qCWarning(lcDeriv).noquote() << accountName() << "connection lost:" << Redactor::redact(reason.toString());
    post([this, reason] { Q_EMIT q->connectionLost(reason); });
}

void DerivClient::Impl::scheduleReconnect()
{
    const qint64 delay = backoff.nextDelayMs();
    qCDebug(lcDeriv).noquote() << accountName() << "reconnecting in" << delay << "ms (attempt" << backoff.attempt() << ')';
    reconnectTimer->start(int(delay));
}

void DerivClient::Impl::shutDown(const Error &queuedError, const Error &streamError)
{
    teardownSocket();
    reconnectTimer->stop();
    pumpTimer->stop();
    deadline.timer->stop();
    ++connectionId;
    failInFlight(); // written: outcome unknown, even for reads (no reconnect will resend them)

    std::vector<qint64> queued;
    for (auto *queues : {&priorityQueue, &normalQueue}) {
        for (auto &queue : *queues) {
            queued.insert(queued.end(), queue.begin(), queue.end());
            queue.clear();
        }
    }
    std::sort(queued.begin(), queued.end());
    for (qint64 h : queued) {
        Pending p = take(h);
        if (p.origin == Origin::User)
            fail(std::move(p), queuedError);
    }
    Q_ASSERT(requests.empty());
    requests.clear();

    for (quint64 id : registry.streamIds()) {
        SubscriptionRegistry::Stream *s = registry.stream(id);
        s->pendingHandle = 0;
        s->backfillHandle = 0;
        endStream(id, StreamEvent::Kind::Failed, streamError);
    }
    registry.clear();
    authorizedOnSocket = false;
    setupRemaining = 0;
}

void DerivClient::Impl::endSession(const Error &reason)
{
    if (state == State::Closed || state == State::Failed)
        return;
    Error e = reason;
    e.account = accountName();
    VIGIL_LOG_ERROR(lcDeriv, e); // context for the log; the owner learns it from sessionEnded
    setState(State::Failed);
    Error queued = Error::make(ErrorKind::NotSent, e.code, QStringLiteral("session ended: ") + e.message);
    queued.account = e.account;
    shutDown(queued, e);
    post([this, e] { Q_EMIT q->sessionEnded(e); });
}

void DerivClient::Impl::becomeReadyIfDone()
{
    if (state != State::Authorizing || !restoreStarted || setupRemaining > 0)
        return;
    if (!options.token.isEmpty() && !authorizedOnSocket)
        return;
    const bool wasReconnect = everReady && lostSinceReady;
    const qint64 downMs = now() - downSinceMs;
    const int restored = restoredCount;
    backoff.reset();
    everReady = true;
    lostSinceReady = false;
    setState(State::Ready);
    schedulePump();
    if (wasReconnect) {
        qCInfo(lcDeriv).noquote() << accountName() << "reconnected after" << downMs << "ms," << restored << "subscriptions restored";
        post([this, downMs, restored] { Q_EMIT q->reconnected(downMs, restored); });
    }
    post([this] {
        if (state == State::Ready)
            Q_EMIT q->ready();
    });
}

// ---------------------------------------------------------------------------------------------------------------
// requests

qint64 DerivClient::Impl::enqueue(Pending p)
{
    if (p.handle == 0)
        p.handle = ++nextReqId;
    if (p.wireReqId == 0)
        p.wireReqId = p.handle;
    const qint64 handle = p.handle;
    auto &queue = p.priority ? priorityQueue[size_t(p.group)] : normalQueue[size_t(p.group)];
    queue.push_back(handle);
    requests.emplace(handle, std::move(p));
    schedulePump();
    return handle;
}

void DerivClient::Impl::schedulePump()
{
    if (pumpScheduled)
        return;
    pumpScheduled = true;
    QMetaObject::invokeMethod(q, [this] { pump(); }, Qt::QueuedConnection);
}

int DerivClient::Impl::queuedAhead(Group g) const
{
    return int(priorityQueue[size_t(g)].size() + normalQueue[size_t(g)].size());
}

void DerivClient::Impl::pump()
{
    pumpScheduled = false;
    pumpTimer->stop();
    const qint64 t = now();
    qint64 wakeIn = -1;
    std::vector<std::pair<qint64, Error>> expired;
    const auto wakeAt = [&wakeIn](qint64 ms) { wakeIn = wakeIn < 0 ? ms : std::min(wakeIn, ms); };

    // Requests that waited too long for a socket or for budget.
    for (int g = 0; g < RateLimiter::GroupCount; ++g) {
        for (auto *queue : {&priorityQueue[size_t(g)], &normalQueue[size_t(g)]}) {
            for (qint64 h : *queue) {
                const Pending &p = requests.at(h);
                if (p.queueDeadlineMs == 0)
                    continue;
                if (t >= p.queueDeadlineMs) {
                    Error e = state == State::Ready
                        ? Error::make(ErrorKind::RateLimited, QStringLiteral("ClientRateLimit"),
                                      QStringLiteral("the client's %1 budget did not allow it within %2 ms")
                                          .arg(RateLimiter::groupName(p.group)).arg(p.timeoutMs))
                        : Error::make(ErrorKind::NotSent, QStringLiteral("NotConnected"),
                                      QStringLiteral("no ready connection within %1 ms").arg(p.timeoutMs));
                    expired.emplace_back(h, e);
                } else {
                    wakeAt(p.queueDeadlineMs - t);
                }
            }
        }
    }
    std::vector<std::pair<Pending, Error>> refused;
    for (auto &[h, e] : expired) {
        if (std::optional<Pending> p = unqueue(h))
            refused.emplace_back(std::move(*p), e);
    }

    if (socketOpen()) {
        for (int g = 0; g < RateLimiter::GroupCount; ++g) {
            const Group group = Group(g);
            auto &prio = priorityQueue[size_t(g)];
            auto &normal = normalQueue[size_t(g)];
            while (socket) {
                std::deque<qint64> *queue = !prio.empty() ? &prio : (state == State::Ready && !normal.empty() ? &normal : nullptr);
                if (!queue)
                    break;
                const qint64 h = queue->front();
                Pending &p = requests.at(h);
                if (p.connection != 0 && p.connection != connectionId) {
                    queue->pop_front();
                    refused.emplace_back(take(h), Error::make(ErrorKind::NotSent, QStringLiteral("ConnectionLost"),
                                                               QStringLiteral("socket replaced before it was sent")));
                    continue;
                }
                qint64 wait = std::max<qint64>(0, limiter.blockedUntil(group) - t);
                if (options.clientRateLimit)
                    wait = std::max(wait, limiter.waitMs(group, t));
                if (wait > 0) {
                    if (p.queueDeadlineMs != 0 && t + wait > p.queueDeadlineMs) {
                        queue->pop_front();
                        refused.emplace_back(take(h), Error::make(ErrorKind::RateLimited, QStringLiteral("ClientRateLimit"),
                                                                  QStringLiteral("the client's %1 budget would delay it past its timeout")
                                                                      .arg(RateLimiter::groupName(group))));
                        continue;
                    }
                    wakeAt(wait);
                    break;
                }
                if (p.guard) {
                    // The last word before the frame leaves: the gate may have closed while it waited.
                    // (Guards must not call into the client; re-check anyway before touching the queue.)
                    const Result<void> ok = p.guard();
                    if (!socket || queue->empty() || queue->front() != h)
                        break;
                    if (!ok) {
                        queue->pop_front();
                        refused.emplace_back(take(h), ok.error());
                        continue;
                    }
                }
                queue->pop_front();
                if (options.clientRateLimit)
                    limiter.tryAcquire(group, t);
                write(p);
            }
        }
    }

    armDeadlineTimer();
    if (wakeIn >= 0)
        pumpTimer->start(int(std::max<qint64>(1, wakeIn)));

    // Calls out last, after the queues are consistent.
    for (auto &[p, e] : refused)
        fail(std::move(p), e);
    becomeReadyIfDone();
}

void DerivClient::Impl::write(Pending &p)
{
    QJsonObject frame = p.request;
    frame.insert(QStringLiteral("req_id"), p.wireReqId);
    if (lcDeriv().isDebugEnabled())
        qCDebug(lcDeriv).noquote() << accountName() << "->" << QString::fromUtf8(FrameCodec::encode(Redactor::redactJson(frame)));
    socket->sendTextMessage(QString::fromUtf8(FrameCodec::encode(frame)));
    inFlight.insert(p.wireReqId, p.handle);
    if (p.timeoutMs > 0)
        p.replyDeadlineMs = now() + p.timeoutMs;
    if (p.origin == Origin::Ping)
        arm(pong, std::max(1, options.pongTimeoutMs));
    if (p.setup)
        --setupRemaining;
}

DerivClient::Impl::Pending DerivClient::Impl::take(qint64 handle)
{
    auto it = requests.find(handle);
    Q_ASSERT(it != requests.end());
    Pending p = std::move(it->second);
    requests.erase(it);
    return p;
}

std::optional<DerivClient::Impl::Pending> DerivClient::Impl::unqueue(qint64 handle)
{
    for (auto *queues : {&priorityQueue, &normalQueue}) {
        for (auto &queue : *queues) {
            const auto it = std::find(queue.begin(), queue.end(), handle);
            if (it != queue.end()) {
                queue.erase(it);
                Pending p = take(handle);
                if (p.setup) {
                    --setupRemaining;
                    schedulePump(); // Ready may have been waiting only for this one
                }
                return p;
            }
        }
    }
    return std::nullopt;
}

void DerivClient::Impl::failInFlight()
{
    std::vector<std::pair<qint64, qint64>> written; // wire id, handle: replayed in the order they were sent
    for (auto it = inFlight.cbegin(); it != inFlight.cend(); ++it)
        written.emplace_back(it.key(), it.value());
    inFlight.clear();
    std::sort(written.begin(), written.end());
    std::vector<qint64> resend;
    for (const auto &[wire, h] : written) {
        Pending &p = requests.at(h);
        if (p.origin == Origin::User && p.resend && state != State::Closed && state != State::Failed) {
            resend.push_back(h);
            continue;
        }
        Pending gone = take(h);
        const Error e = Error::make(ErrorKind::OutcomeUnknown, QStringLiteral("ConnectionLost"),
                                    QStringLiteral("the connection dropped before the reply: the request may have taken effect"));
        fail(std::move(gone), e);
    }
    // Reads that asked for it go again first, in their original order, each with a fresh req_id.
    for (auto it = resend.rbegin(); it != resend.rend(); ++it) {
        Pending &p = requests.at(*it);
        p.wireReqId = ++nextReqId;
        p.replyDeadlineMs = 0;
        p.queueDeadlineMs = now() + p.timeoutMs;
        normalQueue[size_t(p.group)].push_front(p.handle);
    }
    if (!resend.empty())
        schedulePump();
}

void DerivClient::Impl::armDeadlineTimer()
{
    qint64 earliest = 0;
    for (const auto &[h, p] : requests) {
        if (p.replyDeadlineMs != 0 && (earliest == 0 || p.replyDeadlineMs < earliest))
            earliest = p.replyDeadlineMs;
    }
    if (earliest == 0) {
        deadline.timer->stop();
        return;
    }
    if (deadline.timer->isActive() && deadline.dueMs <= earliest)
        return;
    arm(deadline, earliest - now());
}

void DerivClient::Impl::onDeadlineTimer()
{
    if (firedLate(deadline))
        return;
    const qint64 t = now();
    std::vector<qint64> expired;
    for (auto it = inFlight.cbegin(); it != inFlight.cend(); ++it) {
        const Pending &p = requests.at(it.value());
        if (p.replyDeadlineMs != 0 && t >= p.replyDeadlineMs)
            expired.push_back(it.key());
    }
    std::sort(expired.begin(), expired.end());
    for (qint64 wire : expired) {
        const auto it = inFlight.find(wire);
        if (it == inFlight.end())
            continue; // an earlier expiry's handler reset the connection
        const qint64 h = it.value();
        inFlight.erase(it);
        Pending p = take(h);
        const Error e = Error::make(ErrorKind::Timeout, QStringLiteral("Timeout"),
                                    QStringLiteral("no reply within %1 ms").arg(p.timeoutMs));
        fail(std::move(p), e);
    }
    armDeadlineTimer();
}

void DerivClient::Impl::fail(Pending p, Error e)
{
    e = annotate(std::move(e), p);
    if (p.onReply)
        p.onReply(Result<DerivMessage>(e));
}

void DerivClient::Impl::handleText(quint64 id, const QString &text)
{
    if (id != connectionId)
        return;
    lastFrameMs = now();
    // The fast path only within the frame size the full decode accepts (it would report a bigger one).
    if (text.size() <= options.maxFrameBytes) {
        if (const std::optional<TickFrame> tick = TickFrame::read(text); tick && deliverTypedTick(*tick))
            return;
    }
    Result<DerivMessage> decoded = codec.decode(text);
    if (!decoded) {
        onMalformed(text, decoded.error());
        return;
    }
    const DerivMessage &m = decoded.value();
    if (m.reqId) {
        const auto it = inFlight.find(*m.reqId);
        if (it != inFlight.end()) {
            const qint64 h = it.value();
            inFlight.erase(it);
            onReplyReceived(take(h), m);
            return;
        }
    }
    if (m.isStream()) {
        if (SubscriptionRegistry::Stream *s = registry.streamByServerId(m.subscriptionId)) {
            onStreamMessage(*s, m);
        } else if (!forgetSent.contains(m.subscriptionId)) {
            // A subscription nobody holds (its subscriber left, or its request timed out): stop it, and
            // remember which request it answers in case a re-subscribe meets AlreadySubscribed.
            qCDebug(lcDeriv).noquote() << accountName() << "forgetting unowned subscription" << m.subscriptionId;
            if (!m.echoReq.isEmpty())
                orphans.insert(SubscriptionRegistry::canonicalKey(SubscriptionRegistry::normalized(m.echoReq)),
                               m.subscriptionId);
            sendForget(m.subscriptionId);
        }
        return;
    }
    qCDebug(lcDeriv).noquote() << accountName() << "unrouted" << m.msgType << "req_id" << m.reqId.value_or(0)
                               << "(timed out or cancelled)";
}

void DerivClient::Impl::onMalformed(QStringView raw, const Error &error)
{
    const QString excerpt = FrameCodec::excerpt(raw);
    const QString reason = error.code + QStringLiteral(": ") + error.message;
    qCWarning(lcDeriv).noquote() << accountName() << QStringLiteral("malformed frame (%1):").arg(reason) << excerpt;
    post([this, excerpt, reason] { Q_EMIT q->malformedFrame(excerpt, reason); });
    // If the broken frame still names one of our requests, answer it now rather than let it time out.
    if (error.reqId == 0)
        return;
    const auto it = inFlight.find(error.reqId);
    if (it == inFlight.end())
        return;
    const qint64 h = it.value();
    inFlight.erase(it);
    Pending p = take(h);
    Error e = DerivCall::isRead(p.call)
        ? Error::make(ErrorKind::Protocol, QStringLiteral("MalformedReply"), error.message)
        : Error::make(ErrorKind::OutcomeUnknown, QStringLiteral("MalformedReply"),
                      QStringLiteral("the reply could not be read (%1): the request may have taken effect").arg(error.message));
    fail(std::move(p), e);
}

void DerivClient::Impl::onReplyReceived(Pending p, const DerivMessage &m)
{
    if (!m.error) {
        limiter.noteSuccess(p.group);
        if (authorizedOnSocket && DerivCall::needsAuthorization(p.call))
            authRetryPending = false;
        p.onReply(Result<DerivMessage>(m));
        return;
    }

    Error e = annotate(*m.error, p);
    if (e.code == QLatin1String("RateLimit")) {
        limiter.noteRateLimited(p.group, now());
        e.kind = ErrorKind::RateLimited;
        qCWarning(lcDeriv).noquote() << accountName() << "server RateLimit on" << p.call << "- backing off the"
                                     << RateLimiter::groupName(p.group) << "group";
    }
    enum class Then { Nothing, Reauthorize, End } then = Then::Nothing;
    if (p.origin != Origin::Authorize) {
        if (isFinalCode(e.code)) {
            then = Then::End;
        } else if (e.code == QLatin1String("AuthorizationRequired") && !options.token.isEmpty()) {
            // Once is a lost session (re-authorize on a fresh socket); again right after that is final.
            then = (authRetryPending || state == State::Authorizing) ? Then::End : Then::Reauthorize;
        }
    }
    p.onReply(Result<DerivMessage>(e));
    if (then == Then::End) {
        endSession(e);
    } else if (then == Then::Reauthorize) {
        authRetryPending = true;
        handleConnectionLost(e);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// keepalive

void DerivClient::Impl::onPingTimer()
{
    if (!socketOpen() || pingOutstanding)
        return;
    pingOutstanding = true;
    Pending p;
    p.request = QJsonObject{{QStringLiteral("ping"), 1}};
    p.call = QStringLiteral("ping");
    p.group = DerivCall::rateGroup(p.call);
    p.origin = Origin::Ping;
    p.priority = true;
    p.connection = connectionId;
    const quint64 id = connectionId;
    p.onReply = [this, id](const Result<DerivMessage> &) {
        // Any answer, even an error, proves the link carries frames both ways.
        if (id != connectionId)
            return;
        pingOutstanding = false;
        pong.timer->stop();
    };
    enqueue(std::move(p));
}

void DerivClient::Impl::onPongTimeout()
{
    if (firedLate(pong))
        return;
    qCWarning(lcDeriv).noquote() << accountName() << "no pong within" << options.pongTimeoutMs << "ms";
    handleConnectionLost(Error::make(ErrorKind::Timeout, QStringLiteral("PongTimeout"),
                                     QStringLiteral("no pong within %1 ms").arg(options.pongTimeoutMs)));
}

void DerivClient::Impl::onSilenceTimeout()
{
    const qint64 idle = now() - lastFrameMs;
    if (idle < options.silenceTimeoutMs) {
        arm(silence, options.silenceTimeoutMs - idle);
        return;
    }
    if (firedLate(silence))
        return;
    handleConnectionLost(Error::make(ErrorKind::Timeout, QStringLiteral("Silence"),
                                     QStringLiteral("no frame for %1 ms").arg(idle)));
}

// ---------------------------------------------------------------------------------------------------------------
// streams

void DerivClient::Impl::enqueueSubscribe(quint64 streamId, bool restore)
{
    SubscriptionRegistry::Stream *s = registry.stream(streamId);
    Q_ASSERT(s && s->pendingHandle == 0);
    Pending p;
    p.handle = ++nextReqId;
    p.request = s->request;
    p.call = s->call;
    p.group = DerivCall::rateGroup(p.call);
    p.origin = Origin::Subscribe;
    p.priority = restore;
    p.setup = restore;
    p.connection = restore ? connectionId : 0;
    p.timeoutMs = options.requestTimeoutMs;
    const qint64 handle = p.handle;
    p.onReply = [this, streamId, handle](const Result<DerivMessage> &r) { onSubscribeReply(streamId, handle, r); };
    s->pendingHandle = handle;
    if (restore)
        ++setupRemaining;
    enqueue(std::move(p));
}

void DerivClient::Impl::onSubscribeReply(quint64 streamId, qint64 handle, const Result<DerivMessage> &r)
{
    SubscriptionRegistry::Stream *s = registry.stream(streamId);
    if (!s || s->pendingHandle != handle) {
        // Everyone left while it was in flight: drop what the server opened.
        if (r && r->isStream())
            sendForget(r->subscriptionId);
        return;
    }
    s->pendingHandle = 0;
    if (!r) {
        const Error &e = r.error();
        if (e.kind == ErrorKind::OutcomeUnknown || (e.kind == ErrorKind::NotSent && e.code == QLatin1String("ConnectionLost")))
            return; // the socket went: restored with the others
        bool retryable = e.kind == ErrorKind::RateLimited;
        Error failure = e;
        if (e.is("AlreadySubscribed")) {
            // The server still holds an identical subscription on this socket that nobody here owns (its
            // subscribe reply was lost). Sending the same request again cannot succeed while it lives, and
            // forget_all would also kill this socket's other streams of the type. If its messages have shown
            // its id, forget exactly that one and subscribe again; otherwise fail the stream with a clear
            // error (its owner re-subscribes later; by then its first message will have named it and the
            // client forgets it as unowned).
            const auto orphan = orphans.constFind(s->canonical);
            retryable = orphan != orphans.cend();
            if (retryable) {
                qCInfo(lcDeriv).noquote() << accountName() << "AlreadySubscribed: forgetting the orphan" << orphan.value()
                                          << "and subscribing again";
                sendForget(orphan.value());
                orphans.erase(orphan);
            } else {
                failure.message = QStringLiteral("the server already holds this subscription on the socket under an id "
                                                 "the client does not know (a lost subscribe reply); not retried (%1)")
                                      .arg(e.message);
            }
        }
        if (retryable && s->rateLimitRetries < s_maxSubscribeRetries) {
            ++s->rateLimitRetries;
            enqueueSubscribe(streamId, state == State::Authorizing);
            return;
        }
        endStream(streamId, StreamEvent::Kind::Failed, failure);
        return;
    }
    s->rateLimitRetries = 0;
    if (!r->isStream()) {
        deliverStreamMessage(streamId, r->json, false);
        endStream(streamId, StreamEvent::Kind::Ended, Error());
        return;
    }
    registry.bindServerId(*s, r->subscriptionId);
    onStreamMessage(*s, r.value());
}

void DerivClient::Impl::startRestore()
{
    restoreStarted = true;
    restoredCount = 0;
    for (quint64 id : registry.streamIds()) {
        SubscriptionRegistry::Stream *s = registry.stream(id);
        // Streams with a request still queued are sent with the ordinary traffic.
        if (s->pendingHandle != 0 || !s->serverId.isEmpty())
            continue;
        s->held.clear();
        s->backfillHandle = 0;
        enqueueSubscribe(id, true);
        if (s->restoring)
            ++restoredCount;
    }
    becomeReadyIfDone();
    schedulePump();
}

void DerivClient::Impl::onStreamMessage(SubscriptionRegistry::Stream &s, const DerivMessage &m)
{
    const quint64 streamId = s.id;
    if (m.error) {
        Error e = *m.error;
        e.account = accountName();
        const QString serverId = s.serverId;
        endStream(streamId, StreamEvent::Kind::Failed, e);
        sendForget(serverId);
        return;
    }
    if (s.restoring) {
        s.restoring = false;
        const qint64 since = s.lastMessageMs >= 0 ? s.lastMessageMs : s.lostAtMs;
        StreamEvent ev;
        ev.kind = StreamEvent::Kind::Reconnected;
        ev.gapMs = now() - since;
        for (quint64 key : std::as_const(s.subscribers))
            postEvent(key, ev);
        const std::optional<qint64> epoch = DerivFields::epoch(m.json.value(QLatin1String("tick")).toObject());
        if (registry.wantsBackfill(s) && s.lastEpoch > 0 && epoch && *epoch > s.lastEpoch + 1) {
            s.held.append(m.json);
            startBackfill(s, *epoch);
            return;
        }
    }
    if (s.backfillHandle != 0) {
        s.held.append(m.json);
        return;
    }
    deliverStreamMessage(streamId, m.json, false);
}

void DerivClient::Impl::deliverStreamMessage(quint64 streamId, const QJsonObject &json, bool backfilled)
{
    SubscriptionRegistry::Stream *s = registry.stream(streamId);
    if (!s)
        return;
    if (!s->tickSymbol.isEmpty()) {
        // Epochs only move forward on a symbol: anything not newer was delivered already.
        if (const std::optional<qint64> epoch = DerivFields::epoch(json.value(QLatin1String("tick")).toObject())) {
            if (*epoch <= s->lastEpoch)
                return;
            s->lastEpoch = *epoch;
        }
    }
    s->lastMessageMs = now();
    StreamEvent ev;
    ev.kind = StreamEvent::Kind::Message;
    ev.message = json;
    for (quint64 key : std::as_const(s->subscribers)) {
        if (backfilled) {
            const SubscriptionRegistry::Subscriber *sub = registry.subscriber(key);
            if (!sub || !sub->options.backfillTicks)
                continue;
        }
        postEvent(key, ev);
    }
    if (s->endsWhenSold) {
        const QJsonObject poc = json.value(QLatin1String("proposal_open_contract")).toObject();
        if (DerivFields::flag(poc.value(QLatin1String("is_sold"))).value_or(false))
            endStream(streamId, StreamEvent::Kind::Ended, Error());
    }
}

// The fast path for a live tick (see TickFrame): taken only when every subscriber of its stream asked for
// typed ticks and nothing about the stream needs the whole message (not the reply to a request in flight,
// no reconnect or backfill under way). false: nothing was done, the full decode takes the frame.
bool DerivClient::Impl::deliverTypedTick(const TickFrame &tick)
{
    if (tick.reqId != 0 && inFlight.contains(tick.reqId))
        return false;
    SubscriptionRegistry::Stream *s = registry.streamByServerId(tick.subscriptionId);
    if (!s || s->restoring || s->backfillHandle != 0 || s->tickSymbol != tick.symbol || s->subscribers.isEmpty())
        return false;
    for (quint64 key : std::as_const(s->subscribers)) {
        const SubscriptionRegistry::Subscriber *sub = registry.subscriber(key);
        if (!sub || !sub->options.typedTicks)
            return false;
    }
    // Epochs only move forward on a symbol: anything not newer was delivered already.
    if (tick.epoch <= s->lastEpoch)
        return true;
    s->lastEpoch = tick.epoch;
    s->lastMessageMs = now();
    StreamEvent ev;
    ev.kind = StreamEvent::Kind::Message;
    ev.tick = StreamEvent::Tick{s->tickSymbol, tick.epoch, tick.quoteUnits, tick.quoteDecimals, tick.pipSize};
    for (quint64 key : std::as_const(s->subscribers))
        postEvent(key, ev);
    return true;
}

void DerivClient::Impl::startBackfill(SubscriptionRegistry::Stream &s, qint64 firstLiveEpoch)
{
    Pending p;
    p.handle = ++nextReqId;
    p.request = QJsonObject{{QStringLiteral("ticks_history"), s.tickSymbol},
                            {QStringLiteral("start"), s.lastEpoch},
                            {QStringLiteral("end"), QString::number(firstLiveEpoch)},
                            {QStringLiteral("style"), QStringLiteral("ticks")},
                            {QStringLiteral("count"), s_backfillCount}};
    p.call = QStringLiteral("ticks_history");
    p.group = DerivCall::rateGroup(p.call);
    p.origin = Origin::Backfill;
    p.priority = true;
    p.connection = connectionId;
    p.timeoutMs = options.requestTimeoutMs;
    const quint64 streamId = s.id;
    const qint64 handle = p.handle;
    p.onReply = [this, streamId, handle](const Result<DerivMessage> &r) { onBackfillReply(streamId, handle, r); };
    s.backfillHandle = handle;
    enqueue(std::move(p));
}

void DerivClient::Impl::onBackfillReply(quint64 streamId, qint64 handle, const Result<DerivMessage> &r)
{
    SubscriptionRegistry::Stream *s = registry.stream(streamId);
    if (!s || s->backfillHandle != handle)
        return;
    s->backfillHandle = 0;
    if (!r && (r.error().kind == ErrorKind::OutcomeUnknown || r.error().kind == ErrorKind::NotSent)) {
        // The socket went: the next reconnect fills the whole gap from the last delivered tick.
        s->held.clear();
        return;
    }
    const QList<QJsonObject> held = std::exchange(s->held, {});
    const qint64 firstHeld = held.isEmpty() ? std::numeric_limits<qint64>::max()
                                            : DerivFields::epoch(held.first().value(QLatin1String("tick")).toObject()).value_or(0);
    if (r) {
        const QJsonObject history = r->json.value(QLatin1String("history")).toObject();
        const QJsonArray times = history.value(QLatin1String("times")).toArray();
        const QJsonArray prices = history.value(QLatin1String("prices")).toArray();
        const QJsonValue pipSize = r->json.value(QLatin1String("pip_size"));
        std::vector<std::pair<qint64, QJsonValue>> ticks;
        for (qsizetype i = 0; i < std::min(times.size(), prices.size()); ++i) {
            if (const std::optional<qint64> epoch = DerivFields::integer(times.at(i)))
                ticks.emplace_back(*epoch, prices.at(i));
        }
        std::stable_sort(ticks.begin(), ticks.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
        for (const auto &[epoch, price] : ticks) {
            if (epoch >= firstHeld)
                break;
            QJsonObject tick{{QStringLiteral("symbol"), s->tickSymbol},
                             {QStringLiteral("epoch"), epoch},
                             {QStringLiteral("quote"), price}};
            if (!pipSize.isUndefined())
                tick.insert(QStringLiteral("pip_size"), pipSize);
            const QJsonObject message{{QStringLiteral("msg_type"), QStringLiteral("tick")},
                                      {QStringLiteral("tick"), tick},
                                      {QStringLiteral("echo_req"), s->request},
                                      {QStringLiteral("subscription"), QJsonObject{{QStringLiteral("id"), s->serverId}}},
                                      {QStringLiteral("vigil_backfill"), true}};
            deliverStreamMessage(streamId, message, true);
            if (!registry.stream(streamId))
                return;
        }
    } else {
        Error e = r.error();
        e.account = accountName();
        VIGIL_LOG_ERROR(lcDeriv, e);
        qCWarning(lcDeriv).noquote() << accountName() << "tick backfill for" << s->tickSymbol << "failed; the gap stays";
    }
    for (const QJsonObject &json : held) {
        deliverStreamMessage(streamId, json, false);
        if (!registry.stream(streamId))
            return;
    }
}

void DerivClient::Impl::endStream(quint64 streamId, StreamEvent::Kind kind, const Error &error)
{
    SubscriptionRegistry::Stream *s = registry.stream(streamId);
    if (!s)
        return;
    StreamEvent ev;
    ev.kind = kind;
    ev.error = error;
    for (quint64 key : std::as_const(s->subscribers))
        postEvent(key, ev); // captures the handler now: the registry entry goes next
    const qint64 pending = s->pendingHandle;
    registry.takeStream(streamId);
    if (pending != 0)
        unqueue(pending); // not written yet: never send it
}

void DerivClient::Impl::deliverMessage(const Delivery &d)
{
    // unsubscribe() withdraws even messages already queued.
    if (!deliverable.contains(d.subscriberKey))
        return;
    if (!d.context) {
        unsubscribe(d.subscriberKey); // its owner is gone: stop paying for the stream
        return;
    }
    if (d.handler && *d.handler)
        (*d.handler)(d.event);
}

void DerivClient::Impl::postEvent(quint64 key, const StreamEvent &event)
{
    const SubscriptionRegistry::Subscriber *sub = registry.subscriber(key);
    if (!sub)
        return;
    if (event.kind == StreamEvent::Kind::Message) {
        // Queued as data, not as a closure: this runs for every stream message.
        deliveries.push_back(Delivery{{}, key, event, sub->context, sub->handler});
        scheduleFlush();
        return;
    }
    post([this, key, event, context = sub->context, handler = sub->handler] {
        // unsubscribe() withdraws even events already queued; a terminal event is the last one.
        if (!deliverable.contains(key))
            return;
        const bool terminal = event.kind == StreamEvent::Kind::Ended || event.kind == StreamEvent::Kind::Failed;
        if (terminal)
            deliverable.remove(key);
        if (!context) {
            if (!terminal)
                unsubscribe(key); // its owner is gone: stop paying for the stream
            return;
        }
        if (handler && *handler)
            (*handler)(event);
    });
}

void DerivClient::Impl::sendForget(const QString &serverId)
{
    if (serverId.isEmpty() || !socketOpen() || forgetSent.contains(serverId))
        return;
    forgetSent.insert(serverId);
    Pending p;
    p.request = QJsonObject{{QStringLiteral("forget"), serverId}};
    p.call = QStringLiteral("forget");
    p.group = DerivCall::rateGroup(p.call);
    p.origin = Origin::Forget;
    p.priority = true;
    p.connection = connectionId;
    p.timeoutMs = options.requestTimeoutMs;
    p.onReply = [this, serverId](const Result<DerivMessage> &r) {
        if (!r)
            qCDebug(lcDeriv).noquote() << accountName() << "forget" << serverId << "failed:" << r.error().toString();
    };
    enqueue(std::move(p));
}

void DerivClient::Impl::unsubscribe(quint64 key)
{
    deliverable.remove(key);
    std::optional<SubscriptionRegistry::Stream> s = registry.removeSubscriber(key);
    if (!s)
        return;
    if (s->pendingHandle != 0)
        unqueue(s->pendingHandle); // not written yet: never send it; if written, its reply forgets it
    sendForget(s->serverId);
}

// ---------------------------------------------------------------------------------------------------------------
// DerivClient

DerivClient::DerivClient(Options options, QObject *parent) : QObject(parent), d(std::make_unique<Impl>(this, std::move(options)))
{
    if (!d->options.token.isEmpty())
        Redactor::registerSecret(d->options.token);
    const auto makeTimer = [this](bool singleShot) {
        auto *t = new QTimer(this);
        t->setSingleShot(singleShot);
        t->setTimerType(Qt::PreciseTimer);
        return t;
    };
    d->pingTimer = makeTimer(false);
    d->connectTimer = makeTimer(true);
    d->reconnectTimer = makeTimer(true);
    d->pumpTimer = makeTimer(true);
    d->pong.timer = makeTimer(true);
    d->silence.timer = makeTimer(true);
    d->deadline.timer = makeTimer(true);
    connect(d->pingTimer, &QTimer::timeout, this, [this] { d->onPingTimer(); });
    connect(d->connectTimer, &QTimer::timeout, this, [this] {
        d->handleConnectionLost(Error::make(ErrorKind::Timeout, QStringLiteral("ConnectTimeout"),
                                            QStringLiteral("no WebSocket handshake within %1 ms").arg(d->options.connectTimeoutMs)));
    });
    connect(d->reconnectTimer, &QTimer::timeout, this, [this] {
        if (d->state == State::Reconnecting)
            d->connectSocket();
    });
    connect(d->pumpTimer, &QTimer::timeout, this, [this] { d->pump(); });
    connect(d->pong.timer, &QTimer::timeout, this, [this] { d->onPongTimeout(); });
    connect(d->silence.timer, &QTimer::timeout, this, [this] { d->onSilenceTimeout(); });
    connect(d->deadline.timer, &QTimer::timeout, this, [this] { d->onDeadlineTimer(); });
}

DerivClient::~DerivClient()
{
    d->teardownSocket();
}

void DerivClient::open()
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (d->state != State::Disconnected && d->state != State::Closed && d->state != State::Failed)
        return;
    const QString scheme = d->options.url.scheme();
    if (!d->options.url.isValid() || (scheme != QLatin1String("ws") && scheme != QLatin1String("wss"))) {
        d->setState(State::Connecting);
        d->endSession(Error::make(ErrorKind::Configuration, QStringLiteral("InvalidUrl"),
                                  QStringLiteral("not a ws:// or wss:// URL: %1").arg(d->options.url.toString(QUrl::RemoveQuery))));
        return;
    }
    d->backoff.reset();
    d->everReady = false;
    d->lostSinceReady = false;
    d->authRetryPending = false;
    d->setState(State::Connecting);
    d->connectSocket();
}

void DerivClient::close()
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (d->state == State::Closed)
        return;
    const bool wasFailed = d->state == State::Failed;
    d->setState(State::Closed);
    if (wasFailed)
        return;
    const Error cancelled = Error::make(ErrorKind::Cancelled, QStringLiteral("Closed"), QStringLiteral("the client was closed"));
    d->shutDown(cancelled, cancelled);
    qCInfo(lcDeriv).noquote() << d->accountName() << "closed";
}

DerivClient::State DerivClient::state() const
{
    return d->state;
}

QJsonObject DerivClient::authorization() const
{
    return d->authorization;
}

qint64 DerivClient::send(QJsonObject request, QObject *context, ReplyHandler handler, RequestOptions options)
{
    Q_ASSERT(QThread::currentThread() == thread());
    Q_ASSERT_X(context, "DerivClient::send", "a context object is required");
    request.remove(QStringLiteral("req_id"));

    Impl::Pending p;
    p.handle = ++d->nextReqId;
    p.request = request;
    p.call = DerivCall::nameOf(request);
    p.group = DerivCall::rateGroup(p.call);
    p.origin = Origin::User;
    p.guard = std::move(options.guard);
    p.resend = options.resendAfterReconnect;
    p.timeoutMs = options.timeoutMs > 0 ? options.timeoutMs : d->options.requestTimeoutMs;
    p.wireReqId = p.handle;
    p.onReply = [this, ctx = QPointer<QObject>(context ? context : this), handler = std::move(handler)](
                    const Result<DerivMessage> &r) {
        Result<QJsonObject> reply = r ? Result<QJsonObject>(r->json) : Result<QJsonObject>(r.error());
        d->post([ctx, handler, reply] {
            if (!ctx)
                return; // its owner is gone
            if (handler)
                handler(reply);
        });
    };

    const auto refuse = [&](ErrorKind kind, const char *code, const QString &message) -> qint64 {
        d->fail(std::move(p), Error::make(kind, QString::fromLatin1(code), message));
        return 0;
    };
    if (p.call.isEmpty())
        return refuse(ErrorKind::InvalidInput, "UnknownCall", QStringLiteral("the request names no known Deriv call"));
    if (isSessionCall(p.call))
        return refuse(ErrorKind::InvalidInput, "SessionCall",
                      QStringLiteral("%1 is managed by the client (use subscribe()/unsubscribe() for streams)").arg(p.call));
    if (request.contains(QLatin1String("subscribe")))
        return refuse(ErrorKind::InvalidInput, "UseSubscribe", QStringLiteral("streams go through subscribe()"));
    if (p.resend && !DerivCall::isRead(p.call))
        return refuse(ErrorKind::InvalidInput, "ResendRefused",
                      QStringLiteral("resendAfterReconnect is only allowed for reads; %1 may have taken effect").arg(p.call));
    if (d->state == State::Closed || d->state == State::Failed)
        return refuse(ErrorKind::NotSent, "NotOpen", QStringLiteral("the client is closed"));
    if (d->options.clientRateLimit) {
        const qint64 wait = d->limiter.waitMs(p.group, d->now(), d->queuedAhead(p.group));
        if (wait > p.timeoutMs)
            return refuse(ErrorKind::RateLimited, "ClientRateLimit",
                          QStringLiteral("the client's %1 budget would delay it %2 ms, past its %3 ms timeout")
                              .arg(RateLimiter::groupName(p.group)).arg(wait).arg(p.timeoutMs));
    }
    p.queueDeadlineMs = d->now() + p.timeoutMs;
    return d->enqueue(std::move(p));
}

qint64 DerivClient::send(QJsonObject request, QObject *context, ReplyHandler handler)
{
    return send(std::move(request), context, std::move(handler), RequestOptions());
}

bool DerivClient::cancel(qint64 requestId)
{
    Q_ASSERT(QThread::currentThread() == thread());
    const auto it = d->requests.find(requestId);
    if (it == d->requests.end() || it->second.origin != Origin::User || d->inFlight.contains(it->second.wireReqId))
        return false;
    std::optional<Impl::Pending> p = d->unqueue(requestId);
    if (!p)
        return false;
    d->fail(std::move(*p), Error::make(ErrorKind::Cancelled, QStringLiteral("Cancelled"), QStringLiteral("cancelled before it was sent")));
    return true;
}

quint64 DerivClient::subscribe(QJsonObject request, QObject *context, StreamHandler handler, SubscribeOptions options)
{
    Q_ASSERT(QThread::currentThread() == thread());
    Q_ASSERT_X(context, "DerivClient::subscribe", "a context object is required");
    const QString call = DerivCall::nameOf(request);
    QString problem;
    if (call.isEmpty())
        problem = QStringLiteral("the request names no known Deriv call");
    else if (isSessionCall(call) || !DerivCall::isRead(call))
        problem = QStringLiteral("%1 cannot be subscribed to (only reads stream; buy then follow the contract)").arg(call);
    else if (d->state == State::Closed || d->state == State::Failed)
        problem = QStringLiteral("the client is closed");
    if (!problem.isEmpty()) {
        StreamEvent ev;
        ev.kind = StreamEvent::Kind::Failed;
        ev.error = Error::make(d->state == State::Closed || d->state == State::Failed ? ErrorKind::NotSent : ErrorKind::InvalidInput,
                               QStringLiteral("BadSubscription"), problem);
        ev.error.msgType = call;
        ev.error.account = d->accountName();
        const QPointer<QObject> ctx(context);
        d->post([ctx, handler, ev] {
            if (ctx && handler)
                handler(ev);
        });
        return 0;
    }
    const SubscriptionRegistry::Added added = d->registry.add(request, call, context, std::move(handler), options);
    d->deliverable.insert(added.key);
    if (added.created)
        d->enqueueSubscribe(added.stream->id, false);
    return added.key;
}

quint64 DerivClient::subscribe(QJsonObject request, QObject *context, StreamHandler handler)
{
    return subscribe(std::move(request), context, std::move(handler), SubscribeOptions());
}

void DerivClient::unsubscribe(quint64 subscriptionKey)
{
    Q_ASSERT(QThread::currentThread() == thread());
    d->unsubscribe(subscriptionKey);
}

int DerivClient::streamCount() const
{
    return d->registry.streamCount();
}

int DerivClient::pendingRequestCount() const
{
    int n = 0;
    for (const auto &[h, p] : d->requests) {
        if (p.origin == Origin::User)
            ++n;
    }
    return n;
}

} // namespace Vigil
