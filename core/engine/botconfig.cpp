// SPDX-License-Identifier: GPL-3.0-or-later
#include "botconfig.h"

#include <QRegularExpression>

#include "engine/engineconfig.h"
#include "strategy/strategyfactory.h"

namespace Vigil {

namespace {
bool validId(const QString &id)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_.-]{1,64}$"));
    return re.match(id).hasMatch();
}
} // namespace

Result<BotConfig> BotConfig::fromJson(const QJsonObject &json, const QString &path)
{
    static const QStringList known{QStringLiteral("id"), QStringLiteral("name"), QStringLiteral("account"),
                                   QStringLiteral("strategy"), QStringLiteral("enabled")};
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (!known.contains(it.key()))
            return configError(path + u'.' + it.key(), QStringLiteral("unknown key"));
    }
    BotConfig b;
    if (!json.value(QLatin1String("id")).isString() || !validId(json.value(QLatin1String("id")).toString()))
        return configError(path + QStringLiteral(".id"), QStringLiteral("required: 1-64 characters of A-Z a-z 0-9 _ . -"));
    b.id = json.value(QLatin1String("id")).toString();
    const QJsonValue name = json.value(QLatin1String("name"));
    if (!name.isUndefined() && !name.isString())
        return configError(path + QStringLiteral(".name"), QStringLiteral("must be a string"));
    b.name = name.toString(b.id);
    if (!json.value(QLatin1String("account")).isString() || json.value(QLatin1String("account")).toString().isEmpty())
        return configError(path + QStringLiteral(".account"), QStringLiteral("required: the id of an account"));
    b.account = json.value(QLatin1String("account")).toString();
    const QJsonValue enabled = json.value(QLatin1String("enabled"));
    if (!enabled.isUndefined() && !enabled.isBool())
        return configError(path + QStringLiteral(".enabled"), QStringLiteral("must be true or false"));
    b.enabled = enabled.toBool(true);
    if (!json.value(QLatin1String("strategy")).isObject())
        return configError(path + QStringLiteral(".strategy"), QStringLiteral("required: an object"));
    b.strategy = json.value(QLatin1String("strategy")).toObject();
    if (const Result<void> ok = StrategyFactory::validate(b.strategy); !ok) {
        const QString field = ok.error().details.value(QLatin1String("field")).toString();
        QString reason = ok.error().message;
        if (!field.isEmpty() && reason.startsWith(field + QStringLiteral(": ")))
            reason = reason.mid(field.size() + 2);
        return configError(path + QStringLiteral(".strategy") + (field.isEmpty() ? QString() : u'.' + field), reason);
    }
    return b;
}

QJsonObject BotConfig::toJson() const
{
    return QJsonObject{{QStringLiteral("id"), id},
                       {QStringLiteral("name"), name},
                       {QStringLiteral("account"), account},
                       {QStringLiteral("enabled"), enabled},
                       {QStringLiteral("strategy"), strategy}};
}

} // namespace Vigil
