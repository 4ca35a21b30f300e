// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>

#include <QJsonObject>
#include <QObject>
#include <QString>

class QLocalServer;
class QLocalSocket;

namespace Vigil {

// A local socket through which another process on this machine (vigil-headless --emergency-stop) asks a
// running instance to act. One JSON object per line in each direction:
//   → {"command": "emergency-stop", "account": ""}   ← {"ok": true, "report": {...}} when the stop finished
//   → {"command": "rearm", "account": ""}            ← {"ok": true} once re-armed (Engine::rearm)
//   → {"command": "status"}                         ← {"ok": true, "status": {...}}
// The socket is created in the user's runtime directory with owner-only permissions.
class LocalControlServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LocalControlServer)

public:
    // handler: gets the request and a reply callback (call it once, possibly later).
    using Handler = std::function<void(const QJsonObject &request, std::function<void(const QJsonObject &)> reply)>;

    LocalControlServer(const QString &instance, Handler handler, QObject *parent = nullptr);
    ~LocalControlServer() override;

    bool listen(QString *error);
    static QString serverName(const QString &instance);

    // Client side: sends one request and waits up to timeoutMs for the reply (for the CLI only: it blocks
    // the calling thread, which has no GUI).
    static QJsonObject request(const QString &instance, const QJsonObject &request, int timeoutMs, QString *error);

private:
    void onConnection();
    QString m_name;
    Handler m_handler;
    QLocalServer *m_server = nullptr;
};

} // namespace Vigil
