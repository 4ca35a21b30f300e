// SPDX-License-Identifier: GPL-3.0-or-later
#include "coordinatedexecutionlocks.h"

#include <optional>

#include <QPointer>

#include "coordination/leasekeeper.h"
#include "coordination/lockkey.h"
#include "coordination/tradelockscope.h"

namespace Vigil {

CoordinatedExecutionLocks::CoordinatedExecutionLocks(LeaseKeeper *keeper, qint64 leaseTtlMs, bool runLeases)
    : m_keeper(keeper), m_ttlMs(leaseTtlMs), m_runLeases(runLeases)
{
}

CoordinatedExecutionLocks::~CoordinatedExecutionLocks()
{
    QMutexLocker lock(&m_mutex);
    for (const auto &scope : std::as_const(m_scopes))
        scope->release();
    // Run leases are left to the keeper, which releases whatever it still holds when it ends (it may be gone
    // already: the engine ends the coordination thread first).
}

void CoordinatedExecutionLocks::acquire(const QString &account, const QString &bot, int timeoutMs, QObject *context, Done done)
{
    QPointer<QObject> guard(context);
    m_local.acquire(account, bot, timeoutMs, context, [this, account, bot, guard, done](const Result<ExecutionPermit> &local) {
        if (!local) {
            done(local);
            return;
        }
        const ExecutionPermit permit = local.value();
        if (!guard) {
            m_local.release(permit);
            return;
        }
        m_keeper->acquireTradeLocks(account, bot, m_ttlMs, guard.data(),
                                    [this, permit, done](Result<std::shared_ptr<TradeLockScope>> scope) {
                                        if (!scope) {
                                            m_local.release(permit);
                                            Error e = scope.error();
                                            e.account = permit.account;
                                            e.bot = permit.bot;
                                            done(e);
                                            return;
                                        }
                                        ExecutionPermit held = permit;
                                        held.fence = scope.value()->fence();
                                        {
                                            QMutexLocker lock(&m_mutex);
                                            m_scopes.insert(held.id, scope.value());
                                        }
                                        done(held);
                                    });
    });
}

Result<void> CoordinatedExecutionLocks::check(const ExecutionPermit &permit) const
{
    if (Result<void> local = m_local.check(permit); !local)
        return local;
    if (Result<void> run = checkRun(permit.account, permit.bot); !run)
        return run;
    QMutexLocker lock(&m_mutex);
    const auto scope = m_scopes.value(permit.id);
    if (!scope || !scope->isValid()) {
        Error e = Error::make(ErrorKind::Coordination, QStringLiteral("LeaseInvalid"),
                              QStringLiteral("the trading lease of %1 expired or was lost: no buy").arg(permit.account));
        e.account = permit.account;
        e.bot = permit.bot;
        return e;
    }
    return {};
}

void CoordinatedExecutionLocks::release(const ExecutionPermit &permit)
{
    std::shared_ptr<TradeLockScope> scope;
    {
        QMutexLocker lock(&m_mutex);
        scope = m_scopes.take(permit.id);
    }
    if (scope)
        scope->release();
    m_local.release(permit);
}

void CoordinatedExecutionLocks::acquireRun(const QString &account, const QString &bot, QObject *context, RunDone done)
{
    if (!m_runLeases)
        return m_local.acquireRun(account, bot, context, std::move(done));
    const QString key = LockKey::botRun(account, bot);
    {
        QMutexLocker lock(&m_mutex);
        const auto held = m_runs.constFind(key);
        if (held != m_runs.cend() && m_keeper->isValid(held.value())) {
            lock.unlock();
            QMetaObject::invokeMethod(context, [done = std::move(done)] { done(Result<void>()); }, Qt::QueuedConnection);
            return;
        }
    }
    releaseRun(account, bot); // a lost or expired one: never renewed again, acquired afresh
    m_keeper->acquire(key, m_ttlMs, context, [this, key, bot, done = std::move(done)](Result<Lease> lease) {
        if (!lease) {
            Error e = lease.error();
            e.bot = bot;
            done(e);
            return;
        }
        {
            QMutexLocker lock(&m_mutex);
            m_runs.insert(key, lease.value());
        }
        done(Result<void>());
    });
}

Result<void> CoordinatedExecutionLocks::checkRun(const QString &account, const QString &bot) const
{
    if (!m_runLeases)
        return m_local.checkRun(account, bot);
    QMutexLocker lock(&m_mutex);
    const auto held = m_runs.constFind(LockKey::botRun(account, bot));
    if (held != m_runs.cend() && m_keeper->isValid(held.value()))
        return {};
    Error e = Error::make(ErrorKind::Coordination, QStringLiteral("RunLeaseInvalid"),
                          QStringLiteral("bot %1 does not hold its run lease here (expired, lost or never taken): no buy").arg(bot));
    e.bot = bot;
    return e;
}

void CoordinatedExecutionLocks::releaseRun(const QString &account, const QString &bot)
{
    std::optional<Lease> run;
    {
        QMutexLocker lock(&m_mutex);
        if (auto it = m_runs.find(LockKey::botRun(account, bot)); it != m_runs.end()) {
            run = it.value();
            m_runs.erase(it);
        }
    }
    if (run)
        m_keeper->release(*run);
}

} // namespace Vigil
