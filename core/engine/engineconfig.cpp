// SPDX-License-Identifier: GPL-3.0-or-later
#include "engineconfig.h"

#include <functional>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrlQuery>

#include "health/jsonduplicatekeys.h"

namespace Vigil {

Error configError(const QString &field, const QString &reason)
{
    Error e = Error::make(ErrorKind::Configuration, QStringLiteral("InvalidConfig"), field + QStringLiteral(": ") + reason);
    e.details.insert(QStringLiteral("field"), field);
    return e;
}

namespace {
// Reads every element of the list `name` as an object, named "name[i]" in errors; the first error ends it.
Result<void> eachObject(const QJsonArray &array, const char *name,
                        const std::function<Result<void>(const QJsonObject &, const QString &)> &read)
{
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString path = QStringLiteral("%1[%2]").arg(QLatin1String(name)).arg(i);
        if (!array.at(i).isObject())
            return configError(path, QStringLiteral("must be an object"));
        if (Result<void> r = read(array.at(i).toObject(), path); !r)
            return r;
    }
    return {};
}
} // namespace

const AccountConfig *EngineConfig::account(const QString &id) const
{
    for (const AccountConfig &a : accounts) {
        if (a.id == id)
            return &a;
    }
    return nullptr;
}

const BotConfig *EngineConfig::bot(const QString &id) const
{
    for (const BotConfig &b : bots) {
        if (b.id == id)
            return &b;
    }
    return nullptr;
}

Result<EngineConfig> EngineConfig::fromJson(const QJsonObject &json)
{
    static const QStringList known{QStringLiteral("accounts"), QStringLiteral("bots"), QStringLiteral("endpoint"),
                                   QStringLiteral("app_id"), QStringLiteral("journal"), QStringLiteral("redis"),
                                   QStringLiteral("instance"), QStringLiteral("lease_ttl_ms"),
                                   QStringLiteral("failover_after_ms")};
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (!known.contains(it.key()))
            return configError(it.key(), QStringLiteral("unknown key"));
    }
    EngineConfig c;
    const QJsonValue accounts = json.value(QLatin1String("accounts"));
    if (!accounts.isArray() || accounts.toArray().isEmpty())
        return configError(QStringLiteral("accounts"), QStringLiteral("required: a non-empty list"));
    const QJsonValue bots = json.value(QLatin1String("bots"));
    if (!bots.isUndefined() && !bots.isArray())
        return configError(QStringLiteral("bots"), QStringLiteral("must be a list"));

    auto optionalString = [&json](const char *key, QString *out) -> Result<void> {
        const QJsonValue v = json.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return {};
        if (v.isDouble() && QLatin1String(key) == QLatin1String("app_id")) {
            *out = QString::number(qint64(v.toDouble()));
            return {};
        }
        if (!v.isString())
            return configError(QString::fromLatin1(key), QStringLiteral("must be a string"));
        *out = v.toString();
        return {};
    };
    QString endpoint;
    for (auto [key, out] : {std::pair{"endpoint", &endpoint}, std::pair{"app_id", &c.appId},
                            std::pair{"journal", &c.journalUrl}, std::pair{"redis", &c.redisUrl},
                            std::pair{"instance", &c.instance}}) {
        if (Result<void> r = optionalString(key, out); !r)
            return r.error();
    }
    if (!endpoint.isEmpty()) {
        c.endpoint = QUrl(endpoint, QUrl::StrictMode);
        if (!c.endpoint.isValid() || (c.endpoint.scheme() != QLatin1String("ws") && c.endpoint.scheme() != QLatin1String("wss"))
            || c.endpoint.host().isEmpty())
            return configError(QStringLiteral("endpoint"), QStringLiteral("must be a ws:// or wss:// URL"));
    }
    if (const QJsonValue ttl = json.value(QLatin1String("lease_ttl_ms")); !ttl.isUndefined()) {
        const double ms = ttl.toDouble(-1);
        if (!ttl.isDouble() || ms != double(qint64(ms)) || ms < 1000 || ms > 600'000)
            return configError(QStringLiteral("lease_ttl_ms"), QStringLiteral("a whole number of milliseconds in [1000, 600000]"));
        c.leaseTtlMs = qint64(ms);
    }
    if (const QJsonValue failover = json.value(QLatin1String("failover_after_ms")); !failover.isUndefined()) {
        const double ms = failover.toDouble(-1);
        if (!failover.isDouble() || ms != double(qint64(ms)) || (ms != 0 && (ms < 2000 || ms > 3'600'000)))
            return configError(QStringLiteral("failover_after_ms"),
                               QStringLiteral("0 (never) or a whole number of milliseconds in [2000, 3600000]"));
        c.failoverAfterMs = qint64(ms);
    }
    if (!c.redisUrl.isEmpty() && !c.redisUrl.startsWith(QLatin1String("redis://")))
        return configError(QStringLiteral("redis"), QStringLiteral("must be a redis://host:port URL"));
    if (Result<QUrl> url = c.connectUrl(); !url)
        return url.error();
    // Accounts once the endpoint is known (a demo token needs paper mode), bots once the accounts are.
    const Result<void> accountsRead = eachObject(accounts.toArray(), "accounts", [&c](const QJsonObject &object, const QString &path) -> Result<void> {
        Result<AccountConfig> a = AccountConfig::fromJson(object, path);
        if (!a)
            return a.error();
        if (Result<void> fits = c.admitsAccount(a.value(), path); !fits)
            return fits;
        c.accounts.append(a.value());
        return {};
    });
    if (!accountsRead)
        return accountsRead.error();
    const Result<void> botsRead = eachObject(bots.toArray(), "bots", [&c](const QJsonObject &object, const QString &path) -> Result<void> {
        Result<BotConfig> b = BotConfig::fromJson(object, path);
        if (!b)
            return b.error();
        if (c.bot(b->id))
            return configError(path + QStringLiteral(".id"), QStringLiteral("duplicate bot id \"%1\"").arg(b->id));
        if (!c.account(b->account))
            return configError(path + QStringLiteral(".account"), QStringLiteral("no account with id \"%1\"").arg(b->account));
        c.bots.append(b.value());
        return {};
    });
    if (!botsRead)
        return botsRead.error();
    return c;
}

Result<void> EngineConfig::admitsAccount(const AccountConfig &account, const QString &path) const
{
    if (this->account(account.id))
        return configError(path + QStringLiteral(".id"), QStringLiteral("duplicate account id \"%1\"").arg(account.id));
    if (!isPaper() && account.token.kind == TokenSource::Kind::Demo)
        return configError(path + QStringLiteral(".token"),
                           QStringLiteral("a demo token only exists on the embedded simulator; use keychain or env with a real endpoint"));
    return {};
}

Result<QJsonObject> EngineConfig::readJsonFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error::make(ErrorKind::Configuration, QStringLiteral("ConfigUnreadable"),
                           QStringLiteral("cannot read config %1: %2").arg(path, f.errorString()));
    QJsonParseError err{};
    const QByteArray text = f.read(4 * 1024 * 1024);
    const QJsonDocument doc = QJsonDocument::fromJson(text, &err);
    if (err.error != QJsonParseError::NoError)
        return Error::make(ErrorKind::Configuration, QStringLiteral("ConfigNotJson"),
                           QStringLiteral("%1: not valid JSON at offset %2: %3").arg(path).arg(err.offset).arg(err.errorString()));
    if (!doc.isObject())
        return Error::make(ErrorKind::Configuration, QStringLiteral("ConfigNotJson"),
                           QStringLiteral("%1: the top level must be an object").arg(path));
    // Qt keeps the last of two equal keys without a word: the first one would be lost silently.
    if (const std::optional<JsonDuplicateKeys::Duplicate> dup = JsonDuplicateKeys::find(text))
        return Error::make(ErrorKind::Configuration, QStringLiteral("ConfigDuplicateKey"),
                           QStringLiteral("%1: %2: the key is given twice (line %3); keep one").arg(path, dup->path).arg(dup->line));
    return doc.object();
}

Result<EngineConfig> EngineConfig::fromFile(const QString &path)
{
    Result<QJsonObject> json = readJsonFile(path);
    if (!json)
        return json.error();
    return fromJson(json.value());
}

Result<QUrl> EngineConfig::connectUrl() const
{
    if (isPaper())
        return QUrl();
    static const QRegularExpression appIdRe(QStringLiteral("^[0-9]{1,10}$"));
    if (!appIdRe.match(appId).hasMatch())
        return configError(QStringLiteral("app_id"), QStringLiteral("required with a real endpoint: digits only (register one with Deriv)"));
    QUrl url = endpoint;
    QUrlQuery q(url);
    q.removeAllQueryItems(QStringLiteral("app_id"));
    q.addQueryItem(QStringLiteral("app_id"), appId);
    if (!q.hasQueryItem(QStringLiteral("l")))
        q.addQueryItem(QStringLiteral("l"), QStringLiteral("EN"));
    url.setQuery(q);
    return url;
}

QJsonObject EngineConfig::paperDefaultJson()
{
    const char *json = R"({
      "accounts": [{"id": "demo", "token": {"demo": true}}],
      "bots": [
        {"id": "r100-rise", "name": "R_100 rise, flat stake", "account": "demo",
         "strategy": {"symbol": "R_100", "contract_type": "CALL", "duration": 5, "duration_unit": "t", "stake": "1.00"}},
        {"id": "1hz-momentum", "name": "1HZ100V momentum, martingale", "account": "demo",
         "strategy": {"symbol": "1HZ100V", "contract_type": "CALL", "duration": 5, "duration_unit": "t",
                      "stake": "1.00", "max_stake": "16.00",
                      "staking": {"system": "martingale", "multiplier": "2", "max_steps": 4},
                      "entry": {"signal": "momentum", "ticks": 3}}}
      ]})";
    return QJsonDocument::fromJson(json).object();
}

EngineConfig EngineConfig::paperDefault()
{
    Result<EngineConfig> c = fromJson(paperDefaultJson());
    Q_ASSERT(c.ok());
    return c.ok() ? c.value() : EngineConfig();
}

} // namespace Vigil
