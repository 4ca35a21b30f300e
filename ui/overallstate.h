// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>

namespace Vigil {

struct AccountSnapshot;

// What the tray icon and the window title say about everything at once.
enum class OverallState {
    Idle,    // nothing trading, nothing wrong
    Trading, // at least one bot running, nothing halted or failing
    Halted,  // the global gate or an account/bot is halted (emergency stop, limit, breaker...)
    Error,   // a connection is down, a token revoked, a bot failed, or trades are unresolved
};

// The worst state wins: Error > Halted > Trading > Idle.
OverallState overallState(const QList<AccountSnapshot> &accounts, bool globalHalted);
QString overallStateText(OverallState state);

} // namespace Vigil
