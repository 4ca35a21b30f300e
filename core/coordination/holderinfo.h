// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QMetaType>

#include "coordination/instanceidentity.h"

namespace Vigil {

// Who holds a lock, as far as the backend can tell (for "locked by ..." messages and the status bar).
// The lock's token is never part of it: the token is the holder's capability, not public information.
struct HolderInfo
{
    InstanceIdentity instance;
    qint64 sinceMs = 0; // wall clock (ms since epoch) when the holder took the lock, as the holder saw it
    qint64 fence = 0; // the fencing token the holder got, 0 when unknown

    QString describe() const;
    QJsonObject toJson() const;
    static HolderInfo fromJson(const QJsonObject &object);
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::HolderInfo)
