// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>
#include <optional>

#include <QDate>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QString>

#include "health/clock.h"
#include "health/result.h"
#include "risk/ledgerusage.h"
#include "risk/limitconfig.h"
#include "risk/limitstatus.h"
#include "risk/reservation.h"

namespace Vigil {

// The per-account risk limits and what has been used of them today. Thread-safe: every method may be
// called from any thread (one mutex, held only for the arithmetic; never while emitting).
//
// A buy goes: reserve(stake) → [buy sent] → confirm() → … → settle(profit); or reserve → release() when
// the buy was not sent or was rejected. reserve() checks AND claims in one step, so of several bots racing
// for the last slot exactly one gets it. A buy whose outcome is unknown keeps its reservation (it counts
// as a trade and its stake as at risk) until reconciliation confirms + settles or releases it.
//
// What reserve() checks, in this order (each refusal is kind NotSent with the code below, account set,
// details {limit, used, max, ...}):
//   LimitNotSeeded     seed() was never called for the account: its usage is unknown, so no buy.
//   LimitDayNotSeeded  a new day began (or seed had no balance): call setStartOfDayBalance() first.
//   LimitMaxStake      stake > config.maxStake.
//   LimitTradesPerDay  tradesToday + 1 > maxTradesPerDay (reservations count as trades).
//   LimitConcurrentOpen open + pending + 1 > maxConcurrentOpen.
//   LimitDailyLoss     worst case: (stakes at risk in open and pending contracts + this stake − realized
//                      profit today) > the daily loss limit. Profit today widens the room, losses narrow
//                      it. details.transient is true when the refusal is only due to stakes still open
//                      (it may clear when they settle); false when realized losses alone exhaust it.
// LimitConcurrentOpen clears itself when a contract settles; LimitTradesPerDay and a non-transient
// LimitDailyLoss last until the day rolls over (or the config changes). Limits block new buys only;
// sells are never blocked here.
//
// The day: a ledger day starts at 00:00 UTC + dayStartOffsetMs (Deriv's limits reset at 00:00 GMT; the
// offset may be negative). The rollover is noticed by the first call after the boundary: trade count and
// realized P&L start at 0, the start-of-day balance is forgotten (buys refused until it is set again), and
// open contracts and pending reservations carry over with their stakes still at risk. A contract settling
// after the rollover counts toward the new day's P&L; releasing a reservation made the day before does
// not give back a trade of the new day.
class LimitLedger final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LimitLedger)

public:
    explicit LimitLedger(Clock &clock = Clock::system(), qint64 dayStartOffsetMs = 0, QObject *parent = nullptr);
    ~LimitLedger() override;

    QDate currentDay() const;
    // When a ledger day begins (UTC ms): the start of the journal's window for that day's usage.
    qint64 dayStartMs(QDate day) const;
    // Until the next rollover, for an engine timer that re-seeds the start balance.
    qint64 msUntilRollover() const;

    // Sets the limits and the usage rebuilt from the journal. Usage of an earlier day is rolled over at
    // once (its open contracts kept). Refused (LimitLedgerBusy) while the account has reservations.
    Result<void> seed(const QString &account, const LimitConfig &config, const LedgerUsage &usage);
    // New limits; take effect for the next reserve(). Usage is kept.
    Result<void> setConfig(const QString &account, const LimitConfig &config);
    // The day's start balance. `day` must be the current day (LimitStaleDay otherwise).
    Result<void> setStartOfDayBalance(const QString &account, QDate day, Money balance);

    Result<Reservation> reserve(const QString &account, Money stake);
    // The same limits for an outstanding reservation, against the journal's view of the account instead of this
    // ledger's: `journal` is what the journal shared by every instance trading the account holds (rows of every
    // instance, not yet this buy): tradesToday, openContracts = open + pending + unknown rows, openStake = their
    // stakes, realizedPnl. Called under the account lock right before the buy is journaled, it is what keeps
    // several instances together inside one account's limits. A refusal is reserve()'s error (details.shared
    // true); the caller releases the reservation. The view is kept for snapshot(). A view of another day (the day
    // rolled over between reading and checking) is refused as LimitDayChanged (transient: the next tick reads again).
    Result<void> verify(const Reservation &reservation, const LedgerUsage &journal);
    // Keeps a fresh journal view for snapshot() and reserve() without a buy (a periodic refresh).
    Result<void> noteJournalUsage(const QString &account, const LedgerUsage &journal);
    // The buy was not made: gives back the trade (if still the same day), the slot and the stake at risk.
    // Only for reservations not yet confirmed (a confirmed contract exists and must be settled).
    Result<void> release(const Reservation &reservation);
    // The buy was made: the contract is open. Idempotent.
    Result<void> confirm(const Reservation &reservation);
    // The contract closed (confirmed or not): the slot and stake at risk are freed, profit is realized.
    Result<void> settle(const Reservation &reservation, Money profit);
    // A contract that was already open when the account was seeded (no reservation).
    Result<void> settle(const QString &account, Money stake, Money profit);

    LimitStatus snapshot(const QString &account) const;

Q_SIGNALS:
    // A reserve() was refused by one of LimitMaxStake, LimitTradesPerDay, LimitConcurrentOpen,
    // LimitDailyLoss (the same Error reserve() returned). Emitted on the caller's thread.
    void limitReached(const QString &account, const Vigil::Error &error);
    // The account's counters were reset for `day`; its start balance must be set again.
    // Emitted on the thread of the call that noticed the boundary.
    void dayRolledOver(const QString &account, QDate day);

private:
    struct Pending
    {
        Money stake;
        QDate day;
        bool confirmed = false;
    };
    struct JournalView
    {
        QDate day;
        LedgerUsage usage;
        qint64 atMs = 0;
        Money realizedAtView; // this process's realized P&L when the view was taken: settlements since add to it
    };
    struct Account
    {
        LimitConfig config;
        int digits = 2;
        QDate day;
        int trades = 0;
        Money realized;
        std::optional<Money> startBalance;
        int seededOpen = 0;
        Money seededOpenStake;
        QHash<quint64, Pending> reservations;
        int confirmed = 0;
        Money reservedStake;
        std::optional<JournalView> journal; // the shared journal's figures, last read
    };
    // What the limits are checked against: this ledger's counts, or the shared journal's.
    struct Usage
    {
        int trades = 0;
        int open = 0;
        int pending = 0;
        Money atRisk;
        Money realized;
        bool fromJournal = false;
    };
    struct Event
    {
        QString account;
        std::optional<Error> limit;
        QDate rolledTo;
    };

    qint64 dayNumber(qint64 nowMs) const;
    QDate dayOf(qint64 nowMs) const;
    QString boundaryText() const;
    // Under m_mutex. Returns true if the account rolled over to `today`.
    static bool rollOver(Account &a, QDate today);
    static LimitStatus statusOf(const QString &account, const Account &a, qint64 nowMs);
    static Usage ownUsage(const Account &a);
    // Keeps the journal's figures on the account when they are of its day (true), else ignores them.
    bool keepView(Account &a, const LedgerUsage &journal) const;
    std::optional<Error> check(const QString &account, const Account &a, const Usage &usage, Money stake) const;
    Result<Account *> accountLocked(const QString &account, QList<Event> &events);
    // Runs `change` on the account under m_mutex, then emits what it queued.
    Result<void> withAccount(const QString &account, const std::function<Result<void>(Account &)> &change);
    static Result<QHash<quint64, Pending>::iterator> outstanding(Account &a, const Reservation &reservation);
    Error limitError(const QString &account, const QString &code, const QString &message, QJsonObject details) const;
    void emitEvents(const QList<Event> &events);

    Clock &m_clock;
    const qint64 m_offsetMs;
    mutable QMutex m_mutex;
    QHash<QString, Account> m_accounts;
    quint64 m_nextId = 1;
};

} // namespace Vigil
