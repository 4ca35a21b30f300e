// SPDX-License-Identifier: GPL-3.0-or-later
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include "snapshotbuilder.h"
#include "ui/consolefeed.h"

using namespace Vigil;

class TestConsoleFeed : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void burstIsDeliveredAsOneBatchWithTheLatestSnapshot();
    void eventsKeepTheirOrder();
    void steadyStreamStillDeliversEveryInterval();
    void accountsKeepFirstSeenOrder();
};

void TestConsoleFeed::burstIsDeliveredAsOneBatchWithTheLatestSnapshot()
{
    ConsoleFeed feed;
    QSignalSpy batches(&feed, &ConsoleFeed::snapshotsUpdated);
    for (int i = 0; i < 50; ++i) {
        AccountSnapshot a = Test::account(QStringLiteral("a"));
        a.openContracts = i;
        feed.addSnapshot(a);
        feed.addSnapshot(Test::account(QStringLiteral("b")));
    }
    QCOMPARE(batches.count(), 0); // nothing synchronously
    QVERIFY(batches.wait(1000));
    QCOMPARE(batches.count(), 1);
    const auto changed = batches.first().first().value<QList<AccountSnapshot>>();
    QCOMPARE(changed.size(), 2);
    QCOMPARE(changed.at(0).id, QStringLiteral("a"));
    QCOMPARE(changed.at(0).openContracts, 49);
    QCOMPARE(changed.at(1).id, QStringLiteral("b"));
    QVERIFY(!batches.wait(300)); // nothing more pending
}

void TestConsoleFeed::eventsKeepTheirOrder()
{
    ConsoleFeed feed;
    QSignalSpy batches(&feed, &ConsoleFeed::eventsArrived);
    for (int i = 0; i < 5; ++i)
        feed.addEvent(Test::event(EngineEvent::Kind::General, EngineEvent::Level::Info, QString::number(i)));
    feed.flush();
    QCOMPARE(batches.count(), 1);
    const auto events = batches.first().first().value<QList<EngineEvent>>();
    QCOMPARE(events.size(), 5);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(events.at(i).message, QString::number(i));
}

void TestConsoleFeed::steadyStreamStillDeliversEveryInterval()
{
    // Updates arriving faster than the interval must not postpone delivery forever.
    ConsoleFeed feed;
    feed.setInterval(50);
    QSignalSpy batches(&feed, &ConsoleFeed::snapshotsUpdated);
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 400) {
        feed.addSnapshot(Test::account(QStringLiteral("a")));
        QTest::qWait(10);
    }
    QVERIFY2(batches.count() >= 2, qPrintable(QString::number(batches.count())));
    QVERIFY2(batches.count() <= 10, qPrintable(QString::number(batches.count())));
}

void TestConsoleFeed::accountsKeepFirstSeenOrder()
{
    ConsoleFeed feed;
    feed.addSnapshot(Test::account(QStringLiteral("z")));
    feed.addSnapshot(Test::account(QStringLiteral("a")));
    AccountSnapshot again = Test::account(QStringLiteral("z"));
    again.lastError = QStringLiteral("x");
    feed.addSnapshot(again);
    const QList<AccountSnapshot> all = feed.accounts();
    QCOMPARE(all.size(), 2);
    QCOMPARE(all.at(0).id, QStringLiteral("z"));
    QCOMPARE(all.at(0).lastError, QStringLiteral("x"));
    QVERIFY(feed.account(QStringLiteral("a")));
    QVERIFY(!feed.account(QStringLiteral("nope")));
}

QTEST_GUILESS_MAIN(TestConsoleFeed)
#include "tst_consolefeed.moc"
