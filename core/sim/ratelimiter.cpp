// SPDX-License-Identifier: GPL-3.0-or-later
#include "ratelimiter.h"

namespace Vigil::Sim {

RateLimiter::RateLimiter(const RateLimits &limits)
    : m_limits(limits)
{
}

RateLimiter::Category RateLimiter::categoryOf(const QString &call)
{
    if (call == QLatin1String("ping") || call == QLatin1String("time"))
        return Category::PingTime;
    if (call == QLatin1String("portfolio") || call == QLatin1String("statement")
        || call == QLatin1String("profit_table"))
        return Category::Outcome;
    if (call == QLatin1String("proposal") || call == QLatin1String("proposal_open_contract"))
        return Category::Pricing;
    // forget/forget_all only release resources; Deriv does not meter them.
    if (call == QLatin1String("forget") || call == QLatin1String("forget_all"))
        return Category::Unlimited;
    return Category::General;
}

bool RateLimiter::fits(Window &w, qint64 nowMs, qint64 periodMs, int max)
{
    if (w.start < 0 || nowMs - w.start >= periodMs) {
        w.start = nowMs;
        w.count = 0;
    }
    return w.count < max;
}

bool RateLimiter::allow(const QString &key, Category category, qint64 nowMs)
{
    struct Budget
    {
        const char *suffix;
        qint64 periodMs;
        int max;
    };
    Budget budgets[2];
    int n = 0;
    switch (category) {
    case Category::Unlimited:
        return true;
    case Category::PingTime:
        budgets[n++] = {"/ping/s", 1'000, m_limits.pingPerSecond};
        break;
    case Category::Outcome:
        budgets[n++] = {"/outcome/m", 60'000, m_limits.outcomePerMinute};
        budgets[n++] = {"/outcome/h", 3'600'000, m_limits.outcomePerHour};
        break;
    case Category::Pricing:
        budgets[n++] = {"/pricing/m", 60'000, m_limits.pricingPerMinute};
        budgets[n++] = {"/pricing/h", 3'600'000, m_limits.pricingPerHour};
        break;
    case Category::General:
        budgets[n++] = {"/general/m", 60'000, m_limits.generalPerMinute};
        budgets[n++] = {"/general/h", 3'600'000, m_limits.generalPerHour};
        break;
    }
    Window *windows[2] = {nullptr, nullptr};
    for (int i = 0; i < n; ++i) {
        windows[i] = &m_windows[key + QLatin1String(budgets[i].suffix)];
        if (!fits(*windows[i], nowMs, budgets[i].periodMs, budgets[i].max))
            return false;
    }
    for (int i = 0; i < n; ++i)
        windows[i]->count += 1;
    return true;
}

void RateLimiter::reset()
{
    m_windows.clear();
}

} // namespace Vigil::Sim
