// SPDX-License-Identifier: GPL-3.0-or-later
#include "tradeintent.h"

namespace Vigil {

QJsonObject TradeIntent::toJson() const
{
    QJsonObject o{{QStringLiteral("symbol"), symbol},
                  {QStringLiteral("contract_type"), contractTypeName(contractType)},
                  {QStringLiteral("duration"), duration},
                  {QStringLiteral("duration_unit"), durationUnitName(durationUnit)},
                  {QStringLiteral("stake"), stake.toString()},
                  {QStringLiteral("basis"), basis},
                  {QStringLiteral("currency"), currency}};
    if (!barrier.isEmpty())
        o.insert(QStringLiteral("barrier"), barrier);
    return o;
}

} // namespace Vigil
