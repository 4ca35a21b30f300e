// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>

#include <QString>

#include "reconcile/instanceliveness.h"

class QObject;

namespace Vigil {

// Where a Reconciler learns which Vigil instances are running (the engine adapts its InstanceRegistry to
// this and hands it to its account workers' Reconcilers through ReconcilerOptions; tests use a fake).
// Implementations are thread-safe: read() is called from account threads.
class InstanceLivenessSource
{
public:
    virtual ~InstanceLivenessSource();

    // Reads the live instances now (from the registry's store, not a cached view). `done` runs on
    // `context`'s thread through a queued call, at most once, and not at all if `context` is destroyed
    // first. A source that cannot tell answers InstanceLiveness::unknown(why); one that never answers is
    // given up on by the caller (ReconcilerOptions::livenessTimeoutMs). Any thread.
    virtual void read(QObject *context, std::function<void(const InstanceLiveness &)> done) = 0;

protected:
    InstanceLivenessSource() = default;
    Q_DISABLE_COPY_MOVE(InstanceLivenessSource)
};

} // namespace Vigil
