// SPDX-License-Identifier: GPL-3.0-or-later
#include "tickpoint.h"

#include "strategy/tick.h"

namespace Vigil {

QString TickPoint::quoteString() const
{
    Tick t;
    t.epochMs = epochMs;
    t.quotePips = quotePips;
    t.pipDigits = pipDigits;
    return t.quoteString();
}

} // namespace Vigil
