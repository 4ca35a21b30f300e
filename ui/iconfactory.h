// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QIcon>

#include "engine/botstate.h"
#include "ui/overallstate.h"

namespace Vigil {

// The console's icons. Each is an SVG in resources/icons (vigil.qrc); where Qt has no SVG image plugin
// (Debian: libqt6svg6), the same simple shapes are painted instead, so the console never shows blanks.
// GUI thread only; icons are cached.
class IconFactory
{
public:
    enum class Action { Start, Pause, Stop, Add, Edit, Remove, Reconcile, Settings, EmergencyStop, Rearm, Log };

    static QIcon app();
    static QIcon overall(OverallState state);
    static QIcon botState(BotState state);
    static QIcon action(Action action);
    static bool svgSupported();
};

} // namespace Vigil
