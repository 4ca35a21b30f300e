// SPDX-License-Identifier: GPL-3.0-or-later
#include "tickchart.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QHash>
#include <QLineSeries>
#include <QPen>
#include <QPointer>
#include <QScatterSeries>
#include <QValueAxis>
#include <QVBoxLayout>

#include "engine/engine.h"
#include "engine/engineevent.h"
#include "engine/tickpoint.h"
#include "ui/charts/chartframe.h"
#include "ui/consolecolors.h"

namespace Vigil {

namespace {
// Plotting only: the chart needs a double; nothing is computed from it.
double plotQuote(const TickPoint &t)
{
    return double(t.quotePips) / std::pow(10.0, t.pipDigits);
}

QScatterSeries *markerSeries(const QString &name, const QColor &colour, QScatterSeries::MarkerShape shape)
{
    auto *s = new QScatterSeries;
    s->setName(name);
    s->setMarkerShape(shape);
    s->setMarkerSize(11);
    s->setColor(colour);
    s->setBorderColor(colour.darker(140));
    return s;
}

// Points at or after `cutoffMs` (x is epoch ms).
QList<QPointF> since(const QList<QPointF> &points, qint64 cutoffMs)
{
    QList<QPointF> out;
    for (const QPointF &p : points) {
        if (qint64(p.x()) >= cutoffMs)
            out.append(p);
    }
    return out;
}
} // namespace

struct TickChart::Private
{
    QPointer<Engine> engine;
    QString symbol;
    QString botId;
    qint64 windowMs = qint64(DefaultWindowMinutes) * 60'000;
    int pipDigits = 2;
    QChart *chart = nullptr;
    QChartView *view = nullptr;
    QDateTimeAxis *x = nullptr;
    QValueAxis *y = nullptr;
    QLineSeries *ticks = nullptr;
    QScatterSeries *entries = nullptr;
    QScatterSeries *wins = nullptr;
    QScatterSeries *losses = nullptr;
    QHash<QString, QPointF> entryOf; // contract id → its entry marker
};

TickChart::TickChart(QWidget *parent) : QWidget(parent), d(std::make_unique<Private>())
{
    setObjectName(QStringLiteral("tickChart"));
    const ChartFrame frame = ChartFrame::create(this, tr("Ticks: select a bot"));
    d->chart = frame.chart;
    d->view = frame.view;
    d->x = frame.x;
    d->y = frame.y;

    d->ticks = new QLineSeries;
    d->ticks->setName(tr("Quote"));
    d->entries = markerSeries(tr("Entry"), QColor(0x2f, 0x6f, 0xd6), QScatterSeries::MarkerShapeRectangle);
    d->wins = markerSeries(tr("Exit, won"), ConsoleColors::profit(), QScatterSeries::MarkerShapeCircle);
    d->losses = markerSeries(tr("Exit, lost"), ConsoleColors::loss(), QScatterSeries::MarkerShapeCircle);
    for (QXYSeries *s : {static_cast<QXYSeries *>(d->ticks), static_cast<QXYSeries *>(d->entries),
                         static_cast<QXYSeries *>(d->wins), static_cast<QXYSeries *>(d->losses)}) {
        d->chart->addSeries(s);
        s->attachAxis(d->x);
        s->attachAxis(d->y);
    }
    QPen pen = d->ticks->pen();
    pen.setWidthF(1.5);
    d->ticks->setPen(pen);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    d->x->setRange(QDateTime::fromMSecsSinceEpoch(now - d->windowMs), QDateTime::fromMSecsSinceEpoch(now));
    d->y->setRange(0, 1);
}

TickChart::~TickChart()
{
    if (d->engine && !d->symbol.isEmpty())
        d->engine->unwatchSymbol(d->symbol);
}

void TickChart::attach(Engine &engine)
{
    d->engine = &engine;
    connect(&engine, &Engine::ticksArrived, this, &TickChart::addTicks);
    if (!d->symbol.isEmpty())
        engine.watchSymbol(d->symbol);
}

void TickChart::follow(const QString &botId, const QString &symbol)
{
    if (botId == d->botId && symbol == d->symbol)
        return;
    d->botId = botId;
    if (symbol != d->symbol) {
        if (d->engine && !d->symbol.isEmpty())
            d->engine->unwatchSymbol(d->symbol);
        d->symbol = symbol;
        if (d->engine && !symbol.isEmpty())
            d->engine->watchSymbol(symbol);
    }
    clear();
    d->chart->setTitle(symbol.isEmpty() ? tr("Ticks: select a bot") : tr("%1 — %2").arg(symbol, botId));
}

QString TickChart::symbol() const { return d->symbol; }
QString TickChart::botId() const { return d->botId; }

void TickChart::setWindowMinutes(int minutes)
{
    d->windowMs = qint64(std::max(1, minutes)) * 60'000;
    trim();
    updateRanges();
}

void TickChart::clear()
{
    d->ticks->clear();
    d->entries->clear();
    d->wins->clear();
    d->losses->clear();
    d->entryOf.clear();
}

void TickChart::addTicks(const QString &symbol, const QList<TickPoint> &ticks)
{
    if (symbol != d->symbol || ticks.isEmpty())
        return;
    QList<QPointF> points;
    points.reserve(ticks.size());
    for (const TickPoint &t : ticks)
        points.append(QPointF(double(t.epochMs), plotQuote(t)));
    if (d->pipDigits != ticks.last().pipDigits) {
        d->pipDigits = ticks.last().pipDigits;
        d->y->setLabelFormat(QStringLiteral("%.%1f").arg(d->pipDigits));
    }
    d->ticks->append(points);
    trim();
    updateRanges();
}

void TickChart::addEvents(const QList<EngineEvent> &events)
{
    bool added = false;
    for (const EngineEvent &e : events) {
        if (e.kind != EngineEvent::Kind::TradeOpened && e.kind != EngineEvent::Kind::TradeClosed)
            continue;
        if (d->symbol.isEmpty() || e.details.value(QLatin1String("symbol")).toString() != d->symbol)
            continue;
        if (!d->botId.isEmpty() && e.bot != d->botId)
            continue;
        auto point = [&e](const char *spot, const char *epoch) -> std::optional<QPointF> {
            bool okSpot = false;
            bool okEpoch = false;
            const double y = e.details.value(QLatin1String(spot)).toString().toDouble(&okSpot);
            const qint64 x = e.details.value(QLatin1String(epoch)).toString().toLongLong(&okEpoch);
            if (!okSpot || !okEpoch || x <= 0)
                return std::nullopt;
            return QPointF(double(x), y);
        };
        if (e.kind == EngineEvent::Kind::TradeOpened) {
            if (auto p = point("entrySpot", "entryEpochMs")) {
                d->entries->append(*p);
                d->entryOf.insert(e.details.value(QLatin1String("contractId")).toString(), *p);
                added = true;
            }
            continue;
        }
        // The settlement names the exact entry tick: it replaces the opening estimate (the last tick seen).
        const QString contract = e.details.value(QLatin1String("contractId")).toString();
        if (auto entry = point("entrySpot", "entryEpochMs")) {
            const auto known = d->entryOf.constFind(contract);
            if (known != d->entryOf.cend() && d->entries->points().contains(*known))
                d->entries->replace(*known, *entry);
            else
                d->entries->append(*entry);
            d->entryOf.insert(contract, *entry);
            added = true;
        }
        if (auto exit = point("exitSpot", "exitEpochMs")) {
            const bool loss = e.details.value(QLatin1String("profit")).toString().startsWith(u'-');
            (loss ? d->losses : d->wins)->append(*exit);
            added = true;
        }
    }
    if (added) {
        trim();
        updateRanges();
    }
}

void TickChart::trim()
{
    if (d->ticks->count() == 0)
        return;
    const qint64 cutoff = qint64(d->ticks->at(d->ticks->count() - 1).x()) - d->windowMs;
    int old = 0;
    while (old < d->ticks->count() && qint64(d->ticks->at(old).x()) < cutoff)
        ++old;
    if (old > 0)
        d->ticks->removePoints(0, old);
    for (QScatterSeries *s : {d->entries, d->wins, d->losses}) {
        const QList<QPointF> kept = since(s->points(), cutoff);
        if (kept.size() != s->count())
            s->replace(kept);
    }
    for (auto it = d->entryOf.begin(); it != d->entryOf.end();)
        it = qint64(it->x()) < cutoff ? d->entryOf.erase(it) : std::next(it);
}

void TickChart::updateRanges()
{
    double lo = std::numeric_limits<double>::max();
    double hi = std::numeric_limits<double>::lowest();
    qint64 first = std::numeric_limits<qint64>::max();
    qint64 last = 0;
    for (QXYSeries *s : {static_cast<QXYSeries *>(d->ticks), static_cast<QXYSeries *>(d->entries),
                         static_cast<QXYSeries *>(d->wins), static_cast<QXYSeries *>(d->losses)}) {
        for (const QPointF &p : s->points()) {
            lo = std::min(lo, p.y());
            hi = std::max(hi, p.y());
            first = std::min(first, qint64(p.x()));
            last = std::max(last, qint64(p.x()));
        }
    }
    if (last == 0)
        return;
    const double unit = 1.0 / std::pow(10.0, d->pipDigits);
    const double pad = std::max((hi - lo) * 0.08, 5 * unit);
    d->y->setRange(lo - pad, hi + pad);
    first = std::max(first, last - d->windowMs);
    last += std::max<qint64>(2'000, (last - first) / 30); // room to the right: the line is live
    d->x->setRange(QDateTime::fromMSecsSinceEpoch(first), QDateTime::fromMSecsSinceEpoch(last));
}

int TickChart::tickCount() const { return d->ticks->count(); }
int TickChart::entryCount() const { return d->entries->count(); }
int TickChart::winCount() const { return d->wins->count(); }
int TickChart::lossCount() const { return d->losses->count(); }
double TickChart::minShown() const { return d->y->min(); }
double TickChart::maxShown() const { return d->y->max(); }
qint64 TickChart::firstShownMs() const { return d->x->min().toMSecsSinceEpoch(); }
qint64 TickChart::lastShownMs() const { return d->x->max().toMSecsSinceEpoch(); }

} // namespace Vigil
