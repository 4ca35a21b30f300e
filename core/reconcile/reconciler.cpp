// SPDX-License-Identifier: GPL-3.0-or-later
#include "reconciler.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QSet>
#include <QTimer>

#include "deriv/derivclient.h"
#include "deriv/derivfields.h"
#include "health/clock.h"
#include "health/logcategories.h"
#include "reconcile/contractmatcher.h"
#include "reconcile/instancelivenesssource.h"
#include "reconcile/servercontract.h"
#include "store/journal.h"
#include "store/tradecorrection.h"
#include "store/tradefilter.h"

namespace Vigil {

namespace {

constexpr int kPageSize = 500; // profit_table's maximum
constexpr int kReportsScanned = 50;
constexpr qint64 kNever = std::numeric_limits<qint64>::max();
constexpr int kTimeTimeoutMs = 5'000;          // `time` is cheap; a server that ignores it must not hold the run
constexpr qint64 kMaxPlausibleSkewMs = 3'600'000; // beyond this the server's `time` is not believed
constexpr qint64 kFollowUpMarginMs = 1'000;

const QString kPortfolio = QStringLiteral("portfolio");
const QString kProfitTable = QStringLiteral("profit_table");
const QString kOpenContract = QStringLiteral("proposal_open_contract");
const QString kSell = QStringLiteral("sell");
const QString kTime = QStringLiteral("time");

QString describe(const Error &e)
{
    return e.code.isEmpty() ? e.message : e.code + QStringLiteral(": ") + e.message;
}

// An early sale at the payout (or at 0) reads like an expiry in profit_table, which has no status; a
// refund reads like a sale at the buy price.
bool statusAgrees(TradeStatus journal, const ServerContract &s)
{
    if (journal == s.status)
        return true;
    if (s.source == ServerContract::Source::ProfitTable && journal == TradeStatus::Sold
        && (s.status == TradeStatus::Won || s.status == TradeStatus::Lost))
        return true;
    return journal == TradeStatus::Void && s.status == TradeStatus::Sold && s.sellPrice == s.buyPrice;
}

// The server's figures where the row differs from them, or nullopt when it agrees. For a row that is
// not Open the status is compared too (an Open row against a settled contract is a settlement, not this).
std::optional<TradeCorrection> correctionFor(const Trade &row, const ServerContract &s)
{
    TradeCorrection c;
    QStringList fields;
    if (!statusAgrees(row.status, s)) {
        c.status = s.status;
        fields << QStringLiteral("status %1 -> %2").arg(tradeStatusToString(row.status), tradeStatusToString(s.status));
    }
    if (row.buyPrice != s.buyPrice) {
        c.buyPrice = s.buyPrice;
        fields << QStringLiteral("buy_price");
    }
    if (row.payout != s.payout) {
        c.payout = s.payout;
        fields << QStringLiteral("payout");
    }
    if (s.transactionId != 0 && row.transactionId != s.transactionId) {
        c.transactionId = s.transactionId;
        fields << QStringLiteral("transaction_id");
    }
    if (s.isSettled()) {
        if (row.sellPrice != s.sellPrice) {
            c.sellPrice = s.sellPrice;
            fields << QStringLiteral("sell_price %1 -> %2")
                          .arg(row.sellPrice ? row.sellPrice->toString() : QStringLiteral("none"), s.sellPrice->toString());
        }
        if (row.profit != s.profit) {
            c.profit = s.profit;
            fields << QStringLiteral("profit %1 -> %2")
                          .arg(row.profit ? row.profit->toString() : QStringLiteral("none"), s.profit->toString());
        }
        if (!fields.isEmpty() && row.closedMs != s.sellMs)
            c.closedMs = s.sellMs;
    }
    if (fields.isEmpty())
        return std::nullopt;
    c.reason = QStringLiteral("reconciliation: %1 disagrees (%2)")
                   .arg(serverContractSourceName(s.source), fields.join(QStringLiteral(", ")));
    return c;
}

} // namespace

// Everything one run knows; dropped when it finishes.
struct Reconciler::Run
{
    enum class ActionKind {
        AdoptLost,   // a pending/unknown row whose contract was found
        FailLost,    // a pending/unknown row with no contract where the queries cover its buy
        StaleOld,    // a pending/unknown row older than the lookback window, nothing found
        Settle,      // an open row settled on the server
        StaleOpen,   // an open row the server does not know
        Correct,     // figures or status differ
        AdoptOrphan, // a server contract the journal does not know
    };
    struct Action
    {
        ActionKind kind;
        Trade row; // the row as the snapshot saw it (unused for AdoptOrphan)
        ServerContract server;
        QString reason;
    };
    struct Event
    {
        bool orphan = false;
        Trade before;
        Trade after;
    };

    quint64 serial = 0;
    QString trigger;
    QElapsedTimer timer;
    ReconcileReport report;
    ReconcileStats stats;
    QStringList errors; // what makes report.error
    bool fatal = false; // a query or read failed: nothing is written

    QList<Trade> unresolved;
    QList<Trade> unconfirmed;             // settled rows written since the last completed run
    QSet<qint64> snapshotIds;             // localIds of both lists
    QHash<qint64, Trade> rowByContract;   // journal rows known by contract id

    QHash<qint64, ServerContract> server; // merged view: profit_table over portfolio, lookups over both
    QList<qint64> serverOrder;
    // A server row the parsers refused: what can still be read of it, to tell which lost buys it could be.
    struct Unreadable
    {
        QString source;
        QJsonObject item;
        QString error;
        qint64 contractId = 0;       // 0 = unreadable too
        qint64 purchaseMs = 0;       // 0 = unreadable
        std::optional<Money> buyPrice;
    };
    QList<Unreadable> unreadable;
    QSet<QString> unreadableSeen; // source + raw contract_id: a row read twice while paging is listed once
    bool profitNeeded = false;
    qint64 oldestMs = kNever;    // the oldest journal row to check (our clock)
    qint64 dateFromSec = 0;
    bool timePending = false;
    bool portfolioDone = false;
    std::optional<qint64> serverOffsetMs;
    qint64 followUpDueMs = kNever; // when the grace of the first deferred Unknown row ends
    qint64 coveredUntilMs = kNever; // profit_table rows purchased after this may be missing (page cap)
    QString noAdoption;            // why no contract may be adopted this run (other journals); empty = may
    QString noOrphans;             // why no orphan may be adopted this run; empty = may

    // Rows another instance wrote (InstanceLiveness::ownerOf): its liveness decides whose they are.
    bool livenessPending = false;  // the registry was asked and has not answered
    bool decideWaiting = false;    // the server is read; decide() waits for the registry
    std::optional<InstanceLiveness> liveness; // nullopt = not asked (no such row, or no source)
    struct Held
    {
        Trade row;
        QString owner;
    };
    QList<Held> held;          // rows left to their (live or not known to be gone) owner
    QSet<QString> aliveOwners; // the owners of those that are known to be alive

    QList<Action> actions;
    QHash<qint64, Trade> lookups; // contractId -> open row nothing else explained
    int lookupsPending = 0;

    QList<Event> events;
    struct Sale
    {
        qint64 localId;
        qint64 contractId;
        int discrepancy;
    };
    QList<Sale> sales;
    int salesPending = 0;
    bool fenceLost = false;

    void addServer(const ServerContract &c)
    {
        if (!server.contains(c.contractId))
            serverOrder.append(c.contractId);
        server.insert(c.contractId, c);
    }
};

Reconciler::Reconciler(DerivClient *client, Journal *journal, ReconcilerOptions options, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_journal(journal)
    , m_options(std::move(options))
{
    Q_ASSERT(m_client);
    Q_ASSERT(m_journal);
    Q_ASSERT(!m_options.account.isEmpty());
}

Reconciler::~Reconciler() = default;

const ReconcilerOptions &Reconciler::options() const
{
    return m_options;
}

ReconcileStats Reconciler::lastRunStats() const
{
    return m_lastStats;
}

bool Reconciler::isRunning() const
{
    return m_running;
}

void Reconciler::run(const QString &trigger)
{
    const QString t = trigger.isEmpty() ? QStringLiteral("manual") : trigger;
    if (m_running) {
        m_queuedTriggers.append(t);
        return;
    }
    m_running = true;
    QMetaObject::invokeMethod(this, [this, t] { begin(t); }, Qt::QueuedConnection);
}

qint64 Reconciler::nowMs() const
{
    return (m_options.clock ? m_options.clock : &Clock::system())->nowMs();
}

qint64 Reconciler::fence() const
{
    return m_options.fence ? m_options.fence() : 0;
}

qint64 Reconciler::sendCall(const QJsonObject &request, std::function<void(const Result<QJsonObject> &)> handler,
                            int timeoutMs)
{
    Q_ASSERT(m_run);
    const QString call = request.contains(kProfitTable) ? kProfitTable
        : request.contains(kPortfolio)                  ? kPortfolio
        : request.contains(kOpenContract)               ? kOpenContract
        : request.contains(kSell)                       ? kSell
                                                        : request.keys().value(0);
    m_run->stats.calls[call] += 1;
    DerivClient::RequestOptions options;
    options.timeoutMs = timeoutMs > 0 ? timeoutMs : m_options.requestTimeoutMs;
    const quint64 serial = m_run->serial;
    return m_client->send(
        request, this,
        [this, serial, handler = std::move(handler)](const Result<QJsonObject> &reply) {
            if (!m_run || m_run->serial != serial)
                return;
            handler(reply);
        },
        options);
}

void Reconciler::begin(const QString &trigger)
{
    m_run = std::make_unique<Run>();
    Run &r = *m_run;
    r.serial = ++m_serial;
    r.trigger = trigger;
    r.timer.start();
    r.report.account = m_options.account;
    r.report.trigger = trigger;
    r.report.startedMs = nowMs();
    r.stats.account = m_options.account;
    r.stats.trigger = trigger;
    r.stats.startedMs = r.report.startedMs;
    r.serverOffsetMs = m_serverOffsetMs;
    Q_EMIT started(trigger);
    qCInfo(lcReconcile).noquote() << "reconciliation of" << m_options.account << "started:" << trigger;

    if (!loadJournal()) {
        finish();
        return;
    }
    queryLiveness();
    // The offset only matters for matching rows, and profit_table's date_from waits for it.
    if (r.profitNeeded && m_options.syncServerTime) {
        r.timePending = true;
        queryServerTime();
    }
    queryPortfolio();
}

ContractMatcher::Window Reconciler::matchWindow() const
{
    Q_ASSERT(m_run);
    if (m_run->serverOffsetMs)
        return {m_options.matchBeforeMs, m_options.matchAfterMs, *m_run->serverOffsetMs};
    return {m_options.matchBeforeMs + m_options.unknownSkewMs, m_options.matchAfterMs + m_options.unknownSkewMs, 0};
}

void Reconciler::queryServerTime()
{
    const qint64 sentMs = nowMs();
    const int timeoutMs = m_options.requestTimeoutMs > 0 ? std::min(m_options.requestTimeoutMs, kTimeTimeoutMs)
                                                         : kTimeTimeoutMs;
    sendCall(
        QJsonObject{{kTime, 1}},
        [this, sentMs](const Result<QJsonObject> &reply) {
            Run &r = *m_run;
            r.timePending = false;
            const qint64 receivedMs = nowMs();
            const std::optional<qint64> serverSec = reply ? DerivFields::integer(reply.value().value(kTime))
                                                          : std::nullopt;
            QString problem;
            if (!reply) {
                problem = describe(reply.error());
            } else if (!serverSec || *serverSec <= 0) {
                problem = QStringLiteral("reply without a time");
            } else {
                // The server's whole second lies somewhere in [t, t + 1 s): its middle against the middle of the
                // round trip.
                const qint64 offset = *serverSec * 1000 + 500 - (sentMs + receivedMs) / 2;
                if (qAbs(offset) <= kMaxPlausibleSkewMs) {
                    r.serverOffsetMs = offset;
                    m_serverOffsetMs = offset;
                } else {
                    problem = QStringLiteral("an offset of %1 ms is not believed").arg(offset);
                }
            }
            if (!problem.isEmpty()) {
                r.stats.unchecked << QStringLiteral("server time unknown (%1): %2")
                                         .arg(problem,
                                              r.serverOffsetMs ? QStringLiteral("the offset of an earlier run is used")
                                                               : QStringLiteral("the match window is widened by %1 ms")
                                                                     .arg(m_options.unknownSkewMs));
            }
            if (r.portfolioDone)
                afterPortfolio();
        },
        timeoutMs);
}

bool Reconciler::loadJournal()
{
    Run &r = *m_run;
    auto unresolved = m_journal->unresolvedTrades(m_options.account);
    if (!unresolved) {
        r.errors << QStringLiteral("journal: unresolved trades could not be read (%1)").arg(describe(unresolved.error()));
        r.fatal = true;
        return false;
    }
    r.unresolved = unresolved.value();

    // Settled rows written since the last completed run started have not been compared with the server yet.
    auto reports = m_journal->reports(m_options.account, kReportsScanned);
    if (!reports) {
        r.errors << QStringLiteral("journal: reports could not be read (%1)").arg(describe(reports.error()));
        r.fatal = true;
        return false;
    }
    std::optional<ReconcileReport> confirmed;
    for (const ReconcileReport &rep : reports.value()) {
        if (rep.completed()) {
            confirmed = rep;
            break;
        }
    }
    if (confirmed) {
        const qint64 confirmedBefore = confirmed->startedMs;
        TradeFilter f;
        f.account = m_options.account;
        f.statuses = {TradeStatus::Won, TradeStatus::Lost, TradeStatus::Sold, TradeStatus::Void, TradeStatus::Stale};
        f.fromMs = r.report.startedMs - m_options.lookbackMs;
        // When that run was ours, rows written since were opened inside its window or after it started: no need
        // to read the whole lookback window of settled history.
        if (m_lastCompleted.reportId == confirmed->id) {
            const qint64 since = m_lastCompleted.windowFromMs > 0
                ? std::min(m_lastCompleted.windowFromMs, m_lastCompleted.startedMs)
                : m_lastCompleted.startedMs;
            f.fromMs = std::max(*f.fromMs, since - m_options.windowMarginMs - m_options.matchBeforeMs);
        }
        auto settled = m_journal->trades(f);
        if (!settled) {
            r.errors << QStringLiteral("journal: settled trades could not be read (%1)").arg(describe(settled.error()));
            r.fatal = true;
            return false;
        }
        for (const Trade &t : settled.value()) {
            if (t.updatedMs >= confirmedBefore)
                r.unconfirmed.append(t);
        }
    }

    qint64 oldest = kNever;
    for (const QList<Trade> *list : {&r.unresolved, &r.unconfirmed}) {
        for (const Trade &t : *list) {
            r.snapshotIds.insert(t.localId);
            if (t.contractId > 0)
                r.rowByContract.insert(t.contractId, t);
            oldest = std::min(oldest, t.openedMs);
        }
    }
    r.stats.journalRowsExamined = int(r.snapshotIds.size());
    r.oldestMs = oldest;
    r.profitNeeded = oldest != kNever;
    return true;
}

std::shared_ptr<InstanceLivenessSource> Reconciler::livenessSource() const
{
    return m_options.liveness;
}

void Reconciler::readLiveness(const std::shared_ptr<InstanceLivenessSource> &source,
                              std::function<void(const InstanceLiveness &)> done)
{
    Q_ASSERT(source);
    // Both ends run on this thread: whichever comes first answers, the other finds it answered.
    auto answered = std::make_shared<bool>(false);
    auto deliver = std::make_shared<std::function<void(const InstanceLiveness &)>>(std::move(done));
    const int timeoutMs = std::max(m_options.livenessTimeoutMs, 1);
    QTimer::singleShot(timeoutMs, this, [answered, deliver, timeoutMs] {
        if (std::exchange(*answered, true))
            return;
        (*deliver)(InstanceLiveness::unknown(QStringLiteral("the instance registry did not answer within %1 ms")
                                                 .arg(timeoutMs)));
    });
    source->read(this, [answered, deliver](const InstanceLiveness &liveness) {
        if (std::exchange(*answered, true))
            return;
        (*deliver)(liveness);
    });
}

// Only when a row another instance wrote may need resolving: a run on a journal of its own costs nothing more.
void Reconciler::queryLiveness()
{
    Run &r = *m_run;
    const bool foreign = std::any_of(r.unresolved.cbegin(), r.unresolved.cend(), [&](const Trade &t) {
        if (t.status != TradeStatus::Pending && t.status != TradeStatus::Unknown)
            return false;
        const QString owner = InstanceLiveness::ownerOf(t.requestTag);
        return !owner.isEmpty() && owner != m_options.instanceId;
    });
    if (!foreign)
        return;
    const std::shared_ptr<InstanceLivenessSource> source = livenessSource();
    if (!source)
        return;
    r.livenessPending = true;
    const quint64 serial = r.serial;
    readLiveness(source, [this, serial](const InstanceLiveness &liveness) {
        if (!m_run || m_run->serial != serial)
            return;
        Run &run = *m_run;
        run.livenessPending = false;
        run.liveness = liveness;
        if (!liveness.known) {
            run.stats.unchecked << QStringLiteral("instance registry unreadable (%1): rows other instances wrote are "
                                                  "left alone")
                                       .arg(liveness.error);
        }
        if (run.decideWaiting)
            decideNow();
    });
}

QString Reconciler::heldBy(const Trade &trade) const
{
    Q_ASSERT(m_run);
    if (!m_run->liveness)
        return {};
    const QString owner = InstanceLiveness::ownerOf(trade.requestTag);
    if (owner.isEmpty() || owner == m_options.instanceId)
        return {};
    if (m_run->liveness->known && !m_run->liveness->alive.contains(owner))
        return {}; // gone: its rows are anybody's to resolve
    return owner;
}

// A row the parsers refused. It is listed in the report (apply) and may hold back a lost buy (decide).
void Reconciler::noteUnreadable(const QString &source, const QJsonObject &item, const Error &error)
{
    Run &r = *m_run;
    const QJsonValue rawId = item.value(QLatin1String("contract_id"));
    const QString key = source + u'/' + (rawId.isUndefined() ? QStringLiteral("-") : DerivFields::text(rawId));
    if (r.unreadableSeen.contains(key) && !rawId.isUndefined() && !rawId.isNull())
        return;
    r.unreadableSeen.insert(key);
    Run::Unreadable u;
    u.source = source;
    u.item = item;
    u.error = describe(error);
    u.contractId = DerivFields::integer(rawId).value_or(0);
    if (const auto purchase = DerivFields::integer(item.value(QLatin1String("purchase_time"))); purchase && *purchase > 0)
        u.purchaseMs = *purchase * 1000;
    u.buyPrice = DerivFields::money(item.value(QLatin1String("buy_price")), m_options.moneyDigits);
    r.unreadable.append(u);
    r.stats.unreadableRows = int(r.unreadable.size());
    r.stats.unchecked << QStringLiteral("unreadable server row in %1 (contract_id %2): %3; skipped")
                             .arg(source, rawId.isUndefined() ? QStringLiteral("absent") : DerivFields::text(rawId),
                                  u.error);
    qCWarning(lcReconcile).noquote() << "unreadable server row in" << source << "for" << m_options.account << ":"
                                     << u.error;
}

void Reconciler::queryPortfolio()
{
    sendCall(QJsonObject{{kPortfolio, 1}}, [this](const Result<QJsonObject> &reply) {
        Run &r = *m_run;
        if (!reply) {
            r.errors << QStringLiteral("portfolio failed (%1): open contracts unknown, nothing was changed")
                            .arg(describe(reply.error()));
            r.fatal = true;
            finish();
            return;
        }
        const QJsonValue contracts = reply.value().value(kPortfolio).toObject().value(QLatin1String("contracts"));
        if (!contracts.isArray()) {
            r.errors << QStringLiteral("portfolio reply has no contracts list: nothing was changed");
            r.fatal = true;
            finish();
            return;
        }
        for (const QJsonValue &v : contracts.toArray()) {
            auto c = ServerContract::fromPortfolio(v.toObject(), m_options.moneyDigits);
            if (!c) {
                noteUnreadable(kPortfolio, v.toObject(), c.error());
                continue;
            }
            r.addServer(c.value());
        }
        r.portfolioDone = true;
        if (!r.timePending)
            afterPortfolio();
    });
}

// Portfolio is in and the server's time known (or given up on): profit_table, in the server's clock.
void Reconciler::afterPortfolio()
{
    Run &r = *m_run;
    if (!r.profitNeeded) {
        decide();
        return;
    }
    const ContractMatcher::Window window = matchWindow();
    const qint64 floorMs = r.report.startedMs - m_options.lookbackMs + window.serverOffsetMs;
    const qint64 fromMs = std::max(r.oldestMs + window.serverOffsetMs - m_options.windowMarginMs - window.beforeMs, floorMs);
    r.dateFromSec = std::max<qint64>(0, fromMs / 1000);
    r.stats.windowFromMs = r.dateFromSec * 1000;
    queryProfitTable(0);
}

// Oldest first with offset paging: a contract that settles while we page is inserted at its purchase time, which
// can only push rows already read onto the next page (read twice, merged by id), never skip one.
void Reconciler::queryProfitTable(int offset)
{
    const QJsonObject request{{kProfitTable, 1},
                              {QStringLiteral("description"), 1},
                              {QStringLiteral("limit"), kPageSize},
                              {QStringLiteral("offset"), offset},
                              {QStringLiteral("sort"), QStringLiteral("ASC")},
                              // Deriv's schema wants the epoch as a string here (statement takes an integer).
                              {QStringLiteral("date_from"), QString::number(m_run->dateFromSec)}};
    sendCall(request, [this, offset](const Result<QJsonObject> &reply) {
        Run &r = *m_run;
        if (!reply) {
            r.errors << QStringLiteral("profit_table failed (%1): settled contracts unknown, nothing was changed")
                            .arg(describe(reply.error()));
            r.fatal = true;
            finish();
            return;
        }
        r.stats.profitTablePages += 1;
        const QJsonValue rows = reply.value().value(kProfitTable).toObject().value(QLatin1String("transactions"));
        if (!rows.isArray()) {
            r.errors << QStringLiteral("profit_table reply has no transactions list: nothing was changed");
            r.fatal = true;
            finish();
            return;
        }
        const QJsonArray list = rows.toArray();
        qint64 lastPurchaseMs = 0;
        for (const QJsonValue &v : list) {
            auto c = ServerContract::fromProfitTable(v.toObject(), m_options.moneyDigits);
            if (!c) {
                noteUnreadable(kProfitTable, v.toObject(), c.error());
                continue;
            }
            lastPurchaseMs = std::max(lastPurchaseMs, c.value().purchaseMs);
            r.addServer(c.value());
        }
        // A server may cap `limit` below what we ask: a short page is the last one only when it is empty or
        // shorter than a page this server has already returned (its cap is at least that).
        const int received = int(list.size());
        const bool last = received == 0 || received < std::min(kPageSize, m_largestPage);
        m_largestPage = std::max(m_largestPage, received);
        if (last) {
            decide();
            return;
        }
        if (r.stats.profitTablePages >= m_options.maxProfitTablePages) {
            // Sorted by purchase time: everything bought before the last second seen is in; later ones may not be.
            r.coveredUntilMs = lastPurchaseMs - 1000;
            r.stats.unchecked << QStringLiteral("profit_table: page cap (%1) reached; covered up to %2 ms")
                                     .arg(m_options.maxProfitTablePages)
                                     .arg(r.coveredUntilMs);
            decide();
            return;
        }
        queryProfitTable(offset + int(list.size()));
    });
}

void Reconciler::decide()
{
    Run &r = *m_run;
    if (r.livenessPending) {
        r.decideWaiting = true;
        return;
    }
    decideNow();
}

void Reconciler::decideNow()
{
    Run &r = *m_run;
    r.decideWaiting = false;
    const qint64 now = nowMs();
    const ContractMatcher::Window window = matchWindow();
    const bool startup = r.trigger == QLatin1String("startup");
    r.stats.serverContractsSeen = int(r.server.size());
    r.stats.serverOffsetMs = r.serverOffsetMs;

    // Which server contracts does the journal already know (outside the snapshot)? Unreadable rows included: one
    // the journal has cannot be a lost buy's.
    QList<qint64> shown = r.serverOrder;
    for (const Run::Unreadable &u : std::as_const(r.unreadable)) {
        if (u.contractId > 0)
            shown.append(u.contractId);
    }
    for (qint64 id : std::as_const(shown)) {
        if (r.rowByContract.contains(id))
            continue;
        auto row = m_journal->tradeByContract(m_options.account, id);
        if (!row) {
            r.errors << QStringLiteral("journal: contract %1 could not be looked up (%2): nothing was changed")
                            .arg(id)
                            .arg(describe(row.error()));
            r.fatal = true;
            finish();
            return;
        }
        if (row.value())
            r.rowByContract.insert(id, *row.value());
    }

    auto precisionOk = [&](const Trade &t) {
        if (t.stake.digits() == m_options.moneyDigits)
            return true;
        r.errors << QStringLiteral("trade %1 has %2 fractional digits, the account %3: not compared")
                        .arg(t.localId)
                        .arg(t.stake.digits())
                        .arg(m_options.moneyDigits);
        return false;
    };

    // 1. Rows whose buy reply never came: find their contracts among the ones the journal does not know.
    // Young ones (inFlight) may still get their reply, or their contract may not be on the server yet.
    // Older ones another live instance wrote (or one the registry cannot tell about) are its own to resolve.
    QList<Trade> lost;
    QList<Trade> inFlight;
    QList<Trade> open;
    for (const Trade &t : std::as_const(r.unresolved)) {
        if (!precisionOk(t))
            continue;
        if (t.status == TradeStatus::Open) {
            open.append(t);
            continue;
        }
        const bool young = now - t.openedMs < m_options.pendingGraceMs;
        // A live instance's row is its own to resolve; on startup it is reported as such whatever its age (a
        // periodic run leaves a young one quietly to its reply).
        if (const QString owner = heldBy(t); !owner.isEmpty() && (startup || !young)) {
            r.held.append({t, owner});
        } else if (young) {
            // Startup included: a process that crashed with a buy on the wire is not there for its reply, but
            // the server may still commit that buy after our reads.
            inFlight.append(t);
        } else {
            lost.append(t);
        }
    }

    QList<ServerContract> candidates;
    for (qint64 id : std::as_const(r.serverOrder)) {
        if (!r.rowByContract.contains(id))
            candidates.append(r.server.value(id));
    }
    // Contracts other journals on this account hold are theirs: neither orphans nor a lost buy's here. Their buys
    // still unresolved claim contracts like this journal's own (negative ids: never acted on here).
    QList<Trade> foreignBuys;
    if (m_options.otherJournals && !candidates.isEmpty()) {
        QList<qint64> ids;
        ids.reserve(candidates.size());
        for (const ServerContract &c : std::as_const(candidates))
            ids.append(c.contractId);
        const Result<ReconcilerOptions::OtherJournals> others = m_options.otherJournals(ids);
        if (!others) {
            r.noAdoption = QStringLiteral("which contracts other journals hold could not be read (%1)").arg(describe(others.error()));
            r.errors << r.noAdoption + QStringLiteral(": no contract adopted");
        } else {
            candidates.removeIf([&](const ServerContract &c) { return others->contracts.contains(c.contractId); });
            r.stats.otherJournals = int(ids.size() - candidates.size());
            qint64 foreignId = 0;
            for (Trade t : others->unresolved) {
                t.localId = --foreignId;
                foreignBuys.append(t);
            }
            if (!others->unresolvedTold)
                r.noOrphans = QStringLiteral("an instance on another journal does not tell its unresolved buys (an older "
                                             "Vigil, or too many)");
        }
    }
    QList<Trade> claimants = lost;
    claimants.append(inFlight);
    for (const Run::Held &h : std::as_const(r.held))
        claimants.append(h.row);
    claimants.append(foreignBuys);
    const QHash<qint64, qsizetype> assigned = ContractMatcher::assign(claimants, candidates, window);
    QSet<qint64> claimed; // contract ids that belong to a journal row (found or still in flight), here or elsewhere
    for (auto it = assigned.cbegin(); it != assigned.cend(); ++it) {
        claimed.insert(candidates.at(it.value()).contractId);
        if (it.key() < 0)
            r.stats.otherJournals += 1;
    }

    // An Unknown row's reply will not come any more, nor will the reply to a row whose instance is gone (the
    // registry no longer lists it): a contract found for it is its contract. A young Pending row's reply may
    // still come (its engine writes it then); a young row without a contract waits, since the server may
    // still commit its buy after our reads.
    auto ownerGone = [&](const Trade &t) {
        const QString owner = InstanceLiveness::ownerOf(t.requestTag);
        return r.liveness && r.liveness->known && !owner.isEmpty() && owner != m_options.instanceId
            && !r.liveness->alive.contains(owner);
    };
    for (const Trade &t : std::as_const(inFlight)) {
        // On startup nothing in this process sent it: its reply, if any, went to a process that is gone.
        const bool replyLost = startup || t.status == TradeStatus::Unknown || ownerGone(t);
        if (replyLost && assigned.contains(t.localId) && heldBy(t).isEmpty()) {
            r.actions.append({Run::ActionKind::AdoptLost, t, candidates.at(assigned.value(t.localId)),
                              QStringLiteral("reconciliation: the lost buy's contract was found on the server")});
            continue;
        }
        r.stats.deferred += 1;
        if (replyLost && !assigned.contains(t.localId))
            r.followUpDueMs = std::min(r.followUpDueMs, t.openedMs + m_options.pendingGraceMs);
    }

    // Another instance's: neither failed nor adopted here (a contract it may own stays claimed above).
    for (const Run::Held &h : std::as_const(r.held)) {
        r.stats.deferred += 1;
        if (r.liveness->known) {
            r.aliveOwners.insert(h.owner);
            r.stats.unchecked << QStringLiteral("trade %1: in flight at instance %2, which is alive; left to it")
                                     .arg(h.row.localId)
                                     .arg(h.owner);
        } else {
            r.errors << QStringLiteral("trade %1: written by instance %2, whose liveness is unknown (%3); left "
                                       "unresolved")
                            .arg(h.row.localId)
                            .arg(h.owner, r.liveness->error);
        }
    }

    // An unreadable server row may be the contract of a lost buy bought in its window (a purchase time it
    // does not tell could be any): such a row is not failed on the strength of queries that could not read it.
    auto unreadableFor = [&](const Trade &t) -> const Run::Unreadable * {
        for (const Run::Unreadable &u : std::as_const(r.unreadable)) {
            if (u.contractId > 0 && r.rowByContract.contains(u.contractId))
                continue; // a contract the journal already has
            if (u.purchaseMs > 0 && !ContractMatcher::inWindow(t, u.purchaseMs, window))
                continue;
            if (u.buyPrice && *u.buyPrice != t.stake)
                continue;
            return &u;
        }
        return nullptr;
    };

    const qint64 lookbackFloor = r.report.startedMs - m_options.lookbackMs;
    for (const Trade &t : std::as_const(lost)) {
        if (assigned.contains(t.localId)) {
            r.actions.append({Run::ActionKind::AdoptLost, t, candidates.at(assigned.value(t.localId)),
                              QStringLiteral("reconciliation: the lost buy's contract was found on the server")});
            continue;
        }
        if (t.openedMs >= lookbackFloor) {
            if (const Run::Unreadable *u = unreadableFor(t)) {
                r.errors << QStringLiteral("trade %1: an unreadable server row in %2 (contract_id %3) may be its "
                                           "contract; left unresolved")
                                .arg(t.localId)
                                .arg(u->source,
                                     u->item.contains(QLatin1String("contract_id"))
                                         ? DerivFields::text(u->item.value(QLatin1String("contract_id")))
                                         : QStringLiteral("absent"));
                continue;
            }
        }
        const qint64 serverSentMs = t.openedMs + window.serverOffsetMs;
        const bool coveredFrom = r.profitNeeded && r.dateFromSec * 1000 <= serverSentMs - window.beforeMs;
        const bool coveredTo = r.coveredUntilMs == kNever || serverSentMs + window.afterMs <= r.coveredUntilMs;
        if (coveredFrom && coveredTo) {
            r.actions.append({Run::ActionKind::FailLost, t, {},
                              QStringLiteral("reconciliation: no buy happened (no matching contract in portfolio or "
                                             "profit_table since %1)")
                                  .arg(r.dateFromSec)});
        } else if (t.openedMs < lookbackFloor) {
            r.actions.append({Run::ActionKind::StaleOld, t, {},
                              QStringLiteral("reconciliation: older than the lookback window and no matching contract "
                                             "is open; cannot be resolved")});
        } else {
            r.errors << QStringLiteral("trade %1: its buy falls outside what profit_table covered; left unresolved")
                            .arg(t.localId);
        }
    }

    // 2. Open rows: settled on the server, still open, or unknown to it.
    for (const Trade &t : std::as_const(open)) {
        const auto it = r.server.constFind(t.contractId);
        if (it == r.server.cend()) {
            if (r.lookups.size() < m_options.maxContractLookups)
                r.lookups.insert(t.contractId, t);
            else
                r.errors << QStringLiteral("trade %1 (contract %2): not in portfolio or profit_table, and the lookup "
                                           "cap (%3) was reached; left open")
                                .arg(t.localId)
                                .arg(t.contractId)
                                .arg(m_options.maxContractLookups);
            continue;
        }
        if (it->isSettled()) {
            r.actions.append({Run::ActionKind::Settle, t, *it,
                              QStringLiteral("reconciliation: settled on the server (%1)")
                                  .arg(serverContractSourceName(it->source))});
        } else if (const auto c = correctionFor(t, *it)) {
            r.actions.append({Run::ActionKind::Correct, t, *it, c->reason});
        }
    }

    // 3. Rows that are no longer open (settled, stale, failed) but whose contract the server shows.
    for (qint64 id : std::as_const(r.serverOrder)) {
        const auto row = r.rowByContract.constFind(id);
        if (row == r.rowByContract.cend() || isUnresolvedStatus(row->status) || !precisionOk(*row))
            continue;
        const ServerContract &s = r.server[id];
        if (const auto c = correctionFor(*row, s))
            r.actions.append({Run::ActionKind::Correct, *row, s, c->reason});
    }

    // 4. Contracts nobody in the journal owns: orphans (unless a lost or in-flight buy claims them).
    for (const ServerContract &c : std::as_const(candidates)) {
        if (!claimed.contains(c.contractId))
            r.actions.append({Run::ActionKind::AdoptOrphan, {}, c,
                              QStringLiteral("adopted by reconciliation: bought outside Vigil")});
    }

    if (r.lookups.isEmpty()) {
        apply();
        return;
    }
    r.lookupsPending = int(r.lookups.size());
    const QList<qint64> ids = r.lookups.keys();
    for (qint64 id : ids)
        lookUp(id);
}

void Reconciler::lookUp(qint64 contractId)
{
    sendCall(QJsonObject{{kOpenContract, 1}, {QStringLiteral("contract_id"), contractId}},
             [this, contractId](const Result<QJsonObject> &reply) {
                 Run &r = *m_run;
                 const Trade row = r.lookups.value(contractId);
                 if (!reply) {
                     r.errors << QStringLiteral("trade %1 (contract %2): proposal_open_contract failed (%3); left open")
                                     .arg(row.localId)
                                     .arg(contractId)
                                     .arg(describe(reply.error()));
                 } else {
                     auto c = ServerContract::fromOpenContract(reply.value().value(kOpenContract).toObject(),
                                                               m_options.moneyDigits);
                     if (!c) {
                         r.errors << QStringLiteral("trade %1: proposal_open_contract unreadable (%2); left open")
                                         .arg(row.localId)
                                         .arg(describe(c.error()));
                     } else if (!c.value()) {
                         r.actions.append({Run::ActionKind::StaleOpen, row, {},
                                           QStringLiteral("reconciliation: the server has no contract %1").arg(contractId)});
                     } else {
                         const ServerContract &s = *c.value();
                         r.addServer(s);
                         r.stats.serverContractsSeen = int(r.server.size());
                         if (s.isSettled()) {
                             r.actions.append({Run::ActionKind::Settle, row, s,
                                               QStringLiteral("reconciliation: settled on the server (%1)")
                                                   .arg(serverContractSourceName(s.source))});
                         } else if (const auto corr = correctionFor(row, s)) {
                             r.actions.append({Run::ActionKind::Correct, row, s, corr->reason});
                         }
                     }
                 }
                 if (--r.lookupsPending == 0)
                     apply();
             });
}

void Reconciler::apply()
{
    Run &r = *m_run;
    if (r.fatal) {
        finish();
        return;
    }
    const ContractMatcher::Window window = matchWindow();
    const qint64 now = nowMs();

    for (const Run::Unreadable &u : std::as_const(r.unreadable)) {
        Discrepancy d;
        d.kind = QStringLiteral("unreadable_server_row");
        d.contractId = u.contractId;
        d.after = QJsonObject{{QStringLiteral("source"), u.source},
                              {QStringLiteral("contract_id"), u.item.value(QLatin1String("contract_id"))},
                              {QStringLiteral("error"), u.error},
                              {QStringLiteral("row"), u.item}};
        d.action = QStringLiteral("skipped");
        r.report.discrepancies.append(d);
    }

    for (const Run::Held &h : std::as_const(r.held)) {
        Discrepancy d;
        d.kind = QStringLiteral("in_flight_elsewhere");
        d.localId = h.row.localId;
        d.before = h.row.toJson();
        d.after = h.row.toJson();
        d.after.insert(QStringLiteral("instance"), h.owner);
        d.after.insert(QStringLiteral("alive"), r.liveness->known ? QJsonValue(true) : QJsonValue(QStringLiteral("unknown")));
        d.after.insert(QStringLiteral("reason"),
                       r.liveness->known
                           ? QStringLiteral("in flight at instance %1 (alive): that instance resolves it").arg(h.owner)
                           : QStringLiteral("written by instance %1; the instance registry could not be read (%2)")
                                 .arg(h.owner, r.liveness->error));
        d.action = QStringLiteral("deferred");
        r.report.discrepancies.append(d);
    }

    // Buys the engine started while the server was being asked (or still in flight), and buys other live
    // instances own: a contract they may own is not an orphan.
    QList<Trade> inFlight;
    bool inFlightKnown = true;
    if (auto fresh = m_journal->unresolvedTrades(m_options.account)) {
        for (const Trade &t : fresh.value()) {
            if (t.status != TradeStatus::Pending && t.status != TradeStatus::Unknown)
                continue;
            if (!r.snapshotIds.contains(t.localId) || now - t.openedMs < m_options.pendingGraceMs || !heldBy(t).isEmpty())
                inFlight.append(t);
        }
    } else {
        inFlightKnown = false;
        r.errors << QStringLiteral("journal: pending trades could not be re-read (%1); no orphan adopted")
                        .arg(describe(fresh.error()));
    }

    auto writeFailed = [&](const Trade &t, const char *what, const Error &e) {
        if (e.kind == ErrorKind::Coordination) {
            r.fenceLost = true;
            r.errors << QStringLiteral("fencing token refused (%1): another instance owns %2; writes stopped")
                            .arg(describe(e), m_options.account);
        } else {
            r.errors << QStringLiteral("trade %1: %2 failed (%3)").arg(t.localId).arg(QLatin1String(what), describe(e));
        }
    };
    auto reread = [&](qint64 localId) -> std::optional<Trade> {
        auto row = m_journal->trade(localId);
        if (!row || !row.value())
            return std::nullopt;
        return *row.value();
    };
    auto record = [&](const QString &kind, const Trade &before, const Trade &after, qint64 contractId,
                      const QString &action, const QJsonObject &server) {
        Discrepancy d;
        d.kind = kind;
        d.localId = after.localId;
        d.contractId = contractId;
        d.before = before.localId ? before.toJson() : QJsonObject();
        d.after = after.toJson();
        if (!server.isEmpty())
            d.after.insert(QStringLiteral("server"), server);
        d.action = action;
        r.report.discrepancies.append(d);
        return int(r.report.discrepancies.size() - 1);
    };

    // A contract is adopted only once it is this journal's: not while another journal's buy may still claim it, and
    // not when another journal took it first.
    auto claim = [&](const Run::Action &a) {
        const qint64 id = a.server.contractId;
        const QString what = a.kind == Run::ActionKind::AdoptLost ? QStringLiteral("trade %1: contract %2").arg(a.row.localId).arg(id)
                                                                  : QStringLiteral("contract %1").arg(id);
        const QString why = !r.noAdoption.isEmpty() ? r.noAdoption : a.kind == Run::ActionKind::AdoptOrphan ? r.noOrphans : QString();
        if (!why.isEmpty()) {
            r.stats.deferred += 1;
            r.stats.unchecked << QStringLiteral("%1 not adopted yet: %2").arg(what, why);
            if (a.kind == Run::ActionKind::AdoptLost && m_options.followUpDeferred)
                r.followUpDueMs = std::min(r.followUpDueMs, nowMs() + 2'000);
            return false;
        }
        if (!m_options.claimContract)
            return true;
        const Result<bool> mine = m_options.claimContract(id);
        if (!mine) {
            r.errors << QStringLiteral("%1 not adopted: it could not be claimed (%2)").arg(what, describe(mine.error()));
            return false;
        }
        if (!mine.value()) {
            r.stats.otherJournals += 1;
            r.stats.unchecked << QStringLiteral("%1 is held by another journal; not adopted").arg(what);
            return false;
        }
        return true;
    };

    for (const Run::Action &a : std::as_const(r.actions)) {
        if (r.fenceLost)
            break;
        const qint64 fenceToken = fence();
        const ServerContract &s = a.server;

        if (a.kind == Run::ActionKind::AdoptLost && !claim(a))
            continue;
        if (a.kind == Run::ActionKind::AdoptOrphan) {
            if (!inFlightKnown)
                continue;
            const bool mayBeInFlight = std::any_of(inFlight.cbegin(), inFlight.cend(),
                                                   [&](const Trade &t) { return ContractMatcher::matches(t, s, window); });
            if (mayBeInFlight) {
                r.stats.deferred += 1;
                r.stats.unchecked << QStringLiteral("contract %1 may belong to a buy still in flight; not adopted yet")
                                         .arg(s.contractId);
                continue;
            }
            if (!claim(a))
                continue;
            Trade t;
            t.account = m_options.account;
            t.symbol = s.symbol;
            t.contractType = s.contractType;
            t.duration = s.duration > 0 ? s.duration : 1;
            t.durationUnit = s.duration > 0 ? s.durationUnit : QStringLiteral("unknown");
            t.currency = !s.currency.isEmpty() ? s.currency
                : !m_options.currency.isEmpty() ? m_options.currency
                                                : m_client->authorization().value(QLatin1String("currency")).toString();
            if (t.currency.isEmpty()) {
                r.errors << QStringLiteral("contract %1: account currency unknown; orphan not adopted").arg(s.contractId);
                continue;
            }
            t.stake = s.buyPrice;
            t.buyPrice = s.buyPrice;
            t.payout = s.payout;
            t.contractId = s.contractId;
            t.transactionId = s.transactionId;
            t.status = s.status;
            t.openedMs = s.purchaseMs;
            if (s.isSettled()) {
                t.sellPrice = s.sellPrice;
                t.profit = s.profit;
                t.closedMs = s.sellMs;
            }
            t.closeReason = a.reason;
            t.attribution = TradeAttribution::Outside;
            t.fence = fenceToken;
            auto id = m_journal->adoptOrphan(t);
            if (!id) {
                if (id.error().code == QLatin1String("DuplicateContract")) {
                    r.stats.unchecked << QStringLiteral("contract %1 was journaled during the run; not adopted")
                                             .arg(s.contractId);
                } else {
                    writeFailed(t, "adopting the orphan", id.error());
                }
                continue;
            }
            const Trade after = reread(id.value()).value_or(t);
            const int index = record(QStringLiteral("orphan"), Trade(), after, s.contractId, QStringLiteral("adopted"),
                                     s.toJson());
            r.report.orphans += 1;
            r.events.append({true, Trade(), after});
            if (m_options.sellOrphans && after.status == TradeStatus::Open)
                r.sales.append({after.localId, s.contractId, index});
            continue;
        }

        // Every other action changes an existing row: only if nobody changed it since the snapshot.
        const std::optional<Trade> current = reread(a.row.localId);
        if (!current || current->updatedMs != a.row.updatedMs || current->status != a.row.status) {
            r.stats.unchecked << QStringLiteral("trade %1 changed during the run; left for the next run").arg(a.row.localId);
            continue;
        }
        const Trade &before = *current;
        QString kind;
        QString action;
        Result<void> written;
        switch (a.kind) {
        case Run::ActionKind::AdoptLost:
            kind = QStringLiteral("unknown_resolved");
            action = QStringLiteral("adopted");
            written = m_journal->markOpen(before.localId, s.contractId, s.transactionId, s.buyPrice, s.payout,
                                          s.purchaseMs, fenceToken);
            if (written && s.isSettled())
                written = m_journal->settle(before.localId, s.status, *s.sellPrice, *s.profit, s.sellMs,
                                            QStringLiteral("reconciliation: settled on the server"), fenceToken);
            if (written)
                r.report.adopted += 1;
            break;
        case Run::ActionKind::FailLost:
            kind = QStringLiteral("unknown_resolved");
            action = QStringLiteral("marked_failed");
            written = m_journal->markFailed(before.localId, a.reason, fenceToken);
            if (written)
                r.report.failed += 1;
            break;
        case Run::ActionKind::StaleOld:
        case Run::ActionKind::StaleOpen:
            kind = QStringLiteral("stale");
            action = QStringLiteral("closed_stale");
            written = m_journal->closeStale(before.localId, a.reason, fenceToken);
            if (written)
                r.report.stale += 1;
            break;
        case Run::ActionKind::Settle:
            kind = QStringLiteral("settled_on_server");
            action = QStringLiteral("settled");
            written = m_journal->settle(before.localId, s.status, *s.sellPrice, *s.profit, s.sellMs, a.reason, fenceToken);
            if (written)
                r.report.settled += 1;
            break;
        case Run::ActionKind::Correct:
            kind = QStringLiteral("mismatch");
            action = QStringLiteral("corrected");
            if (const auto c = correctionFor(before, s)) {
                auto corrected = m_journal->correct(before.localId, *c, fenceToken);
                if (!corrected)
                    written = corrected.error();
            }
            if (written)
                r.report.mismatches += 1;
            break;
        case Run::ActionKind::AdoptOrphan:
            break;
        }
        if (!written) {
            writeFailed(before, qPrintable(action), written.error());
            continue;
        }
        // The buy/payout figures of a row just adopted or settled may still differ from the server's.
        std::optional<Trade> after = reread(before.localId);
        if (after && (a.kind == Run::ActionKind::AdoptLost || a.kind == Run::ActionKind::Settle)) {
            if (const auto c = correctionFor(*after, s)) {
                if (auto corrected = m_journal->correct(after->localId, *c, fenceToken))
                    after = corrected.value();
                else
                    writeFailed(*after, "correcting figures", corrected.error());
            }
        }
        record(kind, before, after.value_or(before), a.row.contractId ? a.row.contractId : s.contractId, action,
               a.kind == Run::ActionKind::FailLost || a.kind == Run::ActionKind::StaleOld || s.contractId == 0
                   ? QJsonObject()
                   : s.toJson());
        r.events.append({false, before, after.value_or(before)});
    }

    if (!r.sales.isEmpty() && !r.fenceLost) {
        sellOrphans();
        return;
    }
    finish();
}

void Reconciler::sellOrphans()
{
    Run &r = *m_run;
    r.salesPending = int(r.sales.size());
    for (const Run::Sale &sale : std::as_const(r.sales)) {
        sendCall(QJsonObject{{kSell, sale.contractId}, {QStringLiteral("price"), 0}},
                 [this, sale](const Result<QJsonObject> &reply) {
                     Run &run = *m_run;
                     Discrepancy &d = run.report.discrepancies[sale.discrepancy];
                     const auto before = m_journal->trade(sale.localId);
                     std::optional<Money> soldFor;
                     if (reply)
                         soldFor = DerivFields::money(
                             reply.value().value(kSell).toObject().value(QLatin1String("sold_for")), m_options.moneyDigits);
                     if (!reply || !soldFor) {
                         // Not sold (resale not offered, already expired, lost reply...): it stays open and the
                         // engine follows it to settlement.
                         const QString why = reply ? QStringLiteral("sell reply without sold_for") : describe(reply.error());
                         d.action = QStringLiteral("adopted_sell_failed");
                         d.after.insert(QStringLiteral("sell_error"), why);
                         run.stats.unchecked << QStringLiteral("orphan contract %1 could not be sold: %2")
                                                    .arg(sale.contractId)
                                                    .arg(why);
                     } else if (before && before.value() && before.value()->status == TradeStatus::Open) {
                         const Trade was = *before.value();
                         auto settled = m_journal->settle(sale.localId, TradeStatus::Sold, *soldFor,
                                                          *soldFor - *was.buyPrice, nowMs(),
                                                          QStringLiteral("sold by reconciliation (sellOrphans)"), fence());
                         if (settled) {
                             d.action = QStringLiteral("adopted_and_sold");
                             if (auto now = m_journal->trade(sale.localId); now && now.value()) {
                                 d.after = now.value()->toJson();
                                 run.events.append({false, was, *now.value()});
                             }
                         } else {
                             run.errors << QStringLiteral("trade %1: sold for %2 but the settlement was not written (%3)")
                                               .arg(sale.localId)
                                               .arg(soldFor->toString(), describe(settled.error()));
                         }
                     }
                     if (--run.salesPending == 0)
                         finish();
                 });
    }
}

void Reconciler::finish()
{
    const std::unique_ptr<Run> done = std::move(m_run);
    Run &r = *done;
    r.report.finishedMs = nowMs();
    r.report.error = r.errors.join(QStringLiteral("; "));
    r.stats.elapsedMs = r.timer.elapsed();

    auto saved = m_journal->saveReport(r.report);
    if (saved) {
        r.report.id = saved.value();
    } else {
        const QString why = QStringLiteral("report not saved (%1)").arg(describe(saved.error()));
        r.report.error = r.report.error.isEmpty() ? why : r.report.error + QStringLiteral("; ") + why;
    }
    r.stats.reportId = r.report.id;
    if (auto audited = m_journal->audit(QStringLiteral("reconcile_run"), m_options.account,
                                        QJsonObject{{QStringLiteral("instance"), m_options.instanceId},
                                                    {QStringLiteral("stats"), r.stats.toJson()}},
                                        r.report.finishedMs);
        !audited) {
        qCWarning(lcReconcile).noquote() << "reconciliation audit record not written:" << describe(audited.error());
    }
    m_lastStats = r.stats;
    if (r.report.completed() && r.report.id > 0)
        m_lastCompleted = {r.report.id, r.report.startedMs, r.stats.windowFromMs};

    if (r.report.completed()) {
        qCInfo(lcReconcile).noquote() << QStringLiteral(
            "reconciliation of %1 (%2) done in %3 ms, %4 calls: adopted %5, failed %6, settled %7, stale %8, orphans %9, "
            "corrected %10")
                                             .arg(m_options.account, r.trigger)
                                             .arg(r.stats.elapsedMs)
                                             .arg(r.stats.totalCalls())
                                             .arg(r.report.adopted)
                                             .arg(r.report.failed)
                                             .arg(r.report.settled)
                                             .arg(r.report.stale)
                                             .arg(r.report.orphans)
                                             .arg(r.report.mismatches);
    } else {
        qCWarning(lcReconcile).noquote() << "reconciliation of" << m_options.account << "(" << r.trigger
                                         << ") incomplete:" << r.report.error;
    }

    if (r.followUpDueMs != kNever && m_options.followUpDeferred)
        scheduleFollowUp(r.followUpDueMs);
    // A run that could not look (a failed query) keeps watching the owners the last one found.
    watchOwners(r.fatal ? m_watchedOwners : r.aliveOwners);

    QString next;
    if (!m_queuedTriggers.isEmpty())
        next = m_queuedTriggers.contains(QLatin1String("startup")) ? QStringLiteral("startup") : m_queuedTriggers.first();
    m_queuedTriggers.clear();
    m_running = false;

    for (const Run::Event &e : std::as_const(r.events)) {
        if (e.orphan)
            Q_EMIT orphanAdopted(e.after);
        else
            Q_EMIT tradeResolved(e.before, e.after);
    }
    Q_EMIT finished(r.report);
    if (!next.isEmpty())
        run(next);
}

// One timer for every deferral: the earliest due time wins; the run it starts re-arms it if rows still wait.
void Reconciler::scheduleFollowUp(qint64 dueMs)
{
    const qint64 delayMs = std::clamp<qint64>(dueMs - nowMs() + kFollowUpMarginMs, kFollowUpMarginMs,
                                              std::max<qint64>(m_options.pendingGraceMs, 0) + kFollowUpMarginMs);
    if (!m_followUp) {
        m_followUp = new QTimer(this);
        m_followUp->setSingleShot(true);
        connect(m_followUp, &QTimer::timeout, this, [this] { run(QStringLiteral("grace")); });
    }
    if (m_followUp->isActive() && m_followUp->remainingTime() <= delayMs)
        return;
    m_followUp->start(int(delayMs));
}

// Rows left to live instances wait for them; the registry (not the server, whose calls are scarce) is checked
// until one of their owners is gone, then a run resolves what it left behind.
void Reconciler::watchOwners(const QSet<QString> &owners)
{
    m_watchedOwners = owners;
    if (owners.isEmpty() || m_options.ownerWatchMs <= 0) {
        if (m_ownerWatch)
            m_ownerWatch->stop();
        return;
    }
    if (!m_ownerWatch) {
        m_ownerWatch = new QTimer(this);
        m_ownerWatch->setSingleShot(true);
        connect(m_ownerWatch, &QTimer::timeout, this, &Reconciler::checkOwners);
    }
    m_ownerWatch->start(m_options.ownerWatchMs);
}

void Reconciler::checkOwners()
{
    const std::shared_ptr<InstanceLivenessSource> source = livenessSource();
    if (m_running || m_watchedOwners.isEmpty() || !source)
        return; // a run is under way (it re-arms the watch), or nothing is watched any more
    readLiveness(source, [this](const InstanceLiveness &liveness) {
        if (m_running || m_watchedOwners.isEmpty())
            return;
        QStringList gone;
        if (liveness.known) {
            for (const QString &owner : std::as_const(m_watchedOwners)) {
                if (!liveness.alive.contains(owner))
                    gone << owner;
            }
        }
        if (gone.isEmpty()) {
            m_ownerWatch->start(m_options.ownerWatchMs);
            return;
        }
        gone.sort();
        qCInfo(lcReconcile).noquote() << "instance" << gone.join(QStringLiteral(", ")) << "is gone: reconciling"
                                      << m_options.account << "again for the rows it left";
        m_watchedOwners.clear();
        run(QStringLiteral("instance_gone"));
    });
}

} // namespace Vigil
