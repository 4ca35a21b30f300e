// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <map>
#include <memory>

#include "coordination/instanceidentity.h"
#include "coordination/lockbackend.h"
#include "health/clock.h"

class QLockFile;

namespace Vigil {

// Locks between processes on ONE machine: a QLockFile per key in a directory (default <AppData>/locks).
//
// Staleness is decided by the holder's PID, host and application name (QLockFile's check), never by age
// (setStaleLockTime(0)): a live holder keeps its lock however long it trades; a crashed holder's lock is taken
// over by the next acquire. There is no ttl on disk: renew() only checks that the lock file is still ours.
// A sidecar "<lock>.holder.json" names the holder's instance id and fence (QLockFile only records pid/host/app).
//
// Fencing: "<fence counter>.fence" beside the lock files holds the last fence; the holder increments it while
// holding the lock (written atomically with QSaveFile), so fences increase across processes on this machine.
//
// Do not point two machines at one network directory: QLockFile cannot tell whether a remote holder is alive.
// Not thread-safe (one thread, as LockBackend says). Calls block at most tryLockTimeoutMs plus small file I/O.
class FileLockBackend final : public LockBackend
{
public:
    explicit FileLockBackend(const QString &directory, InstanceIdentity self, const Clock &clock = Clock::system(),
        int tryLockTimeoutMs = 50);
    // Releases every lock this object still holds.
    ~FileLockBackend() override;

    // <AppDataLocation>/locks
    static QString defaultDirectory();
    QString directory() const { return m_dir; }

    CoordinationBackendKind kind() const override { return CoordinationBackendKind::File; }
    Result<Lease> acquire(const QString &key, qint64 ttlMs) override;
    Result<void> renew(const Lease &lease) override;
    Result<void> release(const Lease &lease) override;
    Result<bool> verify(const Lease &lease) override;
    Result<std::optional<HolderInfo>> holderInfo(const QString &key) override;
    Result<void> ping() override;

private:
    struct Held
    {
        QString token;
        HolderInfo holder;
        std::unique_ptr<QLockFile> file;
    };

    QString lockPath(const QString &key) const;
    QString sidecarPath(const QString &key) const;
    QString fencePath(const QString &key) const;
    Result<void> ensureDirectory() const;
    Result<qint64> bumpFence(const QString &key);
    Result<void> writeSidecar(const QString &key, const QString &token, const HolderInfo &holder);
    bool ownsOnDisk(const QString &key, const Held &held) const;
    void drop(std::map<QString, Held>::iterator it);

    QString m_dir;
    InstanceIdentity m_self;
    const Clock &m_clock;
    int m_tryLockTimeoutMs;
    std::map<QString, Held> m_held;
};

} // namespace Vigil
