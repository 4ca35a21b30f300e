// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDir>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>

#ifdef Q_OS_LINUX
#include <signal.h>
#include <sys/prctl.h>
#endif

namespace Vigil::Test {

// A program of this build tree (VIGIL_TEST_BINARY_DIR, set by vigil_add_test), e.g. "app/sim/vigil-sim".
inline QString buildBinary(const char *relative)
{
    return QDir(qEnvironmentVariable("VIGIL_TEST_BINARY_DIR")).filePath(QString::fromLatin1(relative));
}

// vigil-sim as a child process for process-level tests: its output is drained all the time (a full pipe
// froze the simulator once), and its HTTP control endpoint is driven with blocking calls from the test
// thread. Needs Qt6::Network and Qt6::Test. Killed with the test (PDEATHSIG) if the test crashes.
class SimProcess
{
public:
    SimProcess() = default;
    ~SimProcess() { stop(); }
    Q_DISABLE_COPY_MOVE(SimProcess)

    // Starts vigil-sim with `arguments` plus --port 0 --control-port 0 and waits for both endpoints.
    bool start(const QStringList &arguments)
    {
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, &m_process,
                         [this] { m_output += m_process.readAllStandardOutput(); });
        m_process.setProcessChannelMode(QProcess::MergedChannels);
#ifdef Q_OS_LINUX
        m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
#endif
        m_process.start(buildBinary("app/sim/vigil-sim"),
                        arguments + QStringList{QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--control-port"), QStringLiteral("0")});
        if (!m_process.waitForStarted(10'000))
            return false;
        const QString url = waitForOutput(QRegularExpression(QStringLiteral("listening on (ws://\\S+)")), 20'000);
        const QString control = waitForOutput(QRegularExpression(QStringLiteral("control endpoint on http://127.0.0.1:(\\d+)")), 20'000);
        m_url = QUrl(url).adjusted(QUrl::RemoveQuery).toString();
        m_controlPort = quint16(control.toUInt());
        return !url.isEmpty() && m_controlPort != 0;
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(10'000))
            m_process.kill();
        m_process.waitForFinished(5000);
    }

    QString url() const { return m_url; }
    const QByteArray &output() const { return m_output; }

    // The first capture of `re` in the output so far, waiting for it up to `timeoutMs` (empty if never).
    QString waitForOutput(const QRegularExpression &re, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        do {
            const auto m = re.match(QString::fromUtf8(m_output));
            if (m.hasMatch())
                return m.captured(1);
            QTest::qWait(20);
        } while (t.elapsed() < timeoutMs);
        return {};
    }

    // A blocking HTTP/1.0 request to the control endpoint; the JSON body of the answer (empty on failure).
    QJsonObject request(const QByteArray &method, const QByteArray &path, const QJsonObject &body = {})
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_controlPort);
        if (!socket.waitForConnected(10'000)) {
            qWarning() << "vigil-sim control endpoint unreachable:" << socket.errorString();
            return {};
        }
        const QByteArray payload = body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
        QByteArray head = method + ' ' + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n";
        if (!payload.isEmpty())
            head += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(payload.size()) + "\r\n";
        socket.write(head + "\r\n" + payload);
        // The server may keep the connection open after answering: the body ends at its Content-Length.
        QByteArray response;
        qsizetype split = -1;
        qsizetype length = -1;
        while (length < 0 || response.size() < split + 4 + length) {
            if (!socket.waitForReadyRead(10'000))
                break;
            response += socket.readAll();
            split = response.indexOf("\r\n\r\n");
            if (split >= 0 && length < 0) {
                static const QRegularExpression header(QStringLiteral("\r\ncontent-length:\\s*(\\d+)"), QRegularExpression::CaseInsensitiveOption);
                const auto m = header.match(QString::fromLatin1(response.left(split + 2)));
                length = m.hasMatch() ? m.captured(1).toLongLong() : -1;
                if (length < 0)
                    length = 1LL << 40; // no length: read until the server closes
            }
        }
        response += socket.readAll();
        return QJsonDocument::fromJson(split < 0 ? QByteArray() : response.mid(split + 4)).object();
    }

    // GET /stats: the first (here: the only) account's statistics.
    QJsonObject accountStats()
    {
        const QJsonArray accounts = request("GET", "/stats").value(QLatin1String("accounts")).toArray();
        return accounts.isEmpty() ? QJsonObject() : accounts.first().toObject();
    }

private:
    QProcess m_process;
    QByteArray m_output;
    QString m_url;
    quint16 m_controlPort = 0;
};

} // namespace Vigil::Test
