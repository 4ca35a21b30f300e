// SPDX-License-Identifier: GPL-3.0-or-later
#include "pnlchart.h"

#include <cmath>
#include <limits>

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QFontMetricsF>
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

// 1, 2 or 5 times a power of ten, at least `raw`.
double niceStep(double raw)
{
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * magnitude >= raw * (1 - 1e-9))
            return m * magnitude;
    }
    return 10 * magnitude;
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
    QHash<QString, qint64> liveMs;       // the newest snapshot's time: the line runs on to it at its last value
    QHash<QString, qint64> pushedLiveMs; // the live edge the chart shows
    qint64 firstMs = 0;
    QTimer *redraw = nullptr;

    double dataLo = 0, dataHi = 0; // the values shown, for refitting the value axis when the plot resizes
    double fittedHeight = -1;

    QList<QPointF> shown(const QString &id) const;
    void pushToChart();
    void fitValueAxis();
};

// Round labels at a 1-2-5 step, no more of them than the plot's height holds: Qt Charts elides a value label
// taller than its share of the axis to "...", which is what a fixed tick count did in the small side panel.
void PnlChart::Private::fitValueAxis()
{
    const double rowPx = QFontMetricsF(y->labelsFont()).height() * 1.6;
    // At least 3: a range across zero always has a label below it, zero and one above (the loop ends there).
    const int maxLabels = std::clamp(int(chart->plotArea().height() / rowPx), 3, 7);
    const double pad = std::max(0.1 * (dataHi - dataLo), 0.5);
    const double lo = dataLo - pad, hi = dataHi + pad;
    double step = niceStep((hi - lo) / (maxLabels - 1));
    double yLo = 0, yHi = 0;
    for (;;) {
        yLo = std::floor(lo / step) * step;
        yHi = std::ceil(hi / step) * step;
        if (std::lround((yHi - yLo) / step) + 1 <= maxLabels)
            break;
        step = niceStep(step * 1.01);
    }
    const QString format = step >= 1 ? QStringLiteral("%.0f") : step >= 0.1 ? QStringLiteral("%.1f") : QStringLiteral("%.2f");
    if (y->tickType() != QValueAxis::TicksDynamic) {
        y->setTickType(QValueAxis::TicksDynamic);
        y->setTickAnchor(0);
    }
    if (y->tickInterval() != step)
        y->setTickInterval(step);
    if (y->labelFormat() != format)
        y->setLabelFormat(format);
    if (y->min() != yLo || y->max() != yHi)
        y->setRange(yLo, yHi);
}

QList<QPointF> PnlChart::Private::shown(const QString &id) const
{
    QList<QPointF> line = points.value(id);
    const qint64 live = liveMs.value(id);
    if (!line.isEmpty() && live > qint64(line.constLast().x()))
        line.append(QPointF(double(live), line.constLast().y()));
    return line;
}

// The chart is redrawn at most once a second: Qt Charts rebuilds a series' whole path on every change, and
// the axes' range change rebuilds every series, so per-batch updates cost the GUI thread tens of ms.
void PnlChart::Private::pushToChart()
{
    if (dirty.isEmpty())
        return;
    for (const QString &id : std::as_const(dirty)) {
        series.value(id)->replace(shown(id));
        pushedLiveMs.insert(id, liveMs.value(id));
    }
    dirty.clear();
    double lo = 0, hi = 0;
    qint64 first = std::numeric_limits<qint64>::max(), last = 0;
    for (auto it = points.cbegin(); it != points.cend(); ++it) {
        for (const QPointF &p : shown(it.key())) {
            lo = std::min(lo, p.y());
            hi = std::max(hi, p.y());
            first = std::min(first, qint64(p.x()));
            last = std::max(last, qint64(p.x()));
        }
    }
    // Move the axes only when the data leaves them (or shrinks to under half): every range change re-lays out
    // every series.
    dataLo = lo;
    dataHi = hi;
    if (lo < y->min() || hi > y->max() || (hi - lo) * 2 < y->max() - y->min())
        fitValueAxis();
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
    d->fitValueAxis();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    d->x->setRange(QDateTime::fromMSecsSinceEpoch(now - 60'000), QDateTime::fromMSecsSinceEpoch(now));
    d->redraw = new QTimer(this);
    d->redraw->setSingleShot(true);
    d->redraw->setInterval(1000);
    connect(d->redraw, &QTimer::timeout, this, [this] { d->pushToChart(); });
    // A taller or shorter plot holds more or fewer value labels.
    connect(d->chart, &QChart::plotAreaChanged, this, [this](const QRectF &area) {
        if (std::abs(area.height() - d->fittedHeight) >= 4) {
            d->fittedHeight = area.height();
            d->fitValueAxis();
        }
    });
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
            d->liveMs.insert(s.id, at);
            if (d->firstMs == 0)
                d->firstMs = at;
            created = true;
            continue;
        }
        const QString name = DisplayText::accountLabel(s);
        if (line->name() != name)
            line->setName(name);
        d->liveMs.insert(s.id, std::max(at, d->liveMs.value(s.id)));
        if (d->lastMinor.value(s.id) == pnl.minor()) {
            // Unchanged: the line still runs on to now, moved every few seconds (each move redraws the series).
            if (d->liveMs.value(s.id) - d->pushedLiveMs.value(s.id) >= LiveEdgeStepMs)
                d->dirty.insert(s.id);
            continue;
        }
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

PnlChart::ValueAxis PnlChart::valueAxis() const
{
    return {d->y->min(), d->y->max(), d->y->tickInterval(), d->chart->plotArea().height(),
            QFontMetricsF(d->y->labelsFont()).height()};
}

QList<QPointF> PnlChart::plotted(const QString &accountId) const
{
    const QLineSeries *line = d->series.value(accountId);
    return line ? line->points() : QList<QPointF>();
}

} // namespace Vigil
