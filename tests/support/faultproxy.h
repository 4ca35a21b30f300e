// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QRandomGenerator>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QUrl>

class QTimer;
class QWebSocket;
class QWebSocketServer;

namespace Vigil::Test {

// A fault-injecting WebSocket proxy between a Deriv client and an unmodified Deriv-like server (vigil-sim)
// on loopback: for every client socket it opens one upstream socket and forwards text frames both ways, in
// order, while seeded random faults hit the traffic the way a bad network or a strict server would, with
// timings a server's own fault switches never produce:
//   drop         both sockets abort at a random frame (no close handshake)
//   dropAfterBuy a buy is forwarded and both sockets abort when its reply comes back (the server bought;
//                the client never hears it)
//   dropInBurst  a drop among the first frames of a connection (the re-authorize/resubscribe burst)
//   swallow      one reply (or stream message) is never delivered; the socket stays up
//   rateLimit    a request is answered by the proxy with Deriv's RateLimit error and never forwarded
//   delay        a frame waits up to maxDelayMs (later frames of the same direction wait behind it)
//   garble       a reply arrives truncated or split in two text frames; or a junk frame is injected
// Each fault has a rate (a probability per eligible frame). Decisions come from one generator seeded with
// `seed`: the same seed gives the same sequence of decisions (the interleaving of real sockets may still
// differ). Every fault is logged (faultLog) for the failure message of a test.
// Lives on the creating thread (the test's), which must run an event loop (QTest::qWait, QTRY_*).
class FaultProxy final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FaultProxy)

public:
    struct Rates
    {
        double drop = 0;          // per forwarded frame, either direction
        double dropAfterBuy = 0;  // per buy request
        double dropInBurst = 0;   // per frame among the first burstFrames of a connection
        int burstFrames = 8;
        double swallow = 0;       // per reply/stream message from upstream (buy replies: swallowBuy)
        double swallowBuy = 0;    // per buy reply
        double rateLimit = 0;     // per request other than authorize (buy requests: rateLimitBuy)
        double rateLimitBuy = 0;  // per buy request
        double delay = 0;         // per frame, either direction
        int maxDelayMs = 500;
        double garble = 0;        // per reply from upstream: truncated or split
        double junk = 0;          // per frame from upstream: a junk text frame injected before it
    };

    struct Counters
    {
        int connections = 0;
        int drops = 0;
        int dropsAfterBuy = 0;
        int dropsInBurst = 0;
        int swallowed = 0;
        int swallowedBuys = 0;
        int rateLimited = 0;
        int rateLimitedBuys = 0;
        int delayed = 0;
        int garbled = 0;
        int junk = 0;
        int buysForwarded = 0;
        int maxBuysInFlight = 0; // most buys of one login id written upstream without an upstream reply yet
    };

    // `upstream`: the server's ws:// URL (its query is replaced by each client's).
    FaultProxy(const QUrl &upstream, quint64 seed, QObject *parent = nullptr);
    ~FaultProxy() override;

    bool listen();
    // ws://127.0.0.1:<port>/websockets/v3 (the client adds its own query: app_id, l).
    QUrl url() const;

    void setRates(const Rates &rates) { m_rates = rates; }
    // No more faults: frames flow untouched (frames already delayed are still delivered in order).
    void clean() { m_rates = Rates(); }
    // Aborts every connection now, both sides.
    void dropAll(const QString &why);

    quint64 seed() const { return m_seed; }
    Counters counters() const { return m_counters; }
    int openLinks() const { return int(m_links.size()); }
    // One line per fault, oldest first (the newest 400).
    QStringList faultLog() const { return m_log; }
    // The buys forwarded upstream per login id, as sent (their passthrough.vigil_tag).
    QStringList buyTagsForwarded(const QString &loginid) const { return m_buyTags.value(loginid); }

private:
    struct Queued
    {
        QString text;
        qint64 dueMs = 0;
        QString call;   // requests only
        qint64 reqId = 0;
        bool dropAfterWrite = false;
    };
    struct Link
    {
        int id = 0;
        QWebSocket *down = nullptr; // the client's socket (server side)
        QWebSocket *up = nullptr;   // our socket to the server
        bool upOpen = false;
        int framesSeen = 0;
        QString loginid;                 // from the authorize reply
        QHash<qint64, QString> requests; // req_id -> call, written upstream and not answered
        QSet<qint64> buysUp;             // buy req_ids written upstream, not answered
        QSet<qint64> swallowReply;       // req_ids whose reply is never delivered
        QSet<qint64> dropOnReply;        // req_ids whose reply drops the link instead
        QList<Queued> toUp;
        QList<Queued> toDown;
        QTimer *pump = nullptr;
    };

    void onNewConnection();
    void fromClient(int id, const QString &text);
    void fromServer(int id, const QString &text);
    void enqueue(Link &link, bool upstream, Queued frame);
    void pump(int id);
    void writeUp(Link &link, const Queued &frame);
    void writeDown(Link &link, const QString &text);
    void dropLink(int id, const QString &why);
    bool roll(double rate);
    void note(const Link &link, const QString &what);
    int buysInFlight(const QString &loginid) const;

    QUrl m_upstream;
    quint64 m_seed;
    QRandomGenerator m_random;
    Rates m_rates;
    Counters m_counters;
    QWebSocketServer *m_server = nullptr;
    QHash<int, Link *> m_links;
    int m_nextId = 0;
    QStringList m_log;
    QHash<QString, QStringList> m_buyTags;
    QElapsedTimer m_clock;
};

} // namespace Vigil::Test
