// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QString>

#include "coordination/coordinationstatus.h"
#include "coordination/holderinfo.h"
#include "coordination/lease.h"
#include "health/result.h"

namespace Vigil {

// Where locks live: a lock is a named key (LockKey) held by at most one lease at a time.
//
// Threading: calls are synchronous and may block for a short, bounded time (a Redis round trip with its
// connect/command timeouts, a QLockFile::tryLock timeout). They are made from the coordination thread only
// (LeaseKeeper's thread), never from the GUI or a trading thread. A backend object is used from one thread at a
// time; it is not thread-safe unless the subclass says so.
//
// Errors are ErrorKind::Coordination with a CoordinationError code:
//   Unavailable (backend unreachable / unusable), LockHeld (acquire refused, details.holder when known),
//   NotOwner (renew/release with a token that does not hold the key); InvalidInput/InvalidLockKey for bad keys.
class LockBackend
{
public:
    virtual ~LockBackend();

    virtual CoordinationBackendKind kind() const = 0;

    // Takes the lock if free. The lease carries a fresh random token and a fencing token strictly greater than
    // every fence handed out before for the same key. ttlMs > 0: after it the backend may give the lock to
    // someone else unless renewed (the file backend keeps the lock while the holding process lives).
    virtual Result<Lease> acquire(const QString &key, qint64 ttlMs) = 0;
    // Extends the lease by its ttl, only if the lease's token still holds the key (compare, then extend).
    virtual Result<void> renew(const Lease &lease) = 0;
    // Drops the lock, only if the lease's token still holds the key (compare, then delete).
    virtual Result<void> release(const Lease &lease) = 0;
    // True when the lease's token still holds the key (a GET-and-compare; extends nothing).
    virtual Result<bool> verify(const Lease &lease) = 0;
    // Who holds the key now; std::nullopt when nobody does.
    virtual Result<std::optional<HolderInfo>> holderInfo(const QString &key) = 0;
    // Is the backend reachable and usable? Used to notice it came back after an outage.
    virtual Result<void> ping() = 0;

protected:
    LockBackend() = default;
    Q_DISABLE_COPY_MOVE(LockBackend)
};

} // namespace Vigil
