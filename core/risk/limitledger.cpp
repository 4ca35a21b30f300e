// SPDX-License-Identifier: GPL-3.0-or-later
#include "limitledger.h"

#include <QMutexLocker>
#include <QTime>

#include "health/logcategories.h"

namespace Vigil {

namespace {
constexpr qint64 s_dayMs = 86'400'000;
// How long the shared journal's figures of open contracts and P&L are shown after they were read.
constexpr qint64 s_journalViewFreshMs = 30'000;

qint64 floorDiv(qint64 a, qint64 b)
{
    const qint64 q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

Error ledgerError(ErrorKind kind, const QString &code, const QString &account, const QString &message)
{
    Error e = Error::make(kind, code, account + QStringLiteral(": ") + message);
    e.account = account;
    return e;
}

Money worstCaseLoss(Money atRisk, Money realized)
{
    return atRisk - realized;
}
} // namespace

LimitLedger::LimitLedger(Clock &clock, qint64 dayStartOffsetMs, QObject *parent)
    : QObject(parent), m_clock(clock), m_offsetMs(dayStartOffsetMs)
{
}

LimitLedger::~LimitLedger() = default;

qint64 LimitLedger::dayNumber(qint64 nowMs) const
{
    return floorDiv(nowMs - m_offsetMs, s_dayMs);
}

QDate LimitLedger::dayOf(qint64 nowMs) const
{
    return QDate(1970, 1, 1).addDays(dayNumber(nowMs));
}

QDate LimitLedger::currentDay() const
{
    return dayOf(m_clock.nowMs());
}

qint64 LimitLedger::dayStartMs(QDate day) const
{
    return QDate(1970, 1, 1).daysTo(day) * s_dayMs + m_offsetMs;
}

qint64 LimitLedger::msUntilRollover() const
{
    const qint64 now = m_clock.nowMs();
    return (dayNumber(now) + 1) * s_dayMs + m_offsetMs - now;
}

QString LimitLedger::boundaryText() const
{
    const qint64 ms = ((m_offsetMs % s_dayMs) + s_dayMs) % s_dayMs;
    return QTime::fromMSecsSinceStartOfDay(int(ms)).toString(QStringLiteral("HH:mm")) + QStringLiteral(" UTC");
}

bool LimitLedger::rollOver(Account &a, QDate today)
{
    if (a.day == today)
        return false;
    a.day = today;
    a.trades = 0;
    a.realized = Money::zero(a.digits);
    a.startBalance.reset();
    return true;
}

Result<LimitLedger::Account *> LimitLedger::accountLocked(const QString &account, QList<Event> &events)
{
    const auto it = m_accounts.find(account);
    if (it == m_accounts.end()) {
        return ledgerError(ErrorKind::NotSent, QStringLiteral("LimitNotSeeded"), account,
                           QStringLiteral("the risk limits of this account are not loaded yet (today's usage is "
                                          "unknown), so no buy is allowed"));
    }
    const QDate today = currentDay();
    if (rollOver(it.value(), today))
        events.append(Event{account, std::nullopt, today});
    return &it.value();
}

Error LimitLedger::limitError(const QString &account, const QString &code, const QString &message,
                              QJsonObject details) const
{
    Error e = ledgerError(ErrorKind::NotSent, code, account, message + QStringLiteral("; sells are never blocked"));
    details.insert(QStringLiteral("limit"), code);
    e.details = details;
    return e;
}

void LimitLedger::emitEvents(const QList<Event> &events)
{
    for (const Event &ev : events) {
        if (ev.rolledTo.isValid()) {
            qCInfo(lcRisk).noquote() << "limits of" << ev.account << "rolled over to" << ev.rolledTo.toString(Qt::ISODate);
            Q_EMIT dayRolledOver(ev.account, ev.rolledTo);
        }
        if (ev.limit) {
            qCInfo(lcRisk).noquote() << ev.limit->message;
            Q_EMIT limitReached(ev.account, *ev.limit);
        }
    }
}

Result<void> LimitLedger::seed(const QString &account, const LimitConfig &config, const LedgerUsage &usage)
{
    if (Result<void> r = config.validate(); !r) {
        Error e = r.error();
        e.account = account;
        return e;
    }
    const int digits = usage.realizedPnl.digits();
    const auto invalid = [&](const QString &why) {
        return ledgerError(ErrorKind::InvalidInput, QStringLiteral("InvalidDailyUsage"), account, why);
    };
    if (usage.tradesToday < 0 || usage.openContracts < 0 || usage.openStake.isNegative())
        return invalid(QStringLiteral("usage counts cannot be negative"));
    if (usage.openStake.digits() != digits || (usage.startOfDayBalance && usage.startOfDayBalance->digits() != digits))
        return invalid(QStringLiteral("amounts of different precision"));
    if (usage.openContracts == 0 && !usage.openStake.isZero())
        return invalid(QStringLiteral("an open stake without open contracts"));
    if (usage.startOfDayBalance && usage.startOfDayBalance->isNegative())
        return invalid(QStringLiteral("negative start-of-day balance"));

    QList<Event> events;
    {
        QMutexLocker lock(&m_mutex);
        const auto it = m_accounts.constFind(account);
        if (it != m_accounts.cend() && !it->reservations.isEmpty()) {
            return ledgerError(ErrorKind::Internal, QStringLiteral("LimitLedgerBusy"), account,
                               QStringLiteral("cannot re-seed limits while %1 reservation(s) are outstanding")
                                   .arg(it->reservations.size()));
        }
        Account a;
        a.config = config;
        a.digits = digits;
        a.day = usage.day.isValid() ? usage.day : currentDay();
        a.trades = usage.tradesToday;
        a.realized = usage.realizedPnl;
        a.startBalance = usage.startOfDayBalance;
        a.seededOpen = usage.openContracts;
        a.seededOpenStake = usage.openStake;
        a.reservedStake = Money::zero(digits);
        const QDate today = currentDay();
        if (rollOver(a, today))
            events.append(Event{account, std::nullopt, today});
        m_accounts.insert(account, a);
    }
    emitEvents(events);
    return {};
}

Result<void> LimitLedger::setConfig(const QString &account, const LimitConfig &config)
{
    if (Result<void> r = config.validate(); !r) {
        Error e = r.error();
        e.account = account;
        return e;
    }
    QList<Event> events;
    Result<void> result;
    {
        QMutexLocker lock(&m_mutex);
        Result<Account *> a = accountLocked(account, events);
        if (a)
            a.value()->config = config;
        else
            result = a.error();
    }
    emitEvents(events);
    return result;
}

Result<void> LimitLedger::setStartOfDayBalance(const QString &account, QDate day, Money balance)
{
    QList<Event> events;
    Result<void> result;
    {
        QMutexLocker lock(&m_mutex);
        Result<Account *> a = accountLocked(account, events);
        if (!a) {
            result = a.error();
        } else if (day != a.value()->day) {
            result = ledgerError(ErrorKind::InvalidInput, QStringLiteral("LimitStaleDay"), account,
                                 QStringLiteral("start balance given for %1 but the ledger day is %2")
                                     .arg(day.toString(Qt::ISODate), a.value()->day.toString(Qt::ISODate)));
        } else if (balance.isNegative() || balance.digits() != a.value()->digits) {
            result = ledgerError(ErrorKind::InvalidInput, QStringLiteral("InvalidDailyUsage"), account,
                                 QStringLiteral("invalid start-of-day balance %1").arg(balance.toString()));
        } else {
            a.value()->startBalance = balance;
        }
    }
    emitEvents(events);
    return result;
}

std::optional<Error> LimitLedger::check(const QString &account, const Account &a, const Usage &u, Money stake) const
{
    const LimitConfig &c = a.config;
    if (stake.minor() <= 0 || stake.digits() != a.digits) {
        return ledgerError(ErrorKind::InvalidInput, QStringLiteral("InvalidStake"), account,
                           QStringLiteral("stake %1 is not a positive amount in the account's currency")
                               .arg(stake.toString()));
    }
    if (!a.startBalance) {
        return ledgerError(ErrorKind::NotSent, QStringLiteral("LimitDayNotSeeded"), account,
                           QStringLiteral("the start-of-day balance for %1 is not known yet, so the daily "
                                          "loss limit cannot be checked; no buy until it is set")
                               .arg(a.day.toString(Qt::ISODate)));
    }
    const QString whose = u.fromJournal ? QStringLiteral(" (every instance trading this account, per the shared journal)")
                                        : QString();
    if (c.maxStake && stake > *c.maxStake) {
        return limitError(account, QStringLiteral("LimitMaxStake"),
                          QStringLiteral("stake %1 is above the account's max stake %2")
                              .arg(stake.toString(), c.maxStake->toString()),
                          {{QStringLiteral("used"), stake.toString()},
                           {QStringLiteral("max"), c.maxStake->toString()},
                           {QStringLiteral("transient"), false}});
    }
    if (u.trades + 1 > c.maxTradesPerDay) {
        return limitError(account, QStringLiteral("LimitTradesPerDay"),
                          QStringLiteral("daily trade limit reached (%1 of %2 trades today%3); new buys are "
                                         "blocked until the day rolls over at %4")
                              .arg(u.trades)
                              .arg(c.maxTradesPerDay)
                              .arg(whose, boundaryText()),
                          {{QStringLiteral("used"), u.trades},
                           {QStringLiteral("max"), c.maxTradesPerDay},
                           {QStringLiteral("shared"), u.fromJournal},
                           {QStringLiteral("transient"), false}});
    }
    if (u.open + u.pending + 1 > c.maxConcurrentOpen) {
        return limitError(account, QStringLiteral("LimitConcurrentOpen"),
                          QStringLiteral("%1 of %2 contracts are open or being bought%3; a new buy waits "
                                         "until one settles")
                              .arg(u.open + u.pending)
                              .arg(c.maxConcurrentOpen)
                              .arg(whose),
                          {{QStringLiteral("used"), u.open + u.pending},
                           {QStringLiteral("open"), u.open},
                           {QStringLiteral("pending"), u.pending},
                           {QStringLiteral("max"), c.maxConcurrentOpen},
                           {QStringLiteral("shared"), u.fromJournal},
                           {QStringLiteral("transient"), true}});
    }
    const Money limit = c.dailyLossLimit(*a.startBalance);
    const Money worst = worstCaseLoss(u.atRisk + stake, u.realized);
    if (worst <= limit)
        return std::nullopt;
    const bool transient = worstCaseLoss(stake, u.realized) <= limit;
    return limitError(account, QStringLiteral("LimitDailyLoss"),
                      QStringLiteral("daily loss limit %1 (%2): a %3 stake could bring today's loss to %4 "
                                     "(realized P&L %5, at risk in open contracts %6%7)")
                          .arg(limit.toString(), c.describeDailyLoss(), stake.toString(), worst.toString(),
                               u.realized.toString(), u.atRisk.toString(), whose),
                      {{QStringLiteral("used"), worstCaseLoss(u.atRisk, u.realized).toString()},
                       {QStringLiteral("max"), limit.toString()},
                       {QStringLiteral("stake"), stake.toString()},
                       {QStringLiteral("realized_pnl"), u.realized.toString()},
                       {QStringLiteral("at_risk"), u.atRisk.toString()},
                       {QStringLiteral("shared"), u.fromJournal},
                       {QStringLiteral("transient"), transient}});
}

LimitLedger::Usage LimitLedger::ownUsage(const Account &a)
{
    Usage u;
    u.trades = a.trades;
    u.open = a.seededOpen + a.confirmed;
    u.pending = int(a.reservations.size()) - a.confirmed;
    u.atRisk = a.seededOpenStake + a.reservedStake;
    u.realized = a.realized;
    // Not the shared journal's figures: a read may have counted a buy that failed since (its trade given back), and a
    // refusal here halts the bots. verify() decides with a fresh read, under the account lock.
    return u;
}

Result<Reservation> LimitLedger::reserve(const QString &account, Money stake)
{
    QList<Event> events;
    std::optional<Error> refusal;
    Reservation reservation;
    {
        QMutexLocker lock(&m_mutex);
        Result<Account *> found = accountLocked(account, events);
        if (!found) {
            refusal = found.error();
        } else {
            Account &a = *found.value();
            refusal = check(account, a, ownUsage(a), stake);
            if (!refusal) {
                reservation.id = m_nextId++;
                reservation.account = account;
                reservation.stake = stake;
                reservation.day = a.day;
                a.trades += 1;
                a.reservedStake += stake;
                a.reservations.insert(reservation.id, Pending{stake, a.day, false});
            }
            // Only the four limits are "reached"; missing data (not seeded) and bad input are not.
            if (refusal && refusal->details.contains(QLatin1String("limit")))
                events.append(Event{account, refusal, QDate()});
        }
    }
    emitEvents(events);
    if (refusal)
        return *refusal;
    return reservation;
}

Result<void> LimitLedger::verify(const Reservation &reservation, const LedgerUsage &journal)
{
    QList<Event> events;
    std::optional<Error> refusal;
    {
        QMutexLocker lock(&m_mutex);
        Result<Account *> found = accountLocked(reservation.account, events);
        if (!found) {
            refusal = found.error();
        } else if (!found.value()->reservations.contains(reservation.id)) {
            refusal = ledgerError(ErrorKind::Internal, QStringLiteral("LimitUnknownReservation"), reservation.account,
                                  QStringLiteral("reservation %1 is not outstanding").arg(reservation.id));
        } else {
            Account &a = *found.value();
            if (!keepView(a, journal)) {
                Error e = ledgerError(ErrorKind::NotSent, QStringLiteral("LimitDayChanged"), reservation.account,
                                      QStringLiteral("the trading day rolled over while the limits were checked; "
                                                     "the next attempt checks the new day"));
                e.details = QJsonObject{{QStringLiteral("transient"), true}};
                refusal = e;
            } else {
                Usage u;
                u.fromJournal = true;
                u.trades = journal.tradesToday;
                u.open = journal.openContracts;
                u.atRisk = journal.openStake;
                u.realized = journal.realizedPnl;
                refusal = check(reservation.account, a, u, reservation.stake);
            }
            if (refusal && refusal->details.contains(QLatin1String("limit")))
                events.append(Event{reservation.account, refusal, QDate()});
        }
    }
    emitEvents(events);
    if (refusal)
        return *refusal;
    return {};
}

Result<void> LimitLedger::noteJournalUsage(const QString &account, const LedgerUsage &journal)
{
    return withAccount(account, [this, &journal](Account &a) -> Result<void> {
        (void)keepView(a, journal);
        return {};
    });
}

bool LimitLedger::keepView(Account &a, const LedgerUsage &journal) const
{
    const QDate day = journal.day.isValid() ? journal.day : a.day;
    if (day != a.day)
        return false;
    a.journal = JournalView{day, journal, m_clock.nowMs(), a.realized};
    return true;
}

Result<void> LimitLedger::withAccount(const QString &account, const std::function<Result<void>(Account &)> &change)
{
    QList<Event> events;
    Result<void> result;
    {
        QMutexLocker lock(&m_mutex);
        Result<Account *> found = accountLocked(account, events);
        result = found ? change(*found.value()) : Result<void>(found.error());
    }
    // Signals leave the ledger only after the mutex is released: a receiver may call back into it.
    emitEvents(events);
    return result;
}

Result<QHash<quint64, LimitLedger::Pending>::iterator> LimitLedger::outstanding(Account &a,
                                                                                 const Reservation &reservation)
{
    const auto it = a.reservations.find(reservation.id);
    if (it == a.reservations.end())
        return ledgerError(ErrorKind::Internal, QStringLiteral("LimitUnknownReservation"), reservation.account,
                           QStringLiteral("reservation %1 is not outstanding (already released or settled)")
                               .arg(reservation.id));
    return it;
}

Result<void> LimitLedger::release(const Reservation &reservation)
{
    return withAccount(reservation.account, [&reservation](Account &a) -> Result<void> {
        const auto found = outstanding(a, reservation);
        if (!found)
            return found.error();
        const auto it = found.value();
        if (it->confirmed)
            return ledgerError(ErrorKind::Internal, QStringLiteral("LimitReservationConfirmed"), reservation.account,
                               QStringLiteral("reservation %1 was confirmed as bought; settle it instead of "
                                              "releasing it")
                                   .arg(reservation.id));
        if (it->day == a.day && a.trades > 0)
            a.trades -= 1;
        a.reservedStake -= it->stake;
        a.reservations.erase(it);
        return {};
    });
}

Result<void> LimitLedger::confirm(const Reservation &reservation)
{
    return withAccount(reservation.account, [&reservation](Account &a) -> Result<void> {
        const auto found = outstanding(a, reservation);
        if (!found)
            return found.error();
        if (!found.value()->confirmed) {
            found.value()->confirmed = true;
            a.confirmed += 1;
        }
        return {};
    });
}

Result<void> LimitLedger::settle(const Reservation &reservation, Money profit)
{
    return withAccount(reservation.account, [&reservation, profit](Account &a) -> Result<void> {
        const auto found = outstanding(a, reservation);
        if (!found)
            return found.error();
        if (profit.digits() != a.digits)
            return ledgerError(ErrorKind::InvalidInput, QStringLiteral("InvalidStake"), reservation.account,
                               QStringLiteral("profit %1 is not in the account's currency").arg(profit.toString()));
        const auto it = found.value();
        if (it->confirmed)
            a.confirmed -= 1;
        a.reservedStake -= it->stake;
        a.realized += profit;
        a.reservations.erase(it);
        return {};
    });
}

Result<void> LimitLedger::settle(const QString &account, Money stake, Money profit)
{
    return withAccount(account, [&account, stake, profit](Account &a) -> Result<void> {
        if (stake.digits() != a.digits || profit.digits() != a.digits)
            return ledgerError(ErrorKind::InvalidInput, QStringLiteral("InvalidStake"), account,
                               QStringLiteral("amounts not in the account's currency"));
        if (a.seededOpen <= 0 || stake > a.seededOpenStake || stake.isNegative())
            return ledgerError(ErrorKind::Internal, QStringLiteral("LimitUnknownContract"), account,
                               QStringLiteral("no contract of stake %1 was open when the limits were loaded "
                                              "(%2 open, %3 at risk)")
                                   .arg(stake.toString())
                                   .arg(a.seededOpen)
                                   .arg(a.seededOpenStake.toString()));
        a.seededOpen -= 1;
        a.seededOpenStake -= stake;
        if (a.seededOpen == 0)
            a.seededOpenStake = Money::zero(a.digits); // never leave stake at risk without a contract
        a.realized += profit;
        return {};
    });
}

LimitStatus LimitLedger::statusOf(const QString &account, const Account &a, qint64 nowMs)
{
    LimitStatus s;
    s.account = account;
    s.day = a.day;
    s.seeded = true;
    s.startBalanceKnown = a.startBalance.has_value();
    s.tradesToday = a.trades;
    s.maxTradesPerDay = a.config.maxTradesPerDay;
    s.openContracts = a.seededOpen + a.confirmed;
    s.pendingContracts = int(a.reservations.size()) - a.confirmed;
    s.maxConcurrentOpen = a.config.maxConcurrentOpen;
    s.realizedPnl = a.realized;
    s.stakeAtRisk = a.seededOpenStake + a.reservedStake;
    // Other instances sharing the journal: their trades count for the day; their open contracts and P&L show
    // while the journal's figures are recent (this instance's own ones are in both views; its settlements after
    // the read are added to the read's P&L, so each instance shows the same figure for the account).
    if (a.journal && a.journal->day == a.day) {
        const LedgerUsage &j = a.journal->usage;
        s.tradesToday = qMax(s.tradesToday, j.tradesToday);
        s.otherJournalsTrades = j.otherJournalsTrades;
        if (nowMs - a.journal->atMs <= s_journalViewFreshMs) {
            s.otherJournalsOpen = j.otherJournalsOpen;
            s.otherJournalsPnl = j.otherJournalsPnl;
            s.openContracts = qMax(s.openContracts, j.openContracts - s.pendingContracts);
            if (j.openStake > s.stakeAtRisk)
                s.stakeAtRisk = j.openStake;
            // The account's P&L: every instance's settlements the view counted, plus this one's since.
            s.realizedPnl = j.realizedPnl + (a.realized - a.journal->realizedAtView);
        }
    }
    const Money worst = worstCaseLoss(s.stakeAtRisk, s.realizedPnl);
    s.lossUsed = worst.isNegative() ? Money::zero(a.digits) : worst;
    s.dailyLossRule = a.config.describeDailyLoss();
    if (a.config.dailyLossAbsolute)
        s.dailyLossLimit = a.config.dailyLossAbsolute;
    else if (a.startBalance)
        s.dailyLossLimit = a.config.dailyLossLimit(*a.startBalance);
    s.maxStake = a.config.maxStake;
    s.startOfDayBalance = a.startBalance;

    if (!s.startBalanceKnown)
        s.exhausted.append(QStringLiteral("LimitDayNotSeeded"));
    if (s.tradesToday >= s.maxTradesPerDay)
        s.exhausted.append(QStringLiteral("LimitTradesPerDay"));
    if (s.openContracts + s.pendingContracts >= s.maxConcurrentOpen)
        s.exhausted.append(QStringLiteral("LimitConcurrentOpen"));
    if (s.dailyLossLimit && worst >= *s.dailyLossLimit)
        s.exhausted.append(QStringLiteral("LimitDailyLoss"));
    return s;
}

LimitStatus LimitLedger::snapshot(const QString &account) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_accounts.constFind(account);
    if (it == m_accounts.cend()) {
        LimitStatus s;
        s.account = account;
        s.day = currentDay();
        s.exhausted.append(QStringLiteral("LimitNotSeeded"));
        return s;
    }
    Account copy = it.value(); // shows the rolled-over view without changing state in a const call
    rollOver(copy, currentDay());
    return statusOf(account, copy, m_clock.nowMs());
}

} // namespace Vigil
