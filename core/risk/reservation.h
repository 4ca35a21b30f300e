// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDate>
#include <QMetaType>
#include <QString>

#include "money/money.h"

namespace Vigil {

// A claim on an account's limits for one buy, handed out by LimitLedger::reserve(). A value type (copy it
// into the trade's context); exactly one of release() or settle() ends it, confirm() marks it bought.
struct Reservation
{
    quint64 id = 0; // 0: no reservation
    QString account;
    Money stake;
    QDate day;      // the ledger day whose trade count it used

    bool isValid() const { return id != 0; }
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::Reservation)
