// SPDX-License-Identifier: GPL-3.0-or-later
#include <QAbstractItemModelTester>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include "engine/accountsnapshot.h"
#include "store/reconcilereport.h"
#include "ui/accountlabels.h"
#include "ui/discrepancymodel.h"
#include "ui/reconcilereportmodel.h"
#include "ui/reconcileview.h"

using namespace Vigil;

namespace {
ReconcileReport report(const QString &account, int discrepancies, const QString &error = {})
{
    ReconcileReport r;
    r.account = account;
    r.trigger = QStringLiteral("manual");
    r.startedMs = 1'700'000'000'000;
    r.finishedMs = r.startedMs + 850;
    r.error = error;
    for (int i = 0; i < discrepancies; ++i) {
        Discrepancy d;
        d.kind = QStringLiteral("orphan");
        d.contractId = 1000 + i;
        d.after = QJsonObject{{QStringLiteral("status"), QStringLiteral("open")}};
        d.action = QStringLiteral("adopted");
        r.discrepancies.append(d);
        ++r.orphans;
    }
    return r;
}
} // namespace

class TestReconcileReportModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listsReportsWithCountsAndResult();
    void capacityDropsTheOldest();
    void viewShowsTheSelectedReportsDiscrepancies();
    void reconcileNowAndBusyIndicator();
    void accountsByTheirConsoleNameCountsInWords();
};

void TestReconcileReportModel::listsReportsWithCountsAndResult()
{
    ReconcileReportModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(report(QStringLiteral("VRTC1"), 0));
    model.append(report(QStringLiteral("VRTC1"), 2));
    model.append(report(QStringLiteral("VRTC2"), 0, QStringLiteral("profit_table failed: timeout")));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, ReconcileReportModel::ResultColumn).data().toString(), QStringLiteral("clean"));
    QVERIFY(model.index(1, ReconcileReportModel::ResultColumn).data().toString().startsWith(QStringLiteral("2 discrepanc")));
    QCOMPARE(model.index(1, ReconcileReportModel::OrphansColumn).data().toInt(), 2);
    QCOMPARE(model.index(2, ReconcileReportModel::ResultColumn).data().toString(), QStringLiteral("failed: profit_table failed: timeout"));
    QCOMPARE(model.index(0, ReconcileReportModel::DurationColumn).data().toString(), QStringLiteral("850 ms"));
}

void TestReconcileReportModel::capacityDropsTheOldest()
{
    ReconcileReportModel model(2);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(report(QStringLiteral("A"), 0));
    model.append(report(QStringLiteral("B"), 0));
    model.append(report(QStringLiteral("C"), 0));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.report(0).account, QStringLiteral("B"));
}

void TestReconcileReportModel::viewShowsTheSelectedReportsDiscrepancies()
{
    ReconcileReportModel model;
    ReconcileView view(&model);
    QAbstractItemModelTester tester(view.discrepancies(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(report(QStringLiteral("VRTC1"), 3));
    // The newest report is selected by itself.
    QCOMPARE(view.discrepancies()->rowCount(), 3);
    QCOMPARE(view.discrepancies()->index(0, DiscrepancyModel::ActionColumn).data().toString(), QStringLiteral("adopted"));
    model.append(report(QStringLiteral("VRTC1"), 1));
    QCOMPARE(view.discrepancies()->rowCount(), 1);
    view.reportView()->setCurrentIndex(model.index(0, 0));
    QCOMPARE(view.discrepancies()->rowCount(), 3);
}

void TestReconcileReportModel::reconcileNowAndBusyIndicator()
{
    ReconcileReportModel model;
    ReconcileView view(&model);
    QSignalSpy requested(&view, &ReconcileView::reconcileNowRequested);
    QTest::mouseClick(view.reconcileButton(), Qt::LeftButton);
    QCOMPARE(requested.count(), 1);
    view.setReconciling(true);
    QVERIFY(view.isReconciling());
    view.setReconciling(false);
    QVERIFY(!view.isReconciling());
}

// Reports carry the login id; the table names the account as the accounts table does ("VRTC1 (demo)"), and
// counts read as words ("1 discrepancy", not "1 discrepancy(ies)").
void TestReconcileReportModel::accountsByTheirConsoleNameCountsInWords()
{
    ReconcileReportModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ReconcileView view(&model);
    model.append(report(QStringLiteral("VRTC1"), 1));
    QCOMPARE(model.index(0, ReconcileReportModel::ResultColumn).data().toString(), QStringLiteral("1 discrepancy"));
    QCOMPARE(view.lastRunText(), QStringLiteral("Last run: VRTC1, 1 discrepancy."));

    AccountSnapshot demo;
    demo.id = QStringLiteral("demo");
    demo.loginId = QStringLiteral("VRTC1");
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setAccountLabels(AccountLabels::fromSnapshots({demo}));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(model.index(0, ReconcileReportModel::AccountColumn).data().toString(), QStringLiteral("VRTC1 (demo)"));
    model.append(report(QStringLiteral("VRTC1"), 3));
    QCOMPARE(model.index(1, ReconcileReportModel::ResultColumn).data().toString(), QStringLiteral("3 discrepancies"));
    QCOMPARE(view.lastRunText(), QStringLiteral("Last run: VRTC1 (demo), 3 discrepancies."));
    model.append(report(QStringLiteral("VRTC1"), 0));
    QCOMPARE(view.lastRunText(), QStringLiteral("Last run: VRTC1 (demo), no discrepancies."));
    model.append(report(QStringLiteral("CR9"), 0, QStringLiteral("portfolio failed")));
    QCOMPARE(view.lastRunText(), QStringLiteral("Last run on CR9 failed: portfolio failed"));
}

QTEST_MAIN(TestReconcileReportModel)
#include "tst_reconcilereportmodel.moc"
