// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>

#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>

#include "accounts/accountinfo.h"
#include "health/result.h"

namespace Vigil {

class SecretStore;
class SessionRegistry;
template<typename T>
class QueuedCallback;

// The one place the GUI and the engine go to for API tokens. Tokens live only in the SecretStore, under
// "token:<loginid>"; the vault hands them out on request and keeps nothing but their fingerprints.
//
// Threads: the vault lives on one thread with an event loop (normally the GUI thread). addToken(),
// revoke() and accounts() must be called on that thread; tokenFor() may be called from any thread.
// Callbacks run queued on the caller's context thread, never synchronously, and are dropped if the
// context dies first. Signals are emitted on the vault's thread.
//
// Server access is injected: the lead wires the probe and the deleter to the Deriv client.
class TokenVault final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokenVault)

public:
    using AccountCallback = std::function<void(Result<AccountInfo>)>;
    using TokenCallback = std::function<void(Result<QString>)>;
    using DoneCallback = std::function<void(Result<void>)>;

    // Authorizes `token` against the server (a short-lived connection) and reports the account it opens:
    // loginId, currency, scopes, isVirtual (see AccountInfo::fromAuthorizeReply). Must call `done` exactly
    // once, from any thread; a refused token → the broker's error (InvalidToken, ...). It must not keep, log
    // or persist the token.
    using AuthorizeProbe = std::function<void(const QString &token, AccountCallback done)>;
    // Deletes `token` on the server (api_token with delete_token, on a session whose token has the admin
    // scope: possibly this token itself). Must call `done` exactly once, from any thread.
    using ServerTokenDeleter = std::function<void(const QString &loginId, const QString &token, DoneCallback done)>;

    static constexpr qsizetype MinTokenLength = 8;   // shorter strings are not Deriv tokens, and cannot be redacted
    static constexpr qsizetype MaxTokenLength = 128; // Deriv: up to 128 characters of [A-Za-z0-9_-]

    // `store` and `registry` must outlive the vault. `deleter` may be empty (revoke(..., true) then fails).
    TokenVault(SecretStore &store, SessionRegistry &registry, AuthorizeProbe probe, ServerTokenDeleter deleter = {},
               QObject *parent = nullptr);
    ~TokenVault() override;

    // "token:<loginid>"
    static QString secretKeyFor(const QString &loginId);
    // Errors name the rule broken, never echo the token. Code "InvalidTokenFormat".
    static Result<void> validateTokenFormat(const QString &token);

    // Validates the token format, authorizes it through the probe, stores it under "token:<loginid>"
    // (replacing a previous token of that account) and reports the AccountInfo: scopes, scope warnings (plus
    // why bots cannot trade, if read/trade is missing: adding a read-only token is allowed), tokenRef.
    // Errors: InvalidTokenFormat; the probe's error (e.g. Broker/InvalidToken); the store's error (e.g.
    // KeychainUnavailable): then nothing is stored. Emits accountAdded on success.
    void addToken(const QString &token, QObject *context, AccountCallback callback);

    // Stops using the account's token: optionally deletes it on the server first (api_token delete_token),
    // then closes every session using it (SessionRegistry::revoke → tokenRevoked → bots halt) and removes it
    // from the store. If the server deletion fails, the sessions are still closed and the token is refused
    // for the rest of the run, but it stays in the store so that the deletion can be retried; the callback
    // gets the server's error. Emits accountRemoved once the store entry is gone.
    void revoke(const QString &loginId, bool deleteOnServer, QObject *context, DoneCallback callback);

    // The account's token, for authorizing a session. Errors: SecretNotFound (no token stored), the store's
    // errors, "TokenRevoked" (revoked during this run). Any thread.
    void tokenFor(const QString &loginId, QObject *context, TokenCallback callback);

    // Accounts added or revoked during this run (the list of known accounts is the settings' business).
    QList<AccountInfo> accounts() const;

Q_SIGNALS:
    void accountAdded(const Vigil::AccountInfo &info);
    // The account's token was removed from the store: by revoke(), or because the registry reported it
    // revoked (the server answered InvalidToken on a session).
    void accountRemoved(const QString &loginId, const QString &reason);

private:
    void onProbed(const QString &token, Result<AccountInfo> probed, const QueuedCallback<Result<AccountInfo>> &reply);
    void finishRevoke(const QString &loginId, const QStringList &tokenRefs, const Result<void> &serverResult,
                      const QueuedCallback<Result<void>> &reply);
    void onTokenRevoked(const QString &tokenRef, const QStringList &accounts, const QString &reason);

    SecretStore &m_store;
    SessionRegistry &m_registry;
    AuthorizeProbe m_probe;
    ServerTokenDeleter m_deleter;
    QHash<QString, AccountInfo> m_accounts;
    QHash<QString, QString> m_fingerprints; // loginId → tokenRef of the token last stored or handed out
    bool m_revoking = false; // our own registry.revoke() call: its tokenRevoked is already handled
};

} // namespace Vigil
