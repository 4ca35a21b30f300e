// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include <QByteArray>
#include <QJsonObject>
#include <QKeySequence>
#include <QList>
#include <QString>
#include <QUrl>

#include "health/result.h"

class QSettings;

namespace Vigil {

struct AccountConfig;
struct BotConfig;
struct EngineConfig;

// The console's preferences, typed, over QSettings: one defaults table, a schema version with migrations.
// Never a secret: tokens live in the OS keychain, and URLs carrying a password are refused here (the
// error says so) rather than written to disk in clear. Not thread-safe; use on the GUI thread.
//
// Also keeps the engine configuration the console runs (accounts and bots, as EngineConfig JSON without
// endpoint/journal/redis, which are separate settings). First start: EngineConfig::paperDefaultJson().
class ConsoleSettings
{
public:
    static constexpr int SchemaVersion = 1;

    // Default: QSettings() of the application (organization/application names must be set).
    ConsoleSettings();
    // Takes ownership (tests pass an INI file in a temp dir).
    explicit ConsoleSettings(std::unique_ptr<QSettings> settings);
    ~ConsoleSettings();
    ConsoleSettings(const ConsoleSettings &) = delete;
    ConsoleSettings &operator=(const ConsoleSettings &) = delete;

    // Brings older stored settings up to SchemaVersion. Error (Configuration, "SettingsTooNew") when they
    // were written by a newer Vigil: they are then left untouched.
    Result<void> migrate();
    int storedSchemaVersion() const;

    // Empty = paper mode on the embedded simulator (the default).
    QUrl endpoint() const;
    Result<void> setEndpoint(const QUrl &endpoint);
    QString appId() const;
    void setAppId(const QString &appId);
    // Empty = no cross-machine coordination. A URL with a password is refused (keychain material).
    QString redisUrl() const;
    Result<void> setRedisUrl(const QString &url);
    // SQLite file path or postgresql:// URL (without password); empty = the default location.
    QString journalLocation() const;
    Result<void> setJournalLocation(const QString &location);
    QKeySequence killSwitchShortcut() const;
    void setKillSwitchShortcut(const QKeySequence &shortcut);
    // Paper mode: simulator speed.
    double simTimeScale() const;
    void setSimTimeScale(double scale);
    bool hasEngineConfig() const;

    // accounts + bots as stored (or the paper default), with endpoint/app_id/journal/redis applied.
    Result<EngineConfig> engineConfig() const;
    QList<BotConfig> bots() const;
    QStringList accountIds() const;
    // The stored accounts (valid ones), in order.
    QList<AccountConfig> accounts() const;
    // Appends an account; an existing id is refused (code "DuplicateAccount"). Validated like saveBot.
    Result<void> addAccount(const AccountConfig &account);
    // Whether removeAccount(id) would succeed, without changing anything. Errors: "UnknownAccount" (no such
    // account among the current mode's: the demo account in paper mode, Deriv accounts with an endpoint set),
    // "AccountHasBots" (bots of the account are configured: remove them first).
    Result<void> canRemoveAccount(const QString &accountId) const;
    // Removes the current mode's account `accountId` from the stored configuration (errors as canRemoveAccount,
    // plus the configuration's own validation). Its keychain entry is the caller's.
    Result<void> removeAccount(const QString &accountId);
    // Adds or replaces (by id) a bot; the whole configuration is validated before it is stored.
    Result<void> saveBot(const BotConfig &bot);
    Result<void> removeBot(const QString &botId);

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray &state);

    void sync();

private:
    QJsonObject storedConfigJson() const;
    Result<void> storeConfigJson(const QJsonObject &json);

    std::unique_ptr<QSettings> m_settings;
};

} // namespace Vigil
