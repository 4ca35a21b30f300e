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
// KEYS: the "last stop" key. ARGV: payload, channel. Stores the stop, without expiry: it stays in force for every
// instance (including ones not started yet) until a re-arm deletes it. Then publishes it.
const RedisConnection::Script &publishScript()
{
    static const auto s = RedisConnection::Script::make(QByteArrayLiteral(R"lua(
redis.call('SET', KEYS[1], ARGV[1])
return redis.call('PUBLISH', ARGV[2], ARGV[1])
)lua"));
    return s;
}

// KEYS: the "last stop" key, the "re-armed" key. ARGV: payload, channel, id of the stop being lifted (may be
// empty). A stop in force that is not the one being lifted (published meanwhile, not seen by the re-arming
// instance) stays: its payload is returned instead of the number of subscribers.
const RedisConnection::Script &rearmScript()
{
    static const auto s = RedisConnection::Script::make(QByteArrayLiteral(R"lua(
local cur = redis.call('GET', KEYS[1])
if cur and (ARGV[3] == '' or not string.find(cur, '"id":"' .. ARGV[3] .. '"', 1, true)) then
  return cur
end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1])
return redis.call('PUBLISH', ARGV[2], ARGV[1])
)lua"));
    return s;
}

constexpr qsizetype RecentIdsKept = 64;
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
    m_replayPending = true;
    replayStanding();
    // A message may have arrived with the subscribe confirmation and sit in hiredis's buffer.
    readSubscription();
    if (m_rearmPending) {
        const QString reason = *m_rearmPending;
        m_rearmPending.reset();
        if (auto sent = publishRearm(reason); !sent)
            Q_EMIT publishFailed(sent.error());
    }
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
    if (m_replayPending)
        replayStanding();
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
        qCWarning(lcCoordination).noquote() << "stop channel lost its subscription:" << error.toString();
        Q_EMIT listeningChanged(false, error);
    }
    m_reconnectTimer->start();
}

Result<StopChannel::Standing> StopChannel::readStanding()
{
    auto r = m_pub->command({ QByteArrayLiteral("MGET"), (m_options.channel + QStringLiteral(":last")).toUtf8(),
        (m_options.channel + QStringLiteral(":rearmed")).toUtf8() });
    if (!r)
        return r.error();
    Standing standing;
    if (r->type != RedisReply::Type::Array || r->elements.size() != 2)
        return standing;
    if (r->elements.at(0).type == RedisReply::Type::String) {
        StopMessage stop = StopMessage::fromPayload(r->elements.at(0).text);
        stop.kind = StopMessage::Kind::Stop; // whatever it holds, it is a stop in force
        (void)seen(stop.id);
        if (!stop.id.isEmpty())
            m_standingId = stop.id;
        standing.stop = stop;
    }
    if (r->elements.at(1).type == RedisReply::Type::String) {
        const StopMessage rearm = StopMessage::fromPayload(r->elements.at(1).text);
        if (rearm.kind == StopMessage::Kind::Rearm && !rearm.malformed)
            standing.rearm = rearm;
    }
    return standing;
}

void StopChannel::replayStanding()
{
    auto r = m_pub->command({ QByteArrayLiteral("GET"), (m_options.channel + QStringLiteral(":last")).toUtf8() });
    if (!r)
        return; // try again on the next ping
    m_replayPending = false;
    if (r->type != RedisReply::Type::String)
        return;
    StopMessage last = StopMessage::fromPayload(r->text);
    last.kind = StopMessage::Kind::Stop; // whatever it holds, it is a stop in force
    deliver(last);
}

bool StopChannel::seen(const QString &id)
{
    if (id.isEmpty())
        return false;
    if (m_recentIds.contains(id))
        return true;
    m_recentIds.append(id);
    if (m_recentIds.size() > RecentIdsKept)
        m_recentIds.removeFirst();
    return false;
}

void StopChannel::deliver(const StopMessage &message)
{
    if (seen(message.id))
        return;
    if (message.kind == StopMessage::Kind::Rearm) {
        m_standingId.clear();
        qCWarning(lcCoordination).noquote() << "RE-ARM from" << message.origin.describe() << ":" << message.reason;
        Q_EMIT rearmRequested(message);
        return;
    }
    if (!message.id.isEmpty())
        m_standingId = message.id;
    qCWarning(lcCoordination).noquote() << "EMERGENCY STOP from" << message.origin.describe() << ":" << message.reason;
    Q_EMIT stopRequested(message);
}

Result<StopMessage> StopChannel::publishStop(const QString &reason, const QString &id)
{
    StopMessage m;
    m.id = id.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : id;
    m.origin = m_self;
    m.reason = reason;
    m.timeMs = m_clock.nowMs();
    auto r = m_pub->eval(publishScript(), { (m_options.channel + QStringLiteral(":last")).toUtf8() },
        { m.toPayload(), m_options.channel.toUtf8() });
    if (!r)
        return r.error();
    m_standingId = m.id;
    qCInfo(lcCoordination) << "emergency stop published to" << r->integer << "subscribers";
    return m;
}

Result<StopMessage> StopChannel::publishRearm(const QString &reason)
{
    StopMessage m;
    m.kind = StopMessage::Kind::Rearm;
    m.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m.origin = m_self;
    m.reason = reason;
    m.timeMs = m_clock.nowMs();
    m.rearms = m_standingId;
    auto r = m_pub->eval(rearmScript(),
        { (m_options.channel + QStringLiteral(":last")).toUtf8(), (m_options.channel + QStringLiteral(":rearmed")).toUtf8() },
        { m.toPayload(), m_options.channel.toUtf8(), m_standingId.toUtf8() });
    if (!r) {
        if (r.error().code == CoordinationError::Unavailable)
            m_rearmPending = reason; // sent once the subscription is back
        return r.error();
    }
    if (r->type == RedisReply::Type::String) {
        const StopMessage newer = StopMessage::fromPayload(r->text);
        Error e = Error::make(ErrorKind::Coordination, QStringLiteral("NewerStop"),
            QStringLiteral("not re-armed across instances: a newer %1").arg(newer.standingReason()));
        return e;
    }
    (void)seen(m.id); // our own re-arm comes back on the subscription: already applied here
    m_standingId.clear();
    qCInfo(lcCoordination) << "re-arm published to" << r->integer << "subscribers";
    return m;
}

void StopChannel::requestStop(const QString &reason, const QString &id)
{
    QMetaObject::invokeMethod(
        this,
        [this, reason, id] {
            if (auto r = publishStop(reason, id); !r)
                Q_EMIT publishFailed(r.error());
        },
        Qt::QueuedConnection);
}

void StopChannel::requestRearm(const QString &reason)
{
    QMetaObject::invokeMethod(
        this,
        [this, reason] {
            if (auto r = publishRearm(reason); !r)
                Q_EMIT publishFailed(r.error());
        },
        Qt::QueuedConnection);
}

} // namespace Vigil
