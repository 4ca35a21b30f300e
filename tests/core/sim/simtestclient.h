// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QUrl>
#include <QWebSocket>

namespace Vigil::Test {

// A raw Deriv API client for simulator tests: a real QWebSocket on loopback that records every
// frame. Waiting helpers spin the event loop (QTest::qWaitFor) until a frame matches or time is up.
// Each frame is handed out once (take*), so a stream's frames can be consumed in order.
class SimTestClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SimTestClient)

public:
    using Predicate = std::function<bool(const QJsonObject &)>;

    explicit SimTestClient(QObject *parent = nullptr);
    ~SimTestClient() override;

    bool open(const QUrl &url, int timeoutMs = 5000);
    // Sends `request` with a fresh req_id unless it has one; returns the req_id.
    qint64 send(QJsonObject request);
    void sendRaw(const QString &text);
    // The first unconsumed frame carrying req_id (an empty object on timeout).
    QJsonObject reply(qint64 reqId, int timeoutMs = 5000);
    QJsonObject call(const QJsonObject &request, int timeoutMs = 5000);
    // The first unconsumed frame matching `pred` (empty on timeout).
    QJsonObject take(const Predicate &pred, int timeoutMs = 5000);
    // Frames of the stream with this subscription id, waiting until `count` arrived.
    QList<QJsonObject> takeStream(const QString &subscriptionId, int count, int timeoutMs = 5000);
    // Unconsumed frames matching `pred` right now (no waiting, not consumed).
    QList<QJsonObject> peek(const Predicate &pred) const;
    bool waitForDisconnected(int timeoutMs = 5000);
    // Waits `ms` and checks that nothing matching `pred` arrived (for "no more frames" checks).
    bool staysQuiet(const Predicate &pred, int ms);

    bool isConnected() const;
    int closeCode() const { return m_closeCode; }
    const QStringList &rawFrames() const { return m_raw; }
    QWebSocket &socket() { return m_socket; }

    static Predicate byMsgType(const QString &msgType);
    static Predicate bySubscription(const QString &id);

private:
    QWebSocket m_socket;
    QList<QJsonObject> m_frames;
    QList<bool> m_consumed;
    QStringList m_raw;
    qint64 m_nextReqId = 1;
    int m_closeCode = -1;
};

} // namespace Vigil::Test
