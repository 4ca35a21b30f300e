// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include <QHash>
#include <QMutex>

#include "coordination/lease.h"
#include "engine/executionlocks.h"
#include "engine/localexecutionlocks.h"

namespace Vigil {

class LeaseKeeper;
class TradeLockScope;

// Execution locks across instances: the in-process arbiter first (one bot per account inside this
// process, FIFO), then the account lock and the bot lock from the LeaseKeeper's backend (lock file on one
// machine, Redis across machines). The permit carries the account lease's fencing token. check() requires
// both leases valid (monotonic deadline minus drift, not lost, re-verified after a clock jump): a holder
// that was frozen past its ttl sends nothing when it resumes. Fails closed: no coordination, no permit.
// A bot also holds a run lease from start to stop (acquireRun): while one instance runs it, another that has it
// configured waits on standby and takes over once the lease is free (stopped there, or its holder died).
class CoordinatedExecutionLocks final : public ExecutionLocks
{
public:
    // `keeper` lives on the coordination thread and must outlive this object.
    CoordinatedExecutionLocks(LeaseKeeper *keeper, qint64 leaseTtlMs, bool runLeases = true);
    ~CoordinatedExecutionLocks() override;

    void acquire(const QString &account, const QString &bot, int timeoutMs, QObject *context, Done done) override;
    Result<void> check(const ExecutionPermit &permit) const override;
    void release(const ExecutionPermit &permit) override;
    // A lease on LockKey::botRun(account, bot), renewed by the keeper while the bot runs. Without `runLeases`
    // (paper mode: each instance's simulator and its accounts are private to it) a bot runs in every instance.
    void acquireRun(const QString &account, const QString &bot, QObject *context, RunDone done) override;
    Result<void> checkRun(const QString &account, const QString &bot) const override;
    void releaseRun(const QString &account, const QString &bot) override;

private:
    LeaseKeeper *m_keeper;
    qint64 m_ttlMs;
    bool m_runLeases;
    LocalExecutionLocks m_local;
    mutable QMutex m_mutex;
    QHash<quint64, std::shared_ptr<TradeLockScope>> m_scopes; // permit id → its leases
    QHash<QString, Lease> m_runs; // run lease key → the lease that lets the bot run here
};

} // namespace Vigil
