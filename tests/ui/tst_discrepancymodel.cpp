// SPDX-License-Identifier: GPL-3.0-or-later
#include <QAbstractItemModelTester>
#include <QTest>

#include "store/discrepancy.h"
#include "ui/discrepancymodel.h"

using namespace Vigil;

class TestDiscrepancyModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsBeforeAfterAndAction();
};

void TestDiscrepancyModel::showsBeforeAfterAndAction()
{
    DiscrepancyModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Discrepancy d;
    d.kind = QStringLiteral("unknown_resolved");
    d.localId = 7;
    d.contractId = 123456;
    d.before = QJsonObject{{QStringLiteral("status"), QStringLiteral("unknown")}};
    d.after = QJsonObject{{QStringLiteral("status"), QStringLiteral("open")}};
    d.action = QStringLiteral("adopted");
    Discrepancy orphan;
    orphan.kind = QStringLiteral("orphan");
    orphan.contractId = 99;
    orphan.action = QStringLiteral("adopted");
    model.setDiscrepancies({d, orphan});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, DiscrepancyModel::BeforeColumn).data().toString(), QStringLiteral("{\"status\":\"unknown\"}"));
    QCOMPARE(model.index(0, DiscrepancyModel::AfterColumn).data().toString(), QStringLiteral("{\"status\":\"open\"}"));
    QCOMPARE(model.index(0, DiscrepancyModel::LocalIdColumn).data().toLongLong(), 7);
    QCOMPARE(model.index(1, DiscrepancyModel::LocalIdColumn).data().toString(), QStringLiteral("—"));
    QCOMPARE(model.index(1, DiscrepancyModel::BeforeColumn).data().toString(), QStringLiteral("—"));
    QVERIFY(model.index(0, DiscrepancyModel::AfterColumn).data(Qt::ToolTipRole).toString().contains(QStringLiteral("\"open\"")));
    model.setDiscrepancies({});
    QCOMPARE(model.rowCount(), 0);
}

QTEST_MAIN(TestDiscrepancyModel)
#include "tst_discrepancymodel.moc"
