// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QMetaType>
#include <QString>

#include "store/discrepancy.h"

namespace Vigil {

// The record of one reconciliation run for one account (Journal::saveReport).
struct ReconcileReport
{
    qint64 id = 0; // assigned by saveReport
    QString account;
    QString trigger; // "startup", "reconnect", "manual", "lost_reply", ...
    qint64 startedMs = 0;
    qint64 finishedMs = 0;
    // Counts per case.
    int adopted = 0; // unknown/pending rows resolved as bought
    int failed = 0; // unknown/pending rows resolved as never bought
    int settled = 0; // open rows found settled
    int stale = 0; // rows given up on
    int orphans = 0; // server contracts the journal did not know
    int mismatches = 0; // rows whose figures were corrected
    QList<Discrepancy> discrepancies;
    QString error; // why the run could not complete; empty = it completed

    bool completed() const { return error.isEmpty(); }
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::ReconcileReport)
