// SPDX-License-Identifier: GPL-3.0-or-later
#include "stopmessage.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

namespace Vigil {

QString StopMessage::standingReason() const
{
    const QString who = origin.instanceId.isEmpty() ? QStringLiteral("an unknown instance")
                                                    : QStringLiteral("instance ") + origin.instanceId;
    const QString when = timeMs > 0
        ? QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"))
        : QStringLiteral("an unknown time");
    return QStringLiteral("emergency stop by %1 at %2, still in force: re-arm to trade").arg(who, when);
}

QByteArray StopMessage::toPayload() const
{
    QJsonObject o { { QStringLiteral("type"), kind == Kind::Rearm ? QStringLiteral("rearm_all") : QStringLiteral("stop_all") },
        { QStringLiteral("id"), id }, { QStringLiteral("origin"), origin.toJson() }, { QStringLiteral("reason"), reason },
        { QStringLiteral("time_ms"), timeMs } };
    if (!account.isEmpty())
        o.insert(QStringLiteral("account"), account);
    if (!loginId.isEmpty())
        o.insert(QStringLiteral("login"), loginId);
    if (kind == Kind::Rearm)
        o.insert(QStringLiteral("rearms"), rearms);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

StopMessage StopMessage::fromPayload(const QByteArray &payload)
{
    StopMessage m;
    QJsonParseError err {};
    const QJsonDocument doc = QJsonDocument::fromJson(payload, &err);
    const QJsonObject o = doc.object();
    const QString type = o.value(QStringLiteral("type")).toString();
    if (err.error != QJsonParseError::NoError || !doc.isObject()
        || (type != QStringLiteral("stop_all") && type != QStringLiteral("rearm_all"))
        || !o.value(QStringLiteral("reason")).isString()) {
        m.malformed = true;
        m.reason = QStringLiteral("unreadable message on the stop channel (treated as a stop): ")
            + QString::fromUtf8(payload.left(120));
        return m;
    }
    m.kind = type == QStringLiteral("rearm_all") ? Kind::Rearm : Kind::Stop;
    m.id = o.value(QStringLiteral("id")).toString();
    m.origin = InstanceIdentity::fromJson(o.value(QStringLiteral("origin")).toObject());
    m.reason = o.value(QStringLiteral("reason")).toString();
    m.timeMs = o.value(QStringLiteral("time_ms")).toInteger();
    m.account = o.value(QStringLiteral("account")).toString();
    m.loginId = o.value(QStringLiteral("login")).toString();
    m.rearms = o.value(QStringLiteral("rearms")).toString();
    return m;
}

} // namespace Vigil
