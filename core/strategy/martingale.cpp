// SPDX-License-Identifier: GPL-3.0-or-later
#include "martingale.h"

namespace Vigil {

Martingale::Martingale(Money base, Multiplier multiplier, int maxSteps)
    : m_base(base), m_multiplier(multiplier), m_maxSteps(maxSteps), m_stake(base)
{
    Q_ASSERT(base.minor() > 0);
    Q_ASSERT(multiplier >= Multiplier::integer(1));
    Q_ASSERT(maxSteps >= 0);
}

Money Martingale::nextStake() const
{
    return m_stake;
}

void Martingale::onResult(const ClosedContract &contract)
{
    switch (contract.outcome) {
    case ContractOutcome::Won:
        reset();
        break;
    case ContractOutcome::Lost:
        if (m_maxSteps > 0 && m_step >= m_maxSteps) {
            reset();
        } else {
            ++m_step;
            m_stake = m_multiplier.apply(m_stake);
        }
        break;
    case ContractOutcome::Refunded:
        break;
    }
}

void Martingale::reset()
{
    m_step = 0;
    m_stake = m_base;
}

QString Martingale::name() const
{
    return QStringLiteral("martingale");
}

QString Martingale::describe() const
{
    QString s = QStringLiteral("Martingale ×") + m_multiplier.toString();
    if (m_maxSteps > 0)
        s += QStringLiteral(", max %1 steps").arg(m_maxSteps);
    return s + QStringLiteral(", base ") + m_base.toString();
}

} // namespace Vigil
