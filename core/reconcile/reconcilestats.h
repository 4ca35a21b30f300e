// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QJsonObject>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace Vigil {

// What one reconciliation run cost and what it could not look at: the part of a run's record that
// ReconcileReport has no field for. Reconciler::lastRunStats() returns it, and the run's audit event
// ("reconcile_run", details = toJson()) stores it next to the report. A value type.
struct ReconcileStats
{
    qint64 reportId = 0; // the saved report (0 = it could not be saved)
    QString account;
    QString trigger;
    qint64 startedMs = 0;
    qint64 elapsedMs = 0;               // wall time of the run
    QMap<QString, int> calls;           // server calls sent, by call name ("portfolio", "profit_table", ...)
    int profitTablePages = 0;
    qint64 windowFromMs = 0;            // profit_table date_from (ms); 0 = profit_table was not needed
    int journalRowsExamined = 0;        // unresolved rows plus settled rows not yet confirmed
    int serverContractsSeen = 0;        // distinct contracts in portfolio, profit_table and lookups
    int deferred = 0;                   // pending/unknown rows whose buy may still be in flight (here, or at
                                        // another live instance, or one the registry cannot tell about): left alone
    int unreadableRows = 0;             // server rows that could not be read (skipped; listed in the report)
    int otherJournals = 0;              // server contracts other journals hold (ReconcilerOptions::otherJournals)
    std::optional<qint64> serverOffsetMs; // the server's clock minus ours as the match window used it;
                                          // nullopt = unknown (the window was widened instead)
    QStringList unchecked;              // what could not be checked and why (empty = everything was)

    int totalCalls() const
    {
        int n = 0;
        for (int c : calls)
            n += c;
        return n;
    }
    // portfolio + profit_table + statement: the scarce budget (~25-30 per minute per account).
    int outcomeCalls() const
    {
        return calls.value(QStringLiteral("portfolio")) + calls.value(QStringLiteral("profit_table"))
            + calls.value(QStringLiteral("statement"));
    }
    QJsonObject toJson() const;
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::ReconcileStats)
