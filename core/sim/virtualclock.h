// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace Vigil {
class Clock;
}

namespace Vigil::Sim {

// The simulator's market time. Virtual time starts at a wall-clock instant and runs `scale` times
// faster than the real (monotonic) clock; in manual mode it moves only when advance() is called.
// Every epoch the simulator publishes (ticks, purchase and sell times, `time`) is virtual.
// Not thread-safe: used on the server's thread only.
class VirtualClock
{
public:
    // `clock` must outlive this object. startMs = 0 means "the clock's wall time now".
    VirtualClock(const Clock &clock, double scale, bool manual, qint64 startMs = 0);

    qint64 nowMs() const;
    qint64 nowSec() const { return nowMs() / 1000; }
    double scale() const { return m_scale; }
    bool isManual() const { return m_manual; }

    // Moves virtual time forward by `ms` (both modes; in auto mode it adds to the running offset).
    void advance(qint64 ms);
    // Real milliseconds until virtual time reaches `virtualMs` (0 if already there, -1 in manual mode).
    qint64 realDelayUntil(qint64 virtualMs) const;

private:
    const Clock &m_clock;
    double m_scale;
    bool m_manual;
    qint64 m_startVirtualMs;
    qint64 m_startRealMs;
    qint64 m_offsetMs = 0;
};

} // namespace Vigil::Sim
