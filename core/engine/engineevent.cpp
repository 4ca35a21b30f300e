// SPDX-License-Identifier: GPL-3.0-or-later
#include "engineevent.h"

namespace Vigil {

bool EngineEvent::isAlert() const
{
    switch (kind) {
    case Kind::LimitReached:
    case Kind::BreakerOpened:
    case Kind::TokenRevoked:
    case Kind::ReconcileDiscrepancy:
    case Kind::EmergencyStopFinished:
    case Kind::ConnectionDown:
    case Kind::LockLost:
    case Kind::OutcomeUnknown:
        return true;
    default:
        return level == Level::Error;
    }
}

QString EngineEvent::kindName(Kind kind)
{
    switch (kind) {
    case Kind::General: return QStringLiteral("general");
    case Kind::TradeOpened: return QStringLiteral("trade_opened");
    case Kind::TradeClosed: return QStringLiteral("trade_closed");
    case Kind::BuyFailed: return QStringLiteral("buy_failed");
    case Kind::OutcomeUnknown: return QStringLiteral("outcome_unknown");
    case Kind::LimitReached: return QStringLiteral("limit_reached");
    case Kind::BreakerOpened: return QStringLiteral("breaker_opened");
    case Kind::TokenRevoked: return QStringLiteral("token_revoked");
    case Kind::ReconcileDiscrepancy: return QStringLiteral("reconcile_discrepancy");
    case Kind::ReconcileFinished: return QStringLiteral("reconcile_finished");
    case Kind::EmergencyStopFinished: return QStringLiteral("emergency_stop_finished");
    case Kind::ConnectionDown: return QStringLiteral("connection_down");
    case Kind::ConnectionRestored: return QStringLiteral("connection_restored");
    case Kind::LockLost: return QStringLiteral("lock_lost");
    case Kind::BotStateChanged: return QStringLiteral("bot_state_changed");
    }
    return QStringLiteral("general");
}

QString EngineEvent::levelName(Level level)
{
    switch (level) {
    case Level::Info: return QStringLiteral("info");
    case Level::Warning: return QStringLiteral("warning");
    case Level::Error: return QStringLiteral("error");
    }
    return QStringLiteral("info");
}

QJsonObject EngineEvent::toJson() const
{
    return QJsonObject{{QStringLiteral("level"), levelName(level)},
                       {QStringLiteral("kind"), kindName(kind)},
                       {QStringLiteral("account"), account},
                       {QStringLiteral("bot"), bot},
                       {QStringLiteral("message"), message},
                       {QStringLiteral("details"), details},
                       {QStringLiteral("at_ms"), atMs}};
}

} // namespace Vigil
