// SPDX-License-Identifier: GPL-3.0-or-later
// Accounts added to and removed from a running engine (paper mode: real threads, the embedded simulator on
// loopback, SQLite journal): an added account trades without a restart, is refused like a configured one
// when invalid, starts halted under a closed gate, is removed only once it has no bot and nothing open, and
// an engine stopping (or gone) while an add is pending stays clean.
#include <memory>

#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "accounts/sessionregistry.h"
#include "engine/engine.h"
#include "risk/tradinggate.h"
#include "sim/simserver.h"
#include "sim/simstats.h"
#include "support/enginesimstats.h"
#include "support/paperengineoptions.h"
#include "support/resultcheck.h"

using namespace Vigil;

namespace {

using Test::simStats;

constexpr int kAsyncMs = 30000;
const QString kSecond = QStringLiteral("second");

// The value of a configuration the test itself wrote: a mistake there ends the test program.
template<typename T>
T written(Result<T> parsed)
{
    if (!parsed.ok())
        qFatal("bad test configuration: %s", Test::describe(parsed));
    return std::move(parsed).value();
}

EngineConfig demoOnly()
{
    return written(EngineConfig::fromJson(QJsonObject{
        {QStringLiteral("accounts"), QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("demo")},
                                                            {QStringLiteral("token"), QJsonObject{{QStringLiteral("demo"), true}}}}}}}));
}

AccountConfig account(const QString &id, TokenSource::Kind kind = TokenSource::Kind::Demo, const QString &ref = {})
{
    AccountConfig a;
    a.id = id;
    a.token.kind = kind;
    a.token.ref = ref;
    return a;
}

BotConfig bot(const QString &id, const QString &accountId, const char *duration = "1", const char *unit = "t", bool enabled = true)
{
    const QJsonObject json{{QStringLiteral("id"), id},
                           {QStringLiteral("account"), accountId},
                           {QStringLiteral("enabled"), enabled},
                           {QStringLiteral("strategy"),
                            QJsonObject{{QStringLiteral("symbol"), QStringLiteral("R_100")},
                                        {QStringLiteral("contract_type"), QStringLiteral("CALL")},
                                        {QStringLiteral("duration"), QString::fromLatin1(duration).toInt()},
                                        {QStringLiteral("duration_unit"), QString::fromLatin1(unit)},
                                        {QStringLiteral("stake"), QStringLiteral("1.00")}}}};
    return written(BotConfig::fromJson(json, QStringLiteral("bot")));
}

Engine::Options options(const QString &dataDir)
{
    return Test::paperOptions(dataDir, QStringLiteral("tst-accounts"), 10);
}

// The change signals of one account, in order: "applied:add", "refused:remove:AccountNotFlat", ...
class ChangeLog final : public QObject
{
public:
    ChangeLog(Engine &engine, const QString &accountId) : m_id(accountId)
    {
        connect(&engine, &Engine::accountChangeApplied, this, [this](const QString &id, const QString &change) {
            if (id == m_id)
                entries << QStringLiteral("applied:") + change;
        });
        connect(&engine, &Engine::accountChangeRefused, this, [this](const QString &id, const QString &change, const Error &e) {
            if (id == m_id) {
                entries << QStringLiteral("refused:%1:%2").arg(change, e.code);
                lastError = e;
            }
        });
    }
    QStringList entries;
    Error lastError;

private:
    QString m_id;
};

Sim::AccountStats statsOf(Engine &engine, const QString &loginId)
{
    for (const Sim::AccountStats &a : simStats(engine).accounts) {
        if (a.loginid == loginId)
            return a;
    }
    return {};
}

// The latest snapshot of `accountId` the spy saw (a default one before any).
AccountSnapshot lastSnapshot(const QSignalSpy &spy, const QString &accountId)
{
    for (qsizetype i = spy.size() - 1; i >= 0; --i) {
        const AccountSnapshot s = spy.at(i).at(0).value<AccountSnapshot>();
        if (s.id == accountId)
            return s;
    }
    return {};
}

void startEngine(Engine &engine, const EngineConfig &config)
{
    QSignalSpy started(&engine, &Engine::started);
    const Result<void> r = engine.start(config);
    QVERIFY2(r.ok(), Test::describe(r));
    QVERIFY(started.wait(kAsyncMs));
}

void stopEngine(Engine &engine)
{
    QSignalSpy stopped(&engine, &Engine::stopped);
    engine.stop();
    QVERIFY(stopped.wait(20000));
}

void addLive(Engine &engine, ChangeLog &log, const AccountConfig &config)
{
    const Result<void> r = engine.addAccount(config);
    QVERIFY2(r.ok(), Test::describe(r));
    QTRY_VERIFY_WITH_TIMEOUT(log.entries.contains(QStringLiteral("applied:add")), kAsyncMs);
    QVERIFY(!engine.loginId(config.id).isEmpty());
}

// Starts `engine` with the demo account only, then adds account "second" and waits until it is live.
void startWithSecondLive(Engine &engine, ChangeLog &log)
{
    startEngine(engine, demoOnly());
    if (!QTest::currentTestFailed())
        addLive(engine, log, account(kSecond));
}

void addBotApplied(Engine &engine, const BotConfig &config)
{
    QSignalSpy applied(&engine, &Engine::botChangeApplied);
    const Result<void> r = engine.addBot(config);
    QVERIFY2(r.ok(), Test::describe(r));
    QTRY_VERIFY_WITH_TIMEOUT(!applied.isEmpty(), kAsyncMs);
    QCOMPARE(applied.first().at(0).toString(), config.id);
}

} // namespace

class TestEngineAccounts final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void addedAccountTradesWithoutRestart();
    void invalidAccountsAreRefused();
    void tokenTheServerRefusesIsReportedAndForgotten();
    void removalWaitsForBotsAndOpenTrades();
    void accountAddedWhileHaltedStaysHalted();
    void stopWhileAnAddIsPendingIsClean();
};

void TestEngineAccounts::initTestCase()
{
    qRegisterMetaType<EngineEvent>();
    qRegisterMetaType<AccountSnapshot>();
    qRegisterMetaType<EmergencyStopReport>();
}

void TestEngineAccounts::addedAccountTradesWithoutRestart()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path()));
    ChangeLog log(engine, kSecond);
    startWithSecondLive(engine, log);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(log.entries, QStringList{QStringLiteral("applied:add")});
    QVERIFY(engine.config().account(kSecond));
    const QString login = engine.loginId(kSecond);
    QVERIFY(login != engine.loginId(QStringLiteral("demo")));

    addBotApplied(engine, bot(QStringLiteral("on-second"), kSecond));
    if (QTest::currentTestFailed())
        return;
    // The buys reach the simulator on the new account's login, from its own trading session, with a
    // control session for the kill switch beside it.
    QTRY_VERIFY_WITH_TIMEOUT(statsOf(engine, login).buysCompleted >= 2, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(statsOf(engine, login).sessions, 2, kAsyncMs);
    QCOMPARE(statsOf(engine, engine.loginId(QStringLiteral("demo"))).buysReceived, 0);
    stopEngine(engine);
}

void TestEngineAccounts::invalidAccountsAreRefused()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path()));
    // Not running yet: nothing to add to.
    QCOMPARE(engine.addAccount(account(kSecond)).error().code, QStringLiteral("NotRunning"));
    startEngine(engine, demoOnly());
    if (QTest::currentTestFailed())
        return;
    QSignalSpy applied(&engine, &Engine::accountChangeApplied);

    // A duplicate id, refused at once like in a configuration file.
    const Result<void> duplicate = engine.addAccount(account(QStringLiteral("demo")));
    QVERIFY(!duplicate.ok());
    QCOMPARE(duplicate.error().code, QStringLiteral("InvalidConfig"));
    QVERIFY2(duplicate.error().message.contains(QStringLiteral("duplicate account id")), qPrintable(duplicate.error().message));

    // Bad limits and a bad id.
    AccountConfig badLimits = account(kSecond);
    badLimits.limits.maxTradesPerDay = -3;
    const Result<void> limits = engine.addAccount(badLimits);
    QVERIFY(!limits.ok());
    QVERIFY2(limits.error().message.contains(QStringLiteral("limits")), qPrintable(limits.error().message));
    const Result<void> badId = engine.addAccount(account(QStringLiteral("no spaces allowed")));
    QVERIFY(!badId.ok());
    QCOMPARE(badId.error().code, QStringLiteral("InvalidConfig"));
    QCOMPARE(engine.config().accounts.size(), qsizetype(1));

    // A token that cannot be found: refused through the signal, and forgotten (the same id can come again).
    ChangeLog log(engine, kSecond);
    const QString unset = QStringLiteral("VIGIL_TST_ENGINEACCOUNTS_UNSET");
    qunsetenv(qPrintable(unset));
    QVERIFY(engine.addAccount(account(kSecond, TokenSource::Kind::Environment, unset)).ok());
    QTRY_COMPARE_WITH_TIMEOUT(log.entries, QStringList{QStringLiteral("refused:add:TokenMissing")}, kAsyncMs);
    QVERIFY(!engine.config().account(kSecond));
    addLive(engine, log, account(kSecond));
    QCOMPARE(applied.size(), 1);
    stopEngine(engine);
}

void TestEngineAccounts::tokenTheServerRefusesIsReportedAndForgotten()
{
    QTemporaryDir dir;
    Engine::Options o = options(dir.path());
    // A keychain entry holding a token the simulator never issued.
    o.tokenResolver = [](const AccountConfig &, std::function<void(Result<QString>)> done) {
        done(QStringLiteral("NoSuchTokenAnywhere1"));
    };
    Engine engine(o);
    startEngine(engine, demoOnly());
    if (QTest::currentTestFailed())
        return;
    ChangeLog log(engine, kSecond);
    QVERIFY(engine.addAccount(account(kSecond, TokenSource::Kind::Keychain, QStringLiteral("token:CR0"))).ok());
    QTRY_COMPARE_WITH_TIMEOUT(log.entries, QStringList{QStringLiteral("refused:add:InvalidToken")}, kAsyncMs);
    QCOMPARE(log.lastError.account, kSecond);
    QVERIFY(!engine.config().account(kSecond));
    QVERIFY(engine.loginId(kSecond).isEmpty());
    // Its worker is gone: removing it now is "not found", adding it again is allowed.
    QCOMPARE(engine.removeAccount(kSecond).error().code, QStringLiteral("NotFound"));
    stopEngine(engine);
}

void TestEngineAccounts::removalWaitsForBotsAndOpenTrades()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path()));
    QSignalSpy snapshots(&engine, &Engine::accountUpdated);
    ChangeLog log(engine, kSecond);
    startWithSecondLive(engine, log);
    if (QTest::currentTestFailed())
        return;
    const QString login = engine.loginId(kSecond);

    // A bot on it: refused, nothing changes.
    addBotApplied(engine, bot(QStringLiteral("idle"), kSecond, "1", "t", false));
    if (QTest::currentTestFailed())
        return;
    const Result<void> withBot = engine.removeAccount(kSecond);
    QVERIFY(!withBot.ok());
    QCOMPARE(withBot.error().code, QStringLiteral("AccountHasBots"));
    QVERIFY2(withBot.error().message.contains(QStringLiteral("idle")), qPrintable(withBot.error().message));
    QSignalSpy botRemoved(&engine, &Engine::botChangeApplied);
    QVERIFY(engine.removeBot(QStringLiteral("idle")).ok());
    QVERIFY(botRemoved.wait(kAsyncMs));

    // A contract open on the account (bought outside any bot, adopted by reconciliation): refused.
    bool bought = false;
    engine.withSimulator([login, &bought](Sim::SimServer &sim) {
        const QJsonObject parameters{{QStringLiteral("amount"), 1},
                                     {QStringLiteral("basis"), QStringLiteral("stake")},
                                     {QStringLiteral("contract_type"), QStringLiteral("CALL")},
                                     {QStringLiteral("currency"), QStringLiteral("USD")},
                                     {QStringLiteral("duration"), 2},
                                     {QStringLiteral("duration_unit"), QStringLiteral("m")},
                                     {QStringLiteral("symbol"), QStringLiteral("R_100")}};
        bought = sim.buyDirect(login, parameters).ok();
    });
    QTRY_VERIFY_WITH_TIMEOUT(bought, kAsyncMs);
    engine.reconcileNow(kSecond);
    QTRY_VERIFY_WITH_TIMEOUT(lastSnapshot(snapshots, kSecond).openContracts == 1, kAsyncMs);
    QTRY_VERIFY_WITH_TIMEOUT(!lastSnapshot(snapshots, kSecond).reconciling, kAsyncMs);
    const Result<void> withTrade = engine.removeAccount(kSecond);
    QVERIFY(!withTrade.ok());
    QCOMPARE(withTrade.error().code, QStringLiteral("AccountNotFlat"));
    QVERIFY(engine.config().account(kSecond));
    QCOMPARE(statsOf(engine, login).sessions, 2);

    // Settled (two minutes of simulated time): removed; its sessions close, the engine forgets it.
    QTRY_VERIFY_WITH_TIMEOUT(lastSnapshot(snapshots, kSecond).openContracts == 0 && lastSnapshot(snapshots, kSecond).unresolvedTrades == 0
                                 && !lastSnapshot(snapshots, kSecond).reconciling,
                             60000);
    const Result<void> flat = engine.removeAccount(kSecond);
    QVERIFY2(flat.ok(), Test::describe(flat));
    QTRY_VERIFY_WITH_TIMEOUT(log.entries.contains(QStringLiteral("applied:remove")), kAsyncMs);
    QVERIFY(!engine.config().account(kSecond));
    QVERIFY(engine.loginId(kSecond).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(statsOf(engine, login).sessions, 0, kAsyncMs);
    QTRY_VERIFY_WITH_TIMEOUT(engine.sessions().sessions(login).isEmpty(), kAsyncMs);
    QCOMPARE(engine.addBot(bot(QStringLiteral("late"), kSecond)).error().code, QStringLiteral("InvalidConfig"));

    // The same id again: a fresh worker with both its sessions (the old ones left the session registry).
    log.entries.clear();
    addLive(engine, log, account(kSecond));
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE_WITH_TIMEOUT(statsOf(engine, engine.loginId(kSecond)).sessions, 2, kAsyncMs);
    QTRY_COMPARE_WITH_TIMEOUT(engine.sessions().sessions(engine.loginId(kSecond)).size(), qsizetype(2), kAsyncMs);
    stopEngine(engine);
}

void TestEngineAccounts::accountAddedWhileHaltedStaysHalted()
{
    QTemporaryDir dir;
    Engine engine(options(dir.path()));
    QSignalSpy snapshots(&engine, &Engine::accountUpdated);
    QSignalSpy reports(&engine, &Engine::emergencyStopFinished);
    startEngine(engine, demoOnly());
    if (QTest::currentTestFailed())
        return;
    engine.emergencyStop();
    QVERIFY(reports.wait(kAsyncMs));

    ChangeLog log(engine, kSecond);
    addLive(engine, log, account(kSecond));
    if (QTest::currentTestFailed())
        return;
    const QString login = engine.loginId(kSecond);
    addBotApplied(engine, bot(QStringLiteral("eager"), kSecond));
    if (QTest::currentTestFailed())
        return;
    QTRY_VERIFY_WITH_TIMEOUT(!lastSnapshot(snapshots, kSecond).bots.isEmpty()
                                 && lastSnapshot(snapshots, kSecond).bots.first().state == BotState::Halted,
                             kAsyncMs);
    QCOMPARE(lastSnapshot(snapshots, kSecond).bots.first().reason.halt, HaltReason::KillSwitch);
    QTest::qWait(3000); // ticks arrive every 0.2 s: a running bot would have tried many times
    QCOMPARE(statsOf(engine, login).buysReceived, 0);
    QCOMPARE(lastSnapshot(snapshots, kSecond).bots.first().state, BotState::Halted);

    // Re-armed, it trades: the account is not dead, only halted.
    engine.rearm();
    QTRY_VERIFY_WITH_TIMEOUT(statsOf(engine, login).buysReceived >= 1, 60000);
    stopEngine(engine);
}

void TestEngineAccounts::stopWhileAnAddIsPendingIsClean()
{
    // The keychain answers late: after the engine stopped, and after the engine is gone.
    QTemporaryDir dir;
    QObject keychain;
    int answered = 0;
    Engine::Options o = options(dir.path());
    o.tokenResolver = [&keychain, &answered](const AccountConfig &, std::function<void(Result<QString>)> done) {
        QTimer::singleShot(500, &keychain, [done, &answered] {
            ++answered;
            done(QStringLiteral("KeychainToken0001"));
        });
    };
    {
        Engine engine(o);
        startEngine(engine, demoOnly());
        if (QTest::currentTestFailed())
            return;
        engine.withSimulator([](Sim::SimServer &sim) { (void)sim.addAccount(QStringLiteral("KeychainToken0001")); });
        ChangeLog log(engine, kSecond);
        QVERIFY(engine.addAccount(account(kSecond, TokenSource::Kind::Keychain, QStringLiteral("token:VRTC"))).ok());
        QTest::qWait(50); // the token is being read now
        QSignalSpy stopped(&engine, &Engine::stopped);
        engine.stop();
        QCOMPARE(log.entries, QStringList{QStringLiteral("refused:add:EngineStopping")});
        QVERIFY(stopped.wait(20000));
        QVERIFY(!engine.config().account(kSecond));
        QSignalSpy snapshots(&engine, &Engine::accountUpdated);
        QTRY_COMPARE_WITH_TIMEOUT(answered, 1, 5000);
        QTest::qWait(500); // the late token must not launch anything (a worker would report within 0.1 s)
        QCOMPARE(snapshots.size(), 0);
        QCOMPARE(log.entries, QStringList{QStringLiteral("refused:add:EngineStopping")});
        QVERIFY(engine.loginId(kSecond).isEmpty());
        QVERIFY(!engine.isRunning());
    }
    {
        auto engine = std::make_unique<Engine>(o);
        startEngine(*engine, demoOnly());
        if (QTest::currentTestFailed())
            return;
        QVERIFY(engine->addAccount(account(kSecond, TokenSource::Kind::Keychain, QStringLiteral("token:VRTC"))).ok());
        QTest::qWait(50);
        stopEngine(*engine);
        engine.reset(); // gone before the keychain answers
        QTRY_COMPARE_WITH_TIMEOUT(answered, 2, 5000);
        QTest::qWait(200);
    }
    {
        // Stopped right after the worker was launched (not live yet): it stops with the others.
        Engine engine(options(dir.path()));
        startEngine(engine, demoOnly());
        if (QTest::currentTestFailed())
            return;
        ChangeLog log(engine, kSecond);
        QSignalSpy snapshots(&engine, &Engine::accountUpdated);
        QVERIFY(engine.addAccount(account(kSecond)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(!lastSnapshot(snapshots, kSecond).id.isEmpty() || !log.entries.isEmpty(), kAsyncMs);
        stopEngine(engine);
        QVERIFY(log.entries.size() <= 1);
        QVERIFY(!engine.isRunning());
    }
}

QTEST_GUILESS_MAIN(TestEngineAccounts)
#include "tst_engineaccounts.moc"
