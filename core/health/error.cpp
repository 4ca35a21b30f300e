// SPDX-License-Identifier: GPL-3.0-or-later
#include "error.h"

namespace Vigil {

QString errorKindName(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::Broker: return QStringLiteral("broker");
    case ErrorKind::OutcomeUnknown: return QStringLiteral("outcome_unknown");
    case ErrorKind::NotSent: return QStringLiteral("not_sent");
    case ErrorKind::Timeout: return QStringLiteral("timeout");
    case ErrorKind::RateLimited: return QStringLiteral("rate_limited");
    case ErrorKind::InvalidInput: return QStringLiteral("invalid_input");
    case ErrorKind::Protocol: return QStringLiteral("protocol");
    case ErrorKind::Storage: return QStringLiteral("storage");
    case ErrorKind::Coordination: return QStringLiteral("coordination");
    case ErrorKind::Configuration: return QStringLiteral("configuration");
    case ErrorKind::Internal: return QStringLiteral("internal");
    case ErrorKind::Cancelled: return QStringLiteral("cancelled");
    }
    return QStringLiteral("unknown");
}

Error Error::make(ErrorKind kind, const QString &code, const QString &message)
{
    Error e;
    e.kind = kind;
    e.code = code;
    e.message = message;
    return e;
}

Error Error::broker(const QString &code, const QString &message, const QJsonObject &details)
{
    Error e = make(ErrorKind::Broker, code, message);
    e.details = details;
    return e;
}

bool Error::is(const char *brokerCode) const
{
    return kind == ErrorKind::Broker && code == QLatin1String(brokerCode);
}

bool Error::isFinalForSession() const
{
    if (kind != ErrorKind::Broker)
        return false;
    return code == QLatin1String("InvalidToken") || code == QLatin1String("DisabledClient")
        || code == QLatin1String("AccountDisabled") || code == QLatin1String("PermissionDenied")
        || code == QLatin1String("InvalidAppID");
}

QString Error::toString() const
{
    QString s = errorKindName(kind);
    if (!code.isEmpty())
        s += u'/' + code;
    s += QStringLiteral(": ") + message;
    if (!msgType.isEmpty())
        s += QStringLiteral(" (") + msgType + QStringLiteral(" req_id ") + QString::number(reqId) + u')';
    return s;
}

QJsonObject Error::toJson() const
{
    QJsonObject o{{QStringLiteral("kind"), errorKindName(kind)},
                  {QStringLiteral("code"), code},
                  {QStringLiteral("message"), message}};
    if (!details.isEmpty())
        o.insert(QStringLiteral("details"), details);
    if (!msgType.isEmpty())
        o.insert(QStringLiteral("msg_type"), msgType);
    if (reqId)
        o.insert(QStringLiteral("req_id"), reqId);
    if (!account.isEmpty())
        o.insert(QStringLiteral("account"), account);
    if (!bot.isEmpty())
        o.insert(QStringLiteral("bot"), bot);
    return o;
}

} // namespace Vigil
