// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "strategy/stakingsystem.h"

namespace Vigil {

// Oscar's Grind: each series aims for a profit of exactly one unit (the base stake).
// - A series starts with a one-unit stake and a series profit of 0.
// - After a loss the stake stays the same.
// - After a win the stake rises by one unit, unless a win at that stake would take the series past its
//   one-unit target: then it is the smallest stake that reaches the target at the payout ratio of the
//   win just seen (profit/stake), never less than one unit.
// - When the series profit reaches +1 unit the series ends and the next starts at one unit.
// Real profits are used, so a 95 % payout is accounted as such (with an even-money payout this is the
// textbook system). Rounding to the minor unit is upward, so a completing bet really completes.
class OscarsGrind final : public StakingSystem
{
public:
    explicit OscarsGrind(Money unit);

    Money nextStake() const override;
    void onResult(const ClosedContract &contract) override;
    void reset() override;
    QString name() const override;
    QString describe() const override;

    Money seriesProfit() const { return m_seriesProfit; }

private:
    Money m_unit;
    Money m_stake;
    Money m_seriesProfit;
};

} // namespace Vigil
