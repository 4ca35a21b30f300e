// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QDate>
#include <QMetaType>

#include "money/money.h"

namespace Vigil {

// What an account has used of its limits so far: the engine rebuilds it from the journal at start and
// hands it to LimitLedger::seed(), so the counters survive a restart.
struct LedgerUsage
{
    QDate day;            // the ledger day the counters belong to (invalid = the ledger's current day)
    int tradesToday = 0;  // buys made (or possibly made: outcome unknown) that day
    Money realizedPnl;    // sum of the profits of contracts settled that day (losses negative)
    int openContracts = 0; // bought and not yet settled, whatever day they were bought
    Money openStake;      // the total stake of those open contracts: all of it is still at risk
    std::optional<Money> startOfDayBalance; // unset: buys are refused until setStartOfDayBalance()
    // The part of the figures above that instances on other journals published (through Redis): shown as theirs.
    int otherJournalsTrades = 0;
    int otherJournalsOpen = 0;
    Money otherJournalsPnl;
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::LedgerUsage)
