// SPDX-License-Identifier: GPL-3.0-or-later
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include "tradebuilder.h"
#include "ui/tradetablemodel.h"

using namespace Vigil;

class TestTradeTableModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void columnsShowTheJournalRow();
    void refreshUpdatesInPlaceInsertsAndRemoves();
    void amountsSortAsNumbers();
};

void TestTradeTableModel::columnsShowTheJournalRow()
{
    TradeTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Trade won = Test::trade(1, QStringLiteral("r100"), TradeStatus::Won, 95);
    Trade outside = Test::trade(2, QString(), TradeStatus::Lost, -100);
    Trade pending = Test::trade(3, QStringLiteral("r100"), TradeStatus::Pending);
    model.setTrades({won, outside, pending});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(TradeTableModel::ColumnCount));
    auto cell = [&model](int row, int column) { return model.index(row, column).data().toString(); };
    QCOMPARE(cell(0, TradeTableModel::AccountColumn), QStringLiteral("VRTC1000001"));
    QCOMPARE(cell(0, TradeTableModel::BotColumn), QStringLiteral("r100"));
    QCOMPARE(cell(0, TradeTableModel::ContractColumn), QStringLiteral("5001"));
    QCOMPARE(cell(0, TradeTableModel::SymbolColumn), QStringLiteral("R_100"));
    QCOMPARE(cell(0, TradeTableModel::TypeColumn), QStringLiteral("CALL"));
    QCOMPARE(cell(0, TradeTableModel::StakeColumn), QStringLiteral("1.00 USD"));
    QCOMPARE(cell(0, TradeTableModel::BuyPriceColumn), QStringLiteral("1.00"));
    QCOMPARE(cell(0, TradeTableModel::PayoutColumn), QStringLiteral("1.95"));
    QCOMPARE(cell(0, TradeTableModel::StatusColumn), QStringLiteral("Won"));
    QCOMPARE(cell(0, TradeTableModel::ProfitColumn), QStringLiteral("+0.95"));
    QVERIFY(!cell(0, TradeTableModel::OpenedColumn).isEmpty());
    QVERIFY(!cell(0, TradeTableModel::ClosedColumn).isEmpty());
    QCOMPARE(cell(0, TradeTableModel::CloseReasonColumn), QStringLiteral("expired"));
    QCOMPARE(cell(1, TradeTableModel::BotColumn), QStringLiteral("(outside)"));
    QCOMPARE(cell(1, TradeTableModel::ProfitColumn), QStringLiteral("-1.00"));
    // Not known yet is blank, not zero.
    QCOMPARE(cell(2, TradeTableModel::ContractColumn), QString());
    QCOMPARE(cell(2, TradeTableModel::BuyPriceColumn), QString());
    QCOMPARE(cell(2, TradeTableModel::ProfitColumn), QString());
    QCOMPARE(cell(2, TradeTableModel::ClosedColumn), QString());
    QCOMPARE(model.index(2, 0).data(TradeTableModel::StatusRole).toInt(), int(TradeStatus::Pending));
    QCOMPARE(model.index(1, 0).data(TradeTableModel::LocalIdRole).toLongLong(), 2);
}

void TestTradeTableModel::refreshUpdatesInPlaceInsertsAndRemoves()
{
    TradeTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<Trade> trades;
    for (int i = 1; i <= 5; ++i)
        trades.append(Test::trade(i, QStringLiteral("b"), TradeStatus::Open));
    model.setTrades(trades);

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    // Same rows: nothing at all.
    model.setTrades(trades);
    QCOMPARE(changed.count() + reset.count() + inserted.count() + removed.count(), 0);

    // 2 and 3 settle, 5 disappears, 6 is new.
    QList<Trade> next;
    next << trades[0] << Test::trade(2, QStringLiteral("b"), TradeStatus::Won, 95)
         << Test::trade(3, QStringLiteral("b"), TradeStatus::Lost, -100) << trades[3]
         << Test::trade(6, QStringLiteral("b"), TradeStatus::Pending);
    next[1].updatedMs += 5000;
    next[2].updatedMs += 5000;
    model.setTrades(next);
    QCOMPARE(reset.count(), 0);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(changed.count(), 1); // rows 2 and 3 together
    QCOMPARE(changed.first().at(0).toModelIndex().row(), 1);
    QCOMPARE(changed.first().at(1).toModelIndex().row(), 2);
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.rowOfLocalId(5), -1);
    QCOMPARE(model.rowOfLocalId(6), 4);
    QCOMPARE(model.index(model.rowOfLocalId(2), TradeTableModel::StatusColumn).data().toString(), QStringLiteral("Won"));
}

void TestTradeTableModel::amountsSortAsNumbers()
{
    TradeTableModel model;
    // Text order would put "-1.00" < "+10.00" < "+2.00"; numeric order is -1.00 < 2.00 < 10.00.
    model.setTrades({Test::trade(1, QStringLiteral("b"), TradeStatus::Won, 1000), Test::trade(2, QStringLiteral("b"), TradeStatus::Lost, -100),
                     Test::trade(3, QStringLiteral("b"), TradeStatus::Won, 200)});
    auto key = [&model](int row) { return model.index(row, TradeTableModel::ProfitColumn).data(TradeTableModel::SortRole).toLongLong(); };
    QVERIFY(key(1) < key(2));
    QVERIFY(key(2) < key(0));
}

QTEST_MAIN(TestTradeTableModel)
#include "tst_tradetablemodel.moc"
