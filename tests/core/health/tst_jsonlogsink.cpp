// SPDX-License-Identifier: GPL-3.0-or-later
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "health/jsonlogsink.h"
#include "health/logcategories.h"
#include "health/redactor.h"

using namespace Vigil;

class TestJsonLogSink final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void writesStructuredRedactedLines();
    void errorCarriesFullContext();
    void rotates();

private:
    static QList<QJsonObject> readLines(const QString &path);
};

QList<QJsonObject> TestJsonLogSink::readLines(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QList<QJsonObject> out;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError err{};
        const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
        if (err.error != QJsonParseError::NoError)
            return {};
        out << doc.object();
    }
    return out;
}

void TestJsonLogSink::writesStructuredRedactedLines()
{
    QTemporaryDir dir;
    JsonLogSink::Options o;
    o.directory = dir.path();
    o.instanceId = QStringLiteral("inst-1");
    o.echoToStderr = false;
    QVERIFY(JsonLogSink::install(o));
    Redactor::registerSecret(QStringLiteral("SuperSecretTok"));
    qCWarning(lcDeriv) << "sending" << R"({"authorize":"SuperSecretTok"})";
    qCInfo(lcEngine) << "plain SuperSecretTok text";
    JsonLogSink::uninstall();
    const auto lines = readLines(QDir(dir.path()).filePath(QStringLiteral("vigil.log")));
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines[0].value(QStringLiteral("category")).toString(), QStringLiteral("vigil.deriv"));
    QCOMPARE(lines[0].value(QStringLiteral("level")).toString(), QStringLiteral("warning"));
    QCOMPARE(lines[0].value(QStringLiteral("instance")).toString(), QStringLiteral("inst-1"));
    QVERIFY(lines[0].contains(QStringLiteral("ts")));
    QFile f(QDir(dir.path()).filePath(QStringLiteral("vigil.log")));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(!f.readAll().contains("SuperSecretTok"));
    Redactor::forgetSecret(QStringLiteral("SuperSecretTok"));
}

void TestJsonLogSink::errorCarriesFullContext()
{
    QTemporaryDir dir;
    JsonLogSink::Options o;
    o.directory = dir.path();
    o.echoToStderr = false;
    QVERIFY(JsonLogSink::install(o));
    Error e = Error::broker(QStringLiteral("InsufficientBalance"), QStringLiteral("Not enough"),
                            QJsonObject{{QStringLiteral("balance"), 1}});
    e.account = QStringLiteral("VRTC100");
    e.bot = QStringLiteral("bot-a");
    e.msgType = QStringLiteral("buy");
    e.reqId = 42;
    VIGIL_LOG_FAILURE(lcEngine, e);
    JsonLogSink::uninstall();
    const auto lines = readLines(QDir(dir.path()).filePath(QStringLiteral("vigil.log")));
    QCOMPARE(lines.size(), 1);
    const QJsonObject err = lines[0].value(QStringLiteral("error")).toObject();
    QCOMPARE(err.value(QStringLiteral("code")).toString(), QStringLiteral("InsufficientBalance"));
    QCOMPARE(err.value(QStringLiteral("account")).toString(), QStringLiteral("VRTC100"));
    QCOMPARE(err.value(QStringLiteral("bot")).toString(), QStringLiteral("bot-a"));
    QCOMPARE(err.value(QStringLiteral("msg_type")).toString(), QStringLiteral("buy"));
    QCOMPARE(err.value(QStringLiteral("req_id")).toInt(), 42);
    QVERIFY(lines[0].value(QStringLiteral("line")).toInt() > 0);
    QVERIFY(lines[0].value(QStringLiteral("file")).toString().endsWith(QStringLiteral("tst_jsonlogsink.cpp")));
    QVERIFY(!lines[0].value(QStringLiteral("stack")).toArray().isEmpty());
}

void TestJsonLogSink::rotates()
{
    QTemporaryDir dir;
    JsonLogSink::Options o;
    o.directory = dir.path();
    o.maxBytes = 2000;
    o.keepFiles = 3;
    o.echoToStderr = false;
    QVERIFY(JsonLogSink::install(o));
    for (int i = 0; i < 200; ++i)
        qCInfo(lcHealth) << "line" << i;
    JsonLogSink::uninstall();
    const QStringList files = QDir(dir.path()).entryList(QDir::Files);
    QCOMPARE(files.size(), 3);
    for (const QString &f : files)
        QVERIFY(QFileInfo(QDir(dir.path()).filePath(f)).size() < 4000);
}

QTEST_GUILESS_MAIN(TestJsonLogSink)
#include "tst_jsonlogsink.moc"
