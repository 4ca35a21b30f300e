// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>

#include "health/clock.h"

namespace Vigil::Test {

// A clock tests move by hand. Wall and monotonic time advance together unless jumpWall() is used.
class FakeClock final : public Clock
{
public:
    explicit FakeClock(qint64 wallMs = 1'700'000'000'000) : m_wall(wallMs) {}
    qint64 nowMs() const override { return m_wall.load(); }
    qint64 monotonicMs() const override { return m_mono.load(); }
    void advance(qint64 ms) { m_wall += ms; m_mono += ms; }
    void jumpWall(qint64 ms) { m_wall += ms; } // a clock change or a laptop sleep as the wall clock sees it

private:
    std::atomic<qint64> m_wall;
    std::atomic<qint64> m_mono{0};
};

} // namespace Vigil::Test
