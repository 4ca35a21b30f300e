// SPDX-License-Identifier: GPL-3.0-or-later
// A buy reply whose contract is already journaled on another row (reconciliation adopted it as an orphan while the
// reply was on its way, or a server repeated an id): the journal refuses to record it twice. The buy's own row must
// then be resolved by reconciliation, the contract kept once, and the bot must go on trading — not stay waiting on a
// row nobody can settle.
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "engine/engine.h"
#include "store/journal.h"

using namespace Vigil;

namespace {

EngineConfig oneBotConfig()
{
    const QJsonObject strategy{{QStringLiteral("symbol"), QStringLiteral("R_10")},
                               {QStringLiteral("contract_type"), QStringLiteral("CALL")},
                               {QStringLiteral("duration"), 5},
                               {QStringLiteral("duration_unit"), QStringLiteral("t")},
                               {QStringLiteral("stake"), QStringLiteral("1.00")}};
    const QJsonObject doc{
        {QStringLiteral("accounts"),
         QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("demo")},
                                {QStringLiteral("token"), QJsonObject{{QStringLiteral("demo"), true}}}}}},
        {QStringLiteral("bots"),
         QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("a")}, {QStringLiteral("account"), QStringLiteral("demo")},
                                {QStringLiteral("strategy"), strategy}}}}};
    Result<EngineConfig> c = EngineConfig::fromJson(doc);
    if (!c.ok())
        qFatal("bad test config: %s", qPrintable(c.error().message));
    return c.value();
}

QList<Trade> allTrades(Journal &journal)
{
    Result<QList<Trade>> trades = journal.trades(TradeFilter());
    return trades.ok() ? trades.value() : QList<Trade>();
}

int countWhere(const QList<Trade> &trades, const std::function<bool(const Trade &)> &pred)
{
    return int(std::count_if(trades.begin(), trades.end(), pred));
}

bool unresolved(const Trade &t)
{
    return t.status == TradeStatus::Pending || t.status == TradeStatus::Unknown;
}

} // namespace

class TestContractIdReuse final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void buyOfAnAlreadyJournaledContractIsResolvedAndTradingGoesOn();
};

void TestContractIdReuse::buyOfAnAlreadyJournaledContractIsResolvedAndTradingGoesOn()
{
    QTemporaryDir dir;
    Engine::Options o;
    o.dataDir = dir.path();
    o.instanceId = QStringLiteral("test");
    o.simTimeScale = 20;
    o.simSeed = 7;
    Engine engine(o);
    QVERIFY(engine.start(oneBotConfig()).ok());

    JournalConfig jc;
    jc.url = dir.filePath(QStringLiteral("journal.db"));
    auto opened = Journal::open(jc);
    QVERIFY(opened.ok());
    Journal &journal = *opened.value();

    // One contract bought and settled, then the bot paused and everything flat: the simulator's next contract id
    // is the last one + 20 (nothing else buys on it).
    QTRY_VERIFY_WITH_TIMEOUT(countWhere(allTrades(journal), [](const Trade &t) { return isSettledStatus(t.status); }) >= 1, 60000);
    engine.pauseBot(QStringLiteral("a"));
    QTRY_VERIFY_WITH_TIMEOUT(countWhere(allTrades(journal), [](const Trade &t) {
                                 return unresolved(t) || t.status == TradeStatus::Open; }) == 0, 30000);
    QTest::qWait(500); // a buy refused by the pause would already be journaled as failed
    QVERIFY(countWhere(allTrades(journal), [](const Trade &t) { return unresolved(t) || t.status == TradeStatus::Open; }) == 0);
    const QList<Trade> before = allTrades(journal);
    qint64 lastContract = 0;
    QString loginId;
    for (const Trade &t : before) {
        lastContract = std::max(lastContract, t.contractId);
        loginId = t.account;
    }
    QVERIFY(lastContract > 0);
    const qint64 reused = lastContract + 20;

    // The next contract is already journaled, as reconciliation would have adopted it.
    Trade orphan;
    orphan.account = loginId;
    orphan.symbol = QStringLiteral("R_10");
    orphan.contractType = QStringLiteral("CALL");
    orphan.duration = 5;
    orphan.durationUnit = QStringLiteral("t");
    orphan.currency = QStringLiteral("USD");
    orphan.stake = Money::parse(QStringLiteral("1.00"), 2).value();
    orphan.buyPrice = orphan.stake;
    orphan.payout = Money::parse(QStringLiteral("1.95"), 2).value();
    orphan.contractId = reused;
    orphan.status = TradeStatus::Open;
    orphan.openedMs = QDateTime::currentMSecsSinceEpoch();
    orphan.attribution = TradeAttribution::Outside;
    orphan.closeReason = QStringLiteral("adopted by the test");
    orphan.fence = journal.highestFence(loginId).value();
    Result<qint64> adopted = journal.adoptOrphan(orphan);
    if (!adopted.ok())
        QFAIL(qPrintable(adopted.error().message));

    engine.resumeBot(QStringLiteral("a"));

    // The bot trades again past the duplicate: a later contract is journaled.
    QTRY_VERIFY_WITH_TIMEOUT(countWhere(allTrades(journal), [reused](const Trade &t) { return t.contractId > reused; }) >= 1, 90000);

    // The duplicate buy's row is resolved, the contract journaled once, and settled.
    QTRY_VERIFY_WITH_TIMEOUT(countWhere(allTrades(journal), [&](const Trade &t) { return unresolved(t) && t.openedMs < orphan.openedMs + 5000; }) == 0, 60000);
    const QList<Trade> after = allTrades(journal);
    QCOMPARE(countWhere(after, [reused](const Trade &t) { return t.contractId == reused; }), 1);
    QTRY_VERIFY_WITH_TIMEOUT(countWhere(allTrades(journal), [reused](const Trade &t) {
                                 return t.contractId == reused && isSettledStatus(t.status); }) == 1, 60000);

    QSignalSpy stopped(&engine, &Engine::stopped);
    engine.stop();
    QVERIFY(stopped.wait(20000));
    QCOMPARE(journal.integrityCheck().value(), QStringLiteral("ok"));
}

QTEST_GUILESS_MAIN(TestContractIdReuse)
#include "tst_contractidreuse.moc"
