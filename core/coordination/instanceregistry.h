// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

#include <QList>
#include <QObject>
#include <QStringList>

#include "coordination/instanceinfo.h"
#include "coordination/instancestore.h"
#include "health/clock.h"
#include "health/error.h"
#include "health/result.h"

class QTimer;

namespace Vigil {

// Tells every instance which others are running (instance id, host, pid, version, bots, last seen).
// Lives on the coordination thread (moveToThread, start() on QThread::started). Every heartbeatIntervalMs it
// publishes this instance (entry ttl = 3 × interval) and reads the list back.
// instances() may be called from any thread: it is the last list read successfully; instancesKnown() says
// whether the last read worked (a failed read is unknown, never "nobody else is running").
class InstanceRegistry final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InstanceRegistry)

public:
    InstanceRegistry(std::unique_ptr<InstanceStore> store, InstanceIdentity self, const Clock &clock = Clock::system(),
        int heartbeatIntervalMs = 2000);
    ~InstanceRegistry() override;

    // Any thread.
    void setBots(const QStringList &bots);
    QList<InstanceInfo> instances() const;
    bool instancesKnown() const;
    const InstanceIdentity &self() const { return m_self; }
    // Any thread. Reads the store afresh on the registry's thread (not the list of the last heartbeat) and
    // calls `done` with it on `context`'s thread, queued, dropped if `context` is destroyed first (or the
    // registry is). Every live entry, this instance's own included; an error means unknown, never "nobody".
    using ReadCallback = std::function<void(const Result<QList<InstanceInfo>> &)>;
    void readInstances(QObject *context, ReadCallback done);

public Q_SLOTS:
    void start();
    // Publish and read back now (the timer calls it).
    void heartbeatNow();
    // Removes this instance's entry (clean shutdown) and stops heartbeating.
    void stop();

Q_SIGNALS:
    // On the registry's thread, when the list read back differs from the previous one (bots, members) —
    // last-seen times alone do not count as a change.
    void instancesChanged(const QList<Vigil::InstanceInfo> &instances);
    void heartbeatFailed(const Vigil::Error &error);
    // Internal: carries a readInstances() answer to its caller. Not for use by others.
    void instancesRead(quint64 ticket, bool ok, const QList<Vigil::InstanceInfo> &instances, const Vigil::Error &error);

private:
    std::unique_ptr<InstanceStore> m_store;
    const InstanceIdentity m_self;
    const Clock &m_clock;
    const int m_intervalMs;
    const qint64 m_startedMs;
    QTimer *m_timer = nullptr;
    std::atomic<quint64> m_nextTicket{1};

    mutable std::mutex m_mutex;
    QStringList m_bots;
    QList<InstanceInfo> m_instances;
    bool m_known = false;
};

} // namespace Vigil
