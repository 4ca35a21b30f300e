// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>

#include "health/result.h"

namespace Vigil {

// One bot as configured (bots.json, the add-bot dialog). A value type.
//   {"id": "r100-martingale", "name": "R_100 martingale", "account": "demo", "enabled": true,
//    "strategy": { ...StrategyFactory parameters... }}
// id: 1–64 characters [A-Za-z0-9_.-]; account: the id of an entry in "accounts".
struct BotConfig
{
    QString id;
    QString name;
    QString account;
    QJsonObject strategy;
    bool enabled = true;

    // Validates every field, the strategy through StrategyFactory::validate. Errors (kind Configuration,
    // code "InvalidConfig") name the field with its path, e.g. "bots[2].strategy.stake: must be > 0".
    static Result<BotConfig> fromJson(const QJsonObject &json, const QString &path);
    QJsonObject toJson() const;
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::BotConfig)
