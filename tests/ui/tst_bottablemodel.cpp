// SPDX-License-Identifier: GPL-3.0-or-later
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include "snapshotbuilder.h"
#include "ui/bottablemodel.h"

using namespace Vigil;

class TestBotTableModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rowsAppearInFirstSeenOrder();
    void updateIsOneDataChangedPerRangeNeverAReset();
    void unchangedSnapshotEmitsNothing();
    void botGoneFromItsAccountIsRemoved();
    void haltedStateShowsTheReason();
    void revokedTokenShowsInTheTable();
    void pnlIsColouredAndSortsNumerically();
};

void TestBotTableModel::rowsAppearInFirstSeenOrder()
{
    BotTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applySnapshots({Test::account(QStringLiteral("demo"), {Test::bot(QStringLiteral("b1"), QStringLiteral("demo")),
                                                                 Test::bot(QStringLiteral("b2"), QStringLiteral("demo"))})});
    model.applySnapshots({Test::account(QStringLiteral("live"), {Test::bot(QStringLiteral("c1"), QStringLiteral("live"))})});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.rowOf(QStringLiteral("b1")), 0);
    QCOMPARE(model.rowOf(QStringLiteral("b2")), 1);
    QCOMPARE(model.rowOf(QStringLiteral("c1")), 2);
    QCOMPARE(model.index(2, BotTableModel::AccountColumn).data(BotTableModel::AccountIdRole).toString(), QStringLiteral("live"));
    QCOMPARE(model.index(0, BotTableModel::SymbolColumn).data().toString(), QStringLiteral("R_100"));
    QCOMPARE(model.index(0, BotTableModel::StakeColumn).data().toString(), QStringLiteral("1.00 USD"));
}

void TestBotTableModel::updateIsOneDataChangedPerRangeNeverAReset()
{
    BotTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<BotSnapshot> bots;
    for (int i = 0; i < 6; ++i)
        bots.append(Test::bot(QStringLiteral("b%1").arg(i), QStringLiteral("demo")));
    model.applySnapshots({Test::account(QStringLiteral("demo"), bots)});

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    // Rows 1, 2, 3 change trades; row 5 changes P/L: two ranges.
    for (int i : {1, 2, 3})
        bots[i].tradesToday = 7;
    bots[5].pnlToday = Money::fromMinor(-35);
    model.applySnapshots({Test::account(QStringLiteral("demo"), bots)});

    QCOMPARE(reset.count(), 0);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(changed.count(), 2);
    const QModelIndex firstTop = changed.at(0).at(0).value<QModelIndex>();
    const QModelIndex firstBottom = changed.at(0).at(1).value<QModelIndex>();
    QCOMPARE(firstTop.row(), 1);
    QCOMPARE(firstBottom.row(), 3);
    QCOMPARE(firstTop.column(), int(BotTableModel::TradesColumn));
    QCOMPARE(firstBottom.column(), int(BotTableModel::TradesColumn));
    QCOMPARE(changed.at(1).at(0).value<QModelIndex>().row(), 5);
    QCOMPARE(changed.at(1).at(0).value<QModelIndex>().column(), int(BotTableModel::PnlColumn));
    QCOMPARE(model.index(2, BotTableModel::TradesColumn).data().toInt(), 7);
}

void TestBotTableModel::unchangedSnapshotEmitsNothing()
{
    BotTableModel model;
    const AccountSnapshot s = Test::account(QStringLiteral("demo"), {Test::bot(QStringLiteral("b1"), QStringLiteral("demo"))});
    model.applySnapshots({s});
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.applySnapshots({s});
    QCOMPARE(changed.count(), 0);
}

void TestBotTableModel::botGoneFromItsAccountIsRemoved()
{
    BotTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applySnapshots({Test::account(QStringLiteral("demo"), {Test::bot(QStringLiteral("b1"), QStringLiteral("demo")),
                                                                 Test::bot(QStringLiteral("b2"), QStringLiteral("demo")),
                                                                 Test::bot(QStringLiteral("b3"), QStringLiteral("demo"))}),
                          Test::account(QStringLiteral("other"), {Test::bot(QStringLiteral("c1"), QStringLiteral("other"))})});
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    // "other" is not in this batch: its bot stays.
    model.applySnapshots({Test::account(QStringLiteral("demo"), {Test::bot(QStringLiteral("b3"), QStringLiteral("demo"))})});
    QCOMPARE(removed.count(), 1); // b1 and b2 are one contiguous run
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.rowOf(QStringLiteral("b3")), 0);
    QCOMPARE(model.rowOf(QStringLiteral("c1")), 1);
    QCOMPARE(model.rowOf(QStringLiteral("b1")), -1);
}

void TestBotTableModel::haltedStateShowsTheReason()
{
    BotTableModel model;
    BotSnapshot b = Test::bot(QStringLiteral("b1"), QStringLiteral("demo"), BotState::Halted);
    b.reason = StateReason::halted(HaltReason::Limit, QStringLiteral("daily loss 20.00 of 20.00 used"), QStringLiteral("LimitDailyLoss"));
    model.applySnapshots({Test::account(QStringLiteral("demo"), {b})});
    const QModelIndex state = model.index(0, BotTableModel::StateColumn);
    QCOMPARE(state.data().toString(), QStringLiteral("Halted: Trading limit reached"));
    QVERIFY(state.data(Qt::ToolTipRole).toString().contains(QStringLiteral("daily loss 20.00 of 20.00 used")));
    QCOMPARE(state.data(BotTableModel::StateRole).toInt(), int(BotState::Halted));
    QCOMPARE(state.data(BotTableModel::HaltReasonRole).toInt(), int(HaltReason::Limit));
    QVERIFY(!state.data(Qt::DecorationRole).value<QIcon>().isNull());
}

void TestBotTableModel::revokedTokenShowsInTheTable()
{
    BotTableModel model;
    model.applySnapshots({Test::account(QStringLiteral("demo"), {Test::bot(QStringLiteral("b1"), QStringLiteral("demo"))})});
    BotSnapshot b = Test::bot(QStringLiteral("b1"), QStringLiteral("demo"), BotState::Halted);
    b.reason = StateReason::halted(HaltReason::TokenRevoked, QStringLiteral("The token is invalid."), QStringLiteral("InvalidToken"));
    b.lastError = QStringLiteral("InvalidToken: The token is invalid.");
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.applySnapshots({Test::account(QStringLiteral("demo"), {b})});
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.index(0, BotTableModel::StateColumn).data().toString(), QStringLiteral("Halted: API token revoked or not permitted"));
    QCOMPARE(model.index(0, BotTableModel::LastErrorColumn).data().toString(), QStringLiteral("InvalidToken: The token is invalid."));
}

void TestBotTableModel::pnlIsColouredAndSortsNumerically()
{
    BotTableModel model;
    BotSnapshot loss = Test::bot(QStringLiteral("b1"), QStringLiteral("demo"));
    loss.pnlToday = Money::fromMinor(-1000);
    BotSnapshot gain = Test::bot(QStringLiteral("b2"), QStringLiteral("demo"));
    gain.pnlToday = Money::fromMinor(250);
    model.applySnapshots({Test::account(QStringLiteral("demo"), {loss, gain})});
    QCOMPARE(model.index(0, BotTableModel::PnlColumn).data().toString(), QStringLiteral("-10.00"));
    QCOMPARE(model.index(1, BotTableModel::PnlColumn).data().toString(), QStringLiteral("+2.50"));
    QCOMPARE(model.index(0, BotTableModel::PnlColumn).data(BotTableModel::SortRole).toLongLong(), -1000);
    const QColor lossColor = model.index(0, BotTableModel::PnlColumn).data(Qt::ForegroundRole).value<QBrush>().color();
    const QColor gainColor = model.index(1, BotTableModel::PnlColumn).data(Qt::ForegroundRole).value<QBrush>().color();
    QVERIFY(lossColor.red() > lossColor.green());
    QVERIFY(gainColor.green() > gainColor.red());
}

QTEST_MAIN(TestBotTableModel)
#include "tst_bottablemodel.moc"
