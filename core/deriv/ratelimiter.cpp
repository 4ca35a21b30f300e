// SPDX-License-Identifier: GPL-3.0-or-later
#include "ratelimiter.h"

#include <algorithm>
#include <cmath>

namespace Vigil {

namespace {
int index(RateLimiter::Group g)
{
    return static_cast<int>(g);
}
} // namespace

QList<RateLimiter::Rule> RateLimiter::derivDefaults()
{
    constexpr qint64 minute = 60'000;
    constexpr qint64 hour = 3'600'000;
    return {
        {Group::General, 180, minute, 0},  {Group::General, 14'400, hour, 0},
        {Group::Outcome, 25, minute, 0},   {Group::Outcome, 1'500, hour, 0},
        {Group::Pricing, 80, minute, 0},   {Group::Pricing, 3'600, hour, 0},
        {Group::PingTime, 10, 1'000, 0},
    };
}

RateLimiter::Group RateLimiter::groupFor(QStringView call)
{
    if (call == u"ping" || call == u"time")
        return Group::PingTime;
    if (call == u"portfolio" || call == u"statement" || call == u"profit_table")
        return Group::Outcome;
    if (call == u"proposal" || call == u"proposal_open_contract")
        return Group::Pricing;
    return Group::General;
}

QString RateLimiter::groupName(Group group)
{
    switch (group) {
    case Group::General: return QStringLiteral("general");
    case Group::Outcome: return QStringLiteral("outcome");
    case Group::Pricing: return QStringLiteral("pricing");
    case Group::PingTime: return QStringLiteral("ping/time");
    }
    return QStringLiteral("unknown");
}

RateLimiter::RateLimiter() : RateLimiter(Options{}) {}

RateLimiter::RateLimiter(Options options) : m_options(std::move(options))
{
    for (const Rule &r : std::as_const(m_options.rules)) {
        Q_ASSERT(r.calls > 0 && r.windowMs > 0);
        const int calls = std::max(1, r.calls);
        const qint64 window = std::max<qint64>(1, r.windowMs);
        const int burst = std::clamp(r.burst > 0 ? r.burst : calls / 4, 1, calls);
        Bucket b;
        b.capacity = burst;
        b.tokens = burst;
        // In any half-open window the bucket admits at most burst + (refill tokens completed inside it),
        // which is burst + max(calls - burst, 1) - 1 <= calls.
        b.refillPerMs = double(std::max(calls - burst, 1)) / double(window);
        m_groups[size_t(index(r.group))].buckets.append(b);
    }
}

double RateLimiter::tokensAt(const Bucket &b, qint64 nowMs)
{
    if (!b.started)
        return b.capacity;
    const double elapsed = double(std::max<qint64>(0, nowMs - b.lastMs));
    return std::min(b.capacity, b.tokens + elapsed * b.refillPerMs);
}

qint64 RateLimiter::waitMs(Group group, qint64 nowMs, int ahead) const
{
    const GroupState &g = m_groups[size_t(index(group))];
    qint64 wait = std::max<qint64>(0, g.blockedUntilMs - nowMs);
    const double need = double(std::max(0, ahead)) + 1.0;
    for (const Bucket &b : g.buckets) {
        const double have = tokensAt(b, nowMs);
        if (have + 1e-9 >= need)
            continue;
        wait = std::max(wait, qint64(std::ceil((need - have) / b.refillPerMs)));
    }
    return wait;
}

bool RateLimiter::tryAcquire(Group group, qint64 nowMs)
{
    if (waitMs(group, nowMs) > 0)
        return false;
    GroupState &g = m_groups[size_t(index(group))];
    for (Bucket &b : g.buckets) {
        b.tokens = tokensAt(b, nowMs) - 1.0;
        b.lastMs = nowMs;
        b.started = true;
    }
    return true;
}

void RateLimiter::noteRateLimited(Group group, qint64 nowMs)
{
    GroupState &g = m_groups[size_t(index(group))];
    ++g.rateLimits;
    const qint64 backoff = std::min(m_options.backoffStepMs * g.rateLimits, m_options.backoffMaxMs);
    g.blockedUntilMs = std::max(g.blockedUntilMs, nowMs + backoff);
    // The server counted more than we did: start the buckets over empty rather than trust them.
    for (Bucket &b : g.buckets) {
        b.tokens = 0;
        b.lastMs = nowMs;
        b.started = true;
    }
}

void RateLimiter::noteSuccess(Group group)
{
    m_groups[size_t(index(group))].rateLimits = 0;
}

qint64 RateLimiter::blockedUntil(Group group) const
{
    return m_groups[size_t(index(group))].blockedUntilMs;
}

int RateLimiter::consecutiveRateLimits(Group group) const
{
    return m_groups[size_t(index(group))].rateLimits;
}

} // namespace Vigil
