// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QByteArray>
#include <QList>
#include <QString>

#include "health/result.h"
#include "money/money.h"

namespace Vigil {

// One journal's use of an account's limits, as every instance trading the account sees it through
// RedisUsageBoard. A value type.
struct UsageShare
{
    QString journal;        // the journal's identity (RedisUsageBoard::journalKey): instances on one journal share one
    QString instanceId;     // who published it last (shown to the user)
    qint64 sequence = 0;    // the journal's change counter at the read: a share never replaces a newer one
    qint64 dayStartMs = 0;  // the ledger day tradesToday and realizedPnl belong to
    int tradesToday = 0;    // buys made or possibly made that day (pending and unknown ones count)
    Money realizedPnl;      // settled that day (losses negative)
    int openContracts = 0;  // open, pending and unknown rows now, whatever day they were bought
    Money openStake;        // their stakes: all still at risk
    // The journal's pending and unknown rows now: buys whose contract, if any, it does not know yet. Other journals'
    // reconciliation leaves a contract one of them may own alone (ContractMatcher). Not told (a share of an older
    // version, or more than MaxUnresolvedTold of them): unresolvedTold false.
    struct Buy
    {
        qint64 openedMs = 0;
        QString symbol;
        QString contractType;
        int duration = 0;
        QString durationUnit;
        qint64 stakeMinor = 0;
    };
    static constexpr int MaxUnresolvedTold = 100;
    QList<Buy> unresolvedBuys;
    bool unresolvedTold = true;
    qint64 publishedMs = 0;

    QByteArray toJson() const;
    // std::nullopt when the text is not a share this build can read.
    static std::optional<UsageShare> fromJson(const QByteArray &json, const QString &journal);

    struct Totals
    {
        int tradesToday = 0;
        Money realizedPnl;
        int openContracts = 0;
        Money openStake;
    };
    // What the shares add up to on the ledger day starting at dayStartMs: open contracts and their stakes of every
    // share (they are open now, whatever day a share was published on), trades and realized P&L only of the shares
    // of that day (an older share's are another day's). Errors (ErrorKind::Coordination "UsageUnreadable"): a share
    // in other money digits, or whose day does not start a whole number of days away (instances configured with
    // different day boundaries cannot share limits).
    static Result<Totals> total(const QList<UsageShare> &shares, qint64 dayStartMs, int digits);
};

} // namespace Vigil
