// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include "money/money.h"

namespace Vigil {

// What an account has used of its daily limits, as the journal sees it (Journal::dailyUsage).
struct DailyUsage
{
    // Rows whose openedMs lies in [dayStart, dayEnd) and that may have bought: Pending, Unknown, Open,
    // Stale and settled rows. A pending or unknown buy counts: it may have gone through. Failed rows do not.
    int tradesOpened = 0;
    Money stakeOpened; // sum of those rows' stakes
    int settledCount = 0; // settled (Won/Lost/Sold/Void) rows whose closedMs lies in [dayStart, dayEnd)
    Money realizedProfit; // sum of those rows' profits (negative = a loss)
    int openCount = 0; // Open rows now, whatever day they were opened
    int unresolvedCount = 0; // Pending + Unknown rows now, whatever day
    Money unresolvedStake; // sum of the stakes of the Open, Pending and Unknown rows now: all still at risk
    qint64 sequence = 0; // the journal's change counter when read (grows with every trade write, any account)
};

// The UTC day containing `ms`: [start, start + 86'400'000).
qint64 utcDayStartMs(qint64 ms);
// "YYYY-MM-DD" of the UTC day containing `ms` (the key of Journal::setDayStartBalance).
QString utcDayKey(qint64 ms);

} // namespace Vigil
