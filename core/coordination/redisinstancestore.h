// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "coordination/instancestore.h"
#include "coordination/redisconnection.h"

namespace Vigil {

// Heartbeats in Redis: one hash per instance, "vigil:instance:<id>" (instance_id, host, pid, app, version,
// bots (JSON array), started_ms, last_seen_ms) with PEXPIRE ttl, and the set "vigil:instances" of ids; list()
// drops ids whose hash has expired. Each call is one Lua script (one round trip). Standalone Redis only (the
// list script reads keys it cannot declare, which Redis Cluster forbids).
class RedisInstanceStore final : public InstanceStore
{
public:
    explicit RedisInstanceStore(RedisConfig config);
    ~RedisInstanceStore() override;

    CoordinationBackendKind kind() const override { return CoordinationBackendKind::Redis; }
    Result<void> publish(const InstanceInfo &info, qint64 ttlMs) override;
    Result<void> remove(const QString &instanceId) override;
    Result<QList<InstanceInfo>> list() override;

private:
    RedisConnection m_conn;
};

} // namespace Vigil
