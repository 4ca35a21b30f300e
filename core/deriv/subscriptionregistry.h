// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <map>
#include <memory>
#include <optional>

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QString>

#include "deriv/derivclient.h"

namespace Vigil {

// What DerivClient has subscribed to and for whom, so streams outlive sockets.
//
// A Stream is one server-side subscription (one identical request); any number of Subscribers share it,
// because Deriv refuses a second identical subscription on one socket (AlreadySubscribed). The server id
// of a stream changes with every socket; subscribers only ever see their own key.
// Not thread-safe: owned by one DerivClient, used on its thread. Pointers returned stay valid until the
// stream or subscriber is removed.
class SubscriptionRegistry
{
public:
    struct Subscriber
    {
        quint64 key = 0;
        quint64 streamId = 0;
        QPointer<QObject> context;
        std::shared_ptr<const DerivClient::StreamHandler> handler; // shared: a delivery keeps it alive
        DerivClient::SubscribeOptions options;
    };

    struct Stream
    {
        quint64 id = 0;
        QString call;          // "ticks", "balance", "proposal_open_contract", ...
        QJsonObject request;   // as sent (subscribe:1, no req_id)
        QString canonical;     // identity: identical requests share the stream
        QList<quint64> subscribers;
        QString serverId;      // subscription.id on the current socket, empty when none
        qint64 pendingHandle = 0; // a subscribe request for it is queued or in flight
        int rateLimitRetries = 0;
        bool restoring = false;   // re-created after a reconnect: subscribers get Reconnected first
        qint64 lastMessageMs = -1; // monotonic time of the last message delivered, -1 = none yet
        qint64 lostAtMs = 0;       // monotonic time the socket carrying it dropped
        bool endsWhenSold = false; // a per-contract proposal_open_contract stream
        // Tick streams with one symbol: what was delivered, and the gap being filled after a reconnect.
        QString tickSymbol;
        qint64 lastEpoch = 0;
        qint64 backfillHandle = 0;
        QList<QJsonObject> held; // live ticks held back until the gap before them is filled
    };

    struct Added
    {
        quint64 key = 0;
        Stream *stream = nullptr;
        bool created = false;
    };

    // The identity of a subscription request: its JSON without req_id/passthrough, subscribe forced to 1.
    static QJsonObject normalized(QJsonObject request);
    static QString canonicalKey(const QJsonObject &normalizedRequest);

    // Adds a subscriber to the stream for `request` (normalized), creating the stream when needed.
    Added add(const QJsonObject &request, const QString &call, QObject *context, DerivClient::StreamHandler handler,
              DerivClient::SubscribeOptions options);
    const Subscriber *subscriber(quint64 key) const;
    // Removes a subscriber. When it was the stream's last one the stream is removed too and returned, so
    // the caller can forget it on the server.
    std::optional<Stream> removeSubscriber(quint64 key);
    // Removes a stream and all its subscribers.
    std::optional<Stream> takeStream(quint64 streamId);

    Stream *stream(quint64 streamId);
    Stream *streamByServerId(QStringView serverId);
    void bindServerId(Stream &stream, const QString &serverId);
    void clearServerId(Stream &stream);

    // Any subscriber of the stream asked for ticks backfill.
    bool wantsBackfill(const Stream &stream) const;
    QList<quint64> streamIds() const;
    int streamCount() const { return int(m_streams.size()); }
    int subscriberCount() const { return int(m_subscribers.size()); }
    void clear();

private:
    std::map<quint64, Stream> m_streams;
    std::map<quint64, Subscriber> m_subscribers;
    QHash<QString, quint64> m_byServerId;
    QHash<QString, quint64> m_byCanonical;
    quint64 m_nextStreamId = 0;
    quint64 m_nextKey = 0;
};

} // namespace Vigil
