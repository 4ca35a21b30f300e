// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include "accounts/tokenscopes.h"
#include "health/result.h"

namespace Vigil {

// What Vigil knows about an account reached through a stored API token. Never holds the token itself.
// A value type; crosses threads freely.
struct AccountInfo
{
    QString loginId;         // "CR1234567", "VRTC1234567"
    QString currency;        // "USD"; may be empty for an account whose currency is not set yet
    TokenScopes scopes;
    QStringList warnings;    // scope warnings (payments/admin) and, if trading is impossible, why
    bool isVirtual = false;
    QString tokenRef;        // TokenFingerprint of the token

    // Parses the `authorize` object of a Deriv authorize reply (loginid, currency, is_virtual, scopes),
    // tolerant of numbers sent as strings. Fills loginId, currency, scopes, isVirtual; the rest is left
    // to TokenVault. Missing/invalid loginid or scopes → Protocol error.
    static Result<AccountInfo> fromAuthorizeReply(const QJsonObject &authorize);
    // Deriv login ids: letters then digits ("CR123", "VRTC123", "MF123"), at most 32 characters.
    static bool isValidLoginId(const QString &loginId);

    friend bool operator==(const AccountInfo &, const AccountInfo &) = default;
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::AccountInfo)
