// SPDX-License-Identifier: GPL-3.0-or-later
#include <cmath>

#include <QTest>

#include "snapshotbuilder.h"
#include "ui/charts/pnlchart.h"

using namespace Vigil;

class TestPnlChart : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneSeriesPerAccountAndAStepPerChange();
    void theLineRunsOnToTheNewestSnapshot();
    void valueLabelsFitThePlot_data();
    void valueLabelsFitThePlot();
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

// After the last change the line keeps going at its value up to the newest snapshot, instead of stopping at the
// last trade (a vertical drop with nothing after it read as "no data since").
void TestPnlChart::theLineRunsOnToTheNewestSnapshot()
{
    PnlChart chart;
    AccountSnapshot a = Test::account(QStringLiteral("a"));
    const qint64 t0 = 1'700'000'000'000;
    a.atMs = t0;
    chart.applySnapshots({a});
    QCOMPARE(chart.plotted(QStringLiteral("a")), (QList<QPointF>{QPointF(double(t0), 0.0)}));

    a.limits.realizedPnl = Money::fromMinor(-100);
    a.atMs = t0 + 1000;
    chart.applySnapshots({a});
    a.atMs = t0 + 2000;
    chart.applySnapshots({a}); // unchanged: the pending redraw takes the line on to it
    QTRY_COMPARE(chart.plotted(QStringLiteral("a")).size(), 4);
    QCOMPARE(chart.plotted(QStringLiteral("a")).at(2), QPointF(double(t0 + 1000), -1.0));
    QCOMPARE(chart.plotted(QStringLiteral("a")).constLast(), QPointF(double(t0 + 2000), -1.0));
    QCOMPARE(chart.pointCount(QStringLiteral("a")), 3); // the live edge is drawn, not recorded

    a.atMs = t0 + 3000;
    chart.applySnapshots({a}); // less than a step since the edge was drawn: no redraw for it
    QTest::qWait(1500);
    QCOMPARE(chart.plotted(QStringLiteral("a")).constLast(), QPointF(double(t0 + 2000), -1.0));
    a.atMs = t0 + 2000 + PnlChart::LiveEdgeStepMs;
    chart.applySnapshots({a});
    QTRY_COMPARE(chart.plotted(QStringLiteral("a")).constLast(), QPointF(double(a.atMs), -1.0));
    QCOMPARE(chart.plotted(QStringLiteral("a")).size(), 4);

    a.limits.realizedPnl = Money::fromMinor(50);
    a.atMs += 500;
    chart.applySnapshots({a});
    QTRY_COMPARE(chart.plotted(QStringLiteral("a")).constLast(), QPointF(double(a.atMs), 0.5));
    QCOMPARE(chart.plotted(QStringLiteral("a")).size(), 5); // the edge became a step: old value, new value
}

void TestPnlChart::valueLabelsFitThePlot_data()
{
    QTest::addColumn<int>("height");
    QTest::addColumn<QList<qint64>>("pnlMinor");
    QTest::newRow("side panel, a few dollars lost") << 180 << QList<qint64>{-100, -300, 100, -200};
    QTest::newRow("side panel, cents") << 180 << QList<qint64>{3, -7, 12};
    QTest::newRow("side panel, hundreds") << 180 << QList<qint64>{-25'000, 41'000};
    QTest::newRow("tall, a few dollars") << 600 << QList<qint64>{-100, -300, 100, -200};
}

// Qt Charts elides a value label taller than its share of the axis to "..." (seen in the side panel after a few
// trades): there are never more labels than the plot's height holds, at a 1-2-5 step, covering every value.
void TestPnlChart::valueLabelsFitThePlot()
{
    QFETCH(int, height);
    QFETCH(QList<qint64>, pnlMinor);
    PnlChart chart;
    chart.resize(300, height);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    AccountSnapshot a = Test::account(QStringLiteral("a"));
    a.atMs = 1'700'000'000'000;
    chart.applySnapshots({a});
    double lo = 0, hi = 0;
    for (const qint64 minor : pnlMinor) {
        a.limits.realizedPnl = Money::fromMinor(minor);
        a.atMs += 10'000;
        chart.applySnapshots({a});
        lo = std::min(lo, double(minor) / 100);
        hi = std::max(hi, double(minor) / 100);
    }
    QTRY_COMPARE(chart.plotted(QStringLiteral("a")).size(), 1 + 2 * pnlMinor.size());
    QTest::qWait(50); // the chart lays out again after the range change
    const PnlChart::ValueAxis axis = chart.valueAxis();
    QVERIFY2(axis.min <= lo && axis.max >= hi, qPrintable(QStringLiteral("%1..%2").arg(axis.min).arg(axis.max)));
    const int labels = int(std::lround((axis.max - axis.min) / axis.step)) + 1;
    QVERIFY2(labels >= 3, qPrintable(QString::number(labels)));
    QVERIFY2(labels * axis.labelHeight <= axis.plotHeight,
             qPrintable(QStringLiteral("%1 labels of %2 px on a %3 px plot").arg(labels).arg(axis.labelHeight).arg(axis.plotHeight)));
    const double mantissa = axis.step / std::pow(10.0, std::floor(std::log10(axis.step)));
    QVERIFY2(qFuzzyCompare(mantissa, 1.0) || qFuzzyCompare(mantissa, 2.0) || qFuzzyCompare(mantissa, 5.0),
             qPrintable(QString::number(axis.step)));
    if (height >= 600)
        QVERIFY2(labels >= 5, qPrintable(QString::number(labels))); // a tall plot is not left with three
}

QTEST_MAIN(TestPnlChart)
#include "tst_pnlchart.moc"
