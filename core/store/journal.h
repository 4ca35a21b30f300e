// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>
#include <optional>

#include <QJsonObject>
#include <QList>
#include <QString>

#include "health/result.h"
#include "money/money.h"
#include "store/auditevent.h"
#include "store/bottransition.h"
#include "store/dailyusage.h"
#include "store/journalconfig.h"
#include "store/journaldiagnostics.h"
#include "store/reconcilereport.h"
#include "store/trade.h"
#include "store/tradecorrection.h"
#include "store/tradeevent.h"
#include "store/tradefilter.h"

namespace Vigil {

struct JournalPrivate;

// The durable trade journal: trades, fencing tokens, daily usage, bot transitions, reconciliation
// reports and audit events, in SQLite (default) or PostgreSQL.
//
// Threads: a Journal owns one SQL connection and must be used only on the thread that called open()
// (Qt SQL connections are per thread). Two ways to use it from elsewhere:
//  - open a Journal of your own on your thread (an account thread does this for its synchronous
//    pending/open writes; several Journals, in this process or others, may share one SQLite file);
//  - or post work to a JournalWorker that owns a Journal on a "store" thread (journalworker.h).
//
// Durability: every write is atomic and on disk before the call returns. On SQLite: WAL, synchronous=FULL,
// foreign keys on, busy_timeout; write transactions use BEGIN IMMEDIATE so concurrent writers queue instead of
// failing on lock upgrade. The Journals of one process on one file group-commit: writes that queue while another
// commit runs are committed together by one of the waiting threads, on its own connection, each in its own
// SAVEPOINT, so 20 account workers writing at once pay about two fsyncs instead of twenty; every caller still gets
// its own result (its id, its refusal: a refused write is rolled back alone) and returns only once the commit
// holding its write is on disk (see SqlTransaction::write). On PostgreSQL: synchronous_commit on, every write its
// own transaction.
//
// Fencing (trade writes): every trade write carries the fencing token of the account lock it holds.
// Per account the journal keeps the highest token it has seen. A write is refused with
// ErrorKind::Coordination, code "StaleFence", when its token is lower than that highest one; a write
// with a higher token raises it. Token 0 means "unfenced" (single instance, no coordination): it is
// accepted only while no token > 0 has ever been seen for that account; once one has, unfenced
// writes for that account are refused as stale too. The check, the raise and the write happen in one
// transaction that holds the account's fence row, so two processes cannot interleave between check
// and write. Bot transitions, reports, audit events and day-start balances are not fenced: they are
// append-only or first-write-wins records that any instance may add (a stale instance must still be
// able to audit its own emergency stop).
//
// Errors: ErrorKind::Storage for SQL failures (code "SqlError", "Busy" when the database stayed
// locked past busy_timeout, "SchemaTooNew", "MigrationFailed", "OpenFailed"); InvalidInput for bad
// arguments ("BadTrade", "NotFound", "IllegalTransition", "DuplicateContract", "PrecisionMismatch");
// Coordination/"StaleFence"; Configuration for a bad URL or missing SQL driver. A failed read is an
// error, never an empty result.
class Journal
{
public:
    // The schema this build writes. A database with a newer schema is refused ("SchemaTooNew").
    static constexpr int kSchemaVersion = 2;

    // Opens (creating and migrating if needed) the journal at config.url on the calling thread.
    static Result<std::unique_ptr<Journal>> open(const JournalConfig &config);
    ~Journal();
    Q_DISABLE_COPY_MOVE(Journal)

    bool isPostgres() const;
    int schemaVersion() const;
    // This journal's own random id, made when it was created and the same for every connection to it (several
    // instances on one file or one PostgreSQL database see one id): it tells usage shared through Redis apart.
    const QString &journalId() const;
    // Where it lives: "<host>:<canonical path>" for SQLite, "<server>:<port>/<database>" for PostgreSQL (no credentials).
    // A copied journal file keeps its id but not its location.
    const QString &location() const;
    Result<JournalDiagnostics> diagnostics();
    // SQLite: PRAGMA integrity_check's verdict ("ok" when sound). PostgreSQL: "ok" if the server answers.
    Result<QString> integrityCheck();

    // --- trade writes (fenced; see the class comment) ---
    // Writes the row as Pending BEFORE the buy is sent; returns its localId. The write is fenced with
    // trade.fence. trade.localId, status, contractId, transactionId and the reply's amounts are ignored.
    // Needs account, symbol, contractType, durationUnit, currency, duration > 0, stake > 0, openedMs > 0.
    Result<qint64> insertPending(const Trade &trade);
    // The buy reply: Pending or Unknown -> Open. openedMs replaces the attempt time (purchase time).
    Result<void> markOpen(qint64 localId, qint64 contractId, qint64 transactionId, Money buyPrice, Money payout,
        qint64 openedMs, qint64 fence);
    // The buy was rejected, or reconciliation proved it never happened: Pending or Unknown -> Failed.
    Result<void> markFailed(qint64 localId, const QString &reason, qint64 fence);
    // The buy reply was lost: Pending -> Unknown (only reconciliation resolves it).
    Result<void> markUnknown(qint64 localId, const QString &reason, qint64 fence);
    // Open -> Won / Lost / Sold / Void.
    Result<void> settle(qint64 localId, TradeStatus status, Money sellPrice, Money profit, qint64 closedMs,
        const QString &reason, qint64 fence);
    // A contract found on the server that the journal does not know, fenced with trade.fence. Needs
    // contractId > 0, a status of Open or settled (settled ones need sellPrice, profit and closedMs), and
    // every amount at the stake's precision; usually attribution Outside. Returns the new localId.
    Result<qint64> adoptOrphan(const Trade &trade);
    // Pending / Unknown / Open -> Stale: given up on, no longer followed.
    Result<void> closeStale(qint64 localId, const QString &reason, qint64 fence);
    // Overwrites the set members of `correction` (the server's figures win); returns the row after.
    Result<Trade> correct(qint64 localId, const TradeCorrection &correction, qint64 fence);

    // --- trade reads ---
    Result<std::optional<Trade>> trade(qint64 localId);
    Result<std::optional<Trade>> tradeByContract(const QString &account, qint64 contractId);
    // The newest row of `account` whose buy carried `requestTag` (to match a lost reply).
    Result<std::optional<Trade>> tradeByRequestTag(const QString &account, const QString &requestTag);
    Result<QList<Trade>> openTrades(const QString &account); // Open, oldest first
    Result<QList<Trade>> unresolvedTrades(const QString &account); // Pending + Unknown + Open, oldest first
    Result<QList<Trade>> trades(const TradeFilter &filter);
    Result<QList<TradeEvent>> tradeHistory(qint64 localId); // oldest first

    // The highest fencing token seen for `account` (0 = none yet).
    Result<qint64> highestFence(const QString &account);

    // --- daily limits ---
    // Usage in [dayStartMs, dayEndMs) (see DailyUsage). moneyDigits is the account currency's precision:
    // it sets the precision of the sums and must match the stored rows' ("PrecisionMismatch").
    Result<DailyUsage> dailyUsage(const QString &account, qint64 dayStartMs, qint64 dayEndMs, int moneyDigits = 2);
    // The same figures without the precision check (which reads every row of the account): the per-buy check of
    // the limits against the journal, which every instance sharing it writes to, under the account lock.
    Result<DailyUsage> currentUsage(const QString &account, qint64 dayStartMs, qint64 dayEndMs, int moneyDigits);
    // Records the balance at the start of day `dayKey` ("YYYY-MM-DD", UTC). The first write wins:
    // returns the stored value, which is `balance` only if none was stored yet.
    Result<Money> setDayStartBalance(const QString &account, const QString &dayKey, Money balance);
    Result<std::optional<Money>> dayStartBalance(const QString &account, const QString &dayKey);

    // --- bot transitions ---
    Result<qint64> recordBotTransition(const QString &bot, const QString &account, const QString &from,
        const QString &to, const QString &reason, qint64 atMs);
    Result<QList<BotTransition>> botTransitions(const QString &bot, int limit); // newest first
    // The latest transition of every bot (its current state is .to), ordered by bot id. For restart.
    Result<QList<BotTransition>> latestBotStates();

    // --- reconciliation reports ---
    Result<qint64> saveReport(const ReconcileReport &report); // returns the report's id
    Result<QList<ReconcileReport>> reports(const QString &account, int limit); // newest first; empty account = all
    Result<std::optional<ReconcileReport>> report(qint64 id);

    // --- audit ---
    // details pass through Redactor::redactJson: a token never reaches the database.
    Result<qint64> audit(const QString &kind, const QString &account, const QJsonObject &details, qint64 atMs);
    Result<QList<AuditEvent>> auditEvents(int limit, const QString &account = {}); // newest first

private:
    explicit Journal(std::unique_ptr<JournalPrivate> d);
    Result<DailyUsage> usage(const QString &account, qint64 dayStartMs, qint64 dayEndMs, int moneyDigits,
                             bool checkPrecision);
    std::unique_ptr<JournalPrivate> d;
};

} // namespace Vigil
