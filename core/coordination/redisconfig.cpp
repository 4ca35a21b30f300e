// SPDX-License-Identifier: GPL-3.0-or-later
#include "redisconfig.h"

#include <QUrl>

#include "health/redactor.h"

namespace Vigil {

namespace {
Error invalid(const QString &why)
{
    return Error::make(ErrorKind::InvalidInput, QStringLiteral("InvalidRedisUrl"), QStringLiteral("Redis URL: ") + why);
}
} // namespace

Result<RedisConfig> RedisConfig::fromUrl(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return invalid(QStringLiteral("empty"));
    const qsizetype schemeEnd = trimmed.indexOf(QStringLiteral("://"));
    if (schemeEnd < 0)
        return invalid(QStringLiteral("must start with redis://"));
    const QString scheme = trimmed.left(schemeEnd).toLower();
    if (scheme == QStringLiteral("rediss"))
        return invalid(QStringLiteral("rediss:// (TLS) is not supported; use redis:// through a tunnel"));
    if (scheme != QStringLiteral("redis"))
        return invalid(QStringLiteral("scheme must be redis://"));

    // Pick the user-info apart by hand before QUrl sees it: QUrl's error strings quote the input (password).
    QString rest = trimmed.mid(schemeEnd + 3);
    RedisConfig cfg;
    const qsizetype at = rest.lastIndexOf(u'@');
    if (at >= 0) {
        const QString userInfo = rest.left(at);
        rest = rest.mid(at + 1);
        const qsizetype colon = userInfo.indexOf(u':');
        const QString rawUser = colon < 0 ? QString() : userInfo.left(colon);
        const QString rawPassword = colon < 0 ? userInfo : userInfo.mid(colon + 1);
        cfg.username = QUrl::fromPercentEncoding(rawUser.toUtf8());
        cfg.password = QUrl::fromPercentEncoding(rawPassword.toUtf8());
        if (cfg.password.isEmpty())
            return invalid(QStringLiteral("has '@' but an empty password"));
        Redactor::registerSecret(cfg.password);
        if (rawPassword != cfg.password)
            Redactor::registerSecret(rawPassword);
    }

    const qsizetype slash = rest.indexOf(u'/');
    QString hostPort = slash < 0 ? rest : rest.left(slash);
    const QString path = slash < 0 ? QString() : rest.mid(slash + 1);
    if (rest.contains(u'?') || rest.contains(u'#'))
        return invalid(QStringLiteral("query strings and fragments are not supported"));

    QString portText;
    if (hostPort.startsWith(u'[')) {
        const qsizetype close = hostPort.indexOf(u']');
        if (close < 0)
            return invalid(QStringLiteral("unterminated [IPv6] host"));
        cfg.host = hostPort.mid(1, close - 1);
        const QString after = hostPort.mid(close + 1);
        if (!after.isEmpty()) {
            if (!after.startsWith(u':'))
                return invalid(QStringLiteral("unexpected text after the [IPv6] host"));
            portText = after.mid(1);
            if (portText.isEmpty())
                return invalid(QStringLiteral("empty port"));
        }
    } else {
        const qsizetype colon = hostPort.lastIndexOf(u':');
        cfg.host = colon < 0 ? hostPort : hostPort.left(colon);
        if (colon >= 0) {
            portText = hostPort.mid(colon + 1);
            if (portText.isEmpty())
                return invalid(QStringLiteral("empty port"));
        }
    }
    if (cfg.host.isEmpty())
        return invalid(QStringLiteral("no host"));
    for (QChar c : std::as_const(cfg.host)) {
        if (!(c.isLetterOrNumber() || c == u'.' || c == u'-' || c == u':' || c == u'_'))
            return invalid(QStringLiteral("host contains an invalid character"));
    }
    if (!portText.isEmpty()) {
        bool ok = false;
        const uint port = portText.toUInt(&ok);
        if (!ok || port == 0 || port > 65535)
            return invalid(QStringLiteral("port must be a number from 1 to 65535"));
        cfg.port = static_cast<quint16>(port);
    }
    if (!path.isEmpty()) {
        bool ok = false;
        const int db = path.toInt(&ok);
        if (!ok || db < 0 || db > 15'000)
            return invalid(QStringLiteral("database must be a non-negative number after '/'"));
        cfg.db = db;
    }
    return cfg;
}

QString RedisConfig::redactedUrl() const
{
    QString s = QStringLiteral("redis://");
    if (!password.isEmpty())
        s += QString::fromUtf8(QUrl::toPercentEncoding(username)) + u':' + Redactor::Mask + u'@';
    s += endpoint();
    if (db != 0)
        s += u'/' + QString::number(db);
    return s;
}

QString RedisConfig::endpoint() const
{
    const QString h = host.contains(u':') ? u'[' + host + u']' : host;
    return h + u':' + QString::number(port);
}

} // namespace Vigil
