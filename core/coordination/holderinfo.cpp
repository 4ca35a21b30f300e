// SPDX-License-Identifier: GPL-3.0-or-later
#include "holderinfo.h"

#include <QDateTime>

namespace Vigil {

QString HolderInfo::describe() const
{
    QString s = instance.describe();
    if (sinceMs > 0)
        s += QStringLiteral(" since ") + QDateTime::fromMSecsSinceEpoch(sinceMs, Qt::UTC).toString(Qt::ISODateWithMs);
    return s;
}

QJsonObject HolderInfo::toJson() const
{
    QJsonObject o = instance.toJson();
    o.insert(QStringLiteral("since_ms"), sinceMs);
    o.insert(QStringLiteral("fence"), fence);
    return o;
}

HolderInfo HolderInfo::fromJson(const QJsonObject &object)
{
    HolderInfo h;
    h.instance = InstanceIdentity::fromJson(object);
    h.sinceMs = object.value(QStringLiteral("since_ms")).toInteger();
    h.fence = object.value(QStringLiteral("fence")).toInteger();
    return h;
}

} // namespace Vigil
