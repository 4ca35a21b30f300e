// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine.h"

#include <algorithm>
#include <chrono>
#include <mutex>

#include <QDir>
#include <QJsonObject>
#include <QHostInfo>
#include <QPointer>
#include <QCoreApplication>
#include <QRandomGenerator>
#include <QSet>
#include <QStandardPaths>
#include <QThread>
#include <QUuid>

#include "accounts/sessionregistry.h"
#include "accounts/tokenfingerprint.h"
#include "coordination/coordinationerror.h"
#include "coordination/coordinationfactory.h"
#include "coordination/instanceregistry.h"
#include "coordination/leasekeeper.h"
#include "coordination/localstopstore.h"
#include "coordination/redisconfig.h"
#include "coordination/stopchannel.h"
#include "deriv/derivclient.h"
#include "engine/coordinatedexecutionlocks.h"
#include "engine/accountworker.h"
#include "engine/localexecutionlocks.h"
#include "health/clock.h"
#include "health/logcategories.h"
#include "health/redactor.h"
#include "reconcile/instancelivenesssource.h"
#include "risk/emergencystop.h"
#include "risk/limitledger.h"
#include "risk/opencontractbook.h"
#include "risk/tradinggate.h"
#include "sim/simserver.h"
#include "store/journalworker.h"

namespace Vigil {

namespace {
qint64 steadyNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

QString randomToken()
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    QString t;
    for (int i = 0; i < 24; ++i)
        t += QLatin1Char(alphabet[QRandomGenerator::system()->bounded(int(sizeof(alphabet) - 1))]);
    return t;
}
} // namespace

// Answers from the store through the registry's thread (InstanceRegistry::readInstances). Detached before that
// thread ends: a read after it answers unknown.
class Engine::RegistryLiveness final : public InstanceLivenessSource
{
public:
    explicit RegistryLiveness(InstanceRegistry *registry) : m_registry(registry) {}

    void detach()
    {
        std::lock_guard lock(m_mutex);
        m_registry = nullptr;
    }

    void read(QObject *context, std::function<void(const InstanceLiveness &)> done) override
    {
        std::lock_guard lock(m_mutex);
        if (!m_registry) {
            QMetaObject::invokeMethod(context, [done = std::move(done)] {
                done(InstanceLiveness::unknown(QStringLiteral("the instance registry has stopped")));
            }, Qt::QueuedConnection);
            return;
        }
        m_registry->readInstances(context, [done = std::move(done)](const Result<QList<InstanceInfo>> &listed) {
            if (!listed) {
                done(InstanceLiveness::unknown(listed.error().toString()));
                return;
            }
            QSet<QString> alive;
            for (const InstanceInfo &i : listed.value())
                alive.insert(i.identity.instanceId);
            done(InstanceLiveness::of(alive));
        });
    }

private:
    std::mutex m_mutex;
    InstanceRegistry *m_registry; // on the coordination thread; valid until detach()
};

Engine::Engine(Options options, QObject *parent) : QObject(parent), m_options(std::move(options))
{
    if (!m_options.clock)
        m_options.clock = &Clock::system();
    if (m_options.instanceId.isEmpty())
        m_options.instanceId = QHostInfo::localHostName() + u'-' + QString::number(QCoreApplication::applicationPid());
    if (m_options.dataDir.isEmpty())
        m_options.dataDir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    m_gate = std::make_unique<TradingGate>();
    m_ledger = std::make_unique<LimitLedger>(*m_options.clock);
    m_book = std::make_unique<OpenContractBook>();
    m_sessions = std::make_unique<SessionRegistry>(*m_options.clock);
    connect(m_sessions.get(), &SessionRegistry::tokenRevoked, this,
            [this](const QString &, const QStringList &accounts, const QString &reason) {
                for (auto it = m_loginIds.cbegin(); it != m_loginIds.cend(); ++it) {
                    if (accounts.contains(it.value()) || accounts.contains(it.key()))
                        Q_EMIT tokenRevoked(it.key(), it.value(), reason);
                }
            });
    m_locks = m_options.locks; // else chosen in start(): lock file, or Redis when configured
    // Next to the lock files: see LocalStopStore.
    m_stopFile = std::make_unique<LocalStopStore>(QDir(m_options.dataDir).filePath(QStringLiteral("locks/emergency-stop.json")));
}

Engine::~Engine()
{
    auto finish = [](QThread *t) {
        if (t && t->isRunning()) {
            t->quit();
            t->wait();
        }
    };
    for (AccountRuntime &rt : m_accounts)
        finish(rt.thread);
    finish(m_controlThread);
    finish(m_storeThread);
    retireLiveness();
    finish(m_coordThread);
    finish(m_simThread);
}

QString Engine::journalUrl() const
{
    if (!m_config.journalUrl.isEmpty())
        return m_config.journalUrl;
    QDir().mkpath(m_options.dataDir);
    return QDir(m_options.dataDir).filePath(QStringLiteral("journal.db"));
}

Result<void> Engine::start(const EngineConfig &config)
{
    if (m_running)
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("AlreadyRunning"), QStringLiteral("the engine is already running"));
    Result<QUrl> url = config.connectUrl();
    if (!url)
        return url.error();
    m_config = config;
    ++m_runId;
    m_launched = false;
    m_accounts.clear(); // a previous run's accounts (their threads have ended)
    m_finishedWorkers.clear();
    m_loginIds.clear();
    m_lastSnapshots.clear();
    if (!m_locks) {
        if (m_config.isPaper() && m_config.redisUrl.isEmpty()) {
            // The embedded simulator's accounts exist only inside this process: no other instance can trade
            // them, so the in-process arbiter is all the coordination they need.
            m_locks = std::make_shared<LocalExecutionLocks>();
            m_coordinationBackend = QStringLiteral("in-process");
        } else if (Result<void> c = startCoordination(); !c) {
            return c;
        }
    }
    // Before anything that could trade exists: a stop still in force halts the gate first.
    m_standingAccountStops.clear();
    applyStandingStops();
    if (m_coordThread && !m_coordThread->isRunning())
        m_coordThread->start();
    m_running = true;
    startStore();

    m_controlThread = new QThread(this);
    m_controlThread->setObjectName(QStringLiteral("control"));
    m_controlRoot = new QObject;
    m_controlRoot->moveToThread(m_controlThread);
    m_emergency = new EmergencyStop(m_gate.get(), m_book.get(), m_options.clock);
    m_emergency->moveToThread(m_controlThread);
    connect(m_controlThread, &QThread::finished, m_controlRoot, &QObject::deleteLater);
    connect(m_controlThread, &QThread::finished, m_emergency, &QObject::deleteLater);
    connect(m_emergency, &EmergencyStop::finished, this, [this](const EmergencyStopReport &report) {
        for (AccountRuntime &rt : m_accounts) {
            if (rt.worker && (report.scope == QLatin1String("all") || report.scope == m_loginIds.value(rt.config.id)))
                QMetaObject::invokeMethod(rt.worker, [w = rt.worker, report] { w->auditEmergencyStop(report); }, Qt::QueuedConnection);
        }
        EngineEvent e;
        e.level = report.verifiedFlat ? EngineEvent::Level::Warning : EngineEvent::Level::Error;
        e.kind = EngineEvent::Kind::EmergencyStopFinished;
        e.account = report.scope;
        e.message = report.summary();
        e.details = report.toJson();
        e.atMs = m_options.clock->nowMs();
        Q_EMIT eventRaised(e);
        Q_EMIT emergencyStopFinished(report);
    });
    connect(m_emergency, &EmergencyStop::lateSale, this, [this](const QString &account, qint64 contractId, bool sold, const QString &detail) {
        EngineEvent e;
        e.level = sold ? EngineEvent::Level::Warning : EngineEvent::Level::Error;
        e.kind = EngineEvent::Kind::General;
        e.account = account;
        e.message = sold ? QStringLiteral("emergency stop: contract %1, not sellable at the stop, sold once it could be%2")
                               .arg(contractId).arg(detail.isEmpty() ? QString() : QStringLiteral(" for ") + detail)
                         : QStringLiteral("emergency stop: contract %1 %2").arg(contractId).arg(detail);
        e.details = QJsonObject{{QStringLiteral("contract_id"), contractId}, {QStringLiteral("sold"), sold}};
        e.atMs = m_options.clock->nowMs();
        Q_EMIT eventRaised(e);
    });
    m_controlThread->start();

    for (const AccountConfig &a : std::as_const(m_config.accounts)) {
        AccountRuntime rt;
        rt.config = a;
        m_accounts.insert(a.id, rt);
    }

    if (m_config.isPaper()) {
        startSimulator();
    } else {
        m_url = url.value();
        resolveTokens();
    }
    return {};
}

void Engine::startStore()
{
    JournalConfig jc;
    jc.url = journalUrl();
    jc.clock = m_options.clock;
    m_storeThread = new QThread(this);
    m_storeThread->setObjectName(QStringLiteral("store"));
    m_store = new JournalWorker(jc);
    m_store->moveToThread(m_storeThread);
    connect(m_storeThread, &QThread::started, m_store, &JournalWorker::start);
    connect(m_storeThread, &QThread::finished, m_store, &QObject::deleteLater);
    connect(m_store, &JournalWorker::openFailed, this, [this](const Error &error) {
        EngineEvent e;
        e.level = EngineEvent::Level::Warning;
        e.message = QStringLiteral("the console cannot read the journal: %1").arg(error.message);
        e.details = error.toJson();
        e.atMs = m_options.clock->nowMs();
        Q_EMIT eventRaised(e);
    });
    m_storeThread->start();
}

void Engine::stopStore()
{
    if (!m_storeThread)
        return;
    m_storeThread->quit();
    m_storeThread->wait();
    m_store = nullptr; // deleted on its thread by QThread::finished
    m_storeThread = nullptr;
}

void Engine::queryTrades(const TradeFilter &filter, QObject *context, TradesCallback done)
{
    Q_ASSERT(context);
    if (!m_store) {
        QMetaObject::invokeMethod(context, [done = std::move(done)] {
            done(Error::make(ErrorKind::Storage, QStringLiteral("NotOpen"), QStringLiteral("the engine is not running: no journal to read")));
        }, Qt::QueuedConnection);
        return;
    }
    m_store->submit(context, [filter](Journal &journal) { return journal.trades(filter); }, std::move(done));
}

QString Engine::accountForSymbol(const QString &symbol) const
{
    for (const BotConfig &b : m_config.bots) {
        const auto rt = m_accounts.constFind(b.account);
        if (b.strategy.value(QLatin1String("symbol")).toString() == symbol && rt != m_accounts.cend() && rt->worker)
            return b.account;
    }
    for (const AccountConfig &a : m_config.accounts) {
        const auto rt = m_accounts.constFind(a.id);
        if (rt != m_accounts.cend() && rt->worker)
            return a.id;
    }
    return QString();
}

void Engine::assignWatch(const QString &symbol)
{
    Watch &w = m_watches[symbol];
    w.accountId = accountForSymbol(symbol);
    if (w.accountId.isEmpty())
        return; // no account runs yet: launchAccount assigns it
    AccountWorker *worker = m_accounts.value(w.accountId).worker;
    QMetaObject::invokeMethod(worker, [worker, symbol] { worker->watchSymbol(symbol); }, Qt::QueuedConnection);
}

void Engine::watchSymbol(const QString &symbol)
{
    if (symbol.isEmpty())
        return;
    Watch &w = m_watches[symbol];
    if (++w.count == 1)
        assignWatch(symbol);
}

void Engine::unwatchSymbol(const QString &symbol)
{
    auto it = m_watches.find(symbol);
    if (it == m_watches.end())
        return;
    if (--it->count > 0)
        return;
    const QString accountId = it->accountId;
    m_watches.erase(it);
    const auto rt = m_accounts.constFind(accountId);
    if (rt == m_accounts.cend() || !rt->worker)
        return;
    AccountWorker *worker = rt->worker;
    QMetaObject::invokeMethod(worker, [worker, symbol] { worker->unwatchSymbol(symbol); }, Qt::QueuedConnection);
}

Result<void> Engine::checkBotChange(const BotConfig &config, const QString &change) const
{
    if (!m_running || m_stopping)
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("NotRunning"), QStringLiteral("the engine is not running"));
    Result<BotConfig> valid = BotConfig::fromJson(config.toJson(), QStringLiteral("bot"));
    if (!valid)
        return valid.error();
    const auto rt = m_accounts.constFind(config.account);
    if (rt == m_accounts.cend())
        return Error::make(ErrorKind::Configuration, QStringLiteral("InvalidConfig"),
                           QStringLiteral("bot %1: account %2 is not configured").arg(config.id, config.account));
    if (!rt->worker || rt->retiring)
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("AccountNotRunning"),
                           QStringLiteral("bot %1: account %2 is not running (no token?)").arg(config.id, config.account));
    const BotConfig *existing = m_config.bot(config.id);
    if (change == QLatin1String("add") && existing)
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("BotExists"), QStringLiteral("bot %1 already exists").arg(config.id));
    if (change == QLatin1String("update")) {
        if (!existing)
            return Error::make(ErrorKind::InvalidInput, QStringLiteral("NotFound"), QStringLiteral("bot %1 does not exist").arg(config.id));
        if (existing->account != config.account)
            return Error::make(ErrorKind::InvalidInput, QStringLiteral("AccountChange"),
                               QStringLiteral("bot %1 cannot move from %2 to %3 while running: remove it and add it again")
                                   .arg(config.id, existing->account, config.account));
    }
    return {};
}

Result<void> Engine::addBot(const BotConfig &config)
{
    if (Result<void> ok = checkBotChange(config, QStringLiteral("add")); !ok)
        return ok;
    m_config.bots.append(config); // routes commands at once; undone if the account refuses
    AccountWorker *w = m_accounts.value(config.account).worker;
    QMetaObject::invokeMethod(w, [w, config] { w->addBot(config); }, Qt::QueuedConnection);
    return {};
}

Result<void> Engine::updateBot(const BotConfig &config)
{
    if (Result<void> ok = checkBotChange(config, QStringLiteral("update")); !ok)
        return ok;
    for (BotConfig &b : m_config.bots) {
        if (b.id == config.id)
            b = config;
    }
    AccountWorker *w = m_accounts.value(config.account).worker;
    QMetaObject::invokeMethod(w, [w, config] { w->updateBot(config); }, Qt::QueuedConnection);
    return {};
}

Result<void> Engine::removeBot(const QString &botId)
{
    const BotConfig *existing = m_config.bot(botId);
    if (!existing)
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("NotFound"), QStringLiteral("bot %1 does not exist").arg(botId));
    if (Result<void> ok = checkBotChange(*existing, QStringLiteral("remove")); !ok)
        return ok;
    // A first answer from the latest snapshot; the account thread checks again with the live state.
    for (const BotSnapshot &b : m_lastSnapshots.value(existing->account).bots) {
        if (b.id == botId && b.openContracts > 0)
            return Error::make(ErrorKind::InvalidInput, QStringLiteral("BotNotFlat"),
                               QStringLiteral("bot %1 has a contract open: stop it and remove it once it is flat").arg(botId));
    }
    AccountWorker *w = m_accounts.value(existing->account).worker;
    QMetaObject::invokeMethod(w, [w, botId] { w->removeBot(botId); }, Qt::QueuedConnection);
    return {};
}

Result<void> Engine::addAccount(const AccountConfig &config)
{
    if (!m_running || m_stopping || !m_launched)
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("NotRunning"),
                           m_running && !m_stopping ? QStringLiteral("the engine has not started its accounts yet")
                                                    : QStringLiteral("the engine is not running"));
    const QString path = QStringLiteral("account");
    Result<AccountConfig> valid = AccountConfig::fromJson(config.toJson(), path);
    if (!valid)
        return valid.error();
    if (Result<void> fits = m_config.admitsAccount(valid.value(), path); !fits)
        return fits;
    if (m_accounts.contains(config.id)) // an account of this run still on its way out
        return configError(path + QStringLiteral(".id"), QStringLiteral("account \"%1\" is still being removed").arg(config.id));
    m_config.accounts.append(valid.value());
    AccountRuntime rt;
    rt.config = valid.value();
    rt.adding = true;
    rt.resolving = true;
    m_accounts.insert(config.id, rt);
    const QString id = config.id;
    const quint64 runId = m_runId;
    // Next turn of the event loop: the outcome always comes as a signal after this call returned.
    QMetaObject::invokeMethod(this, [this, id, runId] {
        if (runId != m_runId || !m_running || m_stopping || !m_accounts.contains(id))
            return;
        resolveToken(id, [this, id](const std::optional<Error> &error) {
            if (error) {
                failAdd(id, *error);
                return;
            }
            qCInfo(lcEngine) << "account" << id << "added at runtime: launching";
            launchAccount(m_accounts[id]);
        });
    }, Qt::QueuedConnection);
    return {};
}

void Engine::failAdd(const QString &accountId, const Error &error)
{
    auto it = m_accounts.find(accountId);
    if (it == m_accounts.end() || !it->adding)
        return; // an account of start() keeps running (its failure is in its events), as before
    Error e = error;
    e.account = accountId;
    qCWarning(lcEngine).noquote() << "account" << accountId << "not added:" << e.message;
    it->adding = false;
    it->retiring = true;
    it->addFailure = e;
    if (!it->worker || !it->thread || !it->thread->isRunning()) {
        forgetAccount(accountId);
        return;
    }
    AccountWorker *w = it->worker;
    QMetaObject::invokeMethod(w, [w] { w->shutdown(); }, Qt::QueuedConnection);
}

Result<void> Engine::removeAccount(const QString &accountId)
{
    if (!m_running || m_stopping)
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("NotRunning"), QStringLiteral("the engine is not running"));
    auto it = m_accounts.find(accountId);
    if (it == m_accounts.end() || it->retiring || !m_config.account(accountId))
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("NotFound"), QStringLiteral("account %1 is not configured").arg(accountId));
    if (it->resolving)
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("AccountStarting"),
                           QStringLiteral("account %1 is still starting (its token is being read): try again in a moment").arg(accountId));
    QStringList bots;
    for (const BotConfig &b : std::as_const(m_config.bots)) {
        if (b.account == accountId)
            bots << b.id;
    }
    if (!bots.isEmpty())
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("AccountHasBots"),
                           QStringLiteral("account %1 still has bots (%2): remove them first").arg(accountId, bots.join(QStringLiteral(", "))));
    // A first answer from the latest snapshot; the account thread checks again with the live state.
    const auto last = m_lastSnapshots.constFind(accountId);
    if (last != m_lastSnapshots.cend() && (last->openContracts > 0 || last->unresolvedTrades > 0))
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("AccountNotFlat"),
                           QStringLiteral("account %1 has %2 contract(s) open and %3 trade(s) unresolved: remove it once they are settled")
                               .arg(accountId)
                               .arg(last->openContracts)
                               .arg(last->unresolvedTrades));
    it->retiring = true;
    if (it->adding) {
        it->adding = false;
        Error cancelled = Error::make(ErrorKind::InvalidInput, QStringLiteral("Cancelled"),
                                      QStringLiteral("account %1 was removed before it was live").arg(accountId));
        cancelled.account = accountId;
        Q_EMIT accountChangeRefused(accountId, QStringLiteral("add"), cancelled);
    }
    if (!it->worker || !it->thread || !it->thread->isRunning()) {
        // Never launched (no token at start): nothing to stop.
        QMetaObject::invokeMethod(this, [this, accountId] { forgetAccount(accountId); }, Qt::QueuedConnection);
        return {};
    }
    AccountWorker *w = it->worker;
    QMetaObject::invokeMethod(w, [w] { w->retire(); }, Qt::QueuedConnection);
    return {};
}

void Engine::onRemoveRefused(const QString &accountId, const Error &error)
{
    auto it = m_accounts.find(accountId);
    if (it == m_accounts.end() || !it->retiring || it->addFailure)
        return;
    it->retiring = false;
    Q_EMIT accountChangeRefused(accountId, QStringLiteral("remove"), error);
}

void Engine::forgetAccount(const QString &accountId)
{
    auto it = m_accounts.find(accountId);
    if (it == m_accounts.end())
        return;
    const std::optional<Error> failure = it->addFailure;
    if (it->thread)
        it->thread->deleteLater(); // it has ended; nothing else holds it once the entry is gone
    m_accounts.erase(it);
    const QString login = m_loginIds.take(accountId);
    if (!login.isEmpty())
        removeControlClient(accountId, login);
    m_finishedWorkers.remove(accountId);
    m_lastSnapshots.remove(accountId);
    m_config.accounts.erase(std::remove_if(m_config.accounts.begin(), m_config.accounts.end(),
                                           [&accountId](const AccountConfig &a) { return a.id == accountId; }),
                            m_config.accounts.end());
    // Symbols it streamed to the console come from another account now.
    QStringList moved;
    for (auto w = m_watches.cbegin(); w != m_watches.cend(); ++w) {
        if (w->accountId == accountId)
            moved << w.key();
    }
    for (const QString &symbol : std::as_const(moved))
        assignWatch(symbol);
    if (failure) {
        Q_EMIT accountChangeRefused(accountId, QStringLiteral("add"), *failure);
    } else {
        qCInfo(lcEngine) << "account" << accountId << "removed";
        Q_EMIT accountChangeApplied(accountId, QStringLiteral("remove"));
    }
}

void Engine::removeControlClient(const QString &accountId, const QString &loginId)
{
    if (!m_controlRoot)
        return;
    QObject *root = m_controlRoot;
    EmergencyStop *stop = m_emergency;
    SessionRegistry *sessions = m_sessions.get();
    const QString sessionId = accountId + QStringLiteral("/control");
    QMetaObject::invokeMethod(root, [root, stop, sessions, loginId, sessionId] {
        stop->removeControlClient(loginId);
        sessions->unregisterSession(sessionId);
        if (auto *client = root->findChild<DerivClient *>(sessionId, Qt::FindDirectChildrenOnly)) {
            client->close();
            client->deleteLater();
        }
    }, Qt::QueuedConnection);
}

void Engine::publishBotList()
{
    if (!m_registry)
        return;
    QStringList bots;
    for (const BotConfig &b : std::as_const(m_config.bots))
        bots << b.id;
    InstanceRegistry *registry = m_registry;
    QMetaObject::invokeMethod(registry, [registry, bots] { registry->setBots(bots); }, Qt::QueuedConnection);
}

Result<void> Engine::startCoordination()
{
    const InstanceIdentity self = InstanceIdentity::current(m_options.instanceId);
    Result<std::unique_ptr<LockBackend>> backend =
        CoordinationFactory::lockBackend(m_config.redisUrl, self, QDir(m_options.dataDir).filePath(QStringLiteral("locks")), *m_options.clock);
    if (!backend)
        return backend.error();
    m_coordThread = new QThread(this);
    m_coordThread->setObjectName(QStringLiteral("coordination"));
    m_keeper = new LeaseKeeper(std::move(backend.value()), *m_options.clock);
    m_keeper->moveToThread(m_coordThread);
    connect(m_coordThread, &QThread::started, m_keeper, &LeaseKeeper::start);
    connect(m_coordThread, &QThread::finished, m_keeper, &QObject::deleteLater);
    connect(m_keeper, &LeaseKeeper::statusChanged, this, &Engine::onCoordinationStatus);
    connect(m_keeper, &LeaseKeeper::leaseLost, this, [this](const QString &key, const Error &reason) {
        // Backend unreachable: the coordination status path halts every bot and resumes them when it is
        // back. Anything else (renewal refused: someone else holds it now, we were frozen or too slow) is a
        // lost right to trade: the account's gate closes until the user re-arms it.
        const QString cause = reason.details.value(QLatin1String("cause")).toObject().value(QLatin1String("code")).toString();
        const bool unreachable = cause == CoordinationError::Unavailable;
        const QString login = reason.account;
        EngineEvent e;
        e.level = EngineEvent::Level::Error;
        e.kind = EngineEvent::Kind::LockLost;
        e.account = login;
        e.message = unreachable || login.isEmpty()
            ? QStringLiteral("lock %1 lost: %2 — no buy is sent under it").arg(key, reason.message)
            : QStringLiteral("lock %1 lost: %2 — account %3 halted until re-armed").arg(key, reason.message, login);
        e.details = reason.toJson();
        e.atMs = m_options.clock->nowMs();
        if (!unreachable && !login.isEmpty()) {
            const QString text = QStringLiteral("lock lost: ") + reason.message;
            (void)m_gate->setAccount(login, GateState::Halted, text);
            for (AccountRuntime &rt : m_accounts) {
                if (!rt.worker || (m_loginIds.value(rt.config.id) != login && rt.config.id != login))
                    continue;
                AccountWorker *w = rt.worker;
                QMetaObject::invokeMethod(w, [w, text] { w->haltAll(HaltReason::LeaseLost, text); }, Qt::QueuedConnection);
            }
        }
        Q_EMIT eventRaised(e);
    });
    m_coordinationBackend = m_config.redisUrl.isEmpty() ? QStringLiteral("lock file") : QStringLiteral("Redis");
    // A lease per trading cycle (account, then bot), renewed by the keeper while the buy is out.
    // Run leases only for real accounts: a paper instance's simulator and its accounts exist in that process only.
    m_locks = std::make_shared<CoordinatedExecutionLocks>(m_keeper, m_config.leaseTtlMs, !m_config.isPaper());

    if (!m_config.redisUrl.isEmpty()) {
        Result<RedisConfig> redis = RedisConfig::fromUrl(m_config.redisUrl);
        if (!redis)
            return redis.error();
        m_stopChannel = new StopChannel(redis.value(), self, *m_options.clock);
        m_stopChannel->moveToThread(m_coordThread);
        connect(m_coordThread, &QThread::started, m_stopChannel, &StopChannel::start);
        connect(m_coordThread, &QThread::finished, m_stopChannel, &QObject::deleteLater);
        connect(m_stopChannel, &StopChannel::stopRequested, this, [this](const StopMessage &message) {
            if (m_ownStopIds.contains(message.id))
                return; // our own stop, already running (one of an earlier run, replayed, is applied)
            if (m_stopStatePending) {
                // The stop in force replayed while this instance starts: nothing was launched yet, so it is a stop to
                // start under (halted), not one to run; the read of the stop state brings the same one.
                (void)m_stopFile->record(message);
                haltForStandingStop(message);
                return;
            }
            qCWarning(lcRisk) << "emergency stop requested by" << message.origin.describe();
            emergencyStopLocal(QString(), QStringLiteral("emergency stop from ") + message.origin.describe(), message);
        });
        connect(m_stopChannel, &StopChannel::rearmRequested, this, [this, self](const StopMessage &message) {
            if (!(message.origin == self))
                rearmFromElsewhere(message);
        });
        connect(m_stopChannel, &StopChannel::publishFailed, this, [this](const Error &error) {
            raiseStopEvent(EngineEvent::Level::Error,
                           QStringLiteral("the emergency stop state could not be shared over Redis: %1").arg(error.message));
        });
    }
    Result<std::unique_ptr<InstanceStore>> store =
        CoordinationFactory::instanceStore(m_config.redisUrl, QDir(m_options.dataDir).filePath(QStringLiteral("instances")), *m_options.clock);
    if (store) {
        m_registry = new InstanceRegistry(std::move(store.value()), self, *m_options.clock);
        QStringList bots;
        for (const BotConfig &b : std::as_const(m_config.bots))
            bots << b.id;
        m_registry->setBots(bots);
        m_registry->moveToThread(m_coordThread);
        connect(m_coordThread, &QThread::started, m_registry, &InstanceRegistry::start);
        connect(m_coordThread, &QThread::finished, m_registry, &QObject::deleteLater);
        m_liveness = std::make_shared<RegistryLiveness>(m_registry);
    }
    // Started by start() once the stops still in force were read and applied (applyStandingStops).
    return {};
}

void Engine::retireLiveness()
{
    if (!m_liveness)
        return;
    m_liveness->detach();
    m_liveness.reset();
}

void Engine::forEachWorker(const QString &accountId, const std::function<void(AccountWorker *)> &fn)
{
    for (AccountRuntime &rt : m_accounts) {
        if (rt.worker && (accountId.isEmpty() || rt.config.id == accountId))
            fn(rt.worker);
    }
}

void Engine::onCoordinationStatus(const CoordinationStatus &status)
{
    if (status.up == m_coordinationUp)
        return;
    m_coordinationUp = status.up;
    EngineEvent e;
    e.level = status.up ? EngineEvent::Level::Info : EngineEvent::Level::Error;
    e.kind = EngineEvent::Kind::LockLost;
    e.message = status.up ? QStringLiteral("coordination restored (%1): trading resumes").arg(status.describe())
                          : QStringLiteral("coordination unavailable (%1): no buy until it is back").arg(status.describe());
    e.atMs = m_options.clock->nowMs();
    Q_EMIT eventRaised(e);
    Q_EMIT coordinationChanged(status.up, status.describe());
    const QString text = status.describe();
    forEachWorker(QString(), [up = status.up, text](AccountWorker *w) {
        QMetaObject::invokeMethod(w, [w, up, text] {
            if (up)
                w->resumeAfterCoordination();
            else
                w->haltAll(HaltReason::CoordinationUnavailable, text);
        }, Qt::QueuedConnection);
    });
}

void Engine::startSimulator()
{
    m_simThread = new QThread(this);
    m_simThread->setObjectName(QStringLiteral("simulator"));
    Sim::SimConfig sc;
    sc.seed = m_options.simSeed ? m_options.simSeed : QRandomGenerator::system()->generate64();
    sc.timeScale = m_options.simTimeScale;
    m_sim = new Sim::SimServer(sc);
    m_sim->moveToThread(m_simThread);
    connect(m_simThread, &QThread::finished, m_sim, &QObject::deleteLater);
    m_simThread->start();

    Sim::SimServer *sim = m_sim;
    QMetaObject::invokeMethod(m_sim, [this, sim] {
        Result<quint16> port = sim->listen();
        const QUrl url = port ? sim->url() : QUrl();
        const QString failure = port ? QString() : port.error().message;
        QMetaObject::invokeMethod(this, [this, url, failure] {
            if (url.isEmpty()) {
                Q_EMIT startFailed(Error::make(ErrorKind::Internal, QStringLiteral("SimulatorFailed"),
                                               QStringLiteral("the embedded simulator did not start: ") + failure));
                return;
            }
            m_simUrl = url;
            m_url = url;
            qCInfo(lcEngine) << "paper mode: embedded simulator at" << url.toString();
            resolveTokens();
        }, Qt::QueuedConnection);
    }, Qt::QueuedConnection);
}

void Engine::resolveTokens()
{
    // Every account's token, then the accounts that have one are launched together (started()); an account
    // without its token is reported (startFailed) and the others trade.
    m_pendingTokens = 1; // this loop's own share: nothing launches before every token was asked for
    const QStringList ids = m_accounts.keys();
    for (const QString &id : ids) {
        ++m_pendingTokens;
        resolveToken(id, [this](const std::optional<Error> &error) {
            if (error)
                Q_EMIT startFailed(*error);
            if (--m_pendingTokens == 0)
                launchAccounts();
        });
    }
    if (--m_pendingTokens == 0)
        launchAccounts();
}

void Engine::resolveToken(const QString &id, std::function<void(const std::optional<Error> &)> done)
{
    const auto found = m_accounts.find(id);
    Q_ASSERT(found != m_accounts.end());
    found->resolving = true;
    const AccountConfig config = found->config;
    const quint64 runId = m_runId;
    // On this thread: the token is kept only while this run still wants the account.
    auto accept = [this, runId, id, done = std::move(done)](const Result<QString> &token) {
        if (runId != m_runId || !m_running || m_stopping)
            return;
        auto rt = m_accounts.find(id);
        if (rt == m_accounts.end() || !rt->resolving)
            return;
        rt->resolving = false;
        if (!token) {
            Error e = token.error();
            e.account = id;
            done(e);
            return;
        }
        Redactor::registerSecret(token.value());
        rt->token = token.value();
        done(std::nullopt);
    };
    switch (config.token.kind) {
    case TokenSource::Kind::Demo: {
        if (!m_sim) {
            accept(Error::make(ErrorKind::Configuration, QStringLiteral("InvalidConfig"),
                               QStringLiteral("account %1: a demo token only exists on the embedded simulator").arg(id)));
            return;
        }
        // Made up here and taught to the simulator (which lives as long as this engine runs).
        const QString token = randomToken();
        Redactor::registerSecret(token);
        Sim::SimServer *sim = m_sim;
        QMetaObject::invokeMethod(sim, [this, sim, token, accept] {
            const Result<QString> login = sim->addAccount(token);
            QMetaObject::invokeMethod(this, [accept, token, login] {
                if (!login)
                    accept(login.error());
                else
                    accept(token);
            }, Qt::QueuedConnection);
        }, Qt::QueuedConnection);
        return;
    }
    case TokenSource::Kind::Environment: {
        const QString token = qEnvironmentVariable(config.token.ref.toLocal8Bit().constData());
        if (token.isEmpty())
            accept(Error::make(ErrorKind::Configuration, QStringLiteral("TokenMissing"),
                               QStringLiteral("account %1: environment variable %2 is not set").arg(id, config.token.ref)));
        else
            accept(token);
        return;
    }
    case TokenSource::Kind::Keychain: {
        if (!m_options.tokenResolver) {
            accept(Error::make(ErrorKind::Configuration, QStringLiteral("KeychainUnavailable"),
                               QStringLiteral("account %1: no keychain available to read %2").arg(id, config.token.ref)));
            return;
        }
        // The resolver answers on this thread, maybe after this engine is gone.
        QPointer<Engine> self(this);
        m_options.tokenResolver(config, [self, accept](Result<QString> token) {
            if (self)
                QMetaObject::invokeMethod(self.data(), [accept, token] { accept(token); }, Qt::QueuedConnection);
        });
        return;
    }
    }
}

void Engine::launchAccounts()
{
    if (m_stopStatePending) {
        m_launchWaiting = true; // applySharedStops() launches them
        return;
    }
    for (AccountRuntime &rt : m_accounts) {
        if (!rt.token.isEmpty() && !rt.worker)
            launchAccount(rt);
    }
    m_launched = true;
    Q_EMIT started();
}

void Engine::launchAccount(AccountRuntime &rt)
{
    AccountWorker::Config wc;
    wc.account = rt.config;
    for (const BotConfig &b : std::as_const(m_config.bots)) {
        if (b.account == rt.config.id)
            wc.bots.append(b);
    }
    wc.url = m_url;
    wc.token = rt.token;
    wc.journalUrl = journalUrl();
    wc.pingIntervalMs = m_options.pingIntervalMs;
    wc.reconcileIntervalMs = m_options.reconcileIntervalMs;
    wc.autoStartBots = m_options.autoStartBots;
    wc.failoverAfterMs = m_config.isPaper() ? 0 : m_config.failoverAfterMs; // paper: each instance has its own simulator
    EngineShared shared;
    shared.gate = m_gate.get();
    shared.ledger = m_ledger.get();
    shared.locks = m_locks.get();
    shared.book = m_book.get();
    shared.sessions = m_sessions.get();
    shared.clock = m_options.clock;
    shared.instanceId = m_options.instanceId;
    shared.liveness = m_liveness;
    if (!m_config.isPaper())
        shared.usageRedisUrl = m_config.redisUrl;

    rt.thread = new QThread(this);
    rt.thread->setObjectName(QStringLiteral("account-") + rt.config.id);
    rt.worker = new AccountWorker(wc, shared);
    rt.worker->moveToThread(rt.thread);
    const QString id = rt.config.id;
    AccountWorker *worker = rt.worker;
    connect(rt.thread, &QThread::started, worker, &AccountWorker::start);
    connect(rt.thread, &QThread::finished, worker, &QObject::deleteLater);
    connect(rt.thread, &QThread::finished, this, [this, id] {
        const auto it = m_accounts.constFind(id);
        if (it != m_accounts.cend() && it->retiring)
            forgetAccount(id);
    });
    connect(worker, &AccountWorker::snapshotReady, this, [this](const AccountSnapshot &snapshot) {
        m_lastSnapshots.insert(snapshot.id, snapshot);
        Q_EMIT accountUpdated(snapshot);
    });
    connect(worker, &AccountWorker::ticksArrived, this, &Engine::ticksArrived);
    connect(worker, &AccountWorker::botChangeApplied, this, [this, id](const QString &botId, const QString &change) {
        auto same = [&botId](const BotConfig &c) { return c.id == botId; };
        if (change == QLatin1String("remove"))
            m_config.bots.erase(std::remove_if(m_config.bots.begin(), m_config.bots.end(), same), m_config.bots.end());
        publishBotList();
        Q_EMIT botChangeApplied(botId, change);
        Q_UNUSED(id)
    });
    connect(worker, &AccountWorker::botChangeRefused, this, [this](const QString &botId, const QString &change, const Error &error) {
        // An add the account refused is undone here too, so commands stop routing to it.
        if (change == QLatin1String("add")) {
            auto same = [&botId](const BotConfig &c) { return c.id == botId; };
            m_config.bots.erase(std::remove_if(m_config.bots.begin(), m_config.bots.end(), same), m_config.bots.end());
        }
        Q_EMIT botChangeRefused(botId, change, error);
    });
    connect(worker, &AccountWorker::eventRaised, this, &Engine::eventRaised);
    connect(worker, &AccountWorker::reconcileFinished, this, &Engine::reconcileFinished);
    connect(worker, &AccountWorker::loginResolved, this, [this](const QString &accountId, const QString &loginId) {
        auto it = m_accounts.find(accountId);
        if (it == m_accounts.end() || it->retiring)
            return; // on its way out: no control session for it
        m_loginIds.insert(accountId, loginId);
        if (const auto standing = m_standingAccountStops.constFind(accountId); standing != m_standingAccountStops.cend()) {
            // A stop of this account kept before its login was known: its gate is keyed by login.
            (void)m_gate->setAccount(loginId, GateState::Halted, standing.value());
            AccountWorker *w = it->worker;
            const QString text = standing.value();
            QMetaObject::invokeMethod(w, [w, text] { w->haltAll(HaltReason::KillSwitch, text); }, Qt::QueuedConnection);
        }
        createControlClient(accountId, loginId, it->token);
        if (it->adding) {
            it->adding = false;
            Q_EMIT accountChangeApplied(accountId, QStringLiteral("add"));
        }
    });
    connect(worker, &AccountWorker::startFailed, this, [this, id](const Error &error) { failAdd(id, error); });
    connect(worker, &AccountWorker::retireRefused, this, [this, id](const Error &error) { onRemoveRefused(id, error); });
    connect(worker, &AccountWorker::finished, this, [this, id] { onWorkerFinished(id); });
    rt.thread->start();
    for (auto it = m_watches.begin(); it != m_watches.end(); ++it) {
        if (it->accountId.isEmpty())
            assignWatch(it.key());
    }
}

void Engine::createControlClient(const QString &accountId, const QString &loginId, const QString &token)
{
    DerivClient::Options o;
    o.url = m_url;
    o.token = token;
    o.accountLabel = accountId + QStringLiteral("/control");
    o.pingIntervalMs = m_options.pingIntervalMs;
    o.clock = m_options.clock;
    o.clientRateLimit = false; // the kill switch must not wait in the client's queue; the server still enforces
    QObject *root = m_controlRoot;
    EmergencyStop *stop = m_emergency;
    SessionRegistry *sessions = m_sessions.get();
    const QString sessionId = accountId + QStringLiteral("/control");
    const QString tokenRef = TokenFingerprint::of(token);
    QMetaObject::invokeMethod(m_controlRoot, [root, stop, sessions, o, loginId, sessionId, tokenRef] {
        auto *client = new DerivClient(o, root);
        client->setObjectName(sessionId);
        const Result<void> registered = sessions->registerSession(sessionId, loginId, tokenRef, client,
                                                                  [stop, client, loginId](const QString &) {
                                                                      stop->removeControlClient(loginId);
                                                                      client->close();
                                                                  });
        if (!registered) {
            client->deleteLater();
            return;
        }
        stop->setControlClient(loginId, client);
        client->open();
    }, Qt::QueuedConnection);
}

void Engine::revokeToken(const QString &accountId, bool deleteOnServer)
{
    auto it = m_accounts.find(accountId);
    if (it == m_accounts.end() || !it->worker)
        return;
    AccountWorker *w = it->worker;
    QMetaObject::invokeMethod(w, [w, deleteOnServer] { w->revokeToken(deleteOnServer); }, Qt::QueuedConnection);
}

void Engine::withSimulator(std::function<void(Sim::SimServer &)> fn)
{
    if (!m_sim)
        return;
    Sim::SimServer *sim = m_sim;
    QMetaObject::invokeMethod(m_sim, [sim, fn = std::move(fn)] { fn(*sim); }, Qt::QueuedConnection);
}

quint64 Engine::emergencyStop(const QString &accountId)
{
    StopMessage record;
    record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    record.origin = InstanceIdentity::current(m_options.instanceId);
    record.reason = QStringLiteral("emergency stop");
    record.timeMs = m_options.clock->nowMs();
    m_ownStopIds.insert(record.id);
    const quint64 id = emergencyStopLocal(accountId, record.reason, record);
    // Every other instance halts and sells too (stop of everything only), under the same id.
    if (accountId.isEmpty() && m_stopChannel) {
        StopChannel *channel = m_stopChannel;
        const QString stopId = record.id;
        QMetaObject::invokeMethod(channel, [channel, stopId] { channel->requestStop(QStringLiteral("emergency stop"), stopId); },
                                  Qt::QueuedConnection);
    }
    return id;
}

quint64 Engine::emergencyStopLocal(const QString &accountId, const QString &reason, const StopMessage &record)
{
    const qint64 t0 = steadyNs();
    const quint64 id = m_nextStopId++;
    const QString login = accountId.isEmpty() ? QString() : m_loginIds.value(accountId, accountId);
    if (accountId.isEmpty())
        m_gate->setGlobal(GateState::Halted, reason);
    else
        (void)m_gate->setAccount(login, GateState::Halted, reason);
    const qint64 haltedUs = (steadyNs() - t0) / 1000;
    const qint64 now = m_options.clock->nowMs();

    forEachWorker(accountId, [reason](AccountWorker *w) {
        QMetaObject::invokeMethod(w, [w, reason] { w->haltAll(HaltReason::KillSwitch, reason); }, Qt::QueuedConnection);
    });
    EmergencyStop *stop = m_emergency;
    if (stop) {
        QMetaObject::invokeMethod(stop, [stop, id, login, now, t0, haltedUs] { stop->run(id, login, now, t0, haltedUs); },
                                  Qt::QueuedConnection);
    }
    qCWarning(lcRisk) << "emergency stop" << id << "for" << (accountId.isEmpty() ? QStringLiteral("all accounts") : accountId)
                      << ": gate halted in" << haltedUs << "us";
    // After the gate: kept until re-armed, so that a restart (a supervisor's, a crash's) does not trade again.
    StopMessage kept = record;
    kept.kind = StopMessage::Kind::Stop;
    kept.account = accountId;
    kept.loginId = accountId.isEmpty() ? QString() : m_loginIds.value(accountId);
    if (Result<void> saved = m_stopFile->record(kept); !saved)
        raiseStopEvent(EngineEvent::Level::Error,
                       QStringLiteral("the emergency stop is in force but not saved: a restart would trade again (%1)")
                           .arg(saved.error().message),
                       accountId);
    return id;
}

void Engine::applyStandingStops()
{
    for (const StopMessage &stop : m_stopFile->load())
        haltForStandingStop(stop);
    if (!m_stopChannel)
        return;
    // The stop in force across instances is read from Redis on the coordination thread: never a network wait on this
    // one (a firewalled Redis takes its whole timeout). No account is launched before it is known (launchAccounts).
    m_stopStatePending = true;
    QPointer<Engine> self(this);
    const quint64 run = m_runId;
    StopChannel *channel = m_stopChannel;
    QMetaObject::invokeMethod(channel, [channel, self, run] {
        const Result<StopChannel::Standing> shared = channel->readStanding();
        std::optional<Error> error;
        StopChannel::Standing standing;
        if (shared)
            standing = shared.value();
        else
            error = shared.error();
        if (Engine *engine = self.data()) {
            QMetaObject::invokeMethod(engine, [self, run, error, standing] {
                if (self && self->m_runId == run)
                    self->applySharedStops(error, standing.stop, standing.rearm);
            }, Qt::QueuedConnection);
        }
    }, Qt::QueuedConnection);
}

void Engine::applySharedStops(const std::optional<Error> &error, const std::optional<StopMessage> &stop,
                              const std::optional<StopMessage> &rearm)
{
    m_stopStatePending = false;
    if (error) {
        qCWarning(lcRisk).noquote() << "the shared emergency stop state cannot be read:" << error->message
                                    << "(the stop channel delivers a stop in force once Redis answers)";
    } else {
        // A re-arm from another instance while this one was away lifts this machine's stop of everything too.
        const QList<StopMessage> stops = m_stopFile->load();
        const bool lifted = !stop && rearm
            && std::all_of(stops.cbegin(), stops.cend(), [&rearm](const StopMessage &m) {
                   return !m.account.isEmpty() || m.malformed || rearm->rearms == m.id || rearm->timeMs >= m.timeMs;
               });
        if (lifted && std::any_of(stops.cbegin(), stops.cend(), [](const StopMessage &m) { return m.account.isEmpty(); })) {
            qCInfo(lcRisk).noquote() << "the stop of everything saved here was lifted by" << rearm->origin.describe();
            (void)m_stopFile->clearGlobal();
            for (const StopMessage &m : stops) {
                if (m.account.isEmpty())
                    (void)m_gate->liftGlobalIf(m.standingReason(), QStringLiteral("re-armed by ") + rearm->origin.describe());
            }
        }
        if (stop) {
            (void)m_stopFile->record(*stop); // a restart without Redis halts too
            haltForStandingStop(*stop);
        }
    }
    if (m_launchWaiting) {
        m_launchWaiting = false;
        if (m_running && !m_stopping)
            launchAccounts();
    }
}

void Engine::haltForStandingStop(const StopMessage &stop)
{
    const QString reason = stop.malformed ? stop.reason : stop.standingReason();
    if (stop.account.isEmpty() && m_gate->globalState() == GateState::Halted && m_gate->globalReason() == reason)
        return; // already applied (replayed by the stop channel, then read again)
    if (stop.account.isEmpty()) {
        m_gate->setGlobal(GateState::Halted, reason);
    } else {
        // Keyed by login like every account gate; the login is learned at authorization when it was not known.
        (void)m_gate->setAccount(stop.loginId.isEmpty() ? stop.account : stop.loginId, GateState::Halted, reason);
        if (stop.loginId.isEmpty())
            m_standingAccountStops.insert(stop.account, reason);
    }
    qCWarning(lcRisk).noquote() << "trading halted at start for" << (stop.account.isEmpty() ? QStringLiteral("all accounts") : stop.account)
                                << ":" << reason;
    raiseStopEvent(EngineEvent::Level::Warning, QStringLiteral("trading halted: ") + reason, stop.account);
}

void Engine::rearmFromElsewhere(const StopMessage &message)
{
    qCWarning(lcRisk).noquote() << "re-armed by" << message.origin.describe();
    (void)m_stopFile->clearGlobal();
    m_gate->setGlobal(GateState::Active, QStringLiteral("re-armed by ") + message.origin.describe());
    // Accounts halted on their own (their kill switch, a lost lock) stay so: only the stop of everything is lifted.
    for (AccountRuntime &rt : m_accounts) {
        const QString login = m_loginIds.value(rt.config.id);
        if (!rt.worker || (!login.isEmpty() && m_gate->accountState(login) == GateState::Halted))
            continue;
        AccountWorker *w = rt.worker;
        QMetaObject::invokeMethod(w, [w] { w->rearmAll(); }, Qt::QueuedConnection);
    }
    raiseStopEvent(EngineEvent::Level::Warning, QStringLiteral("trading re-armed by %1").arg(message.origin.describe()));
}

void Engine::raiseStopEvent(EngineEvent::Level level, const QString &message, const QString &account)
{
    EngineEvent e;
    e.level = level;
    e.kind = EngineEvent::Kind::General;
    e.account = account;
    e.message = message;
    e.atMs = m_options.clock->nowMs();
    Q_EMIT eventRaised(e);
}

void Engine::rearm(const QString &accountId)
{
    // The stop in force is lifted first, so that a restart from here on trades.
    if (Result<void> cleared = accountId.isEmpty() ? m_stopFile->clearAll() : m_stopFile->clearAccount(accountId); !cleared)
        raiseStopEvent(EngineEvent::Level::Error,
                       QStringLiteral("re-armed, but the emergency stop file still holds the stop: a restart would halt again (%1)")
                           .arg(cleared.error().message),
                       accountId);
    m_standingAccountStops.remove(accountId);
    if (accountId.isEmpty()) {
        m_standingAccountStops.clear();
        if (m_stopChannel) {
            StopChannel *channel = m_stopChannel;
            QMetaObject::invokeMethod(channel, [channel] { channel->requestRearm(QStringLiteral("re-armed")); },
                                      Qt::QueuedConnection);
        }
    }
    if (accountId.isEmpty())
        m_gate->setGlobal(GateState::Active, QStringLiteral("re-armed"));
    for (AccountRuntime &rt : m_accounts) {
        if (!rt.worker || (!accountId.isEmpty() && rt.config.id != accountId))
            continue;
        const QString login = m_loginIds.value(rt.config.id);
        if (!login.isEmpty())
            (void)m_gate->setAccount(login, GateState::Active, QStringLiteral("re-armed"));
        AccountWorker *w = rt.worker;
        QMetaObject::invokeMethod(w, [w] { w->rearmAll(); }, Qt::QueuedConnection);
    }
}

void Engine::reconcileNow(const QString &accountId)
{
    for (AccountRuntime &rt : m_accounts) {
        if (!rt.worker || (!accountId.isEmpty() && rt.config.id != accountId))
            continue;
        AccountWorker *w = rt.worker;
        QMetaObject::invokeMethod(w, [w] { w->reconcileNow(); }, Qt::QueuedConnection);
    }
}

#define VIGIL_BOT_COMMAND(method)                                                                   \
    void Engine::method(const QString &botId)                                                     \
    {                                                                                             \
        const BotConfig *b = m_config.bot(botId);                                                 \
        if (!b)                                                                                   \
            return;                                                                               \
        auto it = m_accounts.find(b->account);                                                    \
        if (it == m_accounts.end() || !it->worker)                                                \
            return;                                                                               \
        AccountWorker *w = it->worker;                                                            \
        QMetaObject::invokeMethod(w, [w, botId] { w->method(botId); }, Qt::QueuedConnection);     \
    }
VIGIL_BOT_COMMAND(startBot)
VIGIL_BOT_COMMAND(pauseBot)
VIGIL_BOT_COMMAND(resumeBot)
VIGIL_BOT_COMMAND(stopBot)
#undef VIGIL_BOT_COMMAND

void Engine::stop()
{
    if (!m_running || m_stopping)
        return;
    m_stopping = true;
    // Adds not live yet end here (a worker already launched stops with the others).
    QStringList abandoned;
    for (AccountRuntime &rt : m_accounts) {
        if (rt.adding) {
            rt.adding = false;
            abandoned << rt.config.id;
        }
    }
    for (const QString &id : std::as_const(abandoned)) {
        m_config.accounts.erase(std::remove_if(m_config.accounts.begin(), m_config.accounts.end(),
                                               [&id](const AccountConfig &a) { return a.id == id; }),
                                m_config.accounts.end());
        Error e = Error::make(ErrorKind::InvalidInput, QStringLiteral("EngineStopping"),
                              QStringLiteral("account %1 not added: the engine is stopping").arg(id));
        e.account = id;
        Q_EMIT accountChangeRefused(id, QStringLiteral("add"), e);
    }
    bool any = false;
    for (AccountRuntime &rt : m_accounts) {
        if (rt.worker && rt.thread && rt.thread->isRunning()) {
            any = true;
            AccountWorker *w = rt.worker;
            QMetaObject::invokeMethod(w, [w] { w->shutdown(); }, Qt::QueuedConnection);
        }
    }
    if (!any)
        onWorkerFinished(QString());
}

void Engine::onWorkerFinished(const QString &accountId)
{
    if (!accountId.isEmpty()) {
        m_finishedWorkers.insert(accountId);
        auto it = m_accounts.find(accountId);
        if (it != m_accounts.end() && it->thread)
            it->thread->quit();
    }
    if (!m_stopping)
        return;
    // Which workers have reported, not which threads still run: a thread told to quit a moment ago may
    // still be running when the last worker reports, and nothing would call here again.
    for (const AccountRuntime &rt : std::as_const(m_accounts)) {
        if (rt.thread && rt.thread->isRunning() && !m_finishedWorkers.contains(rt.config.id))
            return; // others still stopping
    }
    for (AccountRuntime &rt : m_accounts) {
        if (rt.thread)
            rt.thread->wait();
        rt.worker = nullptr;
    }
    if (m_coordThread) {
        retireLiveness();
        if (m_registry && m_coordThread->isRunning()) {
            // A clean stop leaves the registry at once, so the rows this instance left unresolved in a shared
            // journal are not held for other instances until its entry expires.
            InstanceRegistry *registry = m_registry;
            QThread *thread = m_coordThread;
            QMetaObject::invokeMethod(registry, [registry, thread] {
                registry->stop();
                thread->quit();
            }, Qt::QueuedConnection);
        } else {
            m_coordThread->quit();
        }
        m_coordThread->wait();
        m_keeper = nullptr;
        m_stopChannel = nullptr;
        m_registry = nullptr;
    }
    stopStore();
    if (m_controlThread) {
        m_controlThread->quit();
        m_controlThread->wait();
        m_emergency = nullptr;
        m_controlRoot = nullptr;
    }
    if (m_simThread) {
        m_simThread->quit();
        m_simThread->wait();
        m_sim = nullptr;
    }
    m_finishedWorkers.clear();
    m_launched = false;
    m_running = false;
    m_stopping = false;
    Q_EMIT stopped();
}

} // namespace Vigil
