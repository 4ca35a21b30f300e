// SPDX-License-Identifier: GPL-3.0-or-later
#include "consolesettings.h"

#include <algorithm>

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSettings>

#include "engine/engineconfig.h"

namespace Vigil {

namespace {
// The defaults table: every key with its default, in one place.
struct Key
{
    const char *name;
    QVariant defaultValue;
};
const Key kSchema{"schema", 0};
const Key kEndpoint{"connection/endpoint", QString()};
const Key kAppId{"connection/appId", QString()};
const Key kRedis{"coordination/redisUrl", QString()};
const Key kJournal{"journal/location", QString()};
const Key kKillSwitch{"hotkeys/killSwitch", QStringLiteral("Ctrl+Shift+K")};
const Key kTimeScale{"paper/timeScale", 1.0};
const Key kEngine{"engine/config", QString()};
const Key kGeometry{"window/geometry", QByteArray()};
const Key kState{"window/state", QByteArray()};

QString keyName(const Key &k)
{
    return QString::fromLatin1(k.name);
}

Error secretRefused(const QString &what)
{
    Error e = Error::make(ErrorKind::InvalidInput, QStringLiteral("SecretInSettings"),
                          QStringLiteral("%1: remove the password from the URL; secrets are kept in the system keychain, "
                                         "never in the settings file").arg(what));
    e.details.insert(QStringLiteral("field"), what);
    return e;
}

// The entries of json[field] that parse as T (T::fromJson), in order; invalid ones are skipped.
template<typename T>
QList<T> validEntries(const QJsonObject &json, const QString &field)
{
    QList<T> out;
    const QJsonArray items = json.value(field).toArray();
    for (int i = 0; i < items.size(); ++i) {
        Result<T> item = T::fromJson(items.at(i).toObject(), QStringLiteral("%1[%2]").arg(field).arg(i));
        if (item)
            out.append(item.value());
    }
    return out;
}

// One stored list serves both modes: demo accounts belong to paper mode, the others to a Deriv endpoint.
bool belongsToMode(const QJsonObject &account, bool real)
{
    const bool demo = account.value(QLatin1String("token")).toObject().value(QLatin1String("demo")).toBool();
    return demo != real;
}

bool hasPassword(const QString &url)
{
    const QUrl u(url, QUrl::StrictMode);
    return u.isValid() && !u.password().isEmpty();
}
} // namespace

ConsoleSettings::ConsoleSettings() : m_settings(std::make_unique<QSettings>()) {}

ConsoleSettings::ConsoleSettings(std::unique_ptr<QSettings> settings) : m_settings(std::move(settings))
{
    Q_ASSERT(m_settings);
}

ConsoleSettings::~ConsoleSettings() = default;

int ConsoleSettings::storedSchemaVersion() const
{
    return m_settings->value(keyName(kSchema), kSchema.defaultValue).toInt();
}

Result<void> ConsoleSettings::migrate()
{
    const int stored = storedSchemaVersion();
    if (stored > SchemaVersion)
        return Error::make(ErrorKind::Configuration, QStringLiteral("SettingsTooNew"),
                           QStringLiteral("the settings were written by a newer Vigil (schema %1, this one reads %2); "
                                          "they are left untouched and the defaults are used")
                               .arg(stored)
                               .arg(SchemaVersion));
    // 0 → 1: the first releases kept the kill-switch shortcut under "shortcuts/emergencyStop".
    if (stored < 1) {
        const QString old = QStringLiteral("shortcuts/emergencyStop");
        if (m_settings->contains(old)) {
            if (!m_settings->contains(keyName(kKillSwitch)))
                m_settings->setValue(keyName(kKillSwitch), m_settings->value(old));
            m_settings->remove(old);
        }
    }
    m_settings->setValue(keyName(kSchema), SchemaVersion);
    return {};
}

QUrl ConsoleSettings::endpoint() const
{
    return QUrl(m_settings->value(keyName(kEndpoint), kEndpoint.defaultValue).toString(), QUrl::StrictMode);
}

Result<void> ConsoleSettings::setEndpoint(const QUrl &endpoint)
{
    if (!endpoint.isEmpty()) {
        if (!endpoint.isValid() || (endpoint.scheme() != QLatin1String("wss") && endpoint.scheme() != QLatin1String("ws"))) {
            Error e = Error::make(ErrorKind::InvalidInput, QStringLiteral("InvalidEndpoint"),
                                  QStringLiteral("endpoint: a ws:// or wss:// URL, e.g. wss://ws.derivws.com/websockets/v3"));
            e.details.insert(QStringLiteral("field"), QStringLiteral("endpoint"));
            return e;
        }
        if (!endpoint.password().isEmpty())
            return secretRefused(QStringLiteral("endpoint"));
    }
    m_settings->setValue(keyName(kEndpoint), endpoint.toString());
    return {};
}

QString ConsoleSettings::appId() const
{
    return m_settings->value(keyName(kAppId), kAppId.defaultValue).toString();
}

void ConsoleSettings::setAppId(const QString &appId)
{
    m_settings->setValue(keyName(kAppId), appId.trimmed());
}

QString ConsoleSettings::redisUrl() const
{
    return m_settings->value(keyName(kRedis), kRedis.defaultValue).toString();
}

Result<void> ConsoleSettings::setRedisUrl(const QString &url)
{
    if (hasPassword(url))
        return secretRefused(QStringLiteral("redis"));
    m_settings->setValue(keyName(kRedis), url.trimmed());
    return {};
}

QString ConsoleSettings::journalLocation() const
{
    return m_settings->value(keyName(kJournal), kJournal.defaultValue).toString();
}

Result<void> ConsoleSettings::setJournalLocation(const QString &location)
{
    if (location.contains(QLatin1String("://")) && hasPassword(location))
        return secretRefused(QStringLiteral("journal"));
    m_settings->setValue(keyName(kJournal), location.trimmed());
    return {};
}

QKeySequence ConsoleSettings::killSwitchShortcut() const
{
    const QKeySequence k = QKeySequence::fromString(m_settings->value(keyName(kKillSwitch), kKillSwitch.defaultValue).toString(),
                                                    QKeySequence::PortableText);
    return k.isEmpty() ? QKeySequence::fromString(kKillSwitch.defaultValue.toString(), QKeySequence::PortableText) : k;
}

void ConsoleSettings::setKillSwitchShortcut(const QKeySequence &shortcut)
{
    m_settings->setValue(keyName(kKillSwitch), shortcut.toString(QKeySequence::PortableText));
}

double ConsoleSettings::simTimeScale() const
{
    bool ok = false;
    const double v = m_settings->value(keyName(kTimeScale), kTimeScale.defaultValue).toDouble(&ok);
    return ok && v > 0 && v <= 1000 ? v : kTimeScale.defaultValue.toDouble();
}

void ConsoleSettings::setSimTimeScale(double scale)
{
    m_settings->setValue(keyName(kTimeScale), scale);
}

bool ConsoleSettings::hasEngineConfig() const
{
    return !m_settings->value(keyName(kEngine)).toString().isEmpty();
}

QJsonObject ConsoleSettings::storedConfigJson() const
{
    const QString stored = m_settings->value(keyName(kEngine), kEngine.defaultValue).toString();
    if (stored.isEmpty())
        return EngineConfig::paperDefaultJson();
    return QJsonDocument::fromJson(stored.toUtf8()).object();
}

Result<void> ConsoleSettings::storeConfigJson(const QJsonObject &json)
{
    Result<EngineConfig> checked = EngineConfig::fromJson(json);
    if (!checked)
        return checked.error();
    QJsonObject slim{{QStringLiteral("accounts"), json.value(QLatin1String("accounts"))},
                     {QStringLiteral("bots"), json.value(QLatin1String("bots"))}};
    m_settings->setValue(keyName(kEngine), QString::fromUtf8(QJsonDocument(slim).toJson(QJsonDocument::Compact)));
    return {};
}

Result<EngineConfig> ConsoleSettings::engineConfig() const
{
    QJsonObject json = storedConfigJson();
    // One stored list serves both modes: the demo account (and its bots) only exists on the embedded simulator,
    // Deriv accounts only on a real endpoint. Each mode takes its own, so adding a Deriv account and choosing
    // an endpoint does not leave the demo entries behind to invalidate the whole configuration.
    const bool real = !endpoint().isEmpty();
    QJsonArray accounts;
    QSet<QString> kept;
    for (const QJsonValue &v : json.value(QLatin1String("accounts")).toArray()) {
        const QJsonObject a = v.toObject();
        if (!belongsToMode(a, real))
            continue;
        accounts.append(a);
        kept.insert(a.value(QLatin1String("id")).toString());
    }
    QJsonArray bots;
    for (const QJsonValue &v : json.value(QLatin1String("bots")).toArray()) {
        if (kept.contains(v.toObject().value(QLatin1String("account")).toString()))
            bots.append(v);
    }
    if (real && accounts.isEmpty()) {
        Error e = Error::make(ErrorKind::InvalidInput, QStringLiteral("NoDerivAccount"),
                              QStringLiteral("a Deriv endpoint is set but no Deriv account is: add one in Accounts… "
                                             "(the demo account trades only in paper mode)"));
        e.details.insert(QStringLiteral("field"), QStringLiteral("accounts"));
        return e;
    }
    json.insert(QStringLiteral("accounts"), accounts);
    json.insert(QStringLiteral("bots"), bots);
    if (!endpoint().isEmpty())
        json.insert(QStringLiteral("endpoint"), endpoint().toString());
    if (!appId().isEmpty())
        json.insert(QStringLiteral("app_id"), appId());
    if (!journalLocation().isEmpty())
        json.insert(QStringLiteral("journal"), journalLocation());
    if (!redisUrl().isEmpty())
        json.insert(QStringLiteral("redis"), redisUrl());
    return EngineConfig::fromJson(json);
}

QList<BotConfig> ConsoleSettings::bots() const
{
    return validEntries<BotConfig>(storedConfigJson(), QStringLiteral("bots"));
}

QStringList ConsoleSettings::accountIds() const
{
    QStringList out;
    for (const QJsonValue &a : storedConfigJson().value(QLatin1String("accounts")).toArray())
        out << a.toObject().value(QLatin1String("id")).toString();
    return out;
}

QList<AccountConfig> ConsoleSettings::accounts() const
{
    return validEntries<AccountConfig>(storedConfigJson(), QStringLiteral("accounts"));
}

Result<void> ConsoleSettings::addAccount(const AccountConfig &account)
{
    QJsonObject json = storedConfigJson();
    QJsonArray accounts = json.value(QLatin1String("accounts")).toArray();
    for (const QJsonValue &a : std::as_const(accounts)) {
        if (a.toObject().value(QLatin1String("id")).toString() == account.id)
            return Error::make(ErrorKind::InvalidInput, QStringLiteral("DuplicateAccount"),
                               QStringLiteral("an account with id %1 is already configured").arg(account.id));
    }
    accounts.append(account.toJson());
    json.insert(QStringLiteral("accounts"), accounts);
    return storeConfigJson(json);
}

Result<void> ConsoleSettings::canRemoveAccount(const QString &accountId) const
{
    const QJsonObject json = storedConfigJson();
    const bool real = !endpoint().isEmpty();
    const QJsonArray accounts = json.value(QLatin1String("accounts")).toArray();
    const auto found = std::find_if(accounts.begin(), accounts.end(), [&accountId](const QJsonValue &a) {
        return a.toObject().value(QLatin1String("id")).toString() == accountId;
    });
    if (found == accounts.end() || !belongsToMode(found->toObject(), real))
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("UnknownAccount"),
                           found == accounts.end()
                               ? QStringLiteral("no account with id %1 is configured").arg(accountId)
                               : QStringLiteral("account %1 is not one of this mode's accounts (%2)")
                                     .arg(accountId, real ? QStringLiteral("a Deriv endpoint is set") : QStringLiteral("paper mode")));
    QStringList bots;
    for (const QJsonValue &b : json.value(QLatin1String("bots")).toArray()) {
        const QJsonObject bot = b.toObject();
        if (bot.value(QLatin1String("account")).toString() == accountId)
            bots << bot.value(QLatin1String("id")).toString();
    }
    if (!bots.isEmpty())
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("AccountHasBots"),
                           QStringLiteral("account %1 still has bots (%2): remove them first").arg(accountId, bots.join(QStringLiteral(", "))));
    return {};
}

Result<void> ConsoleSettings::removeAccount(const QString &accountId)
{
    if (Result<void> ok = canRemoveAccount(accountId); !ok)
        return ok;
    QJsonObject json = storedConfigJson();
    QJsonArray accounts = json.value(QLatin1String("accounts")).toArray();
    for (int i = 0; i < accounts.size(); ++i) {
        if (accounts.at(i).toObject().value(QLatin1String("id")).toString() == accountId) {
            accounts.removeAt(i);
            break;
        }
    }
    json.insert(QStringLiteral("accounts"), accounts);
    return storeConfigJson(json);
}

Result<void> ConsoleSettings::saveBot(const BotConfig &bot)
{
    QJsonObject json = storedConfigJson();
    QJsonArray bots = json.value(QLatin1String("bots")).toArray();
    bool replaced = false;
    for (int i = 0; i < bots.size(); ++i) {
        if (bots.at(i).toObject().value(QLatin1String("id")).toString() == bot.id) {
            bots.replace(i, bot.toJson());
            replaced = true;
        }
    }
    if (!replaced)
        bots.append(bot.toJson());
    json.insert(QStringLiteral("bots"), bots);
    return storeConfigJson(json);
}

Result<void> ConsoleSettings::removeBot(const QString &botId)
{
    QJsonObject json = storedConfigJson();
    QJsonArray bots = json.value(QLatin1String("bots")).toArray();
    for (int i = 0; i < bots.size(); ++i) {
        if (bots.at(i).toObject().value(QLatin1String("id")).toString() == botId) {
            bots.removeAt(i);
            json.insert(QStringLiteral("bots"), bots);
            return storeConfigJson(json);
        }
    }
    return Error::make(ErrorKind::InvalidInput, QStringLiteral("UnknownBot"), QStringLiteral("no bot with id %1").arg(botId));
}

QByteArray ConsoleSettings::windowGeometry() const
{
    return m_settings->value(keyName(kGeometry), kGeometry.defaultValue).toByteArray();
}

void ConsoleSettings::setWindowGeometry(const QByteArray &geometry)
{
    m_settings->setValue(keyName(kGeometry), geometry);
}

QByteArray ConsoleSettings::windowState() const
{
    return m_settings->value(keyName(kState), kState.defaultValue).toByteArray();
}

void ConsoleSettings::setWindowState(const QByteArray &state)
{
    m_settings->setValue(keyName(kState), state);
}

void ConsoleSettings::sync()
{
    m_settings->sync();
}

} // namespace Vigil
