// SPDX-License-Identifier: GPL-3.0-or-later
#include "lockkey.h"

#include "coordination/coordinationerror.h"

namespace Vigil {

namespace {
constexpr QLatin1StringView LockPrefix { "vigil:lock:" };
constexpr QLatin1StringView AccountPrefix { "vigil:lock:account:" };
constexpr qsizetype MaxRest = 200;

QString rest(const QString &key)
{
    return key.mid(LockPrefix.size());
}
} // namespace

QString LockKey::account(const QString &loginId)
{
    return AccountPrefix + loginId;
}

QString LockKey::bot(const QString &botId)
{
    return LockPrefix + QStringLiteral("bot:") + botId;
}

QString LockKey::botRun(const QString &loginId, const QString &botId)
{
    return LockPrefix + QStringLiteral("run:") + loginId + u':' + botId;
}

Result<void> LockKey::validate(const QString &key)
{
    auto invalid = [](const QString &why) {
        return Error::make(ErrorKind::InvalidInput, CoordinationError::InvalidKey, QStringLiteral("lock key ") + why);
    };
    if (!key.startsWith(LockPrefix))
        return invalid(QStringLiteral("must start with \"vigil:lock:\""));
    const QString r = rest(key);
    if (r.isEmpty() || r.endsWith(u':'))
        return invalid(QStringLiteral("has no name after its prefix"));
    if (r.size() > MaxRest)
        return invalid(QStringLiteral("is longer than 200 characters after its prefix"));
    if (key.startsWith(AccountPrefix) && key.mid(AccountPrefix.size()).contains(u':'))
        return invalid(QStringLiteral("names an account with ':' in its login id"));
    for (QChar c : r) {
        if (c.isSpace() || c.category() == QChar::Other_Control)
            return invalid(QStringLiteral("contains whitespace or a control character"));
    }
    return {};
}

QString LockKey::fenceCounter(const QString &key)
{
    if (key.startsWith(AccountPrefix))
        return QStringLiteral("vigil:fence:") + key.mid(AccountPrefix.size());
    return QStringLiteral("vigil:fence:") + rest(key);
}

QString LockKey::holderRecord(const QString &key)
{
    return QStringLiteral("vigil:holder:") + rest(key);
}

QString LockKey::accountOf(const QString &key)
{
    return key.startsWith(AccountPrefix) ? key.mid(AccountPrefix.size()) : QString();
}

} // namespace Vigil
