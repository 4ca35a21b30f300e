// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QString>

namespace Vigil::ConsoleColors {

// The console's signal colours, chosen to stay readable on the system's light or dark palette (the theme
// follows the system: the palette of the running QApplication decides).
bool isDark();
QColor profit();   // green text
QColor loss();     // red text
QColor ok();       // green fill
QColor warning();  // amber fill
QColor danger();   // red fill (emergency stop, at a limit, halted)
QColor paper();    // the PAPER banner
QColor real();     // the REAL banner
QColor muted();    // secondary text
// "#rrggbb" for style sheets
QString css(const QColor &color);

} // namespace Vigil::ConsoleColors
