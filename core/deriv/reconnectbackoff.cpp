// SPDX-License-Identifier: GPL-3.0-or-later
#include "reconnectbackoff.h"

#include <algorithm>

#include <QRandomGenerator>

namespace Vigil {

ReconnectBackoff::ReconnectBackoff(int initialMs, int maxMs)
    : m_initialMs(std::max(1, initialMs))
    , m_maxMs(std::max<qint64>(m_initialMs, maxMs))
{
}

qint64 ReconnectBackoff::ceilingMs() const
{
    const int shift = std::min(m_attempt, 40); // initial << 40 still fits; the cap applies long before
    return std::min(m_maxMs, m_initialMs << shift);
}

qint64 ReconnectBackoff::nextDelayMs(QRandomGenerator *rng)
{
    const qint64 ceiling = ceilingMs();
    ++m_attempt;
    QRandomGenerator *g = rng ? rng : QRandomGenerator::global();
    return qint64(g->bounded(quint64(ceiling) + 1));
}

} // namespace Vigil
