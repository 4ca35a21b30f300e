// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include "money/money.h"

namespace Vigil {
class Clock;
}

namespace Vigil::Sim {

// Whether a contract may be sold back before expiry, per category. Deriv does not offer resale of
// tick Rise/Fall or digit contracts on synthetic indices; second-duration Rise/Fall can be sold
// after the entry tick. Tests flip these to exercise both a successful sell and InvalidtoSell.
struct ResaleRules
{
    bool riseFallTicks = false;
    bool riseFallSeconds = true;
    bool digits = false;
};

// The budgets published in website_status.api_call_limits (Deriv's stricter reading). Counters are
// per account when authorized, per app_id and peer address otherwise; ping/time per connection.
struct RateLimits
{
    int generalPerMinute = 180;
    int generalPerHour = 14'400;
    int outcomePerMinute = 25; // portfolio, statement, profit_table
    int outcomePerHour = 1'500;
    int pricingPerMinute = 80; // proposal, proposal_open_contract
    int pricingPerHour = 3'600;
    int pingPerSecond = 10;    // ping and time, per connection; exceeding closes the socket (1008)
    int maxProposalSubscriptions = 5; // concurrent, per account (enforced while rate limits are on)
};

// An account to create at start: addAccount() takes the same fields.
struct AccountSpec
{
    QString token;
    QString currency = QStringLiteral("USD");
    Money balance = Money::fromMinor(10'000'00);
    QStringList scopes{QStringLiteral("read"), QStringLiteral("trade"), QStringLiteral("trading_information"),
                       QStringLiteral("admin")};
    bool isVirtual = true;
};

// Everything that shapes one SimServer. A value type; the defaults are Deriv's behaviour.
struct SimConfig
{
    quint64 seed = 1;            // fixes every price path
    double timeScale = 1.0;      // 10 = virtual time runs ten times faster than real time
    bool manualClock = false;    // virtual time moves only through SimServer::advanceTime()
    qint64 startEpochMs = 0;     // virtual start instant; 0 = the wall clock now
    const Clock *clock = nullptr; // real time source (rate limits, idle timeout, time scale); null = system

    bool rateLimitsEnabled = true;
    RateLimits rateLimits;
    ResaleRules resale;
    QList<AccountSpec> accounts;

    Money minStake = Money::fromMinor(35);
    Money maxStake = Money::fromMinor(50'000'00);
    Money maxPayout = Money::fromMinor(50'000'00);

    int historyTicks = 1'000;       // backfilled per symbol at start
    int maxHistoryTicks = 20'000;   // kept per symbol
    qint64 idleTimeoutMs = 180'000; // real ms without a frame from the client before the server closes; 0 = never
    int maxIncomingFrameBytes = 256 * 1024;
    QStringList appIds;            // accepted app_ids; empty = any decimal app_id
    QString siteStatus = QStringLiteral("up");
    qint64 updatingDisconnectMs = 60'000; // real ms from site_status "updating" to dropping every connection
    bool logRequests = false;      // one qCInfo(lcSim) line per request (secrets redacted)
};

} // namespace Vigil::Sim
