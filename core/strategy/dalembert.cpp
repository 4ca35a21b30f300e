// SPDX-License-Identifier: GPL-3.0-or-later
#include "dalembert.h"

namespace Vigil {

DAlembert::DAlembert(Money base, Money unit) : m_base(base), m_unit(unit)
{
    Q_ASSERT(base.minor() > 0);
    Q_ASSERT(unit.minor() > 0);
}

Money DAlembert::nextStake() const
{
    return m_base + m_unit * m_level;
}

void DAlembert::onResult(const ClosedContract &contract)
{
    switch (contract.outcome) {
    case ContractOutcome::Won:
        if (m_level > 0)
            --m_level;
        break;
    case ContractOutcome::Lost:
        // The level only grows one per loss; a cap far below overflow stops the bot long before this.
        if (m_level < 1'000'000)
            ++m_level;
        break;
    case ContractOutcome::Refunded:
        break;
    }
}

void DAlembert::reset()
{
    m_level = 0;
}

QString DAlembert::name() const
{
    return QStringLiteral("dalembert");
}

QString DAlembert::describe() const
{
    return QStringLiteral("D'Alembert, unit ") + m_unit.toString() + QStringLiteral(", base ") + m_base.toString();
}

} // namespace Vigil
