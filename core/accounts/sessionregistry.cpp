// SPDX-License-Identifier: GPL-3.0-or-later
#include "sessionregistry.h"

#include <utility>

#include <QThread>
#include <QTimer>

#include "accounts/queuedcallback.h"
#include "accounts/tokenfingerprint.h"
#include "health/logcategories.h"

namespace Vigil {

namespace {
Error invalid(const QString &message)
{
    return Error::make(ErrorKind::InvalidInput, QStringLiteral("InvalidSession"), message);
}

struct PendingClose
{
    SessionInfo info;
    std::shared_ptr<QueuedCallback<QString>> closer;
};
} // namespace

SessionRegistry::SessionRegistry(const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
{
    qRegisterMetaType<SessionInfo>();
}

SessionRegistry::~SessionRegistry() = default;

Result<void> SessionRegistry::registerSession(const QString &sessionId, const QString &account, const QString &tokenRef,
                                              QObject *owner, Closer closer)
{
    if (sessionId.isEmpty() || account.isEmpty())
        return invalid(QStringLiteral("A session needs an id and an account."));
    if (!TokenFingerprint::isFingerprint(tokenRef)) {
        // Deliberately not echoing the value: it may be a raw token passed by mistake.
        return invalid(QStringLiteral("Session %1 must be registered with a token fingerprint, not a token.").arg(sessionId));
    }
    if (!owner || !closer)
        return invalid(QStringLiteral("Session %1 needs an owner object and a closer.").arg(sessionId));

    Entry entry;
    entry.info.sessionId = sessionId;
    entry.info.account = account;
    entry.info.tokenRef = tokenRef;
    entry.info.registeredMs = m_clock.monotonicMs();
    entry.info.lastActivityMs = entry.info.registeredMs;
    entry.owner = owner;
    entry.closer = std::make_shared<QueuedCallback<QString>>(owner, std::move(closer));

    QMutexLocker lock(&m_mutex);
    if (m_revoked.contains(tokenRef)) {
        Error e = Error::make(ErrorKind::Configuration, QStringLiteral("TokenRevoked"),
                              QStringLiteral("The API token of account %1 was revoked; the session must close.").arg(account));
        e.account = account;
        return e;
    }
    if (m_sessions.contains(sessionId)) {
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("DuplicateSession"),
                           QStringLiteral("Session %1 is already registered.").arg(sessionId));
    }
    m_sessions.insert(sessionId, std::move(entry));
    qCDebug(lcAccounts) << "session registered" << sessionId << account << tokenRef;
    return {};
}

bool SessionRegistry::unregisterSession(const QString &sessionId)
{
    QMutexLocker lock(&m_mutex);
    return m_sessions.remove(sessionId);
}

void SessionRegistry::touch(const QString &sessionId)
{
    const qint64 now = m_clock.monotonicMs();
    QMutexLocker lock(&m_mutex);
    if (auto it = m_sessions.find(sessionId); it != m_sessions.end())
        it->info.lastActivityMs = now;
}

QList<SessionInfo> SessionRegistry::sessions(const QString &account) const
{
    QMutexLocker lock(&m_mutex);
    QList<SessionInfo> out;
    for (const Entry &e : m_sessions) {
        if (e.info.account == account) {
            out << e.info;
            out.last().ownerAlive = !e.owner.isNull();
        }
    }
    return out;
}

QList<SessionInfo> SessionRegistry::sessionsForToken(const QString &tokenRef) const
{
    QMutexLocker lock(&m_mutex);
    QList<SessionInfo> out;
    for (const Entry &e : m_sessions) {
        if (e.info.tokenRef == tokenRef) {
            out << e.info;
            out.last().ownerAlive = !e.owner.isNull();
        }
    }
    return out;
}

QList<SessionInfo> SessionRegistry::allSessions() const
{
    QMutexLocker lock(&m_mutex);
    QList<SessionInfo> out;
    for (const Entry &e : m_sessions) {
        out << e.info;
        out.last().ownerAlive = !e.owner.isNull();
    }
    return out;
}

QStringList SessionRegistry::revoke(const QString &tokenRef, const QString &reason, const QStringList &accounts)
{
    if (!TokenFingerprint::isFingerprint(tokenRef)) {
        // Not echoing the value: it may be a raw token passed by mistake.
        qCWarning(lcAccounts) << "revoke called without a token fingerprint; ignored";
        return {};
    }
    QList<PendingClose> closing;
    QStringList affected = accounts;
    {
        QMutexLocker lock(&m_mutex);
        m_revoked.insert(tokenRef);
        for (auto it = m_sessions.begin(); it != m_sessions.end();) {
            if (it->info.tokenRef == tokenRef) {
                closing.append({it->info, it->closer});
                if (!affected.contains(it->info.account))
                    affected << it->info.account;
                it = m_sessions.erase(it);
            } else {
                ++it;
            }
        }
    }
    const QString why = QStringLiteral("token revoked: ") + reason;
    QStringList closed;
    for (const PendingClose &c : std::as_const(closing)) {
        (*c.closer)(why); // queued onto the owner's thread
        closed << c.info.sessionId;
    }
    qCWarning(lcAccounts).noquote() << "token" << tokenRef << "revoked (" << reason << "):" << closed.size()
                                    << "session(s) closed, accounts" << affected.join(QLatin1String(", "));
    for (const PendingClose &c : std::as_const(closing))
        Q_EMIT sessionClosed(c.info.sessionId, c.info.account, why);
    Q_EMIT tokenRevoked(tokenRef, affected, reason);
    return closed;
}

bool SessionRegistry::reportInvalidToken(const QString &sessionId, const Error &error)
{
    QString tokenRef;
    QString account;
    {
        QMutexLocker lock(&m_mutex);
        const auto it = m_sessions.constFind(sessionId);
        if (it == m_sessions.cend())
            return false;
        tokenRef = it->info.tokenRef;
        account = it->info.account;
    }
    const QString code = error.code.isEmpty() ? QStringLiteral("InvalidToken") : error.code;
    revoke(tokenRef, QStringLiteral("the server answered %1 on session %2: %3").arg(code, sessionId, error.message),
           {account});
    return true;
}

bool SessionRegistry::isRevoked(const QString &tokenRef) const
{
    QMutexLocker lock(&m_mutex);
    return m_revoked.contains(tokenRef);
}

void SessionRegistry::clearRevocation(const QString &tokenRef)
{
    QMutexLocker lock(&m_mutex);
    m_revoked.remove(tokenRef);
}

QStringList SessionRegistry::cleanupStale(qint64 maxIdleMs)
{
    const qint64 now = m_clock.monotonicMs();
    QList<PendingClose> idle;
    QStringList removed;
    {
        QMutexLocker lock(&m_mutex);
        for (auto it = m_sessions.begin(); it != m_sessions.end();) {
            if (it->owner.isNull()) {
                qCInfo(lcAccounts) << "session" << it->info.sessionId << "of" << it->info.account
                                   << "dropped: its owner is gone";
                removed << it->info.sessionId;
                it = m_sessions.erase(it);
            } else if (now - it->info.lastActivityMs > maxIdleMs) {
                idle.append({it->info, it->closer});
                removed << it->info.sessionId;
                it = m_sessions.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (const PendingClose &c : std::as_const(idle)) {
        const QString why = QStringLiteral("idle for %1 ms").arg(now - c.info.lastActivityMs);
        qCWarning(lcAccounts) << "session" << c.info.sessionId << "of" << c.info.account << "closed:" << why;
        (*c.closer)(why);
        Q_EMIT sessionClosed(c.info.sessionId, c.info.account, why);
    }
    return removed;
}

void SessionRegistry::startPeriodicCleanup(int intervalMs, qint64 maxIdleMs)
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (!m_cleanupTimer) {
        m_cleanupTimer = new QTimer(this);
        connect(m_cleanupTimer, &QTimer::timeout, this, [this] { cleanupStale(m_cleanupMaxIdleMs); });
    }
    m_cleanupMaxIdleMs = maxIdleMs;
    m_cleanupTimer->start(intervalMs);
}

void SessionRegistry::stopPeriodicCleanup()
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (m_cleanupTimer)
        m_cleanupTimer->stop();
}

} // namespace Vigil
