// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "strategy/stakingsystem.h"

namespace Vigil {

// 1-3-2-6: stakes of 1, 3, 2 and 6 units on consecutive wins; a loss, or the win of the 6-unit stake,
// starts over at 1 unit.
class OneThreeTwoSix final : public StakingSystem
{
public:
    explicit OneThreeTwoSix(Money unit);

    Money nextStake() const override;
    void onResult(const ClosedContract &contract) override;
    void reset() override;
    QString name() const override;
    QString describe() const override;

    int position() const { return m_position; } // 0..3 into the 1,3,2,6 sequence

private:
    Money m_unit;
    int m_position = 0;
};

} // namespace Vigil
