// SPDX-License-Identifier: GPL-3.0-or-later
#include <QTest>

#include "snapshotbuilder.h"
#include "ui/charts/pnlchart.h"

using namespace Vigil;

class TestPnlChart : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneSeriesPerAccountAndAStepPerChange();
};

void TestPnlChart::oneSeriesPerAccountAndAStepPerChange()
{
    PnlChart chart;
    AccountSnapshot a = Test::account(QStringLiteral("a"));
    a.atMs = 1'700'000'000'000;
    AccountSnapshot b = Test::account(QStringLiteral("b"));
    b.atMs = a.atMs;
    chart.applySnapshots({a, b});
    QCOMPARE(chart.seriesCount(), 2);
    QCOMPARE(chart.pointCount(QStringLiteral("a")), 1);

    a.atMs += 5000;
    chart.applySnapshots({a}); // same P/L: no new point
    QCOMPARE(chart.pointCount(QStringLiteral("a")), 1);

    a.limits.realizedPnl = Money::fromMinor(95);
    a.atMs += 5000;
    chart.applySnapshots({a});
    QCOMPARE(chart.pointCount(QStringLiteral("a")), 3); // a step: old value, then new value
    QCOMPARE(chart.pointCount(QStringLiteral("b")), 1);
}

QTEST_MAIN(TestPnlChart)
#include "tst_pnlchart.moc"
