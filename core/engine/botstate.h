// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QMetaType>
#include <QString>

#include "health/error.h"

namespace Vigil {

// The life of a bot. Only Running trades; see BotStateMachine for the allowed transitions.
enum class BotState {
    Stopped,  // not trading, nothing pending
    Starting, // subscribing, taking its lease, restoring state
    Running,  // trading
    Paused,   // by the user: no new buys, open contracts followed
    Stopping, // no new buys, waiting for its open contract / unsubscribing
    Halted,   // stopped by a safety rule (HaltReason); re-armed by a resume (→ Starting)
    Failed,   // an unexpected error; needs a reset (→ Stopped)
};
inline constexpr int BotStateCount = 7;

// Why a bot was halted.
enum class HaltReason {
    None,                    // not a halt
    Limit,                   // a trading limit (trades/day, daily loss, concurrency, max stake) was reached
    CircuitBreaker,          // repeated server faults opened the breaker
    TokenRevoked,            // the account's token is invalid, revoked or lacks a scope
    KillSwitch,              // the emergency stop
    CoordinationUnavailable, // locks/leases cannot be checked (no coordination, no buy)
    Reconciling,             // an outcome is unknown until reconciliation finishes
    LeaseLost,               // another instance holds the bot's lease
    Other,
};

// Stable lower-case names for the journal and logs ("running", "halted"); parse is exact.
QString botStateName(BotState state);
std::optional<BotState> parseBotState(QStringView name);
// Stable names ("limit", "circuit_breaker", "token_revoked", "kill_switch", "coordination_unavailable",
// "reconciling", "lease_lost", "other", "none").
QString haltReasonName(HaltReason reason);
std::optional<HaltReason> parseHaltReason(QStringView name);
// For people: "Trading limit reached".
QString haltReasonText(HaltReason reason);

// Why a transition happened. A value type: travels with stateChanged across threads.
struct StateReason
{
    HaltReason halt = HaltReason::None; // set exactly when the target state is Halted
    QString code;                       // the Error code or limit code ("LimitDailyLoss"), if any
    QString text;                       // free text: the limit named, the error message, "stopped by user"

    static StateReason because(const QString &text);
    static StateReason halted(HaltReason reason, const QString &text, const QString &code = {});
    static StateReason failure(const Error &error);

    // "Trading limit reached: daily loss 20.00 of 20.00 used" / the text alone when not a halt.
    QString toString() const;

    friend bool operator==(const StateReason &, const StateReason &) = default;
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::BotState)
Q_DECLARE_METATYPE(Vigil::HaltReason)
Q_DECLARE_METATYPE(Vigil::StateReason)
