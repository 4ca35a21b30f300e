// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <memory>

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

// The cross-instance "emergency stop everything" over Redis pub/sub.
//
// Lives on the coordination thread (moveToThread; start() on QThread::started). Subscribing needs its own
// connection, which is watched with a QSocketNotifier on the hiredis socket (no extra thread): a stop is
// delivered as soon as it arrives. Every stop is delivered, including this instance's own, malformed ones
// (as a stop) and ones published while the subscription was down (publishStop also stores the last stop in
// "<channel>:last" for 10 minutes; after re-subscribing the channel reads it back and delivers it if it is
// newer than the moment the subscription was lost). Duplicates (same id) are delivered once.
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
    // Publishes from the channel's thread; failures arrive as publishFailed().
    void requestStop(const QString &reason);

    // Channel's thread. Returns the message sent (with its id).
    Result<StopMessage> publishStop(const QString &reason);

public Q_SLOTS:
    void start();

Q_SIGNALS:
    // On the channel's thread. Halt every bot and sell within a second.
    void stopRequested(const Vigil::StopMessage &message);
    void listeningChanged(bool listening, const Vigil::Error &error);
    void publishFailed(const Vigil::Error &error);

private:
    void subscribe();
    void readSubscription();
    void pingSubscription();
    void connectionLost(const Error &error);
    void replayMissedStop();
    void deliver(const StopMessage &message);

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
    qint64 m_lostAtMs = 0;
    QList<QString> m_recentIds;
};

} // namespace Vigil
