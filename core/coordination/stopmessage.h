// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>

#include "coordination/instanceidentity.h"

namespace Vigil {

// "Emergency stop everything" or "re-arm everything", as sent on the stop channel, stored in Redis as the stop
// still in force, and kept in the local stop file (StandingStops). A value type.
struct StopMessage
{
    enum class Kind : quint8 {
        Stop,  // "stop_all" (or, in the local file only, a stop of one account)
        Rearm, // "rearm_all": trading may resume; the stop in force is lifted
    };

    Kind kind = Kind::Stop;
    QString id; // random, lets a receiver drop a duplicate (live + replayed copy)
    InstanceIdentity origin; // who pressed stop (or re-armed)
    QString reason;
    qint64 timeMs = 0; // wall clock at the origin
    bool malformed = false; // the payload could not be read; it is still a stop
    // Local stop file only (never published): the account stopped (empty = all) and its login id, when known.
    QString account;
    QString loginId;
    // A re-arm: the id of the stop it lifts (empty: it knew of none).
    QString rearms;

    bool isStop() const { return kind == Kind::Stop; }
    // "emergency stop by instance X at 2024-05-01 10:00:00 UTC, still in force: re-arm to trade"
    QString standingReason() const;

    QByteArray toPayload() const;
    // Never fails: a payload that is neither a valid stop nor a valid re-arm gives a stop with malformed = true and
    // a reason saying so.
    static StopMessage fromPayload(const QByteArray &payload);
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::StopMessage)
