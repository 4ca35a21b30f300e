// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaType>
#include <QString>

namespace Vigil {

// The right for one bot to send one buy on an account: the account lock, then the bot lock, held.
// A value type. fence is the account lock's fencing token (0 = unfenced, single instance).
struct ExecutionPermit
{
    quint64 id = 0;
    QString account;
    QString bot;
    qint64 fence = 0;
    bool isValid() const { return id != 0; }
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::ExecutionPermit)
