// SPDX-License-Identifier: GPL-3.0-or-later
// Token redaction across every file Vigil writes: vigil-headless runs against vigil-sim with a distinctive
// API token handed over through an environment variable named in its config, in fresh HOME/XDG/TMPDIR and
// journal directories. The simulator is made to fail in every way that makes Vigil log context (buy errors,
// rate limits, a lost buy reply, dropped sockets, malformed frames, an error on authorize itself), then the
// token is deleted so InvalidToken arrives. Afterwards every byte Vigil wrote (logs, journal, its WAL/SHM,
// lock and instance files, stdout, stderr) is searched for the token, raw and encoded: zero hits.
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include "support/simprocess.h"

using namespace Qt::StringLiterals;
using Vigil::Test::buildBinary;

namespace {
QByteArray randomToken()
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    QByteArray token;
    for (int i = 0; i < 32; ++i)
        token += alphabet[QRandomGenerator::global()->bounded(int(sizeof(alphabet) - 1))];
    return token;
}

// The token as it could end up in a file: raw, percent-encoded, UTF-16, and base64 (standard and URL-safe)
// at each of the three alignments it can have inside a longer encoded text (only the characters that
// depend on the token alone are kept).
QList<QPair<QString, QByteArray>> tokenForms(const QByteArray &token)
{
    QList<QPair<QString, QByteArray>> forms{{u"raw"_s, token},
                                            {u"percent-encoded"_s, QUrl::toPercentEncoding(QString::fromLatin1(token))},
                                            {u"percent-encoded all"_s, token.toPercentEncoding(QByteArray(), token)},
                                            {u"utf-16"_s, QByteArray(reinterpret_cast<const char *>(QString::fromLatin1(token).utf16()),
                                                                     token.size() * 2)}};
    for (int offset = 0; offset < 3; ++offset) {
        const QByteArray encoded = QByteArray(QByteArray(offset, 'x') + token).toBase64();
        const qsizetype from = (offset + 2) / 3 * 4;
        const qsizetype to = (offset + token.size()) / 3 * 4;
        const QByteArray part = encoded.mid(from, to - from);
        forms.append({u"base64+%1"_s.arg(offset), part});
        forms.append({u"base64url+%1"_s.arg(offset), QByteArray(part).replace('+', '-').replace('/', '_')});
    }
    return forms;
}
} // namespace

class TestTokenRedaction final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void noFileVigilWroteContainsTheToken();

private:
    void fault(const QJsonObject &rule);
    // Every file under the root that holds the token in any form ("path (form)"); counts what it read.
    QStringList filesWithToken(int *files, qint64 *bytes) const;
    bool outputMentions(const QByteArray &needle) const;

    QTemporaryDir m_root;
    QByteArray m_token;
    Vigil::Test::SimProcess m_sim;
};

void TestTokenRedaction::initTestCase()
{
    QVERIFY(m_root.isValid());
    QVERIFY(QFile::exists(buildBinary("app/headless/vigil-headless")));
    m_token = randomToken();
    // Rate limits stay on: Vigil paces itself, and a RateLimit rejection is one more error path.
    QVERIFY(m_sim.start({u"--token"_s, QString::fromLatin1(m_token), u"--time-scale"_s, u"20"_s, u"--quiet"_s}));
}

void TestTokenRedaction::fault(const QJsonObject &rule)
{
    const QJsonObject answer = m_sim.request("POST", "/faults", rule);
    QVERIFY2(answer.contains(u"id"_s), QJsonDocument(rule).toJson(QJsonDocument::Compact).constData());
}

bool TestTokenRedaction::outputMentions(const QByteArray &needle) const
{
    for (const char *name : {"out/stdout.log", "out/stderr.log"}) {
        QFile f(m_root.filePath(QString::fromLatin1(name)));
        if (f.open(QIODevice::ReadOnly) && f.readAll().contains(needle))
            return true;
    }
    return false;
}

QStringList TestTokenRedaction::filesWithToken(int *files, qint64 *bytes) const
{
    const auto forms = tokenForms(m_token);
    QStringList hits;
    *files = 0;
    *bytes = 0;
    QDirIterator it(m_root.path(), QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (!it.fileInfo().isFile() || it.fileInfo().isSymLink())
            continue; // the control socket, links: nothing stored in them
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            hits << path + u" (unreadable: "_s + f.errorString() + u')';
            continue;
        }
        const QByteArray content = f.readAll();
        *files += 1;
        *bytes += content.size();
        for (const auto &[name, form] : forms) {
            if (content.contains(form))
                hits << u"%1 (%2)"_s.arg(QDir(m_root.path()).relativeFilePath(path), name);
        }
    }
    return hits;
}

void TestTokenRedaction::noFileVigilWroteContainsTheToken()
{
    // Everything the runner may write lives under m_root: a fresh home, XDG dirs, TMPDIR, journal directory.
    const QStringList dirs{u"home"_s, u"xdg/data"_s, u"xdg/config"_s, u"xdg/cache"_s, u"xdg/state"_s, u"xdg/runtime"_s,
                           u"tmp"_s, u"data"_s, u"out"_s};
    for (const QString &d : dirs)
        QVERIFY(QDir().mkpath(m_root.filePath(d)));
    QVERIFY(QFile::setPermissions(m_root.filePath(u"xdg/runtime"_s), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));

    QFile config(m_root.filePath(u"data/bots.json"_s));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(QJsonDocument(QJsonObject{
        {u"accounts"_s, QJsonArray{QJsonObject{
            {u"id"_s, u"main"_s},
            {u"token"_s, QJsonObject{{u"env"_s, u"VIGIL_REDACTION_TOKEN"_s}}},
            {u"limits"_s, QJsonObject{{u"max_trades_per_day"_s, 100000}, {u"max_concurrent_open"_s, 100}, {u"daily_loss_bp"_s, 10000}}}}}},
        {u"bots"_s, QJsonArray{QJsonObject{
            {u"id"_s, u"probe"_s}, {u"account"_s, u"main"_s},
            {u"strategy"_s, QJsonObject{{u"symbol"_s, u"1HZ100V"_s}, {u"contract_type"_s, u"CALL"_s}, {u"duration"_s, 1},
                                        {u"duration_unit"_s, u"t"_s}, {u"stake"_s, u"0.35"_s}}}}}}})
                     .toJson());
    config.close();

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"VIGIL_REDACTION_TOKEN"_s, QString::fromLatin1(m_token));
    env.insert(u"HOME"_s, m_root.filePath(u"home"_s));
    env.insert(u"XDG_DATA_HOME"_s, m_root.filePath(u"xdg/data"_s));
    env.insert(u"XDG_CONFIG_HOME"_s, m_root.filePath(u"xdg/config"_s));
    env.insert(u"XDG_CACHE_HOME"_s, m_root.filePath(u"xdg/cache"_s));
    env.insert(u"XDG_STATE_HOME"_s, m_root.filePath(u"xdg/state"_s));
    env.insert(u"XDG_RUNTIME_DIR"_s, m_root.filePath(u"xdg/runtime"_s));
    env.insert(u"TMPDIR"_s, m_root.filePath(u"tmp"_s));
    // Debug output on, so the logging paths that are normally silent run too.
    env.insert(u"QT_LOGGING_RULES"_s, u"vigil.*=true"_s);
    QProcess runner;
    runner.setProcessEnvironment(env);
    runner.setStandardOutputFile(m_root.filePath(u"out/stdout.log"_s));
    runner.setStandardErrorFile(m_root.filePath(u"out/stderr.log"_s));
    const QStringList arguments{u"--config"_s, m_root.filePath(u"data/bots.json"_s), u"--endpoint"_s, m_sim.url(),
                                u"--app-id"_s, u"1089"_s, u"--db"_s, m_root.filePath(u"data/journal.db"_s),
                                u"--instance"_s, u"redaction"_s, u"--status-interval"_s, u"1"_s};
    for (const QString &a : arguments)
        QVERIFY2(!a.toLatin1().contains(m_token), "the token must not be on the command line");
    runner.start(buildBinary("app/headless/vigil-headless"), arguments);
    QVERIFY(runner.waitForStarted(10'000));
    auto stop = qScopeGuard([&runner, this] {
        runner.terminate();
        if (!runner.waitForFinished(30'000))
            runner.kill();
        runner.waitForFinished(5000);
        QFile out(m_root.filePath(u"out/stdout.log"_s));
        if (!out.open(QIODevice::ReadOnly))
            return;
        QByteArrayList events; // the status lines once a second would hide them
        for (const QByteArray &line : out.readAll().split('\n')) {
            if (!line.contains(" STATUS "))
                events << line;
        }
        qInfo().noquote() << "vigil-headless wrote (last events):\n" << events.mid(qMax<qsizetype>(0, events.size() - 40)).join('\n');
    });

    auto buys = [this] { return m_sim.accountStats().value(u"buys_received"_s).toInt(); };
    // Trading goes on between the faults: each one hits a live session.
    auto afterBuys = [&](int more) {
        const int target = buys() + more;
        return QTest::qWaitFor([&] { return buys() >= target; }, 120'000);
    };
    QVERIFY(afterBuys(2));
    // Broker rejections of the buy, a rate limit, and a buy whose reply is lost (the buy happens).
    fault({{u"action"_s, u"error"_s}, {u"call"_s, u"buy"_s}, {u"code"_s, u"PriceMoved"_s},
           {u"message"_s, u"The underlying market has moved too much since you priced the contract."_s}, {u"times"_s, 2}});
    fault({{u"action"_s, u"error"_s}, {u"call"_s, u"buy"_s}, {u"code"_s, u"RateLimit"_s},
           {u"message"_s, u"You have reached the rate limit for buy."_s}, {u"times"_s, 1}});
    QVERIFY(afterBuys(3));
    fault({{u"action"_s, u"drop_on_call"_s}, {u"call"_s, u"buy"_s}, {u"apply"_s, true}, {u"times"_s, 1}});
    QVERIFY(afterBuys(1));
    // A malformed frame, then a dropped socket while authorize itself fails once.
    fault({{u"action"_s, u"malformed"_s}, {u"kind"_s, u"wrong_types"_s}, {u"call"_s, u"buy"_s}, {u"times"_s, 1}});
    QVERIFY(afterBuys(2));
    fault({{u"action"_s, u"error"_s}, {u"call"_s, u"authorize"_s}, {u"code"_s, u"RateLimit"_s},
           {u"message"_s, u"You have reached the rate limit for authorize."_s}, {u"times"_s, 1}});
    const QJsonObject dropped = m_sim.request("POST", "/faults", {{u"action"_s, u"drop"_s}});
    QVERIFY(dropped.contains(u"id"_s));
    QTest::qWait(1000);
    (void)m_sim.request("POST", "/faults", {{u"action"_s, u"malformed"_s}, {u"kind"_s, u"not_json"_s}});
    QVERIFY(afterBuys(2)); // reconnected, re-authorized and trading again
    QVERIFY(m_sim.request("GET", "/stats").value(u"connections_opened"_s).toInt() >= 2);

    // The token is deleted on the server: a live session and the next authorize get InvalidToken.
    QCOMPARE(m_sim.request("POST", "/tokens/delete", {{u"token"_s, QString::fromLatin1(m_token)}}).value(u"deleted"_s).toInt(), 1);
    (void)m_sim.request("POST", "/faults", {{u"action"_s, u"drop"_s}});
    QTRY_VERIFY_WITH_TIMEOUT(outputMentions("InvalidToken"), 60'000);
    QTest::qWait(3000); // let it log whatever it logs after that
    QVERIFY(runner.state() == QProcess::Running);
    // Once while it runs (the journal's -wal and -shm files exist only then), once after it exited.
    int files = 0;
    qint64 bytes = 0;
    QStringList hits = filesWithToken(&files, &bytes);
    QVERIFY2(QFile::exists(m_root.filePath(u"data/journal.db-wal"_s)), "no journal WAL while running");
    qInfo() << "while running: searched" << files << "files," << bytes << "bytes";
    QVERIFY2(hits.isEmpty(), qPrintable(u"the token was written to: "_s + hits.join(u", "_s)));
    stop.dismiss();
    runner.terminate();
    QVERIFY(runner.waitForFinished(60'000));

    // What Vigil wrote must exist, or the search proves nothing.
    QStringList written;
    QDirIterator it(m_root.path(), QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext())
        written << QDir(m_root.path()).relativeFilePath(it.next());
    for (const QString &expected : {u"data/journal.db"_s, u"out/stdout.log"_s})
        QVERIFY2(written.contains(expected), qPrintable(expected));
    QVERIFY2(std::any_of(written.cbegin(), written.cend(), [](const QString &f) { return f.startsWith(u"xdg/data/"_s) && f.endsWith(u".log"_s); }),
             "no JSON log under XDG_DATA_HOME");
    QVERIFY(outputMentions("PriceMoved"));

    hits = filesWithToken(&files, &bytes);
    qInfo().noquote() << "after exit: searched" << files << "files," << bytes << "bytes:" << written.join(u", "_s);
    QVERIFY2(hits.isEmpty(), qPrintable(u"the token was written to: "_s + hits.join(u", "_s)));
}

int main(int argc, char *argv[])
{
    qputenv("QTEST_FUNCTION_TIMEOUT", "900000");
    QCoreApplication app(argc, argv);
    TestTokenRedaction test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_tokenredaction.moc"
