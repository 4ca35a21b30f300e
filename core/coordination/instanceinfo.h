// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QStringList>

#include "coordination/instanceidentity.h"

namespace Vigil {

// One running Vigil as the instance registry sees it. A value type.
struct InstanceInfo
{
    InstanceIdentity identity;
    QStringList bots; // ids of the bots it runs
    qint64 startedMs = 0; // wall clock, as that instance saw it
    qint64 lastSeenMs = 0; // wall clock of its last heartbeat, as that instance saw it

    QJsonObject toJson() const;
    static InstanceInfo fromJson(const QJsonObject &object);
    bool operator==(const InstanceInfo &other) const = default;
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::InstanceInfo)
