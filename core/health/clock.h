// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace Vigil {

// Time source, so tests can drive time. Implementations must be thread-safe.
class Clock
{
public:
    virtual ~Clock() = default;
    // Wall clock, milliseconds since the Unix epoch (UTC).
    virtual qint64 nowMs() const = 0;
    // Monotonic milliseconds since an arbitrary origin: for deadlines and leases.
    virtual qint64 monotonicMs() const = 0;

    // The process-wide real clock.
    static Clock &system();
};

} // namespace Vigil
