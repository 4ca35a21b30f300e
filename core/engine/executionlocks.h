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

protected:
    ExecutionLocks() = default;
    Q_DISABLE_COPY_MOVE(ExecutionLocks)
};

} // namespace Vigil
