// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include "coordination/instanceidentity.h"
#include "coordination/lockbackend.h"
#include "health/clock.h"

namespace Vigil {

// Locks in process memory, with the same semantics as the Redis backend (NX acquire, ttl expiry, compare-then-
// renew/delete, fences from a per-account counter). For unit tests and for a single instance without any
// coordination need. Several MemoryLockBackend objects can share one store (sharingStoreWith) to play several
// instances. Thread-safe.
//
// Expiry runs on the clock's WALL time, as a remote server's would: a server does not pause while the laptop
// sleeps, so FakeClock::jumpWall() past the ttl expires keys just as a real suspend does.
class MemoryLockBackend final : public LockBackend
{
public:
    explicit MemoryLockBackend(InstanceIdentity self, const Clock &clock = Clock::system());
    ~MemoryLockBackend() override;

    // Another instance's backend on this backend's store.
    std::unique_ptr<MemoryLockBackend> sharingStoreWith(InstanceIdentity self) const;

    CoordinationBackendKind kind() const override { return CoordinationBackendKind::Memory; }
    Result<Lease> acquire(const QString &key, qint64 ttlMs) override;
    Result<void> renew(const Lease &lease) override;
    Result<void> release(const Lease &lease) override;
    Result<bool> verify(const Lease &lease) override;
    Result<std::optional<HolderInfo>> holderInfo(const QString &key) override;
    Result<void> ping() override;

    // Fault injection for tests, affecting every backend on the store:
    // false = the store is "down" and every call fails with CoordinationUnavailable.
    void setAvailable(bool available);
    // Deletes a key as an operator (or an expiry) would.
    void removeKey(const QString &key);

private:
    struct Store;
    MemoryLockBackend(std::shared_ptr<Store> store, InstanceIdentity self, const Clock &clock);

    std::shared_ptr<Store> m_store;
    InstanceIdentity m_self;
    const Clock &m_clock;
};

} // namespace Vigil
