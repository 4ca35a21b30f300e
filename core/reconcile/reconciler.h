// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QString>

#include "health/result.h"
#include "reconcile/contractmatcher.h"
#include "reconcile/instanceliveness.h"
#include "reconcile/reconcileroptions.h"
#include "reconcile/reconcilestats.h"
#include "store/reconcilereport.h"
#include "store/trade.h"

class QTimer;

namespace Vigil {

class DerivClient;
class InstanceLivenessSource;
class Journal;

// Makes one account's journal agree with the broker. A run looks at the union of the journal's
// unresolved trades (plus settled ones written since the last completed run) and the server's contracts
// (portfolio: every open one; profit_table: settled ones since the oldest of those trades), then:
//   pending/unknown row, matching contract on the server  -> adopted (markOpen, settled if it has)
//   pending/unknown row, no contract, the queries cover it -> Failed ("no buy happened"), once older than
//                                                             pendingGraceMs (see below)
//   open row, settled on the server                        -> settled with the server's figures
//   open row, unknown to the server (proposal_open_contract confirms) -> Stale
//   server contract unknown to the journal                 -> orphan adopted (attribution outside), sold
//                                                             at market when sellOrphans
//   status or figures differ                               -> corrected; the server wins, the old row stays
//                                                             in the report's discrepancy
// A server query that fails (broker error, lost reply, timeout) means UNKNOWN, never EMPTY: when portfolio
// or profit_table fails nothing is written at all and the report's error says what could not be checked.
// Running again right after a completed run changes nothing and reports no discrepancy (but the rows left to
// other live instances, below, which every run lists).
//
// Server calls per run: 1 portfolio; only when some trade still needs the server, one `time` (not an
// outcome call; ReconcilerOptions::syncServerTime) for the server's clock offset, sent with portfolio, and
// profit_table pages (date_from = the oldest such trade - margin in the server's clock, capped by
// lookbackMs; paged until an empty page, or a page shorter than one this server has already returned, so a
// server that caps `limit` below 500 is read to the end: the first run on a server costs one empty page
// more); one proposal_open_contract per open row that neither answers (capped), one sell per orphan with
// sellOrphans. statement is never used.
//
// A server row that cannot be read (no contract type or symbol, and no shortcode to take them from; a
// missing figure) is skipped: the report lists it as an "unreadable_server_row" discrepancy with its raw
// contract_id, and the run goes on. Only a pending/unknown row whose buy it could be (its purchase time in
// the row's match window, or unknown) is left unresolved, with the run's error naming both, so trading on
// the account waits for a run that can tell.
//
// Threads: lives on the account's worker thread, the thread of `client` and `journal` (which it does not
// own; both must outlive it). Every method and signal runs on that thread. Writes are synchronous journal
// calls made in one batch after every server answer is in, each re-reading its row first: a row the engine
// changed meanwhile is left for the next run, and an orphan the engine journals meanwhile is not adopted.
// Pending and Unknown rows younger than pendingGraceMs without a contract (their buy may still be in
// flight, or be committed by the server after our reads) are left alone, except on a "startup" run; with
// followUpDeferred a run (trigger "grace") follows once the grace of such Unknown rows is over.
//
// A journal shared by several instances: a Pending/Unknown row past its grace (or any, on "startup") whose
// request tag names another instance is that instance's while it runs; the run reads the instance registry
// (ReconcilerOptions::liveness) and then:
//   owner alive                -> left alone: never failed, never adopted here, and no contract it may own is
//                                 adopted as an orphan; the report lists it ("in_flight_elsewhere", action
//                                 "deferred", after.instance = the owner). It does not make the run
//                                 incomplete, so it does not stop this instance's trading: the account lock
//                                 already keeps buys of the account one at a time, the owner's own executor
//                                 holds its bots until it resolves the row, and an owner that never can (its
//                                 writes fenced off) must not halt every other instance. While such rows wait
//                                 the registry is checked every ownerWatchMs; once an owner is gone a run
//                                 (trigger "instance_gone") resolves its rows.
//   owner gone (crashed, or this instance's own earlier run under another id) -> resolved as above; its
//                                 reply will never come, so within the grace the row is treated like an
//                                 Unknown one (adopted as soon as its contract shows, else the "grace" run)
//   registry unreadable        -> left alone too (listed the same way, after.alive = "unknown"), and the
//                                 run's error names them: trading on the account waits for a run that can
//                                 tell, as for every other row this run cannot decide
// Rows whose tag names this instance or no instance at all, and every row when there is no registry (no
// source: one instance alone on its journal), are resolved as above without asking.
class Reconciler final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Reconciler)

public:
    explicit Reconciler(DerivClient *client, Journal *journal, ReconcilerOptions options, QObject *parent = nullptr);
    ~Reconciler() override;

    // Starts a run (asynchronously: started() follows from the event loop), or, while one is running, asks
    // for exactly one more run after it (several requests meanwhile merge into that one; "startup" wins
    // the merged trigger, else the first). trigger: "startup", "reconnect", "periodic", "manual",
    // "lost_reply" (any non-empty text is accepted and recorded).
    void run(const QString &trigger);
    bool isRunning() const;

    const ReconcilerOptions &options() const;
    // The cost and blind spots of the last finished run (also stored as the run's "reconcile_run" audit event).
    ReconcileStats lastRunStats() const;

Q_SIGNALS:
    void started(const QString &trigger);
    // The run is over; the report is already saved (report.id > 0 unless saving failed, which report.error
    // then says). report.error is set when the run could not complete; what it did do is still listed.
    void finished(const Vigil::ReconcileReport &report);
    // Emitted before finished(), for the engine to update limits, bots and contract tracking:
    // every existing row the run changed (status or figures), as it was and as it is now.
    void tradeResolved(const Vigil::Trade &before, const Vigil::Trade &after);
    // A contract the journal did not know, now journaled (as adopted; a following sale arrives as
    // tradeResolved).
    void orphanAdopted(const Vigil::Trade &trade);

private:
    struct Run;

    void begin(const QString &trigger);
    bool loadJournal();
    void queryServerTime();
    void queryPortfolio();
    void afterPortfolio();
    void noteUnreadable(const QString &source, const QJsonObject &item, const Error &error);
    ContractMatcher::Window matchWindow() const;
    void scheduleFollowUp(qint64 dueMs);
    void queryProfitTable(int offset);
    void decide();
    void decideNow();
    std::shared_ptr<InstanceLivenessSource> livenessSource() const;
    // `done` once, on this thread: the source's answer, or unknown after livenessTimeoutMs.
    void readLiveness(const std::shared_ptr<InstanceLivenessSource> &source,
                      std::function<void(const InstanceLiveness &)> done);
    void queryLiveness();
    // The other instance a row waits for (alive, or not known to be gone), or empty when it is this run's.
    QString heldBy(const Trade &trade) const;
    void watchOwners(const QSet<QString> &owners);
    void checkOwners();
    void lookUp(qint64 contractId);
    void afterLookups();
    void apply();
    void sellOrphans();
    void finish();

    qint64 sendCall(const QJsonObject &request, std::function<void(const Result<QJsonObject> &)> handler,
                    int timeoutMs = 0);
    qint64 nowMs() const;
    qint64 fence() const;

    DerivClient *m_client;
    Journal *m_journal;
    ReconcilerOptions m_options;
    std::unique_ptr<Run> m_run;
    bool m_running = false;
    QStringList m_queuedTriggers;
    quint64 m_serial = 0;
    ReconcileStats m_lastStats;
    std::optional<qint64> m_serverOffsetMs; // the last one learnt; kept when a later `time` call fails
    int m_largestPage = 0;                  // the most profit_table rows this server returned in one page
    QTimer *m_followUp = nullptr;           // the "grace" run after deferred Unknown rows
    QTimer *m_ownerWatch = nullptr;         // checks the owners of rows left to other live instances
    QSet<QString> m_watchedOwners;          // those owners, as the last finished run found them alive
    // The last run of this object that completed: a settled row written since it started either was
    // unresolved then (so opened inside its window) or was opened after it started.
    struct Completed
    {
        qint64 reportId = 0;
        qint64 startedMs = 0;
        qint64 windowFromMs = 0; // 0 = it needed no profit_table
    };
    Completed m_lastCompleted;
};

} // namespace Vigil
