// SPDX-License-Identifier: GPL-3.0-or-later
#include "redislockbackend.h"

#include <QJsonDocument>

#include "coordination/coordinationerror.h"
#include "coordination/lockkey.h"
#include "health/logcategories.h"

namespace Vigil {

namespace {

// KEYS: lock, fence counter, holder record. ARGV: token, ttl ms, holder JSON, fence floor.
// Returns {1, fence} when taken, {0, holder JSON, holder fence} when someone holds it.
// The floor (the highest fence this instance has seen) keeps fences increasing when Redis lost its data.
const RedisConnection::Script &acquireScript()
{
    static const auto s = RedisConnection::Script::make(QByteArrayLiteral(R"lua(
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local floor = tonumber(ARGV[4])
  if tonumber(redis.call('GET', KEYS[2]) or '0') < floor then
    redis.call('SET', KEYS[2], floor)
  end
  local fence = redis.call('INCR', KEYS[2])
  redis.call('DEL', KEYS[3])
  redis.call('HSET', KEYS[3], 'info', ARGV[3], 'fence', fence)
  redis.call('PEXPIRE', KEYS[3], ARGV[2])
  return {1, fence}
end
return {0, redis.call('HGET', KEYS[3], 'info') or '', redis.call('HGET', KEYS[3], 'fence') or '0'}
)lua"));
    return s;
}

// KEYS: lock, holder record. ARGV: token, ttl ms. 1 = extended, 0 = not ours.
const RedisConnection::Script &renewScript()
{
    static const auto s = RedisConnection::Script::make(QByteArrayLiteral(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  return 1
end
return 0
)lua"));
    return s;
}

// KEYS: lock, holder record. ARGV: token. 1 = deleted, 0 = not ours.
const RedisConnection::Script &releaseScript()
{
    static const auto s = RedisConnection::Script::make(QByteArrayLiteral(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 1
end
return 0
)lua"));
    return s;
}

// KEYS: lock, holder record. nil when free, else {holder JSON, fence}.
const RedisConnection::Script &holderScript()
{
    static const auto s = RedisConnection::Script::make(QByteArrayLiteral(R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then
  return false
end
return {redis.call('HGET', KEYS[2], 'info') or '', redis.call('HGET', KEYS[2], 'fence') or '0'}
)lua"));
    return s;
}

HolderInfo parseHolder(const QByteArray &json, const QByteArray &fence)
{
    HolderInfo h = HolderInfo::fromJson(QJsonDocument::fromJson(json).object());
    h.fence = fence.toLongLong();
    return h;
}

Error unexpectedReply(const QString &what)
{
    return Error::make(
        ErrorKind::Coordination, QStringLiteral("RedisError"), QStringLiteral("unexpected Redis reply to ") + what);
}

constexpr qsizetype MaxOrphans = 256;

} // namespace

RedisLockBackend::RedisLockBackend(RedisConfig config, InstanceIdentity self, const Clock &clock)
    : m_conn(std::move(config), QByteArrayLiteral("vigil-locks"))
    , m_self(std::move(self))
    , m_clock(clock)
{
}

RedisLockBackend::~RedisLockBackend() = default;

void RedisLockBackend::raiseFenceFloor(const QString &key, qint64 fence)
{
    const QString fenceKey = LockKey::fenceCounter(key);
    if (fence > m_fenceFloors.value(fenceKey, 0))
        m_fenceFloors.insert(fenceKey, fence);
}

void RedisLockBackend::rememberOrphan(const Lease &lease)
{
    if (m_orphans.size() >= MaxOrphans)
        m_orphans.removeFirst();
    m_orphans.append(lease);
}

void RedisLockBackend::cleanOrphans()
{
    while (!m_orphans.isEmpty()) {
        const Lease orphan = m_orphans.first();
        auto r = m_conn.eval(releaseScript(), { orphan.key.toUtf8(), LockKey::holderRecord(orphan.key).toUtf8() },
            { orphan.token.toUtf8() });
        if (!r && CoordinationError::isUnavailable(r.error()))
            return; // still down; keep them for the next time
        if (r && r->integer == 1)
            qCInfo(lcCoordination) << "released orphaned lease on" << orphan.key << "after Redis came back";
        m_orphans.removeFirst();
    }
}

Result<Lease> RedisLockBackend::acquire(const QString &key, qint64 ttlMs)
{
    if (auto valid = LockKey::validate(key); !valid)
        return valid.error();
    if (ttlMs <= 0)
        return Error::make(
            ErrorKind::InvalidInput, QStringLiteral("InvalidTtl"), QStringLiteral("lease ttl must be > 0 ms"));
    cleanOrphans();

    Lease lease;
    lease.key = key;
    lease.token = Lease::newToken();
    lease.ttlMs = ttlMs;
    lease.holder.instance = m_self;
    lease.holder.sinceMs = m_clock.nowMs();
    const QJsonObject holderJson = HolderInfo { m_self, lease.holder.sinceMs, 0 }.toJson();
    // Before the request leaves: Redis starts the ttl later than this, so our deadline is never later than its.
    lease.acquiredMonotonicMs = m_clock.monotonicMs();
    const QString fenceKey = LockKey::fenceCounter(key);
    auto r = m_conn.eval(acquireScript(), { key.toUtf8(), fenceKey.toUtf8(), LockKey::holderRecord(key).toUtf8() },
        { lease.token.toUtf8(), QByteArray::number(ttlMs), QJsonDocument(holderJson).toJson(QJsonDocument::Compact),
            QByteArray::number(m_fenceFloors.value(fenceKey, 0)) });
    if (!r) {
        // The script may have run before the connection died: delete our token's lock once Redis is back.
        if (CoordinationError::isUnavailable(r.error()))
            rememberOrphan(lease);
        return r.error();
    }
    const RedisReply &reply = r.value();
    if (reply.type != RedisReply::Type::Array || reply.elements.isEmpty())
        return unexpectedReply(QStringLiteral("acquire"));
    if (reply.elements.at(0).integer != 1) {
        if (reply.elements.size() < 3)
            return CoordinationError::lockHeld(key, nullptr);
        const HolderInfo holder = parseHolder(reply.elements.at(1).bytes(), reply.elements.at(2).bytes());
        raiseFenceFloor(key, holder.fence);
        return CoordinationError::lockHeld(key, &holder);
    }
    if (reply.elements.size() < 2 || reply.elements.at(1).type != RedisReply::Type::Integer)
        return unexpectedReply(QStringLiteral("acquire"));
    lease.fence = reply.elements.at(1).integer;
    lease.holder.fence = lease.fence;
    raiseFenceFloor(key, lease.fence);
    return lease;
}

Result<void> RedisLockBackend::renew(const Lease &lease)
{
    cleanOrphans();
    auto r = m_conn.eval(renewScript(), { lease.key.toUtf8(), LockKey::holderRecord(lease.key).toUtf8() },
        { lease.token.toUtf8(), QByteArray::number(lease.ttlMs) });
    if (!r)
        return r.error();
    if (r->type != RedisReply::Type::Integer)
        return unexpectedReply(QStringLiteral("renew"));
    if (r->integer != 1)
        return CoordinationError::notOwner(lease.key);
    return {};
}

Result<void> RedisLockBackend::release(const Lease &lease)
{
    cleanOrphans();
    auto r = m_conn.eval(
        releaseScript(), { lease.key.toUtf8(), LockKey::holderRecord(lease.key).toUtf8() }, { lease.token.toUtf8() });
    if (!r) {
        if (CoordinationError::isUnavailable(r.error()))
            rememberOrphan(lease);
        return r.error();
    }
    if (r->type != RedisReply::Type::Integer)
        return unexpectedReply(QStringLiteral("release"));
    if (r->integer != 1)
        return CoordinationError::notOwner(lease.key);
    return {};
}

Result<bool> RedisLockBackend::verify(const Lease &lease)
{
    auto r = m_conn.command({ QByteArrayLiteral("GET"), lease.key.toUtf8() });
    if (!r)
        return r.error();
    return r->type == RedisReply::Type::String && r->text == lease.token.toUtf8();
}

Result<std::optional<HolderInfo>> RedisLockBackend::holderInfo(const QString &key)
{
    if (auto valid = LockKey::validate(key); !valid)
        return valid.error();
    auto r = m_conn.eval(holderScript(), { key.toUtf8(), LockKey::holderRecord(key).toUtf8() }, {});
    if (!r)
        return r.error();
    if (r->isNil())
        return std::optional<HolderInfo>();
    if (r->type != RedisReply::Type::Array || r->elements.size() < 2)
        return unexpectedReply(QStringLiteral("holder info"));
    return std::optional<HolderInfo>(parseHolder(r->elements.at(0).bytes(), r->elements.at(1).bytes()));
}

Result<void> RedisLockBackend::ping()
{
    auto r = m_conn.command({ QByteArrayLiteral("PING") });
    if (!r)
        return r.error();
    cleanOrphans();
    return {};
}

} // namespace Vigil
