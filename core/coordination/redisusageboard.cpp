// SPDX-License-Identifier: GPL-3.0-or-later
#include "redisusageboard.h"

namespace Vigil {

namespace {

constexpr qint64 KeepMs = 7 * 86'400'000LL;

// KEYS: the account's usage hash, its contracts hash. ARGV: journal field, share JSON, sequence, keep ms, then the
// contracts this journal bought since its last publish (recorded as its own whatever happens to the share).
// Replaces the journal's field unless it holds a newer sequence; 1 = written, 0 = a newer one was there.
// A field that cannot be read is replaced (its owner publishes again).
const RedisConnection::Script &publishScript()
{
    static const auto s = RedisConnection::Script::make(QByteArrayLiteral(R"lua(
if #ARGV > 4 then
  for i = 5, #ARGV do
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[1])
  end
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
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

// KEYS: the account's contracts hash. ARGV: contract id, journal, keep ms. 1 = this journal's (now or already).
const RedisConnection::Script &claimScript()
{
    static const auto s = RedisConnection::Script::make(QByteArrayLiteral(R"lua(
local holder = redis.call('HGET', KEYS[1], ARGV[1])
if not holder then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
elseif holder ~= ARGV[2] then
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
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

Result<bool> RedisUsageBoard::publish(const QString &loginId, const UsageShare &mine, const QList<qint64> &boughtContracts)
{
    QByteArrayList args{m_journal.toUtf8(), mine.toJson(), QByteArray::number(mine.sequence), QByteArray::number(KeepMs)};
    for (qint64 id : boughtContracts)
        args << QByteArray::number(id);
    auto r = m_conn.eval(publishScript(), {key(loginId).toUtf8(), contractsKey(loginId).toUtf8()}, args);
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

QString RedisUsageBoard::contractsKey(const QString &loginId)
{
    return QStringLiteral("vigil:contracts:") + loginId;
}

Result<bool> RedisUsageBoard::claimContract(const QString &loginId, qint64 contractId)
{
    auto r = m_conn.eval(claimScript(), {contractsKey(loginId).toUtf8()},
                         {QByteArray::number(contractId), m_journal.toUtf8(), QByteArray::number(KeepMs)});
    if (!r)
        return r.error();
    return r->integer == 1;
}

Result<RedisUsageBoard::Foreign> RedisUsageBoard::foreign(const QString &loginId, const QList<qint64> &contractIds)
{
    Foreign out;
    const QString k = key(loginId);
    auto shares = m_conn.command({QByteArrayLiteral("HGETALL"), k.toUtf8()});
    if (!shares)
        return shares.error();
    if (shares->type != RedisReply::Type::Array || shares->elements.size() % 2 != 0)
        return problem("UsageUnreadable", QStringLiteral("the shared limit usage in %1 is not a hash").arg(k));
    for (qsizetype i = 0; i + 1 < shares->elements.size(); i += 2) {
        const QString journal = QString::fromUtf8(shares->elements.at(i).bytes());
        if (journal == m_journal)
            continue;
        const std::optional<UsageShare> share = UsageShare::fromJson(shares->elements.at(i + 1).bytes(), journal);
        if (!share)
            return problem("UsageUnreadable",
                           QStringLiteral("the shared limit usage of journal %2 in %1 cannot be read").arg(k, journal));
        out.unresolvedBuys.append(share->unresolvedBuys);
        out.unresolvedTold = out.unresolvedTold && share->unresolvedTold;
    }
    if (contractIds.isEmpty())
        return out;
    QList<QByteArray> args{QByteArrayLiteral("HMGET"), contractsKey(loginId).toUtf8()};
    for (qint64 id : contractIds)
        args << QByteArray::number(id);
    auto holders = m_conn.command(args);
    if (!holders)
        return holders.error();
    if (holders->type != RedisReply::Type::Array || holders->elements.size() != contractIds.size())
        return problem("UsageUnreadable", QStringLiteral("%1 is not a hash").arg(contractsKey(loginId)));
    for (qsizetype i = 0; i < contractIds.size(); ++i) {
        const RedisReply &holder = holders->elements.at(i);
        if (holder.type == RedisReply::Type::Nil)
            continue;
        if (QString::fromUtf8(holder.bytes()) != m_journal)
            out.contracts.insert(contractIds.at(i));
    }
    return out;
}

} // namespace Vigil
