// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>
#include <memory>

#include <QHash>
#include <QList>
#include <QMetaType>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QStringList>

#include "health/clock.h"
#include "health/error.h"
#include "health/result.h"

class QTimer;

namespace Vigil {

template<typename T>
class QueuedCallback;

// A live session as the registry reports it. A value type.
struct SessionInfo
{
    QString sessionId;
    QString account;       // login id
    QString tokenRef;      // TokenFingerprint of the token the session authorized with
    qint64 registeredMs = 0;   // Clock::monotonicMs()
    qint64 lastActivityMs = 0; // Clock::monotonicMs() of the last touch()
    bool ownerAlive = true;
};

// Every live authorized WebSocket session, per account and per token (by fingerprint, never the token),
// so that revoking a token closes every session that uses it, wherever it runs.
//
// Thread-safe: every method may be called from any thread. Sessions are closed through the closer given at
// registration, invoked queued on the owner's thread (the owner is the session's QObject, e.g. the
// DerivClient living on its account thread); a closer never runs on the caller's thread synchronously, and
// not at all once the owner is destroyed.
//
// Revocation is one path, whoever starts it:
//  - the user (TokenVault::revoke) → revoke(tokenRef, reason, {loginId});
//  - the server answering InvalidToken mid-session: the session's client calls
//    reportInvalidToken(sessionId, error), which revokes that session's token the same way.
// revoke() closes every session registered with the token (and only those), removes them, refuses new
// registrations with that token until clearRevocation(), and emits tokenRevoked so the engine halts the
// bots of those accounts ("Halted: token revoked") and TokenVault removes the token from the keychain.
class SessionRegistry final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionRegistry)

public:
    // Called on the owner's thread with a human-readable reason ("token revoked: ...", "idle for ...").
    // It should close the socket and not reconnect with the same token.
    using Closer = std::function<void(const QString &reason)>;

    // `clock` must outlive the registry.
    explicit SessionRegistry(const Clock &clock = Clock::system(), QObject *parent = nullptr);
    ~SessionRegistry() override;

    // Registers a live session. `tokenRef` must be a TokenFingerprint (a raw token is refused).
    // Errors: InvalidInput (empty id/account, not a fingerprint, no owner/closer), "DuplicateSession",
    // "TokenRevoked" (the token was revoked: close the session instead of using it).
    Result<void> registerSession(const QString &sessionId, const QString &account, const QString &tokenRef,
                                 QObject *owner, Closer closer);
    // Same, closing through a member function of the owner (e.g. &DerivClient::closeForRevocation).
    template<typename Owner>
    Result<void> registerSession(const QString &sessionId, const QString &account, const QString &tokenRef,
                                 Owner *owner, void (Owner::*close)(const QString &reason))
    {
        return registerSession(sessionId, account, tokenRef, static_cast<QObject *>(owner),
                               [owner, close](const QString &reason) { (owner->*close)(reason); });
    }
    // The session ended on its own (socket closed, logout). False if it was not registered.
    bool unregisterSession(const QString &sessionId);
    // Records activity (a frame received); keeps the session from being treated as idle.
    void touch(const QString &sessionId);

    QList<SessionInfo> sessions(const QString &account) const;
    QList<SessionInfo> sessionsForToken(const QString &tokenRef) const;
    QList<SessionInfo> allSessions() const;

    // Closes and removes every session using `tokenRef`, remembers the token as revoked, then emits
    // tokenRevoked(tokenRef, accounts, reason), where accounts = the sessions' accounts plus `accounts`
    // (so that accounts with no live session are halted too). Returns the ids of the sessions closed.
    QStringList revoke(const QString &tokenRef, const QString &reason, const QStringList &accounts = {});
    // The server answered InvalidToken (or another final auth error) on `sessionId`: revokes that session's
    // token as above, reason taken from the error. False if the session is unknown.
    bool reportInvalidToken(const QString &sessionId, const Error &error);
    bool isRevoked(const QString &tokenRef) const;
    // Forgets a revocation (the user stored the token again after it was validated anew).
    void clearRevocation(const QString &tokenRef);

    // Removes sessions whose owner was destroyed without unregistering, and closes and removes sessions
    // idle longer than maxIdleMs (a hung or leaked session). Returns the ids removed.
    QStringList cleanupStale(qint64 maxIdleMs);
    // Runs cleanupStale(maxIdleMs) every intervalMs on the registry's thread. Call on that thread.
    void startPeriodicCleanup(int intervalMs, qint64 maxIdleMs);
    void stopPeriodicCleanup();

Q_SIGNALS:
    // Emitted on the thread that called revoke()/reportInvalidToken() (connect with a context object; it is
    // queued to receivers on other threads). `accounts` are the login ids whose bots must halt.
    void tokenRevoked(const QString &tokenRef, const QStringList &accounts, const QString &reason);
    // A session was closed by the registry (revocation or idleness). Same thread rule as tokenRevoked.
    void sessionClosed(const QString &sessionId, const QString &account, const QString &reason);

private:
    struct Entry
    {
        SessionInfo info;
        QPointer<QObject> owner;
        std::shared_ptr<QueuedCallback<QString>> closer;
    };

    const Clock &m_clock;
    mutable QMutex m_mutex;
    QHash<QString, Entry> m_sessions;
    QSet<QString> m_revoked;
    QTimer *m_cleanupTimer = nullptr;
    qint64 m_cleanupMaxIdleMs = 0;
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::SessionInfo)
