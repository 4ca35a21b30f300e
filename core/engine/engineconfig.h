// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrl>

#include "engine/accountconfig.h"
#include "engine/botconfig.h"
#include "health/result.h"

namespace Vigil {

// Everything the engine runs: accounts, bots and where to trade. Read from bots.json (headless) or built by
// the GUI from its settings. A value type.
//   {"accounts": [...AccountConfig...], "bots": [...BotConfig...],
//    "endpoint": "wss://ws.derivws.com/websockets/v3" (optional: none = the embedded simulator, paper mode),
//    "app_id": "1089", "journal": "/path/vigil.db" | "postgresql://...", "redis": "redis://127.0.0.1:6379",
//    "instance": "desk-1", "lease_ttl_ms": 10000, "failover_after_ms": 30000}
// Command-line flags of vigil-headless override the file's values.
struct EngineConfig
{
    QList<AccountConfig> accounts;
    QList<BotConfig> bots;
    QUrl endpoint;      // empty = embedded simulator
    QString appId;
    QString journalUrl; // empty = <AppLocalDataLocation>/journal.db
    QString redisUrl;   // empty = no cross-machine coordination (lock file only)
    QString instance;
    // Time to live of the per-cycle account and bot leases (renewed every ttl/3 while a buy is out). A holder
    // frozen longer than this loses the account to another instance. Tests shorten it; 1000..600000 ms.
    qint64 leaseTtlMs = 10'000;
    // How long an account's socket to Deriv may stay down before its running bots hand their run leases over, so
    // that another instance with the same bots (and a working connection) takes them over; 0 = never. A bot
    // handed over here waits on standby and runs again once it can take its lease back. 0 or 2000..3600000 ms.
    qint64 failoverAfterMs = 30'000;

    bool isPaper() const { return endpoint.isEmpty(); }
    const AccountConfig *account(const QString &id) const;
    const BotConfig *bot(const QString &id) const;

    // Whether `account` may join these accounts: a unique id, and a demo token only in paper mode. Errors as
    // fromJson's, the field named under `path` (e.g. "accounts[2]").
    Result<void> admitsAccount(const AccountConfig &account, const QString &path) const;

    // Errors: kind Configuration, code "InvalidConfig", message naming the field path; details.field too.
    static Result<EngineConfig> fromJson(const QJsonObject &json);
    static Result<EngineConfig> fromFile(const QString &path);
    // Reads a JSON object from a file with a clear error (unreadable, not JSON with the offset, not an object).
    static Result<QJsonObject> readJsonFile(const QString &path);
    // The full URL to connect to (endpoint + app_id + l=EN), or an error for a bad endpoint/app_id.
    Result<QUrl> connectUrl() const;
    // Paper mode out of the box: one demo account and two example bots.
    static EngineConfig paperDefault();
    static QJsonObject paperDefaultJson();
};

Error configError(const QString &field, const QString &reason);

} // namespace Vigil
