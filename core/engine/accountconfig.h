// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>

#include "health/result.h"
#include "risk/limitconfig.h"

namespace Vigil {

// Where an account's API token comes from. The token itself is never in a config file.
struct TokenSource
{
    enum class Kind {
        Demo,        // paper mode: the embedded simulator creates the account and its token
        Keychain,    // the OS keychain entry `ref` (e.g. "token:CR123456")
        Environment, // the environment variable named `ref` (headless runners)
    };
    Kind kind = Kind::Demo;
    QString ref;
};

// One account as configured. A value type.
//   {"id": "demo", "token": {"demo": true} | {"keychain": "token:CR123"} | {"env": "VIGIL_TOKEN_CR123"},
//    "limits": { ...LimitConfig::fromJson... }}
struct AccountConfig
{
    QString id;          // the name bots refer to; the login id comes from authorize
    TokenSource token;
    LimitConfig limits;

    static Result<AccountConfig> fromJson(const QJsonObject &json, const QString &path);
    QJsonObject toJson() const;
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::AccountConfig)
