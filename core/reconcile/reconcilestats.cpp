// SPDX-License-Identifier: GPL-3.0-or-later
#include "reconcilestats.h"

#include <QJsonArray>

namespace Vigil {

QJsonObject ReconcileStats::toJson() const
{
    QJsonObject callsJson;
    for (auto it = calls.cbegin(); it != calls.cend(); ++it)
        callsJson.insert(it.key(), it.value());
    return QJsonObject{
        {QStringLiteral("report_id"), reportId},
        {QStringLiteral("account"), account},
        {QStringLiteral("trigger"), trigger},
        {QStringLiteral("started_ms"), startedMs},
        {QStringLiteral("elapsed_ms"), elapsedMs},
        {QStringLiteral("api_calls"), totalCalls()},
        {QStringLiteral("outcome_calls"), outcomeCalls()},
        {QStringLiteral("calls"), callsJson},
        {QStringLiteral("profit_table_pages"), profitTablePages},
        {QStringLiteral("window_from_ms"), windowFromMs},
        {QStringLiteral("journal_rows_examined"), journalRowsExamined},
        {QStringLiteral("server_contracts_seen"), serverContractsSeen},
        {QStringLiteral("deferred"), deferred},
        {QStringLiteral("unreadable_rows"), unreadableRows},
        {QStringLiteral("other_journals"), otherJournals},
        {QStringLiteral("server_offset_ms"), serverOffsetMs ? QJsonValue(*serverOffsetMs) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("unchecked"), QJsonArray::fromStringList(unchecked)},
    };
}

} // namespace Vigil
