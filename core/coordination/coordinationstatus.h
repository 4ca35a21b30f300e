// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaType>
#include <QString>

#include "health/error.h"

namespace Vigil {

enum class CoordinationBackendKind { Memory, File, Redis };

QString coordinationBackendName(CoordinationBackendKind kind);

// What the status bar shows about coordination. A value type; crosses threads freely.
// up == false means no buy can pass (no lease can be acquired or renewed); sells are unaffected.
struct CoordinationStatus
{
    CoordinationBackendKind backend = CoordinationBackendKind::Memory;
    bool up = true;
    Error lastError; // the last failure; kept after recovery so the log view can show what happened
    qint64 changedAtMs = 0; // wall clock of the last up/down change

    QString describe() const; // "redis: up" / "redis: down (CoordinationUnavailable: ...)"
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::CoordinationStatus)
