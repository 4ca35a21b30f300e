// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QUrl>

#include "deriv/ratelimiter.h"
#include "health/error.h"
#include "health/result.h"

namespace Vigil {

class Clock;

// One Deriv API v3 WebSocket session for one account: requests routed by req_id, subscriptions that survive
// reconnects, keepalive, reconnect with backoff, re-authorization and a client-side rate limiter.
//
// Threads: the client lives on one thread (the account's worker thread). Create it without a parent,
// moveToThread(), then call every method on that thread. The socket is created in open(); the client's own
// timers (keepalive, deadlines, backoff) are its children, so they move with it and are never shared.
// Every handler and signal runs on that thread. Work that can block that thread for longer than
// pongTimeoutMs makes the keepalive unreliable (the client re-checks a late timer once before giving up).
//
// Handlers are called at most once per request (once per event for streams), never synchronously inside
// send()/subscribe()/unsubscribe(), and are dropped when their context object has been destroyed (the
// context must live on the client's thread). Destroying the client drops every handler without a call.
//
// Errors a request can get (Vigil::Error, msgType/reqId/account filled):
//   Broker          the server answered error{code,message,details}; code is Deriv's code
//   RateLimited     code ClientRateLimit: the client's budget would have made it wait past its timeout (not
//                   sent); code RateLimit: the server refused it (not retried; the group backs off)
//   OutcomeUnknown  code ConnectionLost: it was written and the socket dropped before the reply; it may have
//                   taken effect. Never re-sent, except reads sent with resendAfterReconnect.
//                   code MalformedReply: the reply to a write could not be parsed.
//   Timeout         no reply within its timeout on a live socket (for writes: outcome unknown too)
//   NotSent         it never left: not open, session ended, not connected before its timeout
//   Protocol        the reply to a read could not be parsed
//   InvalidInput    refused before sending (unknown call, session calls, resend for a write...)
//   Cancelled       cancel() or close() before it was sent
//   or whatever the guard returned.
//
// Session rules: InvalidToken, DisabledClient, AccountDisabled or InvalidAppID on any reply end the session
// (sessionEnded, state Failed, no reconnect). So does a WebSocket handshake the server refuses with HTTP 401
// or 403 (how Deriv refuses a bad app_id): sessionEnded with a Broker error, code InvalidAppID.
// AuthorizationRequired with a token set drops the socket and re-authorizes on a fresh one; if it comes
// again before an authenticated call has succeeded (or while the streams are being restored) the session ends.
class DerivClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DerivClient)

public:
    enum class State {
        Disconnected, // never opened
        Connecting,   // first connection attempt
        Authorizing,  // socket open: authorizing (when there is a token) and restoring subscriptions
        Ready,        // requests flow
        Reconnecting, // lost the socket; waiting out the backoff or connecting again
        Closed,       // close() was called
        Failed,       // the session ended for good (see sessionEnded)
    };
    Q_ENUM(State)

    struct Options
    {
        QUrl url;              // ws:// or wss://, with app_id
        QString token;         // empty = unauthenticated; kept in memory only, registered with the Redactor
        QString accountLabel;  // for errors and logs until authorize names the login id
        int pingIntervalMs = 30000;
        int pongTimeoutMs = 5000;
        int silenceTimeoutMs = 60000;
        int requestTimeoutMs = 30000;
        int backoffInitialMs = 250;
        int backoffMaxMs = 30000;
        bool clientRateLimit = true;
        Clock *clock = nullptr; // default Clock::system(); must outlive the client
        // Additions beyond the minimal set:
        int connectTimeoutMs = 15000;              // TCP + TLS + WebSocket handshake
        qsizetype maxFrameBytes = 4 * 1024 * 1024; // larger frames are rejected as malformed
        RateLimiter::Options rateLimits;           // the client's budget (Deriv's published limits by default)
    };

    struct RequestOptions
    {
        int timeoutMs = -1; // <= 0: Options::requestTimeoutMs. Bounds the wait for the rate limiter / a ready
                            // socket, then (restarted when written) the wait for the reply.
        // Evaluated IMMEDIATELY before the frame is written to the socket (after any rate-limiter wait);
        // if it returns an error the request is not sent and the handler gets that error. It runs on the
        // client's thread and must not call back into the client.
        std::function<Result<void>()> guard;
        bool resendAfterReconnect = false; // only allowed for reads: re-sent (fresh req_id) if the socket drops
    };

    using ReplyHandler = std::function<void(const Result<QJsonObject> &reply)>; // full reply message

    // A subscriber sees ONE continuous stream across reconnects.
    struct StreamEvent
    {
        enum class Kind {
            Message,     // a stream message (the first one is the subscribe reply); backfilled ticks carry
                         // "vigil_backfill": true and are shaped like live ones
            Reconnected, // the socket was replaced and the stream re-created; gapMs since its last message
            Ended,       // the server ended it (a per-contract proposal_open_contract after is_sold, or a
                         // reply that opened no subscription); nothing more comes
            Failed,      // it could not be (re)created or the session ended: `error`; nothing more comes
        } kind = Kind::Message;
        QJsonObject message;
        // A subscriber that asked for SubscribeOptions::typedTicks gets most live ticks here instead of in
        // `message` (read without a JSON document; see TickFrame). Any tick the fast path is not sure of,
        // and every backfilled or first-after-reconnect tick, still comes as `message`: handle both.
        struct Tick
        {
            QString symbol;
            qint64 epoch = 0;      // seconds
            qint64 quoteUnits = 0; // the quote exactly as the server wrote it: quoteUnits × 10^-quoteDecimals
            int quoteDecimals = 0;
            int pipSize = -1;      // the frame's pip_size, -1 when absent
        };
        std::optional<Tick> tick;
        qint64 gapMs = 0;
        Error error;
    };
    using StreamHandler = std::function<void(const StreamEvent &)>;

    struct SubscribeOptions
    {
        bool backfillTicks = false; // ticks for one symbol: fill a reconnect gap from ticks_history
        bool typedTicks = false;    // ticks for one symbol: live ticks as StreamEvent::tick (see there)
    };

    explicit DerivClient(Options options, QObject *parent = nullptr);
    ~DerivClient() override;

    // Connects (Disconnected/Closed/Failed → Connecting); keeps reconnecting until close() or a final error.
    void open();
    // Closes the socket for good: queued requests fail Cancelled, written ones OutcomeUnknown, streams
    // get Failed (Cancelled) and are forgotten. open() may start a fresh session afterwards.
    void close();

    State state() const;
    QJsonObject authorization() const; // last authorize payload (loginid, currency, scopes, ...)

    // Queues a request (the call named by its key, e.g. {"portfolio":1}); a fresh req_id is put on it.
    // Requests wait for a Ready socket and the rate limiter, in order per rate group. Returns the request's
    // id (its first req_id; usable with cancel()), or 0 when refused at once (the handler still gets the
    // error, later). Refused: unknown calls, authorize/logout/forget/forget_all (the client owns the
    // session), subscribe:1 (use subscribe()), resendAfterReconnect on a write, a closed or failed client.
    // Before open() requests wait like any other (until their timeout).
    qint64 send(QJsonObject request, QObject *context, ReplyHandler handler, RequestOptions options);
    // (Overloads rather than `= {}`: a nested struct with member initializers cannot be a default argument
    // inside its own class.)
    qint64 send(QJsonObject request, QObject *context, ReplyHandler handler);
    // Cancels a request that has not been written yet (handler gets Cancelled). False once written.
    bool cancel(qint64 requestId);

    // Subscribes (subscribe:1 is added) to a read call: ticks, balance, transaction, proposal,
    // proposal_open_contract... Identical requests share one server subscription. Returns a key (> 0); bad
    // requests get a Failed event (later) and key 0. A subscribe refused with RateLimit is retried a few
    // times; AlreadySubscribed (the server holds an identical subscription whose reply was lost) is retried
    // only after forgetting that orphan by its id, when its messages have named it; otherwise the stream
    // fails at once (never forget_all: it would end the socket's other streams of the type). A Failed stream
    // is gone: subscribe again (with backoff) to follow it again.
    quint64 subscribe(QJsonObject request, QObject *context, StreamHandler handler, SubscribeOptions options);
    quint64 subscribe(QJsonObject request, QObject *context, StreamHandler handler);
    // No further events for this key; sends forget for the live server id when it was the last subscriber.
    void unsubscribe(quint64 subscriptionKey);

    // Introspection (for tests and status views).
    int streamCount() const;       // distinct server-side subscriptions the client maintains
    int pendingRequestCount() const; // user requests queued or in flight

Q_SIGNALS:
    void stateChanged(Vigil::DerivClient::State state);
    void ready();                                   // authorized (or open when no token) and subscriptions restored
    void reconnected(qint64 downMs, int restoredSubscriptions);
    void connectionLost(const Vigil::Error &reason); // a reconnect follows
    void sessionEnded(const Vigil::Error &reason);  // final (InvalidToken, AuthorizationRequired again right after
                                                    // re-authorize, DisabledClient...): no more reconnects
    void malformedFrame(const QString &redactedExcerpt, const QString &reason);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace Vigil
