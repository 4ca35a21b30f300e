// SPDX-License-Identifier: GPL-3.0-or-later
// Group commit (SQLite): the Journals of one process on one file, each on its own thread as the account workers
// have them, share commits while every caller keeps its own outcome.
//
// The deterministic tests hold SQLite's write lock from a plain connection, the way another process would, and
// let the callers queue one by one behind it (Journal::diagnostics().writesWaiting says when each is in line):
// the first caller then commits alone and all the others share one commit.
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <QSemaphore>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QtTest>

#include "store/journal.h"
#include "journaltestbackend.h"
#include "journaltestmacros.h"

using namespace Vigil;

namespace {

constexpr qint64 kT0 = 1'710'000'000'000;
constexpr int kWait = 60'000; // generous: CI runs this on a loaded 2-core machine

Trade pendingTrade(const QString &account, const QString &tag, qint64 fence, qint64 openedMs = kT0)
{
    Trade t;
    t.account = account;
    t.bot = QStringLiteral("bot-") + tag;
    t.symbol = QStringLiteral("R_100");
    t.contractType = QStringLiteral("CALL");
    t.duration = 5;
    t.durationUnit = QStringLiteral("t");
    t.currency = QStringLiteral("USD");
    t.stake = Money::fromMinor(1000, 2);
    t.openedMs = openedMs;
    t.requestTag = tag;
    t.fence = fence;
    return t;
}

// A thread with its own Journal on `url` that runs `op` once released.
class Caller
{
public:
    Caller(const JournalConfig &config, std::function<void(Journal &)> op)
        : m_op(std::move(op))
    {
        m_thread.reset(QThread::create([this, config] {
            auto journal = Journal::open(config);
            if (!journal)
                m_openError = journal.error().toString();
            m_ready.release();
            m_go.acquire();
            if (journal)
                m_op(*journal.value());
        }));
        m_thread->start();
    }
    ~Caller()
    {
        m_go.release(); // a test that failed early must not leave the thread waiting
        m_thread->wait();
    }
    Q_DISABLE_COPY_MOVE(Caller)

    // Blocks until the thread has opened its Journal; returns the open error, if any.
    QString waitReady()
    {
        m_ready.acquire();
        return m_openError;
    }
    void release() { m_go.release(); }
    bool wait() { return m_thread->wait(kWait); }

private:
    std::function<void(Journal &)> m_op;
    std::unique_ptr<QThread> m_thread;
    QSemaphore m_ready;
    QSemaphore m_go;
    QString m_openError;
};

template <typename T> QByteArray errorText(const Result<T> &r)
{
    return r.ok() ? QByteArray() : r.error().toString().toUtf8();
}

// The account's token ended at `fence` and the file is sound.
void verifyFenceAndIntegrity(Journal &journal, const QString &account, qint64 fence)
{
    TAKE(highest, journal.highestFence(account));
    QCOMPARE(highest, fence);
    TAKE(integrity, journal.integrityCheck());
    QCOMPARE(integrity, QStringLiteral("ok"));
}

int writesWaiting(Journal &journal)
{
    auto d = journal.diagnostics();
    return d ? d.value().writesWaiting : -1;
}

} // namespace

class TestGroupCommit final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writesQueuedDuringACommitShareTheNext();
    void failedChangesStayWithTheirCaller();
    void manyThreadsLoseNothing();

private:
    JournalConfig config(const QString &url) const
    {
        JournalConfig c;
        c.url = url;
        c.busyTimeoutMs = kWait;
        return c;
    }
    // Releases the callers one by one, each only once the previous one is in line, while a plain connection holds
    // SQLite's write lock; then lets them run, waits for all, and checks that their writes took two commits: the
    // first caller's alone, then all the others' together.
    void queueBehindHeldLock(Journal &observer, const QString &url, std::vector<std::unique_ptr<Caller>> &callers);

    Test::JournalTestBackend m_backend;
};

void TestGroupCommit::queueBehindHeldLock(
    Journal &observer, const QString &url, std::vector<std::unique_ptr<Caller>> &callers)
{
    for (auto &c : callers) {
        const QString openError = c->waitReady();
        QVERIFY2(openError.isEmpty(), qPrintable(openError));
    }
    TAKE(before, observer.diagnostics());
    const QString rawName = QStringLiteral("raw-lock-holder");
    {
        QSqlDatabase db = m_backend.raw(url, rawName);
        QSqlQuery q(db);
        QVERIFY2(q.exec(QStringLiteral("BEGIN IMMEDIATE")), qPrintable(q.lastError().text()));
        QCOMPARE(writesWaiting(observer), 0);
        for (std::size_t i = 0; i < callers.size(); ++i) {
            callers[i]->release();
            // The first caller leads at once and waits in BEGIN IMMEDIATE; the others queue behind it, in order.
            QTRY_COMPARE_WITH_TIMEOUT(writesWaiting(observer), int(i + 1), kWait);
        }
        QVERIFY2(q.exec(QStringLiteral("COMMIT")), qPrintable(q.lastError().text()));
    }
    Test::JournalTestBackend::closeRaw(rawName);
    for (auto &c : callers)
        QVERIFY(c->wait());
    TAKE(after, observer.diagnostics());
    QCOMPARE(after.groupCommits - before.groupCommits, 2);
    QCOMPARE(after.groupedWrites - before.groupedWrites, qint64(callers.size()));
    QCOMPARE(after.writesWaiting, 0);
}

// Six account workers write their pending rows while another connection holds the lock. The first commits alone,
// the five queued behind it share one commit, and each gets its own outcome: the stale-fenced writes of the second
// (which leads that commit) and of the fourth are refused, the others commit with their own ids.
void TestGroupCommit::writesQueuedDuringACommitShareTheNext()
{
    const QString url = m_backend.freshUrl();
    TAKE(observer, Journal::open(config(url)));
    VERIFY_OK(observer->insertPending(pendingTrade(QStringLiteral("CR1"), QStringLiteral("seed"), 5)));

    constexpr int kCallers = 6;
    const QSet<int> stale { 1, 3 };
    std::vector<std::optional<Result<qint64>>> outcomes(kCallers);
    std::vector<std::unique_ptr<Caller>> callers;
    for (int i = 0; i < kCallers; ++i) {
        const Trade t
            = pendingTrade(QStringLiteral("CR1"), QStringLiteral("caller-%1").arg(i), stale.contains(i) ? 2 : 5);
        callers.push_back(std::make_unique<Caller>(
            config(url), [t, &outcomes, i](Journal &j) { outcomes[std::size_t(i)] = j.insertPending(t); }));
    }
    queueBehindHeldLock(*observer, url, callers);
    if (QTest::currentTestFailed())
        return;

    QSet<qint64> ids;
    for (int i = 0; i < kCallers; ++i) {
        const QString tag = QStringLiteral("caller-%1").arg(i);
        QVERIFY2(outcomes[std::size_t(i)].has_value(), qPrintable(tag));
        const Result<qint64> &r = *outcomes[std::size_t(i)];
        TAKE(byTag, observer->tradeByRequestTag(QStringLiteral("CR1"), tag));
        if (stale.contains(i)) {
            QVERIFY2(!r.ok(), qPrintable(tag));
            QCOMPARE(r.error().code, QStringLiteral("StaleFence"));
            QCOMPARE(r.error().details.value(QStringLiteral("highest_fence")).toInteger(), 5);
            QVERIFY2(!byTag.has_value(), qPrintable(tag));
            continue;
        }
        QVERIFY2(r.ok(), errorText(r).constData());
        QVERIFY(!ids.contains(r.value()));
        ids.insert(r.value());
        // The id the caller got is its own row.
        QVERIFY(byTag.has_value());
        QCOMPARE(byTag->localId, r.value());
        QCOMPARE(byTag->status, TradeStatus::Pending);
        QCOMPARE(byTag->fence, 5);
        TAKE(history, observer->tradeHistory(r.value()));
        QCOMPARE(history.size(), 1);
        QCOMPARE(history.front().action, QStringLiteral("insert_pending"));
    }
    TAKE(rows, observer->trades(TradeFilter()));
    QCOMPARE(rows.size(), 1 + kCallers - stale.size());
    verifyFenceAndIntegrity(*observer, QStringLiteral("CR1"), 5);
}

// The buy replies of five workers arrive together. The one that leads the shared commit raises the account's
// fencing token and then is refused (it marks open a trade that already failed); a later one claims a contract an
// earlier one of the same commit just wrote (refused). Their changes are rolled back alone, the raised token
// included (else the unfenced writes after it would be refused as stale); the others' are kept.
void TestGroupCommit::failedChangesStayWithTheirCaller()
{
    const QString url = m_backend.freshUrl();
    TAKE(observer, Journal::open(config(url)));
    constexpr int kCallers = 5;
    std::vector<qint64> rows;
    for (int i = 0; i < kCallers; ++i) {
        TAKE(id,
            observer->insertPending(pendingTrade(QStringLiteral("CR2"), QStringLiteral("row-%1").arg(i), 0, kT0 + i)));
        rows.push_back(id);
    }
    VERIFY_OK(observer->markFailed(rows[1], QStringLiteral("rejected"), 0));

    const auto contractOf = [](int i) { return qint64(9000 + (i == 4 ? 2 : i)); }; // caller 4 reuses caller 2's
    std::vector<std::optional<Result<void>>> outcomes(kCallers);
    std::vector<std::unique_ptr<Caller>> callers;
    for (int i = 0; i < kCallers; ++i) {
        const qint64 localId = rows[std::size_t(i)];
        const qint64 contract = contractOf(i);
        const qint64 fence = i == 1 ? 7 : 0;
        callers.push_back(std::make_unique<Caller>(config(url), [=, &outcomes](Journal &j) {
            outcomes[std::size_t(i)] = j.markOpen(localId, contract, contract + 1, Money::fromMinor(1000, 2),
                Money::fromMinor(1950, 2), kT0 + 100 + i, fence);
        }));
    }
    queueBehindHeldLock(*observer, url, callers);
    if (QTest::currentTestFailed())
        return;

    for (int i = 0; i < kCallers; ++i) {
        QVERIFY(outcomes[std::size_t(i)].has_value());
        const Result<void> &r = *outcomes[std::size_t(i)];
        TAKE(t, observer->trade(rows[std::size_t(i)]));
        QVERIFY(t.has_value());
        TAKE(history, observer->tradeHistory(rows[std::size_t(i)]));
        if (i == 1) {
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, QStringLiteral("IllegalTransition"));
            QCOMPARE(t->status, TradeStatus::Failed);
            QCOMPARE(history.size(), 2); // insert_pending, mark_failed
        } else if (i == 4) {
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, QStringLiteral("DuplicateContract"));
            QCOMPARE(t->status, TradeStatus::Pending);
            QCOMPARE(t->contractId, 0);
            QCOMPARE(history.size(), 1);
        } else {
            QVERIFY2(r.ok(), errorText(r).constData());
            QCOMPARE(t->status, TradeStatus::Open);
            QCOMPARE(t->contractId, contractOf(i));
            QCOMPARE(t->openedMs, kT0 + 100 + i);
            QCOMPARE(history.size(), 2);
            QCOMPARE(history.back().action, QStringLiteral("mark_open"));
        }
    }
    verifyFenceAndIntegrity(*observer, QStringLiteral("CR2"), 0);
}

// Eight workers, each with its own connection, write pending + open pairs as fast as they can, every fifth one with
// a stale token for a fenced account. Whatever the grouping: distinct ids, each the caller's own row, every
// accepted write present and open, every stale one refused and absent.
void TestGroupCommit::manyThreadsLoseNothing()
{
    const QString url = m_backend.freshUrl();
    TAKE(observer, Journal::open(config(url)));
    VERIFY_OK(observer->insertPending(pendingTrade(QStringLiteral("FENCED"), QStringLiteral("seed"), 9)));

    constexpr int kThreads = 8;
    constexpr int kWrites = 30;
    struct Outcome
    {
        QList<qint64> ids;
        QStringList tags;
        int refused = 0;
        QStringList errors;
    };
    std::vector<Outcome> outcomes(kThreads);
    std::vector<std::unique_ptr<Caller>> callers;
    for (int i = 0; i < kThreads; ++i) {
        callers.push_back(std::make_unique<Caller>(config(url), [i, &outcomes](Journal &j) {
            Outcome &out = outcomes[std::size_t(i)];
            for (int n = 0; n < kWrites; ++n) {
                const QString tag = QStringLiteral("w%1-%2").arg(i).arg(n);
                if (n % 5 == 4) {
                    auto r = j.insertPending(pendingTrade(QStringLiteral("FENCED"), tag, 3, kT0 + n));
                    if (r.ok())
                        out.errors << tag + QStringLiteral(": stale write accepted");
                    else if (r.error().code == QLatin1String("StaleFence"))
                        ++out.refused;
                    else
                        out.errors << r.error().toString();
                    continue;
                }
                auto id = j.insertPending(pendingTrade(QStringLiteral("CR%1").arg(i % 3), tag, 0, kT0 + n));
                if (!id) {
                    out.errors << id.error().toString();
                    continue;
                }
                const qint64 contract = qint64(i + 1) * 100'000 + n;
                auto open = j.markOpen(id.value(), contract, contract + 1, Money::fromMinor(1000, 2),
                    Money::fromMinor(1950, 2), kT0 + n, 0);
                if (!open)
                    out.errors << open.error().toString();
                out.ids << id.value();
                out.tags << tag;
            }
        }));
    }
    for (auto &c : callers) {
        const QString openError = c->waitReady();
        QVERIFY2(openError.isEmpty(), qPrintable(openError));
    }
    for (auto &c : callers)
        c->release();
    for (auto &c : callers)
        QVERIFY(c->wait());

    QSet<qint64> ids;
    int accepted = 0;
    for (int i = 0; i < kThreads; ++i) {
        const Outcome &out = outcomes[std::size_t(i)];
        QVERIFY2(out.errors.isEmpty(), qPrintable(out.errors.join(u'\n')));
        QCOMPARE(out.refused, kWrites / 5);
        QCOMPARE(out.ids.size(), kWrites - kWrites / 5);
        for (qsizetype k = 0; k < out.ids.size(); ++k) {
            QVERIFY(!ids.contains(out.ids[k]));
            ids.insert(out.ids[k]);
            TAKE(t, observer->trade(out.ids[k]));
            QVERIFY(t.has_value());
            QCOMPARE(t->requestTag, out.tags[k]);
            QCOMPARE(t->status, TradeStatus::Open);
            QCOMPARE(t->contractId, qint64(i + 1) * 100'000 + out.tags[k].section(u'-', 1).toInt());
            ++accepted;
        }
    }
    TAKE(all, observer->trades(TradeFilter()));
    QCOMPARE(all.size(), 1 + accepted);
    TradeFilter fenced;
    fenced.account = QStringLiteral("FENCED");
    TAKE(fencedRows, observer->trades(fenced));
    QCOMPARE(fencedRows.size(), 1); // the seed only
    TAKE(diag, observer->diagnostics());
    QCOMPARE(diag.writesWaiting, 0);
    qInfo() << "grouped writes" << diag.groupedWrites << "in" << diag.groupCommits << "commits";
    verifyFenceAndIntegrity(*observer, QStringLiteral("FENCED"), 9);
}

QTEST_GUILESS_MAIN(TestGroupCommit)
#include "tst_groupcommit.moc"
