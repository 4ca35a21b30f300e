// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "strategy/stakingsystem.h"

namespace Vigil {

// The same stake every time.
class FlatStake final : public StakingSystem
{
public:
    explicit FlatStake(Money stake);

    Money nextStake() const override;
    void onResult(const ClosedContract &contract) override;
    void reset() override;
    QString name() const override;
    QString describe() const override;

private:
    Money m_stake;
};

} // namespace Vigil
