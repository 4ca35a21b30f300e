// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>

#include "money/money.h"
#include "strategy/contracttype.h"

namespace Vigil {

// One buy a strategy wants, fully specified: what the executor turns into Deriv's buy `parameters`
// (amount = stake, basis = "stake"). A value type: crosses threads freely.
struct TradeIntent
{
    QString symbol;
    ContractType contractType = ContractType::Call;
    int duration = 0;
    DurationUnit durationUnit = DurationUnit::Ticks;
    QString barrier;   // empty when none
    Money stake;
    QString basis = QStringLiteral("stake");
    QString currency = QStringLiteral("USD");

    // For the journal and logs: {symbol, contract_type, duration, duration_unit, barrier?, stake (string),
    // basis, currency}. Money is written as a decimal string so nothing becomes a double here.
    QJsonObject toJson() const;

    friend bool operator==(const TradeIntent &, const TradeIntent &) = default;
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::TradeIntent)
