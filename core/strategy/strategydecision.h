// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <utility>

#include "health/error.h"
#include "strategy/tradeintent.h"

namespace Vigil {

// What a Strategy answers to a tick.
//   Wait  – nothing to do.
//   Trade – buy `trade` now. The strategy now counts itself busy until the engine reports
//           onContractClosed() or onTradeAborted().
//   Halt  – the bot must stop trading: `error` says why (code "StrategyMaxStakeExceeded" when the
//           progression asks for more than the max stake). Nothing was bought; re-arming calls reset().
struct StrategyDecision
{
    enum class Action { Wait, Trade, Halt };

    Action action = Action::Wait;
    TradeIntent trade;
    Error error;

    static StrategyDecision wait() { return {}; }
    static StrategyDecision buy(TradeIntent intent) { return {Action::Trade, std::move(intent), {}}; }
    static StrategyDecision halt(Error why) { return {Action::Halt, {}, std::move(why)}; }

    bool isWait() const { return action == Action::Wait; }
    bool isTrade() const { return action == Action::Trade; }
    bool isHalt() const { return action == Action::Halt; }
};

} // namespace Vigil
