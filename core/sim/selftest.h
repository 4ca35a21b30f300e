// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include <QObject>

QT_BEGIN_NAMESPACE
class QWebSocket;
QT_END_NAMESPACE

namespace Vigil::Sim {

class SimServer;

// vigil-sim --self-test: starts a simulator on a free loopback port, connects to it over a real
// WebSocket, authorizes, and reports whether the reply was a proper authorize. Asynchronous:
// finished() is emitted once, on this object's thread, within `timeoutMs`.
class SelfTest final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SelfTest)

public:
    explicit SelfTest(QObject *parent = nullptr);
    ~SelfTest() override;

    void start(int timeoutMs = 10'000);

Q_SIGNALS:
    void finished(bool ok, const QString &detail);

private:
    void finish(bool ok, const QString &detail);

    std::unique_ptr<SimServer> m_server;
    QWebSocket *m_socket = nullptr;
    QString m_loginid;
    bool m_done = false;
};

} // namespace Vigil::Sim
