// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDate>
#include <QList>

#include "coordination/redisconnection.h"
#include "coordination/usageshare.h"
#include "health/result.h"

namespace Vigil {

// Where instances that do not share a journal (other machines, other --db files) tell each other how much of an
// account's daily limits their journal has used: one Redis hash per account and ledger day,
// "vigil:usage:<loginid>:<YYYY-MM-DD>", one field per journal (its id), kept two days.
//
// The engine publishes its journal's share under the account lock right after journaling a buy, and again once
// the reply is journaled, before the lock is released; so whoever takes the lock next reads every buy made
// before it. Settlements are published when they happen (a late one only overstates what is used). A share
// replaces the one in Redis only when its sequence (the journal's change counter) is not older: an instance that
// read its journal earlier cannot undo a newer share of the same journal.
//
// One blocking connection with bounded waits (RedisConnection), used from one thread: an account worker's.
// Errors are ErrorKind::Coordination ("CoordinationUnavailable", "RedisError", "UsageUnreadable").
class RedisUsageBoard
{
public:
    RedisUsageBoard(RedisConfig config, QString journalId);

    const QString &journalId() const { return m_journalId; }
    static QString key(const QString &loginId, const QDate &day);

    Result<void> publish(const QString &loginId, const QDate &day, const UsageShare &mine);
    // The shares of every other journal for that account and day.
    Result<QList<UsageShare>> others(const QString &loginId, const QDate &day);

private:
    RedisConnection m_conn;
    QString m_journalId;
};

} // namespace Vigil
