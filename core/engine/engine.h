// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QUrl>

#include "engine/accountsnapshot.h"
#include "engine/engineconfig.h"
#include "engine/engineevent.h"
#include "engine/tickpoint.h"
#include "health/result.h"
#include "risk/emergencystopreport.h"
#include "store/reconcilereport.h"

class QThread;

namespace Vigil {

class AccountWorker;
class Clock;
class JournalWorker;
struct Trade;
struct TradeFilter;
class InstanceRegistry;
class LeaseKeeper;
class StopChannel;
class LocalStopStore;
struct StopMessage;
struct CoordinationStatus;
class EmergencyStop;
class ExecutionLocks;
class LimitLedger;
class OpenContractBook;
class SessionRegistry;
class TradingGate;
namespace Sim {
class SimServer;
}

// The one object the GUI and the headless runner talk to. Lives on the thread that created it (the GUI
// thread); everything it starts runs elsewhere: one thread per account (AccountWorker), a control thread
// (EmergencyStop with its own sockets), and in paper mode a simulator thread. Calls return at once; state
// comes back through signals on this object's thread. The kill switch (emergencyStop) closes the trading
// gate synchronously on the caller's thread before it returns, without any worker's help.
class Engine final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Engine)

public:
    struct Options
    {
        QString dataDir;            // journal and lock files; default AppLocalDataLocation
        QString instanceId;         // default: host-pid
        Clock *clock = nullptr;     // default Clock::system()
        double simTimeScale = 1.0;  // paper mode: virtual time speed
        quint64 simSeed = 0;        // paper mode: 0 = random
        int pingIntervalMs = 30000;
        qint64 reconcileIntervalMs = 5 * 60 * 1000;
        bool autoStartBots = true;
        // Supplies the token of a keychain/environment account (the app wires the keychain here). The
        // callback may be called later, on this object's thread. Demo accounts never reach it.
        std::function<void(const AccountConfig &, std::function<void(Result<QString>)>)> tokenResolver;
        // Cross-instance locks (Redis/lock file); default: in-process only.
        std::shared_ptr<ExecutionLocks> locks;
    };

    explicit Engine(Options options, QObject *parent = nullptr);
    ~Engine() override;

    // Validates and starts everything; errors (bad config, no token) come back at once or via startFailed.
    Result<void> start(const EngineConfig &config);
    // Graceful: bots stop, sockets close, threads end; then stopped().
    void stop();
    bool isRunning() const { return m_running; }

    void startBot(const QString &botId);
    void pauseBot(const QString &botId);
    void resumeBot(const QString &botId);
    void stopBot(const QString &botId);
    // Every halted bot of the account (empty = all accounts) is re-armed and the gate reopened. The stop in force
    // is lifted: from the local stop file (a restart trades again) and, for all accounts, over Redis for every
    // instance (each re-arms its halted bots; a later start trades).
    void rearm(const QString &accountId = {});
    void reconcileNow(const QString &accountId = {});
    // The kill switch. Returns when the gate is Halted for the scope (empty = every account); then sells
    // everything open on the control thread and emits emergencyStopFinished with the report.
    // The stop stays in force until rearm(), across restarts: it is saved in <dataDir>/locks/emergency-stop.json
    // and, for every account with Redis, in the shared stop state. start() halts the gate for every stop still in
    // force (this machine's file, and Redis when reachable) before any bot starts.
    quint64 emergencyStop(const QString &accountId = {});
    // Revokes the account's token: deleted on the server first when deleteOnServer (api_token), then every
    // session using it (trading and control sockets) is closed and its bots halt (TokenRevoked).
    // tokenRevoked follows; the caller removes it from the keychain.
    void revokeToken(const QString &accountId, bool deleteOnServer);
    SessionRegistry &sessions() { return *m_sessions; }

    const EngineConfig &config() const { return m_config; }
    QUrl simulatorUrl() const { return m_simUrl; }
    QString instanceId() const { return m_options.instanceId; }
    QString loginId(const QString &accountId) const { return m_loginIds.value(accountId); }
    TradingGate &gate() { return *m_gate; }
    LimitLedger &ledger() { return *m_ledger; }
    // Paper mode: runs `fn` on the simulator's thread (for tests and the console's paper tools).
    void withSimulator(std::function<void(Sim::SimServer &)> fn);

    // --- views for the console ---
    using TradesCallback = std::function<void(Result<QList<Trade>>)>;
    // Reads the journal's trades matching `filter` on the engine's "store" thread (its own read connection,
    // so a long query never delays an account thread's trading writes). `done` runs on `context`'s thread,
    // queued, and is dropped if `context` is destroyed first. Errors: Storage ("NotOpen" when the engine was
    // never started or the journal could not be opened, "SqlError", ...). Never an empty list for a failure.
    void queryTrades(const TradeFilter &filter, QObject *context, TradesCallback done);
    // Streams `symbol`'s ticks as ticksArrived batches (at most one per symbol per ~100 ms) until as many
    // unwatchSymbol calls as watchSymbol calls were made. The ticks come from the account whose bots trade
    // the symbol (else the first account); a watch made before the accounts start begins when they do.
    void watchSymbol(const QString &symbol);
    void unwatchSymbol(const QString &symbol);

    // --- bots at runtime (the configuration file is the caller's: the console saves bots.json) ---
    // Validated here (InvalidInput / Configuration errors come back at once, nothing changed); then applied
    // on the account's thread, which reports botChangeApplied or botChangeRefused. Errors: "NotRunning",
    // "InvalidConfig", "BotExists", "NotFound", "AccountNotRunning", "AccountChange" (move = remove + add),
    // "BotNotFlat" (remove of a bot with a contract open or a buy in flight: stop it, wait until it is flat).
    Result<void> addBot(const BotConfig &config);
    // Applied when the bot is flat; with a contract open, once it settles (the next buy uses the new stake).
    Result<void> updateBot(const BotConfig &config);
    // Removes a flat bot (stopping it first if it trades); a bot with an open contract is refused, never dropped.
    Result<void> removeBot(const QString &botId);

    // --- accounts at runtime (the configuration is the caller's: the console saves it) ---
    // Validated here like a configured account (AccountConfig and EngineConfig::admitsAccount: bad limits, a
    // duplicate id, a demo token with a real endpoint come back at once, nothing changed). Then, as at start,
    // its token is resolved (environment, Options::tokenResolver; in paper mode a demo token the simulator
    // learns) and its worker launched: own sockets, journal, locks, reconciliation at start-up. An account
    // added while the gate is halted (kill switch, account stop of its login) starts with its bots halted.
    // accountChangeApplied(id, "add") follows once it is authorized, accountChangeRefused(id, "add", error)
    // if it cannot start (token missing or refused, journal unavailable, engine stopping: "EngineStopping");
    // a refused account is forgotten again. Errors: "NotRunning" (also before started()), "InvalidConfig".
    Result<void> addAccount(const AccountConfig &config);
    // Stops an account's worker (locks released, sessions closed) and forgets it, then
    // accountChangeApplied(id, "remove"). Refused, at once or through accountChangeRefused(id, "remove", error):
    // "NotFound", "NotRunning", "AccountStarting" (its token is still being resolved), "AccountHasBots"
    // (remove its bots first), "AccountNotFlat" (contracts open or trades unresolved: wait until they settle).
    Result<void> removeAccount(const QString &accountId);

    // --- coordination, for the status bar ---
    // "in-process" (paper without Redis, or locks given in Options), "lock file" or "Redis".
    QString coordinationBackend() const { return m_coordinationBackend; }
    bool isCoordinationUp() const { return m_coordinationUp; }

Q_SIGNALS:
    void started();
    void startFailed(const Vigil::Error &error);
    void accountUpdated(const Vigil::AccountSnapshot &snapshot);
    void eventRaised(const Vigil::EngineEvent &event);
    void reconcileFinished(const Vigil::ReconcileReport &report);
    void emergencyStopFinished(const Vigil::EmergencyStopReport &report);
    // Coordination (lock file / Redis) went down or came back; while down no buy can pass.
    void coordinationChanged(bool up, const QString &description);
    // Ticks of a watched symbol, oldest first (see watchSymbol). On this object's thread.
    void ticksArrived(const QString &symbol, const QList<Vigil::TickPoint> &ticks);
    // A runtime bot change took effect (change: "add", "update", "remove") or the account refused it.
    void botChangeApplied(const QString &botId, const QString &change);
    void botChangeRefused(const QString &botId, const QString &change, const Vigil::Error &error);
    // A runtime account change (change: "add", "remove") took effect, or could not. On this object's thread.
    void accountChangeApplied(const QString &accountId, const QString &change);
    void accountChangeRefused(const QString &accountId, const QString &change, const Vigil::Error &error);
    // A token was revoked (by the user, or the server said InvalidToken): its sessions are closed.
    void tokenRevoked(const QString &accountId, const QString &loginId, const QString &reason);
    void stopped();

private:
    struct AccountRuntime
    {
        AccountConfig config;
        QThread *thread = nullptr;
        AccountWorker *worker = nullptr;
        QString token;
        bool resolving = false; // its token is being resolved
        bool adding = false;    // added at runtime, not live yet: accountChangeApplied/Refused("add") pending
        bool retiring = false;  // its worker is ending for good (removed, or an add that failed)
        std::optional<Error> addFailure; // why a retiring add failed (reported once the worker has ended)
    };
    void startSimulator();
    void resolveTokens();
    // Finds the token of account `id` (environment, keychain through the resolver; in paper mode a demo token
    // registered with the simulator), stores it in the runtime, then `done` with the error if there is one.
    // `done` runs on this object's thread, not at all if the engine stopped (or started anew) meanwhile.
    void resolveToken(const QString &id, std::function<void(const std::optional<Error> &)> done);
    void launchAccounts();
    void launchAccount(AccountRuntime &rt);
    void onAccountLive(const QString &accountId);
    void failAdd(const QString &accountId, const Error &error);
    void onRemoveRefused(const QString &accountId, const Error &error);
    // The worker of a retiring account has ended: forgets the account and reports the change.
    void forgetAccount(const QString &accountId);
    void removeControlClient(const QString &accountId, const QString &loginId);
    void createControlClient(const QString &accountId, const QString &loginId, const QString &token);
    void onWorkerFinished(const QString &accountId);
    Result<void> startCoordination();
    // `record`: the stop as it is kept until re-armed (id, origin, time).
    quint64 emergencyStopLocal(const QString &accountId, const QString &reason, const StopMessage &record);
    // start(): halts the gate for every stop still in force (local file; Redis when configured and reachable,
    // read through the stop channel before the coordination thread runs).
    void applyStandingStops();
    // The stop state shared over Redis, read on the coordination thread: `error` when it could not be read.
    void applySharedStops(const std::optional<Error> &error, const std::optional<StopMessage> &stop,
                          const std::optional<StopMessage> &rearm);
    void haltForStandingStop(const StopMessage &stop);
    // Another instance lifted the stop of everything.
    void rearmFromElsewhere(const StopMessage &message);
    void raiseStopEvent(EngineEvent::Level level, const QString &message, const QString &account = {});
    void onCoordinationStatus(const CoordinationStatus &status);
    void forEachWorker(const QString &accountId, const std::function<void(AccountWorker *)> &fn);
    QString journalUrl() const;
    Result<void> checkBotChange(const BotConfig &config, const QString &change) const;
    QString accountForSymbol(const QString &symbol) const;
    void assignWatch(const QString &symbol);
    void publishBotList();
    void startStore();
    void stopStore();
    // Withdraws the registry from the Reconcilers (InstanceLivenessSource) before the coordination thread ends.
    void retireLiveness();

    Options m_options;
    EngineConfig m_config;
    bool m_running = false;
    bool m_stopping = false;
    std::unique_ptr<TradingGate> m_gate;
    std::unique_ptr<LimitLedger> m_ledger;
    std::unique_ptr<OpenContractBook> m_book;
    std::unique_ptr<SessionRegistry> m_sessions;
    std::shared_ptr<ExecutionLocks> m_locks;
    QHash<QString, AccountRuntime> m_accounts;
    QSet<QString> m_finishedWorkers; // accounts whose worker reported finished (its thread told to quit)
    QHash<QString, QString> m_loginIds; // account id → login id
    QUrl m_url;
    QUrl m_simUrl;
    QThread *m_simThread = nullptr;
    Sim::SimServer *m_sim = nullptr;
    QThread *m_controlThread = nullptr;
    EmergencyStop *m_emergency = nullptr;
    QObject *m_controlRoot = nullptr; // parent of the control clients, on the control thread
    QThread *m_storeThread = nullptr;
    JournalWorker *m_store = nullptr; // on m_storeThread: the console's reads
    QThread *m_coordThread = nullptr;
    LeaseKeeper *m_keeper = nullptr;
    StopChannel *m_stopChannel = nullptr;
    std::unique_ptr<LocalStopStore> m_stopFile;
    QSet<QString> m_ownStopIds; // stops this engine sent (its channel hears them back)
    QHash<QString, QString> m_standingAccountStops; // account id → reason: stops found at start without a login id
    InstanceRegistry *m_registry = nullptr;
    // The registry as the account workers' Reconcilers see it: which instances are alive, for the rows of a
    // shared journal that other instances wrote. Published under our instance id while the registry runs.
    class RegistryLiveness;
    std::shared_ptr<RegistryLiveness> m_liveness;
    bool m_coordinationUp = true;
    QString m_coordinationBackend = QStringLiteral("in-process");
    struct Watch
    {
        int count = 0;
        QString accountId; // the worker streaming it; empty until one runs
    };
    QHash<QString, Watch> m_watches;               // symbol → watch
    QHash<QString, AccountSnapshot> m_lastSnapshots; // account id → latest (removeBot's first check)
    int m_pendingTokens = 0;
    bool m_launched = false; // the accounts of start() were launched (started() emitted)
    bool m_stopStatePending = false; // the shared stop state is being read: accounts wait (applySharedStops)
    bool m_launchWaiting = false;    // launchAccounts() was called meanwhile
    quint64 m_runId = 0;     // one per start(): late answers of an earlier run are dropped
    quint64 m_nextStopId = 1;
};

} // namespace Vigil
