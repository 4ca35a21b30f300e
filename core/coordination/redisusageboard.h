// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QSet>

#include "coordination/redisconnection.h"
#include "coordination/usageshare.h"
#include "health/result.h"

namespace Vigil {

// Where instances that do not share a journal (other machines, other --db files) tell each other how much of an
// account's limits their journal has used: one Redis hash per account, "vigil:usage:<loginid>", one field per journal
// (journalKey: its id and location), the share as JSON (UsageShare); kept 7 days after the last publish.
//
// The engine publishes its journal's share under the account lock right after journaling a buy, and again once
// the reply is journaled, before the lock is released; so whoever takes the lock next reads every buy made
// before it. Settlements are published when they happen (a late one only overstates what is used). A share
// replaces the one in Redis only when its sequence (the journal's change counter) is not older: an instance that
// read its journal earlier cannot undo a newer share of the same journal. A share in Redis newer than the journal
// itself (others() compares with the journal's counter now) means a journal restored from a backup (or a copy with
// the same location): refused as a conflict.
//
// Which contracts are whose: a second hash per account, "vigil:contracts:<loginid>", contract id → the journal that
// holds it. An instance records every contract it bought with (in one script, before) the share that no longer counts the
// buy as pending, and claims a contract before its reconciliation adopts one (a lost buy's, or an orphan bought outside
// Vigil). Reconciliation on another journal then leaves those alone: on one Deriv account every instance sees every
// contract, and one journal adopting another's would count it twice against the limits (and follow, even sell, it).
//
// One blocking connection with bounded waits (RedisConnection), used from one thread: an account worker's.
// Errors are ErrorKind::Coordination ("CoordinationUnavailable", "RedisError", "UsageUnreadable",
// "UsageShareConflict"); their messages name the key and field, and how to clear a field nobody owns any more.
class RedisUsageBoard
{
public:
    RedisUsageBoard(RedisConfig config, QString journalKey);

    // A journal's field: "<journal id>@<location>".
    static QString journalKey(const QString &journalId, const QString &location);
    static QString key(const QString &loginId);
    const QString &journal() const { return m_journal; }

    // true: written; false: Redis already holds a newer share of this journal — read from it later, so it counts
    // everything this one does (another instance on the same journal published meanwhile): nothing to do.
    // `boughtContracts`: contracts this journal bought since its last publish, recorded as its own in the same step.
    Result<bool> publish(const QString &loginId, const UsageShare &mine, const QList<qint64> &boughtContracts = {});
    // The shares of every other journal for that account. mySequence: this journal's change counter now, to notice a
    // newer share of it (a restored backup).
    Result<QList<UsageShare>> others(const QString &loginId, qint64 mySequence);

    static QString contractsKey(const QString &loginId);
    // Before adopting a contract: true when it is now (or already was) this journal's, false when another journal
    // holds it.
    Result<bool> claimContract(const QString &loginId, qint64 contractId);
    struct Foreign
    {
        QSet<qint64> contracts;               // of the ids asked about, those another journal holds
        QList<UsageShare::Buy> unresolvedBuys; // other journals' buys whose contracts they do not know yet
        bool unresolvedTold = true;           // false: a share did not tell them (an older version, or too many)
    };
    // Read in that order (shares, then contracts): a buy leaves a share's unresolved list only in the script that
    // records its contract.
    Result<Foreign> foreign(const QString &loginId, const QList<qint64> &contractIds);

private:
    RedisConnection m_conn;
    QString m_journal;
};

} // namespace Vigil
