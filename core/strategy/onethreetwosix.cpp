// SPDX-License-Identifier: GPL-3.0-or-later
#include "onethreetwosix.h"

#include <array>

namespace Vigil {

namespace {
constexpr std::array<qint64, 4> s_units{1, 3, 2, 6};
} // namespace

OneThreeTwoSix::OneThreeTwoSix(Money unit) : m_unit(unit)
{
    Q_ASSERT(unit.minor() > 0);
}

Money OneThreeTwoSix::nextStake() const
{
    return m_unit * s_units[std::size_t(m_position)];
}

void OneThreeTwoSix::onResult(const ClosedContract &contract)
{
    switch (contract.outcome) {
    case ContractOutcome::Won:
        m_position = (m_position + 1) % int(s_units.size());
        break;
    case ContractOutcome::Lost:
        reset();
        break;
    case ContractOutcome::Refunded:
        break;
    }
}

void OneThreeTwoSix::reset()
{
    m_position = 0;
}

QString OneThreeTwoSix::name() const
{
    return QStringLiteral("one_three_two_six");
}

QString OneThreeTwoSix::describe() const
{
    return QStringLiteral("1-3-2-6, unit ") + m_unit.toString();
}

} // namespace Vigil
