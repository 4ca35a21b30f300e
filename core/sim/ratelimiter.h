// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <unordered_map>

#include <QString>

#include "sim/simconfig.h"

namespace Vigil::Sim {

// Deriv's request budgets. Each budget is a fixed window that opens at the first request and
// lasts its period (the way a counter with an expiry behaves), so a burst right after a window
// closes is allowed again. A refused request does not count.
class RateLimiter
{
public:
    enum class Category { General, Outcome, Pricing, PingTime, Unlimited };

    explicit RateLimiter(const RateLimits &limits);

    static Category categoryOf(const QString &call);

    // Counts a request of `category` for `key` at real time `nowMs` if the budgets allow it.
    bool allow(const QString &key, Category category, qint64 nowMs);
    // Drops every window of `key` (a closed connection's ping budget), so keys do not pile up.
    void forget(const QString &key);
    void reset();

    const RateLimits &limits() const { return m_limits; }

private:
    struct Window
    {
        qint64 start = -1;
        int count = 0;
    };
    static bool fits(Window &w, qint64 nowMs, qint64 periodMs, int max);

    RateLimits m_limits;
    std::unordered_map<QString, Window> m_windows; // node-based: element pointers stay valid
};

} // namespace Vigil::Sim
