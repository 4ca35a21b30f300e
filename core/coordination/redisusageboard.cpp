// SPDX-License-Identifier: GPL-3.0-or-later
#include "redisusageboard.h"

namespace Vigil {

namespace {

constexpr qint64 KeepMs = 2 * 86'400'000LL;

// KEYS: the account's hash for the day. ARGV: journal id, share JSON, sequence, keep ms.
// Replaces the journal's field unless it holds a newer sequence; 1 = written, 0 = a newer one was there.
const RedisConnection::Script &publishScript()
{
    static const auto s = RedisConnection::Script::make(QByteArrayLiteral(R"lua(
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then
  local ok, decoded = pcall(cjson.decode, old)
  if ok and type(decoded) == 'table' and tonumber(decoded['sequence'] or '0') > tonumber(ARGV[3]) then
    return 0
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
)lua"));
    return s;
}

Error unreadable(const QString &key, const QString &what)
{
    return Error::make(ErrorKind::Coordination, QStringLiteral("UsageUnreadable"),
                       QStringLiteral("the shared limit usage in %1 cannot be read (%2): no buy until it can").arg(key, what));
}

} // namespace

RedisUsageBoard::RedisUsageBoard(RedisConfig config, QString journalId)
    : m_conn(std::move(config), QByteArrayLiteral("vigil-usage")), m_journalId(std::move(journalId))
{
}

QString RedisUsageBoard::key(const QString &loginId, const QDate &day)
{
    return QStringLiteral("vigil:usage:%1:%2").arg(loginId, day.toString(Qt::ISODate));
}

Result<void> RedisUsageBoard::publish(const QString &loginId, const QDate &day, const UsageShare &mine)
{
    auto r = m_conn.eval(publishScript(), {key(loginId, day).toUtf8()},
                         {m_journalId.toUtf8(), mine.toJson(), QByteArray::number(mine.sequence), QByteArray::number(KeepMs)});
    if (!r)
        return r.error();
    return {};
}

Result<QList<UsageShare>> RedisUsageBoard::others(const QString &loginId, const QDate &day)
{
    const QString k = key(loginId, day);
    auto r = m_conn.command({QByteArrayLiteral("HGETALL"), k.toUtf8()});
    if (!r)
        return r.error();
    if (r->type != RedisReply::Type::Array || r->elements.size() % 2 != 0)
        return unreadable(k, QStringLiteral("not a hash"));
    QList<UsageShare> out;
    for (qsizetype i = 0; i + 1 < r->elements.size(); i += 2) {
        const QString journal = QString::fromUtf8(r->elements.at(i).bytes());
        if (journal == m_journalId)
            continue; // this journal's own rows are read from the journal itself, which is never older
        std::optional<UsageShare> share = UsageShare::fromJson(r->elements.at(i + 1).bytes(), journal);
        if (!share)
            return unreadable(k, QStringLiteral("field %1").arg(journal));
        out.append(*share);
    }
    return out;
}

} // namespace Vigil
