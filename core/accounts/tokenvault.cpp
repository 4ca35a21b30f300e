// SPDX-License-Identifier: GPL-3.0-or-later
#include "tokenvault.h"

#include <utility>

#include <QRegularExpression>
#include <QThread>

#include "accounts/queuedcallback.h"
#include "accounts/secretstore.h"
#include "accounts/sessionregistry.h"
#include "accounts/tokenfingerprint.h"
#include "health/logcategories.h"
#include "health/redactor.h"

namespace Vigil {

namespace {
Error invalidLoginId()
{
    return Error::make(ErrorKind::InvalidInput, QStringLiteral("InvalidLoginId"),
                       QStringLiteral("Not a Deriv login id (letters then digits, e.g. CR1234567)."));
}

Error withAccount(Error e, const QString &loginId)
{
    e.account = loginId;
    return e;
}

Error tokenRevoked(const QString &loginId)
{
    Error e = Error::make(ErrorKind::Configuration, QStringLiteral("TokenRevoked"),
                          QStringLiteral("The API token of account %1 was revoked: add a new token.").arg(loginId));
    e.account = loginId;
    return e;
}
} // namespace

TokenVault::TokenVault(SecretStore &store, SessionRegistry &registry, AuthorizeProbe probe, ServerTokenDeleter deleter,
                       QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_registry(registry)
    , m_probe(std::move(probe))
    , m_deleter(std::move(deleter))
{
    qRegisterMetaType<AccountInfo>();
    connect(&m_registry, &SessionRegistry::tokenRevoked, this, &TokenVault::onTokenRevoked);
}

TokenVault::~TokenVault() = default;

QString TokenVault::secretKeyFor(const QString &loginId)
{
    return QStringLiteral("token:") + loginId;
}

Result<void> TokenVault::validateTokenFormat(const QString &token)
{
    static const QRegularExpression re(QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z0-9_-]+")));
    auto bad = [](const QString &why) {
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("InvalidTokenFormat"), why);
    };
    if (token.isEmpty())
        return bad(QStringLiteral("The API token is empty."));
    if (token.size() < MinTokenLength || token.size() > MaxTokenLength) {
        return bad(QStringLiteral("A Deriv API token is %1 to %2 characters long; this one has %3.")
                       .arg(MinTokenLength)
                       .arg(MaxTokenLength)
                       .arg(token.size()));
    }
    if (!re.match(token).hasMatch()) {
        return bad(QStringLiteral("A Deriv API token holds only letters, digits, '_' and '-' (check for spaces or "
                                  "quotes copied with it)."));
    }
    return {};
}

void TokenVault::addToken(const QString &token, QObject *context, AccountCallback callback)
{
    Q_ASSERT(QThread::currentThread() == thread());
    const QueuedCallback<Result<AccountInfo>> reply(context, std::move(callback));
    if (Result<void> valid = validateTokenFormat(token); !valid) {
        reply(valid.error());
        return;
    }
    // Before it can reach any log line, including the probe's.
    Redactor::registerSecret(token);
    if (!m_probe) {
        reply(Error::make(ErrorKind::Internal, QStringLiteral("NoAuthorizeProbe"),
                          QStringLiteral("The token vault has no way to authorize tokens.")));
        return;
    }
    qCInfo(lcAccounts) << "authorizing a new token" << TokenFingerprint::of(token);
    m_probe(token, QueuedCallback<Result<AccountInfo>>(this, [this, token, reply](Result<AccountInfo> probed) {
                onProbed(token, std::move(probed), reply);
            }));
}

void TokenVault::onProbed(const QString &token, Result<AccountInfo> probed,
                          const QueuedCallback<Result<AccountInfo>> &reply)
{
    if (!probed) {
        qCWarning(lcAccounts) << "token" << TokenFingerprint::of(token) << "refused:" << probed.error().toString();
        reply(probed.error());
        return;
    }
    AccountInfo info = std::move(probed).value();
    if (!AccountInfo::isValidLoginId(info.loginId)) {
        reply(Error::make(ErrorKind::Protocol, QStringLiteral("InvalidAuthorizeReply"),
                          QStringLiteral("The server's authorize reply has no valid login id.")));
        return;
    }
    info.tokenRef = TokenFingerprint::of(token);
    info.warnings = info.scopes.warnings();
    if (Result<void> trading = info.scopes.checkTrading(); !trading)
        info.warnings << trading.error().message;

    m_store.writeSecret(secretKeyFor(info.loginId), token, this, [this, info, reply](Result<void> written) {
        if (!written) {
            qCWarning(lcAccounts) << "could not store the token of" << info.loginId << ":" << written.error().toString();
            reply(withAccount(written.error(), info.loginId));
            return;
        }
        m_registry.clearRevocation(info.tokenRef);
        m_fingerprints.insert(info.loginId, info.tokenRef);
        m_accounts.insert(info.loginId, info);
        qCInfo(lcAccounts).noquote() << "token" << info.tokenRef << "stored for" << info.loginId << "scopes"
                                     << info.scopes.names().join(u',') << (info.isVirtual ? "(virtual)" : "(real)");
        Q_EMIT accountAdded(info);
        reply(info);
    });
}

void TokenVault::revoke(const QString &loginId, bool deleteOnServer, QObject *context, DoneCallback callback)
{
    Q_ASSERT(QThread::currentThread() == thread());
    const QueuedCallback<Result<void>> reply(context, std::move(callback));
    if (!AccountInfo::isValidLoginId(loginId)) {
        reply(invalidLoginId());
        return;
    }
    if (deleteOnServer && !m_deleter) {
        reply(withAccount(Error::make(ErrorKind::Configuration, QStringLiteral("NoServerTokenDeleter"),
                                      QStringLiteral("Deleting tokens on the server is not available here.")),
                          loginId));
        return;
    }
    m_store.readSecret(secretKeyFor(loginId), this, [this, loginId, deleteOnServer, reply](Result<QString> stored) {
        // Everything that might be using the account's token: the stored one and whatever live sessions use.
        QStringList refs;
        if (stored)
            refs << TokenFingerprint::of(stored.value());
        else if (m_fingerprints.contains(loginId))
            refs << m_fingerprints.value(loginId);
        for (const SessionInfo &s : m_registry.sessions(loginId)) {
            if (!refs.contains(s.tokenRef))
                refs << s.tokenRef;
        }
        const bool missing = !stored && stored.error().code == SecretStore::NotFoundCode;
        if (!stored && !missing) {
            // The store is broken; still stop what we can, then report the store's error.
            finishRevoke(loginId, refs, stored.error(), reply);
            return;
        }
        if (deleteOnServer) {
            if (missing) {
                finishRevoke(loginId, refs,
                             withAccount(SecretStore::notFound(secretKeyFor(loginId)), loginId), reply);
                return;
            }
            m_deleter(loginId, stored.value(),
                      QueuedCallback<Result<void>>(this, [this, loginId, refs, reply](Result<void> deleted) {
                          finishRevoke(loginId, refs, deleted, reply);
                      }));
            return;
        }
        finishRevoke(loginId, refs, Result<void>(), reply);
    });
}

void TokenVault::finishRevoke(const QString &loginId, const QStringList &tokenRefs, const Result<void> &serverResult,
                              const QueuedCallback<Result<void>> &reply)
{
    const QString reason = serverResult ? QStringLiteral("revoked by the user")
                                        : QStringLiteral("revoked by the user (not confirmed deleted on the server)");
    m_revoking = true;
    for (const QString &ref : tokenRefs)
        m_registry.revoke(ref, reason, {loginId});
    m_revoking = false;
    m_fingerprints.remove(loginId);

    if (!serverResult) {
        // Keep the stored token so that the server deletion can be retried; it is refused for this run.
        qCWarning(lcAccounts) << "token of" << loginId << "not deleted on the server:" << serverResult.error().toString();
        reply(withAccount(serverResult.error(), loginId));
        return;
    }
    m_store.deleteSecret(secretKeyFor(loginId), this, [this, loginId, reply, reason](Result<void> removed) {
        if (!removed) {
            qCWarning(lcAccounts) << "token of" << loginId << "revoked but not removed from"
                                  << m_store.describe() << ":" << removed.error().toString();
            reply(withAccount(removed.error(), loginId));
            return;
        }
        m_accounts.remove(loginId);
        qCInfo(lcAccounts) << "token of" << loginId << "revoked and removed from" << m_store.describe();
        Q_EMIT accountRemoved(loginId, reason);
        reply(Result<void>());
    });
}

void TokenVault::onTokenRevoked(const QString &tokenRef, const QStringList &accounts, const QString &reason)
{
    if (m_revoking)
        return;
    // Revoked elsewhere (the server answered InvalidToken): remove the token from the store, but only where
    // the stored token is that one (the user may have stored a new token for the account meanwhile).
    for (const QString &loginId : accounts) {
        if (!AccountInfo::isValidLoginId(loginId))
            continue;
        if (m_fingerprints.value(loginId) == tokenRef)
            m_fingerprints.remove(loginId);
        const QString key = secretKeyFor(loginId);
        m_store.readSecret(key, this, [this, key, loginId, tokenRef, reason](Result<QString> stored) {
            if (!stored || TokenFingerprint::of(stored.value()) != tokenRef)
                return;
            m_store.deleteSecret(key, this, [this, loginId, tokenRef, reason](Result<void> removed) {
                if (!removed) {
                    qCWarning(lcAccounts) << "revoked token" << tokenRef << "of" << loginId << "not removed from"
                                          << m_store.describe() << ":" << removed.error().toString();
                    return;
                }
                m_accounts.remove(loginId);
                qCInfo(lcAccounts) << "revoked token" << tokenRef << "of" << loginId << "removed from"
                                   << m_store.describe();
                Q_EMIT accountRemoved(loginId, reason);
            });
        });
    }
}

void TokenVault::tokenFor(const QString &loginId, QObject *context, TokenCallback callback)
{
    const QueuedCallback<Result<QString>> reply(context, std::move(callback));
    if (!AccountInfo::isValidLoginId(loginId)) {
        reply(invalidLoginId());
        return;
    }
    // Continue on the vault's thread (m_fingerprints), then hop to the caller's context.
    m_store.readSecret(secretKeyFor(loginId), this, [this, loginId, reply](Result<QString> stored) {
        if (!stored) {
            Error e = withAccount(stored.error(), loginId);
            if (e.code == SecretStore::NotFoundCode)
                e.message = QStringLiteral("No API token found for account %1 (add one first). %2").arg(loginId, e.message);
            reply(std::move(e));
            return;
        }
        const QString ref = TokenFingerprint::of(stored.value());
        if (m_registry.isRevoked(ref)) {
            reply(tokenRevoked(loginId));
            return;
        }
        m_fingerprints.insert(loginId, ref);
        reply(std::move(stored));
    });
}

QList<AccountInfo> TokenVault::accounts() const
{
    Q_ASSERT(QThread::currentThread() == thread());
    return m_accounts.values();
}

} // namespace Vigil
