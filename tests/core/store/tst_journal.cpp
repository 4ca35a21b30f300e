// SPDX-License-Identifier: GPL-3.0-or-later
// The journal against SQLite (tst_journal) or, built with VIGIL_TEST_POSTGRES, against the PostgreSQL
// database named by VIGIL_TEST_PG_URL (tst_journal_postgres).
#include <atomic>
#include <memory>

#include <QDateTime>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSemaphore>
#include <QSet>
#include <QSqlRecord>
#include <QThread>
#include <QTimeZone>
#include <QtTest>

#include "health/redactor.h"
#include "store/journal.h"
#include "store/journalschema.h"
#include "support/fakeclock.h"
#include "journaltestbackend.h"
#include "journaltestmacros.h"

using namespace Vigil;

namespace {

constexpr qint64 kT0 = 1'710'000'000'000; // 2024-03-09T16:00:00Z

Money usd(qint64 minor)
{
    return Money::fromMinor(minor, 2);
}

Trade sampleTrade(
    const QString &account, qint64 openedMs, Money stake = usd(1000), const QString &bot = QStringLiteral("bot-1"))
{
    Trade t;
    t.account = account;
    t.bot = bot;
    t.symbol = QStringLiteral("R_100");
    t.contractType = QStringLiteral("CALL");
    t.duration = 5;
    t.durationUnit = QStringLiteral("t");
    t.currency = QStringLiteral("USD");
    t.stake = stake;
    t.openedMs = openedMs;
    t.requestTag = QStringLiteral("req-%1").arg(openedMs);
    return t;
}

qint64 utcMs(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0)
{
    return QDateTime(QDate(y, m, d), QTime(hh, mm, ss), QTimeZone::utc()).toMSecsSinceEpoch();
}

} // namespace

class TestJournal final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void migratesEmptyDatabaseAndReopens();
    void refusesNewerSchema();
    void concurrentFirstOpenMigratesOnce();
    void durabilitySettingsAreInForce();
    void rejectsBadUrl_data();
    void rejectsBadUrl();
    void openFailureIsAStorageErrorWithoutSecrets();

    void lifecycleRoundTrip();
    void moneyRoundTripsExactly_data();
    void moneyRoundTripsExactly();
    void precisionMismatchIsRefused();
    void insertPendingValidates_data();
    void insertPendingValidates();
    void illegalTransitionsAreRefused_data();
    void illegalTransitionsAreRefused();
    void unknownResolvesToOpenOrFailed();
    void adoptOrphanAndDuplicateContracts();
    void closeStale();
    void correctionOverwritesWithServerFigures();
    void readsAndFilters();

    void fencingRejectsOlderTokens();
    void unfencedOnlyUntilFencingBegins();
    void fenceCheckWaitsForConcurrentWriter();
    void racingFencedWritesCommitInTokenOrder();
    void concurrentWritersLoseNothing();
    void manyAccountWritersQueueWithinTheBusyTimeout();

    void dailyUsageAcrossUtcDayBoundary();
    void currentUsageSeesEveryCommit();
    void dayStartBalanceFirstWriteWins();
    void botTransitionsAndLatestState();
    void reportsRoundTrip();
    void auditRoundTripNeverStoresAToken();
    void noSecretColumn();

private:
    JournalConfig config(const QString &url) const
    {
        JournalConfig c;
        c.url = url;
        c.clock = &m_clock;
        return c;
    }
    QString freshUrl() { return m_backend.freshUrl(); }

    Test::JournalTestBackend m_backend;
    Test::FakeClock m_clock { kT0 };
};

void TestJournal::initTestCase()
{
    const QString reason = m_backend.unavailableReason();
    if (!reason.isEmpty())
        QSKIP(qPrintable(reason));
}

// --- schema ------------------------------------------------------------------------------------------------------

void TestJournal::migratesEmptyDatabaseAndReopens()
{
    QString earlierId; // another journal (on PostgreSQL freshUrl() empties the one test database)
    {
        TAKE(j, Journal::open(config(freshUrl())));
        earlierId = j->journalId();
    }
    const QString url = freshUrl();
    qint64 id = 0;
    QString journalId;
    {
        TAKE(j, Journal::open(config(url)));
        journalId = j->journalId();
        QVERIFY(!journalId.isEmpty());
        QVERIFY(journalId != earlierId);
        QVERIFY(!j->location().isEmpty());
        TAKE(other, Journal::open(config(url))); // a second connection (another instance) sees the same journal
        QCOMPARE(other->journalId(), journalId);
        QCOMPARE(other->location(), j->location());
        QCOMPARE(j->schemaVersion(), Journal::kSchemaVersion);
        QCOMPARE(JournalSchema::latestVersion(), Journal::kSchemaVersion);
        QCOMPARE(j->isPostgres(), Test::JournalTestBackend::isPostgres());
        TAKE(inserted, j->insertPending(sampleTrade(QStringLiteral("CR1"), kT0)));
        id = inserted;
    }
    {
        TAKE(j, Journal::open(config(url)));
        QCOMPARE(j->schemaVersion(), Journal::kSchemaVersion);
        QCOMPARE(j->journalId(), journalId); // kept across restarts
        TAKE(t, j->trade(id));
        QVERIFY(t.has_value());
        QCOMPARE(t->status, TradeStatus::Pending);
    }
    const QString rawName = QStringLiteral("raw-migrations");
    {
        QSqlDatabase db = m_backend.raw(url, rawName);
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT version FROM schema_version ORDER BY version")));
        QList<int> versions;
        while (q.next())
            versions << q.value(0).toInt();
        QCOMPARE(versions, QList<int>({ 1, 2 })); // applied once, not again on re-open
    }
    Test::JournalTestBackend::closeRaw(rawName);
}

void TestJournal::refusesNewerSchema()
{
    const QString url = freshUrl();
    {
        TAKE(j, Journal::open(config(url)));
    }
    const QString rawName = QStringLiteral("raw-newer");
    {
        QSqlDatabase db = m_backend.raw(url, rawName);
        QSqlQuery q(db);
        QVERIFY2(q.exec(QStringLiteral(
                     "INSERT INTO schema_version (version, description, applied_ms) VALUES (99, 'future', 0)")),
            qPrintable(q.lastError().text()));
    }
    Test::JournalTestBackend::closeRaw(rawName);

    auto j = Journal::open(config(url));
    QVERIFY(!j.ok());
    QCOMPARE(j.error().kind, ErrorKind::Storage);
    QCOMPARE(j.error().code, QStringLiteral("SchemaTooNew"));
    QVERIFY2(j.error().message.contains(QLatin1String("99")), qPrintable(j.error().message));
    QCOMPARE(j.error().details.value(QStringLiteral("found_version")).toInt(), 99);
}

void TestJournal::concurrentFirstOpenMigratesOnce()
{
    // Account workers open one new journal at the same moment; a lost race once left an account dead with
    // "database is locked" (about 1 round in 300 with 4 openers): many rounds, every open must succeed.
    const int rounds = Test::JournalTestBackend::isPostgres() ? 3 : 60;
    constexpr int kOpeners = 4;
    for (int round = 0; round < rounds; ++round) {
        const QString url = freshUrl();
        QStringList errors[kOpeners];
        QList<QThread *> threads;
        for (int i = 0; i < kOpeners; ++i) {
            threads << QThread::create([this, url, &errors, i] {
                auto j = Journal::open(config(url));
                if (!j)
                    errors[i] << j.error().toString();
                else if (j.value()->schemaVersion() != Journal::kSchemaVersion)
                    errors[i] << QStringLiteral("wrong version");
            });
        }
        for (QThread *t : threads)
            t->start();
        for (QThread *t : threads) {
            QVERIFY(t->wait(60'000));
            delete t;
        }
        for (const QStringList &e : errors)
            QVERIFY2(e.isEmpty(), qPrintable(QStringLiteral("round %1: ").arg(round) + e.join(u'\n')));
        const QString rawName = QStringLiteral("raw-concurrent-open");
        {
            QSqlDatabase db = m_backend.raw(url, rawName);
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM schema_version")));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toInt(), Journal::kSchemaVersion);
            QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM journal_meta")));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toInt(), 1); // one id, whoever won the race
        }
        Test::JournalTestBackend::closeRaw(rawName);
    }
}

void TestJournal::durabilitySettingsAreInForce()
{
    const QString url = freshUrl();
    TAKE(j, Journal::open(config(url)));
    TAKE(diag, j->diagnostics());
    QCOMPARE(diag.schemaVersion, Journal::kSchemaVersion);
    QCOMPARE(diag.synchronous, 2); // FULL / synchronous_commit on
    QVERIFY(diag.foreignKeys);
    TAKE(integrity, j->integrityCheck());
    QCOMPARE(integrity, QStringLiteral("ok"));
    if (Test::JournalTestBackend::isPostgres()) {
        QCOMPARE(diag.backend, QStringLiteral("postgresql"));
        return;
    }
    QCOMPARE(diag.backend, QStringLiteral("sqlite"));
    QCOMPARE(diag.journalMode, QStringLiteral("wal"));
    QCOMPARE(diag.busyTimeoutMs, JournalConfig().busyTimeoutMs);

    // WAL is a property of the file: a connection that set nothing sees it too.
    const QString rawName = QStringLiteral("raw-pragmas");
    {
        QSqlDatabase db = m_backend.raw(url, rawName);
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString().toLower(), QStringLiteral("wal"));
    }
    Test::JournalTestBackend::closeRaw(rawName);
}

void TestJournal::rejectsBadUrl_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("code");
    QTest::newRow("empty") << QString() << QStringLiteral("BadUrl");
    QTest::newRow("unknown scheme") << QStringLiteral("mysql://u:p@h/db") << QStringLiteral("BadUrl");
    QTest::newRow("relative sqlite url") << QStringLiteral("sqlite://relative.db") << QStringLiteral("BadUrl");
    QTest::newRow("postgres without db") << QStringLiteral("postgresql://u:p@localhost:5432")
                                         << QStringLiteral("BadUrl");
}

void TestJournal::rejectsBadUrl()
{
    QFETCH(QString, url);
    QFETCH(QString, code);
    auto j = Journal::open(config(url));
    QVERIFY(!j.ok());
    QCOMPARE(j.error().kind, ErrorKind::Configuration);
    QCOMPARE(j.error().code, code);
}

void TestJournal::openFailureIsAStorageErrorWithoutSecrets()
{
    QString url;
    const QString password = QStringLiteral("Wrong-Pass-9f8e7d");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    if (Test::JournalTestBackend::isPostgres()) {
        QUrl u(freshUrl());
        u.setPassword(password);
        url = u.toString();
    } else {
        url = dir.path(); // a directory is not a database file
    }
    auto j = Journal::open(config(url));
    QVERIFY(!j.ok());
    QCOMPARE(j.error().kind, ErrorKind::Storage);
    QVERIFY(!j.error().message.contains(password));
    QVERIFY(!j.error().toString().contains(password));
}

// --- trade writes and reads --------------------------------------------------------------------------------------

void TestJournal::lifecycleRoundTrip()
{
    TAKE(j, Journal::open(config(freshUrl())));
    Trade in = sampleTrade(QStringLiteral("CR100"), kT0, usd(1000), QStringLiteral("martingale-1"));
    in.contractType = QStringLiteral("DIGITOVER");
    in.duration = 3;
    in.durationUnit = QStringLiteral("t");
    in.requestTag = QStringLiteral("buy-7f3a");
    in.fence = 0;
    TAKE(id, j->insertPending(in));
    QVERIFY(id > 0);

    TAKE(pending, j->trade(id));
    QVERIFY(pending.has_value());
    QCOMPARE(pending->localId, id);
    QCOMPARE(pending->account, in.account);
    QCOMPARE(pending->bot, in.bot);
    QCOMPARE(pending->symbol, in.symbol);
    QCOMPARE(pending->contractType, in.contractType);
    QCOMPARE(pending->duration, 3);
    QCOMPARE(pending->durationUnit, in.durationUnit);
    QCOMPARE(pending->currency, QStringLiteral("USD"));
    QCOMPARE(pending->stake, usd(1000));
    QVERIFY(!pending->buyPrice && !pending->payout && !pending->sellPrice && !pending->profit);
    QCOMPARE(pending->contractId, 0);
    QCOMPARE(pending->status, TradeStatus::Pending);
    QCOMPARE(pending->openedMs, kT0);
    QCOMPARE(pending->closedMs, 0);
    QCOMPARE(pending->requestTag, QStringLiteral("buy-7f3a"));
    QCOMPARE(pending->attribution, TradeAttribution::Bot);
    QCOMPARE(pending->updatedMs, kT0);

    m_clock.advance(500);
    VERIFY_OK(j->markOpen(id, 250'001'234'567, 500'002'345'678, usd(1000), usd(1953), kT0 + 400, 0));
    TAKE(open, j->trade(id));
    QCOMPARE(open->status, TradeStatus::Open);
    QCOMPARE(open->contractId, 250'001'234'567);
    QCOMPARE(open->transactionId, 500'002'345'678);
    QCOMPARE(open->buyPrice, std::optional<Money>(usd(1000)));
    QCOMPARE(open->payout, std::optional<Money>(usd(1953)));
    QCOMPARE(open->openedMs, kT0 + 400); // the server's purchase time replaces the attempt time
    QCOMPARE(open->updatedMs, kT0 + 500);

    m_clock.advance(10'000);
    VERIFY_OK(j->settle(id, TradeStatus::Won, usd(1953), usd(953), kT0 + 10'400, QStringLiteral("expired"), 0));
    TAKE(won, j->trade(id));
    QCOMPARE(won->status, TradeStatus::Won);
    QCOMPARE(won->sellPrice, std::optional<Money>(usd(1953)));
    QCOMPARE(won->profit, std::optional<Money>(usd(953)));
    QCOMPARE(won->closedMs, kT0 + 10'400);
    QCOMPARE(won->closeReason, QStringLiteral("expired"));

    TAKE(byContract, j->tradeByContract(QStringLiteral("CR100"), 250'001'234'567));
    QVERIFY(byContract.has_value());
    QCOMPARE(byContract->localId, id);
    TAKE(otherAccount, j->tradeByContract(QStringLiteral("CR999"), 250'001'234'567));
    QVERIFY(!otherAccount.has_value());

    TAKE(history, j->tradeHistory(id));
    QCOMPARE(history.size(), 3);
    QCOMPARE(history[0].action, QStringLiteral("insert_pending"));
    QVERIFY(!history[0].fromStatus.has_value());
    QCOMPARE(history[0].toStatus, TradeStatus::Pending);
    QCOMPARE(history[1].action, QStringLiteral("mark_open"));
    QCOMPARE(history[1].fromStatus, std::optional<TradeStatus>(TradeStatus::Pending));
    QCOMPARE(history[1].toStatus, TradeStatus::Open);
    QCOMPARE(history[2].action, QStringLiteral("settle"));
    QCOMPARE(history[2].toStatus, TradeStatus::Won);
    QCOMPARE(history[2].reason, QStringLiteral("expired"));
    QCOMPARE(history[2].atMs, kT0 + 10'500);

    const QJsonObject json = won->toJson();
    QCOMPARE(json.value(QStringLiteral("profit")).toString(), QStringLiteral("9.53"));
    QCOMPARE(json.value(QStringLiteral("status")).toString(), QStringLiteral("won"));
}

void TestJournal::moneyRoundTripsExactly_data()
{
    QTest::addColumn<int>("digits");
    QTest::addColumn<qint64>("stake");
    QTest::addColumn<qint64>("buy");
    QTest::addColumn<qint64>("payout");
    QTest::addColumn<qint64>("sell");
    QTest::addColumn<qint64>("profit");
    QTest::newRow("usd minimum stake lost") << 2 << qint64(35) << qint64(35) << qint64(68) << qint64(0) << qint64(-35);
    QTest::newRow("usd cents that are not binary")
        << 2 << qint64(10) << qint64(10) << qint64(30) << qint64(30) << qint64(20);
    QTest::newRow("btc 8 digits") << 8 << qint64(123'456'789'012) << qint64(123'456'789'012) << qint64(240'000'000'001)
                                  << qint64(240'000'000'001) << qint64(116'543'210'989);
    QTest::newRow("beyond double precision")
        << 2 << qint64(9'007'199'254'740'993) << qint64(9'007'199'254'740'993) << qint64(9'007'199'254'740'995)
        << qint64(1) << qint64(-9'007'199'254'740'992);
}

void TestJournal::moneyRoundTripsExactly()
{
    QFETCH(int, digits);
    QFETCH(qint64, stake);
    QFETCH(qint64, buy);
    QFETCH(qint64, payout);
    QFETCH(qint64, sell);
    QFETCH(qint64, profit);
    TAKE(j, Journal::open(config(freshUrl())));
    Trade t = sampleTrade(QStringLiteral("CR1"), kT0, Money::fromMinor(stake, digits));
    t.currency = digits == 8 ? QStringLiteral("BTC") : QStringLiteral("USD");
    TAKE(id, j->insertPending(t));
    VERIFY_OK(j->markOpen(id, 77, 78, Money::fromMinor(buy, digits), Money::fromMinor(payout, digits), kT0, 0));
    VERIFY_OK(j->settle(
        id, TradeStatus::Sold, Money::fromMinor(sell, digits), Money::fromMinor(profit, digits), kT0 + 1, {}, 0));
    TAKE(back, j->trade(id));
    QCOMPARE(back->stake, Money::fromMinor(stake, digits));
    QCOMPARE(back->buyPrice->minor(), buy);
    QCOMPARE(back->buyPrice->digits(), digits);
    QCOMPARE(back->payout->minor(), payout);
    QCOMPARE(back->sellPrice->minor(), sell);
    QCOMPARE(back->profit->minor(), profit);
    QCOMPARE(back->profit->digits(), digits);
}

void TestJournal::precisionMismatchIsRefused()
{
    TAKE(j, Journal::open(config(freshUrl())));
    TAKE(id, j->insertPending(sampleTrade(QStringLiteral("CR1"), kT0)));
    auto r = j->markOpen(id, 1, 2, Money::fromMinor(1000, 3), usd(1953), kT0, 0);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("PrecisionMismatch"));
    TAKE(t, j->trade(id));
    QCOMPARE(t->status, TradeStatus::Pending); // nothing was written

    auto usage = j->dailyUsage(QStringLiteral("CR1"), kT0 - 1000, kT0 + 1000, 8);
    QVERIFY(!usage.ok());
    QCOMPARE(usage.error().code, QStringLiteral("PrecisionMismatch"));
}

void TestJournal::insertPendingValidates_data()
{
    QTest::addColumn<int>("field");
    QTest::newRow("no account") << 0;
    QTest::newRow("no symbol") << 1;
    QTest::newRow("no contract type") << 2;
    QTest::newRow("zero duration") << 3;
    QTest::newRow("no duration unit") << 4;
    QTest::newRow("no currency") << 5;
    QTest::newRow("zero stake") << 6;
    QTest::newRow("negative stake") << 7;
    QTest::newRow("no opened time") << 8;
    QTest::newRow("negative fence") << 9;
}

void TestJournal::insertPendingValidates()
{
    QFETCH(int, field);
    TAKE(j, Journal::open(config(freshUrl())));
    Trade t = sampleTrade(QStringLiteral("CR1"), kT0);
    switch (field) {
    case 0:
        t.account.clear();
        break;
    case 1:
        t.symbol.clear();
        break;
    case 2:
        t.contractType.clear();
        break;
    case 3:
        t.duration = 0;
        break;
    case 4:
        t.durationUnit.clear();
        break;
    case 5:
        t.currency.clear();
        break;
    case 6:
        t.stake = usd(0);
        break;
    case 7:
        t.stake = usd(-100);
        break;
    case 8:
        t.openedMs = 0;
        break;
    case 9:
        t.fence = -1;
        break;
    }
    auto r = j->insertPending(t);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::InvalidInput);
    TAKE(all, j->trades(TradeFilter()));
    QVERIFY(all.isEmpty());
}

void TestJournal::illegalTransitionsAreRefused_data()
{
    QTest::addColumn<QString>("from"); // how far to take the trade first
    QTest::addColumn<QString>("op"); // then this must be refused
    QTest::newRow("settle a pending trade") << "pending"
                                            << "settle";
    QTest::newRow("settle an unknown trade") << "unknown"
                                             << "settle";
    QTest::newRow("open an open trade") << "open"
                                        << "markOpen";
    QTest::newRow("fail an open trade") << "open"
                                        << "markFailed";
    QTest::newRow("unknown from open") << "open"
                                       << "markUnknown";
    QTest::newRow("unknown twice") << "unknown"
                                   << "markUnknown";
    QTest::newRow("settle twice") << "won"
                                  << "settle";
    QTest::newRow("open a settled trade") << "won"
                                          << "markOpen";
    QTest::newRow("stale a settled trade") << "won"
                                           << "closeStale";
    QTest::newRow("open a failed trade") << "failed"
                                         << "markOpen";
    QTest::newRow("fail a failed trade") << "failed"
                                         << "markFailed";
    QTest::newRow("open a stale trade") << "stale"
                                        << "markOpen";
}

void TestJournal::illegalTransitionsAreRefused()
{
    QFETCH(QString, from);
    QFETCH(QString, op);
    TAKE(j, Journal::open(config(freshUrl())));
    TAKE(id, j->insertPending(sampleTrade(QStringLiteral("CR1"), kT0)));
    if (from == QLatin1String("unknown"))
        VERIFY_OK(j->markUnknown(id, QStringLiteral("reply lost"), 0));
    if (from == QLatin1String("open") || from == QLatin1String("won"))
        VERIFY_OK(j->markOpen(id, 11, 12, usd(1000), usd(1953), kT0, 0));
    if (from == QLatin1String("won"))
        VERIFY_OK(j->settle(id, TradeStatus::Won, usd(1953), usd(953), kT0 + 5, {}, 0));
    if (from == QLatin1String("failed"))
        VERIFY_OK(j->markFailed(id, QStringLiteral("InsufficientBalance"), 0));
    if (from == QLatin1String("stale"))
        VERIFY_OK(j->closeStale(id, QStringLiteral("gone"), 0));
    TAKE(before, j->trade(id));
    TAKE(historyBefore, j->tradeHistory(id));

    Result<void> r;
    if (op == QLatin1String("settle"))
        r = j->settle(id, TradeStatus::Lost, usd(0), usd(-1000), kT0 + 9, {}, 0);
    else if (op == QLatin1String("markOpen"))
        r = j->markOpen(id, 13, 14, usd(1000), usd(1953), kT0, 0);
    else if (op == QLatin1String("markFailed"))
        r = j->markFailed(id, QStringLiteral("x"), 0);
    else if (op == QLatin1String("markUnknown"))
        r = j->markUnknown(id, QStringLiteral("x"), 0);
    else if (op == QLatin1String("closeStale"))
        r = j->closeStale(id, QStringLiteral("x"), 0);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("IllegalTransition"));
    TAKE(after, j->trade(id));
    QCOMPARE(after->toJson(), before->toJson());
    TAKE(historyAfter, j->tradeHistory(id));
    QCOMPARE(historyAfter.size(), historyBefore.size());

    auto missing = j->markFailed(id + 1000, QStringLiteral("x"), 0);
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().code, QStringLiteral("NotFound"));
    auto badSettle = j->settle(id, TradeStatus::Open, usd(0), usd(0), kT0, {}, 0);
    QVERIFY(!badSettle.ok());
    QCOMPARE(badSettle.error().kind, ErrorKind::InvalidInput);
}

void TestJournal::unknownResolvesToOpenOrFailed()
{
    TAKE(j, Journal::open(config(freshUrl())));
    TAKE(a, j->insertPending(sampleTrade(QStringLiteral("CR1"), kT0)));
    TAKE(b, j->insertPending(sampleTrade(QStringLiteral("CR1"), kT0 + 1)));
    VERIFY_OK(j->markUnknown(a, QStringLiteral("socket dropped"), 0));
    VERIFY_OK(j->markUnknown(b, QStringLiteral("socket dropped"), 0));
    TAKE(unresolved, j->unresolvedTrades(QStringLiteral("CR1")));
    QCOMPARE(unresolved.size(), 2);
    QCOMPARE(unresolved[0].status, TradeStatus::Unknown);

    // Reconciliation: a was bought (found in portfolio), b never happened.
    VERIFY_OK(j->markOpen(a, 901, 902, usd(1000), usd(1953), kT0 + 3, 0));
    m_clock.advance(42);
    VERIFY_OK(j->markFailed(b, QStringLiteral("not in statement"), 0));
    TAKE(ta, j->trade(a));
    QCOMPARE(ta->status, TradeStatus::Open);
    TAKE(tb, j->trade(b));
    QCOMPARE(tb->status, TradeStatus::Failed);
    QCOMPARE(tb->closeReason, QStringLiteral("not in statement"));
    QCOMPARE(tb->closedMs, m_clock.nowMs());
    TAKE(history, j->tradeHistory(a));
    QCOMPARE(history.size(), 3);
    QCOMPARE(history[1].action, QStringLiteral("mark_unknown"));
    QCOMPARE(history[2].fromStatus, std::optional<TradeStatus>(TradeStatus::Unknown));
}

void TestJournal::adoptOrphanAndDuplicateContracts()
{
    TAKE(j, Journal::open(config(freshUrl())));
    Trade orphan = sampleTrade(QStringLiteral("CR1"), kT0, usd(500), QString());
    orphan.attribution = TradeAttribution::Outside;
    orphan.status = TradeStatus::Open;
    orphan.contractId = 4242;
    orphan.transactionId = 8484;
    orphan.buyPrice = usd(500);
    orphan.payout = usd(976);
    TAKE(id, j->adoptOrphan(orphan));
    TAKE(back, j->trade(id));
    QCOMPARE(back->attribution, TradeAttribution::Outside);
    QCOMPARE(back->status, TradeStatus::Open);
    QCOMPARE(back->contractId, 4242);
    QCOMPARE(back->payout, std::optional<Money>(usd(976)));
    TAKE(history, j->tradeHistory(id));
    QCOMPARE(history.size(), 1);
    QCOMPARE(history[0].action, QStringLiteral("adopt"));

    // The same contract again (a second reconciliation pass) is refused, not duplicated.
    auto again = j->adoptOrphan(orphan);
    QVERIFY(!again.ok());
    QCOMPARE(again.error().code, QStringLiteral("DuplicateContract"));
    // Same contract id on another account is a different contract.
    orphan.account = QStringLiteral("CR2");
    TAKE(other, j->adoptOrphan(orphan));
    QVERIFY(other != id);

    // A pending row cannot be opened with a contract the journal already holds.
    TAKE(p, j->insertPending(sampleTrade(QStringLiteral("CR1"), kT0 + 5)));
    auto dup = j->markOpen(p, 4242, 1, usd(1000), usd(1953), kT0 + 5, 0);
    QVERIFY(!dup.ok());
    QCOMPARE(dup.error().code, QStringLiteral("DuplicateContract"));

    Trade bad = orphan;
    bad.contractId = 0;
    QCOMPARE(j->adoptOrphan(bad).error().code, QStringLiteral("BadTrade"));
    bad = orphan;
    bad.contractId = 777;
    bad.status = TradeStatus::Won; // settled without figures
    QCOMPARE(j->adoptOrphan(bad).error().code, QStringLiteral("BadTrade"));
    bad.sellPrice = usd(976);
    bad.profit = usd(476);
    bad.closedMs = kT0 + 60'000;
    TAKE(settledOrphan, j->adoptOrphan(bad));
    TAKE(so, j->trade(settledOrphan));
    QCOMPARE(so->status, TradeStatus::Won);
    QCOMPARE(so->profit, std::optional<Money>(usd(476)));
}

void TestJournal::closeStale()
{
    TAKE(j, Journal::open(config(freshUrl())));
    TAKE(id, j->insertPending(sampleTrade(QStringLiteral("CR1"), kT0)));
    VERIFY_OK(j->markOpen(id, 5, 6, usd(1000), usd(1953), kT0, 0));
    m_clock.advance(3'600'000);
    VERIFY_OK(j->closeStale(id, QStringLiteral("no record on the server after 1 h"), 0));
    TAKE(t, j->trade(id));
    QCOMPARE(t->status, TradeStatus::Stale);
    QCOMPARE(t->closedMs, m_clock.nowMs());
    QCOMPARE(t->closeReason, QStringLiteral("no record on the server after 1 h"));
    TAKE(open, j->openTrades(QStringLiteral("CR1")));
    QVERIFY(open.isEmpty());
}

void TestJournal::correctionOverwritesWithServerFigures()
{
    TAKE(j, Journal::open(config(freshUrl())));
    TAKE(id, j->insertPending(sampleTrade(QStringLiteral("CR1"), kT0)));
    VERIFY_OK(j->markOpen(id, 5, 6, usd(1000), usd(1953), kT0, 0));
    VERIFY_OK(j->settle(id, TradeStatus::Won, usd(1953), usd(953), kT0 + 10, QStringLiteral("stream"), 0));

    TradeCorrection c;
    c.status = TradeStatus::Lost;
    c.sellPrice = usd(0);
    c.profit = usd(-1000);
    c.closedMs = kT0 + 12;
    auto noReason = j->correct(id, c, 0);
    QVERIFY(!noReason.ok());
    QCOMPARE(noReason.error().kind, ErrorKind::InvalidInput);

    c.reason = QStringLiteral("profit_table says lost");
    TAKE(after, j->correct(id, c, 0));
    QCOMPARE(after.status, TradeStatus::Lost);
    QCOMPARE(after.profit, std::optional<Money>(usd(-1000)));
    QCOMPARE(after.payout, std::optional<Money>(usd(1953))); // untouched member stays
    TAKE(stored, j->trade(id));
    QCOMPARE(stored->toJson(), after.toJson());
    TAKE(history, j->tradeHistory(id));
    QCOMPARE(history.last().action, QStringLiteral("correct"));
    QCOMPARE(history.last().fromStatus, std::optional<TradeStatus>(TradeStatus::Won));
    QCOMPARE(history.last().reason, QStringLiteral("profit_table says lost"));

    TradeCorrection pending;
    pending.status = TradeStatus::Pending;
    pending.reason = QStringLiteral("x");
    QVERIFY(!j->correct(id, pending, 0).ok());
}

void TestJournal::readsAndFilters()
{
    TAKE(j, Journal::open(config(freshUrl())));
    // Six trades over two bots and two accounts, opened 1 s apart.
    QList<qint64> ids;
    for (int i = 0; i < 6; ++i) {
        Trade t = sampleTrade(i == 5 ? QStringLiteral("CR2") : QStringLiteral("CR1"), kT0 + i * 1000, usd(100 + i),
            i % 2 ? QStringLiteral("bot-b") : QStringLiteral("bot-a"));
        t.requestTag = QStringLiteral("tag-%1").arg(i);
        TAKE(id, j->insertPending(t));
        ids << id;
    }
    VERIFY_OK(j->markOpen(ids[1], 101, 1, usd(101), usd(197), kT0 + 1000, 0));
    VERIFY_OK(j->markOpen(ids[2], 102, 1, usd(102), usd(199), kT0 + 2000, 0));
    VERIFY_OK(j->settle(ids[2], TradeStatus::Lost, usd(0), usd(-102), kT0 + 9000, {}, 0));
    VERIFY_OK(j->markUnknown(ids[3], QStringLiteral("lost reply"), 0));
    VERIFY_OK(j->markFailed(ids[4], QStringLiteral("PriceMoved"), 0));

    auto localIds = [](const QList<Trade> &ts) {
        QList<qint64> out;
        for (const Trade &t : ts)
            out << t.localId;
        return out;
    };

    TAKE(open, j->openTrades(QStringLiteral("CR1")));
    QCOMPARE(localIds(open), QList<qint64>({ ids[1] }));
    TAKE(unresolved, j->unresolvedTrades(QStringLiteral("CR1")));
    QCOMPARE(localIds(unresolved), QList<qint64>({ ids[0], ids[1], ids[3] }));
    TAKE(unresolved2, j->unresolvedTrades(QStringLiteral("CR2")));
    QCOMPARE(localIds(unresolved2), QList<qint64>({ ids[5] }));

    TradeFilter f;
    f.account = QStringLiteral("CR1");
    f.bot = QStringLiteral("bot-a");
    TAKE(botA, j->trades(f));
    QCOMPARE(localIds(botA), QList<qint64>({ ids[0], ids[2], ids[4] }));

    f = TradeFilter();
    f.statuses = { TradeStatus::Failed, TradeStatus::Lost };
    TAKE(byStatus, j->trades(f));
    QCOMPARE(localIds(byStatus), QList<qint64>({ ids[2], ids[4] }));

    f = TradeFilter();
    f.fromMs = kT0 + 1000;
    f.toMs = kT0 + 4000; // exclusive
    TAKE(range, j->trades(f));
    QCOMPARE(localIds(range), QList<qint64>({ ids[1], ids[2], ids[3] }));

    f = TradeFilter();
    f.newestFirst = true;
    f.limit = 2;
    f.offset = 1;
    TAKE(page, j->trades(f));
    QCOMPARE(localIds(page), QList<qint64>({ ids[4], ids[3] }));

    f = TradeFilter();
    f.offset = 4; // offset without a limit
    TAKE(tail, j->trades(f));
    QCOMPARE(localIds(tail), QList<qint64>({ ids[4], ids[5] }));

    f.limit = -1;
    QVERIFY(!j->trades(f).ok());

    TAKE(byTag, j->tradeByRequestTag(QStringLiteral("CR1"), QStringLiteral("tag-3")));
    QVERIFY(byTag.has_value());
    QCOMPARE(byTag->localId, ids[3]);
    TAKE(noTag, j->tradeByRequestTag(QStringLiteral("CR2"), QStringLiteral("tag-3")));
    QVERIFY(!noTag.has_value());
    TAKE(missing, j->trade(ids.last() + 100));
    QVERIFY(!missing.has_value());
}

// --- fencing -----------------------------------------------------------------------------------------------------

void TestJournal::fencingRejectsOlderTokens()
{
    const QString url = freshUrl();
    TAKE(a, Journal::open(config(url)));
    TAKE(b, Journal::open(config(url))); // a second instance (another process in real life) on the same database

    Trade t = sampleTrade(QStringLiteral("CR1"), kT0);
    t.fence = 5;
    TAKE(id, a->insertPending(t));
    TAKE(h5, b->highestFence(QStringLiteral("CR1")));
    QCOMPARE(h5, 5);

    // An older holder, through the other instance, is refused, and nothing is written.
    auto stale = b->markOpen(id, 1, 2, usd(1000), usd(1953), kT0, 4);
    QVERIFY(!stale.ok());
    QCOMPARE(stale.error().kind, ErrorKind::Coordination);
    QCOMPARE(stale.error().code, QStringLiteral("StaleFence"));
    QCOMPARE(stale.error().account, QStringLiteral("CR1"));
    TAKE(still, a->trade(id));
    QCOMPARE(still->status, TradeStatus::Pending);
    TAKE(history, a->tradeHistory(id));
    QCOMPARE(history.size(), 1);
    t.fence = 4;
    QCOMPARE(b->insertPending(t).error().code, QStringLiteral("StaleFence"));

    // The same token is the same holder: accepted.
    VERIFY_OK(b->markOpen(id, 1, 2, usd(1000), usd(1953), kT0, 5));
    // A newer holder takes over through b; a's old token is now refused.
    TAKE(id2, b->insertPending([&] {
        Trade n = sampleTrade(QStringLiteral("CR1"), kT0 + 1);
        n.fence = 6;
        return n;
    }()));
    auto old = a->settle(id, TradeStatus::Won, usd(1953), usd(953), kT0 + 5, {}, 5);
    QCOMPARE(old.error().code, QStringLiteral("StaleFence"));
    VERIFY_OK(a->settle(id, TradeStatus::Won, usd(1953), usd(953), kT0 + 5, {}, 6));
    TAKE(h6, a->highestFence(QStringLiteral("CR1")));
    QCOMPARE(h6, 6);
    TAKE(settled, b->trade(id));
    QCOMPARE(settled->fence, 6);
    QVERIFY(id2 > id);

    // Fences are per account.
    Trade other = sampleTrade(QStringLiteral("CR2"), kT0);
    other.fence = 1;
    VERIFY_OK(a->insertPending(other));

    // Every kind of trade write is fenced.
    TAKE(p, a->insertPending([&] {
        Trade n = sampleTrade(QStringLiteral("CR1"), kT0 + 2);
        n.fence = 6;
        return n;
    }()));
    QCOMPARE(a->markUnknown(p, {}, 3).error().code, QStringLiteral("StaleFence"));
    QCOMPARE(a->markFailed(p, {}, 3).error().code, QStringLiteral("StaleFence"));
    QCOMPARE(a->closeStale(p, {}, 3).error().code, QStringLiteral("StaleFence"));
    TradeCorrection c;
    c.reason = QStringLiteral("x");
    c.transactionId = 5;
    QCOMPARE(a->correct(p, c, 3).error().code, QStringLiteral("StaleFence"));
    Trade orphan = sampleTrade(QStringLiteral("CR1"), kT0);
    orphan.status = TradeStatus::Open;
    orphan.contractId = 999;
    orphan.fence = 3;
    QCOMPARE(a->adoptOrphan(orphan).error().code, QStringLiteral("StaleFence"));
    QCOMPARE(a->markUnknown(p, {}, -1).error().kind, ErrorKind::InvalidInput);
}

void TestJournal::unfencedOnlyUntilFencingBegins()
{
    TAKE(j, Journal::open(config(freshUrl())));
    Trade t = sampleTrade(QStringLiteral("CR1"), kT0);
    TAKE(a, j->insertPending(t)); // fence 0: single-instance mode
    VERIFY_OK(j->markUnknown(a, {}, 0));
    TAKE(h0, j->highestFence(QStringLiteral("CR1")));
    QCOMPARE(h0, 0);

    t.fence = 1; // coordination starts
    VERIFY_OK(j->insertPending(t));
    t.fence = 0;
    auto unfenced = j->insertPending(t);
    QVERIFY(!unfenced.ok());
    QCOMPARE(unfenced.error().code, QStringLiteral("StaleFence"));
    QVERIFY(unfenced.error().message.contains(QLatin1String("unfenced")));
    QCOMPARE(j->markFailed(a, {}, 0).error().code, QStringLiteral("StaleFence"));
    // Another account has not seen fencing: still unfenced-writable.
    t.account = QStringLiteral("CR2");
    VERIFY_OK(j->insertPending(t));
}

void TestJournal::fenceCheckWaitsForConcurrentWriter()
{
    // Another instance holds the write lock and is raising the account's token to 10 in an uncommitted
    // transaction. A write with token 5 must wait for it and then be refused: a check that read the token
    // outside the write transaction would see the old token 1 and let the stale write through.
    const QString url = freshUrl();
    TAKE(a, Journal::open(config(url)));
    Trade t = sampleTrade(QStringLiteral("CR1"), kT0);
    t.fence = 1;
    VERIFY_OK(a->insertPending(t));

    QSemaphore journalReady;
    QSemaphore go;
    std::atomic<bool> done { false };
    Result<qint64> outcome = Error::make(ErrorKind::Internal, QStringLiteral("NotRun"), QStringLiteral("not run"));
    QThread *writer = QThread::create([&] {
        auto b = Journal::open(config(url));
        journalReady.release();
        if (!b) {
            outcome = b.error();
            return;
        }
        go.acquire();
        Trade stale = sampleTrade(QStringLiteral("CR1"), kT0 + 1);
        stale.fence = 5;
        outcome = b.value()->insertPending(stale);
        done = true;
    });
    writer->start();
    journalReady.acquire();

    const QString rawName = QStringLiteral("raw-fence-holder");
    {
        QSqlDatabase db = m_backend.raw(url, rawName);
        QSqlQuery q(db);
        QVERIFY2(q.exec(Test::JournalTestBackend::isPostgres() ? QStringLiteral("BEGIN")
                                                               : QStringLiteral("BEGIN IMMEDIATE")),
            qPrintable(q.lastError().text()));
        QVERIFY2(q.exec(QStringLiteral("UPDATE account_fences SET fence = 10 WHERE account = 'CR1'")),
            qPrintable(q.lastError().text()));
        go.release();
        // The writer must be blocked behind our transaction (not a timing assertion: it cannot finish before we
        // commit).
        QVERIFY(!writer->wait(400));
        QVERIFY(!done);
        QVERIFY2(q.exec(QStringLiteral("COMMIT")), qPrintable(q.lastError().text()));
    }
    Test::JournalTestBackend::closeRaw(rawName);
    QVERIFY(writer->wait(30'000));
    delete writer;
    QVERIFY(!outcome.ok());
    QCOMPARE(outcome.error().code, QStringLiteral("StaleFence"));
    TAKE(highest, a->highestFence(QStringLiteral("CR1")));
    QCOMPARE(highest, 10);
    TAKE(rows, a->trades(TradeFilter()));
    QCOMPARE(rows.size(), 1);
}

void TestJournal::racingFencedWritesCommitInTokenOrder()
{
    // Several instances race writes whose tokens come from one increasing counter. If the check and the write
    // were not one transaction, a write could pass the check, lose the race to a newer token, and still commit
    // after it. Row ids are assigned inside the write transaction, so in id order the accepted tokens must rise.
    const QString url = freshUrl();
    {
        TAKE(init, Journal::open(config(url)));
    }
    constexpr int kThreads = 3;
    constexpr int kWrites = 120;
    std::atomic<qint64> nextFence { 1 };
    QList<qint64> accepted[kThreads];
    QStringList errors[kThreads];
    QList<QThread *> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads << QThread::create([&, i] {
            auto j = Journal::open(config(url));
            if (!j) {
                errors[i] << j.error().toString();
                return;
            }
            for (int n = 0; n < kWrites; ++n) {
                Trade t = sampleTrade(QStringLiteral("CR1"), kT0 + n);
                t.fence = nextFence.fetch_add(1);
                auto r = j.value()->insertPending(t);
                if (r.ok())
                    accepted[i] << t.fence;
                else if (r.error().code != QLatin1String("StaleFence"))
                    errors[i] << r.error().toString();
            }
        });
    }
    for (QThread *t : threads)
        t->start();
    for (QThread *t : threads) {
        QVERIFY(t->wait(120'000));
        delete t;
    }
    for (const QStringList &e : errors)
        QVERIFY2(e.isEmpty(), qPrintable(e.join(u'\n')));

    QSet<qint64> acceptedFences;
    for (const auto &a : accepted)
        for (qint64 f : a)
            acceptedFences.insert(f);

    TAKE(j, Journal::open(config(url)));
    TradeFilter f;
    f.account = QStringLiteral("CR1");
    TAKE(rows, j->trades(f));
    std::sort(rows.begin(), rows.end(), [](const Trade &x, const Trade &y) { return x.localId < y.localId; });
    QCOMPARE(rows.size(), acceptedFences.size());
    qint64 last = 0;
    for (const Trade &t : rows) {
        QVERIFY2(
            t.fence > last, qPrintable(QStringLiteral("token %1 committed after token %2").arg(t.fence).arg(last)));
        QVERIFY(acceptedFences.contains(t.fence));
        last = t.fence;
    }
    TAKE(highest, j->highestFence(QStringLiteral("CR1")));
    QCOMPARE(highest, last);
    qInfo() << "accepted" << rows.size() << "of" << kThreads * kWrites << "racing fenced writes";
}

// Twelve account workers of one process on one SQLite file, as the engine runs them: each write waits its turn
// in the process (the shared writer lock) instead of polling SQLite's lock in growing sleeps, so none of them
// runs out a short busy timeout.
void TestJournal::manyAccountWritersQueueWithinTheBusyTimeout()
{
    const QString url = freshUrl();
    JournalConfig c = config(url);
    c.busyTimeoutMs = 5000;
    {
        TAKE(init, Journal::open(c));
    }
    constexpr int kThreads = 12;
    constexpr int kTrades = 15;
    QStringList errors[kThreads];
    QList<QThread *> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads << QThread::create([&, i] {
            auto j = Journal::open(c);
            if (!j) {
                errors[i] << j.error().toString();
                return;
            }
            for (int n = 0; n < kTrades; ++n) {
                auto id = j.value()->insertPending(sampleTrade(QStringLiteral("CR%1").arg(i), kT0 + n, usd(100 + n)));
                if (!id) {
                    errors[i] << id.error().toString();
                    continue;
                }
                const qint64 contract = (i + 1) * 100'000 + n;
                if (auto r = j.value()->markOpen(id.value(), contract, contract + 1, usd(100 + n), usd(195 + n), kT0 + n, 0); !r)
                    errors[i] << r.error().toString();
            }
        });
    }
    for (QThread *t : threads)
        t->start();
    for (QThread *t : threads) {
        QVERIFY(t->wait(300'000));
        delete t;
    }
    for (const QStringList &e : errors)
        QVERIFY2(e.isEmpty(), qPrintable(e.join(u'\n')));
    TAKE(journal, Journal::open(c));
    TAKE(all, journal->trades(TradeFilter{}));
    QCOMPARE(all.size(), qsizetype(kThreads * kTrades));
}

void TestJournal::concurrentWritersLoseNothing()
{
    const QString url = freshUrl();
    {
        TAKE(init, Journal::open(config(url)));
    }
    constexpr int kThreads = 3;
    constexpr int kTrades = 40;
    QList<qint64> ids[kThreads];
    QStringList errors[kThreads];
    QList<QThread *> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads << QThread::create([&, i] {
            auto j = Journal::open(config(url));
            if (!j) {
                errors[i] << j.error().toString();
                return;
            }
            Journal &journal = *j.value();
            for (int n = 0; n < kTrades; ++n) {
                auto id = journal.insertPending(sampleTrade(QStringLiteral("CR%1").arg(i % 2), kT0 + n, usd(100 + n)));
                if (!id) {
                    errors[i] << id.error().toString();
                    continue;
                }
                ids[i] << id.value();
                const qint64 contract = (i + 1) * 100'000 + n;
                if (auto r
                    = journal.markOpen(id.value(), contract, contract + 1, usd(100 + n), usd(195 + n), kT0 + n, 0);
                    !r)
                    errors[i] << r.error().toString();
                if (auto r = journal.settle(id.value(), TradeStatus::Won, usd(195 + n), usd(95), kT0 + n + 5, {}, 0);
                    !r)
                    errors[i] << r.error().toString();
            }
        });
    }
    for (QThread *t : threads)
        t->start();
    for (QThread *t : threads) {
        QVERIFY(t->wait(120'000));
        delete t;
    }
    for (const QStringList &e : errors)
        QVERIFY2(e.isEmpty(), qPrintable(e.join(u'\n')));

    TAKE(j, Journal::open(config(url)));
    TAKE(all, j->trades(TradeFilter()));
    QCOMPARE(all.size(), kThreads * kTrades);
    QSet<qint64> seen;
    for (int i = 0; i < kThreads; ++i) {
        QCOMPARE(ids[i].size(), kTrades);
        for (int n = 0; n < kTrades; ++n) {
            QVERIFY(!seen.contains(ids[i][n]));
            seen.insert(ids[i][n]);
            TAKE(t, j->trade(ids[i][n]));
            QVERIFY(t.has_value());
            QCOMPARE(t->status, TradeStatus::Won);
            QCOMPARE(t->contractId, (i + 1) * 100'000 + n);
            QCOMPARE(t->stake, usd(100 + n));
            QCOMPARE(t->profit, std::optional<Money>(usd(95)));
        }
    }
    TAKE(u0, j->dailyUsage(QStringLiteral("CR0"), kT0 - 1, kT0 + 86'400'000));
    TAKE(u1, j->dailyUsage(QStringLiteral("CR1"), kT0 - 1, kT0 + 86'400'000));
    QCOMPARE(u0.settledCount + u1.settledCount, kThreads * kTrades);
    QCOMPARE((u0.realizedProfit + u1.realizedProfit).minor(), qint64(kThreads * kTrades * 95));
}

// --- limits, transitions, reports, audit -------------------------------------------------------------------------

void TestJournal::dailyUsageAcrossUtcDayBoundary()
{
    constexpr qint64 kDay = 86'400'000;
    const qint64 day = utcMs(2024, 3, 11);
    QCOMPARE(utcDayStartMs(day + 12 * 3'600'000), day);
    QCOMPARE(utcDayStartMs(day - 1), day - kDay);
    QCOMPARE(utcDayKey(day - 1), QStringLiteral("2024-03-10"));
    QCOMPARE(utcDayKey(day), QStringLiteral("2024-03-11"));

    TAKE(j, Journal::open(config(freshUrl())));
    const QString acc = QStringLiteral("CR1");
    auto pending = [&](qint64 opened, qint64 stake, const QString &account = QStringLiteral("CR1")) {
        return j->insertPending(sampleTrade(account, opened, usd(stake)));
    };
    // t1: opened the day before, lost just after midnight: yesterday's trade, today's loss.
    TAKE(t1, pending(day - 60'000, 1000));
    VERIFY_OK(j->markOpen(t1, 1, 1, usd(1000), usd(1953), day - 60'000, 0));
    VERIFY_OK(j->settle(t1, TradeStatus::Lost, usd(0), usd(-1000), day + 1000, {}, 0));
    // t2: opened exactly at the start of the day (inclusive), still open.
    TAKE(t2, pending(day, 500));
    VERIFY_OK(j->markOpen(t2, 2, 2, usd(500), usd(976), day, 0));
    // t3: won within the day.
    TAKE(t3, pending(day + 3'600'000, 1000));
    VERIFY_OK(j->markOpen(t3, 3, 3, usd(1000), usd(1953), day + 3'600'000, 0));
    VERIFY_OK(j->settle(t3, TradeStatus::Won, usd(1953), usd(953), day + 3'605'000, {}, 0));
    // t4: pending in the last millisecond of the day: counts (it may have bought).
    TAKE(t4, pending(day + kDay - 1, 100));
    Q_UNUSED(t4);
    // t5: pending at the first millisecond of the next day (exclusive end).
    TAKE(t5, pending(day + kDay, 200));
    Q_UNUSED(t5);
    // t6: failed within the day: never bought, does not count.
    TAKE(t6, pending(day + 100, 300));
    VERIFY_OK(j->markFailed(t6, QStringLiteral("InsufficientBalance"), 0));
    // t7: unknown within the day: counts.
    TAKE(t7, pending(day + 200, 400));
    VERIFY_OK(j->markUnknown(t7, {}, 0));
    // t8: opened today, sold after midnight: opened today, realized tomorrow.
    TAKE(t8, pending(day + 300, 700));
    VERIFY_OK(j->markOpen(t8, 8, 8, usd(700), usd(1366), day + 300, 0));
    VERIFY_OK(j->settle(t8, TradeStatus::Sold, usd(600), usd(-100), day + kDay + 5, {}, 0));
    // t9: another account.
    TAKE(t9, pending(day + 10, 5000, QStringLiteral("CR2")));
    VERIFY_OK(j->markOpen(t9, 9, 9, usd(5000), usd(9765), day + 10, 0));
    VERIFY_OK(j->settle(t9, TradeStatus::Won, usd(9765), usd(4765), day + 20, {}, 0));

    TAKE(today, j->dailyUsage(acc, day, day + kDay));
    QCOMPARE(today.tradesOpened, 5); // t2 t3 t4 t7 t8
    QCOMPARE(today.stakeOpened, usd(500 + 1000 + 100 + 400 + 700));
    QCOMPARE(today.settledCount, 2); // t1 t3
    QCOMPARE(today.realizedProfit, usd(-1000 + 953));
    QCOMPARE(today.openCount, 1); // t2
    QCOMPARE(today.unresolvedCount, 3); // t4 t5 t7
    QCOMPARE(today.unresolvedStake, usd(500 + 100 + 200 + 400)); // t2 t4 t5 t7: all still at risk
    // The per-buy read gives the same figures without reading every row for the precision check.
    TAKE(current, j->currentUsage(acc, day, day + kDay, 2));
    QCOMPARE(current.tradesOpened, today.tradesOpened);
    QCOMPARE(current.realizedProfit, today.realizedProfit);
    QCOMPARE(current.openCount, today.openCount);
    QCOMPARE(current.unresolvedCount, today.unresolvedCount);
    QCOMPARE(current.unresolvedStake, today.unresolvedStake);

    TAKE(yesterday, j->dailyUsage(acc, day - kDay, day));
    QCOMPARE(yesterday.tradesOpened, 1);
    QCOMPARE(yesterday.stakeOpened, usd(1000));
    QCOMPARE(yesterday.settledCount, 0);
    QCOMPARE(yesterday.realizedProfit, usd(0));

    TAKE(tomorrow, j->dailyUsage(acc, day + kDay, day + 2 * kDay));
    QCOMPARE(tomorrow.tradesOpened, 1); // t5
    QCOMPARE(tomorrow.settledCount, 1); // t8
    QCOMPARE(tomorrow.realizedProfit, usd(-100));

    TAKE(empty, j->dailyUsage(QStringLiteral("CR-none"), day, day + kDay, 8));
    QCOMPARE(empty.tradesOpened, 0);
    QCOMPARE(empty.realizedProfit, Money::zero(8));
    QVERIFY(!j->dailyUsage(acc, day, day).ok());
}

// The per-buy usage read (currentUsage) answers from its last read while nothing was committed to the file
// (SQLite): any commit, through this connection, another one of this thread, or one on another thread, shows.
void TestJournal::currentUsageSeesEveryCommit()
{
    constexpr qint64 kDay = 86'400'000;
    const qint64 day = utcMs(2024, 3, 11);
    const QString url = freshUrl();
    const QString acc = QStringLiteral("CR1");
    TAKE(a, Journal::open(config(url)));
    TAKE(b, Journal::open(config(url)));
    const auto usage = [&] { return a->currentUsage(acc, day, day + kDay, 2); };
    const auto hits = [&] {
        auto diag = a->diagnostics();
        return diag ? diag.value().usageCacheHits : -1;
    };

    TAKE(u0, usage());
    QCOMPARE(u0.unresolvedCount, 0);
    TAKE(again, usage());
    QCOMPARE(again.unresolvedCount, 0);
    const qint64 hitsBefore = hits();
    QCOMPARE(hitsBefore, Test::JournalTestBackend::isPostgres() ? 0 : 1); // nothing changed: no aggregate read

    TAKE(t1, b->insertPending(sampleTrade(acc, day + 10, usd(1000)))); // another connection
    TAKE(u1, usage());
    QCOMPARE(u1.unresolvedCount, 1);
    QCOMPARE(u1.tradesOpened, 1);
    TAKE(t2, a->insertPending(sampleTrade(acc, day + 20, usd(500)))); // this one
    TAKE(u2, usage());
    QCOMPARE(u2.unresolvedCount, 2);
    QCOMPARE(u2.unresolvedStake, usd(1500));
    VERIFY_OK(b->markOpen(t1, 11, 11, usd(1000), usd(1953), day + 10, 0));
    TAKE(u3, usage());
    QCOMPARE(u3.openCount, 1);
    QCOMPARE(u3.unresolvedCount, 1);
    VERIFY_OK(b->settle(t1, TradeStatus::Lost, usd(0), usd(-1000), day + 30, {}, 0));
    TAKE(u4, usage());
    QCOMPARE(u4.openCount, 0);
    QCOMPARE(u4.realizedProfit, usd(-1000));
    TAKE(other, a->currentUsage(acc, day + kDay, day + 2 * kDay, 2)); // another day: its own figures
    QCOMPARE(other.tradesOpened, 0);
    QCOMPARE(other.unresolvedCount, 1); // t2 is at risk whatever the day
    TAKE(u5, usage());
    QCOMPARE(u5.realizedProfit, usd(-1000));

    // A commit from another thread (its own connection, possibly leading a group commit).
    QString error;
    QThread *writer = QThread::create([&] {
        auto c = Journal::open(config(url));
        if (!c) {
            error = c.error().toString();
            return;
        }
        auto id = c.value()->insertPending(sampleTrade(acc, day + 40, usd(200)));
        if (!id)
            error = id.error().toString();
        else if (auto r = c.value()->markFailed(t2, QStringLiteral("never sent"), 0); !r)
            error = r.error().toString();
    });
    writer->start();
    QVERIFY(writer->wait(30'000));
    delete writer;
    QVERIFY2(error.isEmpty(), qPrintable(error));
    TAKE(u6, usage());
    QCOMPARE(u6.unresolvedCount, 1);              // t2 failed, the new one pending
    QCOMPARE(u6.unresolvedStake, usd(200));
    QCOMPARE(u6.tradesOpened, 2);                 // t1 and the new one (t2 failed)
    TAKE(u7, usage());
    QCOMPARE(u7.unresolvedStake, usd(200));
    if (!Test::JournalTestBackend::isPostgres())
        QCOMPARE(hits(), hitsBefore + 1); // u7: nothing had changed (u5 followed a read of another day)
}

void TestJournal::dayStartBalanceFirstWriteWins()
{
    const QString url = freshUrl();
    TAKE(a, Journal::open(config(url)));
    TAKE(b, Journal::open(config(url)));
    TAKE(none, a->dayStartBalance(QStringLiteral("CR1"), QStringLiteral("2024-03-11")));
    QVERIFY(!none.has_value());
    TAKE(first, a->setDayStartBalance(QStringLiteral("CR1"), QStringLiteral("2024-03-11"), usd(1'000'037)));
    QCOMPARE(first, usd(1'000'037));
    TAKE(second, b->setDayStartBalance(QStringLiteral("CR1"), QStringLiteral("2024-03-11"), usd(999)));
    QCOMPARE(second, usd(1'000'037)); // the first write won
    TAKE(read, b->dayStartBalance(QStringLiteral("CR1"), QStringLiteral("2024-03-11")));
    QCOMPARE(read, std::optional<Money>(usd(1'000'037)));
    TAKE(nextDay, b->setDayStartBalance(QStringLiteral("CR1"), QStringLiteral("2024-03-12"), usd(999)));
    QCOMPARE(nextDay, usd(999));
    QCOMPARE(a->setDayStartBalance(QStringLiteral("CR1"), QStringLiteral("2024-3-12"), usd(1)).error().code,
        QStringLiteral("BadInput"));
    QCOMPARE(a->setDayStartBalance(QStringLiteral("CR1"), QStringLiteral("2024-02-30"), usd(1)).error().code,
        QStringLiteral("BadInput"));
}

void TestJournal::botTransitionsAndLatestState()
{
    const QString url = freshUrl();
    {
        TAKE(j, Journal::open(config(url)));
        VERIFY_OK(j->recordBotTransition(QStringLiteral("bot-a"), QStringLiteral("CR1"), QStringLiteral("idle"),
            QStringLiteral("running"), QStringLiteral("user start"), kT0));
        VERIFY_OK(j->recordBotTransition(QStringLiteral("bot-b"), QStringLiteral("CR1"), QStringLiteral("idle"),
            QStringLiteral("running"), QStringLiteral("user start"), kT0 + 1));
        VERIFY_OK(j->recordBotTransition(QStringLiteral("bot-a"), QStringLiteral("CR1"), QStringLiteral("running"),
            QStringLiteral("halted"), QStringLiteral("daily loss limit"), kT0 + 2));
        // Same timestamp: the later record wins.
        VERIFY_OK(j->recordBotTransition(QStringLiteral("bot-a"), QStringLiteral("CR1"), QStringLiteral("halted"),
            QStringLiteral("stopped"), QStringLiteral("emergency stop"), kT0 + 2));
        QVERIFY(!j->recordBotTransition(QString(), QStringLiteral("CR1"), {}, QStringLiteral("x"), {}, kT0).ok());
    }
    TAKE(j, Journal::open(config(url))); // as after a restart
    TAKE(history, j->botTransitions(QStringLiteral("bot-a"), 10));
    QCOMPARE(history.size(), 3);
    QCOMPARE(history[0].to, QStringLiteral("stopped"));
    QCOMPARE(history[0].reason, QStringLiteral("emergency stop"));
    QCOMPARE(history[1].to, QStringLiteral("halted"));
    QCOMPARE(history[2].from, QStringLiteral("idle"));
    QCOMPARE(history[2].atMs, kT0);
    TAKE(limited, j->botTransitions(QStringLiteral("bot-a"), 1));
    QCOMPARE(limited.size(), 1);
    TAKE(latest, j->latestBotStates());
    QCOMPARE(latest.size(), 2);
    QCOMPARE(latest[0].bot, QStringLiteral("bot-a"));
    QCOMPARE(latest[0].to, QStringLiteral("stopped"));
    QCOMPARE(latest[1].bot, QStringLiteral("bot-b"));
    QCOMPARE(latest[1].to, QStringLiteral("running"));
    QCOMPARE(latest[1].account, QStringLiteral("CR1"));
}

void TestJournal::reportsRoundTrip()
{
    TAKE(j, Journal::open(config(freshUrl())));
    ReconcileReport r;
    r.account = QStringLiteral("CR1");
    r.trigger = QStringLiteral("startup");
    r.startedMs = kT0;
    r.finishedMs = kT0 + 1500;
    r.adopted = 1;
    r.failed = 2;
    r.settled = 3;
    r.stale = 4;
    r.orphans = 5;
    r.mismatches = 6;
    Discrepancy d1;
    d1.kind = QStringLiteral("orphan");
    d1.contractId = 250'001'234'567;
    d1.after = QJsonObject { { QStringLiteral("status"), QStringLiteral("open") },
        { QStringLiteral("stake"), QStringLiteral("10.00") } };
    d1.action = QStringLiteral("adopted");
    Discrepancy d2;
    d2.kind = QStringLiteral("mismatch");
    d2.localId = 17;
    d2.contractId = 18;
    d2.before = QJsonObject { { QStringLiteral("profit"), QStringLiteral("9.53") } };
    d2.after = QJsonObject { { QStringLiteral("profit"), QStringLiteral("-10.00") },
        { QStringLiteral("nested"), QJsonArray { 1, 2, QStringLiteral("x") } } };
    d2.action = QStringLiteral("corrected");
    r.discrepancies = { d1, d2 };
    TAKE(id, j->saveReport(r));

    ReconcileReport failedRun;
    failedRun.account = QStringLiteral("CR1");
    failedRun.trigger = QStringLiteral("reconnect");
    failedRun.startedMs = kT0 + 10'000;
    failedRun.finishedMs = kT0 + 10'100;
    failedRun.error = QStringLiteral("profit_table: RateLimit");
    TAKE(id2, j->saveReport(failedRun));
    ReconcileReport other = failedRun;
    other.account = QStringLiteral("CR2");
    VERIFY_OK(j->saveReport(other));

    TAKE(back, j->report(id));
    QVERIFY(back.has_value());
    QCOMPARE(back->id, id);
    QCOMPARE(back->account, r.account);
    QCOMPARE(back->trigger, r.trigger);
    QCOMPARE(back->startedMs, r.startedMs);
    QCOMPARE(back->finishedMs, r.finishedMs);
    QCOMPARE(QList<int>({ back->adopted, back->failed, back->settled, back->stale, back->orphans, back->mismatches }),
        QList<int>({ 1, 2, 3, 4, 5, 6 }));
    QVERIFY(back->completed());
    QCOMPARE(back->discrepancies.size(), 2);
    QCOMPARE(back->discrepancies[0].kind, QStringLiteral("orphan"));
    QCOMPARE(back->discrepancies[0].localId, 0);
    QCOMPARE(back->discrepancies[0].contractId, 250'001'234'567);
    QVERIFY(back->discrepancies[0].before.isEmpty());
    QCOMPARE(back->discrepancies[0].after, d1.after);
    QCOMPARE(back->discrepancies[1].before, d2.before);
    QCOMPARE(back->discrepancies[1].after, d2.after);
    QCOMPARE(back->discrepancies[1].action, QStringLiteral("corrected"));

    TAKE(list, j->reports(QStringLiteral("CR1"), 10));
    QCOMPARE(list.size(), 2);
    QCOMPARE(list[0].id, id2); // newest first
    QCOMPARE(list[0].error, QStringLiteral("profit_table: RateLimit"));
    QVERIFY(!list[0].completed());
    QCOMPARE(list[1].discrepancies.size(), 2);
    TAKE(all, j->reports(QString(), 10));
    QCOMPARE(all.size(), 3);
    TAKE(missing, j->report(id + 1000));
    QVERIFY(!missing.has_value());
}

void TestJournal::auditRoundTripNeverStoresAToken()
{
    const QString url = freshUrl();
    const QString token = QStringLiteral("a1-ZzTopSecretTok3n");
    const QString registered = QStringLiteral("Registered-Secret-42");
    Redactor::registerSecret(registered);
    {
        TAKE(j, Journal::open(config(url)));
        VERIFY_OK(j->audit(QStringLiteral("emergency_stop"), QString(),
            QJsonObject { { QStringLiteral("source"), QStringLiteral("hotkey") }, { QStringLiteral("sold"), 3 } },
            kT0));
        VERIFY_OK(j->audit(QStringLiteral("token_revoked"), QStringLiteral("CR1"),
            QJsonObject { { QStringLiteral("token"), token },
                { QStringLiteral("display_name"), QStringLiteral("vigil-trading") },
                { QStringLiteral("request"), QJsonObject { { QStringLiteral("authorize"), token } } },
                { QStringLiteral("note"), QString(QStringLiteral("was ") + registered) } },
            kT0 + 5));
        VERIFY_OK(j->audit(QStringLiteral("lock_lost"), QStringLiteral("CR2"), {}, kT0 + 7));
        QVERIFY(!j->audit(QString(), QString(), {}, kT0).ok());
    }
    Redactor::forgetSecret(registered);
    TAKE(j, Journal::open(config(url)));
    TAKE(events, j->auditEvents(10));
    QCOMPARE(events.size(), 3);
    QCOMPARE(events[0].kind, QStringLiteral("lock_lost"));
    QCOMPARE(events[2].kind, QStringLiteral("emergency_stop"));
    QCOMPARE(events[2].details.value(QStringLiteral("sold")).toInt(), 3);
    QCOMPARE(events[2].atMs, kT0);
    const AuditEvent &revoked = events[1];
    QCOMPARE(revoked.account, QStringLiteral("CR1"));
    QCOMPARE(revoked.details.value(QStringLiteral("display_name")).toString(), QStringLiteral("vigil-trading"));
    QCOMPARE(revoked.details.value(QStringLiteral("token")).toString(), QString(Redactor::Mask));
    TAKE(forCr1, j->auditEvents(10, QStringLiteral("CR1")));
    QCOMPARE(forCr1.size(), 1);

    // Behind the journal's back: no trace of either secret anywhere in the table.
    const QString rawName = QStringLiteral("raw-audit");
    {
        QSqlDatabase db = m_backend.raw(url, rawName);
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT kind, account, details_json FROM audit_events")));
        int rows = 0;
        while (q.next()) {
            ++rows;
            for (int c = 0; c < 3; ++c) {
                QVERIFY(!q.value(c).toString().contains(token));
                QVERIFY(!q.value(c).toString().contains(registered));
            }
        }
        QCOMPARE(rows, 3);
    }
    Test::JournalTestBackend::closeRaw(rawName);
}

void TestJournal::noSecretColumn()
{
    const QString url = freshUrl();
    {
        TAKE(j, Journal::open(config(url)));
    }
    static const QRegularExpression secretish(
        QStringLiteral("token|secret|passw|api_?key|credential|otp|auth"), QRegularExpression::CaseInsensitiveOption);
    const QString rawName = QStringLiteral("raw-columns");
    {
        QSqlDatabase db = m_backend.raw(url, rawName);
        const QStringList tables = db.tables(QSql::Tables);
        QVERIFY(tables.contains(QStringLiteral("trades")));
        QVERIFY(tables.contains(QStringLiteral("audit_events")));
        int columns = 0;
        for (const QString &table : tables) {
            QVERIFY2(!secretish.match(table).hasMatch(), qPrintable(table));
            const QSqlRecord record = db.record(table);
            for (int i = 0; i < record.count(); ++i) {
                ++columns;
                QVERIFY2(
                    !secretish.match(record.fieldName(i)).hasMatch(), qPrintable(table + u'.' + record.fieldName(i)));
            }
        }
        QVERIFY(columns > 40);
    }
    Test::JournalTestBackend::closeRaw(rawName);
}

QTEST_GUILESS_MAIN(TestJournal)
#include "tst_journal.moc"
