// SPDX-License-Identifier: GPL-3.0-or-later
// Two vigil-headless processes trading one Deriv account through one journal (the default on one machine: the
// same data folder; lock files coordinate them): together they stay inside the account's limits, and a bot both
// have configured runs in one of them at a time, the other taking over when it goes, loses Deriv or has its token
// revoked. Then two processes with
// journals of their own (two machines) and one Redis: the limits bind them together too. Counted on the
// simulator's side (another process): buys received and the most contracts ever open at once; and from the journals.
#include <memory>
#include <optional>

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "deriv/derivclient.h"
#include "support/faultproxy.h"
#include "support/headlessrunner.h"
#include "support/redisserver.h"
#include "support/simprocess.h"

using namespace Qt::StringLiterals;
using Vigil::Test::buildBinary;
using Vigil::Test::SimProcess;

class TestSharedLimits final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void twoInstancesShareOneAccountsLimits();
    void aBotRunsInOneInstanceAtATime();
    void separateJournalsShareLimitsThroughRedis();
    void oneJournalAndRedisShareLimits();
    void separateJournalsKeepTheirOwnContracts();
    void aBotMovesToAnInstanceThatReachesDeriv();
    void aBotLeavesAnInstanceWhoseTokenIsRevoked();

private:
    // Every runner uses one data folder and m_db (one machine), or a data folder and journal of its own (as on
    // two machines); with `redis` they coordinate through that Redis too.
    enum class Journals { Shared, OwnEach };
    QProcess *startRunner(const QString &instance, const QString &config, const QString &simUrl = {},
                          const QString &redis = {}, Journals journals = Journals::Shared,
                          const QString &token = u"SharedLim12345"_s);
    // One request to the simulator, authorized by `token`: the reply (empty on failure).
    static QJsonObject callSim(const QString &url, const QString &token, const QJsonObject &request);
    bool alive(QProcess *p, const QString &name);
    // The runners' lines other than the status ones, and their last status line.
    void showRunners(const QStringList &names);
    // Two runners on one account until its trades of the day are used; the simulator's stats then (empty on failure).
    QJsonObject runPair(SimProcess &sim, const QString &first, const QString &second, const QString &redis,
                        Journals journals);
    int waitUntilQuiet(SimProcess &sim);
    // Bots buying 40 s contracts (2 s at --time-scale 20), or with `ticks`, contracts of that many ticks.
    void writeConfig(const QString &name, const QByteArray &limits, const QStringList &bots, const QByteArray &extra = {},
                     int ticks = 0);
    QHash<QString, int> tradesPerInstance(const QString &db, const QString &bot = {});
    // Contract id → request tag of every row of a journal that holds a contract.
    QHash<qint64, QString> contractsIn(const QString &db);

    QTemporaryDir m_dir;
    SimProcess m_sim;
    QString m_db = u"journal.db"_s;
};

void TestSharedLimits::initTestCase()
{
    QVERIFY(QFile::exists(buildBinary("app/headless/vigil-headless")));
    // Contracts of 40 s at 20x: each stays open ~2 s, so two instances would open four at once without the
    // shared check; buys land 20 ms apart at most.
    QVERIFY(m_sim.start({u"--token"_s, u"SharedLim12345"_s, u"--time-scale"_s, u"20"_s, u"--no-rate-limit"_s, u"--quiet"_s}));
    // Different bots in each instance, one account: the account's limits bind them together.
    const QByteArray limits = R"({"max_trades_per_day": 9, "max_concurrent_open": 2, "daily_loss_bp": 10000})";
    writeConfig(u"one.json"_s, limits, {u"a"_s, u"b"_s});
    writeConfig(u"two.json"_s, limits, {u"c"_s, u"d"_s});
    writeConfig(u"solo.json"_s, R"({"max_trades_per_day": 100000, "max_concurrent_open": 100, "daily_loss_bp": 10000})",
                {u"solo"_s});
    // An instance whose socket to Deriv stays down 3 s hands its running bots over.
    writeConfig(u"failover.json"_s, R"({"max_trades_per_day": 100000, "max_concurrent_open": 100, "daily_loss_bp": 10000})",
                {u"roaming"_s}, R"(, "failover_after_ms": 3000)");
}

void TestSharedLimits::writeConfig(const QString &name, const QByteArray &limits, const QStringList &bots,
                                   const QByteArray &extra, int ticks)
{
    const QByteArray list = ticks > 0 ? Vigil::Test::callBots(bots, u"shared"_s, ticks, "t") : Vigil::Test::callBots(bots, u"shared"_s);
    QFile config(m_dir.filePath(name));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(R"({"accounts": [{"id": "shared", "token": {"env": "VIGIL_SHARED_TOKEN"}, "limits": )" + limits
                 + R"(}], "bots": [)" + list + "]" + extra + "}");
}

QHash<QString, int> TestSharedLimits::tradesPerInstance(const QString &db, const QString &bot)
{
    QHash<QString, int> perInstance;
    {
        QSqlDatabase sql = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"check"_s);
        sql.setDatabaseName(m_dir.filePath(db));
        if (!sql.open())
            return perInstance;
        QSqlQuery q(sql);
        q.prepare(u"SELECT substr(request_tag, 1, instr(request_tag, ':') - 1), COUNT(*) FROM trades"
                  " WHERE status <> 'failed'"_s
                  + (bot.isEmpty() ? QString() : u" AND bot = ?"_s) + u" GROUP BY 1"_s);
        if (!bot.isEmpty())
            q.addBindValue(bot);
        if (q.exec()) {
            while (q.next())
                perInstance.insert(q.value(0).toString(), q.value(1).toInt());
        }
    }
    QSqlDatabase::removeDatabase(u"check"_s);
    return perInstance;
}

QHash<qint64, QString> TestSharedLimits::contractsIn(const QString &db)
{
    return Vigil::Test::journalContracts(m_dir.filePath(db));
}

QProcess *TestSharedLimits::startRunner(const QString &instance, const QString &config, const QString &simUrl,
                                        const QString &redis, Journals journals, const QString &token)
{
    auto *p = new QProcess(this);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"VIGIL_SHARED_TOKEN"_s, token);
    // One data folder (one lock folder), or one per "machine".
    const bool own = journals == Journals::OwnEach;
    env.insert(u"XDG_DATA_HOME"_s, m_dir.filePath(own ? u"xdg-"_s + instance : u"xdg"_s));
    p->setProcessEnvironment(env);
    p->setProcessChannelMode(QProcess::MergedChannels);
    p->setStandardOutputFile(m_dir.filePath(u"runner-%1.log"_s.arg(instance)));
    QStringList args{u"--config"_s, m_dir.filePath(config), u"--endpoint"_s, simUrl.isEmpty() ? m_sim.url() : simUrl,
                     u"--app-id"_s, u"1089"_s, u"--instance"_s, instance, u"--db"_s,
                     m_dir.filePath(own ? instance + u".db"_s : m_db), u"--status-interval"_s, u"1"_s};
    if (!redis.isEmpty())
        args << u"--redis"_s << redis;
    p->start(buildBinary("app/headless/vigil-headless"), args);
    return p;
}

QJsonObject TestSharedLimits::runPair(SimProcess &sim, const QString &first, const QString &second, const QString &redis,
                                      Journals journals)
{
    // The first runs one.json (bots a, b), the second two.json (c, d): one account, four bots.
    std::unique_ptr<QProcess> a(startRunner(first, u"one.json"_s, sim.url(), redis, journals));
    std::unique_ptr<QProcess> b(startRunner(second, u"two.json"_s, sim.url(), redis, journals));
    if (!a->waitForStarted(10'000) || !b->waitForStarted(10'000))
        return {};
    // Until the trades of the day are used up and nothing more arrives for a while.
    QElapsedTimer t;
    t.start();
    while (alive(a.get(), first) && alive(b.get(), second)
           && sim.accountStats().value(u"buys_received"_s).toInt() < 9 && t.elapsed() < 120'000)
        QTest::qWait(200);
    if (!alive(a.get(), first) || !alive(b.get(), second))
        return {};
    waitUntilQuiet(sim);
    const QJsonObject stats = sim.accountStats();
    if (stats.value(u"buys_received"_s).toInt() != 9)
        showRunners({first, second}); // why they stopped short (or went over)
    a->terminate();
    b->terminate();
    if (!a->waitForFinished(30'000) || !b->waitForFinished(30'000))
        return {};
    return stats;
}

bool TestSharedLimits::alive(QProcess *p, const QString &name)
{
    if (p->state() == QProcess::Running)
        return true;
    QFile log(m_dir.filePath(u"runner-%1.log"_s.arg(name)));
    (void)log.open(QIODevice::ReadOnly);
    qWarning().noquote() << name << "exited:" << log.readAll().right(2000);
    return false;
}

void TestSharedLimits::showRunners(const QStringList &names)
{
    for (const QString &name : names) {
        QFile log(m_dir.filePath(u"runner-%1.log"_s.arg(name)));
        if (!log.open(QIODevice::ReadOnly))
            continue;
        QByteArray lastStatus;
        QByteArray events;
        for (const QByteArray &line : log.readAll().split('\n')) {
            if (line.contains(" STATUS "))
                lastStatus = line;
            else
                events += line + '\n';
        }
        qWarning().noquote() << name << "log:\n" << events.right(12000) << "last status:" << lastStatus;
    }
}

// Until nothing more arrives for 4 s; returns the buys received.
int TestSharedLimits::waitUntilQuiet(SimProcess &sim)
{
    int last = -1;
    for (int quiet = 0; quiet < 8;) {
        QTest::qWait(500);
        const int now = sim.accountStats().value(u"buys_received"_s).toInt();
        quiet = now == last ? quiet + 1 : 0;
        last = now;
    }
    return last;
}

void TestSharedLimits::twoInstancesShareOneAccountsLimits()
{
    const QJsonObject stats = runPair(m_sim, u"one"_s, u"two"_s, {}, Journals::Shared);
    QVERIFY(!stats.isEmpty());

    qInfo() << "buys received:" << stats.value(u"buys_received"_s).toInt()
            << "max open at once:" << stats.value(u"max_open_contracts"_s).toInt()
            << "max buys in flight:" << stats.value(u"max_buys_in_flight"_s).toInt();
    QCOMPARE(stats.value(u"buys_received"_s).toInt(), 9); // max_trades_per_day of the account, not of each instance
    QVERIFY2(stats.value(u"max_open_contracts"_s).toInt() <= 2, "max_concurrent_open exceeded across instances");
    QCOMPARE(stats.value(u"max_buys_in_flight"_s).toInt(), 1);

    // Both instances traded (otherwise this proves nothing about sharing).
    const QHash<QString, int> perInstance = tradesPerInstance(m_db);
    qInfo() << "trades per instance:" << perInstance;
    if (perInstance.value(u"one"_s) == 0 || perInstance.value(u"two"_s) == 0)
        showRunners({u"one"_s, u"two"_s});
    QVERIFY(perInstance.value(u"one"_s) > 0);
    QVERIFY(perInstance.value(u"two"_s) > 0);
    QCOMPARE(perInstance.value(u"one"_s) + perInstance.value(u"two"_s), 9);
}

void TestSharedLimits::aBotRunsInOneInstanceAtATime()
{
    m_db = u"solo.db"_s;
    QProcess *first = startRunner(u"first"_s, u"solo.json"_s);
    QVERIFY(first->waitForStarted(10'000));
    QTRY_VERIFY_WITH_TIMEOUT(tradesPerInstance(m_db).value(u"first"_s) >= 2, 60'000);
    QProcess *second = startRunner(u"second"_s, u"solo.json"_s);
    QVERIFY(second->waitForStarted(10'000));
    // The second instance has the same bot configured: it waits on standby while the first runs it.
    QTest::qWait(8000);
    QVERIFY(second->state() == QProcess::Running);
    const int firstBefore = tradesPerInstance(m_db).value(u"first"_s);
    QCOMPARE(tradesPerInstance(m_db).value(u"second"_s), 0);
    QTest::qWait(3000);
    QVERIFY(tradesPerInstance(m_db).value(u"first"_s) > firstBefore); // still trading there
    QCOMPARE(tradesPerInstance(m_db).value(u"second"_s), 0);
    {
        QFile log(m_dir.filePath(u"runner-second.log"_s));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray text = log.readAll();
        QVERIFY2(text.contains("standby: solo runs in another instance") && text.contains("instance first"), text.right(3000).constData());
    }

    // The first one stops: the second takes the bot over (its standby retries every 3 s).
    first->terminate();
    QVERIFY(first->waitForFinished(30'000));
    const int firstTotal = tradesPerInstance(m_db).value(u"first"_s);
    QTRY_VERIFY_WITH_TIMEOUT(tradesPerInstance(m_db).value(u"second"_s) >= 2, 60'000);
    QCOMPARE(tradesPerInstance(m_db).value(u"first"_s), firstTotal);
    second->terminate();
    QVERIFY(second->waitForFinished(30'000));
    QCOMPARE(m_sim.accountStats().value(u"max_buys_in_flight"_s).toInt(), 1);
    delete first;
    delete second;
}

void TestSharedLimits::separateJournalsShareLimitsThroughRedis()
{
    Vigil::Test::RedisServer redis;
    VIGIL_START_REDIS_OR_SKIP(redis);
    SimProcess sim; // an account of its own: nothing traded on it yet
    QVERIFY(sim.start({u"--token"_s, u"SharedLim12345"_s, u"--time-scale"_s, u"20"_s, u"--no-rate-limit"_s, u"--quiet"_s}));
    const QString redisUrl = u"redis://127.0.0.1:%1"_s.arg(redis.port());

    const QJsonObject stats = runPair(sim, u"east"_s, u"west"_s, redisUrl, Journals::OwnEach);
    QVERIFY(!stats.isEmpty());

    m_db = u"east.db"_s;
    const int eastTrades = tradesPerInstance(m_db).value(u"east"_s);
    m_db = u"west.db"_s;
    const int westTrades = tradesPerInstance(m_db).value(u"west"_s);
    qInfo() << "buys received:" << stats.value(u"buys_received"_s).toInt()
            << "max open at once:" << stats.value(u"max_open_contracts"_s).toInt() << "east:" << eastTrades
            << "west:" << westTrades;
    QCOMPARE(stats.value(u"buys_received"_s).toInt(), 9); // the account's trades per day, across both journals
    QVERIFY2(stats.value(u"max_open_contracts"_s).toInt() <= 2, "max_concurrent_open exceeded across journals");
    QCOMPARE(stats.value(u"max_buys_in_flight"_s).toInt(), 1); // the Redis account lock
    if (eastTrades == 0 || westTrades == 0)
        showRunners({u"east"_s, u"west"_s});
    QVERIFY(eastTrades > 0);
    QVERIFY(westTrades > 0);
    QCOMPARE(eastTrades + westTrades, 9);
    // Each says, in its status lines, how much of the account's usage the other journal's instance added.
    for (const QString &name : {u"east"_s, u"west"_s}) {
        QFile log(m_dir.filePath(u"runner-%1.log"_s.arg(name)));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray text = log.readAll();
        QVERIFY2(text.contains("(other journals: trades "), text.right(3000).constData());
    }
}

// The usual set-up of several instances on one machine with Redis: one journal, so one share of it in Redis, published
// by both (settlements of one racing the other's buys). Their shares never refuse a buy of the other.
void TestSharedLimits::oneJournalAndRedisShareLimits()
{
    Vigil::Test::RedisServer redis;
    VIGIL_START_REDIS_OR_SKIP(redis);
    SimProcess sim;
    QVERIFY(sim.start({u"--token"_s, u"SharedLim12345"_s, u"--time-scale"_s, u"20"_s, u"--no-rate-limit"_s, u"--quiet"_s}));
    m_db = u"together.db"_s;
    const QJsonObject stats = runPair(sim, u"north"_s, u"south"_s, u"redis://127.0.0.1:%1"_s.arg(redis.port()), Journals::Shared);
    QVERIFY(!stats.isEmpty());
    const QHash<QString, int> perInstance = tradesPerInstance(m_db);
    qInfo() << "buys received:" << stats.value(u"buys_received"_s).toInt()
            << "max open at once:" << stats.value(u"max_open_contracts"_s).toInt() << "per instance:" << perInstance;
    QCOMPARE(stats.value(u"buys_received"_s).toInt(), 9);
    QVERIFY2(stats.value(u"max_open_contracts"_s).toInt() <= 2, "max_concurrent_open exceeded");
    if (perInstance.value(u"north"_s) == 0 || perInstance.value(u"south"_s) == 0)
        showRunners({u"north"_s, u"south"_s});
    QVERIFY(perInstance.value(u"north"_s) > 0 && perInstance.value(u"south"_s) > 0);
    for (const QString &name : {u"north"_s, u"south"_s}) {
        QFile log(m_dir.filePath(u"runner-%1.log"_s.arg(name)));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray text = log.readAll();
        QVERIFY2(!text.contains("UsageShareConflict") && !text.contains("UsageUnreadable"), text.right(3000).constData());
        QVERIFY2(!text.contains("(other journals:"), text.right(3000).constData()); // one journal: nothing "other"
        QVERIFY(text.contains(" STATUS "));
    }
}

// Instances on two journals trade one account: each sees the other's contracts on the server (portfolio,
// profit_table), and neither journal knows them. Reconciliation must not adopt them as orphans: each would hold the
// other's trades too, count them twice against the limits, follow them, and sell them if it sells orphans. A contract
// bought outside Vigil is still adopted, by one journal only.
void TestSharedLimits::separateJournalsKeepTheirOwnContracts()
{
    Vigil::Test::RedisServer redis;
    VIGIL_START_REDIS_OR_SKIP(redis);
    // In real time: a buy on the wire at the drop is found by its purchase time, which a faster simulated clock would
    // move away from the buy. 2-tick contracts on a 1 s index.
    SimProcess sim;
    QVERIFY(sim.start({u"--token"_s, u"SharedLim12345"_s, u"--no-rate-limit"_s, u"--quiet"_s}));
    const QByteArray many = R"({"max_trades_per_day": 100000, "max_concurrent_open": 2, "daily_loss_bp": 10000})";
    writeConfig(u"own-east.json"_s, many, {u"a"_s, u"b"_s}, {}, 2);
    writeConfig(u"own-west.json"_s, many, {u"c"_s, u"d"_s}, {}, 2);
    const QString redisUrl = u"redis://127.0.0.1:%1"_s.arg(redis.port());
    std::unique_ptr<QProcess> east(startRunner(u"keep-east"_s, u"own-east.json"_s, sim.url(), redisUrl, Journals::OwnEach));
    std::unique_ptr<QProcess> west(startRunner(u"keep-west"_s, u"own-west.json"_s, sim.url(), redisUrl, Journals::OwnEach));
    QVERIFY(east->waitForStarted(10'000) && west->waitForStarted(10'000));
    QTRY_VERIFY_WITH_TIMEOUT(contractsIn(u"keep-east.db"_s).size() >= 2 && contractsIn(u"keep-west.db"_s).size() >= 2, 60'000);

    // Bought outside Vigil (another app on the same account): an orphan.
    const QJsonObject outside = callSim(sim.url(), u"SharedLim12345"_s, QJsonObject{
        {u"buy"_s, u"1"_s}, {u"price"_s, 1},
        {u"parameters"_s, QJsonObject{{u"amount"_s, 1}, {u"basis"_s, u"stake"_s}, {u"contract_type"_s, u"PUT"_s},
                                      {u"currency"_s, u"USD"_s}, {u"duration"_s, 5}, {u"duration_unit"_s, u"m"_s},
                                      {u"symbol"_s, u"R_50"_s}}}});
    const qint64 outsideId = outside.value(u"buy"_s).toObject().value(u"contract_id"_s).toInteger();
    QVERIFY2(outsideId > 0, QJsonDocument(outside).toJson().constData());

    // Every session drops: both instances reconnect and reconcile against everything on the account. Again until one
    // of them has adopted the outside contract (a run leaves orphans alone while the other has a buy on the wire).
    auto reconciled = [this](const QString &name, int runs) {
        QFile log(m_dir.filePath(u"runner-%1.log"_s.arg(name)));
        return log.open(QIODevice::ReadOnly) && log.readAll().count("reconciliation (reconnect)") >= runs;
    };
    auto adopted = [&] {
        return int(contractsIn(u"keep-east.db"_s).contains(outsideId)) + int(contractsIn(u"keep-west.db"_s).contains(outsideId));
    };
    for (int drop = 1; drop <= 5 && adopted() == 0; ++drop) {
        QVERIFY(!sim.request("POST", "/faults", {{u"action"_s, u"drop"_s}}).isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(reconciled(u"keep-east"_s, drop) && reconciled(u"keep-west"_s, drop), 60'000);
        QTest::qWait(1000);
    }
    QTest::qWait(2000); // both still trading, and reconciling nothing more
    QVERIFY(alive(east.get(), u"keep-east"_s) && alive(west.get(), u"keep-west"_s));
    east->terminate();
    west->terminate();
    QVERIFY(east->waitForFinished(30'000) && west->waitForFinished(30'000));

    const QHash<qint64, QString> eastRows = contractsIn(u"keep-east.db"_s);
    const QHash<qint64, QString> westRows = contractsIn(u"keep-west.db"_s);
    qInfo() << "contracts in east's journal:" << eastRows.size() << "west's:" << westRows.size() << "bought in all:"
            << sim.accountStats().value(u"buys_received"_s).toInt();
    for (auto it = eastRows.cbegin(); it != eastRows.cend(); ++it)
        QVERIFY2(!westRows.contains(it.key()), qPrintable(u"contract %1 is in both journals (east: %2, west: %3)"_s
                                                              .arg(it.key()).arg(it.value(), westRows.value(it.key()))));
    QCOMPARE(adopted(), 1);
    // Apart from the outside one, each journal holds only the contracts its own instance bought.
    for (const auto &[rows, name] : {std::pair{&eastRows, u"keep-east"_s}, std::pair{&westRows, u"keep-west"_s}}) {
        for (auto it = rows->cbegin(); it != rows->cend(); ++it) {
            if (it.key() != outsideId)
                QVERIFY2(it.value().startsWith(name + u':'), qPrintable(u"%1 holds contract %2 tagged '%3'"_s.arg(name).arg(it.key()).arg(it.value())));
        }
    }
}

QJsonObject TestSharedLimits::callSim(const QString &url, const QString &token, const QJsonObject &request)
{
    Vigil::DerivClient::Options o;
    o.url = QUrl(url + u"?app_id=1089"_s);
    o.token = token;
    o.accountLabel = u"test"_s;
    Vigil::DerivClient client(o);
    QObject context;
    bool ready = false;
    QObject::connect(&client, &Vigil::DerivClient::ready, &context, [&ready] { ready = true; });
    client.open();
    if (!QTest::qWaitFor([&] { return ready; }, 10'000)) {
        qWarning() << "callSim: no session with" << url;
        return {};
    }
    std::optional<Vigil::Result<QJsonObject>> reply;
    client.send(request, &context, [&reply](const Vigil::Result<QJsonObject> &r) { reply = r; });
    if (!QTest::qWaitFor([&] { return reply.has_value(); }, 10'000) || !reply->ok()) {
        qWarning() << "callSim:" << (reply ? reply->error().toString() : u"no reply"_s);
        return {};
    }
    QJsonObject out = reply->value();
    client.close();
    return out;
}

// A bot runs in the instance holding its run lease. When that instance's token is revoked (deleted on the server
// from another session), the instance cannot trade it any more: it hands the lease over and an instance with a
// valid token for the account takes the bot.
void TestSharedLimits::aBotLeavesAnInstanceWhoseTokenIsRevoked()
{
    SimProcess sim; // its own simulator: a token is deleted on it
    QVERIFY(sim.start({u"--token"_s, u"RevokeMe12345"_s, u"--time-scale"_s, u"20"_s, u"--no-rate-limit"_s, u"--quiet"_s}));
    // A second token for the same account (api_token new_token), for the instance that will take over.
    const QJsonObject created = callSim(sim.url(), u"RevokeMe12345"_s,
                                        QJsonObject{{u"api_token"_s, 1}, {u"new_token"_s, u"standby"_s},
                                                    {u"new_token_scopes"_s, QJsonArray{u"read"_s, u"trade"_s,
                                                                                       u"trading_information"_s, u"admin"_s}}});
    QString second;
    for (const QJsonValue &t : created.value(u"api_token"_s).toObject().value(u"tokens"_s).toArray()) {
        if (t.toObject().value(u"display_name"_s).toString() == u"standby"_s)
            second = t.toObject().value(u"token"_s).toString();
    }
    QVERIFY2(!second.isEmpty(), QJsonDocument(created).toJson().constData());

    m_db = u"revoked.db"_s;
    std::unique_ptr<QProcess> holder(startRunner(u"holder"_s, u"solo.json"_s, sim.url(), {}, Journals::Shared, u"RevokeMe12345"_s));
    QVERIFY(holder->waitForStarted(10'000));
    QTRY_VERIFY_WITH_TIMEOUT(tradesPerInstance(m_db).value(u"holder"_s) >= 2, 60'000);
    std::unique_ptr<QProcess> spare(startRunner(u"spare"_s, u"solo.json"_s, sim.url(), {}, Journals::Shared, second));
    QVERIFY(spare->waitForStarted(10'000));
    QTest::qWait(5000); // on standby while the holder runs the bot
    QCOMPARE(tradesPerInstance(m_db).value(u"spare"_s), 0);

    // The holder's token is deleted, from the spare token's session.
    const QJsonObject deleted = callSim(sim.url(), second, QJsonObject{{u"api_token"_s, 1}, {u"delete_token"_s, u"RevokeMe12345"_s}});
    QCOMPARE(deleted.value(u"api_token"_s).toObject().value(u"delete_token"_s).toInt(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(tradesPerInstance(m_db).value(u"spare"_s) >= 2, 60'000);
    const int holderTotal = tradesPerInstance(m_db).value(u"holder"_s);
    QTest::qWait(2000);
    QCOMPARE(tradesPerInstance(m_db).value(u"holder"_s), holderTotal); // it buys nothing more
    QVERIFY(holder->state() == QProcess::Running);
    holder->terminate();
    spare->terminate();
    QVERIFY(holder->waitForFinished(30'000));
    QVERIFY(spare->waitForFinished(30'000));
    QFile log(m_dir.filePath(u"runner-holder.log"_s));
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QByteArray text = log.readAll();
    QVERIFY2(text.contains("TokenRevoked") || text.contains("token revoked"), text.right(3000).constData());
    QCOMPARE(sim.accountStats().value(u"max_buys_in_flight"_s).toInt(), 1);
}

void TestSharedLimits::aBotMovesToAnInstanceThatReachesDeriv()
{
    // "cut" reaches the simulator through a proxy that will stop letting anything through; "spare" directly.
    m_db = u"failover.db"_s;
    Vigil::Test::FaultProxy proxy(QUrl(m_sim.url()), 7);
    QVERIFY(proxy.listen());
    std::unique_ptr<QProcess> cut(startRunner(u"cut"_s, u"failover.json"_s, proxy.url().toString()));
    QVERIFY(cut->waitForStarted(10'000));
    QTRY_VERIFY_WITH_TIMEOUT(tradesPerInstance(m_db).value(u"cut"_s) >= 2, 60'000);
    std::unique_ptr<QProcess> spare(startRunner(u"spare"_s, u"failover.json"_s));
    QVERIFY(spare->waitForStarted(10'000));
    QTest::qWait(5000);
    QCOMPARE(tradesPerInstance(m_db).value(u"spare"_s), 0); // on standby: cut runs the bot

    // cut loses Deriv (Redis/lock files still fine): every connection through the proxy dies at its first frame.
    Vigil::Test::FaultProxy::Rates down;
    down.dropInBurst = 1.0;
    down.burstFrames = 1'000'000;
    proxy.setRates(down);
    proxy.dropAll(u"network down"_s);
    QTRY_VERIFY_WITH_TIMEOUT(tradesPerInstance(m_db).value(u"spare"_s) >= 2, 60'000);
    {
        QFile log(m_dir.filePath(u"runner-cut.log"_s));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray text = log.readAll();
        QVERIFY2(text.contains("no connection to Deriv for 3 s: roaming handed to other instances"), text.right(3000).constData());
    }

    // cut's network comes back: it waits on standby while spare runs the bot.
    proxy.clean();
    QTest::qWait(8000);
    const int cutTrades = tradesPerInstance(m_db).value(u"cut"_s);
    const int spareTrades = tradesPerInstance(m_db).value(u"spare"_s);
    QTest::qWait(4000);
    QCOMPARE(tradesPerInstance(m_db).value(u"cut"_s), cutTrades);
    QVERIFY(tradesPerInstance(m_db).value(u"spare"_s) > spareTrades);
    cut->terminate();
    spare->terminate();
    QVERIFY(cut->waitForFinished(30'000) && spare->waitForFinished(30'000));
}

QTEST_GUILESS_MAIN(TestSharedLimits)
#include "tst_sharedlimits.moc"
