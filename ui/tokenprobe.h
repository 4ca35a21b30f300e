// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>

#include <QJsonObject>
#include <QObject>
#include <QUrl>

#include "accounts/accountinfo.h"
#include "health/result.h"

class QThread;

namespace Vigil {

class DerivClient;

// Short-lived Deriv sessions for the Accounts dialog: authorize a pasted token to learn its account
// (login id, currency, scopes), or delete a token on the server (api_token delete_token). Each call opens
// its own DerivClient on the probe's worker thread, does one thing and closes it, so the GUI thread never
// waits on the network. The token is kept only for the length of the call and never logged (DerivClient
// registers it with the Redactor).
//
// Threads: create and call on the GUI thread. Callbacks run queued on `context`'s thread, exactly once
// (unless the context or the probe is destroyed first: then they are dropped).
// Errors: the server's (Broker/InvalidToken with Deriv's message, PermissionDenied, ...), the connection's
// (the first connection loss of the short session is final: no reconnect loop behind a dialog), or
// Timeout/"ProbeTimeout" when nothing conclusive came within timeoutMs.
class TokenProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokenProbe)

public:
    using InfoCallback = std::function<void(Result<AccountInfo>)>;
    using DoneCallback = std::function<void(Result<void>)>;

    explicit TokenProbe(QObject *parent = nullptr);
    // Ends the worker thread; sessions still open are closed and their callbacks dropped.
    ~TokenProbe() override;

    void setTimeoutMs(int ms);
    int timeoutMs() const { return m_timeoutMs; }

    // `url`: the full connect URL (endpoint with app_id), as EngineConfig::connectUrl() gives it.
    void authorize(const QUrl &url, const QString &token, QObject *context, InfoCallback done);
    // Needs a token with the `admin` scope (Deriv refuses api_token otherwise: PermissionDenied).
    void deleteToken(const QUrl &url, const QString &token, QObject *context, DoneCallback done);

private:
    using ReplyCallback = std::function<void(Result<QJsonObject>)>;
    // Runs on the worker: called once the session is authorized; calls `finish` exactly once.
    using ReadyStep = std::function<void(DerivClient *client, ReplyCallback finish)>;
    void runSession(const QUrl &url, const QString &token, ReadyStep onReady, QObject *context, ReplyCallback done);

    QThread *m_thread = nullptr;
    QObject *m_root = nullptr; // on the worker thread: parent of the sessions
    int m_timeoutMs = 20000;
};

} // namespace Vigil
