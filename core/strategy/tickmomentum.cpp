// SPDX-License-Identifier: GPL-3.0-or-later
#include "tickmomentum.h"

namespace Vigil {

TickMomentum::TickMomentum(int moves, ContractType riseType) : m_moves(moves), m_riseType(riseType)
{
    Q_ASSERT(moves >= 1);
    Q_ASSERT(riseType == ContractType::Call || riseType == ContractType::CallE);
}

std::optional<EntryIntent> TickMomentum::onTick(const Tick &tick)
{
    if (m_last && m_last->symbol != tick.symbol)
        reset();
    if (!m_last) {
        m_last = tick;
        return std::nullopt;
    }
    if (tick.epochMs <= m_last->epochMs)
        return std::nullopt;

    const int direction = Tick::compareQuotes(tick, *m_last);
    m_last = tick;
    if (direction == 0)
        m_run = 0;
    else if (direction > 0)
        m_run = m_run > 0 ? m_run + 1 : 1;
    else
        m_run = m_run < 0 ? m_run - 1 : -1;

    if (m_run >= m_moves) {
        m_run = 0;
        return EntryIntent{m_riseType, {}};
    }
    if (m_run <= -m_moves) {
        m_run = 0;
        return EntryIntent{oppositeDirection(m_riseType), {}};
    }
    return std::nullopt;
}

void TickMomentum::reset()
{
    m_last.reset();
    m_run = 0;
}

QString TickMomentum::name() const
{
    return QStringLiteral("momentum");
}

} // namespace Vigil
