// SPDX-License-Identifier: GPL-3.0-or-later
#include "accountexecutor.h"

#include <memory>

#include <QJsonObject>
#include <QPointer>
#include <QScopeGuard>

#include "coordination/redisusageboard.h"
#include "deriv/derivclient.h"
#include "deriv/derivfields.h"
#include "engine/bot.h"
#include "engine/circuitbreaker.h"
#include "engine/contracttracker.h"
#include "engine/executionlocks.h"
#include "health/clock.h"
#include "health/jsonlogsink.h"
#include "health/logcategories.h"
#include "risk/ledgerusage.h"
#include "risk/limitledger.h"
#include "risk/opencontractbook.h"
#include "risk/tradinggate.h"
#include "store/dailyusage.h"
#include "store/journal.h"
#include "strategy/closedcontract.h"

namespace Vigil {

bool AccountExecutor::isTransientLimit(const Error &error)
{
    // LimitConcurrentOpen, and a LimitDailyLoss due only to stakes still at risk, clear when a contract
    // settles: the bot waits for that, it is not halted (see LimitLedger).
    return error.code.startsWith(QLatin1String("Limit")) && error.details.value(QLatin1String("transient")).toBool();
}

AccountExecutor::AccountExecutor(Context context, QObject *parent) : QObject(parent), m_ctx(std::move(context))
{
    Q_ASSERT(m_ctx.gate && m_ctx.ledger && m_ctx.locks && m_ctx.book && m_ctx.client && m_ctx.journal && m_ctx.breaker
             && m_ctx.tracker && m_ctx.clock);
}

AccountExecutor::~AccountExecutor()
{
    // Replies that will never be handled (the client drops a handler whose context is gone) must not keep the
    // book counting them: every later emergency stop would wait for them.
    for (; m_buysOnWire > 0; --m_buysOnWire)
        m_ctx.book->endBuy(m_ctx.account);
}

void AccountExecutor::refuse(Bot *bot, const Error &error)
{
    bot->strategy().onTradeAborted();
    Q_EMIT buyRefused(bot->id(), error);
}

Result<void> AccountExecutor::checkReconciled() const
{
    if (m_reconciled && m_unknownBots.isEmpty())
        return {};
    Error e = Error::make(ErrorKind::NotSent, QStringLiteral("ReconcilePending"),
                          QStringLiteral("account %1 is waiting for reconciliation").arg(m_ctx.account));
    e.account = m_ctx.account;
    return e;
}

void AccountExecutor::execute(Bot *bot, const TradeIntent &intent)
{
    if (Result<void> g = m_ctx.gate->checkBuy(m_ctx.account); !g)
        return refuse(bot, g.error());
    if (Result<void> run = m_ctx.locks->checkRun(m_ctx.account, bot->id()); !run) {
        // Its run lease was lost (another instance runs it now, or it expired while this process was frozen).
        bot->strategy().onTradeAborted();
        Error e = run.error();
        e.account = m_ctx.account;
        Q_EMIT coordinationFailed(bot->id(), e);
        return;
    }
    if (Result<void> r = checkReconciled(); !r)
        return refuse(bot, r.error());
    if (Result<void> b = m_ctx.breaker->admit(); !b)
        return refuse(bot, b.error());
    Result<Reservation> reservation = m_ctx.ledger->reserve(m_ctx.account, intent.stake);
    if (!reservation) {
        m_ctx.breaker->recordNotSent(); // give back a half-open probe slot admit() may have taken
        Error e = reservation.error();
        e.bot = bot->id();
        refuse(bot, e);
        if (e.code.startsWith(QLatin1String("Limit")) && !isTransientLimit(e))
            Q_EMIT limitReached(e);
        return;
    }
    auto cycle = std::make_shared<Cycle>();
    cycle->bot = bot->id();
    cycle->intent = intent;
    cycle->reservation = reservation.value();
    ++m_inFlight;
    bot->setActiveTrade(-1); // busy: a cycle is under way
    QPointer<Bot> guard(bot);
    m_ctx.locks->acquire(m_ctx.account, bot->id(), m_ctx.lockTimeoutMs, this,
                         [this, cycle, guard](const Result<ExecutionPermit> &permit) {
                             onPermit(cycle, permit, guard.data());
                         });
}

void AccountExecutor::onPermit(const std::shared_ptr<Cycle> &cycle, const Result<ExecutionPermit> &permit, Bot *bot)
{
    auto undo = [this, cycle, bot](const Error &error, bool coordination) {
        --m_inFlight;
        m_ctx.breaker->recordNotSent();
        (void)m_ctx.ledger->release(cycle->reservation);
        if (cycle->permit.isValid())
            m_ctx.locks->release(cycle->permit);
        if (bot) {
            bot->setActiveTrade(0);
            bot->strategy().onTradeAborted();
            if (coordination)
                Q_EMIT coordinationFailed(bot->id(), error);
            else
                Q_EMIT buyRefused(bot->id(), error);
        }
    };
    if (!permit)
        return undo(permit.error(), true);
    cycle->permit = permit.value();
    if (!bot) {
        Error e = Error::make(ErrorKind::Cancelled, QStringLiteral("BotRemoved"), QStringLiteral("bot removed"));
        return undo(e, false);
    }
    // Re-check what may have changed while waiting for the lock.
    if (Result<void> g = m_ctx.gate->checkBuy(m_ctx.account); !g)
        return undo(g.error(), false);
    // A cycle queued behind a buy whose outcome became unknown (lost reply, or a reply the journal refused
    // because another instance took the account meanwhile) must not buy on top of it.
    if (Result<void> r = checkReconciled(); !r)
        return undo(r.error(), false);
    // A bot the user paused or stopped meanwhile does not buy; one halted by a limit another bot hit still
    // holds a valid reservation and finishes its cycle (the gate, checked above and at the write, covers
    // the kill switch).
    const bool limitHalt = bot->state() == BotState::Halted && bot->machine().reason().halt == HaltReason::Limit;
    if (!bot->isTrading() && !limitHalt) {
        Error e = Error::make(ErrorKind::Cancelled, QStringLiteral("BotNotRunning"),
                              QStringLiteral("bot %1 is no longer running").arg(bot->id()));
        return undo(e, false);
    }

    // The limits once more, against the journal every instance trading this account writes to: under the account
    // lock nobody else can journal a buy of it until this one is journaled, so the count cannot go stale.
    if (Result<void> shared = verifySharedLimits(cycle->reservation); !shared) {
        Error e = shared.error();
        e.bot = cycle->bot;
        const bool halting = e.code.startsWith(QLatin1String("Limit")) && !isTransientLimit(e);
        undo(e, false);
        if (halting)
            Q_EMIT limitReached(e);
        return;
    }

    const TradeIntent &in = cycle->intent;
    Trade t;
    t.account = m_ctx.account;
    t.bot = cycle->bot;
    t.symbol = in.symbol;
    t.contractType = contractTypeName(in.contractType);
    t.duration = in.duration;
    t.durationUnit = durationUnitName(in.durationUnit);
    t.currency = in.currency;
    t.stake = in.stake;
    t.openedMs = m_ctx.clock->nowMs();
    cycle->tag = QStringLiteral("%1:%2:%3").arg(m_ctx.instanceId, cycle->bot).arg(++m_seq);
    t.requestTag = cycle->tag;
    t.fence = cycle->permit.fence;
    // Write before send: a crash after this line leaves a pending row reconciliation resolves.
    Result<qint64> localId = m_ctx.journal->insertPending(t);
    if (!localId) {
        Error e = localId.error();
        e.account = m_ctx.account;
        e.bot = cycle->bot;
        VIGIL_LOG_FAILURE(lcEngine, e);
        undo(e, false);
        Q_EMIT storageFailed(cycle->bot, e);
        return;
    }
    cycle->localId = localId.value();
    // Instances on other journals learn of this buy before anyone else can take the account lock.
    if (Result<void> shared = shareUsage(); !shared) {
        Error e = shared.error();
        e.bot = cycle->bot;
        VIGIL_LOG_FAILURE(lcEngine, e);
        (void)m_ctx.journal->markFailed(cycle->localId, QStringLiteral("not sent: ") + e.message, cycle->permit.fence);
        undo(e, false);
        return;
    }
    bot->setActiveTrade(cycle->localId);

    QJsonObject parameters{{QStringLiteral("amount"), in.stake.toJson()},
                           {QStringLiteral("basis"), in.basis},
                           {QStringLiteral("contract_type"), contractTypeName(in.contractType)},
                           {QStringLiteral("currency"), in.currency},
                           {QStringLiteral("duration"), in.duration},
                           {QStringLiteral("duration_unit"), durationUnitName(in.durationUnit)},
                           {QStringLiteral("symbol"), in.symbol}};
    if (!in.barrier.isEmpty())
        parameters.insert(QStringLiteral("barrier"), in.barrier);
    const QJsonObject request{{QStringLiteral("buy"), QStringLiteral("1")},
                              {QStringLiteral("price"), in.stake.toJson()},
                              {QStringLiteral("parameters"), parameters},
                              {QStringLiteral("passthrough"), QJsonObject{{QStringLiteral("vigil_tag"), cycle->tag}}}};
    DerivClient::RequestOptions options;
    TradingGate *gate = m_ctx.gate;
    ExecutionLocks *locks = m_ctx.locks;
    const QString account = m_ctx.account;
    const ExecutionPermit held = cycle->permit;
    options.guard = [gate, locks, account, held]() -> Result<void> {
        if (Result<void> g = gate->checkBuy(account); !g)
            return g;
        return locks->check(held);
    };
    QPointer<Bot> guard(bot);
    m_ctx.book->beginBuy(m_ctx.account); // before the guard's last check: a stop that closes the gate sees it
    ++m_buysOnWire;
    m_ctx.client->send(request, this, [this, cycle, guard](const Result<QJsonObject> &reply) {
        onBuyReply(cycle, reply, guard.data());
    }, options);
}

Result<DailyUsage> AccountExecutor::readJournalUsage(const QDate &day) const
{
    const qint64 dayStart = m_ctx.ledger->dayStartMs(day);
    Result<DailyUsage> usage = m_ctx.journal->currentUsage(m_ctx.account, dayStart, dayStart + 86'400'000, m_ctx.digits);
    if (!usage) {
        Error e = usage.error();
        e.account = m_ctx.account;
        return e;
    }
    return usage;
}

Result<LedgerUsage> AccountExecutor::accountUsage()
{
    const QDate day = m_ctx.ledger->currentDay();
    Result<DailyUsage> usage = readJournalUsage(day);
    if (!usage)
        return usage.error();
    Result<QList<UsageShare>> others = m_ctx.board ? m_ctx.board->others(m_ctx.account, usage->sequence)
                                                   : Result<QList<UsageShare>>(QList<UsageShare>());
    if (!others && others.error().code == QLatin1String("UsageShareConflict")) {
        // This journal's share in Redis is newer than the read above: another instance on this journal committed
        // and published in between (settlements do not take the account lock), or the journal was restored from a
        // backup. Read it again: only a journal still behind its own share is a restored one.
        usage = readJournalUsage(day);
        if (!usage)
            return usage.error();
        others = m_ctx.board->others(m_ctx.account, usage->sequence);
    }
    LedgerUsage view;
    view.day = day;
    view.tradesToday = usage->tradesOpened;
    view.realizedPnl = usage->realizedProfit;
    view.openContracts = usage->openCount + usage->unresolvedCount;
    view.openStake = usage->unresolvedStake;
    if (!m_ctx.board)
        return view;
    Result<UsageShare::Totals> shared = others ? UsageShare::total(others.value(), m_ctx.ledger->dayStartMs(day), m_ctx.digits)
                                               : Result<UsageShare::Totals>(others.error());
    if (!shared) {
        Error e = shared.error();
        e.account = m_ctx.account;
        return e;
    }
    view.tradesToday += shared->tradesToday;
    view.realizedPnl += shared->realizedPnl;
    view.openContracts += shared->openContracts;
    view.openStake += shared->openStake;
    view.otherJournalsTrades = shared->tradesToday;
    view.otherJournalsOpen = shared->openContracts;
    view.otherJournalsPnl = shared->realizedPnl;
    return view;
}

Result<void> AccountExecutor::shareUsage()
{
    if (!m_ctx.board)
        return {};
    const QDate day = m_ctx.ledger->currentDay();
    Result<DailyUsage> usage = readJournalUsage(day);
    if (!usage)
        return usage.error();
    UsageShare mine;
    mine.journal = m_ctx.board->journal();
    mine.instanceId = m_ctx.instanceId;
    mine.sequence = usage->sequence;
    mine.dayStartMs = m_ctx.ledger->dayStartMs(day);
    mine.tradesToday = usage->tradesOpened;
    mine.openContracts = usage->openCount + usage->unresolvedCount;
    mine.openStake = usage->unresolvedStake;
    // Buys whose contracts the journal does not know yet (the one about to be sent included): other journals'
    // reconciliation leaves a contract one of them may own alone.
    if (usage->unresolvedCount > 0) {
        Result<QList<Trade>> rows = m_ctx.journal->unresolvedTrades(m_ctx.account);
        if (!rows) {
            Error e = rows.error();
            e.account = m_ctx.account;
            return e;
        }
        for (const Trade &t : rows.value()) {
            if (t.status != TradeStatus::Pending && t.status != TradeStatus::Unknown)
                continue;
            mine.unresolvedBuys.append(UsageShare::Buy{t.openedMs, t.symbol, t.contractType, t.duration, t.durationUnit,
                                                       t.stake.minor()});
        }
        mine.unresolvedTold = mine.unresolvedBuys.size() <= UsageShare::MaxUnresolvedTold;
    }
    mine.realizedPnl = usage->realizedProfit;
    mine.publishedMs = m_ctx.clock->nowMs();
    // Not written because a newer share of this journal is there: that one counts this buy too.
    Result<bool> published = m_ctx.board->publish(m_ctx.account, mine, m_unrecordedContracts);
    if (!published) {
        Error e = published.error();
        e.account = m_ctx.account;
        return e;
    }
    m_unrecordedContracts.clear(); // recorded whether or not the share replaced a newer one
    return {};
}

void AccountExecutor::shareUsageQuietly()
{
    // A share not published only overstates what this journal uses (it was published with the buy, under the
    // account lock): the next one, or the periodic refresh, corrects it.
    if (Result<void> r = shareUsage(); !r)
        qCWarning(lcEngine).noquote() << "limit usage of" << m_ctx.account << "not shared:" << r.error().toString();
}

void AccountExecutor::shareUsageSoon()
{
    // Settlements and reconciliation come in bursts: one publish after the burst (a Redis that is down costs its
    // timeout once, not once per contract).
    if (!m_ctx.board || m_sharePending)
        return;
    m_sharePending = true;
    QMetaObject::invokeMethod(this, [this] {
        m_sharePending = false;
        shareUsageQuietly();
    }, Qt::QueuedConnection);
}

Result<void> AccountExecutor::verifySharedLimits(const Reservation &reservation)
{
    Result<LedgerUsage> view = accountUsage();
    if (!view) {
        VIGIL_LOG_FAILURE(lcEngine, view.error());
        return view.error(); // the limits cannot be checked: no buy
    }
    return m_ctx.ledger->verify(reservation, view.value());
}

void AccountExecutor::refreshSharedUsage()
{
    shareUsageQuietly();
    if (Result<LedgerUsage> view = accountUsage(); view.ok())
        (void)m_ctx.ledger->noteJournalUsage(m_ctx.account, view.value());
}

void AccountExecutor::onBuyReply(const std::shared_ptr<Cycle> &cycle, const Result<QJsonObject> &reply, Bot *bot)
{
    --m_inFlight;
    // Last (destroyed after the locks' release): a contract this buy made is in the book by then.
    struct EndBuyAtExit
    {
        OpenContractBook *book;
        QString account;
        int *onWire;
        ~EndBuyAtExit()
        {
            book->endBuy(account);
            --*onWire;
        }
    } endBuyAtExit{m_ctx.book, m_ctx.account, &m_buysOnWire};
    const qint64 fence = cycle->permit.fence;
    // The locks are released only after the reply is journaled under their fence: releasing first would let
    // another instance take the account (a higher fence) and turn this write into a stale one.
    struct ReleaseAtExit
    {
        AccountExecutor *executor;
        ExecutionLocks *locks;
        ExecutionPermit permit;
        ~ReleaseAtExit()
        {
            executor->shareUsageQuietly(); // the reply's outcome, still under the account lock
            locks->release(permit);
        }
    } releaseAtExit{this, m_ctx.locks, cycle->permit};

    if (reply.ok()) {
        const QJsonObject buy = reply->value(QLatin1String("buy")).toObject();
        const auto contractId = DerivFields::integer(buy.value(QLatin1String("contract_id")));
        const auto transactionId = DerivFields::integer(buy.value(QLatin1String("transaction_id")));
        const auto buyPrice = DerivFields::money(buy.value(QLatin1String("buy_price")), m_ctx.digits);
        const auto payout = DerivFields::money(buy.value(QLatin1String("payout")), m_ctx.digits);
        const auto purchase = DerivFields::integer(buy.value(QLatin1String("purchase_time")));
        m_ctx.breaker->recordSuccess();
        (void)m_ctx.ledger->confirm(cycle->reservation);
        m_reservations.insert(cycle->localId, cycle->reservation);
        if (!contractId || !buyPrice || !payout) {
            // Bought, but the reply cannot be read: treat as unknown so reconciliation fills it in.
            Error e = Error::make(ErrorKind::Protocol, QStringLiteral("BadBuyReply"),
                                  QStringLiteral("buy reply without contract_id/buy_price/payout"));
            e.account = m_ctx.account;
            e.bot = cycle->bot;
            e.msgType = QStringLiteral("buy");
            VIGIL_LOG_FAILURE(lcEngine, e);
            (void)m_ctx.journal->markUnknown(cycle->localId, e.message, fence);
            m_unknownBots.insert(cycle->localId, cycle->bot);
            Q_EMIT outcomeUnknown(cycle->bot, cycle->localId, e);
            return;
        }
        const qint64 openedMs = purchase ? *purchase * 1000 : m_ctx.clock->nowMs();
        Result<void> w = m_ctx.journal->markOpen(cycle->localId, *contractId, transactionId.value_or(0), *buyPrice,
                                                 *payout, openedMs, fence);
        if (!w) {
            Error refusal = w.error();
            refusal.msgType = QStringLiteral("buy");
            refusal.reqId = DerivFields::integer(reply->value(QLatin1String("req_id"))).value_or(0);
            return onUnrecordedBuy(cycle, *contractId, refusal, bot);
        }
        m_ctx.book->add(m_ctx.account, *contractId);
        m_ctx.tracker->follow(cycle->localId, *contractId);
        if (m_ctx.board)
            m_unrecordedContracts.append(*contractId); // recorded by the share published before the locks go
        if (bot)
            bot->recordOpened();
        Result<std::optional<Trade>> row = m_ctx.journal->trade(cycle->localId);
        if (row.ok() && row.value())
            Q_EMIT tradeOpened(cycle->bot, *row.value());
        return;
    }

    const Error &error = reply.error();
    if (error.isOutcomeUnknown()) {
        // The buy may have happened. Never re-send: the row stays "unknown", the reservation stays counted,
        // the bot waits, and reconciliation decides.
        (void)m_ctx.journal->markUnknown(cycle->localId, error.toString(), fence);
        m_reservations.insert(cycle->localId, cycle->reservation);
        m_unknownBots.insert(cycle->localId, cycle->bot);
        m_ctx.breaker->recordFailure(error);
        Error e = error;
        e.account = m_ctx.account;
        e.bot = cycle->bot;
        VIGIL_LOG_ERROR(lcEngine, e);
        Q_EMIT outcomeUnknown(cycle->bot, cycle->localId, e);
        return;
    }
    // Not bought: rejected by the server, refused by the guard, rate limited, cancelled.
    (void)m_ctx.journal->markFailed(cycle->localId, error.toString(), fence);
    (void)m_ctx.ledger->release(cycle->reservation);
    if (error.kind == ErrorKind::NotSent || error.kind == ErrorKind::Cancelled)
        m_ctx.breaker->recordNotSent();
    else
        m_ctx.breaker->recordFailure(error); // only server faults count (CircuitBreaker::countsAsFault)
    if (bot) {
        bot->setActiveTrade(0);
        bot->strategy().onTradeAborted();
        bot->setLastError(error.toString());
    }
    Error e = error;
    e.account = m_ctx.account;
    e.bot = cycle->bot;
    if (e.msgType.isEmpty())
        e.msgType = QStringLiteral("buy");
    VIGIL_LOG_ERROR(lcEngine, e);
    if (error.kind == ErrorKind::NotSent || error.kind == ErrorKind::Cancelled)
        Q_EMIT buyRefused(cycle->bot, e);
    else
        Q_EMIT buyFailed(cycle->bot, e);
}

void AccountExecutor::onUnrecordedBuy(const std::shared_ptr<Cycle> &cycle, qint64 contractId, const Error &refusal, Bot *bot)
{
    // The contract exists on the server, whatever the journal said: the kill switch must be able to sell it.
    m_ctx.book->add(m_ctx.account, contractId);
    Error e = refusal;
    e.account = m_ctx.account;
    e.bot = cycle->bot;
    VIGIL_LOG_FAILURE(lcEngine, e);
    if (refusal.code == QLatin1String("DuplicateContract") && joinRecordedContract(cycle, contractId, bot))
        return;
    // A stale fence or a storage failure: the row stays pending and is not followed under this id (it could never be
    // settled from "pending"); the bot waits and reconciliation records the contract — here, or in the instance that
    // now holds the account.
    m_unknownBots.insert(cycle->localId, cycle->bot);
    Q_EMIT outcomeUnknown(cycle->bot, cycle->localId, e);
}

bool AccountExecutor::joinRecordedContract(const std::shared_ptr<Cycle> &cycle, qint64 contractId, Bot *bot)
{
    // The contract is journaled on another row already: reconciliation adopted it while this reply was on its way
    // (or a server repeated an id). That row is the record of this buy; this one is closed as its duplicate, and the
    // bot follows the recorded one. The reservation moves with the contract unless the ledger already counts it.
    Result<std::optional<Trade>> found = m_ctx.journal->tradeByContract(m_ctx.account, contractId);
    if (!found.ok() || !found.value() || found.value()->localId == cycle->localId)
        return false;
    const Trade recorded = *found.value();
    if (recorded.status != TradeStatus::Open && !isSettledStatus(recorded.status))
        return false;
    const QString reason = QStringLiteral("contract %1 is already journaled as trade %2; this row was a second record of it")
                               .arg(contractId).arg(recorded.localId);
    if (!m_ctx.journal->markFailed(cycle->localId, reason, cycle->permit.fence))
        return false;
    const Reservation reservation = m_reservations.take(cycle->localId);
    const bool counted = m_reservations.contains(recorded.localId) || m_seededStakes.contains(recorded.localId);
    if (bot && bot->activeTrade() == cycle->localId)
        bot->setActiveTrade(0);
    if (recorded.status == TradeStatus::Open) {
        if (counted)
            (void)m_ctx.ledger->release(reservation);
        else
            m_reservations.insert(recorded.localId, reservation);
        adoptOpen(recorded, bot);
        if (bot)
            bot->recordOpened();
        Q_EMIT tradeOpened(cycle->bot, recorded);
        return true;
    }
    m_ctx.book->remove(m_ctx.account, contractId);
    const Money profit = recorded.profit.value_or(Money::zero(m_ctx.digits));
    if (counted)
        (void)m_ctx.ledger->release(reservation);
    else
        (void)m_ctx.ledger->settle(reservation, profit);
    if (bot) {
        bot->strategy().onContractClosed(
            ClosedContract::fromSettlement(contractId, recorded.buyPrice.value_or(recorded.stake), profit));
        bot->recordClosed(profit);
    }
    Q_EMIT tradeClosed(cycle->bot, recorded);
    return true;
}

qint64 AccountExecutor::settleFence() const
{
    // Settlement records the server's facts, not a decision to trade: it is written under the newest fence
    // the journal knows, so a contract bought before another instance took the lock can still be closed.
    Result<qint64> f = m_ctx.journal->highestFence(m_ctx.account);
    return f.ok() ? f.value() : 0;
}

void AccountExecutor::onSettled(qint64 localId, const ContractSettlement &s, Bot *bot)
{
    m_ctx.book->remove(m_ctx.account, s.contractId);
    TradeStatus status = TradeStatus::Lost;
    if (s.status == QLatin1String("sold"))
        status = TradeStatus::Sold;
    else if (s.status == QLatin1String("won"))
        status = TradeStatus::Won;
    else if (s.profit.isZero() && s.status != QLatin1String("lost"))
        status = TradeStatus::Void;
    // Another instance may take the account (a newer fence) between reading the fence and writing: read it again.
    Result<void> w = Error();
    for (int attempt = 0; attempt < 5; ++attempt) {
        w = m_ctx.journal->settle(localId, status, s.sellPrice, s.profit, s.closedMs,
                                  QStringLiteral("settled by server: %1").arg(s.status), settleFence());
        if (w || w.error().kind != ErrorKind::Coordination)
            break;
    }
    if (!w) {
        Error e = w.error();
        e.account = m_ctx.account;
        VIGIL_LOG_FAILURE(lcEngine, e);
    }
    if (auto it = m_reservations.find(localId); it != m_reservations.end()) {
        (void)m_ctx.ledger->settle(it.value(), s.profit);
        m_reservations.erase(it);
    } else if (auto seeded = m_seededStakes.find(localId); seeded != m_seededStakes.end()) {
        (void)m_ctx.ledger->settle(m_ctx.account, seeded.value(), s.profit);
        m_seededStakes.erase(seeded);
    }
    if (bot) {
        if (bot->activeTrade() == localId)
            bot->setActiveTrade(0);
        bot->strategy().onContractClosed(ClosedContract::fromSettlement(s.contractId, s.buyPrice, s.profit));
        bot->recordClosed(s.profit);
    }
    shareUsageSoon();
    Result<std::optional<Trade>> row = m_ctx.journal->trade(localId);
    if (row.ok() && row.value())
        Q_EMIT tradeClosed(row.value()->bot, *row.value());
}

void AccountExecutor::adoptOpen(const Trade &trade, Bot *bot)
{
    if (trade.status != TradeStatus::Open || trade.contractId <= 0)
        return;
    if (!m_reservations.contains(trade.localId))
        m_seededStakes.insert(trade.localId, trade.stake);
    if (bot && bot->activeTrade() == 0)
        bot->setActiveTrade(trade.localId);
    m_ctx.book->add(m_ctx.account, trade.contractId);
    m_ctx.tracker->follow(trade.localId, trade.contractId);
}

void AccountExecutor::applyResolved(const Trade &after, Bot *bot)
{
    const auto shareAtExit = qScopeGuard([this] { shareUsageSoon(); });
    if (after.status != TradeStatus::Open && after.contractId > 0)
        m_ctx.book->remove(m_ctx.account, after.contractId);
    m_unknownBots.remove(after.localId);
    const auto reservation = m_reservations.constFind(after.localId);
    const bool reserved = reservation != m_reservations.constEnd();
    switch (after.status) {
    case TradeStatus::Open:
        if (reserved)
            (void)m_ctx.ledger->confirm(reservation.value());
        adoptOpen(after, bot);
        break;
    case TradeStatus::Failed:
    case TradeStatus::Stale:
        if (reserved) {
            (void)m_ctx.ledger->release(reservation.value());
            m_reservations.remove(after.localId);
        } else if (auto seeded = m_seededStakes.find(after.localId); seeded != m_seededStakes.end()) {
            (void)m_ctx.ledger->settle(m_ctx.account, seeded.value(), Money::zero(m_ctx.digits));
            m_seededStakes.erase(seeded);
        }
        m_ctx.tracker->forget(after.contractId);
        if (bot && bot->activeTrade() == after.localId) {
            bot->setActiveTrade(0);
            bot->strategy().onTradeAborted();
        }
        break;
    case TradeStatus::Won:
    case TradeStatus::Lost:
    case TradeStatus::Sold:
    case TradeStatus::Void: {
        const Money profit = after.profit.value_or(Money::zero(m_ctx.digits));
        if (reserved) {
            (void)m_ctx.ledger->settle(reservation.value(), profit);
            m_reservations.remove(after.localId);
        } else if (auto seeded = m_seededStakes.find(after.localId); seeded != m_seededStakes.end()) {
            (void)m_ctx.ledger->settle(m_ctx.account, seeded.value(), profit);
            m_seededStakes.erase(seeded);
        }
        m_ctx.tracker->forget(after.contractId);
        if (bot) {
            if (bot->activeTrade() == after.localId)
                bot->setActiveTrade(0);
            bot->strategy().onContractClosed(ClosedContract::fromSettlement(after.contractId,
                                                                            after.buyPrice.value_or(after.stake), profit));
            bot->recordClosed(profit);
        }
        Q_EMIT tradeClosed(after.bot, after);
        break;
    }
    case TradeStatus::Pending:
    case TradeStatus::Unknown:
        m_unknownBots.insert(after.localId, after.bot);
        break;
    }
}

} // namespace Vigil
