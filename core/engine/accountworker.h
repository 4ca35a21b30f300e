// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>
#include <optional>

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QUrl>

#include "engine/accountconfig.h"
#include "engine/accountsnapshot.h"
#include "engine/botconfig.h"
#include "engine/botstate.h"
#include "engine/circuitbreaker.h"
#include "engine/contractsettlement.h"
#include "engine/engineevent.h"
#include "engine/tickpoint.h"
#include "risk/emergencystopreport.h"
#include "store/reconcilereport.h"
#include "store/trade.h"
#include "strategy/tick.h"

class QTimer;

namespace Vigil {

class AccountExecutor;
class Bot;
class Clock;
class ContractTracker;
class DerivClient;
class ExecutionLocks;
class InstanceLivenessSource;
class Journal;
class LimitLedger;
class OpenContractBook;
class Reconciler;
class RedisUsageBoard;
class SessionRegistry;
class TradingGate;

// What every account worker shares with the engine: thread-safe objects owned by the Engine.
struct EngineShared
{
    TradingGate *gate = nullptr;
    LimitLedger *ledger = nullptr;
    ExecutionLocks *locks = nullptr;
    OpenContractBook *book = nullptr;
    SessionRegistry *sessions = nullptr; // optional: token revocation closes every session of a token
    Clock *clock = nullptr;
    QString instanceId;
    // Which instances are alive (the engine's instance registry), for reconciliation on a shared journal;
    // null without coordination. Thread-safe.
    std::shared_ptr<InstanceLivenessSource> liveness;
    // Set when the account's limits are shared through Redis with instances on other journals (real accounts with
    // Redis configured; paper instances each trade their own simulator).
    QString usageRedisUrl;
};

// One account's worker: lives on the account's own thread and owns that account's DerivClient, Journal
// connection, bots, executor, contract tracker, circuit breaker and reconciler. Created without a parent,
// moved to its thread; start() runs on QThread::started. Commands arrive as queued calls; state leaves as
// snapshots (batched, ~10 Hz) and events. Never touched directly from the GUI thread.
class AccountWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountWorker)

public:
    struct Config
    {
        AccountConfig account;
        QList<BotConfig> bots;
        QUrl url;            // the endpoint with app_id
        QString token;       // in memory only
        QString journalUrl;
        CircuitBreakerConfig breaker;
        qint64 reconcileIntervalMs = 5 * 60 * 1000;
        int pingIntervalMs = 30000;
        int snapshotIntervalMs = 100;
        int tickBatchMs = 100;
        int standbyRetryMs = 3000; // a bot another instance runs: how often to try its run lease again
        // Socket down this long → running bots hand their run leases over (EngineConfig::failoverAfterMs); 0 = never.
        qint64 failoverAfterMs = 0;
        int shutdownWaitMs = 10'000; // shutdown(): how long buys already sent may take to be answered
        bool autoStartBots = true;
    };

    AccountWorker(Config config, EngineShared shared);
    ~AccountWorker() override;

    const QString &accountId() const { return m_config.account.id; }

public Q_SLOTS:
    void start();
    // Stops every bot (open contracts stay followed until the worker ends), closes the socket, leaves the
    // session registry, then finished().
    void shutdown();
    // The account is being removed: shutdown() if it has no bot, no contract open, no trade unresolved (in
    // the journal too) and no reconciliation running; otherwise retireRefused with why ("AccountHasBots",
    // "AccountNotFlat") and nothing changes.
    void retire();
    void startBot(const QString &botId);
    void pauseBot(const QString &botId);
    void resumeBot(const QString &botId);
    void stopBot(const QString &botId);
    void haltAll(Vigil::HaltReason reason, const QString &text);
    // Re-arms every halted bot (after an emergency stop, a limit raise, a breaker cool-down).
    void rearmAll();
    // Coordination is back: bots halted because it was down (or a lease was lost) trade again.
    void resumeAfterCoordination();
    void reconcileNow();
    // Journals an emergency stop that covered this account (audit trail).
    void auditEmergencyStop(const Vigil::EmergencyStopReport &report);
    // Revokes this account's token: deletes it on the server (api_token delete_token) when asked, then
    // closes every session that uses it (through the SessionRegistry) and halts the bots.
    void revokeToken(bool deleteOnServer);
    // Streams `symbol`'s ticks out as ticksArrived batches (subscribing if no bot does already), until
    // unwatchSymbol. Watching twice is watching once.
    void watchSymbol(const QString &symbol);
    void unwatchSymbol(const QString &symbol);
    // Runtime bot changes (the Engine validated the configuration). Each ends in botChangeApplied or
    // botChangeRefused. add: starts the bot when enabled and auto start is on. update: applied at once when
    // the bot is flat, else when its trade settles (the next buy uses the new stake). remove: only a flat bot
    // (no contract open, no buy in flight, no unresolved trade); a trading one is stopped first.
    void addBot(const Vigil::BotConfig &config);
    void updateBot(const Vigil::BotConfig &config);
    void removeBot(const QString &botId);

Q_SIGNALS:
    void snapshotReady(const Vigil::AccountSnapshot &snapshot);
    void eventRaised(const Vigil::EngineEvent &event);
    void reconcileFinished(const Vigil::ReconcileReport &report);
    void loginResolved(const QString &accountId, const QString &loginId);
    void finished();
    // The account cannot trade at all: the journal cannot be opened, the session ended before it was ever
    // ready (token or app id refused), or the token lacks the trade scope. Emitted on the account thread.
    void startFailed(const Vigil::Error &error);
    void retireRefused(const Vigil::Error &error);
    // The server's answer to the deletion asked by revokeToken(true) (error empty = deleted).
    void tokenDeletionFinished(const QString &accountId, const QString &error);
    // Ticks of a watched symbol since the last batch, oldest first; at most one batch per symbol per
    // tickBatchMs. Emitted on the account thread.
    void ticksArrived(const QString &symbol, const QList<Vigil::TickPoint> &ticks);
    // change: "add", "update", "remove". Emitted on the account thread.
    void botChangeApplied(const QString &botId, const QString &change);
    void botChangeRefused(const QString &botId, const QString &change, const Vigil::Error &error);

private:
    // `attempt` counts from 1; a journal busy at open is tried again a few times, then the account stays down.
    void openJournal(int attempt);
    void onReady();
    void onFirstReady();
    void onConnectionLost(const Error &reason);
    void onSessionEnded(const Error &reason);
    void onTick(const QJsonObject &message);
    void onTick(const Tick &tick);
    void onBalance(const QJsonObject &message);
    void onSettled(qint64 localId, const ContractSettlement &settlement);
    void onReconciled(const ReconcileReport &report);
    void onBuyProblem(const QString &bot, const Error &error, bool sent);
    void onBreakerChanged(CircuitBreaker::State from, CircuitBreaker::State to);
    void seedLimits();
    void startReconcile(const QString &trigger);
    void promoteStartingBots();
    // The socket has been down for failoverAfterMs: running bots give their run leases to an instance that can trade.
    void handOverRuns();
    // Asks for the bot's run lease (one instance runs a given bot); a bot another instance runs waits on standby.
    void requestRun(Bot *bot);
    void finishShutdown();
    void onRunRefused(Bot *bot, const Error &error);
    void dropRun(const QString &botId);
    void subscribeSymbols();
    void subscribeSymbol(const QString &symbol);
    // `failures`: consecutive failed subscriptions before this one (sets the backoff of the next attempt).
    void subscribeTicks(const QString &symbol, int failures);
    void flushTicks();
    Result<Bot *> createBot(const BotConfig &config);
    bool isFlat(const Bot *bot) const;
    void applyUpdate(Bot *bot, const BotConfig &config);
    void refuseChange(const QString &botId, const QString &change, const QString &code, const QString &message);
    void releaseSymbol(const QString &symbol);
    QJsonObject tradeDetails(const Trade &trade) const;
    void finishStopping(Bot *bot);
    Bot *bot(const QString &id) const;
    void raise(EngineEvent::Level level, EngineEvent::Kind kind, const QString &bot, const QString &message,
               const QJsonObject &details = {});
    void markDirty() { m_dirty = true; }
    void emitSnapshot();
    void registerSession();
    void closeForRevocation(const QString &reason);
    // Bots created or started while the gate is halted for this account (kill switch, account stop) start
    // halted: until re-armed, like the bots that were running when it closed.
    void haltIfGateClosed(Bot *bot);
    // The reason the gate is halted for this account (globally, or its login), if it is.
    std::optional<QString> gateHalted() const;

    Config m_config;
    EngineShared m_shared;
    QString m_loginId;
    QString m_currency = QStringLiteral("USD");
    int m_digits = 2;
    bool m_isVirtual = true;
    Money m_balance;
    bool m_everReady = false;
    bool m_sessionEnded = false;
    bool m_shuttingDown = false;
    AccountSnapshot::Connection m_connection = AccountSnapshot::Connection::Connecting;
    qint64 m_downSinceMs = 0;
    QString m_lastError;
    bool m_dirty = true;

    std::unique_ptr<Journal> m_journal;
    std::unique_ptr<RedisUsageBoard> m_board; // after m_journal: destroyed first
    DerivClient *m_client = nullptr;          // children of this worker, on its thread
    ContractTracker *m_tracker = nullptr;
    CircuitBreaker *m_breaker = nullptr;
    AccountExecutor *m_executor = nullptr;
    Reconciler *m_reconciler = nullptr;
    QTimer *m_snapshotTimer = nullptr;
    QTimer *m_reconcileTimer = nullptr;
    QTimer *m_breakerTimer = nullptr;
    QTimer *m_standbyTimer = nullptr;
    QTimer *m_failoverTimer = nullptr;
    QTimer *m_shutdownWait = nullptr;       // shutdown() waiting for buys on the wire       // retries the run lease of bots on standby
    QSet<QString> m_runRequested;           // run lease asked for, answer pending
    QHash<QString, QString> m_standby;      // bot → why it waits (the instance that runs it)
    QHash<QString, Bot *> m_bots;
    QList<QString> m_botOrder;
    QHash<QString, quint64> m_tickStreams; // symbol → stream key
    QHash<QString, Tick> m_lastTicks;       // symbol → latest tick (the spot a trade was decided on)
    QSet<QString> m_watched;                // symbols the console watches
    QHash<QString, QList<TickPoint>> m_tickBatches;
    QTimer *m_tickTimer = nullptr;
    QHash<QString, BotConfig> m_pendingUpdates; // bot id → configuration waiting for the bot to be flat
    std::optional<ContractSettlement> m_settling; // the settlement being applied (for its event's details)
    bool m_reconciling = false;
    bool m_reconcileRetryScheduled = false; // one retry timer at a time after a failed run
    QString m_sessionId;
    bool m_revoked = false;
};

} // namespace Vigil
