// SPDX-License-Identifier: GPL-3.0-or-later
// Reconciliation against the real simulator on loopback and a SQLite journal in a temp dir. Each scenario is
// built the way the engine would build it (insertPending, send, markOpen / markUnknown), without the engine.
// The scenarios about how other Deriv-compatible servers answer (rows without a symbol, unreadable rows, a
// clock that differs from ours, a capped profit_table `limit`) use crafted replies from ScriptedDerivServer.
#include <algorithm>
#include <memory>
#include <optional>

#include <QDateTime>
#include <QJsonArray>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "deriv/derivclient.h"
#include "deriv/derivrequests.h"
#include "health/clock.h"
#include "reconcile/instancelivenesssource.h"
#include "reconcile/reconciler.h"
#include "sim/simserver.h"
#include "store/journal.h"
#include "support/capturedresult.h"
#include "support/resultcheck.h"
#include "support/scriptedderivserver.h"

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

// The simulator's clock as "our" clock: the rows these tests write carry the simulator's time, as the engine's
// carry its own clock's.
class SimClock final : public Clock
{
public:
    explicit SimClock(const Sim::SimServer *sim) : m_sim(sim) {}
    qint64 nowMs() const override { return m_sim->nowMs(); }
    qint64 monotonicMs() const override { return Clock::system().monotonicMs(); }

private:
    const Sim::SimServer *m_sim;
};

const QString s_scriptedLogin = QStringLiteral("CR90000001"); // ScriptedDerivServer's account

qint64 wallNowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// A profit_table row; a terse server sends no symbol and no contract type, only the shortcode.
QJsonObject profitRow(qint64 contractId, const QString &type, const QString &symbol, qint64 stakeMinor,
                      qint64 purchaseSec, bool terse = false, int ticks = 5)
{
    const Money stake = Money::fromMinor(stakeMinor);
    const Money payout = Money::fromMinor(stakeMinor * 195 / 100);
    QJsonObject row{
        {QStringLiteral("contract_id"), contractId},
        {QStringLiteral("transaction_id"), contractId * 2},
        {QStringLiteral("buy_price"), stake.toJson()},
        {QStringLiteral("payout"), payout.toJson()},
        {QStringLiteral("purchase_time"), purchaseSec},
        {QStringLiteral("sell_price"), 0},
        {QStringLiteral("sell_time"), purchaseSec + ticks * 2},
        {QStringLiteral("shortcode"), QStringLiteral("%1_%2_%3_%4_%5T_S0P_0")
                                          .arg(type, symbol.toUpper(), payout.toString())
                                          .arg(purchaseSec)
                                          .arg(ticks)},
    };
    if (terse) {
        row.insert(QStringLiteral("underlying_symbol"), QJsonValue());
    } else {
        row.insert(QStringLiteral("underlying_symbol"), symbol);
        row.insert(QStringLiteral("contract_type"), type);
    }
    return row;
}

QSet<QString> kinds(const ReconcileReport &report)
{
    QSet<QString> out;
    for (const Discrepancy &d : report.discrepancies)
        out.insert(d.kind + u'/' + d.action);
    return out;
}

// The instance registry as a test sets it: answers with `current`, or never (`silent`). Same thread only.
class FakeLiveness final : public InstanceLivenessSource
{
public:
    void read(QObject *context, std::function<void(const InstanceLiveness &)> done) override
    {
        ++reads;
        if (silent)
            return;
        QMetaObject::invokeMethod(context, [done = std::move(done), answer = current] { done(answer); },
                                  Qt::QueuedConnection);
    }

    InstanceLiveness current = InstanceLiveness::of({QStringLiteral("test-instance")});
    bool silent = false;
    int reads = 0;
};

} // namespace

class TestReconciler final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanup();

    void lostReplyAdoptedHundredTimes();
    void pendingRowWithoutBuy();
    void youngPendingRowIsLeftAlone();
    void crashedBuyStillCommittingIsAdopted();
    void outsideContractsStaleRowsAndSettlements();
    void profitMismatchIsCorrected();
    void failedQueryChangesNothing_data();
    void failedQueryChangesNothing();
    void orphansAreSoldWhenAsked();
    void triggersMergeWhileRunning();
    void staleFenceStopsWrites();
    void nothingUnresolvedCostsOnePortfolioCall();
    void profitTablePagesAndCap();

    // Other Deriv-compatible servers (crafted replies).
    void unreadableRowsAreSkipped();
    void unreadableRowHoldsOnlyTheLostBuyItCouldBe_data();
    void unreadableRowHoldsOnlyTheLostBuyItCouldBe();
    void unknownRowGetsTheGrace_data();
    void unknownRowGetsTheGrace();
    void serverClockSkew_data();
    void serverClockSkew();
    void profitTablePagesPastAServerCap();

    // A journal shared with other instances (their rows carry their instance id in the request tag).
    void foreignRowOfALiveInstanceIsLeftToIt_data();
    void foreignRowOfALiveInstanceIsLeftToIt();
    void rowsOfGoneInstancesAreResolved();
    void unreadableRegistryLeavesForeignRowsAlone_data();
    void unreadableRegistryLeavesForeignRowsAlone();
    void ownerGoneStartsARun();
    void youngRowOfAGoneInstanceWaitsForNoReply();
    void otherJournalsContractsAreLeftToThem();

private:
    void setUp(Sim::SimConfig config);
    // The simulator on a manual clock, and a registry listing `alive` (this instance is "test-instance").
    std::shared_ptr<FakeLiveness> setUpShared(const QStringList &alive);
    void setUpScripted();
    void openClientAndJournal(const QUrl &url, const QString &token);
    // An Unknown row (the buy's reply lost) of the scripted account.
    Trade unknownRow(const QString &type, const QString &symbol, qint64 stakeMinor, qint64 openedMs);
    std::unique_ptr<Reconciler> makeScriptedReconciler(ReconcilerOptions extra = {});
    // One "lost_reply" run that completes and adopts `contractId` into the row: no failure, no orphan.
    void runExpectingAdoption(Reconciler &reconciler, qint64 localId, qint64 contractId, ReconcileReport *report);
    std::unique_ptr<Reconciler> makeReconciler(ReconcilerOptions extra = {});
    bool runOnce(Reconciler &reconciler, const QString &trigger, ReconcileReport *report);
    // The engine's way to buy: a Pending row first, then the buy; markOpen on the reply.
    Trade pendingRow(const DerivRequests::ContractParameters &p, const QString &bot = QStringLiteral("bot-1"));
    // `tag` empty: a bare sequence number, which names no instance.
    Trade pendingRowAt(const DerivRequests::ContractParameters &p, qint64 openedMs,
                       const QString &bot = QStringLiteral("bot-1"), const QString &tag = {});
    bool buyThroughClient(const DerivRequests::ContractParameters &p, qint64 localId, Result<QJsonObject> *reply);
    Trade row(qint64 localId);
    QList<Trade> allRows();
    QList<Sim::ContractStats> serverContracts();
    const Sim::ContractStats *serverContract(qint64 contractId);
    void advanceUntilSettled(qint64 contractId);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Sim::SimServer> m_sim;
    std::unique_ptr<SimClock> m_simClock;
    std::unique_ptr<Test::ScriptedDerivServer> m_scripted;
    // What the scripted server holds: portfolio items, profit_table rows (oldest first), its clock.
    QJsonArray m_portfolio;
    QJsonArray m_profitRows;
    int m_limitCap = 500;
    qint64 m_serverSkewMs = 0;
    bool m_answerTime = true;
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
    m_simClock = std::make_unique<SimClock>(m_sim.get());
    auto loginid = m_sim->addAccount(s_token);
    QVERIFY2(loginid.ok(), describe(loginid));
    m_loginid = loginid.value();
    QVERIFY(m_sim->listen().ok());
    openClientAndJournal(m_sim->url(), s_token);
}

std::shared_ptr<FakeLiveness> TestReconciler::setUpShared(const QStringList &alive)
{
    Sim::SimConfig config;
    config.manualClock = true;
    setUp(config);
    auto registry = std::make_shared<FakeLiveness>();
    registry->current = InstanceLiveness::of(QSet<QString>(alive.cbegin(), alive.cend()));
    return registry;
}

void TestReconciler::openClientAndJournal(const QUrl &url, const QString &token)
{
    DerivClient::Options o;
    o.url = url;
    o.token = token;
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

void TestReconciler::setUpScripted()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_scripted = std::make_unique<Test::ScriptedDerivServer>();
    QVERIFY(m_scripted->listen());
    m_loginid = s_scriptedLogin;
    m_portfolio = {};
    m_profitRows = {};
    m_limitCap = 500;
    m_serverSkewMs = 0;
    m_answerTime = true;
    Test::ScriptedDerivServer *server = m_scripted.get();
    server->setScript(QStringLiteral("time"), [this, server](int c, const QJsonObject &r) {
        if (m_answerTime)
            server->reply(c, r, {{QStringLiteral("time"), (wallNowMs() + m_serverSkewMs) / 1000}});
        else
            server->replyError(c, r, QStringLiteral("UnrecognisedRequest"), QStringLiteral("Unrecognised request."));
        return true;
    });
    server->setScript(QStringLiteral("portfolio"), [this, server](int c, const QJsonObject &r) {
        server->reply(c, r, {{QStringLiteral("portfolio"), QJsonObject{{QStringLiteral("contracts"), m_portfolio}}}});
        return true;
    });
    // Oldest first from date_from, `offset` rows skipped, at most min(limit, the server's cap) rows.
    server->setScript(QStringLiteral("profit_table"), [this, server](int c, const QJsonObject &r) {
        const qint64 from = r.value(QLatin1String("date_from")).toString().toLongLong();
        const int offset = r.value(QLatin1String("offset")).toInt();
        const int limit = std::min(r.value(QLatin1String("limit")).toInt(50), m_limitCap);
        QJsonArray page;
        int skipped = 0;
        for (const QJsonValue &v : std::as_const(m_profitRows)) {
            const QJsonValue purchase = v.toObject().value(QLatin1String("purchase_time"));
            if (!purchase.isUndefined() && purchase.toInteger() < from)
                continue;
            if (skipped++ < offset)
                continue;
            if (page.size() < limit)
                page.append(v);
        }
        server->reply(c, r, {{QStringLiteral("profit_table"),
                              QJsonObject{{QStringLiteral("count"), page.size()}, {QStringLiteral("transactions"), page}}}});
        return true;
    });
    openClientAndJournal(m_scripted->url(), QStringLiteral("valid-token-0001"));
}

Trade TestReconciler::unknownRow(const QString &type, const QString &symbol, qint64 stakeMinor, qint64 openedMs)
{
    Trade t = pendingRowAt(contract(type, stakeMinor, 5, QStringLiteral("t"), symbol), openedMs);
    if (t.localId == 0 || !m_journal->markUnknown(t.localId, QStringLiteral("buy reply lost"), 0)) {
        qWarning() << "unknown row not written";
        return t;
    }
    t.status = TradeStatus::Unknown;
    return t;
}

void TestReconciler::runExpectingAdoption(Reconciler &reconciler, qint64 localId, qint64 contractId,
                                          ReconcileReport *report)
{
    QSignalSpy orphans(&reconciler, &Reconciler::orphanAdopted);
    QVERIFY(runOnce(reconciler, QStringLiteral("lost_reply"), report));
    QVERIFY2(report->completed(), qPrintable(report->error));
    QCOMPARE(report->adopted, 1);
    QCOMPARE(report->failed, 0);
    QCOMPARE(orphans.size(), 0);
    QCOMPARE(row(localId).contractId, contractId);
}

void TestReconciler::cleanup()
{
    m_client.reset();
    m_journal.reset();
    m_sim.reset();
    m_simClock.reset();
    m_scripted.reset();
    m_dir.reset();
}

std::unique_ptr<Reconciler> TestReconciler::makeReconciler(ReconcilerOptions extra)
{
    extra.account = m_loginid;
    extra.instanceId = QStringLiteral("test-instance");
    if (!extra.clock)
        extra.clock = m_simClock.get();
    return std::make_unique<Reconciler>(m_client.get(), m_journal.get(), extra);
}

std::unique_ptr<Reconciler> TestReconciler::makeScriptedReconciler(ReconcilerOptions extra)
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
    return pendingRowAt(p, m_sim->nowMs(), bot);
}

Trade TestReconciler::pendingRowAt(const DerivRequests::ContractParameters &p, qint64 openedMs, const QString &bot,
                                  const QString &tag)
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
    t.openedMs = openedMs;
    t.requestTag = tag.isEmpty() ? QString::number(m_nextTag++) : tag;
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
    ReconcilerOptions options;
    options.pendingGraceMs = 0;      // the buys that never executed are failed at once (the grace has its own test)
    options.syncServerTime = false;  // accelerated virtual time has no fixed offset to ours: the widened window
    auto reconciler = makeReconciler(options);
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

        const auto settledOnServer = [this] {
            const QList<Sim::ContractStats> contracts = serverContracts();
            return std::count_if(contracts.cbegin(), contracts.cend(),
                                 [](const Sim::ContractStats &c) { return c.status != QLatin1String("open"); });
        };
        const qsizetype settledBefore = settledOnServer();
        ReconcileReport report;
        QVERIFY(runOnce(*reconciler, QStringLiteral("lost_reply"), &report));
        const qsizetype settledDuring = settledOnServer() - settledBefore;
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
        // The budget: one portfolio, one profit_table page (two when the page is as long as any this server
        // returned before: it might be its cap), no per-contract lookups. A contract that settles while the run
        // pages lands on the next page, which can then be as long as that largest page (one row in the first
        // rounds): one more page for each contract settled during the run.
        const ReconcileStats stats = reconciler->lastRunStats();
        QCOMPARE(stats.calls.value(QStringLiteral("portfolio")), 1);
        QVERIFY(stats.calls.value(QStringLiteral("profit_table")) >= 1);
        QVERIFY2(stats.calls.value(QStringLiteral("profit_table")) <= 2 + settledDuring,
                 qPrintable(QStringLiteral("%1 pages, %2 settled during the run")
                                .arg(stats.calls.value(QStringLiteral("profit_table")))
                                .arg(settledDuring)));
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

// A Pending row whose buy never left (the process died after journaling it): once its grace is over, the server
// queries cover the window, so no buy happened. Before that, even on startup, it waits: the process may have died
// with the buy on the wire, and the server may still commit it (crashedBuyStillCommittingIsAdopted).
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
    QCOMPARE(report.failed, 0);
    QCOMPARE(report.orphans, 1); // the PUT cannot be this row's buy
    QCOMPARE(reconciler->lastRunStats().deferred, 1);
    QCOMPARE(row(pending.localId).status, TradeStatus::Pending);

    m_sim->advanceTime(ReconcilerOptions().pendingGraceMs + 1'000);
    QVERIFY(runOnce(*reconciler, QStringLiteral("startup"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(report.failed, 1);
    QCOMPARE(report.orphans, 0);
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

// The process was killed with a buy on the wire and restarted at once: the startup run finds no contract yet (the
// server commits the buy a moment later). The row is not failed ("no buy happened" would leave the contract to be
// found as an outside orphan, its bot and limits unaware); a follow-up once the grace is over adopts it.
void TestReconciler::crashedBuyStillCommittingIsAdopted()
{
    Sim::SimConfig config;
    config.manualClock = true;
    setUp(config);
    const auto p = contract(QStringLiteral("CALL"), 400, 10, QStringLiteral("m"));
    const Trade pending = pendingRow(p);
    ReconcilerOptions options;
    auto reconciler = makeReconciler(options);
    QSignalSpy finished(reconciler.get(), &Reconciler::finished);
    ReconcileReport report;
    QVERIFY(runOnce(*reconciler, QStringLiteral("startup"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(report.failed, 0);
    QCOMPARE(row(pending.localId).status, TradeStatus::Pending);

    auto bought = m_sim->buyDirect(m_loginid, directParameters(p)); // the dead process's buy commits now
    QVERIFY(bought.ok());
    const qint64 contractId = bought->value("contract_id").toInteger();
    m_sim->advanceTime(options.pendingGraceMs + 1'000);
    ReconcileReport next;
    QVERIFY(runOnce(*reconciler, QStringLiteral("grace"), &next));
    QVERIFY2(next.completed(), qPrintable(next.error));
    QCOMPARE(next.adopted, 1);
    QCOMPARE(next.orphans, 0);
    const Trade after = row(pending.localId);
    QCOMPARE(after.status, TradeStatus::Open);
    QCOMPARE(after.contractId, contractId);
    QCOMPARE(after.bot, pending.bot);
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
    // The stale row needed one lookup; nothing else did. The first profit_table page of a server says nothing of
    // its cap on `limit`: an empty second page confirms the end. `time` gives the server's clock offset.
    const ReconcileStats stats = reconciler->lastRunStats();
    QCOMPARE(stats.calls.value("portfolio"), 1);
    QCOMPARE(stats.calls.value("profit_table"), 2);
    QCOMPARE(stats.calls.value("proposal_open_contract"), 1);
    QCOMPARE(stats.calls.value("time"), 1);
    QCOMPARE(stats.totalCalls(), 5);
    QCOMPARE(stats.outcomeCalls(), 3);

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

    ReconcilerOptions options;
    options.pendingGraceMs = 0; // the rows are seconds old; the grace has its own test
    auto reconciler = makeReconciler(options);
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
    capped.pendingGraceMs = 0; // the lost row is seconds old; the grace has its own test
    auto first = makeReconciler(capped);
    ReconcileReport report;
    QVERIFY(runOnce(*first, QStringLiteral("manual"), &report));
    QVERIFY(!report.completed());
    QVERIFY2(report.error.contains(QLatin1String("outside what profit_table covered")), qPrintable(report.error));
    QCOMPARE(first->lastRunStats().profitTablePages, 1);
    QCOMPARE(row(lost.localId).status, TradeStatus::Unknown);
    QCOMPARE(report.failed, 0);
    QCOMPARE(report.orphans, 500); // what the page showed is known; the rest is not assumed empty

    ReconcilerOptions uncapped;
    uncapped.pendingGraceMs = 0;
    auto second = makeReconciler(uncapped);
    QVERIFY(runOnce(*second, QStringLiteral("manual"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(second->lastRunStats().profitTablePages, 2);
    QCOMPARE(report.orphans, 1);
    QCOMPARE(report.failed, 1);
    QCOMPARE(row(lost.localId).status, TradeStatus::Failed);
    QCOMPARE(allRows().size(), 502);
}

// ---------------------------------------------------------------------------------------------------------
// Other Deriv-compatible servers.

// profit_table rows with no symbol and no contract type are read from their shortcode; rows that cannot be
// read at all are skipped and listed, and the run completes: trading is not held up by them.
void TestReconciler::unreadableRowsAreSkipped()
{
    setUpScripted();
    const qint64 now = wallNowMs();
    const Trade lost = unknownRow(QStringLiteral("CALL"), QStringLiteral("R_100"), 1000, now - 600'000);
    const qint64 boughtSec = lost.openedMs / 1000 + 1;
    m_profitRows.append(profitRow(9001, QStringLiteral("CALL"), QStringLiteral("R_100"), 1000, boughtSec, true));
    // Unreadable: no symbol, no type, no shortcode; bought well after the lost buy's window.
    m_profitRows.append(QJsonObject{{"contract_id", 9002}, {"buy_price", 5}, {"payout", 9.5}, {"purchase_time", now / 1000 - 300},
                                    {"sell_price", 0}, {"sell_time", now / 1000 - 290}});
    m_portfolio.append(QJsonObject{{"contract_id", 9003}, {"buy_price", 5}, {"payout", 9.5}, {"purchase_time", now / 1000 - 60}});

    auto reconciler = makeScriptedReconciler();
    ReconcileReport report;
    runExpectingAdoption(*reconciler, lost.localId, 9001, &report);
    if (QTest::currentTestFailed())
        return;
    const Trade after = row(lost.localId);
    QCOMPARE(after.status, TradeStatus::Lost); // settled on the server: sold for 0
    QSet<qint64> unreadable;
    for (const Discrepancy &d : report.discrepancies) {
        if (d.kind == QLatin1String("unreadable_server_row")) {
            QCOMPARE(d.action, QStringLiteral("skipped"));
            QVERIFY(d.after.contains(QLatin1String("error")));
            QCOMPARE(d.after.value("contract_id").toInteger(), d.contractId); // the raw id, as the server sent it
            unreadable.insert(d.contractId);
        }
    }
    QCOMPARE(unreadable, (QSet<qint64>{9002, 9003}));
    QCOMPARE(reconciler->lastRunStats().unreadableRows, 2);
    // The saved report lists them too.
    auto saved = m_journal->report(report.id);
    QVERIFY(saved.ok() && saved.value());
    QCOMPARE(saved.value()->discrepancies.size(), report.discrepancies.size());
}

void TestReconciler::unreadableRowHoldsOnlyTheLostBuyItCouldBe_data()
{
    QTest::addColumn<qint64>("purchaseOffsetSec"); // of the unreadable row, from the lost buy's openedMs
    QTest::addColumn<bool>("purchaseKnown");
    QTest::addColumn<bool>("journaled"); // the unreadable row's contract is already in the journal
    QTest::addColumn<bool>("held");
    QTest::newRow("in its window") << qint64(2) << true << false << true;
    QTest::newRow("purchase time unreadable") << qint64(0) << false << false << true;
    QTest::newRow("outside its window") << qint64(-120) << true << false << false;
    QTest::newRow("a contract the journal has") << qint64(2) << true << true << false;
}

// A row that cannot be read but could be a lost buy's contract: that one row stays unresolved (not failed) and
// the run says why; everything else is reconciled.
void TestReconciler::unreadableRowHoldsOnlyTheLostBuyItCouldBe()
{
    QFETCH(qint64, purchaseOffsetSec);
    QFETCH(bool, purchaseKnown);
    QFETCH(bool, journaled);
    QFETCH(bool, held);
    setUpScripted();
    const qint64 now = wallNowMs();
    if (journaled) {
        const Trade known = pendingRowAt(contract(QStringLiteral("CALL"), 1000), now - 601'000);
        QVERIFY(m_journal->markOpen(known.localId, 9101, 19101, Money::fromMinor(1000), Money::fromMinor(1950),
                                    now - 600'000, 0).ok());
        QVERIFY(m_journal->settle(known.localId, TradeStatus::Lost, Money::zero(), Money::fromMinor(-1000), now - 590'000,
                                  QStringLiteral("tracker"), 0).ok());
    }
    const Trade lost = unknownRow(QStringLiteral("CALL"), QStringLiteral("R_100"), 1000, now - 600'000);
    const Trade neverBought = unknownRow(QStringLiteral("PUT"), QStringLiteral("R_50"), 700, now - 1'200'000);
    QJsonObject unreadable{{"contract_id", 9101}, {"buy_price", 10}, {"payout", 19.5}, {"sell_price", 0},
                           {"sell_time", now / 1000}};
    if (purchaseKnown)
        unreadable.insert("purchase_time", lost.openedMs / 1000 + purchaseOffsetSec);
    m_profitRows.append(profitRow(9102, QStringLiteral("PUT"), QStringLiteral("R_25"), 300, now / 1000 - 900));
    m_profitRows.append(unreadable);

    auto reconciler = makeScriptedReconciler();
    ReconcileReport report;
    QVERIFY(runOnce(*reconciler, QStringLiteral("lost_reply"), &report));
    QCOMPARE(row(neverBought.localId).status, TradeStatus::Failed);
    QCOMPARE(report.orphans, 1);
    QVERIFY(m_journal->tradeByContract(m_loginid, 9102).value().has_value());
    QVERIFY(kinds(report).contains(QStringLiteral("unreadable_server_row/skipped")));
    if (held) {
        QVERIFY(!report.completed());
        QVERIFY2(report.error.contains(QStringLiteral("trade %1").arg(lost.localId)), qPrintable(report.error));
        QVERIFY2(report.error.contains(QLatin1String("unreadable server row")), qPrintable(report.error));
        QVERIFY2(report.error.contains(QLatin1String("9101")), qPrintable(report.error));
        QVERIFY2(!report.error.contains(QStringLiteral("trade %1").arg(neverBought.localId)), qPrintable(report.error));
        QCOMPARE(row(lost.localId).status, TradeStatus::Unknown);
        QCOMPARE(report.failed, 1);
    } else {
        QVERIFY2(report.completed(), qPrintable(report.error));
        QCOMPARE(row(lost.localId).status, TradeStatus::Failed);
        QCOMPARE(report.failed, 2);
    }
}

void TestReconciler::unknownRowGetsTheGrace_data()
{
    QTest::addColumn<bool>("committedLate");
    QTest::newRow("the server commits the buy after our reads") << true;
    QTest::newRow("the buy never happened") << false;
}

// The reply to a buy is lost on a live socket: the row is Unknown while the server may still commit the buy.
// Within the grace a run that finds nothing leaves it (the bot waits); a follow-up run after the grace adopts
// the late contract, or marks the row failed when there is none. Never failed first and orphaned after.
void TestReconciler::unknownRowGetsTheGrace()
{
    QFETCH(bool, committedLate);
    setUpScripted();
    const qint64 now = wallNowMs();
    const Trade lost = unknownRow(QStringLiteral("CALL"), QStringLiteral("R_100"), 1000, now - 500);

    ReconcilerOptions options;
    options.pendingGraceMs = 2'500;
    auto reconciler = makeScriptedReconciler(options);
    QSignalSpy finished(reconciler.get(), &Reconciler::finished);
    QSignalSpy orphans(reconciler.get(), &Reconciler::orphanAdopted);
    ReconcileReport first;
    QVERIFY(runOnce(*reconciler, QStringLiteral("lost_reply"), &first));
    finished.clear();
    QVERIFY2(first.completed(), qPrintable(first.error));
    QCOMPARE(first.discrepancies.size(), 0);
    QCOMPARE(reconciler->lastRunStats().deferred, 1);
    QCOMPARE(row(lost.localId).status, TradeStatus::Unknown);

    if (committedLate) {
        m_portfolio.append(QJsonObject{{"contract_id", 9201},
                                       {"transaction_id", 19201},
                                       {"symbol", "R_100"},
                                       {"contract_type", "CALL"},
                                       {"buy_price", 10},
                                       {"payout", 19.5},
                                       {"purchase_time", lost.openedMs / 1000 + 2},
                                       {"shortcode", QStringLiteral("CALL_R_100_19.50_%1_5T_S0P_0").arg(lost.openedMs / 1000 + 2)}});
    }
    // The follow-up run comes by itself once the grace is over.
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 30'000);
    const ReconcileReport second = finished.takeFirst().at(0).value<ReconcileReport>();
    QCOMPARE(second.trigger, QStringLiteral("grace"));
    QVERIFY2(second.completed(), qPrintable(second.error));
    QCOMPARE(orphans.size(), 0);
    const Trade after = row(lost.localId);
    if (committedLate) {
        QCOMPARE(second.adopted, 1);
        QCOMPARE(after.status, TradeStatus::Open);
        QCOMPARE(after.contractId, 9201);
    } else {
        QCOMPARE(second.failed, 1);
        QCOMPARE(after.status, TradeStatus::Failed);
    }
    // Nothing is deferred any more, so no further run follows.
    QTest::qWait(500);
    QVERIFY(finished.isEmpty());
}

void TestReconciler::serverClockSkew_data()
{
    QTest::addColumn<qint64>("skewMs");     // the server's clock minus ours
    QTest::addColumn<bool>("answersTime");
    QTest::newRow("40 s behind, time known") << qint64(-40'000) << true;
    QTest::newRow("90 s behind, time known") << qint64(-90'000) << true;
    QTest::newRow("40 s behind, time refused") << qint64(-40'000) << false;
    QTest::newRow("30 s ahead, time refused") << qint64(30'000) << false;
}

// The server's clock differs from ours: its purchase_time of a lost buy is shifted by that much. With `time`
// the reconciler knows the offset; without, its window is wider. Either way the contract is the row's, not an
// orphan beside a failed row.
void TestReconciler::serverClockSkew()
{
    QFETCH(qint64, skewMs);
    QFETCH(bool, answersTime);
    setUpScripted();
    m_serverSkewMs = skewMs;
    m_answerTime = answersTime;
    const qint64 now = wallNowMs();
    const Trade lost = unknownRow(QStringLiteral("CALL"), QStringLiteral("R_100"), 1000, now - 300'000);
    const qint64 boughtSec = (lost.openedMs + skewMs) / 1000 + 1;
    m_profitRows.append(profitRow(9301, QStringLiteral("CALL"), QStringLiteral("R_100"), 1000, boughtSec));

    auto reconciler = makeScriptedReconciler();
    ReconcileReport report;
    runExpectingAdoption(*reconciler, lost.localId, 9301, &report);
    if (QTest::currentTestFailed())
        return;
    const ReconcileStats stats = reconciler->lastRunStats();
    QCOMPARE(stats.calls.value(QStringLiteral("time")), 1);
    if (answersTime) {
        QVERIFY(stats.serverOffsetMs.has_value());
        QVERIFY2(qAbs(*stats.serverOffsetMs - skewMs) <= 2'000, qPrintable(QString::number(*stats.serverOffsetMs)));
    } else {
        QVERIFY(!stats.serverOffsetMs.has_value());
        QVERIFY(!stats.unchecked.filter(QStringLiteral("server time unknown")).isEmpty());
    }
}

// A server that caps profit_table's `limit` (here at 2): a short page is not the end. The lost buy's contract
// is the newest row, on the third page.
void TestReconciler::profitTablePagesPastAServerCap()
{
    setUpScripted();
    m_limitCap = 2;
    const qint64 now = wallNowMs();
    const Trade lost = unknownRow(QStringLiteral("PUT"), QStringLiteral("R_100"), 500, now - 300'000);
    const qint64 lostSec = lost.openedMs / 1000;
    for (int i = 0; i < 4; ++i)
        m_profitRows.append(profitRow(9400 + i, QStringLiteral("CALL"), QStringLiteral("R_10"), 100, lostSec - 30 + i));
    m_profitRows.append(profitRow(9499, QStringLiteral("PUT"), QStringLiteral("R_100"), 500, lostSec + 1));

    auto reconciler = makeScriptedReconciler();
    ReconcileReport report;
    QVERIFY(runOnce(*reconciler, QStringLiteral("lost_reply"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(report.adopted, 1);
    QCOMPARE(report.failed, 0);
    QCOMPARE(report.orphans, 4);
    QCOMPARE(row(lost.localId).contractId, 9499);
    const QList<Test::ScriptedDerivServer::Received> pages = m_scripted->received(QStringLiteral("profit_table"));
    QList<int> offsets;
    for (const auto &p : pages)
        offsets.append(p.request.value(QLatin1String("offset")).toInt());
    // 2 + 2 + 1 rows: the third page is shorter than one the server already returned, so it is the last.
    QCOMPARE(offsets, (QList<int>{0, 2, 4}));
    QCOMPARE(reconciler->lastRunStats().profitTablePages, 3);

    // A second run on the same server: still paged to the end, and nothing new to do.
    ReconcileReport again;
    QVERIFY(runOnce(*reconciler, QStringLiteral("periodic"), &again));
    QVERIFY2(again.completed(), qPrintable(again.error));
    QCOMPARE(again.adopted + again.failed + again.orphans + again.mismatches, 0);
}

void TestReconciler::foreignRowOfALiveInstanceIsLeftToIt_data()
{
    QTest::addColumn<QString>("trigger");
    QTest::newRow("periodic") << QStringLiteral("periodic");
    QTest::newRow("startup (no grace)") << QStringLiteral("startup");
    QTest::newRow("reconnect") << QStringLiteral("reconnect");
}

// Instance other-1 (alive) sent a buy 90 s ago, past the grace, and still waits for a slow server. This
// instance neither fails the row while the server shows nothing, nor adopts the contract as an orphan once it
// appears; after other-1 is gone (its registry entry expired) the same row is adopted here, exactly once.
void TestReconciler::foreignRowOfALiveInstanceIsLeftToIt()
{
    QFETCH(QString, trigger);
    auto registry = setUpShared({QStringLiteral("test-instance"), QStringLiteral("other-1")});
    ReconcilerOptions options;
    options.liveness = registry;
    options.ownerWatchMs = 0; // every run here is started by the test
    auto reconciler = makeReconciler(options);
    QSignalSpy orphans(reconciler.get(), &Reconciler::orphanAdopted);

    const auto p = contract(QStringLiteral("CALL"), 250, 10, QStringLiteral("m"));
    const Trade theirs = pendingRowAt(p, m_sim->nowMs() - 90'000, QStringLiteral("bot-1"), QStringLiteral("other-1:bot-1:7"));
    QVERIFY(theirs.localId > 0);

    ReconcileReport report;
    QVERIFY(runOnce(*reconciler, trigger, &report));
    QVERIFY2(report.completed(), qPrintable(report.error)); // not this instance's trading to hold up
    QCOMPARE(report.failed, 0);
    QCOMPARE(row(theirs.localId).status, TradeStatus::Pending);
    QCOMPARE(report.discrepancies.size(), 1);
    const Discrepancy d = report.discrepancies.first();
    QCOMPARE(d.kind, QStringLiteral("in_flight_elsewhere"));
    QCOMPARE(d.action, QStringLiteral("deferred"));
    QCOMPARE(d.localId, theirs.localId);
    QCOMPARE(d.after.value("instance").toString(), QStringLiteral("other-1"));
    QCOMPARE(d.after.value("alive"), QJsonValue(true));
    QVERIFY(d.after.value("reason").toString().contains(QLatin1String("in flight at instance other-1")));
    QCOMPARE(reconciler->lastRunStats().deferred, 1);
    QCOMPARE(registry->reads, 1);

    // The server commits other-1's buy: its contract, not an orphan of this instance.
    auto bought = m_sim->buyDirect(m_loginid, directParameters(p));
    QVERIFY(bought.ok());
    const qint64 contractId = bought->value("contract_id").toInteger();
    QVERIFY(runOnce(*reconciler, trigger, &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(report.orphans, 0);
    QCOMPARE(report.adopted, 0);
    QCOMPARE(orphans.size(), 0);
    QCOMPARE(row(theirs.localId).status, TradeStatus::Pending);
    QVERIFY(!m_journal->tradeByContract(m_loginid, contractId).value());

    // other-1 is gone: nobody else will resolve the row.
    registry->current = InstanceLiveness::of({QStringLiteral("test-instance")});
    QVERIFY(runOnce(*reconciler, QStringLiteral("periodic"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(report.adopted, 1);
    QCOMPARE(report.orphans, 0);
    QCOMPARE(orphans.size(), 0);
    const Trade after = row(theirs.localId);
    QCOMPARE(after.status, TradeStatus::Open);
    QCOMPARE(after.contractId, contractId);
    int withContract = 0;
    for (const Trade &t : allRows())
        withContract += t.contractId == contractId ? 1 : 0;
    QCOMPARE(withContract, 1);
}

// Rows of an instance the registry does not list (crashed, or this instance's own earlier run under another
// pid) and this instance's own rows are resolved as on a journal of one's own; the registry is asked only
// while a row another instance wrote is unresolved.
void TestReconciler::rowsOfGoneInstancesAreResolved()
{
    auto registry = setUpShared({QStringLiteral("test-instance"), QStringLiteral("other-1")});
    ReconcilerOptions options;
    options.liveness = registry;
    auto reconciler = makeReconciler(options);

    const qint64 then = m_sim->nowMs() - 90'000;
    const Trade crashed = pendingRowAt(contract(QStringLiteral("PUT"), 300), then, QStringLiteral("bot-1"),
                                       QStringLiteral("host-4242:bot-1:3"));
    const Trade mine = pendingRowAt(contract(QStringLiteral("CALL"), 400), then, QStringLiteral("bot-2"),
                                    QStringLiteral("test-instance:bot-2:1"));
    ReconcileReport report;
    QVERIFY(runOnce(*reconciler, QStringLiteral("periodic"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(report.failed, 2);
    QCOMPARE(row(crashed.localId).status, TradeStatus::Failed);
    QCOMPARE(row(mine.localId).status, TradeStatus::Failed);
    QVERIFY(!kinds(report).contains(QStringLiteral("in_flight_elsewhere/deferred")));
    QCOMPARE(registry->reads, 1);

    // Only this instance's own unresolved row: nothing to ask the registry.
    const Trade again = pendingRowAt(contract(QStringLiteral("CALL"), 500), then, QStringLiteral("bot-2"),
                                     QStringLiteral("test-instance:bot-2:2"));
    QVERIFY(runOnce(*reconciler, QStringLiteral("periodic"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(row(again.localId).status, TradeStatus::Failed);
    QCOMPARE(registry->reads, 1);
}

void TestReconciler::unreadableRegistryLeavesForeignRowsAlone_data()
{
    QTest::addColumn<bool>("silent");
    QTest::newRow("the read fails") << false;
    QTest::newRow("no answer") << true;
}

// The registry cannot tell whether other-1 runs: its row is neither adopted nor failed, its contract is not an
// orphan, and the run is incomplete (trading waits for a run that can tell). This instance's own row is still
// resolved. Once the registry answers, the run completes with the row left to other-1.
void TestReconciler::unreadableRegistryLeavesForeignRowsAlone()
{
    QFETCH(bool, silent);
    auto registry = setUpShared({});
    registry->current = InstanceLiveness::unknown(QStringLiteral("connection refused"));
    registry->silent = silent;
    ReconcilerOptions options;
    options.liveness = registry;
    options.livenessTimeoutMs = 300;
    options.ownerWatchMs = 0;
    auto reconciler = makeReconciler(options);

    const qint64 then = m_sim->nowMs() - 90'000;
    const auto p = contract(QStringLiteral("CALL"), 250, 10, QStringLiteral("m"));
    const Trade theirs = pendingRowAt(p, then, QStringLiteral("bot-1"), QStringLiteral("other-1:bot-1:7"));
    auto bought = m_sim->buyDirect(m_loginid, directParameters(p));
    QVERIFY(bought.ok());
    const qint64 contractId = bought->value("contract_id").toInteger();
    const Trade mine = pendingRowAt(contract(QStringLiteral("PUT"), 300), then, QStringLiteral("bot-2"),
                                    QStringLiteral("test-instance:bot-2:1"));

    ReconcileReport report;
    QVERIFY(runOnce(*reconciler, QStringLiteral("periodic"), &report));
    QVERIFY(!report.completed());
    QVERIFY2(report.error.contains(QLatin1String("instance other-1, whose liveness is unknown")), qPrintable(report.error));
    QVERIFY2(report.error.contains(silent ? QLatin1String("did not answer") : QLatin1String("connection refused")),
             qPrintable(report.error));
    QCOMPARE(report.adopted, 0);
    QCOMPARE(report.orphans, 0);
    QCOMPARE(row(theirs.localId).status, TradeStatus::Pending);
    QVERIFY(!m_journal->tradeByContract(m_loginid, contractId).value());
    QCOMPARE(report.failed, 1);
    QCOMPARE(row(mine.localId).status, TradeStatus::Failed);
    QVERIFY(kinds(report).contains(QStringLiteral("in_flight_elsewhere/deferred")));
    for (const Discrepancy &d : report.discrepancies) {
        if (d.kind == QLatin1String("in_flight_elsewhere"))
            QCOMPARE(d.after.value("alive").toString(), QStringLiteral("unknown"));
    }

    registry->silent = false;
    registry->current = InstanceLiveness::of({QStringLiteral("test-instance"), QStringLiteral("other-1")});
    QVERIFY(runOnce(*reconciler, QStringLiteral("retry"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(report.adopted + report.orphans, 0);
    QCOMPARE(row(theirs.localId).status, TradeStatus::Pending);
}

// While other-1 runs, only the registry is watched (no server call); when it is gone a run comes by itself
// and resolves the row other-1 left.
void TestReconciler::ownerGoneStartsARun()
{
    auto registry = setUpShared({QStringLiteral("test-instance"), QStringLiteral("other-1")});
    ReconcilerOptions options;
    options.liveness = registry;
    options.ownerWatchMs = 50;
    auto reconciler = makeReconciler(options);

    const Trade theirs = pendingRowAt(contract(QStringLiteral("CALL"), 250), m_sim->nowMs() - 90'000,
                                      QStringLiteral("bot-1"), QStringLiteral("other-1:bot-1:7"));
    ReconcileReport report;
    QVERIFY(runOnce(*reconciler, QStringLiteral("periodic"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(row(theirs.localId).status, TradeStatus::Pending);

    QSignalSpy finished(reconciler.get(), &Reconciler::finished);
    QTRY_VERIFY_WITH_TIMEOUT(registry->reads >= 4, 30'000);
    QCOMPARE(finished.size(), 0);
    QCOMPARE(row(theirs.localId).status, TradeStatus::Pending);

    registry->current = InstanceLiveness::of({QStringLiteral("test-instance")});
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 30'000);
    const ReconcileReport gone = finished.takeFirst().at(0).value<ReconcileReport>();
    QCOMPARE(gone.trigger, QStringLiteral("instance_gone"));
    QVERIFY2(gone.completed(), qPrintable(gone.error));
    QCOMPARE(gone.failed, 1);
    const Trade after = row(theirs.localId);
    QCOMPARE(after.status, TradeStatus::Failed);
    QVERIFY(after.closeReason.contains(QLatin1String("no buy happened")));
}

// A buy other-1 sent 5 s ago, within the grace, but other-1 is gone: no reply will come to anybody, so its
// contract is adopted at once (as for an Unknown row); a row of it without a contract still gets the grace
// (the server may commit the buy after our reads).
void TestReconciler::youngRowOfAGoneInstanceWaitsForNoReply()
{
    auto registry = setUpShared({QStringLiteral("test-instance")});
    ReconcilerOptions options;
    options.liveness = registry;
    options.followUpDeferred = false; // the grace's own run has its test
    auto reconciler = makeReconciler(options);

    const qint64 then = m_sim->nowMs() - 5'000;
    const auto p = contract(QStringLiteral("CALL"), 250, 10, QStringLiteral("m"));
    const Trade bought = pendingRowAt(p, then, QStringLiteral("bot-1"), QStringLiteral("other-1:bot-1:7"));
    auto reply = m_sim->buyDirect(m_loginid, directParameters(p));
    QVERIFY(reply.ok());
    const Trade nothing = pendingRowAt(contract(QStringLiteral("PUT"), 300), then, QStringLiteral("bot-2"),
                                       QStringLiteral("other-1:bot-2:8"));

    ReconcileReport report;
    QVERIFY(runOnce(*reconciler, QStringLiteral("periodic"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(report.adopted, 1);
    QCOMPARE(report.orphans, 0);
    QCOMPARE(report.failed, 0);
    QCOMPARE(row(bought.localId).status, TradeStatus::Open);
    QCOMPARE(row(bought.localId).contractId, reply->value("contract_id").toInteger());
    QCOMPARE(row(nothing.localId).status, TradeStatus::Pending);
    QCOMPARE(reconciler->lastRunStats().deferred, 1);
}

// Instances on other journals trade the same account: the contracts they hold (or claim first) are not adopted here,
// nor one their unresolved buys may own (matched like this journal's own lost buys, closest first), nor any orphan
// while one of them does not tell its unresolved buys. An outside contract and this journal's lost buy are adopted.
void TestReconciler::otherJournalsContractsAreLeftToThem()
{
    Sim::SimConfig config;
    config.manualClock = true;
    setUp(config);
    auto buy = [this](const DerivRequests::ContractParameters &p) {
        auto r = m_sim->buyDirect(m_loginid, directParameters(p));
        return r.ok() ? r->value("contract_id").toInteger() : qint64(0);
    };
    const qint64 held = buy(contract(QStringLiteral("PUT"), 300, 10, "m"));     // another journal recorded it
    const qint64 claimed = buy(contract(QStringLiteral("PUT"), 310, 10, "m"));  // another journal claimed it first
    const qint64 outside = buy(contract(QStringLiteral("CALL"), 320, 10, "m")); // bought outside Vigil
    // This journal's buy whose reply was lost, and 3 s later the same buy at another journal, reply lost there too:
    // two contracts alike; each buy gets the one bought closest to it.
    const auto p = contract(QStringLiteral("CALL"), 700, 10, "m");
    const Trade lost = pendingRow(p);
    QVERIFY(m_journal->markUnknown(lost.localId, QStringLiteral("reply lost"), 0).ok());
    const qint64 lostContract = buy(p);
    m_sim->advanceTime(3'000);
    Trade theirs = lost;
    theirs.openedMs = m_sim->nowMs();
    const qint64 theirContract = buy(p);
    QVERIFY(held && claimed && outside && lostContract && theirContract);

    bool told = false;
    bool readable = true;
    QList<QList<qint64>> asked;
    QList<qint64> claims;
    ReconcilerOptions options;
    options.otherJournals = [&](const QList<qint64> &ids) -> Result<ReconcilerOptions::OtherJournals> {
        asked.append(ids);
        if (!readable)
            return Error::make(ErrorKind::Coordination, QStringLiteral("CoordinationUnavailable"), QStringLiteral("redis down"));
        return ReconcilerOptions::OtherJournals{QSet<qint64>{held}, {theirs}, told};
    };
    options.claimContract = [&](qint64 id) -> Result<bool> {
        claims.append(id);
        return id != claimed;
    };
    auto reconciler = makeReconciler(options);

    // Another journal does not tell its unresolved buys: no orphan; this journal's lost buy is adopted.
    ReconcileReport report;
    QVERIFY(runOnce(*reconciler, QStringLiteral("manual"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(report.orphans, 0);
    QCOMPARE(report.adopted, 1);
    QCOMPARE(asked.size(), 1);
    QCOMPARE(QSet<qint64>(asked.first().cbegin(), asked.first().cend()),
             (QSet<qint64>{held, claimed, outside, lostContract, theirContract}));
    QCOMPARE(claims, QList<qint64>{lostContract});
    QCOMPARE(reconciler->lastRunStats().otherJournals, 2); // held, and the one their lost buy may own
    QVERIFY2(reconciler->lastRunStats().unchecked.join(u'\n').contains(QLatin1String("does not tell")),
             qPrintable(reconciler->lastRunStats().unchecked.join(u'\n')));
    QCOMPARE(row(lost.localId).status, TradeStatus::Open);
    QCOMPARE(row(lost.localId).contractId, lostContract);

    // Told: the outside contract is claimed and adopted; the one another journal claimed first is left to it, as are
    // the one it holds and the one its lost buy may own.
    told = true;
    claims.clear();
    QVERIFY(runOnce(*reconciler, QStringLiteral("manual"), &report));
    QVERIFY2(report.completed(), qPrintable(report.error));
    QCOMPARE(report.orphans, 1);
    QCOMPARE(QSet<qint64>(claims.cbegin(), claims.cend()), (QSet<qint64>{claimed, outside}));
    QVERIFY(m_journal->tradeByContract(m_loginid, outside).value().has_value());
    for (qint64 id : {held, claimed, theirContract})
        QVERIFY(!m_journal->tradeByContract(m_loginid, id).value().has_value());

    // Which contracts are whose cannot be read: a new outside contract is not adopted, and the run says why.
    const qint64 later = buy(contract(QStringLiteral("PUT"), 330, 10, "m"));
    QVERIFY(later);
    readable = false;
    QVERIFY(runOnce(*reconciler, QStringLiteral("manual"), &report));
    QVERIFY2(report.error.contains(QLatin1String("other journals")), qPrintable(report.error));
    QCOMPARE(report.orphans, 0);
    QVERIFY(!m_journal->tradeByContract(m_loginid, later).value().has_value());
}

QTEST_GUILESS_MAIN(TestReconciler)
#include "tst_reconciler.moc"
