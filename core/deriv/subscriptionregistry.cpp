// SPDX-License-Identifier: GPL-3.0-or-later
#include "subscriptionregistry.h"

#include <QJsonDocument>

#include "deriv/derivfields.h"

namespace Vigil {

QJsonObject SubscriptionRegistry::normalized(QJsonObject request)
{
    request.remove(QStringLiteral("req_id"));
    request.remove(QStringLiteral("passthrough"));
    request.insert(QStringLiteral("subscribe"), 1);
    return request;
}

QString SubscriptionRegistry::canonicalKey(const QJsonObject &normalizedRequest)
{
    // QJsonObject keeps its keys sorted, so equal requests serialize identically.
    return QString::fromUtf8(QJsonDocument(normalizedRequest).toJson(QJsonDocument::Compact));
}

SubscriptionRegistry::Added SubscriptionRegistry::add(const QJsonObject &request, const QString &call, QObject *context,
                                                      DerivClient::StreamHandler handler,
                                                      DerivClient::SubscribeOptions options)
{
    const QJsonObject normal = normalized(request);
    const QString canonical = canonicalKey(normal);
    Added added;
    quint64 streamId = m_byCanonical.value(canonical, 0);
    if (streamId == 0) {
        streamId = ++m_nextStreamId;
        Stream s;
        s.id = streamId;
        s.call = call;
        s.request = normal;
        s.canonical = canonical;
        if (call == QLatin1String("ticks") && normal.value(QLatin1String("ticks")).isString())
            s.tickSymbol = normal.value(QLatin1String("ticks")).toString();
        if (call == QLatin1String("proposal_open_contract"))
            s.endsWhenSold = DerivFields::integer(normal.value(QLatin1String("contract_id"))).has_value();
        m_streams.emplace(streamId, std::move(s));
        m_byCanonical.insert(canonical, streamId);
        added.created = true;
    }
    Stream &s = m_streams.at(streamId);
    Subscriber sub;
    sub.key = ++m_nextKey;
    sub.streamId = streamId;
    sub.context = context;
    sub.handler = std::make_shared<const DerivClient::StreamHandler>(std::move(handler));
    sub.options = options;
    s.subscribers.append(sub.key);
    added.key = sub.key;
    added.stream = &s;
    m_subscribers.emplace(sub.key, std::move(sub));
    return added;
}

const SubscriptionRegistry::Subscriber *SubscriptionRegistry::subscriber(quint64 key) const
{
    const auto it = m_subscribers.find(key);
    return it == m_subscribers.end() ? nullptr : &it->second;
}

std::optional<SubscriptionRegistry::Stream> SubscriptionRegistry::removeSubscriber(quint64 key)
{
    const auto it = m_subscribers.find(key);
    if (it == m_subscribers.end())
        return std::nullopt;
    const quint64 streamId = it->second.streamId;
    m_subscribers.erase(it);
    Stream *s = stream(streamId);
    if (!s)
        return std::nullopt;
    s->subscribers.removeAll(key);
    if (!s->subscribers.isEmpty())
        return std::nullopt;
    return takeStream(streamId);
}

std::optional<SubscriptionRegistry::Stream> SubscriptionRegistry::takeStream(quint64 streamId)
{
    const auto it = m_streams.find(streamId);
    if (it == m_streams.end())
        return std::nullopt;
    Stream s = std::move(it->second);
    m_streams.erase(it);
    for (quint64 key : std::as_const(s.subscribers))
        m_subscribers.erase(key);
    if (!s.serverId.isEmpty())
        m_byServerId.remove(s.serverId);
    m_byCanonical.remove(s.canonical);
    return s;
}

SubscriptionRegistry::Stream *SubscriptionRegistry::stream(quint64 streamId)
{
    const auto it = m_streams.find(streamId);
    return it == m_streams.end() ? nullptr : &it->second;
}

SubscriptionRegistry::Stream *SubscriptionRegistry::streamByServerId(QStringView serverId)
{
    // A key over the caller's characters, not a copy of them: this runs for every stream message.
    const QString key = QString::fromRawData(serverId.data(), serverId.size());
    const auto it = m_byServerId.constFind(key);
    return it == m_byServerId.cend() ? nullptr : stream(it.value());
}

void SubscriptionRegistry::bindServerId(Stream &s, const QString &serverId)
{
    if (!s.serverId.isEmpty())
        m_byServerId.remove(s.serverId);
    s.serverId = serverId;
    if (!serverId.isEmpty())
        m_byServerId.insert(serverId, s.id);
}

void SubscriptionRegistry::clearServerId(Stream &s)
{
    bindServerId(s, QString());
}

bool SubscriptionRegistry::wantsBackfill(const Stream &s) const
{
    if (s.tickSymbol.isEmpty())
        return false;
    for (quint64 key : s.subscribers) {
        const Subscriber *sub = subscriber(key);
        if (sub && sub->options.backfillTicks)
            return true;
    }
    return false;
}

QList<quint64> SubscriptionRegistry::streamIds() const
{
    QList<quint64> ids;
    ids.reserve(qsizetype(m_streams.size()));
    for (const auto &[id, s] : m_streams)
        ids.append(id);
    return ids;
}

void SubscriptionRegistry::clear()
{
    m_streams.clear();
    m_subscribers.clear();
    m_byServerId.clear();
    m_byCanonical.clear();
}

} // namespace Vigil
