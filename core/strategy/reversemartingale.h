// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "strategy/multiplier.h"
#include "strategy/stakingsystem.h"

namespace Vigil {

// Reverse Martingale (Paroli): after a win the stake is multiplied (rounded to the minor unit each step),
// after a loss it returns to the base stake; after maxWins consecutive wins the run is banked and the
// stake returns to the base too.
class ReverseMartingale final : public StakingSystem
{
public:
    // multiplier >= 1, maxWins >= 1 (the factory defaults to 3).
    ReverseMartingale(Money base, Multiplier multiplier, int maxWins);

    Money nextStake() const override;
    void onResult(const ClosedContract &contract) override;
    void reset() override;
    QString name() const override;
    QString describe() const override;

    int wins() const { return m_wins; }

private:
    Money m_base;
    Multiplier m_multiplier;
    int m_maxWins;
    int m_wins = 0;
    Money m_stake;
};

} // namespace Vigil
