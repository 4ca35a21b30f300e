// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QStringList>

#include "engine/accountsnapshot.h"
#include "engine/engineevent.h"

class QTimer;

namespace Vigil {

class Engine;

// Coalesces what the engine reports into batches for the views: the latest snapshot per account and the
// events in order, delivered at most once per interval (default 100 ms) so a burst of updates costs the
// GUI one repaint. Lives on the GUI thread; signals are emitted there.
class ConsoleFeed final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConsoleFeed)

public:
    explicit ConsoleFeed(QObject *parent = nullptr);
    ~ConsoleFeed() override;

    // Feeds from the engine's accountUpdated and eventRaised (the engine must outlive this feed or be
    // destroyed first: the connections use this object as context).
    void attach(Engine &engine);
    void setInterval(int ms);
    int interval() const;

    // The latest snapshot of every account seen, in the order they first appeared.
    QList<AccountSnapshot> accounts() const;
    const AccountSnapshot *account(const QString &accountId) const;

    // Takes one snapshot/event; delivery waits for the next batch.
    void addSnapshot(const Vigil::AccountSnapshot &snapshot);
    void addEvent(const Vigil::EngineEvent &event);
    // Forgets an account the engine removed, also its snapshot waiting for the next batch.
    void removeAccount(const QString &accountId);
    // Delivers what is pending now (tests, and before a screenshot).
    void flush();

Q_SIGNALS:
    // The accounts whose snapshot changed since the last batch (latest snapshot each).
    void snapshotsUpdated(const QList<Vigil::AccountSnapshot> &changed);
    // Every event since the last batch, oldest first.
    void eventsArrived(const QList<Vigil::EngineEvent> &events);

private:
    void schedule();

    QTimer *m_timer;
    QStringList m_order;
    QHash<QString, AccountSnapshot> m_latest;
    QStringList m_dirty;
    QList<EngineEvent> m_events;
};

} // namespace Vigil
