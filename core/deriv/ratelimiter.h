// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>

#include <QList>
#include <QString>

namespace Vigil {

// Client-side call budget for one Deriv connection (one DerivClient), so Vigil stays under the server's
// limits instead of discovering them through RateLimit errors.
//
// Calls fall into groups (Deriv's website_status.api_call_limits): general calls, outcome calls
// (portfolio, statement, profit_table), pricing calls (proposal, proposal_open_contract) and ping/time.
// Each Rule of a group is a token bucket shaped so that no window of `windowMs` ever sees more than
// `calls` calls, whatever the calling pattern: a burst of `burst` tokens plus a steady refill of
// (calls - burst) per window. A group may call only when every one of its buckets has a token.
//
// A RateLimit error from the server blocks its group for min(backoffStepMs * n, backoffMaxMs), n being
// the number of RateLimit errors since the group's last success (Deriv's bot uses 2.5 s * n, capped at 15 s).
//
// Pure: time is passed in (monotonic milliseconds), no timers. Not thread-safe; owned by one client.
class RateLimiter
{
public:
    enum class Group { General, Outcome, Pricing, PingTime };
    static constexpr int GroupCount = 4;

    struct Rule
    {
        Group group = Group::General;
        int calls = 1;        // at most this many calls ...
        qint64 windowMs = 1000; // ... in any window this long
        int burst = 0;        // tokens available at once; 0 = calls / 4 (at least 1)
    };

    struct Options
    {
        QList<Rule> rules = derivDefaults();
        qint64 backoffStepMs = 2500;
        qint64 backoffMaxMs = 15000;
    };

    // The published v3 budget: general 180/min and 14,400/h; outcome 25/min and 1,500/h;
    // pricing 80/min and 3,600/h; ping/time 10/s.
    static QList<Rule> derivDefaults();
    static Group groupFor(QStringView call);
    static QString groupName(Group group);

    RateLimiter();
    explicit RateLimiter(Options options);

    // Milliseconds until the call `ahead` places behind the head of the group's queue could go
    // (ahead = 0: the next call). 0 = now. Includes a server back-off.
    qint64 waitMs(Group group, qint64 nowMs, int ahead = 0) const;
    // Takes a token from every bucket of the group if waitMs(group, nowMs) == 0.
    bool tryAcquire(Group group, qint64 nowMs);

    // The server answered RateLimit for a call of this group.
    void noteRateLimited(Group group, qint64 nowMs);
    // A call of the group succeeded: the back-off multiplier starts again from 1.
    void noteSuccess(Group group);
    // Monotonic time until which the group is held by a server back-off (0 = not held).
    qint64 blockedUntil(Group group) const;
    int consecutiveRateLimits(Group group) const;

private:
    struct Bucket
    {
        double capacity = 1;
        double tokens = 1;
        double refillPerMs = 0;
        qint64 lastMs = 0;
        bool started = false;
    };
    struct GroupState
    {
        QList<Bucket> buckets;
        qint64 blockedUntilMs = 0;
        int rateLimits = 0;
    };

    static double tokensAt(const Bucket &b, qint64 nowMs);

    Options m_options;
    std::array<GroupState, GroupCount> m_groups;
};

} // namespace Vigil
