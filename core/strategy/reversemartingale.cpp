// SPDX-License-Identifier: GPL-3.0-or-later
#include "reversemartingale.h"

namespace Vigil {

ReverseMartingale::ReverseMartingale(Money base, Multiplier multiplier, int maxWins)
    : m_base(base), m_multiplier(multiplier), m_maxWins(maxWins), m_stake(base)
{
    Q_ASSERT(base.minor() > 0);
    Q_ASSERT(multiplier >= Multiplier::integer(1));
    Q_ASSERT(maxWins >= 1);
}

Money ReverseMartingale::nextStake() const
{
    return m_stake;
}

void ReverseMartingale::onResult(const ClosedContract &contract)
{
    switch (contract.outcome) {
    case ContractOutcome::Won:
        ++m_wins;
        if (m_wins >= m_maxWins)
            reset();
        else
            m_stake = m_multiplier.apply(m_stake);
        break;
    case ContractOutcome::Lost:
        reset();
        break;
    case ContractOutcome::Refunded:
        break;
    }
}

void ReverseMartingale::reset()
{
    m_wins = 0;
    m_stake = m_base;
}

QString ReverseMartingale::name() const
{
    return QStringLiteral("reverse_martingale");
}

QString ReverseMartingale::describe() const
{
    return QStringLiteral("Reverse Martingale ×") + m_multiplier.toString()
        + QStringLiteral(", bank after %1 wins, base ").arg(m_maxWins) + m_base.toString();
}

} // namespace Vigil
