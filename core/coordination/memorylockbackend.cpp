// SPDX-License-Identifier: GPL-3.0-or-later
#include "memorylockbackend.h"

#include <mutex>

#include <QHash>

#include "coordination/coordinationerror.h"
#include "coordination/lockkey.h"

namespace Vigil {

struct MemoryLockBackend::Store
{
    struct Entry
    {
        QString token;
        qint64 expiresAtMs = 0;
        HolderInfo holder;
    };

    std::mutex mutex;
    QHash<QString, Entry> locks;
    QHash<QString, qint64> fences;
    bool available = true;

    // Caller holds the mutex.
    Entry *live(const QString &key, qint64 nowMs)
    {
        auto it = locks.find(key);
        if (it == locks.end())
            return nullptr;
        if (it->expiresAtMs <= nowMs) {
            locks.erase(it);
            return nullptr;
        }
        return &*it;
    }
};

namespace {
Error down()
{
    return CoordinationError::unavailable(QStringLiteral("memory lock store is unavailable (fault injected)"));
}
} // namespace

MemoryLockBackend::MemoryLockBackend(InstanceIdentity self, const Clock &clock)
    : MemoryLockBackend(std::make_shared<Store>(), std::move(self), clock)
{
}

MemoryLockBackend::MemoryLockBackend(std::shared_ptr<Store> store, InstanceIdentity self, const Clock &clock)
    : m_store(std::move(store))
    , m_self(std::move(self))
    , m_clock(clock)
{
}

MemoryLockBackend::~MemoryLockBackend() = default;

std::unique_ptr<MemoryLockBackend> MemoryLockBackend::sharingStoreWith(InstanceIdentity self) const
{
    return std::unique_ptr<MemoryLockBackend>(new MemoryLockBackend(m_store, std::move(self), m_clock));
}

Result<Lease> MemoryLockBackend::acquire(const QString &key, qint64 ttlMs)
{
    if (auto valid = LockKey::validate(key); !valid)
        return valid.error();
    if (ttlMs <= 0)
        return Error::make(
            ErrorKind::InvalidInput, QStringLiteral("InvalidTtl"), QStringLiteral("lease ttl must be > 0 ms"));
    const qint64 startedMono = m_clock.monotonicMs();
    std::lock_guard lock(m_store->mutex);
    if (!m_store->available)
        return down();
    const qint64 now = m_clock.nowMs();
    if (const auto *held = m_store->live(key, now))
        return CoordinationError::lockHeld(key, &held->holder);

    Lease lease;
    lease.key = key;
    lease.token = Lease::newToken();
    lease.fence = ++m_store->fences[LockKey::fenceCounter(key)];
    lease.acquiredMonotonicMs = startedMono;
    lease.ttlMs = ttlMs;
    lease.holder.instance = m_self;
    lease.holder.sinceMs = now;
    lease.holder.fence = lease.fence;
    m_store->locks.insert(key, Store::Entry { lease.token, now + ttlMs, lease.holder });
    return lease;
}

Result<void> MemoryLockBackend::renew(const Lease &lease)
{
    std::lock_guard lock(m_store->mutex);
    if (!m_store->available)
        return down();
    const qint64 now = m_clock.nowMs();
    auto *held = m_store->live(lease.key, now);
    if (!held || held->token != lease.token)
        return CoordinationError::notOwner(lease.key);
    held->expiresAtMs = now + lease.ttlMs;
    return {};
}

Result<void> MemoryLockBackend::release(const Lease &lease)
{
    std::lock_guard lock(m_store->mutex);
    if (!m_store->available)
        return down();
    auto *held = m_store->live(lease.key, m_clock.nowMs());
    if (!held || held->token != lease.token)
        return CoordinationError::notOwner(lease.key);
    m_store->locks.remove(lease.key);
    return {};
}

Result<bool> MemoryLockBackend::verify(const Lease &lease)
{
    std::lock_guard lock(m_store->mutex);
    if (!m_store->available)
        return down();
    const auto *held = m_store->live(lease.key, m_clock.nowMs());
    return held && held->token == lease.token;
}

Result<std::optional<HolderInfo>> MemoryLockBackend::holderInfo(const QString &key)
{
    std::lock_guard lock(m_store->mutex);
    if (!m_store->available)
        return down();
    if (const auto *held = m_store->live(key, m_clock.nowMs()))
        return std::optional<HolderInfo>(held->holder);
    return std::optional<HolderInfo>();
}

Result<void> MemoryLockBackend::ping()
{
    std::lock_guard lock(m_store->mutex);
    if (!m_store->available)
        return down();
    return {};
}

void MemoryLockBackend::setAvailable(bool available)
{
    std::lock_guard lock(m_store->mutex);
    m_store->available = available;
}

void MemoryLockBackend::removeKey(const QString &key)
{
    std::lock_guard lock(m_store->mutex);
    m_store->locks.remove(key);
}

} // namespace Vigil
