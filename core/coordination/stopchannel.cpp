// SPDX-License-Identifier: GPL-3.0-or-later
#include "stopchannel.h"

#include <QSocketNotifier>
#include <QTimer>
#include <QUuid>

#include "coordination/coordinationerror.h"
#include "coordination/redisconnection.h"
#include "health/logcategories.h"

namespace Vigil {

namespace {
// KEYS: the "last stop" key. ARGV: payload, channel. Stores the stop for late subscribers, then publishes it.
const RedisConnection::Script &publishScript()
{
    static const auto s = RedisConnection::Script::make(QByteArrayLiteral(R"lua(
redis.call('SET', KEYS[1], ARGV[1], 'PX', 600000)
return redis.call('PUBLISH', ARGV[2], ARGV[1])
)lua"));
    return s;
}

constexpr qsizetype RecentIdsKept = 64;
// A stop sent up to this long before the subscription was lost is still replayed (clock skew between machines).
constexpr qint64 ReplayGraceMs = 60'000;
} // namespace

StopChannel::StopChannel(RedisConfig config, InstanceIdentity self, const Clock &clock, StopChannelOptions options)
    : m_options(std::move(options))
    , m_self(std::move(self))
    , m_clock(clock)
    , m_sub(std::make_unique<RedisConnection>(config, QByteArrayLiteral("vigil-stop-sub")))
    , m_pub(std::make_unique<RedisConnection>(config, QByteArrayLiteral("vigil-stop-pub")))
{
}

StopChannel::~StopChannel()
{
    // The notifier must not outlive the socket it watches.
    delete m_notifier;
    m_notifier = nullptr;
}

void StopChannel::start()
{
    if (m_reconnectTimer)
        return;
    m_reconnectTimer = new QTimer(this);
    m_reconnectTimer->setInterval(m_options.reconnectIntervalMs);
    connect(m_reconnectTimer, &QTimer::timeout, this, &StopChannel::subscribe);
    m_pingTimer = new QTimer(this);
    m_pingTimer->setInterval(m_options.pingIntervalMs);
    connect(m_pingTimer, &QTimer::timeout, this, &StopChannel::pingSubscription);
    subscribe();
    if (!m_listening.load()) // tell the status bar at once, not only on a later change
        Q_EMIT listeningChanged(
            false, CoordinationError::unavailable(QStringLiteral("stop channel is not subscribed yet")));
}

void StopChannel::subscribe()
{
    if (m_listening.load())
        return;
    auto r = m_sub->command({ QByteArrayLiteral("SUBSCRIBE"), m_options.channel.toUtf8() });
    if (!r) {
        m_sub->disconnect();
        if (!m_reconnectTimer->isActive()) {
            qCWarning(lcCoordination).noquote() << "stop channel cannot subscribe:" << r.error().toString();
            m_reconnectTimer->start();
        }
        return;
    }
    m_reconnectTimer->stop();
    m_notifier = new QSocketNotifier(m_sub->socketDescriptor(), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &StopChannel::readSubscription);
    m_lastPongMono = m_clock.monotonicMs();
    m_listening.store(true);
    m_pingTimer->start();
    qCInfo(lcCoordination) << "stop channel listening on" << m_options.channel;
    Q_EMIT listeningChanged(true, Error());
    replayMissedStop();
    // A message may have arrived with the subscribe confirmation and sit in hiredis's buffer.
    readSubscription();
}

void StopChannel::readSubscription()
{
    if (!m_listening.load())
        return;
    auto r = m_sub->readAvailable();
    if (!r) {
        connectionLost(r.error());
        return;
    }
    for (const RedisReply &reply : r.value()) {
        m_lastPongMono = m_clock.monotonicMs(); // any traffic proves the connection alive
        if (reply.type != RedisReply::Type::Array || reply.elements.isEmpty())
            continue;
        const QByteArray kind = reply.elements.at(0).bytes();
        if (kind == "message" && reply.elements.size() >= 3)
            deliver(StopMessage::fromPayload(reply.elements.at(2).bytes()));
    }
}

void StopChannel::pingSubscription()
{
    if (!m_listening.load())
        return;
    if (m_clock.monotonicMs() - m_lastPongMono > 3LL * m_options.pingIntervalMs) {
        connectionLost(CoordinationError::unavailable(QStringLiteral("stop channel: Redis did not answer PING")));
        return;
    }
    if (auto sent = m_sub->send({ QByteArrayLiteral("PING") }); !sent) {
        connectionLost(sent.error());
        return;
    }
    if (m_lostAtMs != 0)
        replayMissedStop();
}

void StopChannel::connectionLost(const Error &error)
{
    if (m_notifier) {
        m_notifier->setEnabled(false);
        m_notifier->deleteLater();
        m_notifier = nullptr;
    }
    m_sub->disconnect();
    m_pingTimer->stop();
    if (m_listening.exchange(false)) {
        m_lostAtMs = m_clock.nowMs();
        qCWarning(lcCoordination).noquote() << "stop channel lost its subscription:" << error.toString();
        Q_EMIT listeningChanged(false, error);
    }
    m_reconnectTimer->start();
}

void StopChannel::replayMissedStop()
{
    if (m_lostAtMs == 0)
        return;
    auto r = m_pub->command({ QByteArrayLiteral("GET"), (m_options.channel + QStringLiteral(":last")).toUtf8() });
    if (!r)
        return; // try again on the next ping
    const qint64 lostAt = m_lostAtMs;
    m_lostAtMs = 0;
    if (r->type != RedisReply::Type::String)
        return;
    const StopMessage last = StopMessage::fromPayload(r->text);
    if (last.malformed || last.timeMs >= lostAt - ReplayGraceMs)
        deliver(last);
}

void StopChannel::deliver(const StopMessage &message)
{
    if (!message.id.isEmpty()) {
        if (m_recentIds.contains(message.id))
            return;
        m_recentIds.append(message.id);
        if (m_recentIds.size() > RecentIdsKept)
            m_recentIds.removeFirst();
    }
    qCWarning(lcCoordination).noquote() << "EMERGENCY STOP from" << message.origin.describe() << ":" << message.reason;
    Q_EMIT stopRequested(message);
}

Result<StopMessage> StopChannel::publishStop(const QString &reason)
{
    StopMessage m;
    m.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m.origin = m_self;
    m.reason = reason;
    m.timeMs = m_clock.nowMs();
    auto r = m_pub->eval(publishScript(), { (m_options.channel + QStringLiteral(":last")).toUtf8() },
        { m.toPayload(), m_options.channel.toUtf8() });
    if (!r)
        return r.error();
    qCInfo(lcCoordination) << "emergency stop published to" << r->integer << "subscribers";
    return m;
}

void StopChannel::requestStop(const QString &reason)
{
    QMetaObject::invokeMethod(
        this,
        [this, reason] {
            if (auto r = publishStop(reason); !r)
                Q_EMIT publishFailed(r.error());
        },
        Qt::QueuedConnection);
}

} // namespace Vigil
