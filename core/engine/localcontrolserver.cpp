// SPDX-License-Identifier: GPL-3.0-or-later
#include "localcontrolserver.h"

#include <QJsonDocument>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QRegularExpression>

namespace Vigil {

LocalControlServer::LocalControlServer(const QString &instance, Handler handler, QObject *parent)
    : QObject(parent), m_name(serverName(instance)), m_handler(std::move(handler))
{
}

LocalControlServer::~LocalControlServer() = default;

QString LocalControlServer::serverName(const QString &instance)
{
    QString safe = instance;
    safe.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]")), QStringLiteral("_"));
    return QStringLiteral("vigil-control-") + safe;
}

bool LocalControlServer::listen(QString *error)
{
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(m_name)) {
        // A stale socket file from a crashed instance: only remove it if nobody answers on it.
        QLocalSocket probe;
        probe.connectToServer(m_name);
        if (probe.waitForConnected(200)) {
            if (error)
                *error = QStringLiteral("another instance already listens on %1").arg(m_name);
            return false;
        }
        QLocalServer::removeServer(m_name);
        if (!m_server->listen(m_name)) {
            if (error)
                *error = m_server->errorString();
            return false;
        }
    }
    connect(m_server, &QLocalServer::newConnection, this, &LocalControlServer::onConnection);
    return true;
}

void LocalControlServer::onConnection()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
            while (socket->canReadLine()) {
                const QByteArray line = socket->readLine(64 * 1024);
                QJsonParseError err{};
                const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
                QPointer<QLocalSocket> guard(socket);
                auto reply = [guard](const QJsonObject &answer) {
                    if (!guard)
                        return;
                    guard->write(QJsonDocument(answer).toJson(QJsonDocument::Compact) + '\n');
                    guard->flush();
                };
                if (err.error != QJsonParseError::NoError || !doc.isObject()) {
                    reply(QJsonObject{{QStringLiteral("ok"), false}, {QStringLiteral("error"), QStringLiteral("not a JSON object")}});
                    continue;
                }
                m_handler(doc.object(), reply);
            }
        });
    }
}

QJsonObject LocalControlServer::request(const QString &instance, const QJsonObject &request, int timeoutMs, QString *error)
{
    QLocalSocket socket;
    socket.connectToServer(serverName(instance));
    if (!socket.waitForConnected(2000)) {
        if (error)
            *error = QStringLiteral("no running Vigil instance \"%1\" (%2)").arg(instance, socket.errorString());
        return {};
    }
    socket.write(QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n');
    socket.flush();
    QByteArray buffer;
    while (!buffer.contains('\n')) {
        if (!socket.waitForReadyRead(timeoutMs)) {
            if (error)
                *error = QStringLiteral("no answer within %1 ms").arg(timeoutMs);
            return {};
        }
        buffer += socket.readAll();
    }
    const QJsonDocument doc = QJsonDocument::fromJson(buffer.left(buffer.indexOf('\n')));
    if (!doc.isObject() && error)
        *error = QStringLiteral("malformed answer");
    return doc.object();
}

} // namespace Vigil
