// SPDX-License-Identifier: GPL-3.0-or-later
// RedisUsageBoard over a real redis-server (label "redis"): shares of an account's limit usage, one per journal;
// and how UsageShare::total adds them up across a day boundary.
#include <QScopeGuard>
#include <QTest>

#include "coordination/redisconnection.h"
#include "coordination/redisusageboard.h"
#include "support/redisserver.h"
#include "support/resultcheck.h"

using namespace Vigil;
using Vigil::Test::describe;

namespace {
constexpr qint64 kDayStart = 1'795'305'600'000; // 2026-11-22 00:00 UTC
constexpr qint64 kDayMs = 86'400'000;

UsageShare share(qint64 sequence, int trades, int open, qint64 stakeMinor, qint64 realizedMinor)
{
    UsageShare s;
    s.dayStartMs = kDayStart;
    s.instanceId = QStringLiteral("i-%1").arg(sequence);
    s.sequence = sequence;
    s.tradesToday = trades;
    s.openContracts = open;
    s.openStake = Money::fromMinor(stakeMinor, 2);
    s.realizedPnl = Money::fromMinor(realizedMinor, 2);
    s.publishedMs = 1000 + sequence;
    return s;
}
} // namespace

class TestRedisUsageBoard final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void eachJournalSeesTheOthers();
    void anOlderShareNeverReplacesANewerOne();
    void sharesAreKeptPerAccountForAWeek();
    void anUnreadableShareIsAnError();
    void aNewerShareOfThisJournalIsAConflict();
    void totalsCountOpenContractsWhateverTheDay();
    void downRedisIsAnError();
    void contractsAreTheirJournals();
    void unresolvedBuysOfOtherJournals();

private:
    RedisConfig config() const { return RedisConfig::fromUrl(m_server.url()).value(); }

    Test::RedisServer m_server;
    std::unique_ptr<RedisConnection> m_raw;
};

void TestRedisUsageBoard::initTestCase()
{
    VIGIL_START_REDIS_OR_SKIP(m_server);
}

void TestRedisUsageBoard::init()
{
    m_raw = std::make_unique<RedisConnection>(config());
    QVERIFY(m_raw->command({QByteArrayLiteral("FLUSHALL")}).ok());
}

void TestRedisUsageBoard::eachJournalSeesTheOthers()
{
    RedisUsageBoard a(config(), QStringLiteral("journal-a"));
    RedisUsageBoard b(config(), QStringLiteral("journal-b"));
    RedisUsageBoard c(config(), QStringLiteral("journal-c"));
    const QString login = QStringLiteral("CR100");
    QVERIFY2(a.publish(login, share(5, 3, 1, 150, -200)).ok(), "publish a");
    QVERIFY2(b.publish(login, share(9, 4, 2, 300, 125)).ok(), "publish b");

    auto seenByA = a.others(login, 5);
    QVERIFY2(seenByA.ok(), describe(seenByA));
    QCOMPARE(seenByA->size(), 1); // its own share is read from its journal, not from Redis
    QCOMPARE(seenByA->first().journal, QStringLiteral("journal-b"));
    QCOMPARE(seenByA->first().tradesToday, 4);
    QCOMPARE(seenByA->first().openContracts, 2);
    QCOMPARE(seenByA->first().openStake, Money::fromMinor(300, 2));
    QCOMPARE(seenByA->first().realizedPnl, Money::fromMinor(125, 2));
    QCOMPARE(seenByA->first().instanceId, QStringLiteral("i-9"));

    auto seenByC = c.others(login, 0);
    QVERIFY2(seenByC.ok(), describe(seenByC));
    QCOMPARE(seenByC->size(), 2);
    int trades = 0;
    for (const UsageShare &s : seenByC.value())
        trades += s.tradesToday;
    QCOMPARE(trades, 7);
    // Another account: nothing.
    auto other = c.others(QStringLiteral("CR200"), 0);
    QVERIFY(other.ok() && other->isEmpty());
}

void TestRedisUsageBoard::anOlderShareNeverReplacesANewerOne()
{
    // Two instances on one journal publish the same share: one that read the journal before the other's buy
    // must not take that buy back out.
    RedisUsageBoard first(config(), QStringLiteral("shared-journal"));
    RedisUsageBoard second(config(), QStringLiteral("shared-journal"));
    RedisUsageBoard reader(config(), QStringLiteral("elsewhere"));
    const QString login = QStringLiteral("CR100");
    QVERIFY(first.publish(login, share(20, 6, 2, 100, 0)).ok());
    // Read earlier, published later: not written, and not an error (the newer share counts all this one does; an
    // instance on the same journal must not refuse its buy for it).
    auto stale = second.publish(login, share(19, 5, 1, 50, 0));
    QVERIFY2(stale.ok(), describe(stale));
    QCOMPARE(stale.value(), false);
    auto seen = reader.others(login, 0);
    QVERIFY2(seen.ok(), describe(seen));
    QCOMPARE(seen->size(), 1);
    QCOMPARE(seen->first().sequence, 20);
    QCOMPARE(seen->first().tradesToday, 6);
    auto same = second.publish(login, share(20, 6, 1, 50, 0)); // the same sequence: the same journal state
    QVERIFY(same.ok() && same.value());
    auto newer = second.publish(login, share(21, 6, 1, 50, -50)); // newer: replaces
    QVERIFY(newer.ok() && newer.value());
    seen = reader.others(login, 0);
    QVERIFY2(seen.ok(), describe(seen));
    QCOMPARE(seen->first().sequence, 21);
    QCOMPARE(seen->first().openContracts, 1);
    // A field its script cannot read (no sequence) is replaced, not a publish that fails forever.
    QVERIFY(m_raw->command({QByteArrayLiteral("HSET"), RedisUsageBoard::key(login).toUtf8(), QByteArrayLiteral("shared-journal"),
                            QByteArrayLiteral(R"({"sequence": null})")}).ok());
    QVERIFY(first.publish(login, share(22, 7, 1, 50, -50)).ok());
    seen = reader.others(login, 0);
    QVERIFY2(seen.ok(), describe(seen));
    QCOMPARE(seen->first().sequence, 22);
}

void TestRedisUsageBoard::sharesAreKeptPerAccountForAWeek()
{
    RedisUsageBoard board(config(), QStringLiteral("journal-a"));
    QVERIFY(board.publish(QStringLiteral("CR100"), share(1, 1, 1, 10, 0)).ok());
    const QString key = RedisUsageBoard::key(QStringLiteral("CR100"));
    QCOMPARE(key, QStringLiteral("vigil:usage:CR100"));
    QCOMPARE(RedisUsageBoard::journalKey(QStringLiteral("id"), QStringLiteral("host:/j.db")), QStringLiteral("id@host:/j.db"));
    auto ttl = m_raw->command({QByteArrayLiteral("PTTL"), key.toUtf8()});
    QVERIFY(ttl.ok());
    QVERIFY2(ttl->integer > 6 * kDayMs && ttl->integer <= 7 * kDayMs, QByteArray::number(ttl->integer));
}

void TestRedisUsageBoard::anUnreadableShareIsAnError()
{
    RedisUsageBoard board(config(), QStringLiteral("journal-a"));
    const QString key = RedisUsageBoard::key(QStringLiteral("CR100"));
    QVERIFY(m_raw->command({QByteArrayLiteral("HSET"), key.toUtf8(), QByteArrayLiteral("journal-x"),
                            QByteArrayLiteral(R"({"trades": "many"})")}).ok());
    auto seen = board.others(QStringLiteral("CR100"), 0);
    QVERIFY(!seen.ok());
    QCOMPARE(seen.error().kind, ErrorKind::Coordination);
    QCOMPARE(seen.error().code, QStringLiteral("UsageUnreadable"));
    QVERIFY2(seen.error().message.contains(QLatin1String("journal-x")), qPrintable(seen.error().message));
    // Not a hash at all.
    QVERIFY(m_raw->command({QByteArrayLiteral("DEL"), key.toUtf8()}).ok());
    QVERIFY(m_raw->command({QByteArrayLiteral("SET"), key.toUtf8(), QByteArrayLiteral("x")}).ok());
    seen = board.others(QStringLiteral("CR100"), 0);
    QVERIFY(!seen.ok());
    QCOMPARE(seen.error().kind, ErrorKind::Coordination);
}

void TestRedisUsageBoard::aNewerShareOfThisJournalIsAConflict()
{
    // The journal was restored from a backup: Redis knows of buys it does not.
    RedisUsageBoard board(config(), QStringLiteral("journal-a"));
    QVERIFY(board.publish(QStringLiteral("CR100"), share(40, 9, 0, 0, 0)).ok());
    auto ok = board.others(QStringLiteral("CR100"), 40);
    QVERIFY2(ok.ok(), describe(ok));
    QVERIFY(ok->isEmpty()); // its own share is not among the others
    auto restored = board.others(QStringLiteral("CR100"), 12);
    QVERIFY(!restored.ok());
    QCOMPARE(restored.error().code, QStringLiteral("UsageShareConflict"));
    QVERIFY2(restored.error().message.contains(QLatin1String("HDEL vigil:usage:CR100 'journal-a'")),
             qPrintable(restored.error().message));
}

void TestRedisUsageBoard::totalsCountOpenContractsWhateverTheDay()
{
    UsageShare today = share(1, 4, 1, 100, -300);
    UsageShare yesterday = share(2, 7, 2, 250, -900); // not published since midnight
    yesterday.dayStartMs = kDayStart - kDayMs;
    auto t = UsageShare::total({today, yesterday}, kDayStart, 2);
    QVERIFY2(t.ok(), describe(t));
    QCOMPARE(t->tradesToday, 4);                   // yesterday's trades are yesterday's
    QCOMPARE(t->realizedPnl, Money::fromMinor(-300, 2));
    QCOMPARE(t->openContracts, 3);                 // but its open contracts are open now
    QCOMPARE(t->openStake, Money::fromMinor(350, 2));

    UsageShare otherBoundary = today;
    otherBoundary.dayStartMs = kDayStart + 3600'000; // a ledger whose day starts an hour later
    auto mismatch = UsageShare::total({otherBoundary}, kDayStart, 2);
    QVERIFY(!mismatch.ok());
    QCOMPARE(mismatch.error().code, QStringLiteral("UsageUnreadable"));
    auto digits = UsageShare::total({today}, kDayStart, 8);
    QVERIFY(!digits.ok());
    QCOMPARE(digits.error().code, QStringLiteral("UsageUnreadable"));
    auto none = UsageShare::total({}, kDayStart, 2);
    QVERIFY(none.ok() && none->tradesToday == 0 && none->openStake == Money::zero(2));
}

void TestRedisUsageBoard::downRedisIsAnError()
{
    RedisConfig cfg = config();
    m_server.kill();
    const auto restart = qScopeGuard([this] { QVERIFY(m_server.start()); });
    RedisUsageBoard board(cfg, QStringLiteral("journal-a"));
    auto seen = board.others(QStringLiteral("CR100"), 0);
    QVERIFY(!seen.ok()); // never an empty list: that would read as "nobody else traded"
    QCOMPARE(seen.error().kind, ErrorKind::Coordination);
    QVERIFY(!board.publish(QStringLiteral("CR100"), share(1, 1, 1, 10, 0)).ok());
}

void TestRedisUsageBoard::contractsAreTheirJournals()
{
    RedisUsageBoard a(config(), QStringLiteral("journal-a"));
    RedisUsageBoard b(config(), QStringLiteral("journal-b"));
    const QString login = QStringLiteral("CR100");
    // Recorded with a share, whether or not the share replaces the one in Redis.
    QVERIFY(a.publish(login, share(5, 1, 1, 10, 0), {11}).ok());
    auto older = a.publish(login, share(4, 1, 1, 10, 0), {12});
    QVERIFY(older.ok() && !older.value());
    QVERIFY(b.publish(login, share(7, 1, 1, 10, 0), {21}).ok());
    QVERIFY(a.publish(login, share(6, 1, 1, 10, 0)).ok());

    auto seenByA = a.foreign(login, {11, 12, 21, 99});
    QVERIFY2(seenByA.ok(), describe(seenByA));
    QCOMPARE(seenByA->contracts, QSet<qint64>{21}); // its own and unknown ones are not another journal's
    auto seenByB = b.foreign(login, {11, 12, 21, 99});
    QVERIFY2(seenByB.ok(), describe(seenByB));
    QCOMPARE(seenByB->contracts, (QSet<qint64>{11, 12}));
    // Another account's contracts are not these.
    auto elsewhere = b.foreign(QStringLiteral("CR200"), {11});
    QVERIFY(elsewhere.ok() && elsewhere->contracts.isEmpty());

    // A claim: the first journal to claim a contract holds it; claiming one's own again is fine.
    auto first = a.claimContract(login, 99);
    QVERIFY2(first.ok() && first.value(), describe(first));
    auto again = a.claimContract(login, 99);
    QVERIFY(again.ok() && again.value());
    auto second = b.claimContract(login, 99);
    QVERIFY2(second.ok() && !second.value(), describe(second));
    auto theirs = b.claimContract(login, 11);
    QVERIFY(theirs.ok() && !theirs.value());
    QVERIFY(b.foreign(login, {99})->contracts.contains(99));

    auto ttl = m_raw->command({QByteArrayLiteral("PTTL"), RedisUsageBoard::contractsKey(login).toUtf8()});
    QVERIFY(ttl.ok());
    QVERIFY2(ttl->integer > 6 * kDayMs && ttl->integer <= 7 * kDayMs, QByteArray::number(ttl->integer));
}

void TestRedisUsageBoard::unresolvedBuysOfOtherJournals()
{
    RedisUsageBoard a(config(), QStringLiteral("journal-a"));
    RedisUsageBoard b(config(), QStringLiteral("journal-b"));
    RedisUsageBoard c(config(), QStringLiteral("journal-c"));
    const QString login = QStringLiteral("CR100");
    const UsageShare::Buy lost{1'000, QStringLiteral("R_50"), QStringLiteral("CALL"), 5, QStringLiteral("t"), 150};
    const UsageShare::Buy onTheWire{2'000, QStringLiteral("1HZ100V"), QStringLiteral("PUT"), 40, QStringLiteral("s"), 50};
    UsageShare mine = share(1, 1, 1, 10, 0);
    mine.unresolvedBuys = {lost};
    QVERIFY(a.publish(login, mine).ok());
    UsageShare busy = share(2, 3, 2, 20, 0);
    busy.unresolvedBuys = {onTheWire, lost};
    QVERIFY(b.publish(login, busy).ok());

    auto seenByA = a.foreign(login, {});
    QVERIFY2(seenByA.ok(), describe(seenByA));
    QCOMPARE(seenByA->unresolvedBuys.size(), 2); // b's, not its own
    QCOMPARE(seenByA->unresolvedBuys.at(0).symbol, QStringLiteral("1HZ100V"));
    QCOMPARE(seenByA->unresolvedBuys.at(0).contractType, QStringLiteral("PUT"));
    QCOMPARE(seenByA->unresolvedBuys.at(0).openedMs, 2'000);
    QCOMPARE(seenByA->unresolvedBuys.at(0).duration, 40);
    QCOMPARE(seenByA->unresolvedBuys.at(0).durationUnit, QStringLiteral("s"));
    QCOMPARE(seenByA->unresolvedBuys.at(0).stakeMinor, 50);
    QVERIFY(seenByA->unresolvedTold);
    auto seenByC = c.foreign(login, {});
    QCOMPARE(seenByC->unresolvedBuys.size(), 3);
    QVERIFY(seenByC->unresolvedTold);
    // A share that does not tell them (an older version): no orphan can be told from its buys.
    QVERIFY(m_raw->command({QByteArrayLiteral("HSET"), RedisUsageBoard::key(login).toUtf8(), QByteArrayLiteral("journal-old"),
                            R"({"version":1,"instance":"old","sequence":"3","day_start_ms":"0","trades":1,"realized_minor":"0",)"
                            R"("open":0,"open_stake_minor":"0","digits":2,"published_ms":"10000"})"}).ok());
    QVERIFY(!c.foreign(login, {})->unresolvedTold);
    // Too many to tell: not told.
    UsageShare crowded = share(3, 200, 200, 20'000, 0);
    for (int i = 0; i <= UsageShare::MaxUnresolvedTold; ++i)
        crowded.unresolvedBuys.append(lost);
    const std::optional<UsageShare> read = UsageShare::fromJson(crowded.toJson(), QStringLiteral("journal-x"));
    QVERIFY(read && !read->unresolvedTold && read->unresolvedBuys.isEmpty());
    // A malformed list is an unreadable share.
    QVERIFY(!UsageShare::fromJson(R"({"version":1,"instance":"x","sequence":"3","day_start_ms":"0","trades":1,"realized_minor":"0",)"
                                  R"("open":0,"open_stake_minor":"0","digits":2,"published_ms":"1","unresolved":[{"symbol":"R_50"}]})",
                                  QStringLiteral("journal-x")));
}

QTEST_GUILESS_MAIN(TestRedisUsageBoard)
#include "tst_redisusageboard.moc"
