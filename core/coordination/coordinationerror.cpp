// SPDX-License-Identifier: GPL-3.0-or-later
#include "coordinationerror.h"

#include "coordination/holderinfo.h"

namespace Vigil {

Error CoordinationError::unavailable(const QString &message)
{
    return Error::make(ErrorKind::Coordination, Unavailable, message);
}

Error CoordinationError::lockHeld(const QString &key, const HolderInfo *holder)
{
    QString who = QStringLiteral("another holder");
    if (holder)
        who = holder->describe();
    Error e = Error::make(ErrorKind::Coordination, LockHeld, key + QStringLiteral(" is held by ") + who);
    e.details.insert(QStringLiteral("key"), key);
    if (holder)
        e.details.insert(QStringLiteral("holder"), holder->toJson());
    return e;
}

Error CoordinationError::notOwner(const QString &key)
{
    Error e
        = Error::make(ErrorKind::Coordination, NotOwner, key + QStringLiteral(" is not held with this lease's token"));
    e.details.insert(QStringLiteral("key"), key);
    return e;
}

Error CoordinationError::leaseLost(const QString &key, const QString &why)
{
    Error e = Error::make(
        ErrorKind::Coordination, LeaseLost, QStringLiteral("lease on ") + key + QStringLiteral(" lost: ") + why);
    e.details.insert(QStringLiteral("key"), key);
    return e;
}

bool CoordinationError::isUnavailable(const Error &error)
{
    return error.kind == ErrorKind::Coordination && error.code == Unavailable;
}

} // namespace Vigil
