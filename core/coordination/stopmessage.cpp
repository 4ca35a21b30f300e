// SPDX-License-Identifier: GPL-3.0-or-later
#include "stopmessage.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Vigil {

QByteArray StopMessage::toPayload() const
{
    const QJsonObject o { { QStringLiteral("type"), QStringLiteral("stop_all") }, { QStringLiteral("id"), id },
        { QStringLiteral("origin"), origin.toJson() }, { QStringLiteral("reason"), reason },
        { QStringLiteral("time_ms"), timeMs } };
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

StopMessage StopMessage::fromPayload(const QByteArray &payload)
{
    StopMessage m;
    QJsonParseError err {};
    const QJsonDocument doc = QJsonDocument::fromJson(payload, &err);
    const QJsonObject o = doc.object();
    if (err.error != QJsonParseError::NoError || !doc.isObject()
        || o.value(QStringLiteral("type")).toString() != QStringLiteral("stop_all")
        || !o.value(QStringLiteral("reason")).isString()) {
        m.malformed = true;
        m.reason = QStringLiteral("unreadable message on the stop channel (treated as a stop): ")
            + QString::fromUtf8(payload.left(120));
        return m;
    }
    m.id = o.value(QStringLiteral("id")).toString();
    m.origin = InstanceIdentity::fromJson(o.value(QStringLiteral("origin")).toObject());
    m.reason = o.value(QStringLiteral("reason")).toString();
    m.timeMs = o.value(QStringLiteral("time_ms")).toInteger();
    return m;
}

} // namespace Vigil
