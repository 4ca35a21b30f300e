// SPDX-License-Identifier: GPL-3.0-or-later
// Reconciliation against the real simulator on loopback and a SQLite journal in a temp dir. Each scenario is
// built the way the engine would build it (insertPending, send, markOpen / markUnknown), without the engine.
#include <algorithm>
#include <memory>
#include <optional>

#include <QJsonArray>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "deriv/derivclient.h"
#include "deriv/derivrequests.h"
#include "reconcile/reconciler.h"
#include "sim/simserver.h"
#include "store/journal.h"
#include "support/capturedresult.h"
#include "support/resultcheck.h"

using namespace Vigil;
using Vigil::Test::CapturedResult;
using Vigil::Test::describe;

namespace {

const QString s_token = QStringLiteral("reconcile-token-1");

DerivRequests::ContractParameters contract(const QString &type, qint64 stakeMinor, int duration = 5,
                                           const QString &unit = QStringLiteral("t"),
                                           const QString &symbol = QStringLiteral("R_100"))
{
    DerivRequests::ContractParameters p;
    p.contractType = type;
    p.symbol = symbol;
    p.amount = Money::fromMinor(stakeMinor);
    p.duration = duration;
    p.durationUnit = unit;
    return p;
}

// buy.parameters for SimServer::buyDirect.
QJsonObject directParameters(const DerivRequests::ContractParameters &p)
{
    return DerivRequests::buyByParameters(p, p.amount).value(QLatin1String("parameters")).toObject();
}

QSet<QString> kinds(const ReconcileReport &report)
{
    QSet<QString> out;
    for (const Discrepancy &d : report.discrepancies)
        out.insert(d.kind + u'/' + d.action);
    return out;
}

} // namespace

class TestReconciler final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanup();

    void lostReplyAdoptedHundredTimes();
    void pendingRowWithoutBuy();
    void youngPendingRowIsLeftAlone();
    void outsideContractsStaleRowsAndSettlements();
    void profitMismatchIsCorrected();
    void failedQueryChangesNothing_data();
    void failedQueryChangesNothing();
    void orphansAreSoldWhenAsked();
    void triggersMergeWhileRunning();
    void staleFenceStopsWrites();
    void nothingUnresolvedCostsOnePortfolioCall();
    void profitTablePagesAndCap();

private:
    void setUp(Sim::SimConfig config);
    std::unique_ptr<Reconciler> makeReconciler(ReconcilerOptions extra = {});
    bool runOnce(Reconciler &reconciler, const QString &trigger, ReconcileReport *report);
    // The engine's way to buy: a Pending row first, then the buy; markOpen on the reply.
    Trade pendingRow(const DerivRequests::ContractParameters &p, const QString &bot = QStringLiteral("bot-1"));
    bool buyThroughClient(const DerivRequests::ContractParameters &p, qint64 localId, Result<QJsonObject> *reply);
    Trade row(qint64 localId);
    QList<Trade> allRows();
    QList<Sim::ContractStats> serverContracts();
    const Sim::ContractStats *serverContract(qint64 contractId);
    void advanceUntilSettled(qint64 contractId);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Sim::SimServer> m_sim;
    std::unique_ptr<DerivClient> m_client;
    std::unique_ptr<Journal> m_journal;
    QString m_loginid;
    qint64 m_nextTag = 1;
};

void TestReconciler::setUp(Sim::SimConfig config)
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    config.rateLimitsEnabled = false;
    m_sim = std::make_unique<Sim::SimServer>(config);
    auto loginid = m_sim->addAccount(s_token);
    QVERIFY2(loginid.ok(), describe(loginid));
    m_loginid = loginid.value();
    QVERIFY(m_sim->listen().ok());

    DerivClient::Options o;
    o.url = m_sim->url();
    o.token = s_token;
    o.clientRateLimit = false;
    o.backoffInitialMs = 10;
    o.backoffMaxMs = 50;
    o.requestTimeoutMs = 10'000;
    m_client = std::make_unique<DerivClient>(o);
    QSignalSpy ready(m_client.get(), &DerivClient::ready);
    m_client->open();
    QVERIFY(ready.wait(10'000));

    JournalConfig jc;
    jc.url = m_dir->filePath(QStringLiteral("journal.db"));
    auto journal = Journal::open(jc);
    QVERIFY2(journal.ok(), describe(journal));
    m_journal = std::move(journal).value();
}

void TestReconciler::cleanup()
{
    m_client.reset();
    m_journal.reset();
    m_sim.reset();
    m_dir.reset();
}

std::unique_ptr<Reconciler> TestReconciler::makeReconciler(ReconcilerOptions extra)
{
    extra.account = m_loginid;
    extra.instanceId = QStringLiteral("test-instance");
    return std::make_unique<Reconciler>(m_client.get(), m_journal.get(), extra);
}

bool TestReconciler::runOnce(Reconciler &reconciler, const QString &trigger, ReconcileReport *report)
{
    QSignalSpy finished(&reconciler, &Reconciler::finished);
    reconciler.run(trigger);
    if (!reconciler.isRunning() || !finished.wait(30'000) || finished.size() != 1)
        return false;
    *report = finished.takeFirst().at(0).value<ReconcileReport>();
    return !reconciler.isRunning();
}

Trade TestReconciler::pendingRow(const DerivRequests::ContractParameters &p, const QString &bot)
{
    Trade t;
    t.account = m_loginid;
    t.bot = bot;
    t.symbol = p.symbol;
    t.contractType = p.contractType;
    t.duration = p.duration;
    t.durationUnit = p.durationUnit;
    t.currency = p.currency;
    t.stake = p.amount;
    t.openedMs = m_sim->nowMs();
    t.requestTag = QString::number(m_nextTag++);
    auto id = m_journal->insertPending(t);
    if (!id)
        qWarning() << "insertPending failed:" << id.error().toString();
    t.localId = id ? id.value() : 0;
    t.status = TradeStatus::Pending;
    return t;
}

bool TestReconciler::buyThroughClient(const DerivRequests::ContractParameters &p, qint64 localId,
                                      Result<QJsonObject> *reply)
{
    CapturedResult<Result<QJsonObject>> got;
    QObject context;
    m_client->send(DerivRequests::buyByParameters(p, p.amount), &context, got.callback());
    if (!QTest::qWaitFor([&] { return got.arrived(); }, 15'000))
        return false;
    *reply = got.value();
    if (!reply->ok()) {
        if (reply->error().isOutcomeUnknown())
            return m_journal->markUnknown(localId, QStringLiteral("buy reply lost"), 0).ok();
        return m_journal->markFailed(localId, reply->error().message, 0).ok();
    }
    const QJsonObject buy = reply->value().value(QLatin1String("buy")).toObject();
    return m_journal
        ->markOpen(localId, buy.value(QLatin1String("contract_id")).toInteger(),
                   buy.value(QLatin1String("transaction_id")).toInteger(),
                   *Money::fromJson(buy.value(QLatin1String("buy_price"))),
                   *Money::fromJson(buy.value(QLatin1String("payout"))),
                   buy.value(QLatin1String("purchase_time")).toInteger() * 1000, 0)
        .ok();
}

Trade TestReconciler::row(qint64 localId)
{
    auto t = m_journal->trade(localId);
    if (!t || !t.value())
        return Trade();
    return *t.value();
}

QList<Trade> TestReconciler::allRows()
{
    TradeFilter f;
    f.account = m_loginid;
    auto rows = m_journal->trades(f);
    return rows ? rows.value() : QList<Trade>();
}

QList<Sim::ContractStats> TestReconciler::serverContracts()
{
    QList<Sim::ContractStats> out;
    for (const Sim::ContractStats &c : m_sim->stats().contracts) {
        if (c.loginid == m_loginid)
            out.append(c);
    }
    return out;
}

const Sim::ContractStats *TestReconciler::serverContract(qint64 contractId)
{
    static Sim::ContractStats found;
    for (const Sim::ContractStats &c : serverContracts()) {
        if (c.contractId == contractId) {
            found = c;
            return &found;
        }
    }
    return nullptr;
}

void TestReconciler::advanceUntilSettled(qint64 contractId)
{
    for (int i = 0; i < 200; ++i) {
        const Sim::ContractStats *c = serverContract(contractId);
        QVERIFY(c);
        if (c->status != QLatin1String("open"))
            return;
        m_sim->advanceTime(1'000);
    }
    QFAIL("the contract did not settle");
}

// ---------------------------------------------------------------------------------------------------------

// The socket drops after the simulator receives `buy` (it buys, the reply is lost). Every tenth time it drops
// before executing (no buy). 100 rounds: every server contract ends up in the journal exactly once.
void TestReconciler::lostReplyAdoptedHundredTimes()
{
    Sim::SimConfig config;
    config.timeScale = 100; // 5-tick contracts settle in about 0.1 s, so later runs settle earlier adoptions
    setUp(config);
    auto reconciler = makeReconciler();
    QSignalSpy resolved(reconciler.get(), &Reconciler::tradeResolved);
    QSignalSpy orphans(reconciler.get(), &Reconciler::orphanAdopted);

    int adopted = 0;
    int failed = 0;
    for (int round = 0; round < 100; ++round) {
        const bool executes = round % 10 != 9;
        const auto p = contract(round % 2 ? QStringLiteral("PUT") : QStringLiteral("CALL"), 100 + (round % 3) * 50);
        const int completedBefore = m_sim->stats().account(m_loginid)->buysCompleted;
        const Trade pending = pendingRow(p);
        QVERIFY(pending.localId > 0);
        m_sim->faults().dropOnCall(QStringLiteral("buy"), 1, executes);
        Result<QJsonObject> reply = Error();
        QVERIFY(buyThroughClient(p, pending.localId, &reply));
        QVERIFY2(!reply.ok() && reply.error().isOutcomeUnknown(), qPrintable(QString::number(round)));
        QCOMPARE(row(pending.localId).status, TradeStatus::Unknown);
        QCOMPARE(m_sim->stats().account(m_loginid)->buysCompleted, completedBefore + (executes ? 1 : 0));

        ReconcileReport report;
        QVERIFY(runOnce(*reconciler, QStringLiteral("lost_reply"), &report));
        QVERIFY2(report.completed(), qPrintable(report.error));
        QVERIFY(report.id > 0);
        QCOMPARE(report.orphans, 0);
        const Trade after = row(pending.localId);
        if (executes) {
            QCOMPARE(report.adopted, 1);
            QCOMPARE(report.failed, 0);
            const QList<Sim::ContractStats> contracts = serverContracts();
            const qint64 newest = std::max_element(contracts.cbegin(), contracts.cend(), [](const auto &a, const auto &b) {
                                      return a.contractId < b.contractId;
                                  })->contractId;
            QCOMPARE(after.contractId, newest);
            QVERIFY(after.status == TradeStatus::Open || isSettledStatus(after.status));
            QCOMPARE(after.bot, QStringLiteral("bot-1")); // attribution kept: it is the bot's trade
            QCOMPARE(after.attribution, TradeAttribution::Bot);
            const Sim::ContractStats *server = serverContract(after.contractId);
            QVERIFY(server);
            QCOMPARE(after.buyPrice, server->buyPrice);
            QCOMPARE(after.payout, server->payout);
            ++adopted;
        } else {
            QCOMPARE(report.adopted, 0);
            QCOMPARE(report.failed, 1);
            QCOMPARE(after.status, TradeStatus::Failed);
            QCOMPARE(after.contractId, 0);
            ++failed;
        }
        // The budget: one portfolio, one profit_table page, no per-contract lookups.
        const ReconcileStats stats = reconciler->lastRunStats();
        QCOMPARE(stats.calls.value(QStringLiteral("portfolio")), 1);
        QCOMPARE(stats.calls.value(QStringLiteral("profit_table")), 1);
        QCOMPARE(stats.calls.value(QStringLiteral("proposal_open_contract")), 0);
        QCOMPARE(stats.reportId, report.id);
    }
    QCOMPARE(adopted, 90);
    QCOMPARE(failed, 10);
    QCOMPARE(orphans.size(), 0);

    // One last run settles whatever is still open, then: no double, no loss.
    QTest::qWait(300);
    ReconcileReport last;
    QVERIFY(runOnce(*reconciler, QStringLiteral("periodic"), &last));
    QVERIFY2(last.completed(), qPrintable(last.error));

    const QList<Sim::ContractStats> contracts = serverContracts();
    QCOMPARE(contracts.size(), 90);
    QHash<qint64, int> journalCount;
    for (const Trade &t : allRows()) {
        if (t.contractId > 0)
            journalCount[t.contractId] += 1;
    }
    QCOMPARE(journalCount.size(), 90);
    for (const Sim::ContractStats &c : contracts) {
        QCOMPARE(journalCount.value(c.contractId), 1);
        const Trade t = *m_journal->tradeByContract(m_loginid, c.contractId).value();
        if (c.status != QLatin1String("open")) {
            QCOMPARE(t.sellPrice, std::optional<Money>(c.sellPrice));
            QCOMPARE(t.profit, std::optional<Money>(c.sellPrice - c.buyPrice));
        }
    }

    // The same count as the server reports through its API: portfolio + profit_table.
    CapturedResult<Result<QJsonObject>> portfolio;
    CapturedResult<Result<QJsonObject>> table;
    QObject context;
    m_client->send(QJsonObject{{"portfolio", 1}}, &context, portfolio.callback());
    m_client->send(QJsonObject{{"profit_table", 1}, {"limit", 500}}, &context, table.callback());
    QTRY_VERIFY(portfolio.arrived() && table.arrived());
    QVERIFY(portfolio.value().ok() && table.value().ok());
    const qsizetype apiCount
        = portfolio.value()->value("portfolio").toObject().value("contracts").toArray().size()
        + table.value()->value("profit_table").toObject().value("transactions").toArray().size();
    QCOMPARE(apiCount, journalCount.size());
    QVERIFY(resolved.size() >= 100); // every unknown row changed (plus later settlements)
}

// A Pending row whose buy never left (the process died after journaling it): on startup nothing is in flight,
// and the server queries cover the window, so no buy happened.
void TestReconciler::pendingRowWithoutBuy()
{
    Sim::SimConfig config;
    config.manualClock = true;
    setUp(config);
    const Trade pending = pendingRow(contract(QStringLiteral("CALL"), 500));
    // Another bot's contract with other parameters must not be taken for it.
    QVERIFY(m_sim->buyDirect(m_loginid, directParameters(contract(QStringLiteral("PUT"), 500))).ok());
    auto reconciler = makeReconciler();
    ReconcileReport report;
    QVERIFY(runOnce(*reconciler, QStringLiteral("startup"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(report.failed, 1);
    QCOMPARE(report.orphans, 1);
    const Trade after = row(pending.localId);
    QCOMPARE(after.status, TradeStatus::Failed);
    QVERIFY(after.closeReason.contains(QLatin1String("no buy happened")));
    QVERIFY(kinds(report).contains(QStringLiteral("unknown_resolved/marked_failed")));
    // The report in the journal says the same, with the row as it was before.
    auto saved = m_journal->report(report.id);
    QVERIFY(saved.ok() && saved.value());
    QCOMPARE(saved.value()->failed, 1);
    bool found = false;
    for (const Discrepancy &d : saved.value()->discrepancies) {
        if (d.localId == pending.localId) {
            found = true;
            QCOMPARE(d.before.value("status").toString(), QStringLiteral("pending"));
            QCOMPARE(d.after.value("status").toString(), QStringLiteral("failed"));
        }
    }
    QVERIFY(found);
}

// A Pending row a few seconds old may still get its reply: a periodic run leaves it, and the contract its buy
// made is not mistaken for an orphan. On startup (nothing in flight) it is adopted into the row.
void TestReconciler::youngPendingRowIsLeftAlone()
{
    Sim::SimConfig config;
    config.manualClock = true;
    setUp(config);
    const auto p = contract(QStringLiteral("CALL"), 250, 10, QStringLiteral("m"));
    const Trade pending = pendingRow(p);
    auto bought = m_sim->buyDirect(m_loginid, directParameters(p)); // the buy executed; the reply is on its way
    QVERIFY(bought.ok());
    const qint64 contractId = bought->value("contract_id").toInteger();

    auto reconciler = makeReconciler();
    ReconcileReport report;
    QVERIFY(runOnce(*reconciler, QStringLiteral("periodic"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(report.discrepancies.size(), 0);
    QCOMPARE(reconciler->lastRunStats().deferred, 1);
    QCOMPARE(row(pending.localId).status, TradeStatus::Pending);
    QVERIFY(!m_journal->tradeByContract(m_loginid, contractId).value());

    QVERIFY(runOnce(*reconciler, QStringLiteral("startup"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(report.adopted, 1);
    QCOMPARE(report.orphans, 0);
    const Trade after = row(pending.localId);
    QCOMPARE(after.status, TradeStatus::Open);
    QCOMPARE(after.contractId, contractId);
}

// Contracts bought outside Vigil, a journal row the server never had, and a row settled on the server while
// the journal says open; then the same run again changes nothing.
void TestReconciler::outsideContractsStaleRowsAndSettlements()
{
    Sim::SimConfig config;
    config.manualClock = true;
    setUp(config);

    // Settled on the server, open in the journal (the contract tracker missed the end).
    const auto p = contract(QStringLiteral("CALL"), 1000);
    const Trade mine = pendingRow(p);
    Result<QJsonObject> reply = Error();
    QVERIFY(buyThroughClient(p, mine.localId, &reply));
    QVERIFY2(reply.ok(), describe(reply));
    const qint64 mineId = row(mine.localId).contractId;
    advanceUntilSettled(mineId);
    QCOMPARE(row(mine.localId).status, TradeStatus::Open);

    // A journal row the server never had.
    const Trade ghost = pendingRow(contract(QStringLiteral("PUT"), 300));
    QVERIFY(m_journal->markOpen(ghost.localId, 999'000'000'001, 888, Money::fromMinor(300), Money::fromMinor(585),
                                m_sim->nowMs(), 0)
                .ok());

    // Outside Vigil: one still open, one already settled.
    auto outsideOpen = m_sim->buyDirect(m_loginid, directParameters(contract(QStringLiteral("PUT"), 700, 10, "m")));
    QVERIFY(outsideOpen.ok());
    auto outsideDone = m_sim->buyDirect(m_loginid, directParameters(contract(QStringLiteral("CALL"), 400, 3)));
    QVERIFY(outsideDone.ok());
    advanceUntilSettled(outsideDone->value("contract_id").toInteger());

    auto reconciler = makeReconciler();
    QSignalSpy resolved(reconciler.get(), &Reconciler::tradeResolved);
    QSignalSpy orphans(reconciler.get(), &Reconciler::orphanAdopted);
    QSignalSpy started(reconciler.get(), &Reconciler::started);
    ReconcileReport report;
    QVERIFY(runOnce(*reconciler, QStringLiteral("manual"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(started.size(), 1);
    QCOMPARE(started.at(0).at(0).toString(), QStringLiteral("manual"));
    QCOMPARE(report.trigger, QStringLiteral("manual"));
    QCOMPARE(report.account, m_loginid);
    QCOMPARE(report.settled, 1);
    QCOMPARE(report.stale, 1);
    QCOMPARE(report.orphans, 2);
    QCOMPARE(report.adopted, 0);
    QCOMPARE(report.failed, 0);
    QCOMPARE(report.mismatches, 0);
    QCOMPARE(report.discrepancies.size(), 4);
    QCOMPARE(kinds(report),
             (QSet<QString>{"settled_on_server/settled", "stale/closed_stale", "orphan/adopted"}));
    // The stale row needed one lookup; nothing else did.
    const ReconcileStats stats = reconciler->lastRunStats();
    QCOMPARE(stats.calls.value("portfolio"), 1);
    QCOMPARE(stats.calls.value("profit_table"), 1);
    QCOMPARE(stats.calls.value("proposal_open_contract"), 1);
    QCOMPARE(stats.totalCalls(), 3);

    // Settled with the server's figures.
    const Trade settled = row(mine.localId);
    const Sim::ContractStats *server = serverContract(mineId);
    QVERIFY(isSettledStatus(settled.status));
    QCOMPARE(tradeStatusToString(settled.status), server->status);
    QCOMPARE(settled.sellPrice, std::optional<Money>(server->sellPrice));
    QCOMPARE(settled.profit, std::optional<Money>(server->sellPrice - server->buyPrice));
    QCOMPARE(settled.closedMs, server->sellTime * 1000);

    const Trade gone = row(ghost.localId);
    QCOMPARE(gone.status, TradeStatus::Stale);
    QVERIFY(gone.closeReason.contains(QLatin1String("no contract")));

    // Orphans: attribution outside, the server's figures, the right status.
    QCOMPARE(orphans.size(), 2);
    for (const qint64 id : {outsideOpen->value("contract_id").toInteger(), outsideDone->value("contract_id").toInteger()}) {
        auto adopted = m_journal->tradeByContract(m_loginid, id);
        QVERIFY(adopted.ok() && adopted.value());
        const Trade &t = *adopted.value();
        const Sim::ContractStats *c = serverContract(id);
        QCOMPARE(t.attribution, TradeAttribution::Outside);
        QVERIFY(t.bot.isEmpty());
        QCOMPARE(t.stake, c->buyPrice);
        QCOMPARE(t.payout, std::optional<Money>(c->payout));
        QCOMPARE(tradeStatusToString(t.status), c->status);
        QCOMPARE(t.openedMs, c->purchaseTime * 1000);
    }
    auto openOrphan = *m_journal->tradeByContract(m_loginid, outsideOpen->value("contract_id").toInteger()).value();
    QCOMPARE(openOrphan.duration, 10);
    QCOMPARE(openOrphan.durationUnit, QStringLiteral("m"));
    QCOMPARE(resolved.size(), 2);

    // Idempotence: nothing to do the second time.
    resolved.clear();
    orphans.clear();
    ReconcileReport second;
    QVERIFY(runOnce(*reconciler, QStringLiteral("periodic"), &second));
    QVERIFY2(second.completed(), qPrintable(second.error));
    QCOMPARE(second.discrepancies.size(), 0);
    QCOMPARE(second.adopted + second.failed + second.settled + second.stale + second.orphans + second.mismatches, 0);
    QCOMPARE(resolved.size(), 0);
    QCOMPARE(orphans.size(), 0);
    QVERIFY(second.id > report.id);
}

// The contract tracker wrote "won 9.53" for a contract that lost 10.00: the next run corrects it, keeping the
// old figures in the report.
void TestReconciler::profitMismatchIsCorrected()
{
    Sim::SimConfig config;
    config.manualClock = true;
    setUp(config);
    auto reconciler = makeReconciler();

    const auto p = contract(QStringLiteral("CALL"), 1000);
    const Trade t = pendingRow(p);
    Result<QJsonObject> reply = Error();
    QVERIFY(buyThroughClient(p, t.localId, &reply));
    QVERIFY2(reply.ok(), describe(reply));
    const Trade open = row(t.localId);
    QCOMPARE(open.payout, std::optional<Money>(Money::fromMinor(1953)));

    ReconcileReport first;
    QVERIFY(runOnce(*reconciler, QStringLiteral("periodic"), &first)); // still open: consistent
    QVERIFY2(first.completed(), qPrintable(first.error));
    QCOMPARE(first.discrepancies.size(), 0);

    // Flat quotes: a CALL whose exit equals its entry loses.
    QVERIFY(m_sim->scriptQuotes(QStringLiteral("R_100"), QStringList(12, QStringLiteral("1000.00"))));
    advanceUntilSettled(open.contractId);
    QCOMPARE(serverContract(open.contractId)->status, QStringLiteral("lost"));
    QVERIFY(m_journal->settle(t.localId, TradeStatus::Won, Money::fromMinor(1953), Money::fromMinor(953),
                              m_sim->nowMs(), QStringLiteral("tracker"), 0)
                .ok());

    QSignalSpy resolved(reconciler.get(), &Reconciler::tradeResolved);
    ReconcileReport report;
    QVERIFY(runOnce(*reconciler, QStringLiteral("periodic"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(report.mismatches, 1);
    QCOMPARE(report.discrepancies.size(), 1);
    const Discrepancy d = report.discrepancies.first();
    QCOMPARE(d.kind, QStringLiteral("mismatch"));
    QCOMPARE(d.action, QStringLiteral("corrected"));
    QCOMPARE(d.localId, t.localId);
    QCOMPARE(d.contractId, open.contractId);
    QCOMPARE(d.before.value("status").toString(), QStringLiteral("won"));
    QCOMPARE(d.before.value("profit").toString(), QStringLiteral("9.53"));
    QCOMPARE(d.after.value("status").toString(), QStringLiteral("lost"));
    QCOMPARE(d.after.value("profit").toString(), QStringLiteral("-10.00"));
    QCOMPARE(d.after.value("sell_price").toString(), QStringLiteral("0.00"));

    const Trade corrected = row(t.localId);
    QCOMPARE(corrected.status, TradeStatus::Lost);
    QCOMPARE(corrected.profit, std::optional<Money>(Money::fromMinor(-1000)));
    QCOMPARE(corrected.sellPrice, std::optional<Money>(Money::zero()));
    QCOMPARE(resolved.size(), 1);
    QCOMPARE(resolved.at(0).at(0).value<Trade>().status, TradeStatus::Won);
    QCOMPARE(resolved.at(0).at(1).value<Trade>().status, TradeStatus::Lost);

    // The saved report keeps the before/after.
    auto saved = m_journal->report(report.id);
    QVERIFY(saved.ok() && saved.value());
    QCOMPARE(saved.value()->discrepancies.size(), 1);
    QCOMPARE(saved.value()->discrepancies.first().before.value("profit").toString(), QStringLiteral("9.53"));

    ReconcileReport again;
    QVERIFY(runOnce(*reconciler, QStringLiteral("periodic"), &again));
    QVERIFY2(again.completed(), qPrintable(again.error));
    QCOMPARE(again.discrepancies.size(), 0);
}

void TestReconciler::failedQueryChangesNothing_data()
{
    QTest::addColumn<QString>("call");
    QTest::addColumn<bool>("drop");
    QTest::newRow("portfolio error") << "portfolio" << false;
    QTest::newRow("portfolio socket drop") << "portfolio" << true;
    QTest::newRow("profit_table error") << "profit_table" << false;
    QTest::newRow("profit_table socket drop") << "profit_table" << true;
}

// A failed query is UNKNOWN, never EMPTY: with portfolio or profit_table failing, a lost buy is not failed or
// adopted, an open row is not closed, an outside contract is not adopted. Once the server answers, all are.
void TestReconciler::failedQueryChangesNothing()
{
    QFETCH(QString, call);
    QFETCH(bool, drop);
    Sim::SimConfig config;
    config.manualClock = true;
    setUp(config);

    const auto p = contract(QStringLiteral("CALL"), 500, 10, QStringLiteral("m"));
    const Trade lost = pendingRow(p);
    m_sim->faults().dropOnCall(QStringLiteral("buy"), 1, true);
    Result<QJsonObject> reply = Error();
    QVERIFY(buyThroughClient(p, lost.localId, &reply));
    QCOMPARE(row(lost.localId).status, TradeStatus::Unknown);
    const Trade neverBought = pendingRow(contract(QStringLiteral("PUT"), 600));
    QVERIFY(m_journal->markUnknown(neverBought.localId, QStringLiteral("buy reply lost"), 0).ok());
    const Trade ghost = pendingRow(contract(QStringLiteral("PUT"), 300));
    QVERIFY(m_journal->markOpen(ghost.localId, 999'000'000'002, 1, Money::fromMinor(300), Money::fromMinor(585),
                                m_sim->nowMs(), 0)
                .ok());
    QVERIFY(m_sim->buyDirect(m_loginid, directParameters(contract(QStringLiteral("PUT"), 900, 10, "m"))).ok());
    const QList<Trade> rowsBefore = allRows();
    QTRY_COMPARE(m_client->state(), DerivClient::State::Ready);

    if (drop)
        m_sim->faults().dropOnCall(call, 1, true);
    else
        m_sim->faults().failCall(call, QStringLiteral("InternalServerError"), QStringLiteral("Sorry, an error occurred."));

    auto reconciler = makeReconciler();
    QSignalSpy resolved(reconciler.get(), &Reconciler::tradeResolved);
    QSignalSpy orphans(reconciler.get(), &Reconciler::orphanAdopted);
    ReconcileReport report;
    QVERIFY(runOnce(*reconciler, QStringLiteral("reconnect"), &report));
    QVERIFY(!report.completed());
    QVERIFY2(report.error.contains(call), qPrintable(report.error));
    QVERIFY2(report.error.contains(QLatin1String("nothing was changed")), qPrintable(report.error));
    QVERIFY(report.id > 0); // a failed run is recorded too
    QCOMPARE(report.discrepancies.size(), 0);
    QCOMPARE(report.adopted + report.failed + report.settled + report.stale + report.orphans + report.mismatches, 0);
    QCOMPARE(resolved.size(), 0);
    QCOMPARE(orphans.size(), 0);
    const QList<Trade> rowsAfter = allRows();
    QCOMPARE(rowsAfter.size(), rowsBefore.size());
    for (qsizetype i = 0; i < rowsAfter.size(); ++i) {
        QCOMPARE(rowsAfter[i].status, rowsBefore[i].status);
        QCOMPARE(rowsAfter[i].updatedMs, rowsBefore[i].updatedMs);
    }
    auto saved = m_journal->report(report.id);
    QVERIFY(saved.ok() && saved.value());
    QCOMPARE(saved.value()->error, report.error);

    // The server answers again (after a reconnect when it dropped): everything is resolved.
    ReconcileReport good;
    QVERIFY(runOnce(*reconciler, QStringLiteral("reconnect"), &good));
    QVERIFY2(good.completed(), qPrintable(good.error));
    QCOMPARE(good.adopted, 1);
    QCOMPARE(good.failed, 1);
    QCOMPARE(good.stale, 1);
    QCOMPARE(good.orphans, 1);
    QCOMPARE(row(lost.localId).status, TradeStatus::Open);
    QCOMPARE(row(neverBought.localId).status, TradeStatus::Failed);
    QCOMPARE(row(ghost.localId).status, TradeStatus::Stale);
}

void TestReconciler::orphansAreSoldWhenAsked()
{
    Sim::SimConfig config;
    config.manualClock = true;
    setUp(config);
    // A 60 s Rise/Fall can be sold after its entry tick; a tick contract cannot (resale not offered).
    auto sellable = m_sim->buyDirect(m_loginid, directParameters(contract(QStringLiteral("CALL"), 800, 60, "s")));
    QVERIFY(sellable.ok());
    auto unsellable = m_sim->buyDirect(m_loginid, directParameters(contract(QStringLiteral("PUT"), 400, 10)));
    QVERIFY(unsellable.ok());
    m_sim->advanceTime(5'000); // two ticks past the purchase: past the entry tick; the 10-tick one still runs

    ReconcilerOptions options;
    options.sellOrphans = true;
    auto reconciler = makeReconciler(options);
    QSignalSpy orphans(reconciler.get(), &Reconciler::orphanAdopted);
    QSignalSpy resolved(reconciler.get(), &Reconciler::tradeResolved);
    ReconcileReport report;
    QVERIFY(runOnce(*reconciler, QStringLiteral("startup"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(report.orphans, 2);
    QCOMPARE(orphans.size(), 2);
    QCOMPARE(m_sim->stats().account(m_loginid)->sells, 1);
    QCOMPARE(reconciler->lastRunStats().calls.value("sell"), 2);

    const qint64 soldId = sellable->value("contract_id").toInteger();
    const Trade sold = *m_journal->tradeByContract(m_loginid, soldId).value();
    const Sim::ContractStats *server = serverContract(soldId);
    QCOMPARE(server->status, QStringLiteral("sold"));
    QCOMPARE(sold.status, TradeStatus::Sold);
    QCOMPARE(sold.sellPrice, std::optional<Money>(server->sellPrice));
    QCOMPARE(sold.profit, std::optional<Money>(server->sellPrice - server->buyPrice));
    QCOMPARE(resolved.size(), 1);

    const Trade kept = *m_journal->tradeByContract(m_loginid, unsellable->value("contract_id").toInteger()).value();
    QCOMPARE(kept.status, TradeStatus::Open);
    QSet<QString> actions;
    for (const Discrepancy &d : report.discrepancies)
        actions.insert(d.action);
    QCOMPARE(actions, (QSet<QString>{"adopted_and_sold", "adopted_sell_failed"}));
}

// A trigger while a run is in progress runs exactly once more afterwards ("startup" wins the merge).
void TestReconciler::triggersMergeWhileRunning()
{
    Sim::SimConfig config;
    config.manualClock = true;
    setUp(config);
    m_sim->faults().delayReplies(QStringLiteral("portfolio"), 200, 1);
    auto reconciler = makeReconciler();
    QSignalSpy started(reconciler.get(), &Reconciler::started);
    QSignalSpy finished(reconciler.get(), &Reconciler::finished);
    reconciler->run(QStringLiteral("periodic"));
    QVERIFY(reconciler->isRunning());
    QTRY_COMPARE(started.size(), 1);
    reconciler->run(QStringLiteral("manual"));
    reconciler->run(QStringLiteral("startup"));
    reconciler->run(QStringLiteral("lost_reply"));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 10'000);
    QTest::qWait(100);
    QCOMPARE(finished.size(), 2);
    QCOMPARE(started.size(), 2);
    QCOMPARE(started.at(1).at(0).toString(), QStringLiteral("startup"));
    QCOMPARE(finished.at(0).at(0).value<ReconcileReport>().trigger, QStringLiteral("periodic"));
    QCOMPARE(finished.at(1).at(0).value<ReconcileReport>().trigger, QStringLiteral("startup"));
    QVERIFY(!reconciler->isRunning());
}

// Another instance took the account (a higher fencing token): the run writes nothing and says why.
void TestReconciler::staleFenceStopsWrites()
{
    Sim::SimConfig config;
    config.manualClock = true;
    setUp(config);
    Trade newer;
    newer.account = m_loginid;
    newer.bot = QStringLiteral("other-instance-bot");
    newer.symbol = QStringLiteral("R_100");
    newer.contractType = QStringLiteral("CALL");
    newer.duration = 5;
    newer.durationUnit = QStringLiteral("t");
    newer.currency = QStringLiteral("USD");
    newer.stake = Money::fromMinor(100);
    newer.openedMs = m_sim->nowMs() - 3'600'000;
    newer.fence = 7;
    QVERIFY(m_journal->insertPending(newer).ok());
    QVERIFY(m_sim->buyDirect(m_loginid, directParameters(contract(QStringLiteral("PUT"), 900, 10, "m"))).ok());

    ReconcilerOptions options;
    options.fence = [] { return qint64(5); };
    auto reconciler = makeReconciler(options);
    ReconcileReport report;
    QVERIFY(runOnce(*reconciler, QStringLiteral("startup"), &report));
    QVERIFY(!report.completed());
    QVERIFY2(report.error.contains(QLatin1String("fencing")), qPrintable(report.error));
    QCOMPARE(report.discrepancies.size(), 0);
    QCOMPARE(allRows().size(), 1);
    QCOMPARE(allRows().first().status, TradeStatus::Pending);

    ReconcilerOptions current;
    current.fence = [] { return qint64(7); };
    auto owner = makeReconciler(current);
    QVERIFY(runOnce(*owner, QStringLiteral("startup"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(report.orphans, 1);
    QCOMPARE(report.failed, 1);
    for (const Trade &t : allRows())
        QCOMPARE(t.fence, 7);
}

// With nothing unresolved and nothing written since the last run, only portfolio is asked (orphans).
void TestReconciler::nothingUnresolvedCostsOnePortfolioCall()
{
    Sim::SimConfig config;
    config.manualClock = true;
    setUp(config);
    auto reconciler = makeReconciler();
    ReconcileReport report;
    QVERIFY(runOnce(*reconciler, QStringLiteral("periodic"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    ReconcileStats stats = reconciler->lastRunStats();
    QCOMPARE(stats.totalCalls(), 1);
    QCOMPARE(stats.calls.value("portfolio"), 1);
    QCOMPARE(stats.windowFromMs, 0);

    // An outside buy shows up through that single call.
    QVERIFY(m_sim->buyDirect(m_loginid, directParameters(contract(QStringLiteral("CALL"), 900, 10, "m"))).ok());
    QVERIFY(runOnce(*reconciler, QStringLiteral("periodic"), &report));
    QCOMPARE(report.orphans, 1);
    QCOMPARE(reconciler->lastRunStats().totalCalls(), 1);

    // The audit trail carries the cost of each run next to its report.
    auto audit = m_journal->auditEvents(10, m_loginid);
    QVERIFY(audit.ok());
    QVERIFY(!audit.value().isEmpty());
    const QJsonObject details = audit.value().first().details.value("stats").toObject();
    QCOMPARE(details.value("report_id").toInteger(), report.id);
    QCOMPARE(details.value("api_calls").toInt(), 1);
}

// More than one profit_table page (500 rows each). With the page cap below what the window needs, the part not
// covered is not taken as empty: the lost buy that falls there stays unresolved and the run says so.
void TestReconciler::profitTablePagesAndCap()
{
    Sim::SimConfig config;
    config.manualClock = true;
    setUp(config);
    const Trade lost = pendingRow(contract(QStringLiteral("PUT"), 200));
    QVERIFY(m_journal->markUnknown(lost.localId, QStringLiteral("buy reply lost"), 0).ok());
    m_sim->advanceTime(1'000);
    for (int i = 0; i < 501; ++i)
        QVERIFY(m_sim->buyDirect(m_loginid, directParameters(contract(QStringLiteral("CALL"), 100, 1))).ok());
    m_sim->advanceTime(8'000); // entry and exit ticks: all settled
    QCOMPARE(m_sim->stats().account(m_loginid)->openContracts, 0);

    ReconcilerOptions capped;
    capped.maxProfitTablePages = 1;
    auto first = makeReconciler(capped);
    ReconcileReport report;
    QVERIFY(runOnce(*first, QStringLiteral("manual"), &report));
    QVERIFY(!report.completed());
    QVERIFY2(report.error.contains(QLatin1String("outside what profit_table covered")), qPrintable(report.error));
    QCOMPARE(first->lastRunStats().profitTablePages, 1);
    QCOMPARE(row(lost.localId).status, TradeStatus::Unknown);
    QCOMPARE(report.failed, 0);
    QCOMPARE(report.orphans, 500); // what the page showed is known; the rest is not assumed empty

    auto second = makeReconciler();
    QVERIFY(runOnce(*second, QStringLiteral("manual"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(second->lastRunStats().profitTablePages, 2);
    QCOMPARE(report.orphans, 1);
    QCOMPARE(report.failed, 1);
    QCOMPARE(row(lost.localId).status, TradeStatus::Failed);
    QCOMPARE(allRows().size(), 502);
}

QTEST_GUILESS_MAIN(TestReconciler)
#include "tst_reconciler.moc"
