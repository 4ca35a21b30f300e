// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "strategy/stakingsystem.h"

namespace Vigil {

// D'Alembert: one unit up after a loss, one unit down after a win, never below the base stake.
// stake = base + level × unit.
class DAlembert final : public StakingSystem
{
public:
    // unit > 0 (commonly the base stake itself).
    DAlembert(Money base, Money unit);

    Money nextStake() const override;
    void onResult(const ClosedContract &contract) override;
    void reset() override;
    QString name() const override;
    QString describe() const override;

    int level() const { return m_level; }

private:
    Money m_base;
    Money m_unit;
    int m_level = 0;
};

} // namespace Vigil
