// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QDate>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include "money/money.h"

namespace Vigil {

// One account's limits as the GUI shows them: used / max for each, and what they block.
struct LimitStatus
{
    QString account;
    QDate day;
    bool seeded = false;           // the ledger knows this account (seed() was called)
    bool startBalanceKnown = false; // the day's start balance is set: buys may pass

    int tradesToday = 0;
    int maxTradesPerDay = 0;
    int openContracts = 0;     // bought, not settled
    int pendingContracts = 0;  // reserved, buy not confirmed yet
    int maxConcurrentOpen = 0; // counted against open + pending

    Money realizedPnl;
    Money stakeAtRisk;                    // stakes of open and pending contracts
    Money lossUsed;                       // worst case: stakeAtRisk − realizedPnl, never below 0
    std::optional<Money> dailyLossLimit;  // unset until the start balance is known (percentage limits)
    QString dailyLossRule;                // "50.00" or "20 % of start-of-day balance"
    std::optional<Money> maxStake;
    std::optional<Money> startOfDayBalance;

    // What instances on other journals (sharing their usage through Redis) count in the figures above, while the
    // journal's figures are recent: zero when there are none.
    int otherJournalsTrades = 0;
    int otherJournalsOpen = 0;
    Money otherJournalsPnl;

    QString blocks = QStringLiteral("new buys; sells are never blocked");
    // The limits that refuse any new buy right now: "LimitTradesPerDay", "LimitConcurrentOpen",
    // "LimitDailyLoss", and "LimitDayNotSeeded" / "LimitNotSeeded" when the ledger lacks data.
    QStringList exhausted;

    // Money as decimal strings.
    QJsonObject toJson() const;
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::LimitStatus)
