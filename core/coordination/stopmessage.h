// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>

#include "coordination/instanceidentity.h"

namespace Vigil {

// "Emergency stop everything", as sent on the stop channel. A value type.
struct StopMessage
{
    QString id; // random, lets a receiver drop a duplicate (live + replayed copy)
    InstanceIdentity origin; // who pressed stop
    QString reason;
    qint64 timeMs = 0; // wall clock at the origin
    bool malformed = false; // the payload could not be read; it is still a stop

    QByteArray toPayload() const;
    // Never fails: a payload that is not a valid stop message gives malformed = true and a reason saying so.
    static StopMessage fromPayload(const QByteArray &payload);
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::StopMessage)
