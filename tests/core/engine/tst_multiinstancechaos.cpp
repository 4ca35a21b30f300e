// SPDX-License-Identifier: GPL-3.0-or-later
// Three vigil-headless processes trade one Deriv account with one Redis: two share a journal (one machine), the
// third has a journal of its own (another machine). Meanwhile the simulator drops every session, loses buy replies
// (the buy executes, its reply never comes) and drops buys before executing them, at random moments. Afterwards,
// counted on the server: the account's trades of the day and its open contracts stayed inside the limits, one buy
// was in flight at a time, and every contract is in exactly one journal (none adopted by the other journal, none
// lost); and the three instances report the same trades and P&L for the account.
#include <memory>

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include "support/headlessrunner.h"
#include "support/redisserver.h"
#include "support/simprocess.h"

using namespace Qt::StringLiterals;
using Vigil::Test::buildBinary;
using Vigil::Test::SimProcess;

namespace {
constexpr int kMaxTrades = 40;
constexpr int kMaxOpen = 3;
} // namespace

class TestMultiInstanceChaos final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void threeInstancesTwoJournalsUnderFaults();

private:
    QProcess *startRunner(const QString &name, const QStringList &bots, const QString &journal, const QString &redis);
    // Contract id → request tag of every row of a journal that holds a contract.
    QHash<qint64, QString> contractsIn(const QString &journal);
    // "trades N/M" and "P/L X" of the runner's last status line (empty if none yet).
    QString accountFigures(const QString &name);
    QString logOf(const QString &name);
    // The runners' lines about reconciliation and lost buys, and any naming `contractId`.
    void explain(qint64 contractId);

    QTemporaryDir m_dir;
    SimProcess m_sim;
    std::vector<std::unique_ptr<QProcess>> m_runners;
};

void TestMultiInstanceChaos::initTestCase()
{
    QVERIFY(QFile::exists(buildBinary("app/headless/vigil-headless")));
    // In real time (reconciliation finds a lost buy's contract by its purchase time, which a faster simulated clock
    // would move away from the buy), with 2-tick contracts on a 1 s index: each open ~2 s.
    QVERIFY(m_sim.start({u"--token"_s, u"Chaos12345678"_s, u"--no-rate-limit"_s, u"--quiet"_s}));
}

QProcess *TestMultiInstanceChaos::startRunner(const QString &name, const QStringList &bots, const QString &journal,
                                              const QString &redis)
{
    const QByteArray list = Vigil::Test::callBots(bots, u"chaos"_s, 2, "t");
    QFile config(m_dir.filePath(name + u".json"_s));
    if (!config.open(QIODevice::WriteOnly))
        return nullptr;
    config.write(R"({"accounts": [{"id": "chaos", "token": {"env": "VIGIL_CHAOS_TOKEN"}, "limits": {"max_trades_per_day": )"
                 + QByteArray::number(kMaxTrades) + R"(, "max_concurrent_open": )" + QByteArray::number(kMaxOpen)
                 + R"(, "daily_loss_bp": 10000}}], "bots": [)" + list + "]}");
    config.close();
    auto *p = new QProcess;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"VIGIL_CHAOS_TOKEN"_s, u"Chaos12345678"_s);
    env.insert(u"XDG_DATA_HOME"_s, m_dir.filePath(u"xdg-"_s + journal)); // one data folder per machine
    p->setProcessEnvironment(env);
    p->setProcessChannelMode(QProcess::MergedChannels);
    p->setStandardOutputFile(m_dir.filePath(name + u".log"_s));
    p->start(buildBinary("app/headless/vigil-headless"),
             {u"--config"_s, config.fileName(), u"--endpoint"_s, m_sim.url(), u"--app-id"_s, u"1089"_s, u"--instance"_s,
              name, u"--db"_s, m_dir.filePath(journal + u".db"_s), u"--status-interval"_s, u"1"_s, u"--redis"_s, redis});
    m_runners.emplace_back(p);
    return p;
}

QHash<qint64, QString> TestMultiInstanceChaos::contractsIn(const QString &journal)
{
    return Vigil::Test::journalContracts(m_dir.filePath(journal + u".db"_s));
}

QString TestMultiInstanceChaos::logOf(const QString &name)
{
    QFile log(m_dir.filePath(name + u".log"_s));
    return log.open(QIODevice::ReadOnly) ? QString::fromUtf8(log.readAll()) : QString();
}

void TestMultiInstanceChaos::explain(qint64 contractId)
{
    const QString id = QString::number(contractId);
    for (const QString &name : {u"east"_s, u"north"_s, u"west"_s}) {
        QStringList lines;
        for (const QString &line : logOf(name).split(u'\n')) {
            if (line.contains(id) || line.contains(u"reconcil"_s) || line.contains(u"lost"_s) || line.contains(u"unknown"_s))
                lines << line.left(400);
        }
        qWarning().noquote() << name << "(contract" << id << "):\n" << lines.join(u'\n').right(8000);
    }
}

QString TestMultiInstanceChaos::accountFigures(const QString &name)
{
    static const QRegularExpression status(u" STATUS .*\\| (trades \\d+/\\d+) \\|.*\\| (P/L -?\\d+\\.\\d+)"_s);
    QString last;
    for (const QString &line : logOf(name).split(u'\n')) {
        if (const QRegularExpressionMatch m = status.match(line); m.hasMatch())
            last = m.captured(1) + u' ' + m.captured(2);
    }
    return last;
}

void TestMultiInstanceChaos::threeInstancesTwoJournalsUnderFaults()
{
    Vigil::Test::RedisServer redis;
    VIGIL_START_REDIS_OR_SKIP(redis);
    const QString redisUrl = u"redis://127.0.0.1:%1"_s.arg(redis.port());
    // east and north: one machine, one journal; west: another machine.
    QVERIFY(startRunner(u"east"_s, {u"a"_s, u"b"_s}, u"machine1"_s, redisUrl));
    QVERIFY(startRunner(u"north"_s, {u"e"_s, u"f"_s}, u"machine1"_s, redisUrl));
    QVERIFY(startRunner(u"west"_s, {u"c"_s, u"d"_s}, u"machine2"_s, redisUrl));
    for (const auto &p : m_runners)
        QVERIFY(p->waitForStarted(10'000));
    QTRY_VERIFY_WITH_TIMEOUT(m_sim.accountStats().value(u"buys_received"_s).toInt() >= 3, 60'000);

    const quint32 seed = QRandomGenerator::global()->generate();
    qInfo() << "fault seed" << seed;
    QRandomGenerator random(seed);
    const QJsonObject faults[] = {
        {{u"action"_s, u"drop"_s}},
        {{u"action"_s, u"drop_on_call"_s}, {u"call"_s, u"buy"_s}, {u"apply"_s, true}, {u"times"_s, 1}},  // reply lost
        {{u"action"_s, u"drop_on_call"_s}, {u"call"_s, u"buy"_s}, {u"apply"_s, false}, {u"times"_s, 1}}, // never bought
    };
    int injected = 0;
    for (QElapsedTimer t; !t.isValid() || t.elapsed() < 35'000;) {
        if (!t.isValid())
            t.start();
        QTest::qWait(1500 + int(random.bounded(2500)));
        QVERIFY(!m_sim.request("POST", "/faults", faults[random.bounded(3)]).isEmpty());
        ++injected;
        for (const auto &p : m_runners)
            QVERIFY2(p->state() == QProcess::Running, qPrintable(logOf(p->arguments().at(p->arguments().indexOf(u"--instance"_s) + 1)).right(3000)));
    }
    (void)m_sim.request("DELETE", "/faults");

    // Until nothing more is bought for 6 s, and the three agree on the account's figures (shares refresh every 5 s).
    int last = -1;
    for (int quiet = 0; quiet < 12;) {
        QTest::qWait(500);
        const int now = m_sim.accountStats().value(u"buys_received"_s).toInt();
        quiet = now == last ? quiet + 1 : 0;
        last = now;
    }
    // Lost replies are resolved by reconciliation after the reconnect: until every contract of the account is in a
    // journal.
    const auto serverContracts = [this] {
        QSet<qint64> server;
        const QJsonObject stats = m_sim.request("GET", "/stats");
        const QString login = stats.value(u"accounts"_s).toArray().first().toObject().value(u"loginid"_s).toString();
        for (const QJsonValue &c : stats.value(u"contracts"_s).toArray()) {
            if (c.toObject().value(u"loginid"_s).toString() == login)
                server.insert(c.toObject().value(u"contract_id"_s).toInteger());
        }
        return server;
    };
    qint64 unjournaled = 0;
    const auto allJournaled = [&] {
        const QHash<qint64, QString> one = contractsIn(u"machine1"_s);
        const QHash<qint64, QString> two = contractsIn(u"machine2"_s);
        for (qint64 id : serverContracts()) {
            if (!one.contains(id) && !two.contains(id)) {
                unjournaled = id;
                return false;
            }
        }
        return true;
    };
    if (!QTest::qWaitFor(allJournaled, 90'000)) {
        explain(unjournaled);
        QFAIL(qPrintable(u"contract %1 is in no journal"_s.arg(unjournaled)));
    }
    const auto agree = [this] {
        const QString east = accountFigures(u"east"_s);
        return !east.isEmpty() && east == accountFigures(u"north"_s) && east == accountFigures(u"west"_s);
    };
    const bool agreed = QTest::qWaitFor(agree, 20'000);
    const QString figures = u"east: %1; north: %2; west: %3"_s.arg(accountFigures(u"east"_s), accountFigures(u"north"_s),
                                                                   accountFigures(u"west"_s));
    const QJsonObject stats = m_sim.accountStats();
    for (const auto &p : m_runners)
        p->terminate();
    for (const auto &p : m_runners)
        QVERIFY(p->waitForFinished(30'000));

    const int bought = stats.value(u"buys_received"_s).toInt();
    qInfo() << "faults" << injected << "buys received" << bought << "max open" << stats.value(u"max_open_contracts"_s).toInt()
            << figures;
    QVERIFY2(agreed, qPrintable(figures));
    QVERIFY(bought <= kMaxTrades);
    QVERIFY(stats.value(u"max_open_contracts"_s).toInt() <= kMaxOpen);
    QCOMPARE(stats.value(u"max_buys_in_flight"_s).toInt(), 1);

    // Every contract of the account on the server is in exactly one journal: its buyer's.
    const QSet<qint64> server = serverContracts();
    const QHash<qint64, QString> machine1 = contractsIn(u"machine1"_s);
    const QHash<qint64, QString> machine2 = contractsIn(u"machine2"_s);
    for (qint64 id : std::as_const(server)) {
        const bool in1 = machine1.contains(id);
        const bool in2 = machine2.contains(id);
        if (in1 == in2)
            explain(id);
        QVERIFY2(in1 != in2, qPrintable(u"contract %1: in machine1's journal %2, in machine2's %3"_s.arg(id).arg(in1).arg(in2)));
        const QString tag = in1 ? machine1.value(id) : machine2.value(id);
        const bool buyer = in1 ? (tag.startsWith(u"east:"_s) || tag.startsWith(u"north:"_s)) : tag.startsWith(u"west:"_s);
        if (!buyer)
            explain(id);
        QVERIFY2(buyer, qPrintable(u"contract %1 is in machine%2's journal with tag '%3'"_s.arg(id).arg(in1 ? 1 : 2).arg(tag)));
    }
    QCOMPARE(machine1.size() + machine2.size(), server.size());
}

QTEST_GUILESS_MAIN(TestMultiInstanceChaos)
#include "tst_multiinstancechaos.moc"
