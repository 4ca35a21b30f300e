// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>
#include <memory>

#include <QList>
#include <QSet>
#include <QString>

#include "health/result.h"
#include "store/trade.h"

namespace Vigil {

class Clock;
class InstanceLivenessSource;

// How a Reconciler works for one account. A value type.
struct ReconcilerOptions
{
    QString account;                      // Deriv login id; every journal read and write is scoped to it
    int moneyDigits = 2;                  // the account currency's fractional digits (USD 2)
    qint64 lookbackMs = 48LL * 3600'000;  // the server is never asked about anything older than now - lookbackMs;
                                          // unresolved rows older than that without a contract are given up (Stale)
    QString instanceId;                   // this Vigil instance, for logs and the audit record
    bool sellOrphans = false;             // sell adopted open orphans at market (sell price 0)
    std::function<qint64()> fence;        // the fencing token to write with; unset = 0 (unfenced)

    // Additions beyond the minimal set (the defaults are what the engine wants):
    QString currency;                     // for adopted orphans; empty = the client's authorize currency
    const Clock *clock = nullptr;         // "now" for windows and ages; null = Clock::system(); must outlive
    qint64 pendingGraceMs = 60'000;       // a Pending or Unknown row younger than this (by openedMs) may still
                                          // get its buy reply, or the server may still commit its buy after
                                          // our reads: without a matching contract it is left alone (and
                                          // contracts it may own are not adopted as orphans); an Unknown row
                                          // whose contract is found is adopted at once; so is a startup run's
                                          // (its reply went to a process that is gone). Startup runs wait too:
                                          // a process killed with a buy on the wire cannot stop the server
                                          // from committing it after our reads.
    bool followUpDeferred = true;         // after a run that left Unknown rows (or Pending rows of an instance
                                          // that is gone) to their grace, run again (trigger "grace") once the
                                          // grace is over, so the bots waiting on them are not left to the
                                          // next periodic run
    qint64 windowMarginMs = 60'000;       // profit_table date_from = oldest row to check - this margin
    qint64 matchBeforeMs = 5'000;         // a lost buy's contract may show a purchase time this much before the
    qint64 matchAfterMs = 120'000;        // row's openedMs and this much after (queueing, timeouts), in the
                                          // server's clock: openedMs + the offset learnt from `time`
    bool syncServerTime = true;           // ask the server's time ({"time":1}, not an outcome call) in each
                                          // run that has rows to match, for that offset
    qint64 unknownSkewMs = 60'000;        // when the server's time is unknown (no reply, an error, or an offset
                                          // beyond an hour, which no sane clock has), both ends of the match
                                          // window widen by this much instead
    int maxProfitTablePages = 10;         // pages (of up to 500 contracts; fewer where the server caps `limit`)
                                          // per run; beyond that the window counts as not covered
    int maxContractLookups = 50;          // proposal_open_contract calls per run, for rows nothing else explains
    int requestTimeoutMs = 0;             // per server call; <= 0 = the client's default

    // A journal shared by several instances: a Pending/Unknown row whose request tag names another instance
    // (InstanceLiveness::ownerOf) is that instance's to resolve while it is alive. Asked once per run that has
    // such rows (alongside the server queries); never for this instance's own rows.
    std::shared_ptr<InstanceLivenessSource> liveness; // null = one instance alone on the journal (no
                                          // registry): every row is resolved here
    int livenessTimeoutMs = 5'000;        // a source that has not answered by then counts as unknown
    int ownerWatchMs = 5'000;             // while rows of a live instance wait for it, how often to check that
                                          // it still runs; once it is gone a run (trigger "instance_gone")
                                          // resolves them. <= 0 = no watch (the next run does)

    // Other journals trading the same account (instances on other machines or --db files, sharing its limits
    // through Redis): every contract they buy is on the server too, and is not an orphan of this journal.
    struct OtherJournals
    {
        QSet<qint64> contracts;    // of the contract ids asked about, the ones another journal holds
        QList<Trade> unresolved;   // other journals' pending and unknown buys: a contract one of them may own
                                   // (ContractMatcher, against this journal's lost buys) is left to them
        bool unresolvedTold = true; // false: some journal did not tell its buys; no orphan is adopted
    };
    // Asked once per run that has server contracts this journal does not hold, after the server was read. An error:
    // none adopted this run. Unset = no other journal.
    std::function<Result<OtherJournals>(const QList<qint64> &contractIds)> otherJournals;
    // Right before adopting a contract: true = this journal's now, false = another journal took it first.
    std::function<Result<bool>(qint64 contractId)> claimContract;
};

} // namespace Vigil
