// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QList>
#include <QMutex>
#include <QPointer>

#include "engine/executionlocks.h"

namespace Vigil {

// The in-process arbiter: inside one process, one bot at a time holds an account's trading right, FIFO.
// Used alone for a single instance, and in front of the cross-instance backends otherwise.
class LocalExecutionLocks final : public ExecutionLocks
{
public:
    LocalExecutionLocks() = default;
    ~LocalExecutionLocks() override;
    void acquire(const QString &account, const QString &bot, int timeoutMs, QObject *context, Done done) override;
    Result<void> check(const ExecutionPermit &permit) const override;
    void release(const ExecutionPermit &permit) override;
    // Inside one process a bot id runs once (the engine's config refuses duplicates): always granted.
    void acquireRun(const QString &account, const QString &bot, QObject *context, RunDone done) override;
    Result<void> checkRun(const QString &account, const QString &bot) const override;
    void releaseRun(const QString &account, const QString &bot) override;

    // For tests and status: the permit id holding the account (0 = free) and how many wait.
    quint64 holder(const QString &account) const;
    int waiting(const QString &account) const;

private:
    struct Waiter
    {
        quint64 id;
        QString bot;
        QPointer<QObject> context;
        Done done;
        qint64 deadlineMs;
    };
    struct Slot
    {
        quint64 holder = 0;
        QString holderBot;
        QList<Waiter> waiters;
    };
    void grant(const QString &account, Waiter waiter);
    void expire(const QString &account, quint64 waiterId);

    mutable QMutex m_mutex;
    QHash<QString, Slot> m_slots;
    quint64 m_nextId = 1;
};

} // namespace Vigil
