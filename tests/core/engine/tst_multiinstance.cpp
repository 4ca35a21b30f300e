// SPDX-License-Identifier: GPL-3.0-or-later
// Several vigil-headless processes on one Deriv account, coordinated through a real redis-server:
// the simulator (another process) counts how many buys of the account are in flight at once.
#include <csignal>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

#ifndef VIGIL_MULTI_CYCLES
#define VIGIL_MULTI_CYCLES 600
#endif

namespace {
QString binary(const char *relative)
{
    return QDir(qEnvironmentVariable("VIGIL_TEST_BINARY_DIR")).filePath(QString::fromLatin1(relative));
}

quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

// The simulator's output is drained all the time (a full pipe would freeze it); this waits for a line.
QString waitForLine(const QByteArray &buffer, const QRegularExpression &re, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        const auto m = re.match(QString::fromUtf8(buffer));
        if (m.hasMatch())
            return m.captured(1);
        QTest::qWait(20);
    }
    return {};
}
} // namespace

class TestMultiInstance final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void neverMoreThanOneBuyInFlight();
    void redisDownMeansNoBuyThenResumes();

private:
    bool startRedis();
    void stopRedis();
    QJsonObject simStats();
    QList<QProcess *> startRunners(int n, const QString &tag);
    QString writeConfig(const QString &instance);
    void stopRunners(QList<QProcess *> &runners);

    QTemporaryDir m_dir;
    QString m_redisServer;
    quint16 m_redisPort = 0;
    QProcess m_redis; // its output goes to /dev/null: nobody reads it
    QProcess m_sim;
    QByteArray m_simOutput;
    QString m_simUrl;
    quint16 m_controlPort = 0;
};

bool TestMultiInstance::startRedis()
{
    m_redis.setStandardOutputFile(QProcess::nullDevice());
    m_redis.setStandardErrorFile(QProcess::nullDevice());
    m_redis.start(m_redisServer, {u"--bind"_s, u"127.0.0.1"_s, u"--port"_s, QString::number(m_redisPort), u"--save"_s,
                                  u""_s, u"--appendonly"_s, u"no"_s, u"--dir"_s, m_dir.path()});
    if (!m_redis.waitForStarted(5000))
        return false;
    for (int i = 0; i < 100; ++i) {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, m_redisPort);
        if (probe.waitForConnected(100))
            return true;
        QTest::qWait(50);
    }
    return false;
}

void TestMultiInstance::stopRedis()
{
    m_redis.kill();
    m_redis.waitForFinished(5000);
}

void TestMultiInstance::initTestCase()
{
    m_redisServer = QStandardPaths::findExecutable(u"redis-server"_s);
    if (m_redisServer.isEmpty())
        QSKIP("redis-server is not installed (apt-get install redis-server): the cross-instance tests need a real Redis");
    QVERIFY(QFile::exists(binary("app/headless/vigil-headless")));
    m_redisPort = freePort();
    QVERIFY(startRedis());

    // One simulator for every instance; each buy takes 30 ms inside it so overlapping buys would show.
    m_controlPort = freePort();
    m_sim.setProcessChannelMode(QProcess::MergedChannels);
    connect(&m_sim, &QProcess::readyReadStandardOutput, this, [this] { m_simOutput += m_sim.readAllStandardOutput(); });
    m_sim.start(binary("app/sim/vigil-sim"), {u"--port"_s, u"0"_s, u"--token"_s, u"MultiTok12345"_s, u"--time-scale"_s,
                                              u"20"_s, u"--no-rate-limit"_s, u"--quiet"_s, u"--control-port"_s,
                                              QString::number(m_controlPort), u"--fault"_s, u"buy_delay:ms=30"_s});
    m_simUrl = waitForLine(m_simOutput, QRegularExpression(u"listening on (ws://\\S+)"_s), 10000);
    QVERIFY(!m_simUrl.isEmpty());
    m_simUrl = QUrl(m_simUrl).adjusted(QUrl::RemoveQuery).toString();
    QVERIFY(!waitForLine(m_simOutput, QRegularExpression(u"control endpoint on (http://\\S+)"_s), 10000).isEmpty());

}

QString TestMultiInstance::writeConfig(const QString &instance)
{
    // Bots of its own in each instance (a bot configured in several would run in one of them only: its run lease).
    QFile config(m_dir.filePath(u"bots-%1.json"_s.arg(instance)));
    if (!config.open(QIODevice::WriteOnly))
        return {};
    config.write(QByteArray(R"({"accounts": [{"id": "shared", "token": {"env": "VIGIL_MULTI_TOKEN"},
                                    "limits": {"max_trades_per_day": 100000, "max_concurrent_open": 100, "daily_loss_bp": 10000}}],
      "bots": [
        {"id": "%1-a", "account": "shared", "strategy": {"symbol": "1HZ100V", "contract_type": "CALL", "duration": 1, "duration_unit": "t", "stake": "0.35"}},
        {"id": "%1-b", "account": "shared", "strategy": {"symbol": "1HZ100V", "contract_type": "PUT", "duration": 1, "duration_unit": "t", "stake": "0.35"}},
        {"id": "%1-c", "account": "shared", "strategy": {"symbol": "1HZ50V", "contract_type": "CALL", "duration": 1, "duration_unit": "t", "stake": "0.35"}}]})")
                     .replace("%1", instance.toUtf8()));
    return config.fileName();
}

void TestMultiInstance::cleanupTestCase()
{
    if (m_sim.state() != QProcess::NotRunning) {
        m_sim.terminate();
        m_sim.waitForFinished(5000);
    }
    stopRedis();
}

QJsonObject TestMultiInstance::simStats()
{
    // A plain HTTP/1.0 GET on the simulator's control endpoint (blocking is fine on the test thread).
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_controlPort);
    if (!socket.waitForConnected(5000)) {
        qWarning() << "control endpoint unreachable:" << socket.errorString();
        return {};
    }
    socket.write("GET /stats HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray response;
    while (socket.state() == QAbstractSocket::ConnectedState && socket.waitForReadyRead(5000))
        response += socket.readAll();
    response += socket.readAll();
    const qsizetype body = response.indexOf("\r\n\r\n");
    const QJsonObject stats = QJsonDocument::fromJson(body < 0 ? QByteArray() : response.mid(body + 4)).object();
    for (const QJsonValue &a : stats.value(u"accounts"_s).toArray())
        return a.toObject(); // one account
    return {};
}

QList<QProcess *> TestMultiInstance::startRunners(int n, const QString &tag)
{
    QList<QProcess *> runners;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"VIGIL_MULTI_TOKEN"_s, u"MultiTok12345"_s);
    for (int i = 0; i < n; ++i) {
        auto *p = new QProcess(this);
        QProcessEnvironment e = env;
        e.insert(u"XDG_DATA_HOME"_s, m_dir.filePath(u"xdg-%1-%2"_s.arg(tag).arg(i)));
        p->setProcessEnvironment(e);
        p->setProcessChannelMode(QProcess::MergedChannels);
        p->setStandardOutputFile(m_dir.filePath(u"runner-%1-%2.log"_s.arg(tag).arg(i)));
        // Every instance its own journal, as on separate machines; Redis is the only thing they share.
        p->start(binary("app/headless/vigil-headless"),
                 {u"--config"_s, writeConfig(u"%1-%2"_s.arg(tag).arg(i)), u"--endpoint"_s, m_simUrl, u"--app-id"_s, u"1089"_s,
                  u"--redis"_s, u"redis://127.0.0.1:%1"_s.arg(m_redisPort), u"--instance"_s, u"%1-%2"_s.arg(tag).arg(i),
                  u"--db"_s, m_dir.filePath(u"journal-%1-%2.db"_s.arg(tag).arg(i)), u"--status-interval"_s, u"0"_s});
        runners << p;
    }
    return runners;
}

void TestMultiInstance::stopRunners(QList<QProcess *> &runners)
{
    for (QProcess *p : runners)
        p->terminate();
    for (QProcess *p : runners) {
        p->waitForFinished(20000);
        delete p;
    }
    runners.clear();
}

void TestMultiInstance::neverMoreThanOneBuyInFlight()
{
    const int before = simStats().value(u"buys_received"_s).toInt();
    QList<QProcess *> runners = startRunners(3, u"race"_s);
    // Until well over a thousand trading cycles have reached the server.
    QTRY_VERIFY_WITH_TIMEOUT(simStats().value(u"buys_received"_s).toInt() - before >= VIGIL_MULTI_CYCLES, 600000);
    const QJsonObject stats = simStats();
    stopRunners(runners);
    qInfo() << "buys received:" << stats.value(u"buys_received"_s).toInt() - before
            << "max in flight:" << stats.value(u"max_buys_in_flight"_s).toInt();
    QCOMPARE(stats.value(u"max_buys_in_flight"_s).toInt(), 1);
}

void TestMultiInstance::redisDownMeansNoBuyThenResumes()
{
    QList<QProcess *> runners = startRunners(2, u"down"_s);
    const int start = simStats().value(u"buys_received"_s).toInt();
    QTRY_VERIFY_WITH_TIMEOUT(simStats().value(u"buys_received"_s).toInt() - start >= 20, 60000);

    stopRedis();
    QTest::qWait(1500); // a buy already on the wire when Redis died may still land
    const int frozen = simStats().value(u"buys_received"_s).toInt();
    QTest::qWait(4000);
    QCOMPARE(simStats().value(u"buys_received"_s).toInt(), frozen); // fail closed: nothing without coordination

    QVERIFY(startRedis());
    QTRY_VERIFY_WITH_TIMEOUT(simStats().value(u"buys_received"_s).toInt() > frozen + 5, 60000); // resumes by itself
    stopRunners(runners);
    QCOMPARE(simStats().value(u"max_buys_in_flight"_s).toInt(), 1);
}

int main(int argc, char *argv[])
{
    // Hundreds of real trading cycles across three processes take minutes on a loaded 2-core machine:
    // give each test function more than QTest's default five.
    qputenv("QTEST_FUNCTION_TIMEOUT", "900000");
    QCoreApplication app(argc, argv);
    TestMultiInstance test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_multiinstance.moc"
