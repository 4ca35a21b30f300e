// SPDX-License-Identifier: GPL-3.0-or-later
#include "pnlchart.h"

#include <cmath>
#include <limits>

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QHash>
#include <QSet>
#include <QLineSeries>
#include <QPen>
#include <QTimer>
#include <QValueAxis>
#include <QVBoxLayout>

#include "engine/accountsnapshot.h"
#include "ui/charts/chartframe.h"
#include "ui/consolecolors.h"
#include "ui/displaytext.h"

namespace Vigil {

namespace {
// The day's P/L of an account: the ledger's realized figure once it knows the account, else what its bots report.
Money accountPnl(const AccountSnapshot &s)
{
    if (s.limits.seeded)
        return s.limits.realizedPnl;
    Money sum = Money::zero(s.bots.isEmpty() ? 2 : s.bots.first().pnlToday.digits());
    for (const BotSnapshot &b : s.bots) {
        if (b.pnlToday.digits() == sum.digits())
            sum += b.pnlToday;
    }
    return sum;
}

// Plotting only: the chart needs a double; nothing is computed from it.
double plotValue(Money m)
{
    return double(m.minor()) / double(pow10(m.digits()));
}
} // namespace

struct PnlChart::Private
{
    QChart *chart = nullptr;
    QChartView *view = nullptr;
    QDateTimeAxis *x = nullptr;
    QValueAxis *y = nullptr;
    QHash<QString, QLineSeries *> series;
    QHash<QString, QList<QPointF>> points; // what the series will show at the next redraw
    QSet<QString> dirty;                   // series whose points changed since the last redraw
    QHash<QString, qint64> lastMinor;
    qint64 firstMs = 0;
    QTimer *redraw = nullptr;

    void pushToChart();
};

// The chart is redrawn at most once a second: Qt Charts rebuilds a series' whole path on every change, and
// the axes' range change rebuilds every series, so per-batch updates cost the GUI thread tens of ms.
void PnlChart::Private::pushToChart()
{
    if (dirty.isEmpty())
        return;
    for (const QString &id : std::as_const(dirty))
        series.value(id)->replace(points.value(id));
    dirty.clear();
    double lo = 0, hi = 0;
    qint64 first = std::numeric_limits<qint64>::max(), last = 0;
    for (const QList<QPointF> &line : std::as_const(points)) {
        for (const QPointF &p : line) {
            lo = std::min(lo, p.y());
            hi = std::max(hi, p.y());
            first = std::min(first, qint64(p.x()));
            last = std::max(last, qint64(p.x()));
        }
    }
    const double pad = std::max(0.5, (hi - lo) * 0.1);
    const double yLo = std::floor(lo - pad), yHi = std::ceil(hi + pad);
    // Move the axes only when the data leaves them: every range change re-lays out every series.
    if (lo < y->min() || hi > y->max() || (yHi - yLo) * 2 < y->max() - y->min()) {
        y->setRange(yLo, yHi);
        y->applyNiceNumbers();
        // Cents on a tens-of-dollars axis only make the labels too wide for the panel (Qt Charts elides them).
        y->setLabelFormat(y->max() - y->min() >= 10 ? QStringLiteral("%.0f") : QStringLiteral("%.2f"));
    }
    const qint64 xMin = x->min().toMSecsSinceEpoch(), xMax = x->max().toMSecsSinceEpoch();
    if (first < xMin || last > xMax || first > xMin + (xMax - xMin) / 4) {
        last += std::max<qint64>(5'000, (last - first) / 5); // room to the right: the curve is live
        x->setRange(QDateTime::fromMSecsSinceEpoch(first), QDateTime::fromMSecsSinceEpoch(last));
    }
}

PnlChart::PnlChart(QWidget *parent) : QWidget(parent), d(std::make_unique<Private>())
{
    setObjectName(QStringLiteral("pnlChart"));
    const ChartFrame frame = ChartFrame::create(this, tr("P/L today"));
    d->chart = frame.chart;
    d->view = frame.view;
    d->x = frame.x;
    d->y = frame.y;
    d->y->setRange(-1, 1);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    d->x->setRange(QDateTime::fromMSecsSinceEpoch(now - 60'000), QDateTime::fromMSecsSinceEpoch(now));
    d->redraw = new QTimer(this);
    d->redraw->setSingleShot(true);
    d->redraw->setInterval(1000);
    connect(d->redraw, &QTimer::timeout, this, [this] { d->pushToChart(); });
}

PnlChart::~PnlChart() = default;

void PnlChart::applySnapshots(const QList<AccountSnapshot> &snapshots)
{
    bool created = false;
    for (const AccountSnapshot &s : snapshots) {
        const qint64 at = s.atMs > 0 ? s.atMs : QDateTime::currentMSecsSinceEpoch();
        const Money pnl = accountPnl(s);
        QLineSeries *line = d->series.value(s.id);
        if (!line) {
            line = new QLineSeries;
            line->setName(DisplayText::accountLabel(s));
            d->chart->addSeries(line);
            // After addSeries: the theme has picked the colour; only thicken it.
            QPen pen = line->pen();
            pen.setWidthF(2.0);
            line->setPen(pen);
            line->attachAxis(d->x);
            line->attachAxis(d->y);
            d->series.insert(s.id, line);
            d->points.insert(s.id, {QPointF(double(at), plotValue(pnl))});
            d->dirty.insert(s.id);
            d->lastMinor.insert(s.id, pnl.minor());
            if (d->firstMs == 0)
                d->firstMs = at;
            created = true;
            continue;
        }
        const QString name = DisplayText::accountLabel(s);
        if (line->name() != name)
            line->setName(name);
        if (d->lastMinor.value(s.id) == pnl.minor())
            continue;
        // A step: the old value up to now, then the new one, so the curve shows when each trade settled.
        QList<QPointF> &points = d->points[s.id];
        points.append(QPointF(double(at), points.constLast().y()));
        points.append(QPointF(double(at), plotValue(pnl)));
        if (points.size() > MaxPoints)
            points.remove(0, points.size() - MaxPoints);
        d->lastMinor.insert(s.id, pnl.minor());
        d->dirty.insert(s.id);
    }
    // A new account shows at once; changes wait for the next redraw.
    if (created)
        d->pushToChart();
    else if (!d->dirty.isEmpty() && !d->redraw->isActive())
        d->redraw->start();
}

int PnlChart::seriesCount() const
{
    return int(d->series.size());
}

int PnlChart::pointCount(const QString &accountId) const
{
    return int(d->points.value(accountId).size());
}

} // namespace Vigil
