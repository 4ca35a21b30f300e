// SPDX-License-Identifier: GPL-3.0-or-later
#include "tokenscopes.h"

#include <array>
#include <utility>

#include <QJsonArray>

namespace Vigil {

namespace {
constexpr std::array<std::pair<TokenScopes::Scope, const char *>, 5> s_names{{
    {TokenScopes::Scope::Read, "read"},
    {TokenScopes::Scope::Trade, "trade"},
    {TokenScopes::Scope::TradingInformation, "trading_information"},
    {TokenScopes::Scope::Payments, "payments"},
    {TokenScopes::Scope::Admin, "admin"},
}};
} // namespace

QString TokenScopes::scopeName(Scope scope)
{
    for (const auto &[s, name] : s_names) {
        if (s == scope)
            return QString::fromLatin1(name);
    }
    return {};
}

Result<TokenScopes> TokenScopes::fromJson(const QJsonValue &scopes)
{
    if (!scopes.isArray()) {
        return Error::make(ErrorKind::Protocol, QStringLiteral("InvalidScopes"),
                           QStringLiteral("The authorize reply has no scopes array."));
    }
    TokenScopes out;
    for (const QJsonValue &v : scopes.toArray()) {
        if (!v.isString()) {
            return Error::make(ErrorKind::Protocol, QStringLiteral("InvalidScopes"),
                               QStringLiteral("The authorize reply's scopes array holds a non-string entry."));
        }
        const QString name = v.toString().trimmed().toLower();
        bool known = false;
        for (const auto &[s, n] : s_names) {
            if (name == QLatin1String(n)) {
                out.m_bits |= quint8(s);
                known = true;
                break;
            }
        }
        if (!known && !name.isEmpty() && !out.m_unknown.contains(name))
            out.m_unknown << name;
    }
    return out;
}

TokenScopes TokenScopes::of(std::initializer_list<Scope> scopes)
{
    TokenScopes out;
    for (const Scope s : scopes)
        out.m_bits |= quint8(s);
    return out;
}

QStringList TokenScopes::names() const
{
    QStringList out;
    for (const auto &[s, name] : s_names) {
        if (has(s))
            out << QString::fromLatin1(name);
    }
    return out + m_unknown;
}

Result<void> TokenScopes::checkTrading() const
{
    QStringList missing;
    for (const Scope s : {Scope::Read, Scope::Trade}) {
        if (!has(s))
            missing << scopeName(s);
    }
    if (missing.isEmpty())
        return {};
    Error e = Error::make(
        ErrorKind::Configuration, QStringLiteral("PermissionDenied"),
        QStringLiteral("This API token lacks the %1 scope%2 needed to run bots: create a token with the Read and Trade "
                       "scopes (and nothing more) in your Deriv account settings.")
            .arg(QLatin1Char('\'') + missing.join(QLatin1String("' and '")) + QLatin1Char('\''),
                 missing.size() > 1 ? QStringLiteral("s") : QString()));
    e.details.insert(QStringLiteral("missing_scopes"), QJsonArray::fromStringList(missing));
    return e;
}

QStringList TokenScopes::warnings() const
{
    QStringList out;
    if (has(Scope::Payments)) {
        out << QStringLiteral("This token has the 'payments' scope: it can withdraw money from the account. Use a token "
                              "with only the Read and Trade scopes.");
    }
    if (has(Scope::Admin)) {
        out << QStringLiteral("This token has the 'admin' scope: it can create and delete API tokens and manage the "
                              "account. Use a token with only the Read and Trade scopes.");
    }
    return out;
}

} // namespace Vigil
