// SPDX-License-Identifier: GPL-3.0-or-later
#include "ratelimiter.h"

#include <iterator>

namespace Vigil::Sim {

namespace {
struct Budget
{
    const char *suffix; // appended to the key: one window per key and budget
    qint64 periodMs;
    int RateLimits::*max;
};

constexpr Budget s_ping[] = {{"/ping/s", 1'000, &RateLimits::pingPerSecond}};
constexpr Budget s_outcome[] = {{"/outcome/m", 60'000, &RateLimits::outcomePerMinute},
                                {"/outcome/h", 3'600'000, &RateLimits::outcomePerHour}};
constexpr Budget s_pricing[] = {{"/pricing/m", 60'000, &RateLimits::pricingPerMinute},
                                {"/pricing/h", 3'600'000, &RateLimits::pricingPerHour}};
constexpr Budget s_general[] = {{"/general/m", 60'000, &RateLimits::generalPerMinute},
                                {"/general/h", 3'600'000, &RateLimits::generalPerHour}};

struct Budgets
{
    const Budget *begin;
    const Budget *end;
};

Budgets budgetsOf(RateLimiter::Category category)
{
    switch (category) {
    case RateLimiter::Category::PingTime:
        return {std::begin(s_ping), std::end(s_ping)};
    case RateLimiter::Category::Outcome:
        return {std::begin(s_outcome), std::end(s_outcome)};
    case RateLimiter::Category::Pricing:
        return {std::begin(s_pricing), std::end(s_pricing)};
    case RateLimiter::Category::General:
        return {std::begin(s_general), std::end(s_general)};
    case RateLimiter::Category::Unlimited:
        break;
    }
    return {nullptr, nullptr};
}
} // namespace

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
    const Budgets budgets = budgetsOf(category);
    Window *windows[2] = {nullptr, nullptr};
    int n = 0;
    for (const Budget *b = budgets.begin; b != budgets.end; ++b, ++n) {
        windows[n] = &m_windows[key + QLatin1String(b->suffix)];
        if (!fits(*windows[n], nowMs, b->periodMs, m_limits.*(b->max)))
            return false; // a refused request is not counted anywhere
    }
    for (int i = 0; i < n; ++i)
        windows[i]->count += 1;
    return true;
}

void RateLimiter::forget(const QString &key)
{
    for (const Category c : {Category::PingTime, Category::Outcome, Category::Pricing, Category::General}) {
        const Budgets budgets = budgetsOf(c);
        for (const Budget *b = budgets.begin; b != budgets.end; ++b)
            m_windows.erase(key + QLatin1String(b->suffix));
    }
}

void RateLimiter::reset()
{
    m_windows.clear();
}

} // namespace Vigil::Sim
