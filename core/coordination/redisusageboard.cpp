// SPDX-License-Identifier: GPL-3.0-or-later
#include "redisusageboard.h"

namespace Vigil {

namespace {

constexpr qint64 KeepMs = 7 * 86'400'000LL;

// KEYS: the account's hash. ARGV: journal field, share JSON, sequence, keep ms.
// Replaces the journal's field unless it holds a newer sequence; 1 = written, 0 = a newer one was there.
// A field that cannot be read is replaced (its owner publishes again).
const RedisConnection::Script &publishScript()
{
    static const auto s = RedisConnection::Script::make(QByteArrayLiteral(R"lua(
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then
  local ok, decoded = pcall(cjson.decode, old)
  if ok and type(decoded) == 'table' and (tonumber(decoded['sequence']) or 0) > tonumber(ARGV[3]) then
    return 0
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
)lua"));
    return s;
}

Error problem(const char *code, const QString &message)
{
    return Error::make(ErrorKind::Coordination, QString::fromLatin1(code), message);
}

Error conflict(const QString &key, const QString &field)
{
    return problem("UsageShareConflict",
                   QStringLiteral("Redis holds a newer share of this journal than the journal itself (%1, field %2): was the "
                                  "journal restored from a backup? No buy until that field is removed (redis-cli HDEL %1 '%2').")
                       .arg(key, field));
}

} // namespace

RedisUsageBoard::RedisUsageBoard(RedisConfig config, QString journalKey)
    : m_conn(std::move(config), QByteArrayLiteral("vigil-usage")), m_journal(std::move(journalKey))
{
}

QString RedisUsageBoard::journalKey(const QString &journalId, const QString &location)
{
    return journalId + u'@' + location;
}

QString RedisUsageBoard::key(const QString &loginId)
{
    return QStringLiteral("vigil:usage:") + loginId;
}

Result<bool> RedisUsageBoard::publish(const QString &loginId, const UsageShare &mine)
{
    auto r = m_conn.eval(publishScript(), {key(loginId).toUtf8()},
                         {m_journal.toUtf8(), mine.toJson(), QByteArray::number(mine.sequence), QByteArray::number(KeepMs)});
    if (!r)
        return r.error();
    return r->integer == 1;
}

Result<QList<UsageShare>> RedisUsageBoard::others(const QString &loginId, qint64 mySequence)
{
    const QString k = key(loginId);
    auto r = m_conn.command({QByteArrayLiteral("HGETALL"), k.toUtf8()});
    if (!r)
        return r.error();
    if (r->type != RedisReply::Type::Array || r->elements.size() % 2 != 0)
        return problem("UsageUnreadable", QStringLiteral("the shared limit usage in %1 is not a hash: no buy").arg(k));
    QList<UsageShare> out;
    for (qsizetype i = 0; i + 1 < r->elements.size(); i += 2) {
        const QString journal = QString::fromUtf8(r->elements.at(i).bytes());
        std::optional<UsageShare> share = UsageShare::fromJson(r->elements.at(i + 1).bytes(), journal);
        if (journal == m_journal) {
            // Its own rows are read from the journal itself; Redis must not know of newer ones.
            if (share && share->sequence > mySequence)
                return conflict(k, journal);
            continue;
        }
        if (!share)
            return problem("UsageUnreadable",
                           QStringLiteral("the shared limit usage of journal %2 in %1 cannot be read (another Vigil version?): "
                                          "no buy until it is published again or removed (redis-cli HDEL %1 '%2')").arg(k, journal));
        out.append(*share);
    }
    return out;
}

} // namespace Vigil
