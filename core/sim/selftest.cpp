// SPDX-License-Identifier: GPL-3.0-or-later
#include "selftest.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <QWebSocket>

#include "sim/simserver.h"

namespace Vigil::Sim {

namespace {
const QString s_token = QStringLiteral("vigil-sim-self-test");
}

SelfTest::SelfTest(QObject *parent)
    : QObject(parent)
{
}

SelfTest::~SelfTest() = default;

void SelfTest::start(int timeoutMs)
{
    SimConfig config;
    config.historyTicks = 10;
    m_server = std::make_unique<SimServer>(config);
    const auto loginid = m_server->addAccount(s_token);
    if (!loginid.ok()) {
        finish(false, loginid.error().message);
        return;
    }
    m_loginid = *loginid;
    const auto port = m_server->listen();
    if (!port.ok()) {
        finish(false, port.error().message);
        return;
    }
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    connect(m_socket, &QWebSocket::connected, this, [this] {
        const QJsonObject req{{QStringLiteral("authorize"), s_token}, {QStringLiteral("req_id"), 1}};
        m_socket->sendTextMessage(QString::fromUtf8(QJsonDocument(req).toJson(QJsonDocument::Compact)));
    });
    connect(m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        const QJsonObject reply = QJsonDocument::fromJson(text.toUtf8()).object();
        const QString who = reply.value(QLatin1String("authorize")).toObject().value(QLatin1String("loginid")).toString();
        const bool ok = reply.value(QLatin1String("msg_type")).toString() == QLatin1String("authorize")
            && reply.value(QLatin1String("req_id")).toInt() == 1 && who == m_loginid;
        finish(ok, ok ? QStringLiteral("authorized as ") + who : QStringLiteral("unexpected reply: ") + text.left(200));
    });
    // Qt 6.4 names the signal error(); errorOccurred() arrives in 6.5.
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError) { finish(false, m_socket->errorString()); });
    QTimer::singleShot(timeoutMs, this, [this] { finish(false, QStringLiteral("no authorize reply in time")); });
    m_socket->open(m_server->url());
}

void SelfTest::finish(bool ok, const QString &detail)
{
    if (m_done)
        return;
    m_done = true;
    if (m_socket)
        m_socket->close();
    Q_EMIT finished(ok, detail);
}

} // namespace Vigil::Sim
