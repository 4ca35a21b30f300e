// SPDX-License-Identifier: GPL-3.0-or-later
#include "accountconfig.h"

#include <QRegularExpression>

#include "engine/engineconfig.h"

namespace Vigil {

Result<AccountConfig> AccountConfig::fromJson(const QJsonObject &json, const QString &path)
{
    static const QStringList known{QStringLiteral("id"), QStringLiteral("token"), QStringLiteral("limits")};
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (!known.contains(it.key()))
            return configError(path + u'.' + it.key(), QStringLiteral("unknown key"));
    }
    static const QRegularExpression idRe(QStringLiteral("^[A-Za-z0-9_.-]{1,64}$"));
    AccountConfig a;
    a.id = json.value(QLatin1String("id")).toString();
    if (!idRe.match(a.id).hasMatch())
        return configError(path + QStringLiteral(".id"), QStringLiteral("required: 1-64 characters of A-Z a-z 0-9 _ . -"));

    const QJsonValue token = json.value(QLatin1String("token"));
    if (!token.isObject() || token.toObject().size() != 1)
        return configError(path + QStringLiteral(".token"),
                           QStringLiteral("required: one of {\"demo\": true}, {\"keychain\": \"entry\"}, {\"env\": \"VARIABLE\"}"));
    const QJsonObject t = token.toObject();
    if (t.contains(QLatin1String("demo"))) {
        if (t.value(QLatin1String("demo")) != QJsonValue(true))
            return configError(path + QStringLiteral(".token.demo"), QStringLiteral("must be true"));
        a.token.kind = TokenSource::Kind::Demo;
    } else if (t.contains(QLatin1String("keychain"))) {
        a.token.kind = TokenSource::Kind::Keychain;
        a.token.ref = t.value(QLatin1String("keychain")).toString();
        if (a.token.ref.isEmpty())
            return configError(path + QStringLiteral(".token.keychain"), QStringLiteral("must name the keychain entry"));
    } else if (t.contains(QLatin1String("env"))) {
        static const QRegularExpression envRe(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]{0,127}$"));
        a.token.kind = TokenSource::Kind::Environment;
        a.token.ref = t.value(QLatin1String("env")).toString();
        if (!envRe.match(a.token.ref).hasMatch())
            return configError(path + QStringLiteral(".token.env"),
                               QStringLiteral("must name an environment variable (the token itself never goes in the file)"));
    } else {
        return configError(path + QStringLiteral(".token"), QStringLiteral("unknown token source (demo, keychain or env)"));
    }

    const QJsonValue limits = json.value(QLatin1String("limits"));
    if (!limits.isUndefined()) {
        if (!limits.isObject())
            return configError(path + QStringLiteral(".limits"), QStringLiteral("must be an object"));
        Result<LimitConfig> l = LimitConfig::fromJson(limits.toObject());
        if (!l) {
            const QString field = l.error().details.value(QLatin1String("field")).toString();
            QString reason = l.error().message;
            if (!field.isEmpty() && reason.startsWith(field + QStringLiteral(": ")))
                reason = reason.mid(field.size() + 2);
            return configError(path + QStringLiteral(".limits") + (field.isEmpty() ? QString() : u'.' + field), reason);
        }
        a.limits = l.value();
    }
    return a;
}

QJsonObject AccountConfig::toJson() const
{
    QJsonObject token;
    switch (this->token.kind) {
    case TokenSource::Kind::Demo: token.insert(QStringLiteral("demo"), true); break;
    case TokenSource::Kind::Keychain: token.insert(QStringLiteral("keychain"), this->token.ref); break;
    case TokenSource::Kind::Environment: token.insert(QStringLiteral("env"), this->token.ref); break;
    }
    return QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("token"), token},
                       {QStringLiteral("limits"), limits.toJson()}};
}

} // namespace Vigil
