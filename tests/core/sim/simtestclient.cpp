// SPDX-License-Identifier: GPL-3.0-or-later
#include "simtestclient.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

namespace Vigil::Test {

SimTestClient::SimTestClient(QObject *parent)
    : QObject(parent)
{
    m_socket.setMaxAllowedIncomingMessageSize(64 * 1024 * 1024);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        m_raw.append(text);
        m_frames.append(QJsonDocument::fromJson(text.toUtf8()).object());
        m_consumed.append(false);
    });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] { m_closeCode = int(m_socket.closeCode()); });
}

SimTestClient::~SimTestClient() = default;

bool SimTestClient::open(const QUrl &url, int timeoutMs)
{
    QSignalSpy connected(&m_socket, &QWebSocket::connected);
    m_socket.open(url);
    return connected.wait(timeoutMs);
}

qint64 SimTestClient::send(QJsonObject request)
{
    if (!request.contains(QLatin1String("req_id")))
        request.insert(QStringLiteral("req_id"), m_nextReqId++);
    m_socket.sendTextMessage(QString::fromUtf8(QJsonDocument(request).toJson(QJsonDocument::Compact)));
    return request.value(QLatin1String("req_id")).toInteger();
}

void SimTestClient::sendRaw(const QString &text)
{
    m_socket.sendTextMessage(text);
}

QJsonObject SimTestClient::take(const Predicate &pred, int timeoutMs)
{
    QJsonObject found;
    auto scan = [&] {
        for (qsizetype i = 0; i < m_frames.size(); ++i) {
            if (!m_consumed[i] && pred(m_frames[i])) {
                m_consumed[i] = true;
                found = m_frames[i];
                return true;
            }
        }
        return false;
    };
    if (!scan() && !QTest::qWaitFor(scan, timeoutMs))
        return QJsonObject();
    return found;
}

QJsonObject SimTestClient::reply(qint64 reqId, int timeoutMs)
{
    return take([reqId](const QJsonObject &f) { return f.value(QLatin1String("req_id")).toInteger() == reqId; },
                timeoutMs);
}

QJsonObject SimTestClient::call(const QJsonObject &request, int timeoutMs)
{
    return reply(send(request), timeoutMs);
}

QList<QJsonObject> SimTestClient::takeStream(const QString &subscriptionId, int count, int timeoutMs)
{
    QList<QJsonObject> out;
    const Predicate pred = bySubscription(subscriptionId);
    while (out.size() < count) {
        const QJsonObject f = take(pred, timeoutMs);
        if (f.isEmpty())
            break;
        out.append(f);
    }
    return out;
}

QList<QJsonObject> SimTestClient::peek(const Predicate &pred) const
{
    QList<QJsonObject> out;
    for (qsizetype i = 0; i < m_frames.size(); ++i) {
        if (!m_consumed[i] && pred(m_frames[i]))
            out.append(m_frames[i]);
    }
    return out;
}

bool SimTestClient::waitForDisconnected(int timeoutMs)
{
    if (m_socket.state() == QAbstractSocket::UnconnectedState)
        return true;
    return QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::UnconnectedState; }, timeoutMs);
}

bool SimTestClient::staysQuiet(const Predicate &pred, int ms)
{
    QTest::qWait(ms);
    return peek(pred).isEmpty();
}

bool SimTestClient::isConnected() const
{
    return m_socket.state() == QAbstractSocket::ConnectedState;
}

SimTestClient::Predicate SimTestClient::byMsgType(const QString &msgType)
{
    return [msgType](const QJsonObject &f) { return f.value(QLatin1String("msg_type")).toString() == msgType; };
}

SimTestClient::Predicate SimTestClient::bySubscription(const QString &id)
{
    return [id](const QJsonObject &f) {
        return f.value(QLatin1String("subscription")).toObject().value(QLatin1String("id")).toString() == id;
    };
}

} // namespace Vigil::Test
