// SPDX-License-Identifier: GPL-3.0-or-later
// Against a real Secret Service: run through run-with-keyring.sh (CTest does), which provides a private
// D-Bus session and an unlocked GNOME Keyring.
#include <memory>

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "accounts/tokenfingerprint.h"
#include "health/jsonlogsink.h"
#include "health/logcategories.h"
#include "health/redactor.h"
#include "keychain/keychainsecretstore.h"
#include "support/capturedresult.h"

using namespace Vigil;
using Vigil::Test::CapturedResult;

class TestKeychainSecretStore final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void writeReadDeleteRoundTrip();
    void readMissingIsNotFound();
    void deleteMissingSucceeds();
    void overwriteReplaces();
    void servicesAreSeparate();
    void storedInTheSecretServiceAndNowhereElse();
    void callableFromAWorkerThread();
    void storeMayBeDestroyedWithJobsRunning();
    void manyOperationsInFlight();
    void readTokenNeverReachesTheLog();

private:
    static Result<void> write(SecretStore &store, const QString &key, const QString &value);
    static Result<QString> read(SecretStore &store, const QString &key);
    static Result<void> remove(SecretStore &store, const QString &key);

    QString m_scratch;
};

Result<void> TestKeychainSecretStore::write(SecretStore &store, const QString &key, const QString &value)
{
    QObject context;
    CapturedResult<Result<void>> r;
    store.writeSecret(key, value, &context, r.callback());
    if (r.arrived())
        return Error::make(ErrorKind::Internal, QStringLiteral("Synchronous"), QStringLiteral("callback ran inside the call"));
    if (!QTest::qWaitFor([&] { return r.arrived(); }, 15000))
        return Error::make(ErrorKind::Timeout, QStringLiteral("TestTimeout"), QStringLiteral("no callback"));
    return r.value();
}

Result<QString> TestKeychainSecretStore::read(SecretStore &store, const QString &key)
{
    QObject context;
    CapturedResult<Result<QString>> r;
    store.readSecret(key, &context, r.callback());
    if (r.arrived())
        return Error::make(ErrorKind::Internal, QStringLiteral("Synchronous"), QStringLiteral("callback ran inside the call"));
    if (!QTest::qWaitFor([&] { return r.arrived(); }, 15000))
        return Error::make(ErrorKind::Timeout, QStringLiteral("TestTimeout"), QStringLiteral("no callback"));
    return r.value();
}

Result<void> TestKeychainSecretStore::remove(SecretStore &store, const QString &key)
{
    QObject context;
    CapturedResult<Result<void>> r;
    store.deleteSecret(key, &context, r.callback());
    if (!QTest::qWaitFor([&] { return r.arrived(); }, 15000))
        return Error::make(ErrorKind::Timeout, QStringLiteral("TestTimeout"), QStringLiteral("no callback"));
    return r.value();
}

static QString describe(const Result<void> &r)
{
    return r.ok() ? QString() : r.error().toString();
}
static QString describe(const Result<QString> &r)
{
    return r.ok() ? QString() : r.error().toString();
}

void TestKeychainSecretStore::initTestCase()
{
    m_scratch = qEnvironmentVariable("VIGIL_KEYRING_SCRATCH");
    if (m_scratch.isEmpty())
        QFAIL("Run this test through tests/core/keychain/run-with-keyring.sh (ctest -L keychain does): it needs a "
              "private D-Bus session with an unlocked GNOME Keyring.");
}

void TestKeychainSecretStore::writeReadDeleteRoundTrip()
{
    KeychainSecretStore store(QStringLiteral("VigilTest"));
    QCOMPARE(store.service(), QStringLiteral("VigilTest"));
    const Result<void> w = write(store, QStringLiteral("token:CR100"), QStringLiteral("kcRoundTrip0001"));
    QVERIFY2(w.ok(), qPrintable(describe(w)));
    const Result<QString> r = read(store, QStringLiteral("token:CR100"));
    QVERIFY2(r.ok(), qPrintable(describe(r)));
    QCOMPARE(r.value(), QStringLiteral("kcRoundTrip0001"));
    const Result<void> d = remove(store, QStringLiteral("token:CR100"));
    QVERIFY2(d.ok(), qPrintable(describe(d)));
    const Result<QString> gone = read(store, QStringLiteral("token:CR100"));
    QVERIFY(!gone.ok());
    QCOMPARE(gone.error().code, QString(SecretStore::NotFoundCode));
}

void TestKeychainSecretStore::readMissingIsNotFound()
{
    KeychainSecretStore store(QStringLiteral("VigilTest"));
    const Result<QString> r = read(store, QStringLiteral("token:CR404"));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QString(SecretStore::NotFoundCode));
}

void TestKeychainSecretStore::deleteMissingSucceeds()
{
    KeychainSecretStore store(QStringLiteral("VigilTest"));
    const Result<void> d = remove(store, QStringLiteral("token:never-written"));
    QVERIFY2(d.ok(), qPrintable(describe(d)));
}

void TestKeychainSecretStore::overwriteReplaces()
{
    KeychainSecretStore store(QStringLiteral("VigilTest"));
    QVERIFY(write(store, QStringLiteral("k"), QStringLiteral("first-secret")).ok());
    QVERIFY(write(store, QStringLiteral("k"), QStringLiteral("second-secret-é€")).ok());
    QCOMPARE(read(store, QStringLiteral("k")).value(), QStringLiteral("second-secret-é€"));
    QVERIFY(remove(store, QStringLiteral("k")).ok());
}

void TestKeychainSecretStore::servicesAreSeparate()
{
    KeychainSecretStore a(QStringLiteral("VigilTestA"));
    KeychainSecretStore b(QStringLiteral("VigilTestB"));
    QVERIFY(write(a, QStringLiteral("token:CR1"), QStringLiteral("secretOfServiceA")).ok());
    QCOMPARE(read(b, QStringLiteral("token:CR1")).error().code, QString(SecretStore::NotFoundCode));
    QVERIFY(write(b, QStringLiteral("token:CR1"), QStringLiteral("secretOfServiceB")).ok());
    QCOMPARE(read(a, QStringLiteral("token:CR1")).value(), QStringLiteral("secretOfServiceA"));
    QVERIFY(remove(b, QStringLiteral("token:CR1")).ok());
    QCOMPARE(read(a, QStringLiteral("token:CR1")).value(), QStringLiteral("secretOfServiceA"));
    QVERIFY(remove(a, QStringLiteral("token:CR1")).ok());
}

void TestKeychainSecretStore::storedInTheSecretServiceAndNowhereElse()
{
    const QString secret = QStringLiteral("kcWhereIsIt0042");
    KeychainSecretStore store; // default service "Vigil"
    QCOMPARE(store.service(), QStringLiteral("Vigil"));
    QVERIFY(write(store, QStringLiteral("token:CR42"), secret).ok());

    // Another Secret Service client sees it: it is really in the keyring.
    QProcess lookup;
    lookup.start(QStringLiteral("secret-tool"), {QStringLiteral("lookup"), QStringLiteral("server"), QStringLiteral("Vigil"),
                                                 QStringLiteral("user"), QStringLiteral("token:CR42")});
    QVERIFY2(lookup.waitForFinished(15000), "secret-tool (package libsecret-tools) did not run");
    QCOMPARE(lookup.exitCode(), 0);
    QCOMPARE(QString::fromUtf8(lookup.readAllStandardOutput()).trimmed(), secret);

    // And not in plain text anywhere under the session's HOME and XDG dirs (no insecure fallback, no QSettings).
    QDirIterator it(m_scratch, QDir::Files | QDir::Hidden | QDir::NoSymLinks, QDirIterator::Subdirectories);
    int files = 0;
    while (it.hasNext()) {
        QFile f(it.next());
        if (!f.open(QIODevice::ReadOnly))
            continue;
        ++files;
        QVERIFY2(!f.readAll().contains(secret.toUtf8()), qPrintable(f.fileName()));
    }
    QVERIFY(files > 0); // the keyring file itself is there (encrypted)
    for (const QString &dir : {qEnvironmentVariable("XDG_CONFIG_HOME"), QDir::homePath()})
        QVERIFY(!QFile::exists(QDir(dir).filePath(QStringLiteral("Vigil.conf"))));
    QVERIFY(remove(store, QStringLiteral("token:CR42")).ok());
}

void TestKeychainSecretStore::callableFromAWorkerThread()
{
    KeychainSecretStore store(QStringLiteral("VigilTest"));
    QVERIFY(write(store, QStringLiteral("token:CR7"), QStringLiteral("kcFromWorker0007")).ok());
    QThread worker;
    worker.setObjectName(QStringLiteral("account-thread"));
    worker.start();
    QObject workerContext;
    workerContext.moveToThread(&worker);
    CapturedResult<Result<QString>> r;
    QMetaObject::invokeMethod(
        &workerContext,
        [&store, &workerContext, cb = r.callback()] { store.readSecret(QStringLiteral("token:CR7"), &workerContext, cb); },
        Qt::QueuedConnection);
    QTRY_VERIFY_WITH_TIMEOUT(r.arrived(), 15000);
    QCOMPARE(r.thread(), &worker);
    QCOMPARE(r.value().value(), QStringLiteral("kcFromWorker0007"));
    worker.quit();
    QVERIFY(worker.wait(5000));
    QVERIFY(remove(store, QStringLiteral("token:CR7")).ok());
}

void TestKeychainSecretStore::storeMayBeDestroyedWithJobsRunning()
{
    auto store = std::make_unique<KeychainSecretStore>(QStringLiteral("VigilTest"));
    QObject context;
    CapturedResult<Result<void>> w;
    store->writeSecret(QStringLiteral("token:CR8"), QStringLiteral("kcOrphanJob0008"), &context, w.callback());
    store.reset();
    QTRY_VERIFY_WITH_TIMEOUT(w.arrived(), 15000);
    QVERIFY2(w.value().ok(), qPrintable(describe(w.value())));
    KeychainSecretStore again(QStringLiteral("VigilTest"));
    QCOMPARE(read(again, QStringLiteral("token:CR8")).value(), QStringLiteral("kcOrphanJob0008"));
    QVERIFY(remove(again, QStringLiteral("token:CR8")).ok());
}

void TestKeychainSecretStore::manyOperationsInFlight()
{
    KeychainSecretStore store(QStringLiteral("VigilTest"));
    QObject context;
    QList<CapturedResult<Result<void>>> writes(10);
    for (int i = 0; i < writes.size(); ++i)
        store.writeSecret(QStringLiteral("token:CR9%1").arg(i), QStringLiteral("kcMany%1secret").arg(i), &context,
                          writes[i].callback());
    for (const auto &w : writes) {
        QTRY_VERIFY_WITH_TIMEOUT(w.arrived(), 15000);
        QVERIFY(w.value().ok());
    }
    QList<CapturedResult<Result<QString>>> reads(10);
    for (int i = 0; i < reads.size(); ++i)
        store.readSecret(QStringLiteral("token:CR9%1").arg(i), &context, reads[i].callback());
    for (int i = 0; i < reads.size(); ++i) {
        QTRY_VERIFY_WITH_TIMEOUT(reads[i].arrived(), 15000);
        QCOMPARE(reads[i].value().value(), QStringLiteral("kcMany%1secret").arg(i));
        QCOMPARE(reads[i].calls(), 1);
    }
    for (int i = 0; i < reads.size(); ++i)
        QVERIFY(remove(store, QStringLiteral("token:CR9%1").arg(i)).ok());
}

void TestKeychainSecretStore::readTokenNeverReachesTheLog()
{
    const QString token = QStringLiteral("kcLogLeak0000099");
    QTemporaryDir logDir;
    JsonLogSink::Options o;
    o.directory = logDir.path();
    o.echoToStderr = false;
    QVERIFY(JsonLogSink::install(o));

    KeychainSecretStore store(QStringLiteral("VigilTest"));
    QVERIFY(write(store, QStringLiteral("token:CR99"), token).ok());
    Redactor::forgetSecret(token); // as after a restart: only the read can make it known again
    const Result<QString> r = read(store, QStringLiteral("token:CR99"));
    QVERIFY(r.ok());
    qWarning() << "marker-1 read token" << r.value();
    qCWarning(lcAccounts).noquote() << "marker-2 authorizing with" << r.value();
    qCInfo(lcDeriv).noquote() << "marker-3 sent" << (QStringLiteral(R"({"authorize":")") + r.value() + QStringLiteral("\"}"));
    qCritical("marker-4 %s", qPrintable(TokenFingerprint::of(r.value()) + u' ' + r.value()));
    JsonLogSink::uninstall();

    QFile log(QDir(logDir.path()).filePath(QStringLiteral("vigil.log")));
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QByteArray bytes = log.readAll();
    QCOMPARE(bytes.count("marker-"), 4);
    QCOMPARE(bytes.count(token.toUtf8()), 0);
    QVERIFY(remove(store, QStringLiteral("token:CR99")).ok());
    Redactor::forgetSecret(token);
}

QTEST_GUILESS_MAIN(TestKeychainSecretStore)
#include "tst_keychainsecretstore.moc"
