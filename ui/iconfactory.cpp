// SPDX-License-Identifier: GPL-3.0-or-later
#include "iconfactory.h"

#include <functional>

#include <QCoreApplication>
#include <QHash>
#include <QImageReader>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <QPolygonF>

// The resources live in this static library: nothing would pull their initializer in otherwise.
static void initVigilResources()
{
    Q_INIT_RESOURCE(vigil);
}

namespace Vigil {

namespace {
using Paint = std::function<void(QPainter &)>;

QPolygonF octagon(qreal inset)
{
    const qreal a = 20 + inset * 0.4, b = 44 - inset * 0.4, lo = 3 + inset, hi = 61 - inset;
    return QPolygonF({{a, lo}, {b, lo}, {hi, a}, {hi, b}, {b, hi}, {a, hi}, {lo, b}, {lo, a}});
}

void roundRect(QPainter &p, QRectF r, qreal radius, const QColor &c)
{
    p.setPen(Qt::NoPen);
    p.setBrush(c);
    p.drawRoundedRect(r, radius, radius);
}

void strokePath(QPainter &p, const QPainterPath &path, const QColor &c, qreal width)
{
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(c, width, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p.drawPath(path);
}

QPainterPath polyline(std::initializer_list<QPointF> points)
{
    QPainterPath path;
    bool first = true;
    for (const QPointF &pt : points) {
        if (first)
            path.moveTo(pt);
        else
            path.lineTo(pt);
        first = false;
    }
    return path;
}

// The same shapes as resources/icons/<name>.svg, on a 64×64 canvas.
Paint painterFor(const QString &name)
{
    const QColor white(Qt::white);
    if (name == QLatin1String("vigil"))
        return [=](QPainter &p) {
            roundRect(p, {2, 2, 60, 60}, 14, QColor(0x17, 0x32, 0x4d));
            strokePath(p, polyline({{8, 34}, {20, 34}, {26, 22}, {34, 44}, {40, 30}, {56, 30}}), QColor(0x4f, 0xd1, 0x8b), 5);
            p.setPen(Qt::NoPen);
            p.setBrush(QColor(0xe8, 0x46, 0x3c));
            p.drawEllipse(QPointF(48, 16), 7, 7);
        };
    if (name == QLatin1String("state-trading"))
        return [=](QPainter &p) {
            p.setPen(Qt::NoPen);
            p.setBrush(QColor(0x2e, 0xa0, 0x43));
            p.drawEllipse(QPointF(32, 32), 29, 29);
            strokePath(p, polyline({{12, 38}, {24, 38}, {30, 24}, {37, 44}, {42, 32}, {52, 32}}), white, 5);
        };
    if (name == QLatin1String("state-halted"))
        return [=](QPainter &p) {
            p.setPen(Qt::NoPen);
            p.setBrush(QColor(0xd0, 0x1f, 0x2d));
            p.drawPolygon(octagon(0));
            roundRect(p, {14, 27, 36, 10}, 2, white);
        };
    if (name == QLatin1String("state-error"))
        return [=](QPainter &p) {
            const QColor amber(0xe8, 0x9a, 0x0c);
            p.setPen(QPen(amber, 4, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
            p.setBrush(amber);
            p.drawPolygon(QPolygonF({{32, 3}, {62, 58}, {2, 58}}));
            roundRect(p, {28, 20, 8, 22}, 2, QColor(0x1d, 0x1d, 0x1d));
            p.setBrush(QColor(0x1d, 0x1d, 0x1d));
            p.drawEllipse(QPointF(32, 50), 4.5, 4.5);
        };
    if (name == QLatin1String("state-idle"))
        return [=](QPainter &p) {
            p.setPen(Qt::NoPen);
            p.setBrush(QColor(0x7d, 0x85, 0x90));
            p.drawEllipse(QPointF(32, 32), 29, 29);
            roundRect(p, {14, 29, 36, 6}, 3, white);
        };
    if (name == QLatin1String("action-start"))
        return [=](QPainter &p) {
            const QColor green(0x2e, 0xa0, 0x43);
            p.setPen(QPen(green, 4, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
            p.setBrush(green);
            p.drawPolygon(QPolygonF({{16, 8}, {56, 32}, {16, 56}}));
        };
    if (name == QLatin1String("action-pause"))
        return [=](QPainter &p) {
            roundRect(p, {13, 8, 14, 48}, 3, QColor(0xe8, 0x9a, 0x0c));
            roundRect(p, {37, 8, 14, 48}, 3, QColor(0xe8, 0x9a, 0x0c));
        };
    if (name == QLatin1String("action-stop"))
        return [=](QPainter &p) { roundRect(p, {10, 10, 44, 44}, 5, QColor(0x6e, 0x77, 0x81)); };
    if (name == QLatin1String("action-add"))
        return [=](QPainter &p) {
            roundRect(p, {27, 8, 10, 48}, 3, QColor(0x1f, 0x6f, 0xeb));
            roundRect(p, {8, 27, 48, 10}, 3, QColor(0x1f, 0x6f, 0xeb));
        };
    if (name == QLatin1String("action-edit"))
        return [=](QPainter &p) {
            p.setPen(Qt::NoPen);
            p.setBrush(QColor(0x1f, 0x6f, 0xeb));
            p.drawPolygon(QPolygonF({{44, 6}, {58, 20}, {24, 54}, {8, 58}, {12, 42}}));
            p.setBrush(QColor(0x0b, 0x3d, 0x91));
            p.drawPolygon(QPolygonF({{12, 42}, {24, 54}, {8, 58}}));
        };
    if (name == QLatin1String("action-remove"))
        return [=](QPainter &p) { roundRect(p, {8, 27, 48, 10}, 3, QColor(0xc0, 0x1c, 0x28)); };
    if (name == QLatin1String("action-reconcile"))
        return [=](QPainter &p) {
            const QColor violet(0x82, 0x50, 0xdf);
            QPainterPath upper;
            upper.arcMoveTo(QRectF(12, 12, 40, 40), 180 - 11);
            upper.arcTo(QRectF(12, 12, 40, 40), 180 - 11, -125);
            QPainterPath lower;
            lower.arcMoveTo(QRectF(12, 12, 40, 40), -11);
            lower.arcTo(QRectF(12, 12, 40, 40), -11, -125);
            strokePath(p, upper, violet, 7);
            strokePath(p, lower, violet, 7);
            p.setPen(Qt::NoPen);
            p.setBrush(violet);
            p.drawPolygon(QPolygonF({{54, 8}, {56, 28}, {38, 22}}));
            p.drawPolygon(QPolygonF({{10, 56}, {8, 36}, {26, 42}}));
        };
    if (name == QLatin1String("action-settings"))
        return [=](QPainter &p) {
            for (qreal y : {14.0, 29.0, 44.0})
                roundRect(p, {8, y, 48, 6}, 3, QColor(0x6e, 0x77, 0x81));
            p.setBrush(QColor(0x57, 0x60, 0x6a));
            p.drawEllipse(QPointF(22, 17), 7, 7);
            p.drawEllipse(QPointF(42, 32), 7, 7);
            p.drawEllipse(QPointF(28, 47), 7, 7);
        };
    if (name == QLatin1String("action-emergency-stop"))
        return [=](QPainter &p) {
            p.setPen(Qt::NoPen);
            p.setBrush(white);
            p.drawPolygon(octagon(0));
            p.setBrush(QColor(0xd0, 0x1f, 0x2d));
            p.drawPolygon(octagon(4));
            roundRect(p, {14, 27, 36, 10}, 2, white);
        };
    if (name == QLatin1String("action-rearm"))
        return [=](QPainter &p) {
            QPainterPath shield;
            shield.moveTo(32, 4);
            shield.lineTo(56, 12);
            shield.lineTo(56, 30);
            shield.cubicTo(56, 46, 44, 56, 32, 60);
            shield.cubicTo(20, 56, 8, 46, 8, 30);
            shield.lineTo(8, 12);
            shield.closeSubpath();
            p.setPen(Qt::NoPen);
            p.setBrush(QColor(0x2e, 0xa0, 0x43));
            p.drawPath(shield);
            strokePath(p, polyline({{20, 32}, {29, 41}, {45, 23}}), white, 6);
        };
    if (name == QLatin1String("action-log"))
        return [=](QPainter &p) {
            roundRect(p, {10, 6, 44, 52}, 5, QColor(0x57, 0x60, 0x6a));
            roundRect(p, {18, 18, 28, 5}, 2, white);
            roundRect(p, {18, 29, 28, 5}, 2, white);
            roundRect(p, {18, 40, 18, 5}, 2, white);
        };
    return {};
}

QIcon painted(const QString &name)
{
    const Paint paint = painterFor(name);
    QIcon icon;
    if (!paint)
        return icon;
    for (int size : {16, 22, 24, 32, 48, 64, 128}) {
        QPixmap pm(size, size);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        p.scale(size / 64.0, size / 64.0);
        paint(p);
        p.end();
        icon.addPixmap(pm);
    }
    return icon;
}

// Icons hold pixmaps, which must not outlive the application object: the caches are emptied by a post
// routine (run by QCoreApplication's destructor) instead of by static destruction after main().
struct Caches
{
    QHash<QString, QIcon> named;
    QHash<QRgb, QIcon> round;
    QHash<QRgb, QIcon> square;
};

Caches &caches()
{
    static Caches *s_caches = [] {
        initVigilResources();
        qAddPostRoutine([] {
            caches().named.clear();
            caches().round.clear();
            caches().square.clear();
        });
        return new Caches;
    }();
    return *s_caches;
}

QIcon named(const QString &name)
{
    QHash<QString, QIcon> &cache = caches().named;
    auto it = cache.constFind(name);
    if (it != cache.cend())
        return it.value();
    const QIcon icon = IconFactory::svgSupported() ? QIcon(QStringLiteral(":/icons/") + name + QStringLiteral(".svg"))
                                                   : painted(name);
    cache.insert(name, icon);
    return icon;
}

QIcon dot(const QColor &color, bool square)
{
    QHash<QRgb, QIcon> &cache = square ? caches().square : caches().round;
    auto it = cache.constFind(color.rgb());
    if (it != cache.cend())
        return it.value();
    QIcon icon;
    for (int size : {12, 16, 24, 32}) {
        QPixmap pm(size, size);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(Qt::NoPen);
        p.setBrush(color);
        const QRectF r(size * 0.2, size * 0.2, size * 0.6, size * 0.6);
        if (square)
            p.drawRoundedRect(r, size * 0.08, size * 0.08);
        else
            p.drawEllipse(r);
        p.end();
        icon.addPixmap(pm);
    }
    cache.insert(color.rgb(), icon);
    return icon;
}
} // namespace

bool IconFactory::svgSupported()
{
    static const bool s_svg = QImageReader::supportedImageFormats().contains("svg");
    return s_svg;
}

QIcon IconFactory::app()
{
    return named(QStringLiteral("vigil"));
}

QIcon IconFactory::overall(OverallState state)
{
    switch (state) {
    case OverallState::Trading: return named(QStringLiteral("state-trading"));
    case OverallState::Halted: return named(QStringLiteral("state-halted"));
    case OverallState::Error: return named(QStringLiteral("state-error"));
    case OverallState::Idle: break;
    }
    return named(QStringLiteral("state-idle"));
}

QIcon IconFactory::botState(BotState state)
{
    switch (state) {
    case BotState::Running: return dot(QColor(0x2e, 0xa0, 0x43), false);
    case BotState::Starting:
    case BotState::Stopping: return dot(QColor(0x1f, 0x6f, 0xeb), false);
    case BotState::Paused: return dot(QColor(0xe8, 0x9a, 0x0c), false);
    case BotState::Stopped: return dot(QColor(0x8c, 0x95, 0x9f), false);
    case BotState::Halted: return dot(QColor(0xd0, 0x1f, 0x2d), true);
    case BotState::Failed: return dot(QColor(0x8b, 0x00, 0x00), true);
    }
    return {};
}

QIcon IconFactory::action(Action action)
{
    switch (action) {
    case Action::Start: return named(QStringLiteral("action-start"));
    case Action::Pause: return named(QStringLiteral("action-pause"));
    case Action::Stop: return named(QStringLiteral("action-stop"));
    case Action::Add: return named(QStringLiteral("action-add"));
    case Action::Edit: return named(QStringLiteral("action-edit"));
    case Action::Remove: return named(QStringLiteral("action-remove"));
    case Action::Reconcile: return named(QStringLiteral("action-reconcile"));
    case Action::Settings: return named(QStringLiteral("action-settings"));
    case Action::EmergencyStop: return named(QStringLiteral("action-emergency-stop"));
    case Action::Rearm: return named(QStringLiteral("action-rearm"));
    case Action::Log: return named(QStringLiteral("action-log"));
    }
    return {};
}

} // namespace Vigil
