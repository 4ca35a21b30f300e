// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>

namespace Vigil {

// Who a running Vigil is: shown to other instances as the holder of a lock and in the instance registry.
// A value type; crosses threads freely.
struct InstanceIdentity
{
    QString instanceId; // stable per installation (kept in settings), unique across machines
    QString host; // QSysInfo::machineHostName()
    qint64 pid = 0;
    QString app; // QCoreApplication::applicationName()
    QString version;

    // This process: host, pid, application name and Vigil's version filled in.
    static InstanceIdentity current(const QString &instanceId);
    // A fresh random instance id (UUID without braces) for a first run.
    static QString newInstanceId();

    QString describe() const; // "instance <id> (app pid <pid> on <host>)"
    QJsonObject toJson() const;
    static InstanceIdentity fromJson(const QJsonObject &object);
    bool operator==(const InstanceIdentity &other) const = default;
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::InstanceIdentity)
