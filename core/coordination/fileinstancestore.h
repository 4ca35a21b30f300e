// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "coordination/instancestore.h"
#include "health/clock.h"

namespace Vigil {

// Heartbeats for instances on one machine: "<dir>/<instance id>.json", each with the wall-clock time it
// expires; list() skips (and deletes) expired files. Written atomically (QSaveFile).
class FileInstanceStore final : public InstanceStore
{
public:
    explicit FileInstanceStore(const QString &directory, const Clock &clock = Clock::system());
    ~FileInstanceStore() override;

    // <AppDataLocation>/instances
    static QString defaultDirectory();

    CoordinationBackendKind kind() const override { return CoordinationBackendKind::File; }
    Result<void> publish(const InstanceInfo &info, qint64 ttlMs) override;
    Result<void> remove(const QString &instanceId) override;
    Result<QList<InstanceInfo>> list() override;

private:
    QString pathFor(const QString &instanceId) const;

    QString m_dir;
    const Clock &m_clock;
};

} // namespace Vigil
