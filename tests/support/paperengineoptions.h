// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include "engine/engine.h"

namespace Vigil::Test {

// A paper engine for a test: journal and lock files in `dataDir`, the embedded simulator's clock `timeScale`
// times faster than real time, everything else at its default.
inline Engine::Options paperOptions(const QString &dataDir, const QString &instanceId, double timeScale)
{
    Engine::Options o;
    o.dataDir = dataDir;
    o.instanceId = instanceId;
    o.simTimeScale = timeScale;
    return o;
}

} // namespace Vigil::Test
