// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>

namespace Vigil {

// An audit record: emergency stops, lock events, token revocations (Journal::audit).
// Never holds a secret: the journal passes details through Redactor::redactJson before storing them.
struct AuditEvent
{
    qint64 id = 0;
    QString kind; // "emergency_stop", "lock_lost", "token_revoked", ...
    QString account; // empty for global events
    QJsonObject details;
    qint64 atMs = 0;
};

} // namespace Vigil
