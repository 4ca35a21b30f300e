// SPDX-License-Identifier: GPL-3.0-or-later
#include "virtualclock.h"

#include <cmath>

#include "health/clock.h"

namespace Vigil::Sim {

VirtualClock::VirtualClock(const Clock &clock, double scale, bool manual, qint64 startMs)
    : m_clock(clock)
    , m_scale(scale > 0 ? scale : 1.0)
    , m_manual(manual)
    , m_startVirtualMs(startMs > 0 ? startMs : clock.nowMs())
    , m_startRealMs(clock.monotonicMs())
{
}

qint64 VirtualClock::nowMs() const
{
    if (m_manual)
        return m_startVirtualMs + m_offsetMs;
    const qint64 realElapsed = m_clock.monotonicMs() - m_startRealMs;
    return m_startVirtualMs + m_offsetMs + qint64(std::floor(double(realElapsed) * m_scale));
}

void VirtualClock::advance(qint64 ms)
{
    if (ms > 0)
        m_offsetMs += ms;
}

qint64 VirtualClock::realDelayUntil(qint64 virtualMs) const
{
    if (m_manual)
        return -1;
    const qint64 ahead = virtualMs - nowMs();
    if (ahead <= 0)
        return 0;
    return qint64(std::ceil(double(ahead) / m_scale));
}

} // namespace Vigil::Sim
