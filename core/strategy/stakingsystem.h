// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include "money/money.h"
#include "strategy/closedcontract.h"

namespace Vigil {

// HOW MUCH to stake: a money-management progression, independent of WHEN and WHAT to trade.
//
// nextStake() is what the progression asks for, already rounded to the currency's minor unit and never
// below the base stake. It is NOT capped: the Strategy compares it with its max stake and halts the bot
// instead of trading a different amount (see Strategy). Refunded contracts leave every progression as it
// was. Implementations are plain single-threaded values: one per bot, used on the bot's thread.
class StakingSystem
{
public:
    virtual ~StakingSystem() = default;

    virtual Money nextStake() const = 0;
    virtual void onResult(const ClosedContract &contract) = 0;
    // Back to the start of the progression (base stake).
    virtual void reset() = 0;

    // Stable identifier as used in strategy params ("martingale").
    virtual QString name() const = 0;
    // One line for people: "Martingale ×2, max 6 steps, base 1.00".
    virtual QString describe() const = 0;

protected:
    StakingSystem() = default;
    StakingSystem(const StakingSystem &) = default;
    StakingSystem &operator=(const StakingSystem &) = default;
};

} // namespace Vigil
