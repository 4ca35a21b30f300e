// SPDX-License-Identifier: GPL-3.0-or-later
#include "accountworker.h"

#include <algorithm>
#include <memory>
#include <tuple>
#include <utility>

#include <QDateTime>
#include <QJsonArray>
#include <QTimer>
#include <QtNumeric>

#include "accounts/sessionregistry.h"
#include "accounts/tokenfingerprint.h"
#include "coordination/coordinationerror.h"
#include "coordination/redisusageboard.h"
#include "deriv/derivclient.h"
#include "deriv/derivfields.h"
#include "engine/accountexecutor.h"
#include "engine/bot.h"
#include "engine/contracttracker.h"
#include "engine/executionlocks.h"
#include "health/clock.h"
#include "health/jsonlogsink.h"
#include "health/logcategories.h"
#include "reconcile/instanceliveness.h"
#include "reconcile/reconciler.h"
#include "risk/ledgerusage.h"
#include "risk/limitledger.h"
#include "risk/tradinggate.h"
#include "store/journal.h"
#include "strategy/strategyfactory.h"

namespace Vigil {

AccountWorker::AccountWorker(Config config, EngineShared shared)
    : m_config(std::move(config)), m_shared(std::move(shared))
{
    setObjectName(QStringLiteral("account-") + m_config.account.id);
}

AccountWorker::~AccountWorker()
{
    // Children (client, tracker, executor, bots) go before the journal they write to.
    qDeleteAll(m_bots);
    m_bots.clear();
    delete m_reconciler;
    delete m_executor;
    delete m_tracker;
    delete m_client;
}

Bot *AccountWorker::bot(const QString &id) const
{
    return m_bots.value(id, nullptr);
}

void AccountWorker::raise(EngineEvent::Level level, EngineEvent::Kind kind, const QString &botId,
                          const QString &message, const QJsonObject &details)
{
    EngineEvent e;
    e.level = level;
    e.kind = kind;
    e.account = m_loginId.isEmpty() ? m_config.account.id : m_loginId;
    e.bot = botId;
    e.message = message;
    e.details = details;
    e.atMs = m_shared.clock->nowMs();
    Q_EMIT eventRaised(e);
    markDirty();
}

void AccountWorker::start()
{
    openJournal(1);
}

void AccountWorker::openJournal(int attempt)
{
    if (m_shuttingDown)
        return;
    JournalConfig jc;
    jc.url = m_config.journalUrl;
    Result<std::unique_ptr<Journal>> journal = Journal::open(jc);
    // Several workers opening a fresh SQLite journal at once can meet "database is locked" (SQLite does not
    // always wait on its busy handler there): a moment later it opens. It used to leave the account dead.
    constexpr int maxAttempts = 5;
    if (!journal && journal.error().code == QLatin1String("Busy") && attempt < maxAttempts) {
        qCWarning(lcEngine).noquote() << m_config.account.id << "journal busy at open (attempt" << attempt << "), trying again:"
                                      << journal.error().message;
        QTimer::singleShot(200 * attempt, this, [this, attempt] { openJournal(attempt + 1); });
        return;
    }
    if (!journal) {
        m_lastError = journal.error().toString();
        VIGIL_LOG_FAILURE(lcEngine, journal.error());
        raise(EngineEvent::Level::Error, EngineEvent::Kind::General, {},
              QStringLiteral("cannot open the journal: %1 — trading will not start").arg(journal.error().message),
              journal.error().toJson());
        m_connection = AccountSnapshot::Connection::Down;
        emitSnapshot();
        Q_EMIT startFailed(journal.error());
        return;
    }
    m_journal = std::move(journal.value());

    DerivClient::Options o;
    o.url = m_config.url;
    o.token = m_config.token;
    o.accountLabel = m_config.account.id;
    o.pingIntervalMs = m_config.pingIntervalMs;
    o.clock = m_shared.clock;
    m_client = new DerivClient(o, this);
    m_tracker = new ContractTracker(m_client, m_digits, this);
    m_breaker = new CircuitBreaker(m_config.account.id + QStringLiteral("/buy"), m_config.breaker, *m_shared.clock, this);

    for (const BotConfig &bc : std::as_const(m_config.bots)) {
        if (Result<Bot *> b = createBot(bc); !b)
            raise(EngineEvent::Level::Error, EngineEvent::Kind::General, bc.id,
                  QStringLiteral("bot %1 not started: %2").arg(bc.id, b.error().message));
    }

    connect(m_client, &DerivClient::ready, this, &AccountWorker::onReady);
    connect(m_client, &DerivClient::connectionLost, this, &AccountWorker::onConnectionLost);
    connect(m_client, &DerivClient::sessionEnded, this, &AccountWorker::onSessionEnded);
    connect(m_client, &DerivClient::malformedFrame, this, [this](const QString &excerpt, const QString &reason) {
        raise(EngineEvent::Level::Warning, EngineEvent::Kind::General, {},
              QStringLiteral("malformed frame from the server ignored: %1").arg(reason),
              QJsonObject{{QStringLiteral("excerpt"), excerpt}});
    });
    connect(m_breaker, &CircuitBreaker::stateChanged, this, &AccountWorker::onBreakerChanged);
    connect(m_tracker, &ContractTracker::contractSettled, this, &AccountWorker::onSettled);
    connect(m_tracker, &ContractTracker::contractLost, this, [this](qint64 localId, qint64 contractId, const Error &error) {
        raise(EngineEvent::Level::Warning, EngineEvent::Kind::General, {},
              QStringLiteral("lost track of contract %1 (%2): reconciliation will settle it").arg(contractId).arg(error.message));
        Q_UNUSED(localId)
        startReconcile(QStringLiteral("lost_contract"));
    });

    m_snapshotTimer = new QTimer(this);
    m_snapshotTimer->setInterval(m_config.snapshotIntervalMs);
    connect(m_snapshotTimer, &QTimer::timeout, this, [this] {
        if (m_dirty)
            emitSnapshot();
    });
    m_snapshotTimer->start();
    m_tickTimer = new QTimer(this);
    m_tickTimer->setInterval(m_config.tickBatchMs);
    connect(m_tickTimer, &QTimer::timeout, this, &AccountWorker::flushTicks);
    if (!m_watched.isEmpty())
        m_tickTimer->start();
    // Other instances sharing the journal trade this account too: keep their usage in the limits' view.
    auto *sharedUsageTimer = new QTimer(this);
    sharedUsageTimer->setInterval(5000);
    connect(sharedUsageTimer, &QTimer::timeout, this, [this] {
        if (m_executor && m_journal) {
            m_executor->refreshSharedUsage();
            markDirty();
        }
    });
    sharedUsageTimer->start();
    m_reconcileTimer = new QTimer(this);
    m_reconcileTimer->setInterval(int(m_config.reconcileIntervalMs));
    connect(m_reconcileTimer, &QTimer::timeout, this, [this] { startReconcile(QStringLiteral("periodic")); });
    m_standbyTimer = new QTimer(this);
    m_standbyTimer->setSingleShot(true);
    m_standbyTimer->setInterval(m_config.standbyRetryMs);
    connect(m_standbyTimer, &QTimer::timeout, this, &AccountWorker::promoteStartingBots);
    m_failoverTimer = new QTimer(this);
    m_failoverTimer->setSingleShot(true);
    m_failoverTimer->setInterval(int(qMin<qint64>(m_config.failoverAfterMs, 3'600'000)));
    connect(m_failoverTimer, &QTimer::timeout, this, &AccountWorker::handOverRuns);
    m_breakerTimer = new QTimer(this);
    m_breakerTimer->setSingleShot(true);
    connect(m_breakerTimer, &QTimer::timeout, this, [this] { m_breaker->refresh(); });

    for (Bot *b : std::as_const(m_bots)) {
        if (m_config.autoStartBots && b->config().enabled)
            (void)b->machine().transition(BotState::Starting, StateReason::because(QStringLiteral("auto start")));
    }
    m_client->open();
    markDirty();
}

Result<Bot *> AccountWorker::createBot(const BotConfig &bc)
{
    Result<std::unique_ptr<Strategy>> strategy = StrategyFactory::create(bc.strategy);
    if (!strategy)
        return strategy.error();
    auto *b = new Bot(bc, std::move(strategy.value()), *m_shared.clock, this);
    connect(&b->machine(), &BotStateMachine::stateChanged, this,
            [this, id = bc.id](BotState from, BotState to, const StateReason &reason, qint64 atMs) {
                if (m_journal)
                    (void)m_journal->recordBotTransition(id, m_loginId.isEmpty() ? m_config.account.id : m_loginId,
                                                         botStateName(from), botStateName(to), reason.toString(), atMs);
                // The run lease goes with the run: given back when the bot stops or fails, and when it was lost.
                // Halts this instance cannot lift by itself (its token revoked, its coordination or lease lost) hand the
                // bot to an instance that can; the trader's own stops (kill switch, a limit, the breaker) keep it here.
                const HaltReason why = reason.halt;
                if (to == BotState::Stopped || to == BotState::Failed
                    || (to == BotState::Halted && (why == HaltReason::CoordinationUnavailable || why == HaltReason::LeaseLost
                                                   || why == HaltReason::TokenRevoked)))
                    dropRun(id);
                const bool bad = to == BotState::Halted || to == BotState::Failed;
                raise(bad ? EngineEvent::Level::Warning : EngineEvent::Level::Info, EngineEvent::Kind::BotStateChanged, id,
                      QStringLiteral("%1: %2 → %3%4").arg(id, botStateName(from), botStateName(to),
                                                          reason.text.isEmpty() ? QString() : QStringLiteral(" (") + reason.toString() + u')'));
            });
    m_bots.insert(bc.id, b);
    m_botOrder.append(bc.id);
    return b;
}

void AccountWorker::onReady()
{
    m_connection = AccountSnapshot::Connection::Connected;
    m_failoverTimer->stop();
    if (m_downSinceMs) {
        raise(EngineEvent::Level::Info, EngineEvent::Kind::ConnectionRestored, {},
              QStringLiteral("connection restored after %1 s").arg((m_shared.clock->nowMs() - m_downSinceMs) / 1000));
        m_downSinceMs = 0;
    }
    if (!m_everReady) {
        m_everReady = true;
        onFirstReady();
        return;
    }
    // After a reconnect: no buy until the journal agrees with the broker again.
    startReconcile(QStringLiteral("reconnect"));
}

void AccountWorker::onFirstReady()
{
    const QJsonObject auth = m_client->authorization();
    m_loginId = auth.value(QLatin1String("loginid")).toString();
    m_currency = auth.value(QLatin1String("currency")).toString(QStringLiteral("USD"));
    m_isVirtual = DerivFields::flag(auth.value(QLatin1String("is_virtual"))).value_or(true);
    m_balance = DerivFields::money(auth.value(QLatin1String("balance")), m_digits).value_or(Money::zero(m_digits));
    if (m_loginId.isEmpty()) {
        m_lastError = QStringLiteral("authorize did not name a login id");
        raise(EngineEvent::Level::Error, EngineEvent::Kind::General, {}, m_lastError);
        haltAll(HaltReason::TokenRevoked, m_lastError);
        Q_EMIT startFailed(Error::make(ErrorKind::Broker, QStringLiteral("NoLoginId"), m_lastError));
        return;
    }
    const QStringList scopes = [&] {
        QStringList out;
        for (const QJsonValue &v : auth.value(QLatin1String("scopes")).toArray())
            out << v.toString();
        return out;
    }();
    if (!scopes.isEmpty() && !scopes.contains(QLatin1String("trade"))) {
        m_lastError = QStringLiteral("the token of %1 lacks the trade scope").arg(m_loginId);
        raise(EngineEvent::Level::Error, EngineEvent::Kind::TokenRevoked, {}, m_lastError);
        haltAll(HaltReason::TokenRevoked, m_lastError);
        Q_EMIT startFailed(Error::make(ErrorKind::Broker, QStringLiteral("PermissionDenied"), m_lastError));
    } else if (m_config.account.token.kind != TokenSource::Kind::Demo // the simulator's own paper account: no advice
               && (scopes.contains(QLatin1String("admin")) || scopes.contains(QLatin1String("payments")))) {
        raise(EngineEvent::Level::Warning, EngineEvent::Kind::General, {},
              QStringLiteral("the token of %1 can also %2: use a trade-only token")
                  .arg(m_loginId, scopes.contains(QLatin1String("payments")) ? QStringLiteral("move money") : QStringLiteral("manage tokens")));
    }
    Q_EMIT loginResolved(m_config.account.id, m_loginId);
    (void)m_shared.gate->registerAccount(m_loginId);
    for (Bot *b : std::as_const(m_bots))
        haltIfGateClosed(b);
    registerSession();
    if (m_sessionEnded)
        return;

    AccountExecutor::Context ctx;
    ctx.account = m_loginId;
    ctx.currency = m_currency;
    ctx.digits = m_digits;
    ctx.instanceId = m_shared.instanceId;
    ctx.gate = m_shared.gate;
    ctx.ledger = m_shared.ledger;
    ctx.locks = m_shared.locks;
    ctx.book = m_shared.book;
    ctx.client = m_client;
    ctx.journal = m_journal.get();
    ctx.breaker = m_breaker;
    ctx.tracker = m_tracker;
    ctx.clock = m_shared.clock;
    if (!m_shared.usageRedisUrl.isEmpty() && !m_board) {
        Result<RedisConfig> redis = RedisConfig::fromUrl(m_shared.usageRedisUrl); // checked by the engine at start
        if (!redis) {
            m_lastError = QStringLiteral("the account's limits cannot be shared over Redis: ") + redis.error().message;
            raise(EngineEvent::Level::Error, EngineEvent::Kind::General, {}, m_lastError);
            haltAll(HaltReason::CoordinationUnavailable, m_lastError);
        }
        // Without a usable URL the board has no host: every buy is refused (never traded against this journal alone).
        m_board = std::make_unique<RedisUsageBoard>(redis ? redis.value() : RedisConfig(),
                                                    RedisUsageBoard::journalKey(m_journal->journalId(), m_journal->location()));
    }
    ctx.board = m_board.get();
    m_executor = new AccountExecutor(ctx, this);
    connect(m_executor, &AccountExecutor::buyRefused, this, [this](const QString &b, const Error &e) { onBuyProblem(b, e, false); });
    connect(m_executor, &AccountExecutor::buyFailed, this, [this](const QString &b, const Error &e) { onBuyProblem(b, e, true); });
    connect(m_executor, &AccountExecutor::tradeOpened, this, [this](const QString &b, const Trade &t) {
        raise(EngineEvent::Level::Info, EngineEvent::Kind::TradeOpened, b,
              QStringLiteral("%1 bought %2 %3 for %4 (contract %5)").arg(b, t.symbol, t.contractType,
                  t.buyPrice.value_or(t.stake).toString()).arg(t.contractId), tradeDetails(t));
    });
    connect(m_executor, &AccountExecutor::tradeClosed, this, [this](const QString &b, const Trade &t) {
        raise(EngineEvent::Level::Info, EngineEvent::Kind::TradeClosed, b,
              QStringLiteral("contract %1 %2: profit %3").arg(t.contractId).arg(tradeStatusToString(t.status),
                  t.profit.value_or(Money::zero(m_digits)).toString()), tradeDetails(t));
        Bot *bt = bot(b);
        if (bt && bt->state() == BotState::Stopping)
            finishStopping(bt);
        if (bt && isFlat(bt) && m_pendingUpdates.contains(b))
            applyUpdate(bt, m_pendingUpdates.take(b));
    });
    connect(m_executor, &AccountExecutor::outcomeUnknown, this, [this](const QString &b, qint64 localId, const Error &e) {
        raise(EngineEvent::Level::Warning, EngineEvent::Kind::OutcomeUnknown, b,
              QStringLiteral("reply to buy of trade %1 lost (%2): not re-sent; reconciling").arg(localId).arg(e.message), e.toJson());
        // Reconcile once the socket is back (onReady after reconnect triggers it); if it never dropped, now.
        if (m_client->state() == DerivClient::State::Ready)
            startReconcile(QStringLiteral("lost_reply"));
    });
    connect(m_executor, &AccountExecutor::limitReached, this, [this](const Error &e) {
        raise(EngineEvent::Level::Warning, EngineEvent::Kind::LimitReached, e.bot, e.message, e.toJson());
        // Idle bots halt now with the limit named; a bot whose buy already holds a reservation finishes
        // that cycle and is halted by its next refusal.
        for (Bot *b : std::as_const(m_bots)) {
            if (b->activeTrade() == 0 && (b->isTrading() || b->state() == BotState::Starting || b->state() == BotState::Paused))
                (void)b->machine().halt(HaltReason::Limit, e.message, e.code);
        }
    });
    connect(m_executor, &AccountExecutor::storageFailed, this, [this](const QString &b, const Error &e) {
        if (Bot *bt = bot(b))
            (void)bt->machine().fail(e);
    });
    connect(m_executor, &AccountExecutor::coordinationFailed, this, [this](const QString &b, const Error &e) {
        if (e.code == QLatin1String("LockTimeout") || e.code == CoordinationError::LockHeld || e.code == CoordinationError::AccountBusy)
            return; // another bot or instance is trading this account now: try again at a later tick
        if (e.code == QLatin1String("RunLeaseInvalid")) {
            // This instance no longer runs the bot: halted, then on standby until it can take the lease again.
            if (Bot *bt = bot(b); bt && bt->isTrading()) {
                (void)bt->machine().halt(HaltReason::LeaseLost, e.message, e.code);
                (void)bt->machine().transition(BotState::Starting, StateReason::because(QStringLiteral("run lease lost: standby")));
                promoteStartingBots();
            }
            raise(EngineEvent::Level::Warning, EngineEvent::Kind::LockLost, b, e.message, e.toJson());
            return;
        }
        if (Bot *bt = bot(b))
            (void)bt->machine().halt(HaltReason::CoordinationUnavailable, e.message, e.code);
        raise(EngineEvent::Level::Warning, EngineEvent::Kind::LockLost, b, e.message, e.toJson());
    });

    ReconcilerOptions ro;
    ro.account = m_loginId;
    ro.moneyDigits = m_digits;
    ro.instanceId = m_shared.instanceId;
    ro.liveness = m_shared.liveness;
    if (RedisUsageBoard *board = m_board.get()) {
        // Instances on other journals trade this account too: their contracts are not orphans here.
        const QString loginId = m_loginId;
        const int digits = m_digits;
        ro.otherJournals = [board, loginId, digits](const QList<qint64> &ids) -> Result<ReconcilerOptions::OtherJournals> {
            Result<RedisUsageBoard::Foreign> f = board->foreign(loginId, ids);
            if (!f)
                return f.error();
            ReconcilerOptions::OtherJournals out{f->contracts, {}, f->unresolvedTold};
            for (const UsageShare::Buy &b : f->unresolvedBuys) {
                Trade t; // what ContractMatcher compares
                t.account = loginId;
                std::tie(t.openedMs, t.symbol, t.contractType, t.duration, t.durationUnit)
                    = std::tie(b.openedMs, b.symbol, b.contractType, b.duration, b.durationUnit);
                t.stake = Money::fromMinor(b.stakeMinor, digits);
                out.unresolved.append(t);
            }
            return out;
        };
        ro.claimContract = [board, loginId](qint64 contractId) { return board->claimContract(loginId, contractId); };
    }
    Journal *journal = m_journal.get();
    const QString login = m_loginId;
    ro.fence = [journal, login] {
        Result<qint64> f = journal->highestFence(login);
        return f.ok() ? f.value() : qint64(0);
    };
    m_reconciler = new Reconciler(m_client, m_journal.get(), ro, this);
    connect(m_reconciler, &Reconciler::finished, this, &AccountWorker::onReconciled);
    connect(m_reconciler, &Reconciler::tradeResolved, this, [this](const Trade &, const Trade &after) {
        m_executor->applyResolved(after, bot(after.bot));
    });
    connect(m_reconciler, &Reconciler::orphanAdopted, this, [this](const Trade &t) {
        raise(EngineEvent::Level::Warning, EngineEvent::Kind::ReconcileDiscrepancy, t.bot,
              QStringLiteral("contract %1 found on the server, unknown to the journal: adopted").arg(t.contractId));
        m_executor->adoptOpen(t, bot(t.bot));
    });
    connect(m_shared.ledger, &LimitLedger::dayRolledOver, this, [this](const QString &account, QDate) {
        if (account != m_loginId)
            return;
        for (Bot *b : std::as_const(m_bots))
            b->resetDay();
        seedLimits();
    });

    m_client->subscribe(QJsonObject{{QStringLiteral("balance"), 1}}, this,
                        [this](const DerivClient::StreamEvent &ev) {
                            if (ev.kind == DerivClient::StreamEvent::Kind::Message)
                                onBalance(ev.message);
                        });
    subscribeSymbols();
    seedLimits();
    // Open contracts from an earlier run are followed; unresolved buys go to reconciliation first. This instance's
    // own ones (it was killed with a buy on the wire) hold the account until reconciliation resolves them: their
    // contract may still be committed at the server, and a bot must not buy on top of a buy it knows nothing of.
    if (Result<QList<Trade>> open = m_journal->unresolvedTrades(m_loginId); open.ok()) {
        for (const Trade &t : open.value()) {
            if (t.status == TradeStatus::Open)
                m_executor->adoptOpen(t, bot(t.bot));
            else if (InstanceLiveness::ownerOf(t.requestTag) == m_shared.instanceId)
                m_executor->applyResolved(t, bot(t.bot)); // Pending/Unknown: counted as unknown
        }
    }
    startReconcile(QStringLiteral("startup"));
    m_reconcileTimer->start();
}

void AccountWorker::seedLimits()
{
    const qint64 now = m_shared.clock->nowMs();
    const qint64 dayStart = utcDayStartMs(now);
    const QString dayKey = utcDayKey(now);
    Result<DailyUsage> usage = m_journal->dailyUsage(m_loginId, dayStart, dayStart + 24 * 3600 * 1000, m_digits);
    Result<Money> startBalance = m_journal->setDayStartBalance(m_loginId, dayKey, m_balance);
    Result<QList<Trade>> unresolved = m_journal->unresolvedTrades(m_loginId);
    if (!usage || !startBalance || !unresolved) {
        const Error e = !usage ? usage.error() : !startBalance ? startBalance.error() : unresolved.error();
        VIGIL_LOG_FAILURE(lcEngine, e);
        m_lastError = QStringLiteral("cannot read today's usage from the journal: ") + e.message;
        haltAll(HaltReason::Other, m_lastError);
        return;
    }
    LedgerUsage lu;
    lu.day = QDateTime::fromMSecsSinceEpoch(now, Qt::UTC).date();
    lu.tradesToday = usage->tradesOpened;
    lu.realizedPnl = usage->realizedProfit;
    lu.openContracts = int(unresolved->size());
    lu.openStake = Money::zero(m_digits);
    for (const Trade &t : unresolved.value())
        lu.openStake += t.stake;
    lu.startOfDayBalance = startBalance.value();
    if (Result<void> r = m_shared.ledger->seed(m_loginId, m_config.account.limits, lu); !r) {
        m_lastError = r.error().message;
        raise(EngineEvent::Level::Warning, EngineEvent::Kind::General, {}, QStringLiteral("limits not re-seeded: ") + r.error().message);
    }
    // Bots' day figures from the journal.
    TradeFilter filter;
    filter.account = m_loginId;
    filter.fromMs = dayStart;
    if (Result<QList<Trade>> today = m_journal->trades(filter); today.ok()) {
        QHash<QString, QPair<int, Money>> perBot;
        for (const Trade &t : today.value()) {
            if (t.status == TradeStatus::Failed)
                continue;
            auto &p = perBot[t.bot];
            if (p.second.digits() != m_digits)
                p.second = Money::zero(m_digits);
            ++p.first;
            if (t.profit)
                p.second += *t.profit;
        }
        for (Bot *b : std::as_const(m_bots)) {
            const auto p = perBot.value(b->id(), qMakePair(0, Money::zero(m_digits)));
            b->setDayFigures(p.first, p.second.digits() == m_digits ? p.second : Money::zero(m_digits));
        }
    }
    markDirty();
}

void AccountWorker::subscribeSymbols()
{
    for (Bot *b : std::as_const(m_bots))
        subscribeSymbol(b->strategy().spec().symbol);
    for (const QString &symbol : std::as_const(m_watched))
        subscribeSymbol(symbol);
}

void AccountWorker::subscribeSymbol(const QString &symbol)
{
    subscribeTicks(symbol, 0);
}

void AccountWorker::subscribeTicks(const QString &symbol, int failures)
{
    if (!m_client || m_tickStreams.contains(symbol))
        return;
    auto key = std::make_shared<quint64>(0);
    auto delivered = std::make_shared<bool>(false);
    const auto onEvent = [this, symbol, failures, key, delivered](const DerivClient::StreamEvent &ev) {
        if (ev.kind == DerivClient::StreamEvent::Kind::Message) {
            *delivered = true;
            if (ev.tick) {
                // Read by the client's fast path: the quote exactly as written, rounded to the symbol's pips.
                Tick tick;
                tick.symbol = ev.tick->symbol;
                if (qMulOverflow(ev.tick->epoch, qint64(1000), &tick.epochMs))
                    return; // no such time: not a tick to trade on
                tick.pipDigits = ev.tick->pipSize >= 0 ? ev.tick->pipSize
                                                       : ContractSpec::pipDigits(tick.symbol).value_or(2);
                const auto quote = Tick::quoteFromDecimal(ev.tick->quoteUnits, ev.tick->quoteDecimals, tick.pipDigits);
                if (quote) {
                    tick.quotePips = *quote;
                    onTick(tick);
                }
            } else {
                onTick(ev.message);
            }
            return;
        }
        if (ev.kind == DerivClient::StreamEvent::Kind::Reconnected)
            return;
        // Ended or Failed: the stream is gone for good. Drop its key so the symbol can be subscribed again.
        const auto it = m_tickStreams.constFind(symbol);
        if (it == m_tickStreams.cend() || it.value() != *key)
            return; // released or replaced meanwhile
        m_tickStreams.erase(it);
        if (m_shuttingDown || m_sessionEnded)
            return;
        if (ev.error.is("InvalidSymbol")) {
            // No retry can cure it: the bots trading it stop with the server's word.
            const QString text = QStringLiteral("the server refuses ticks for %1: %2").arg(symbol, ev.error.message);
            for (Bot *b : std::as_const(m_bots)) {
                const BotState s = b->state();
                if (b->strategy().spec().symbol == symbol
                    && (s == BotState::Running || s == BotState::Paused || s == BotState::Starting))
                    (void)b->machine().halt(HaltReason::Other, text, ev.error.code);
            }
            raise(EngineEvent::Level::Error, EngineEvent::Kind::General, {}, text, ev.error.toJson());
            markDirty();
            return;
        }
        const int attempt = *delivered ? 1 : failures + 1;
        const int delayMs = int(std::min<qint64>(60'000, qint64(1000) << std::min(attempt - 1, 6)));
        const QString why = ev.kind == DerivClient::StreamEvent::Kind::Ended ? QStringLiteral("ended by the server")
                                                                             : ev.error.message;
        if (attempt == 1)
            raise(EngineEvent::Level::Warning, EngineEvent::Kind::General, {},
                  QStringLiteral("tick stream for %1 stopped (%2): subscribing again").arg(symbol, why), ev.error.toJson());
        qCWarning(lcEngine).noquote() << m_config.account.id << "tick stream for" << symbol << "stopped (" << why
                                      << "); attempt" << attempt << "in" << delayMs << "ms";
        QTimer::singleShot(delayMs, this, [this, symbol, attempt] {
            bool needed = m_watched.contains(symbol);
            for (Bot *b : std::as_const(m_bots))
                needed = needed || b->strategy().spec().symbol == symbol;
            if (needed && !m_shuttingDown && !m_sessionEnded)
                subscribeTicks(symbol, attempt);
        });
    };
    DerivClient::SubscribeOptions options;
    options.typedTicks = true;
    *key = m_client->subscribe(QJsonObject{{QStringLiteral("ticks"), symbol}}, this, onEvent, options);
    m_tickStreams.insert(symbol, *key);
}

void AccountWorker::watchSymbol(const QString &symbol)
{
    if (symbol.isEmpty() || m_watched.contains(symbol))
        return;
    m_watched.insert(symbol);
    // Before the first authorize the stream starts with the bots' (onFirstReady → subscribeSymbols).
    if (m_everReady && !m_sessionEnded)
        subscribeSymbol(symbol);
    if (m_tickTimer && !m_tickTimer->isActive())
        m_tickTimer->start();
}

void AccountWorker::unwatchSymbol(const QString &symbol)
{
    if (!m_watched.remove(symbol))
        return;
    m_tickBatches.remove(symbol);
    bool botNeedsIt = false;
    for (Bot *b : std::as_const(m_bots))
        botNeedsIt = botNeedsIt || b->strategy().spec().symbol == symbol;
    if (!botNeedsIt && m_tickStreams.contains(symbol) && m_client)
        m_client->unsubscribe(m_tickStreams.take(symbol));
    if (m_watched.isEmpty() && m_tickTimer)
        m_tickTimer->stop();
}

void AccountWorker::flushTicks()
{
    for (auto it = m_tickBatches.begin(); it != m_tickBatches.end(); ++it) {
        if (!it.value().isEmpty())
            Q_EMIT ticksArrived(it.key(), std::exchange(it.value(), {}));
    }
}

QJsonObject AccountWorker::tradeDetails(const Trade &t) const
{
    QJsonObject o{{QStringLiteral("localId"), QString::number(t.localId)},
                  {QStringLiteral("contractId"), QString::number(t.contractId)},
                  {QStringLiteral("symbol"), t.symbol},
                  {QStringLiteral("contractType"), t.contractType},
                  {QStringLiteral("status"), tradeStatusToString(t.status)},
                  {QStringLiteral("openedMs"), QString::number(t.openedMs)}};
    if (t.profit)
        o.insert(QStringLiteral("profit"), t.profit->toString());
    if (t.closedMs)
        o.insert(QStringLiteral("closedMs"), QString::number(t.closedMs));
    if (m_settling && m_settling->contractId == t.contractId) {
        if (!m_settling->entrySpot.isEmpty()) {
            o.insert(QStringLiteral("entrySpot"), m_settling->entrySpot);
            o.insert(QStringLiteral("entryEpochMs"), QString::number(m_settling->entryEpochMs));
        }
        if (!m_settling->exitSpot.isEmpty()) {
            o.insert(QStringLiteral("exitSpot"), m_settling->exitSpot);
            o.insert(QStringLiteral("exitEpochMs"), QString::number(m_settling->exitEpochMs));
        }
    } else if (t.status == TradeStatus::Open) {
        // The buy reply names no spot: the latest tick of the symbol is the price the bot bought at.
        const auto last = m_lastTicks.constFind(t.symbol);
        if (last != m_lastTicks.cend()) {
            o.insert(QStringLiteral("entrySpot"), last->quoteString());
            o.insert(QStringLiteral("entryEpochMs"), QString::number(last->epochMs));
        }
    }
    return o;
}

void AccountWorker::startReconcile(const QString &trigger)
{
    if (!m_reconciler || m_shuttingDown)
        return;
    if (trigger != QLatin1String("periodic") && trigger != QLatin1String("manual"))
        m_executor->setReconciled(false);
    m_reconciling = true;
    markDirty();
    m_reconciler->run(trigger);
}

void AccountWorker::onReconciled(const ReconcileReport &report)
{
    m_reconciling = m_reconciler->isRunning();
    Q_EMIT reconcileFinished(report);
    if (!report.error.isEmpty()) {
        m_lastError = QStringLiteral("reconciliation could not complete: ") + report.error;
        raise(EngineEvent::Level::Warning, EngineEvent::Kind::ReconcileFinished, {}, m_lastError);
        m_executor->setReconciled(false);
        // Try again shortly; trading waits (a failed query is unknown, never empty). One retry at a time
        // (every failed run used to add a timer of its own), and none once the session is over for good.
        if (!m_reconcileRetryScheduled && !m_sessionEnded) {
            m_reconcileRetryScheduled = true;
            QTimer::singleShot(10'000, this, [this] {
                m_reconcileRetryScheduled = false;
                if (!m_sessionEnded)
                    startReconcile(QStringLiteral("retry"));
            });
        }
        return;
    }
    const int discrepancies = int(report.discrepancies.size());
    raise(discrepancies ? EngineEvent::Level::Warning : EngineEvent::Level::Info,
          discrepancies ? EngineEvent::Kind::ReconcileDiscrepancy : EngineEvent::Kind::ReconcileFinished, {},
          QStringLiteral("reconciliation (%1): %2 discrepancies").arg(report.trigger).arg(discrepancies));
    if (!m_reconciling && m_executor->unknownTrades().isEmpty())
        m_executor->setReconciled(true);
    promoteStartingBots();
}

void AccountWorker::promoteStartingBots()
{
    // Shutting down: nothing starts again (a buy sent now could not be answered before the socket closes).
    if (!m_executor || !m_executor->isReconciled() || m_sessionEnded || m_shuttingDown)
        return;
    for (Bot *b : std::as_const(m_bots)) {
        if (b->state() != BotState::Starting)
            continue;
        if (!m_shared.locks->checkRun(m_loginId, b->id())) {
            requestRun(b);
            continue;
        }
        const QString was = m_standby.take(b->id());
        (void)b->machine().transition(BotState::Running, StateReason::because(
            was.isEmpty() ? QStringLiteral("account reconciled") : QStringLiteral("took over (was on standby: %1)").arg(was)));
    }
}

void AccountWorker::requestRun(Bot *b)
{
    const QString id = b->id();
    if (m_runRequested.contains(id))
        return;
    m_runRequested.insert(id);
    m_shared.locks->acquireRun(m_loginId, id, this, [this, id](const Result<void> &held) {
        m_runRequested.remove(id);
        Bot *bt = bot(id);
        if (!bt || bt->state() == BotState::Stopped || bt->state() == BotState::Failed) {
            dropRun(id);
            return;
        }
        if (held)
            promoteStartingBots();
        else
            onRunRefused(bt, held.error());
        markDirty();
    });
}

void AccountWorker::onRunRefused(Bot *b, const Error &error)
{
    // Held by another instance: this one waits on standby and takes over once the lease is free (the bot
    // stopped there, or that instance died and its lease expired). Coordination down: the same wait.
    const QString why = error.code == CoordinationError::LockHeld
        ? QStringLiteral("standby: %1 runs in another instance (%2)").arg(b->id(), error.message)
        : QStringLiteral("standby: the run lease of %1 cannot be taken (%2)").arg(b->id(), error.message);
    if (m_standby.value(b->id()) != why) {
        m_standby.insert(b->id(), why);
        raise(EngineEvent::Level::Warning, EngineEvent::Kind::General, b->id(), why, error.toJson());
    }
    b->setLastError(why);
    m_standbyTimer->start();
}

void AccountWorker::dropRun(const QString &botId)
{
    // The locks know what is held: releasing a bot that holds nothing does nothing.
    m_standby.remove(botId);
    if (!m_loginId.isEmpty())
        m_shared.locks->releaseRun(m_loginId, botId);
}

void AccountWorker::onConnectionLost(const Error &reason)
{
    m_connection = AccountSnapshot::Connection::Reconnecting;
    if (!m_downSinceMs) {
        m_downSinceMs = m_shared.clock->nowMs();
        raise(EngineEvent::Level::Warning, EngineEvent::Kind::ConnectionDown, {},
              QStringLiteral("connection lost: %1; reconnecting").arg(reason.message), reason.toJson());
    }
    if (m_executor)
        m_executor->setReconciled(false);
    // Run leases are taken once logged in (before that this instance holds none to hand over).
    if (m_config.failoverAfterMs > 0 && !m_loginId.isEmpty() && !m_failoverTimer->isActive())
        m_failoverTimer->start();
}

void AccountWorker::handOverRuns()
{
    if (m_client->state() == DerivClient::State::Ready || m_shuttingDown || m_sessionEnded)
        return;
    const QString why = QStringLiteral("standby: no connection to Deriv for %1 s; left to an instance that has one")
                            .arg(m_config.failoverAfterMs / 1000);
    QStringList handed;
    for (Bot *b : std::as_const(m_bots)) {
        if (b->state() != BotState::Running || !m_shared.locks->checkRun(m_loginId, b->id()))
            continue;
        // Halted for a lost lease gives the lease back (see createBot); Starting waits on standby: once reconnected
        // and reconciled, it takes the lease again if no other instance did meanwhile.
        (void)b->machine().halt(HaltReason::LeaseLost, why, QStringLiteral("ConnectionDown"));
        (void)b->machine().transition(BotState::Starting, StateReason::because(why));
        m_standby.insert(b->id(), why);
        b->setLastError(why);
        handed << b->id();
    }
    if (!handed.isEmpty())
        raise(EngineEvent::Level::Warning, EngineEvent::Kind::LockLost, {},
              QStringLiteral("no connection to Deriv for %1 s: %2 handed to other instances (standby here)")
                  .arg(m_config.failoverAfterMs / 1000).arg(handed.join(QStringLiteral(", "))));
    markDirty();
}

void AccountWorker::registerSession()
{
    if (!m_shared.sessions)
        return;
    m_sessionId = m_config.account.id + QStringLiteral("/trading");
    const Result<void> r = m_shared.sessions->registerSession(
        m_sessionId, m_loginId, TokenFingerprint::of(m_config.token), m_client,
        [this](const QString &reason) { closeForRevocation(reason); });
    if (!r && r.error().code == QLatin1String("TokenRevoked"))
        closeForRevocation(r.error().message);
}

void AccountWorker::closeForRevocation(const QString &reason)
{
    if (m_revoked)
        return;
    m_revoked = true;
    m_sessionEnded = true;
    m_client->close();
    m_connection = AccountSnapshot::Connection::Down;
    if (!m_downSinceMs)
        m_downSinceMs = m_shared.clock->nowMs();
    m_lastError = QStringLiteral("token revoked: ") + reason;
    raise(EngineEvent::Level::Error, EngineEvent::Kind::TokenRevoked, {}, m_lastError);
    haltAll(HaltReason::TokenRevoked, reason);
}

void AccountWorker::revokeToken(bool deleteOnServer)
{
    const QString ref = TokenFingerprint::of(m_config.token);
    auto revokeEverywhere = [this, ref](const QString &reason) {
        if (m_shared.sessions)
            m_shared.sessions->revoke(ref, reason, QStringList{m_loginId.isEmpty() ? m_config.account.id : m_loginId});
        else
            closeForRevocation(reason);
    };
    if (!deleteOnServer || !m_client || m_sessionEnded) {
        revokeEverywhere(QStringLiteral("revoked by the user"));
        Q_EMIT tokenDeletionFinished(m_config.account.id, deleteOnServer ? QStringLiteral("no live session to delete it with") : QString());
        return;
    }
    const QJsonObject request{{QStringLiteral("api_token"), 1}, {QStringLiteral("delete_token"), m_config.token}};
    m_client->send(request, this, [this, revokeEverywhere](const Result<QJsonObject> &reply) {
        const QString error = reply.ok() ? QString() : reply.error().toString();
        // Whether or not the server deleted it, this instance stops using the token now.
        revokeEverywhere(reply.ok() ? QStringLiteral("revoked by the user and deleted on the server")
                                    : QStringLiteral("revoked by the user (server deletion failed: %1)").arg(reply.error().message));
        Q_EMIT tokenDeletionFinished(m_config.account.id, error);
    });
}

void AccountWorker::onSessionEnded(const Error &reason)
{
    if (m_shared.sessions && !m_sessionId.isEmpty() && reason.code == QLatin1String("InvalidToken") && !m_revoked) {
        m_revoked = true; // this session is already over; the registry closes the token's other sessions
        m_shared.sessions->reportInvalidToken(m_sessionId, reason);
    }
    m_sessionEnded = true;
    m_connection = AccountSnapshot::Connection::Down;
    if (!m_downSinceMs)
        m_downSinceMs = m_shared.clock->nowMs();
    m_lastError = reason.toString();
    VIGIL_LOG_ERROR(lcEngine, reason);
    raise(EngineEvent::Level::Error, EngineEvent::Kind::TokenRevoked, {},
          QStringLiteral("session ended for good: %1").arg(reason.message), reason.toJson());
    haltAll(HaltReason::TokenRevoked, reason.message);
    if (!m_everReady)
        Q_EMIT startFailed(reason);
}

void AccountWorker::onBalance(const QJsonObject &message)
{
    const QJsonObject b = message.value(QLatin1String("balance")).toObject();
    if (auto v = DerivFields::money(b.value(QLatin1String("balance")), m_digits)) {
        m_balance = *v;
        markDirty();
    }
}

void AccountWorker::onTick(const QJsonObject &message)
{
    const QJsonObject t = message.value(QLatin1String("tick")).toObject();
    Tick tick;
    tick.symbol = t.value(QLatin1String("symbol")).toString();
    const auto epoch = DerivFields::epoch(t);
    const auto pip = DerivFields::integer(t.value(QLatin1String("pip_size")));
    if (!epoch || tick.symbol.isEmpty() || qMulOverflow(*epoch, qint64(1000), &tick.epochMs))
        return;
    tick.pipDigits = int(pip.value_or(ContractSpec::pipDigits(tick.symbol).value_or(2)));
    const auto quote = Tick::quoteFromJson(t.value(QLatin1String("quote")), tick.pipDigits);
    if (!quote)
        return;
    tick.quotePips = *quote;
    onTick(tick);
}

void AccountWorker::onTick(const Tick &tick)
{
    m_lastTicks.insert(tick.symbol, tick);
    if (m_watched.contains(tick.symbol))
        m_tickBatches[tick.symbol].append(TickPoint{tick.epochMs, tick.quotePips, tick.pipDigits});
    if (!m_executor)
        return;
    for (const QString &id : std::as_const(m_botOrder)) {
        Bot *b = m_bots.value(id);
        if (!b || b->strategy().spec().symbol != tick.symbol)
            continue;
        if (!b->isTrading()) {
            continue;
        }
        const StrategyDecision d = b->strategy().onTick(tick);
        if (d.isTrade()) {
            if (b->activeTrade() != 0) {
                b->strategy().onTradeAborted();
                continue;
            }
            m_executor->execute(b, d.trade);
        } else if (d.isHalt()) {
            (void)b->machine().halt(HaltReason::Limit, d.error.message, d.error.code);
        }
    }
}

void AccountWorker::onSettled(qint64 localId, const ContractSettlement &settlement)
{
    Bot *owner = nullptr;
    for (Bot *b : std::as_const(m_bots)) {
        if (b->activeTrade() == localId)
            owner = b;
    }
    if (!owner) {
        Result<std::optional<Trade>> row = m_journal->trade(localId);
        if (row.ok() && row.value())
            owner = bot(row.value()->bot);
    }
    m_settling = settlement;
    m_executor->onSettled(localId, settlement, owner);
    m_settling.reset();
    if (owner) {
        const Result<Money> next = owner->strategy().nextStake();
        if (!next && owner->isTrading())
            (void)owner->machine().halt(HaltReason::Limit, next.error().message, next.error().code);
    }
    markDirty();
}

void AccountWorker::onBuyProblem(const QString &botId, const Error &error, bool sent)
{
    Bot *b = bot(botId);
    if (!b)
        return;
    b->setLastError(error.message);
    const QString code = error.code;
    if (sent) {
        raise(EngineEvent::Level::Warning, EngineEvent::Kind::BuyFailed, botId,
              QStringLiteral("buy rejected: %1 (%2)").arg(error.message, code), error.toJson());
    }
    if (!b->isTrading())
        return;
    if (error.code.startsWith(QLatin1String("Limit"))) {
        if (!AccountExecutor::isTransientLimit(error))
            (void)b->machine().halt(HaltReason::Limit, error.message, code);
        return;
    }
    static const QStringList haltingBot{QStringLiteral("InsufficientBalance"), QStringLiteral("ContractBuyValidationError"),
                                        QStringLiteral("ContractCreationFailure"), QStringLiteral("OfferingsValidationError"),
                                        QStringLiteral("InputValidationFailed"), QStringLiteral("UnrecognisedRequest")};
    static const QStringList haltingLimit{QStringLiteral("DailyLossLimitExceeded"), QStringLiteral("StakeLimitExceeded"),
                                          QStringLiteral("PayoutLimitExceeded")};
    if (error.kind == ErrorKind::Broker && haltingBot.contains(code))
        (void)b->machine().halt(HaltReason::Other, error.message, code);
    else if (error.kind == ErrorKind::Broker && haltingLimit.contains(code))
        (void)b->machine().halt(HaltReason::Limit, error.message, code);
    else if (error.kind == ErrorKind::Broker && (code == QLatin1String("PermissionDenied") || code == QLatin1String("InvalidToken")))
        haltAll(HaltReason::TokenRevoked, error.message);
}

void AccountWorker::onBreakerChanged(CircuitBreaker::State from, CircuitBreaker::State to)
{
    Q_UNUSED(from)
    if (to == CircuitBreaker::State::Open) {
        const QString text = QStringLiteral("circuit breaker open after repeated server faults: %1")
                                  .arg(m_breaker->lastFault() ? m_breaker->lastFault()->message : QString());
        raise(EngineEvent::Level::Warning, EngineEvent::Kind::BreakerOpened, {}, text);
        for (Bot *b : std::as_const(m_bots)) {
            if (b->isTrading())
                (void)b->machine().halt(HaltReason::CircuitBreaker, text);
        }
        m_breakerTimer->start(int(qMax<qint64>(m_breaker->retryInMs(), 1)));
    } else if (to == CircuitBreaker::State::HalfOpen && !m_shuttingDown) {
        // The next buy is the probe: re-arm the bots the breaker halted.
        for (Bot *b : std::as_const(m_bots)) {
            if (b->state() == BotState::Halted && b->machine().reason().halt == HaltReason::CircuitBreaker) {
                (void)b->machine().transition(BotState::Starting, StateReason::because(QStringLiteral("breaker half-open: probing")));
            }
        }
        promoteStartingBots();
    }
    markDirty();
}

void AccountWorker::startBot(const QString &botId)
{
    Bot *b = bot(botId);
    if (!b || m_shuttingDown)
        return;
    // A halted gate (the kill switch, an account halt) reopens only by re-arming: a bot started meanwhile would show
    // "running" while every buy of it is refused.
    if (const std::optional<QString> why = gateHalted()) {
        raise(EngineEvent::Level::Warning, EngineEvent::Kind::General, botId,
              QStringLiteral("%1 not started: trading is halted (%2); re-arm trading first").arg(botId, *why));
        return;
    }
    if (b->state() == BotState::Stopped || b->state() == BotState::Halted) {
        if (b->state() == BotState::Halted)
            b->strategy().reset();
        if (Result<void> r = b->machine().transition(BotState::Starting, StateReason::because(QStringLiteral("started by user"))); !r)
            raise(EngineEvent::Level::Warning, EngineEvent::Kind::General, botId, r.error().message);
    } else if (b->state() == BotState::Paused) {
        (void)b->machine().transition(BotState::Running, StateReason::because(QStringLiteral("resumed by user")));
    }
    promoteStartingBots();
    markDirty();
}

void AccountWorker::pauseBot(const QString &botId)
{
    if (Bot *b = bot(botId)) {
        if (Result<void> r = b->machine().transition(BotState::Paused, StateReason::because(QStringLiteral("paused by user"))); !r)
            raise(EngineEvent::Level::Warning, EngineEvent::Kind::General, botId, r.error().message);
    }
    markDirty();
}

void AccountWorker::resumeBot(const QString &botId)
{
    startBot(botId);
}

void AccountWorker::stopBot(const QString &botId)
{
    Bot *b = bot(botId);
    if (!b || b->state() == BotState::Stopped)
        return;
    if (b->state() == BotState::Halted || b->state() == BotState::Failed) {
        (void)b->machine().transition(BotState::Stopped, StateReason::because(QStringLiteral("stopped by user")));
        return;
    }
    if (Result<void> r = b->machine().transition(BotState::Stopping, StateReason::because(QStringLiteral("stopped by user"))); !r) {
        raise(EngineEvent::Level::Warning, EngineEvent::Kind::General, botId, r.error().message);
        return;
    }
    finishStopping(b);
}

void AccountWorker::finishStopping(Bot *b)
{
    // A bot with a contract open stays Stopping until it settles (the contract is still followed).
    if (b->activeTrade() == 0 && b->state() == BotState::Stopping)
        (void)b->machine().transition(BotState::Stopped, StateReason::because(QStringLiteral("stopped")));
    markDirty();
}

bool AccountWorker::isFlat(const Bot *b) const
{
    if (b->activeTrade() != 0)
        return false;
    if (m_executor) {
        for (const QString &owner : m_executor->unknownTrades()) {
            if (owner == b->id())
                return false;
        }
    }
    return true;
}

void AccountWorker::refuseChange(const QString &botId, const QString &change, const QString &code, const QString &message)
{
    Error e = Error::make(ErrorKind::InvalidInput, code, message);
    e.bot = botId;
    e.account = m_config.account.id;
    raise(EngineEvent::Level::Warning, EngineEvent::Kind::General, botId, message, e.toJson());
    Q_EMIT botChangeRefused(botId, change, e);
}

void AccountWorker::releaseSymbol(const QString &symbol)
{
    if (m_watched.contains(symbol))
        return;
    for (Bot *b : std::as_const(m_bots)) {
        if (b->strategy().spec().symbol == symbol)
            return;
    }
    if (m_client && m_tickStreams.contains(symbol))
        m_client->unsubscribe(m_tickStreams.take(symbol));
}

void AccountWorker::addBot(const BotConfig &config)
{
    const QString change = QStringLiteral("add");
    if (m_bots.contains(config.id)) {
        refuseChange(config.id, change, QStringLiteral("BotExists"), QStringLiteral("bot %1 already exists").arg(config.id));
        return;
    }
    Result<Bot *> created = createBot(config);
    if (!created) {
        refuseChange(config.id, change, QStringLiteral("InvalidConfig"),
                     QStringLiteral("bot %1 not added: %2").arg(config.id, created.error().message));
        return;
    }
    m_config.bots.append(config);
    Bot *b = created.value();
    b->setDayFigures(0, Money::zero(m_digits));
    if (m_everReady && !m_sessionEnded)
        subscribeSymbol(b->strategy().spec().symbol);
    if (m_config.autoStartBots && config.enabled && !m_shuttingDown) {
        (void)b->machine().transition(BotState::Starting, StateReason::because(QStringLiteral("added")));
        haltIfGateClosed(b);
    }
    promoteStartingBots();
    markDirty();
    Q_EMIT botChangeApplied(config.id, change);
}

void AccountWorker::updateBot(const BotConfig &config)
{
    Bot *b = bot(config.id);
    if (!b) {
        refuseChange(config.id, QStringLiteral("update"), QStringLiteral("NotFound"), QStringLiteral("bot %1 does not exist").arg(config.id));
        return;
    }
    if (Result<std::unique_ptr<Strategy>> check = StrategyFactory::create(config.strategy); !check) {
        refuseChange(config.id, QStringLiteral("update"), QStringLiteral("InvalidConfig"),
                     QStringLiteral("bot %1 not changed: %2").arg(config.id, check.error().message));
        return;
    }
    if (!isFlat(b)) {
        // Its trade settles with the strategy that bought it; the new settings take the next buy.
        m_pendingUpdates.insert(config.id, config);
        raise(EngineEvent::Level::Info, EngineEvent::Kind::General, config.id,
              QStringLiteral("bot %1: new settings apply once its open contract settles").arg(config.id));
        return;
    }
    applyUpdate(b, config);
}

void AccountWorker::applyUpdate(Bot *b, const BotConfig &config)
{
    Result<std::unique_ptr<Strategy>> strategy = StrategyFactory::create(config.strategy);
    if (!strategy) {
        refuseChange(config.id, QStringLiteral("update"), QStringLiteral("InvalidConfig"),
                     QStringLiteral("bot %1 not changed: %2").arg(config.id, strategy.error().message));
        return;
    }
    const QString oldSymbol = b->strategy().spec().symbol;
    b->reconfigure(config, std::move(strategy.value()));
    for (BotConfig &c : m_config.bots) {
        if (c.id == config.id)
            c = config;
    }
    if (m_everReady && !m_sessionEnded)
        subscribeSymbol(b->strategy().spec().symbol);
    if (oldSymbol != b->strategy().spec().symbol)
        releaseSymbol(oldSymbol);
    markDirty();
    Q_EMIT botChangeApplied(config.id, QStringLiteral("update"));
}

void AccountWorker::removeBot(const QString &botId)
{
    const QString change = QStringLiteral("remove");
    Bot *b = bot(botId);
    if (!b) {
        refuseChange(botId, change, QStringLiteral("NotFound"), QStringLiteral("bot %1 does not exist").arg(botId));
        return;
    }
    if (!isFlat(b)) {
        // Never drop a contract: the bot must be followed until it settles.
        refuseChange(botId, change, QStringLiteral("BotNotFlat"),
                     QStringLiteral("bot %1 not removed: it has a contract open or a buy in flight; stop it and remove it once it is flat")
                         .arg(botId));
        return;
    }
    if (b->state() != BotState::Stopped) {
        if (b->state() == BotState::Halted || b->state() == BotState::Failed)
            (void)b->machine().transition(BotState::Stopped, StateReason::because(QStringLiteral("removed")));
        else if (b->machine().transition(BotState::Stopping, StateReason::because(QStringLiteral("removed"))))
            (void)b->machine().transition(BotState::Stopped, StateReason::because(QStringLiteral("removed")));
    }
    const QString symbol = b->strategy().spec().symbol;
    m_bots.remove(botId);
    m_botOrder.removeAll(botId);
    m_pendingUpdates.remove(botId);
    m_config.bots.erase(std::remove_if(m_config.bots.begin(), m_config.bots.end(), [&botId](const BotConfig &c) { return c.id == botId; }),
                        m_config.bots.end());
    b->deleteLater();
    releaseSymbol(symbol);
    markDirty();
    Q_EMIT botChangeApplied(botId, change);
}

std::optional<QString> AccountWorker::gateHalted() const
{
    if (m_shared.gate->globalState() == GateState::Halted)
        return m_shared.gate->globalReason();
    if (!m_loginId.isEmpty() && m_shared.gate->accountState(m_loginId) == GateState::Halted)
        return m_shared.gate->accountReason(m_loginId);
    return std::nullopt;
}

void AccountWorker::haltIfGateClosed(Bot *b)
{
    const std::optional<QString> why = gateHalted();
    if (!why)
        return;
    const BotState s = b->state();
    if (s == BotState::Running || s == BotState::Paused || s == BotState::Starting)
        (void)b->machine().halt(HaltReason::KillSwitch, QStringLiteral("trading halted: ") + *why);
    markDirty();
}

void AccountWorker::haltAll(HaltReason reason, const QString &text)
{
    for (Bot *b : std::as_const(m_bots)) {
        const BotState s = b->state();
        if (s == BotState::Running || s == BotState::Paused || s == BotState::Starting)
            (void)b->machine().halt(reason, text);
    }
    markDirty();
}

void AccountWorker::rearmAll()
{
    if (m_sessionEnded || m_shuttingDown)
        return;
    for (Bot *b : std::as_const(m_bots)) {
        if (b->state() == BotState::Halted) {
            b->strategy().reset();
            (void)b->machine().transition(BotState::Starting, StateReason::because(QStringLiteral("re-armed by user")));
        }
    }
    promoteStartingBots();
    markDirty();
}

void AccountWorker::resumeAfterCoordination()
{
    if (m_sessionEnded || m_shuttingDown)
        return;
    for (Bot *b : std::as_const(m_bots)) {
        const HaltReason why = b->machine().reason().halt;
        if (b->state() == BotState::Halted && (why == HaltReason::CoordinationUnavailable || why == HaltReason::LeaseLost))
            (void)b->machine().transition(BotState::Starting, StateReason::because(QStringLiteral("coordination restored")));
    }
    promoteStartingBots();
    markDirty();
}

void AccountWorker::reconcileNow()
{
    startReconcile(QStringLiteral("manual"));
}

void AccountWorker::auditEmergencyStop(const EmergencyStopReport &report)
{
    if (m_journal)
        (void)m_journal->audit(QStringLiteral("emergency_stop"), m_loginId, report.toJson(), m_shared.clock->nowMs());
}

void AccountWorker::shutdown()
{
    if (m_shutdownWait)
        return; // already waiting for the buys on the wire
    m_shuttingDown = true;
    for (Bot *b : std::as_const(m_bots)) {
        const BotState s = b->state();
        if (s == BotState::Running || s == BotState::Paused || s == BotState::Starting)
            (void)b->machine().transition(BotState::Stopping, StateReason::because(QStringLiteral("shutting down")));
        if (b->state() == BotState::Stopping)
            (void)b->machine().transition(BotState::Stopped, StateReason::because(QStringLiteral("shut down")));
    }
    emitSnapshot();
    // A buy already sent gets its reply before the socket closes (bounded): its row is then open or failed, not
    // "unknown" for the next start to reconcile. No bot runs any more, so no new buy starts meanwhile.
    if (m_executor && m_executor->inFlight() > 0 && m_client && m_client->state() == DerivClient::State::Ready) {
        raise(EngineEvent::Level::Info, EngineEvent::Kind::General, {},
              QStringLiteral("waiting up to %1 s for %2 buy(s) on the wire before closing")
                  .arg(m_config.shutdownWaitMs / 1000).arg(m_executor->inFlight()));
        m_shutdownWait = new QTimer(this);
        m_shutdownWait->setInterval(20);
        const qint64 deadline = m_shared.clock->monotonicMs() + m_config.shutdownWaitMs;
        connect(m_shutdownWait, &QTimer::timeout, this, [this, deadline] {
            const bool connected = m_client && m_client->state() == DerivClient::State::Ready;
            if (m_executor->inFlight() > 0 && connected && m_shared.clock->monotonicMs() < deadline)
                return;
            m_shutdownWait->stop();
            finishShutdown();
        });
        m_shutdownWait->start();
        return;
    }
    finishShutdown();
}

void AccountWorker::finishShutdown()
{
    for (const QString &id : std::as_const(m_botOrder))
        dropRun(id);
    if (m_client)
        m_client->close();
    if (m_shared.sessions && !m_sessionId.isEmpty())
        m_shared.sessions->unregisterSession(m_sessionId);
    Q_EMIT finished();
}

void AccountWorker::retire()
{
    auto refuse = [this](const QString &code, const QString &message) {
        Error e = Error::make(ErrorKind::InvalidInput, code, message);
        e.account = m_config.account.id;
        raise(EngineEvent::Level::Warning, EngineEvent::Kind::General, {}, message, e.toJson());
        Q_EMIT retireRefused(e);
    };
    const QString id = m_config.account.id;
    if (!m_bots.isEmpty())
        return refuse(QStringLiteral("AccountHasBots"),
                      QStringLiteral("account %1 not removed: it still has bots (%2)").arg(id, m_botOrder.join(QStringLiteral(", "))));
    const int open = m_tracker ? m_tracker->count() : 0;
    const int unknown = m_executor ? int(m_executor->unknownTrades().size()) : 0;
    int unresolved = 0;
    if (m_journal && !m_loginId.isEmpty()) {
        // Rows of earlier runs not adopted yet count too: the journal must not be left with trades nobody follows.
        Result<QList<Trade>> rows = m_journal->unresolvedTrades(m_loginId);
        if (!rows)
            return refuse(QStringLiteral("AccountNotFlat"),
                          QStringLiteral("account %1 not removed: its open trades cannot be read (%2)").arg(id, rows.error().message));
        unresolved = int(rows->size());
    }
    if (open > 0 || unknown > 0 || unresolved > 0)
        return refuse(QStringLiteral("AccountNotFlat"),
                      QStringLiteral("account %1 not removed: %2 contract(s) open, %3 trade(s) unresolved; remove it once they are settled")
                          .arg(id)
                          .arg(open)
                          .arg(qMax(unknown, unresolved)));
    if (m_reconciling)
        return refuse(QStringLiteral("AccountNotFlat"),
                      QStringLiteral("account %1 not removed: a reconciliation is running; try again in a moment").arg(id));
    shutdown();
}

void AccountWorker::emitSnapshot()
{
    m_dirty = false;
    AccountSnapshot s;
    s.id = m_config.account.id;
    s.loginId = m_loginId;
    s.currency = m_currency;
    s.balance = m_balance;
    s.isVirtual = m_isVirtual;
    s.connection = m_connection;
    s.downSinceMs = m_downSinceMs;
    if (!m_loginId.isEmpty()) {
        s.gate = gateStateName(m_shared.gate->effective(m_loginId));
        s.gateReason = m_shared.gate->globalState() != GateState::Active ? m_shared.gate->globalReason()
                                                                           : m_shared.gate->accountReason(m_loginId);
        s.limits = m_shared.ledger->snapshot(m_loginId);
    }
    s.breaker = m_breaker ? CircuitBreaker::stateName(m_breaker->state()) : QString();
    s.reconciling = m_reconciling;
    s.reconciled = m_executor && m_executor->isReconciled();
    s.unresolvedTrades = m_executor ? int(m_executor->unknownTrades().size()) : 0;
    s.openContracts = m_tracker ? m_tracker->count() : 0;
    for (const QString &id : std::as_const(m_botOrder)) {
        if (Bot *b = m_bots.value(id)) {
            BotSnapshot bs = b->snapshot();
            bs.loginId = m_loginId;
            if (b->state() == BotState::Starting)
                bs.standby = m_standby.value(id);
            s.bots.append(bs);
        }
    }
    s.lastError = m_lastError;
    s.atMs = m_shared.clock->nowMs();
    Q_EMIT snapshotReady(s);
}

} // namespace Vigil
