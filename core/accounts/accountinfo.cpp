// SPDX-License-Identifier: GPL-3.0-or-later
#include "accountinfo.h"

#include <QRegularExpression>

namespace Vigil {

bool AccountInfo::isValidLoginId(const QString &loginId)
{
    static const QRegularExpression re(QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z]{1,12}[0-9]{1,20}")));
    return loginId.size() <= 32 && re.match(loginId).hasMatch();
}

Result<AccountInfo> AccountInfo::fromAuthorizeReply(const QJsonObject &authorize)
{
    AccountInfo info;
    info.loginId = authorize.value(QStringLiteral("loginid")).toString();
    if (!isValidLoginId(info.loginId)) {
        return Error::make(ErrorKind::Protocol, QStringLiteral("InvalidAuthorizeReply"),
                           QStringLiteral("The authorize reply has no valid loginid."));
    }
    info.currency = authorize.value(QStringLiteral("currency")).toString();
    const QJsonValue isVirtual = authorize.value(QStringLiteral("is_virtual"));
    if (isVirtual.isString())
        info.isVirtual = isVirtual.toString().trimmed() == QLatin1String("1");
    else if (isVirtual.isBool())
        info.isVirtual = isVirtual.toBool();
    else
        info.isVirtual = isVirtual.toInt() == 1;
    Result<TokenScopes> scopes = TokenScopes::fromJson(authorize.value(QStringLiteral("scopes")));
    if (!scopes)
        return scopes.error();
    info.scopes = std::move(scopes).value();
    return info;
}

} // namespace Vigil
