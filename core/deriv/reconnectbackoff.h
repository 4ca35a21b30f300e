// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

class QRandomGenerator;

namespace Vigil {

// Reconnect delays: exponential backoff with full jitter. The n-th delay (n from 0) is uniform in
// [0, min(maxMs, initialMs * 2^n)], so many clients cut at once do not reconnect in lockstep.
// Not thread-safe; a value type.
class ReconnectBackoff
{
public:
    ReconnectBackoff(int initialMs, int maxMs);

    // The next delay; advances the attempt counter. `rng` defaults to QRandomGenerator::global().
    qint64 nextDelayMs(QRandomGenerator *rng = nullptr);
    // The upper bound the next delay is drawn under.
    qint64 ceilingMs() const;
    int attempt() const { return m_attempt; }
    void reset() { m_attempt = 0; }

private:
    qint64 m_initialMs;
    qint64 m_maxMs;
    int m_attempt = 0;
};

} // namespace Vigil
