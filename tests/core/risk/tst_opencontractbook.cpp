// SPDX-License-Identifier: GPL-3.0-or-later
// The emergency stop's view of an account: open contracts, and buys on the wire whose contract is not known yet.
#include <thread>
#include <vector>

#include <QTest>

#include "risk/opencontractbook.h"

using namespace Vigil;

class TestOpenContractBook final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void contractsPerAccountOnce();
    void buysOnTheWireAreCountedPerAccount();
    void countsHoldUnderConcurrentWriters();
};

void TestOpenContractBook::contractsPerAccountOnce()
{
    OpenContractBook book;
    book.add(QStringLiteral("A"), 1);
    book.add(QStringLiteral("A"), 1);
    book.add(QStringLiteral("B"), 2);
    QCOMPARE(book.contracts(QStringLiteral("A")), (QList<qint64>{1}));
    QCOMPARE(book.count(), 2);
    book.remove(QStringLiteral("A"), 1);
    QCOMPARE(book.accounts(), QStringList{QStringLiteral("B")});
}

void TestOpenContractBook::buysOnTheWireAreCountedPerAccount()
{
    OpenContractBook book;
    QCOMPARE(book.buysInFlight(QStringLiteral("A")), 0);
    book.beginBuy(QStringLiteral("A"));
    book.beginBuy(QStringLiteral("A"));
    book.beginBuy(QStringLiteral("B"));
    QCOMPARE(book.buysInFlight(QStringLiteral("A")), 2);
    QCOMPARE(book.buysInFlight(QStringLiteral("B")), 1);
    book.endBuy(QStringLiteral("A"));
    QCOMPARE(book.buysInFlight(QStringLiteral("A")), 1);
    book.endBuy(QStringLiteral("A"));
    book.endBuy(QStringLiteral("A")); // one end too many never goes negative
    QCOMPARE(book.buysInFlight(QStringLiteral("A")), 0);
    book.beginBuy(QStringLiteral("A"));
    QCOMPARE(book.buysInFlight(QStringLiteral("A")), 1);
    QCOMPARE(book.count(), 0); // buys are not contracts
}

void TestOpenContractBook::countsHoldUnderConcurrentWriters()
{
    OpenContractBook book;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&book] {
            for (int i = 0; i < 2000; ++i) {
                book.beginBuy(QStringLiteral("A"));
                book.endBuy(QStringLiteral("A"));
            }
            book.beginBuy(QStringLiteral("A"));
        });
    }
    for (std::thread &t : threads)
        t.join();
    QCOMPARE(book.buysInFlight(QStringLiteral("A")), 4);
}

QTEST_GUILESS_MAIN(TestOpenContractBook)
#include "tst_opencontractbook.moc"
