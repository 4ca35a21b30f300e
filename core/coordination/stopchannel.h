// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <memory>
#include <optional>

#include <QList>
#include <QObject>

#include "coordination/redisconfig.h"
#include "coordination/stopmessage.h"
#include "health/clock.h"
#include "health/error.h"
#include "health/result.h"

class QSocketNotifier;
class QTimer;

namespace Vigil {

class RedisConnection;

struct StopChannelOptions
{
    QString channel = QStringLiteral("vigil:stop");
    int reconnectIntervalMs = 500;
    // The subscription is PINGed this often; no answer for 3 intervals counts as a dead connection (a silent
    // network partition does not close the socket).
    int pingIntervalMs = 1000;
};

// The cross-instance "emergency stop everything" over Redis pub/sub, and the stop still in force.
//
// Lives on the coordination thread (moveToThread; start() on QThread::started). Subscribing needs its own
// connection, which is watched with a QSocketNotifier on the hiredis socket (no extra thread): a stop is
// delivered as soon as it arrives. Every stop is delivered, including this instance's own, malformed ones
// (as a stop) and ones published while the subscription was down. Duplicates (same id) are delivered once.
//
// Sticky: publishStop also stores the stop in "<channel>:last", without expiry, until a re-arm lifts it
// (publishRearm deletes it, stores the re-arm in "<channel>:rearmed" and publishes it). Each time the
// subscription is (re)established the channel reads "<channel>:last" and delivers the stop found there, so an
// instance that was away, or starts while a stop is in force, halts. readStanding() gives the same answer
// synchronously, for the engine to halt before any bot starts.
//
// The engine stops locally BEFORE publishing: publishing is how other instances learn of it, not how this one
// stops. isListening() false means stops from elsewhere cannot reach this instance: treat like coordination down.
class StopChannel final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StopChannel)

public:
    StopChannel(RedisConfig config, InstanceIdentity self, const Clock &clock = Clock::system(),
        StopChannelOptions options = {});
    ~StopChannel() override;

    // Any thread.
    bool isListening() const { return m_listening.load(); }
    // Publishes from the channel's thread; failures arrive as publishFailed(). `id`: the stop's id (empty: a new one).
    void requestStop(const QString &reason, const QString &id = {});
    // Lifts the stop in force for every instance, from the channel's thread. Refused (publishFailed, code
    // "NewerStop") when "<channel>:last" holds a stop this channel has not seen yet: that stop stays in force.
    // When Redis is unreachable the re-arm is sent once the subscription is back (publishFailed tells meanwhile).
    void requestRearm(const QString &reason);

    // Channel's thread. Returns the message sent (with its id).
    Result<StopMessage> publishStop(const QString &reason, const QString &id = {});
    Result<StopMessage> publishRearm(const QString &reason);

    // What Redis holds now: the stop in force (if any) and the last re-arm (if any). The calling thread: before
    // start() (the engine, before any bot starts), else the channel's thread. A stop read here counts as
    // delivered (it is not delivered again on subscribing). Errors: CoordinationUnavailable.
    struct Standing
    {
        std::optional<StopMessage> stop;
        std::optional<StopMessage> rearm;
    };
    Result<Standing> readStanding();

public Q_SLOTS:
    void start();

Q_SIGNALS:
    // On the channel's thread. Halt every bot and sell within a second.
    void stopRequested(const Vigil::StopMessage &message);
    // On the channel's thread. Another instance (or this one) lifted the stop: trading may resume.
    void rearmRequested(const Vigil::StopMessage &message);
    void listeningChanged(bool listening, const Vigil::Error &error);
    void publishFailed(const Vigil::Error &error);

private:
    void subscribe();
    void readSubscription();
    void pingSubscription();
    void connectionLost(const Error &error);
    void replayStanding();
    void deliver(const StopMessage &message);
    bool seen(const QString &id);

    const StopChannelOptions m_options;
    const InstanceIdentity m_self;
    const Clock &m_clock;
    std::unique_ptr<RedisConnection> m_sub;
    std::unique_ptr<RedisConnection> m_pub;
    QSocketNotifier *m_notifier = nullptr;
    QTimer *m_reconnectTimer = nullptr;
    QTimer *m_pingTimer = nullptr;
    std::atomic<bool> m_listening { false };
    qint64 m_lastPongMono = 0;
    bool m_replayPending = false; // the stop in force is to be read (after a (re)subscription)
    std::optional<QString> m_rearmPending; // a re-arm to send once Redis answers (its reason)
    QString m_standingId; // the last stop seen (delivered, published or read), until a re-arm
    QList<QString> m_recentIds;
};

} // namespace Vigil
