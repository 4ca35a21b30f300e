// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>

namespace Vigil {

// One difference reconciliation found between the journal and the server, and what it did about it.
struct Discrepancy
{
    QString kind; // "orphan", "unknown_resolved", "mismatch", "stale", ...
    qint64 localId = 0; // 0 = no journal row (before an adoption)
    qint64 contractId = 0;
    QJsonObject before; // e.g. Trade::toJson() before the action; {} when there was nothing
    QJsonObject after;
    QString action; // "adopted", "marked_failed", "corrected", "closed_stale", "none"
};

} // namespace Vigil
