// SPDX-License-Identifier: GPL-3.0-or-later
#include "instanceinfo.h"

#include <QJsonArray>

namespace Vigil {

QJsonObject InstanceInfo::toJson() const
{
    QJsonObject o = identity.toJson();
    o.insert(QStringLiteral("bots"), QJsonArray::fromStringList(bots));
    o.insert(QStringLiteral("started_ms"), startedMs);
    o.insert(QStringLiteral("last_seen_ms"), lastSeenMs);
    return o;
}

InstanceInfo InstanceInfo::fromJson(const QJsonObject &object)
{
    InstanceInfo info;
    info.identity = InstanceIdentity::fromJson(object);
    for (const QJsonValue &b : object.value(QStringLiteral("bots")).toArray())
        info.bots.append(b.toString());
    info.startedMs = object.value(QStringLiteral("started_ms")).toInteger();
    info.lastSeenMs = object.value(QStringLiteral("last_seen_ms")).toInteger();
    return info;
}

} // namespace Vigil
