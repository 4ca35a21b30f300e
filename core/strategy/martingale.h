// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "strategy/multiplier.h"
#include "strategy/stakingsystem.h"

namespace Vigil {

// Martingale: after a loss the stake is multiplied (each step rounded to the minor unit, as Deriv's bot
// does), after a win it returns to the base stake.
//
// maxSteps (0 = unlimited) bounds the progression: the largest stake is base × m^maxSteps; a further
// loss accepts the series as lost and starts over from the base stake. The max-stake cap of the Strategy is
// the other bound, and that one halts the bot.
class Martingale final : public StakingSystem
{
public:
    // multiplier >= 1 (the factory refuses less); base > 0.
    Martingale(Money base, Multiplier multiplier, int maxSteps = 0);

    Money nextStake() const override;
    void onResult(const ClosedContract &contract) override;
    void reset() override;
    QString name() const override;
    QString describe() const override;

    int step() const { return m_step; } // consecutive losses in the current series

private:
    Money m_base;
    Multiplier m_multiplier;
    int m_maxSteps;
    int m_step = 0;
    Money m_stake;
};

} // namespace Vigil
