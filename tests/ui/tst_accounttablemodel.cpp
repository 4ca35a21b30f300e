// SPDX-License-Identifier: GPL-3.0-or-later
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include "snapshotbuilder.h"
#include "ui/accounttablemodel.h"

using namespace Vigil;

class TestAccountTableModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsConnectionBalanceGate();
    void updatesInPlace();
    void revokedTokenShowsAsHaltedWithTheError();
};

void TestAccountTableModel::showsConnectionBalanceGate()
{
    AccountTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    AccountSnapshot a = Test::account(QStringLiteral("demo"));
    model.applySnapshots({a});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, AccountTableModel::ConnectionColumn).data().toString(), QStringLiteral("connected"));
    QCOMPARE(model.index(0, AccountTableModel::BalanceColumn).data().toString(), QStringLiteral("10000.00 USD"));
    QCOMPARE(model.index(0, AccountTableModel::GateColumn).data().toString(), QStringLiteral("active"));
    QCOMPARE(model.index(0, AccountTableModel::TypeColumn).data().toString(), QStringLiteral("Demo"));
    QCOMPARE(model.index(0, 0).data(AccountTableModel::AccountIdRole).toString(), QStringLiteral("demo"));
}

void TestAccountTableModel::updatesInPlace()
{
    AccountTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applySnapshots({Test::account(QStringLiteral("a")), Test::account(QStringLiteral("b")), Test::account(QStringLiteral("c"))});
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    AccountSnapshot a = Test::account(QStringLiteral("a"));
    a.connection = AccountSnapshot::Connection::Reconnecting;
    a.downSinceMs = 1'700'000'000'000;
    AccountSnapshot b = Test::account(QStringLiteral("b"));
    b.balance = Money::fromMinor(5);
    model.applySnapshots({b, a});
    QCOMPARE(reset.count(), 0);
    QCOMPARE(changed.count(), 1); // rows 0 and 1 are one range
    QCOMPARE(changed.first().at(0).value<QModelIndex>().row(), 0);
    QCOMPARE(changed.first().at(1).value<QModelIndex>().row(), 1);
    QVERIFY(model.index(0, AccountTableModel::ConnectionColumn).data().toString().startsWith(QStringLiteral("reconnecting since")));
    QCOMPARE(model.rowCount(), 3);
}

void TestAccountTableModel::revokedTokenShowsAsHaltedWithTheError()
{
    AccountTableModel model;
    AccountSnapshot a = Test::account(QStringLiteral("demo"));
    a.gate = QStringLiteral("halted");
    a.gateReason = QStringLiteral("token revoked");
    a.lastError = QStringLiteral("InvalidToken: The token is invalid.");
    model.applySnapshots({a});
    QCOMPARE(model.index(0, AccountTableModel::GateColumn).data().toString(), QStringLiteral("halted: token revoked"));
    QCOMPARE(model.index(0, AccountTableModel::LastErrorColumn).data().toString(), QStringLiteral("InvalidToken: The token is invalid."));
}

QTEST_MAIN(TestAccountTableModel)
#include "tst_accounttablemodel.moc"
