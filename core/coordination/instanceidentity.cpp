// SPDX-License-Identifier: GPL-3.0-or-later
#include "instanceidentity.h"

#include <QCoreApplication>
#include <QSysInfo>
#include <QUuid>

namespace Vigil {

InstanceIdentity InstanceIdentity::current(const QString &instanceId)
{
    InstanceIdentity id;
    id.instanceId = instanceId;
    id.host = QSysInfo::machineHostName();
    id.pid = QCoreApplication::applicationPid();
    id.app = QCoreApplication::applicationName();
    id.version = QStringLiteral(VIGIL_VERSION);
    return id;
}

QString InstanceIdentity::newInstanceId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QString InstanceIdentity::describe() const
{
    return QStringLiteral("instance %1 (%2 pid %3 on %4)")
        .arg(instanceId.isEmpty() ? QStringLiteral("?") : instanceId, app.isEmpty() ? QStringLiteral("?") : app)
        .arg(pid)
        .arg(host.isEmpty() ? QStringLiteral("?") : host);
}

QJsonObject InstanceIdentity::toJson() const
{
    return QJsonObject { { QStringLiteral("instance_id"), instanceId }, { QStringLiteral("host"), host },
        { QStringLiteral("pid"), pid }, { QStringLiteral("app"), app }, { QStringLiteral("version"), version } };
}

InstanceIdentity InstanceIdentity::fromJson(const QJsonObject &object)
{
    InstanceIdentity id;
    id.instanceId = object.value(QStringLiteral("instance_id")).toString();
    id.host = object.value(QStringLiteral("host")).toString();
    id.pid = object.value(QStringLiteral("pid")).toInteger();
    id.app = object.value(QStringLiteral("app")).toString();
    id.version = object.value(QStringLiteral("version")).toString();
    return id;
}

} // namespace Vigil
