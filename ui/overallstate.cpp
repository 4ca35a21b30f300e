// SPDX-License-Identifier: GPL-3.0-or-later
#include "overallstate.h"

#include "engine/accountsnapshot.h"

namespace Vigil {

OverallState overallState(const QList<AccountSnapshot> &accounts, bool globalHalted)
{
    bool halted = globalHalted;
    bool trading = false;
    for (const AccountSnapshot &a : accounts) {
        if (a.connection == AccountSnapshot::Connection::Down || a.unresolvedTrades > 0)
            return OverallState::Error;
        if (a.gate == QLatin1String("halted") || a.breaker == QLatin1String("open"))
            halted = true;
        for (const BotSnapshot &b : a.bots) {
            if (b.state == BotState::Failed || (b.state == BotState::Halted && b.reason.halt == HaltReason::TokenRevoked))
                return OverallState::Error;
            if (b.state == BotState::Halted)
                halted = true;
            if (b.state == BotState::Running)
                trading = true;
        }
    }
    if (halted)
        return OverallState::Halted;
    return trading ? OverallState::Trading : OverallState::Idle;
}

QString overallStateText(OverallState state)
{
    switch (state) {
    case OverallState::Idle: return QStringLiteral("idle");
    case OverallState::Trading: return QStringLiteral("trading");
    case OverallState::Halted: return QStringLiteral("halted");
    case OverallState::Error: return QStringLiteral("error");
    }
    return QString();
}

} // namespace Vigil
