// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonValue>
#include <QMetaType>
#include <QStringList>

#include "health/result.h"

namespace Vigil {

// The scopes of a Deriv API token, as listed in the `scopes` array of an authorize reply.
// A value type; crosses threads freely.
class TokenScopes
{
public:
    enum class Scope : quint8 { Read = 1, Trade = 2, TradingInformation = 4, Payments = 8, Admin = 16 };

    TokenScopes() = default;

    // Parses authorize.scopes: an array of strings ("read", "trade", "trading_information", "payments",
    // "admin"; case-insensitive). Unknown names are kept in unknownScopes(), not an error (Deriv may add
    // scopes). Not an array, or a non-string entry → Protocol error "InvalidScopes".
    static Result<TokenScopes> fromJson(const QJsonValue &scopes);
    static TokenScopes of(std::initializer_list<Scope> scopes);

    bool has(Scope scope) const { return (m_bits & quint8(scope)) != 0; }
    bool isEmpty() const { return m_bits == 0 && m_unknown.isEmpty(); }
    // Known scopes in Deriv's spelling, in a fixed order, then the unknown ones.
    QStringList names() const;
    QStringList unknownScopes() const { return m_unknown; }

    // Vigil's bots need `read` (balance, proposal_open_contract, portfolio) and `trade` (buy, sell).
    // A missing one → Error{kind Configuration, code "PermissionDenied"}, message naming the scopes,
    // details.missing_scopes = [...] (the same code Deriv answers with, caught before any buy is sent).
    Result<void> checkTrading() const;
    // One sentence per dangerous extra scope (payments: can withdraw money; admin: can manage tokens),
    // advising a read+trade-only token. Empty for a trade-only token.
    QStringList warnings() const;

    static QString scopeName(Scope scope);

    friend bool operator==(const TokenScopes &, const TokenScopes &) = default;

private:
    quint8 m_bits = 0;
    QStringList m_unknown;
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::TokenScopes)
