// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>
#include <memory>

#include <QString>

#include "reconcile/instanceliveness.h"

class QObject;

namespace Vigil {

// Where a Reconciler learns which Vigil instances are running (the engine adapts its InstanceRegistry to
// this; tests use a fake). Implementations are thread-safe: read() is called from account threads.
class InstanceLivenessSource
{
public:
    virtual ~InstanceLivenessSource();

    // Reads the live instances now (from the registry's store, not a cached view). `done` runs on
    // `context`'s thread through a queued call, at most once, and not at all if `context` is destroyed
    // first. A source that cannot tell answers InstanceLiveness::unknown(why); one that never answers is
    // given up on by the caller (ReconcilerOptions::livenessTimeoutMs). Any thread.
    virtual void read(QObject *context, std::function<void(const InstanceLiveness &)> done) = 0;

    // The process-wide hand-off from an Engine to the Reconcilers its account workers build: the engine
    // publishes its source under its instance id while its registry runs, and a Reconciler without
    // ReconcilerOptions::liveness uses the one published for ReconcilerOptions::instanceId. Thread-safe.
    // withdraw() removes the entry only if it is still `source` (an engine started later under the same
    // id keeps its own).
    static void publish(const QString &instanceId, std::shared_ptr<InstanceLivenessSource> source);
    static void withdraw(const QString &instanceId, const InstanceLivenessSource *source);
    // Null when nothing is published for the id (a single instance: no registry, nobody else to ask about).
    static std::shared_ptr<InstanceLivenessSource> published(const QString &instanceId);

protected:
    InstanceLivenessSource() = default;
    Q_DISABLE_COPY_MOVE(InstanceLivenessSource)
};

} // namespace Vigil
