// SPDX-License-Identifier: GPL-3.0-or-later
#include "instanceregistry.h"

#include <algorithm>

#include <QTimer>

#include "health/logcategories.h"

namespace Vigil {

namespace {
// Comparable view of a list: ordered by id, last-seen ignored.
QList<InstanceInfo> normalized(QList<InstanceInfo> list)
{
    for (InstanceInfo &i : list)
        i.lastSeenMs = 0;
    std::sort(list.begin(), list.end(),
        [](const InstanceInfo &a, const InstanceInfo &b) { return a.identity.instanceId < b.identity.instanceId; });
    return list;
}
} // namespace

InstanceRegistry::InstanceRegistry(
    std::unique_ptr<InstanceStore> store, InstanceIdentity self, const Clock &clock, int heartbeatIntervalMs)
    : m_store(std::move(store))
    , m_self(std::move(self))
    , m_clock(clock)
    , m_intervalMs(heartbeatIntervalMs)
    , m_startedMs(clock.nowMs())
{
    Q_ASSERT(m_store);
    Q_ASSERT(heartbeatIntervalMs > 0);
}

InstanceRegistry::~InstanceRegistry() = default;

void InstanceRegistry::setBots(const QStringList &bots)
{
    {
        std::lock_guard lock(m_mutex);
        m_bots = bots;
    }
    QMetaObject::invokeMethod(this, &InstanceRegistry::heartbeatNow, Qt::QueuedConnection);
}

QList<InstanceInfo> InstanceRegistry::instances() const
{
    std::lock_guard lock(m_mutex);
    return m_instances;
}

bool InstanceRegistry::instancesKnown() const
{
    std::lock_guard lock(m_mutex);
    return m_known;
}

void InstanceRegistry::start()
{
    if (m_timer)
        return;
    m_timer = new QTimer(this);
    m_timer->setInterval(m_intervalMs);
    connect(m_timer, &QTimer::timeout, this, &InstanceRegistry::heartbeatNow);
    m_timer->start();
    heartbeatNow();
}

void InstanceRegistry::heartbeatNow()
{
    InstanceInfo me;
    me.identity = m_self;
    {
        std::lock_guard lock(m_mutex);
        me.bots = m_bots;
    }
    me.startedMs = m_startedMs;
    me.lastSeenMs = m_clock.nowMs();
    auto published = m_store->publish(me, 3LL * m_intervalMs);
    auto listed = published ? m_store->list() : Result<QList<InstanceInfo>>(published.error());
    if (!listed) {
        {
            std::lock_guard lock(m_mutex);
            m_known = false;
        }
        qCWarning(lcCoordination).noquote() << "instance heartbeat failed:" << listed.error().toString();
        Q_EMIT heartbeatFailed(listed.error());
        return;
    }
    bool changed = false;
    {
        std::lock_guard lock(m_mutex);
        changed = !m_known || normalized(m_instances) != normalized(listed.value());
        m_instances = listed.value();
        m_known = true;
    }
    if (changed)
        Q_EMIT instancesChanged(listed.value());
}

void InstanceRegistry::readInstances(QObject *context, ReadCallback done)
{
    Q_ASSERT(context);
    const quint64 ticket = m_nextTicket.fetch_add(1);
    // Connected before the read is queued so its answer cannot be missed; a connection (unlike a raw pointer)
    // is cut safely when the context dies on its own thread meanwhile.
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(
        this, &InstanceRegistry::instancesRead, context,
        [connection, ticket, done = std::move(done)](quint64 answered, bool ok, const QList<InstanceInfo> &instances,
                                                     const Error &error) {
            if (answered != ticket)
                return;
            QObject::disconnect(*connection);
            done(ok ? Result<QList<InstanceInfo>>(instances) : Result<QList<InstanceInfo>>(error));
        },
        Qt::QueuedConnection);
    QMetaObject::invokeMethod(this, [this, ticket] {
        const Result<QList<InstanceInfo>> listed = m_store->list();
        Q_EMIT instancesRead(ticket, listed.ok(), listed ? listed.value() : QList<InstanceInfo>(),
                             listed ? Error() : listed.error());
    }, Qt::QueuedConnection);
}

void InstanceRegistry::stop()
{
    if (m_timer)
        m_timer->stop();
    if (auto r = m_store->remove(m_self.instanceId); !r)
        qCWarning(lcCoordination).noquote()
            << "could not remove this instance from the registry:" << r.error().toString();
}

} // namespace Vigil
