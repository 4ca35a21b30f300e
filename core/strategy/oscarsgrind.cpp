// SPDX-License-Identifier: GPL-3.0-or-later
#include "oscarsgrind.h"

#include <algorithm>

namespace Vigil {

OscarsGrind::OscarsGrind(Money unit) : m_unit(unit), m_stake(unit), m_seriesProfit(Money::zero(unit.digits()))
{
    Q_ASSERT(unit.minor() > 0);
}

Money OscarsGrind::nextStake() const
{
    return m_stake;
}

void OscarsGrind::onResult(const ClosedContract &contract)
{
    switch (contract.outcome) {
    case ContractOutcome::Lost:
        m_seriesProfit += contract.profit;
        return;
    case ContractOutcome::Refunded:
        return;
    case ContractOutcome::Won:
        break;
    }

    m_seriesProfit += contract.profit;
    const Money target = m_unit;
    if (m_seriesProfit >= target) {
        reset();
        return;
    }

    Money next = m_stake + m_unit;
    const qint64 neededProfit = (target - m_seriesProfit).minor();
    const qint64 winStake = contract.stake.minor();
    const qint64 winProfit = contract.profit.minor();
    qint64 product = 0;
    if (winStake > 0 && winProfit > 0 && !__builtin_mul_overflow(neededProfit, winStake, &product)) {
        // ceil(needed × stake / profit): the stake whose win at this payout ratio reaches the target.
        const qint64 completing = (product + winProfit - 1) / winProfit;
        next = std::min(next, Money::fromMinor(completing, m_unit.digits()));
    }
    m_stake = std::max(next, m_unit);
}

void OscarsGrind::reset()
{
    m_stake = m_unit;
    m_seriesProfit = Money::zero(m_unit.digits());
}

QString OscarsGrind::name() const
{
    return QStringLiteral("oscars_grind");
}

QString OscarsGrind::describe() const
{
    return QStringLiteral("Oscar's Grind, unit ") + m_unit.toString();
}

} // namespace Vigil
