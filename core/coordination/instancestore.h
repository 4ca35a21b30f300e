// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>

#include "coordination/coordinationstatus.h"
#include "coordination/instanceinfo.h"
#include "health/result.h"

namespace Vigil {

// Where instance heartbeats are kept (Redis for several machines, a directory for one machine).
// Synchronous with bounded waits, called from the coordination thread only; not thread-safe.
// A failed list() is an error, never an empty list.
class InstanceStore
{
public:
    virtual ~InstanceStore();
    virtual CoordinationBackendKind kind() const = 0;
    // Writes or refreshes this instance's entry; it disappears ttlMs after the last publish.
    virtual Result<void> publish(const InstanceInfo &info, qint64 ttlMs) = 0;
    virtual Result<void> remove(const QString &instanceId) = 0;
    // Every live entry (including the caller's own).
    virtual Result<QList<InstanceInfo>> list() = 0;

protected:
    InstanceStore() = default;
    Q_DISABLE_COPY_MOVE(InstanceStore)
};

} // namespace Vigil
