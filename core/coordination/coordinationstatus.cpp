// SPDX-License-Identifier: GPL-3.0-or-later
#include "coordinationstatus.h"

namespace Vigil {

QString coordinationBackendName(CoordinationBackendKind kind)
{
    switch (kind) {
    case CoordinationBackendKind::Memory:
        return QStringLiteral("memory");
    case CoordinationBackendKind::File:
        return QStringLiteral("file");
    case CoordinationBackendKind::Redis:
        return QStringLiteral("redis");
    }
    return QStringLiteral("unknown");
}

QString CoordinationStatus::describe() const
{
    QString s = coordinationBackendName(backend) + (up ? QStringLiteral(": up") : QStringLiteral(": down"));
    if (!up && !lastError.message.isEmpty())
        s += QStringLiteral(" (") + lastError.code + QStringLiteral(": ") + lastError.message + u')';
    return s;
}

} // namespace Vigil
