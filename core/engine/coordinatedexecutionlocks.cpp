// SPDX-License-Identifier: GPL-3.0-or-later
#include "coordinatedexecutionlocks.h"

#include <QPointer>

#include "coordination/leasekeeper.h"
#include "coordination/tradelockscope.h"

namespace Vigil {

CoordinatedExecutionLocks::CoordinatedExecutionLocks(LeaseKeeper *keeper, qint64 leaseTtlMs)
    : m_keeper(keeper), m_ttlMs(leaseTtlMs)
{
}

CoordinatedExecutionLocks::~CoordinatedExecutionLocks()
{
    QMutexLocker lock(&m_mutex);
    for (const auto &scope : std::as_const(m_scopes))
        scope->release();
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

} // namespace Vigil
