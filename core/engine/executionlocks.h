// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>

#include <QObject>
#include <QString>

#include "engine/executionpermit.h"
#include "health/result.h"

namespace Vigil {

// Who may send a buy now: account lock first, then bot lock; both released on every path.
// Implementations are thread-safe. `done` runs on `context`'s thread, exactly once, never inside acquire().
class ExecutionLocks
{
public:
    using Done = std::function<void(const Result<ExecutionPermit> &permit)>;
    virtual ~ExecutionLocks() = default;
    // Waits (asynchronously) while another bot of the same account holds the right, up to timeoutMs; then
    // fails with ErrorKind::Coordination "LockTimeout". Coordination down → "CoordinationUnavailable".
    virtual void acquire(const QString &account, const QString &bot, int timeoutMs, QObject *context, Done done) = 0;
    // Still valid right now (lease deadline not passed, not lost)? Checked immediately before the buy leaves.
    virtual Result<void> check(const ExecutionPermit &permit) const = 0;
    virtual void release(const ExecutionPermit &permit) = 0;

    // The right to run a bot of an account (login id) at all, held from its start until it stops (one instance runs
    // a given bot):
    // acquireRun() fails with CoordinationError::LockHeld naming the instance that runs it; checkRun() is part of
    // check(); releaseRun() gives it back (and drops a lost one). `done` runs on `context`'s thread, never inside.
    using RunDone = std::function<void(const Result<void> &held)>;
    virtual void acquireRun(const QString &account, const QString &bot, QObject *context, RunDone done) = 0;
    virtual Result<void> checkRun(const QString &account, const QString &bot) const = 0;
    virtual void releaseRun(const QString &account, const QString &bot) = 0;

protected:
    ExecutionLocks() = default;
    Q_DISABLE_COPY_MOVE(ExecutionLocks)
};

} // namespace Vigil
