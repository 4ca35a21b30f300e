// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QMetaType>
#include <QString>

namespace Vigil {

// One tick of a watched symbol, for charts (Engine::ticksArrived). The quote is exact: an integer count of
// pips (quote × 10^pipDigits), as in strategy/tick.h; a chart may convert it to a double to plot, nothing else.
// A value type: crosses threads freely.
struct TickPoint
{
    qint64 epochMs = 0;
    qint64 quotePips = 0;
    int pipDigits = 2;

    // "1234.50"
    QString quoteString() const;
    friend bool operator==(const TickPoint &a, const TickPoint &b)
    {
        return a.epochMs == b.epochMs && a.quotePips == b.quotePips && a.pipDigits == b.pipDigits;
    }
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::TickPoint)
