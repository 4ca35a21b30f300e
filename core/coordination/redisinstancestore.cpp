// SPDX-License-Identifier: GPL-3.0-or-later
#include "redisinstancestore.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

namespace Vigil {

namespace {
constexpr QLatin1StringView SetKey { "vigil:instances" };
constexpr QLatin1StringView HashPrefix { "vigil:instance:" };

const RedisConnection::Script &publishScript()
{
    // KEYS: instance hash, id set. ARGV: id, ttl, host, pid, app, version, bots JSON, started, last seen.
    static const auto s = RedisConnection::Script::make(QByteArrayLiteral(R"lua(
redis.call('HSET', KEYS[1], 'instance_id', ARGV[1], 'host', ARGV[3], 'pid', ARGV[4], 'app', ARGV[5],
           'version', ARGV[6], 'bots', ARGV[7], 'started_ms', ARGV[8], 'last_seen_ms', ARGV[9])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
return 1
)lua"));
    return s;
}

const RedisConnection::Script &listScript()
{
    // KEYS: id set. ARGV: hash prefix. Returns one HGETALL array per live instance.
    static const auto s = RedisConnection::Script::make(QByteArrayLiteral(R"lua(
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local h = redis.call('HGETALL', ARGV[1] .. id)
  if #h == 0 then
    redis.call('SREM', KEYS[1], id)
  else
    table.insert(out, h)
  end
end
return out
)lua"));
    return s;
}

Error unexpected()
{
    return Error::make(ErrorKind::Coordination, QStringLiteral("RedisError"),
        QStringLiteral("unexpected Redis reply to the instance list"));
}
} // namespace

RedisInstanceStore::RedisInstanceStore(RedisConfig config)
    : m_conn(std::move(config), QByteArrayLiteral("vigil-registry"))
{
}

RedisInstanceStore::~RedisInstanceStore() = default;

Result<void> RedisInstanceStore::publish(const InstanceInfo &info, qint64 ttlMs)
{
    const QByteArray id = info.identity.instanceId.toUtf8();
    auto r = m_conn.eval(publishScript(),
        { HashPrefix.toString().toUtf8() + id, QByteArray(SetKey.data(), SetKey.size()) },
        { id, QByteArray::number(ttlMs), info.identity.host.toUtf8(), QByteArray::number(info.identity.pid),
            info.identity.app.toUtf8(), info.identity.version.toUtf8(),
            QJsonDocument(QJsonArray::fromStringList(info.bots)).toJson(QJsonDocument::Compact),
            QByteArray::number(info.startedMs), QByteArray::number(info.lastSeenMs) });
    if (!r)
        return r.error();
    return {};
}

Result<void> RedisInstanceStore::remove(const QString &instanceId)
{
    const QByteArray id = instanceId.toUtf8();
    auto del = m_conn.command({ QByteArrayLiteral("DEL"), HashPrefix.toString().toUtf8() + id });
    if (!del)
        return del.error();
    auto srem = m_conn.command({ QByteArrayLiteral("SREM"), QByteArray(SetKey.data(), SetKey.size()), id });
    if (!srem)
        return srem.error();
    return {};
}

Result<QList<InstanceInfo>> RedisInstanceStore::list()
{
    auto r
        = m_conn.eval(listScript(), { QByteArray(SetKey.data(), SetKey.size()) }, { HashPrefix.toString().toUtf8() });
    if (!r)
        return r.error();
    if (r->type != RedisReply::Type::Array)
        return unexpected();
    QList<InstanceInfo> out;
    for (const RedisReply &hash : r->elements) {
        if (hash.type != RedisReply::Type::Array || hash.elements.size() % 2 != 0)
            return unexpected();
        QHash<QByteArray, QByteArray> f;
        for (qsizetype i = 0; i + 1 < hash.elements.size(); i += 2)
            f.insert(hash.elements.at(i).bytes(), hash.elements.at(i + 1).bytes());
        InstanceInfo info;
        info.identity.instanceId = QString::fromUtf8(f.value("instance_id"));
        info.identity.host = QString::fromUtf8(f.value("host"));
        info.identity.pid = f.value("pid").toLongLong();
        info.identity.app = QString::fromUtf8(f.value("app"));
        info.identity.version = QString::fromUtf8(f.value("version"));
        for (const QJsonValue &b : QJsonDocument::fromJson(f.value("bots")).array())
            info.bots.append(b.toString());
        info.startedMs = f.value("started_ms").toLongLong();
        info.lastSeenMs = f.value("last_seen_ms").toLongLong();
        out.append(info);
    }
    return out;
}

} // namespace Vigil
