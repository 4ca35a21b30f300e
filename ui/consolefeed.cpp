// SPDX-License-Identifier: GPL-3.0-or-later
#include "consolefeed.h"

#include <QTimer>

#include "engine/engine.h"

namespace Vigil {

ConsoleFeed::ConsoleFeed(QObject *parent) : QObject(parent), m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(100);
    connect(m_timer, &QTimer::timeout, this, &ConsoleFeed::flush);
}

ConsoleFeed::~ConsoleFeed() = default;

void ConsoleFeed::attach(Engine &engine)
{
    connect(&engine, &Engine::accountUpdated, this, &ConsoleFeed::addSnapshot);
    connect(&engine, &Engine::eventRaised, this, &ConsoleFeed::addEvent);
}

void ConsoleFeed::setInterval(int ms)
{
    m_timer->setInterval(ms);
}

int ConsoleFeed::interval() const
{
    return m_timer->interval();
}

QList<AccountSnapshot> ConsoleFeed::accounts() const
{
    QList<AccountSnapshot> out;
    out.reserve(m_order.size());
    for (const QString &id : m_order)
        out.append(m_latest.value(id));
    return out;
}

const AccountSnapshot *ConsoleFeed::account(const QString &accountId) const
{
    auto it = m_latest.constFind(accountId);
    return it == m_latest.cend() ? nullptr : &it.value();
}

void ConsoleFeed::addSnapshot(const AccountSnapshot &snapshot)
{
    if (!m_latest.contains(snapshot.id))
        m_order.append(snapshot.id);
    m_latest.insert(snapshot.id, snapshot);
    if (!m_dirty.contains(snapshot.id))
        m_dirty.append(snapshot.id);
    schedule();
}

void ConsoleFeed::addEvent(const EngineEvent &event)
{
    m_events.append(event);
    schedule();
}

void ConsoleFeed::removeAccount(const QString &accountId)
{
    m_order.removeAll(accountId);
    m_latest.remove(accountId);
    m_dirty.removeAll(accountId);
}

void ConsoleFeed::schedule()
{
    // The timer is not restarted by later updates: a steady stream still gets one batch per interval.
    if (!m_timer->isActive())
        m_timer->start();
}

void ConsoleFeed::flush()
{
    m_timer->stop();
    if (!m_dirty.isEmpty()) {
        QList<AccountSnapshot> changed;
        changed.reserve(m_dirty.size());
        for (const QString &id : std::as_const(m_dirty))
            changed.append(m_latest.value(id));
        m_dirty.clear();
        Q_EMIT snapshotsUpdated(changed);
    }
    if (!m_events.isEmpty()) {
        const QList<EngineEvent> events = std::exchange(m_events, {});
        Q_EMIT eventsArrived(events);
    }
}

} // namespace Vigil
