// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <memory>

#include <QTest>

#include "engine/engine.h"
#include "sim/simserver.h"
#include "sim/simstats.h"

namespace Vigil::Test {

// Reads a paper engine's simulator statistics on the simulator's thread and waits for them here, turning
// this thread's event loop (the test thread is not the GUI). Empty statistics and a warning after 20 s.
inline Sim::SimStats simStats(Engine &engine)
{
    auto done = std::make_shared<std::atomic<bool>>(false);
    auto out = std::make_shared<Sim::SimStats>();
    engine.withSimulator([done, out](Sim::SimServer &sim) {
        *out = sim.stats();
        done->store(true, std::memory_order_release);
    });
    for (int waited = 0; !done->load(std::memory_order_acquire) && waited < 20000; waited += 10)
        QTest::qWait(10);
    if (!done->load(std::memory_order_acquire))
        qWarning("simulator statistics did not arrive");
    return *out;
}

} // namespace Vigil::Test
