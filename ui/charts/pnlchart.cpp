// SPDX-License-Identifier: GPL-3.0-or-later
#include "pnlchart.h"

#include <cmath>

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QHash>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>
#include <QVBoxLayout>

#include "engine/accountsnapshot.h"
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
    QHash<QString, qint64> lastMinor;
    qint64 firstMs = 0;
};

PnlChart::PnlChart(QWidget *parent) : QWidget(parent), d(std::make_unique<Private>())
{
    setObjectName(QStringLiteral("pnlChart"));
    d->chart = new QChart;
    d->chart->setTheme(ConsoleColors::isDark() ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    d->chart->setTitle(tr("P/L today"));
    d->chart->setMargins(QMargins(4, 4, 4, 4));
    d->chart->setBackgroundRoundness(6);
    d->chart->legend()->setAlignment(Qt::AlignBottom);
    d->chart->setAnimationOptions(QChart::NoAnimation);
    d->x = new QDateTimeAxis;
    d->x->setFormat(QStringLiteral("HH:mm:ss"));
    d->x->setTickCount(4);
    d->y = new QValueAxis;
    d->y->setLabelFormat(QStringLiteral("%.2f"));
    d->y->setRange(-1, 1);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    d->x->setRange(QDateTime::fromMSecsSinceEpoch(now - 60'000), QDateTime::fromMSecsSinceEpoch(now));
    d->chart->addAxis(d->x, Qt::AlignBottom);
    d->chart->addAxis(d->y, Qt::AlignLeft);
    d->view = new QChartView(d->chart, this);
    d->view->setRenderHint(QPainter::Antialiasing);
    d->view->setMinimumHeight(180);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(d->view);
}

PnlChart::~PnlChart() = default;

void PnlChart::applySnapshots(const QList<AccountSnapshot> &snapshots)
{
    bool changed = false;
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
            line->append(double(at), plotValue(pnl));
            d->lastMinor.insert(s.id, pnl.minor());
            if (d->firstMs == 0)
                d->firstMs = at;
            changed = true;
            continue;
        }
        line->setName(DisplayText::accountLabel(s));
        if (d->lastMinor.value(s.id) == pnl.minor())
            continue;
        // A step: the old value up to now, then the new one, so the curve shows when each trade settled.
        const double prev = line->at(line->count() - 1).y();
        line->append(double(at), prev);
        line->append(double(at), plotValue(pnl));
        if (line->count() > MaxPoints)
            line->removePoints(0, line->count() - MaxPoints);
        d->lastMinor.insert(s.id, pnl.minor());
        changed = true;
    }
    if (!changed)
        return;
    double lo = 0, hi = 0;
    qint64 first = std::numeric_limits<qint64>::max(), last = 0;
    for (QLineSeries *line : std::as_const(d->series)) {
        for (const QPointF &p : line->points()) {
            lo = std::min(lo, p.y());
            hi = std::max(hi, p.y());
            first = std::min(first, qint64(p.x()));
            last = std::max(last, qint64(p.x()));
        }
    }
    const double pad = std::max(0.5, (hi - lo) * 0.1);
    d->y->setRange(std::floor(lo - pad), std::ceil(hi + pad));
    d->y->applyNiceNumbers();
    last += std::max<qint64>(5'000, (last - first) / 20); // room to the right: the curve is live
    d->x->setRange(QDateTime::fromMSecsSinceEpoch(first), QDateTime::fromMSecsSinceEpoch(last));
}

int PnlChart::seriesCount() const
{
    return int(d->series.size());
}

int PnlChart::pointCount(const QString &accountId) const
{
    QLineSeries *line = d->series.value(accountId);
    return line ? line->count() : 0;
}

} // namespace Vigil
