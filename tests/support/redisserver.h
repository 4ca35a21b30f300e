// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QElapsedTimer>
#include <QHostAddress>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>

#ifdef Q_OS_LINUX
#include <signal.h>
#include <sys/prctl.h>
#endif

// For a Redis test's initTestCase(): skips the whole test, saying why, when redis-server is not installed
// (.ci/run installs it), else starts `server` (a RedisServer) or fails.
#define VIGIL_START_REDIS_OR_SKIP(server)                                                                      \
    do {                                                                                                       \
        if (Vigil::Test::RedisServer::executable().isEmpty())                                                  \
            QSKIP("redis-server is not on PATH: install redis-server to run the Redis coordination tests");     \
        QVERIFY2((server).start(), "redis-server did not start on a loopback port");                           \
    } while (false)

namespace Vigil::Test {

// A throw-away redis-server on 127.0.0.1 and a free port (never 6379), without persistence, for tests
// labelled "redis". Tests QSKIP when executable() is empty. Needs Qt6::Network.
class RedisServer
{
public:
    RedisServer() = default;
    ~RedisServer() { kill(); }
    Q_DISABLE_COPY_MOVE(RedisServer)

    static QString executable() { return QStandardPaths::findExecutable(QStringLiteral("redis-server")); }

    // Picks a free loopback port (first start) and waits until the server accepts connections.
    bool start()
    {
        if (m_port == 0)
            m_port = freeLoopbackPort();
        if (m_port == 0 || !m_dir.isValid())
            return false;
        m_process.setProgram(executable());
        m_process.setArguments({ QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--bind"),
            QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(), QStringLiteral("--appendonly"),
            QStringLiteral("no"), QStringLiteral("--dir"), m_dir.path(), QStringLiteral("--daemonize"),
            QStringLiteral("no"), QStringLiteral("--loglevel"), QStringLiteral("warning"),
            QStringLiteral("--enable-debug-command"), QStringLiteral("local") });
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
#ifdef Q_OS_LINUX
        // A crashed test must not leave its server behind.
        m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
#endif
        m_process.setStandardOutputFile(QProcess::nullDevice());
        m_process.start();
        if (!m_process.waitForStarted(5000))
            return false;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 10'000) {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, m_port);
            if (probe.waitForConnected(200)) {
                probe.write("PING\r\n");
                if (probe.waitForReadyRead(1000) && probe.readAll().startsWith("+PONG"))
                    return true;
            }
            if (m_process.state() == QProcess::NotRunning)
                return false;
            QThread::msleep(20);
        }
        return false;
    }

    // SIGKILL: the server vanishes without closing anything cleanly.
    void kill()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.kill();
        m_process.waitForFinished(5000);
    }

    // Same port, empty data set (no persistence), as after a crash without AOF.
    bool restart()
    {
        kill();
        return start();
    }

    bool isRunning() const
    {
        return m_process.state() == QProcess::Running;
    }
    quint16 port() const
    {
        return m_port;
    }
    QString url() const
    {
        return QStringLiteral("redis://127.0.0.1:%1").arg(m_port);
    }

    static quint16 freeLoopbackPort()
    {
        for (int attempt = 0; attempt < 20; ++attempt) {
            QTcpServer server;
            if (!server.listen(QHostAddress::LocalHost, 0))
                continue;
            const quint16 port = server.serverPort();
            if (port != 6379)
                return port;
        }
        return 0;
    }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};

} // namespace Vigil::Test
