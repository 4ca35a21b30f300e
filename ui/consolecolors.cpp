// SPDX-License-Identifier: GPL-3.0-or-later
#include "consolecolors.h"

#include <QGuiApplication>
#include <QPalette>

namespace Vigil::ConsoleColors {

bool isDark()
{
    const QPalette p = QGuiApplication::palette();
    return p.color(QPalette::Window).lightness() < p.color(QPalette::WindowText).lightness();
}

QColor profit() { return isDark() ? QColor(0x5c, 0xd6, 0x8a) : QColor(0x12, 0x7a, 0x3a); }
QColor loss() { return isDark() ? QColor(0xff, 0x7b, 0x72) : QColor(0xc0, 0x1c, 0x28); }
QColor ok() { return QColor(0x2e, 0xa0, 0x43); }
QColor warning() { return QColor(0xe8, 0x9a, 0x0c); }
QColor danger() { return QColor(0xd0, 0x1f, 0x2d); }
QColor paper() { return QColor(0x1f, 0x5f, 0xa8); }
QColor real() { return QColor(0xb3, 0x26, 0x1e); }
QColor muted()
{
    QColor c = QGuiApplication::palette().color(QPalette::WindowText);
    c.setAlphaF(0.6f);
    return c;
}

QString css(const QColor &color)
{
    return color.name(QColor::HexRgb);
}

} // namespace Vigil::ConsoleColors
