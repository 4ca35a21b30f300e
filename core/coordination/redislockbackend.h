// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QList>

#include "coordination/instanceidentity.h"
#include "coordination/lockbackend.h"
#include "coordination/redisconnection.h"
#include "health/clock.h"

namespace Vigil {

// Locks shared by every instance that reaches one Redis (desktop + VPS).
//
// acquire: one Lua script, atomically: SET key token NX PX ttl; on success INCR vigil:fence:<account> (the
// fencing token) and write the holder record (vigil:holder:..., same expiry). renew and release are
// compare-then-PEXPIRE / compare-then-DEL scripts (EVALSHA, EVAL after NOSCRIPT): a stale holder can never
// extend or delete a lock that has passed to someone else. verify is GET key == token.
//
// Fences stay increasing even if Redis restarts without its data: the backend remembers the highest fence it
// has seen per counter (its own and other holders') and the acquire script never hands out one below it.
// Seed it at start-up from the journal with raiseFenceFloor(). Running Redis with appendonly is still advised.
//
// Redis configured but unreachable means CoordinationUnavailable from every call (within the connect and
// command timeouts); there is no fallback to any local lock. A lease whose release or acquire reply was lost
// is remembered and deleted (compare-then-DEL, so only if still ours) as soon as Redis answers again, so a
// blip does not leave the account locked for a whole ttl.
// Not thread-safe (one thread, as LockBackend says).
class RedisLockBackend final : public LockBackend
{
public:
    RedisLockBackend(RedisConfig config, InstanceIdentity self, const Clock &clock = Clock::system());
    ~RedisLockBackend() override;

    CoordinationBackendKind kind() const override { return CoordinationBackendKind::Redis; }
    Result<Lease> acquire(const QString &key, qint64 ttlMs) override;
    Result<void> renew(const Lease &lease) override;
    Result<void> release(const Lease &lease) override;
    Result<bool> verify(const Lease &lease) override;
    Result<std::optional<HolderInfo>> holderInfo(const QString &key) override;
    Result<void> ping() override;

    const RedisConfig &config() const { return m_conn.config(); }
    // Fences handed out for `key`'s counter from now on are greater than `fence`.
    void raiseFenceFloor(const QString &key, qint64 fence);

private:
    void rememberOrphan(const Lease &lease);
    void cleanOrphans();

    RedisConnection m_conn;
    InstanceIdentity m_self;
    const Clock &m_clock;
    QList<Lease> m_orphans;
    QHash<QString, qint64> m_fenceFloors; // fence counter key -> highest fence seen
};

} // namespace Vigil
