// SPDX-License-Identifier: GPL-3.0-or-later
// RedisUsageBoard over a real redis-server (label "redis"): shares of an account's limit usage, one per journal.
#include <QTest>

#include "coordination/redisconnection.h"
#include "coordination/redisusageboard.h"
#include "support/redisserver.h"
#include "support/resultcheck.h"

using namespace Vigil;
using Vigil::Test::describe;

namespace {
const QDate kDay(2026, 11, 22);

UsageShare share(qint64 sequence, int trades, int open, qint64 stakeMinor, qint64 realizedMinor)
{
    UsageShare s;
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
    void sharesAreKeptPerAccountAndDayForTwoDays();
    void anUnreadableShareIsAnError();
    void downRedisIsAnError();

private:
    RedisConfig config() const { return RedisConfig::fromUrl(m_server.url()).value(); }

    Test::RedisServer m_server;
    std::unique_ptr<RedisConnection> m_raw;
};

void TestRedisUsageBoard::initTestCase()
{
    if (Test::RedisServer::executable().isEmpty())
        QSKIP("redis-server is not on PATH: install redis-server to run the Redis coordination tests");
    QVERIFY2(m_server.start(), "redis-server did not start on a loopback port");
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
    QVERIFY2(a.publish(login, kDay, share(5, 3, 1, 150, -200)).ok(), "publish a");
    QVERIFY2(b.publish(login, kDay, share(9, 4, 2, 300, 125)).ok(), "publish b");

    auto seenByA = a.others(login, kDay);
    QVERIFY2(seenByA.ok(), describe(seenByA));
    QCOMPARE(seenByA->size(), 1); // its own share is read from its journal, not from Redis
    QCOMPARE(seenByA->first().journalId, QStringLiteral("journal-b"));
    QCOMPARE(seenByA->first().tradesToday, 4);
    QCOMPARE(seenByA->first().openContracts, 2);
    QCOMPARE(seenByA->first().openStake, Money::fromMinor(300, 2));
    QCOMPARE(seenByA->first().realizedPnl, Money::fromMinor(125, 2));
    QCOMPARE(seenByA->first().instanceId, QStringLiteral("i-9"));

    auto seenByC = c.others(login, kDay);
    QVERIFY2(seenByC.ok(), describe(seenByC));
    QCOMPARE(seenByC->size(), 2);
    int trades = 0;
    for (const UsageShare &s : seenByC.value())
        trades += s.tradesToday;
    QCOMPARE(trades, 7);
    // Another account, or another day: nothing.
    auto other = c.others(QStringLiteral("CR200"), kDay);
    QVERIFY(other.ok() && other->isEmpty());
    auto nextDay = c.others(login, kDay.addDays(1));
    QVERIFY(nextDay.ok() && nextDay->isEmpty());
}

void TestRedisUsageBoard::anOlderShareNeverReplacesANewerOne()
{
    // Two instances on one journal publish the same share: one that read the journal before the other's buy
    // must not take that buy back out.
    RedisUsageBoard first(config(), QStringLiteral("shared-journal"));
    RedisUsageBoard second(config(), QStringLiteral("shared-journal"));
    RedisUsageBoard reader(config(), QStringLiteral("elsewhere"));
    const QString login = QStringLiteral("CR100");
    QVERIFY(first.publish(login, kDay, share(20, 6, 2, 100, 0)).ok());
    QVERIFY(second.publish(login, kDay, share(19, 5, 1, 50, 0)).ok()); // read earlier, published later
    auto seen = reader.others(login, kDay);
    QVERIFY2(seen.ok(), describe(seen));
    QCOMPARE(seen->size(), 1);
    QCOMPARE(seen->first().sequence, 20);
    QCOMPARE(seen->first().tradesToday, 6);
    QVERIFY(second.publish(login, kDay, share(21, 6, 1, 50, -50)).ok()); // newer: replaces
    seen = reader.others(login, kDay);
    QVERIFY2(seen.ok(), describe(seen));
    QCOMPARE(seen->first().sequence, 21);
    QCOMPARE(seen->first().openContracts, 1);
}

void TestRedisUsageBoard::sharesAreKeptPerAccountAndDayForTwoDays()
{
    RedisUsageBoard board(config(), QStringLiteral("journal-a"));
    QVERIFY(board.publish(QStringLiteral("CR100"), kDay, share(1, 1, 1, 10, 0)).ok());
    const QString key = RedisUsageBoard::key(QStringLiteral("CR100"), kDay);
    QCOMPARE(key, QStringLiteral("vigil:usage:CR100:2026-11-22"));
    auto ttl = m_raw->command({QByteArrayLiteral("PTTL"), key.toUtf8()});
    QVERIFY(ttl.ok());
    QVERIFY2(ttl->integer > 47 * 3600 * 1000LL && ttl->integer <= 48 * 3600 * 1000LL, QByteArray::number(ttl->integer));
}

void TestRedisUsageBoard::anUnreadableShareIsAnError()
{
    RedisUsageBoard board(config(), QStringLiteral("journal-a"));
    const QString key = RedisUsageBoard::key(QStringLiteral("CR100"), kDay);
    QVERIFY(m_raw->command({QByteArrayLiteral("HSET"), key.toUtf8(), QByteArrayLiteral("journal-x"),
                            QByteArrayLiteral(R"({"trades": "many"})")}).ok());
    auto seen = board.others(QStringLiteral("CR100"), kDay);
    QVERIFY(!seen.ok());
    QCOMPARE(seen.error().kind, ErrorKind::Coordination);
    QCOMPARE(seen.error().code, QStringLiteral("UsageUnreadable"));
    QVERIFY2(seen.error().message.contains(QLatin1String("journal-x")), qPrintable(seen.error().message));
    // Not a hash at all.
    QVERIFY(m_raw->command({QByteArrayLiteral("DEL"), key.toUtf8()}).ok());
    QVERIFY(m_raw->command({QByteArrayLiteral("SET"), key.toUtf8(), QByteArrayLiteral("x")}).ok());
    seen = board.others(QStringLiteral("CR100"), kDay);
    QVERIFY(!seen.ok());
    QCOMPARE(seen.error().kind, ErrorKind::Coordination);
}

void TestRedisUsageBoard::downRedisIsAnError()
{
    RedisConfig cfg = config();
    m_server.kill();
    RedisUsageBoard board(cfg, QStringLiteral("journal-a"));
    auto seen = board.others(QStringLiteral("CR100"), kDay);
    QVERIFY(!seen.ok()); // never an empty list: that would read as "nobody else traded"
    QCOMPARE(seen.error().kind, ErrorKind::Coordination);
    QVERIFY(!board.publish(QStringLiteral("CR100"), kDay, share(1, 1, 1, 10, 0)).ok());
    QVERIFY(m_server.start());
}

QTEST_GUILESS_MAIN(TestRedisUsageBoard)
#include "tst_redisusageboard.moc"
