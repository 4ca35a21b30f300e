// SPDX-License-Identifier: GPL-3.0-or-later
#include "localexecutionlocks.h"

#include <memory>

#include <QTimer>

#include "health/clock.h"

namespace Vigil {

LocalExecutionLocks::~LocalExecutionLocks() = default;

void LocalExecutionLocks::acquire(const QString &account, const QString &bot, int timeoutMs, QObject *context, Done done)
{
    Q_ASSERT(context);
    QMutexLocker lock(&m_mutex);
    Slot &slot = m_slots[account];
    Waiter w{m_nextId++, bot, context, std::move(done), Clock::system().monotonicMs() + timeoutMs};
    if (slot.holder == 0) {
        slot.holder = w.id;
        slot.holderBot = bot;
        lock.unlock();
        grant(account, std::move(w));
        return;
    }
    const quint64 id = w.id;
    slot.waiters.append(std::move(w));
    lock.unlock();
    QTimer::singleShot(timeoutMs, context, [this, account, id] { expire(account, id); });
}

namespace {
// Releases the permit if the queued hand-off never runs (its context died first): the account must not stay held.
struct HandOff
{
    LocalExecutionLocks *locks;
    ExecutionPermit permit;
    bool delivered = false;
    ~HandOff()
    {
        if (!delivered)
            locks->release(permit);
    }
};
} // namespace

void LocalExecutionLocks::grant(const QString &account, Waiter waiter)
{
    const ExecutionPermit permit{waiter.id, account, waiter.bot, 0};
    if (!waiter.context) {
        release(permit); // the requester is gone: pass the right on
        return;
    }
    std::shared_ptr<HandOff> handOff(new HandOff{this, permit}); // no temporary: its destructor would release
    QMetaObject::invokeMethod(waiter.context.data(), [handOff, done = std::move(waiter.done)] {
        handOff->delivered = true;
        done(handOff->permit);
    }, Qt::QueuedConnection);
}

void LocalExecutionLocks::expire(const QString &account, quint64 waiterId)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_slots.find(account);
    if (it == m_slots.end())
        return;
    for (qsizetype i = 0; i < it->waiters.size(); ++i) {
        if (it->waiters.at(i).id != waiterId)
            continue;
        Waiter w = it->waiters.takeAt(i);
        const QString holderBot = it->holderBot;
        lock.unlock();
        if (w.context) {
            Error e = Error::make(ErrorKind::Coordination, QStringLiteral("LockTimeout"),
                                  QStringLiteral("account %1 is busy with bot %2").arg(account, holderBot));
            e.account = account;
            e.bot = w.bot;
            QMetaObject::invokeMethod(w.context.data(), [e, done = std::move(w.done)] { done(e); }, Qt::QueuedConnection);
        }
        return;
    }
}

Result<void> LocalExecutionLocks::check(const ExecutionPermit &permit) const
{
    QMutexLocker lock(&m_mutex);
    auto it = m_slots.constFind(permit.account);
    if (it == m_slots.constEnd() || it->holder != permit.id || permit.id == 0)
        return Error::make(ErrorKind::Coordination, QStringLiteral("NotLockHolder"),
                           QStringLiteral("bot %1 does not hold account %2's trading right").arg(permit.bot, permit.account));
    return {};
}

void LocalExecutionLocks::release(const ExecutionPermit &permit)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_slots.find(permit.account);
    if (it == m_slots.end() || it->holder != permit.id)
        return;
    it->holder = 0;
    it->holderBot.clear();
    while (!it->waiters.isEmpty()) {
        Waiter next = it->waiters.takeFirst();
        if (!next.context)
            continue;
        it->holder = next.id;
        it->holderBot = next.bot;
        lock.unlock();
        grant(permit.account, std::move(next));
        return;
    }
}

quint64 LocalExecutionLocks::holder(const QString &account) const
{
    QMutexLocker lock(&m_mutex);
    return m_slots.value(account).holder;
}

int LocalExecutionLocks::waiting(const QString &account) const
{
    QMutexLocker lock(&m_mutex);
    return int(m_slots.value(account).waiters.size());
}

void LocalExecutionLocks::acquireRun(const QString &account, const QString &bot, QObject *context, RunDone done)
{
    Q_UNUSED(account)
    Q_UNUSED(bot)
    QMetaObject::invokeMethod(context, [done = std::move(done)] { done(Result<void>()); }, Qt::QueuedConnection);
}

Result<void> LocalExecutionLocks::checkRun(const QString &account, const QString &bot) const
{
    Q_UNUSED(account)
    Q_UNUSED(bot)
    return {};
}

void LocalExecutionLocks::releaseRun(const QString &account, const QString &bot)
{
    Q_UNUSED(account)
    Q_UNUSED(bot)
}

} // namespace Vigil
