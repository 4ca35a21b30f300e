// SPDX-License-Identifier: GPL-3.0-or-later
#include "accountsnapshot.h"

namespace Vigil {

QString connectionName(AccountSnapshot::Connection connection)
{
    switch (connection) {
    case AccountSnapshot::Connection::Connecting: return QStringLiteral("connecting");
    case AccountSnapshot::Connection::Connected: return QStringLiteral("connected");
    case AccountSnapshot::Connection::Reconnecting: return QStringLiteral("reconnecting");
    case AccountSnapshot::Connection::Down: return QStringLiteral("down");
    }
    return QStringLiteral("down");
}

} // namespace Vigil
