// SPDX-License-Identifier: GPL-3.0-or-later
// Without any Secret Service (CTest points the session bus at a socket that does not exist): every
// operation fails with KeychainUnavailable, a message that says what to install, and nothing is stored
// anywhere else (no insecure fallback).
#include <QDir>
#include <QDirIterator>
#include <QTest>

#include "keychain/keychainsecretstore.h"
#include "support/capturedresult.h"

using namespace Vigil;
using Vigil::Test::CapturedResult;

class TestKeychainUnavailable final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void everyOperationSaysTheKeychainIsMissing();
};

void TestKeychainUnavailable::initTestCase()
{
    if (!qEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS").contains(QStringLiteral("vigil-no-such-bus")))
        QFAIL("Run through CTest: it points DBUS_SESSION_BUS_ADDRESS at a bus that does not exist.");
}

void TestKeychainUnavailable::everyOperationSaysTheKeychainIsMissing()
{
    KeychainSecretStore store(QStringLiteral("VigilTest"));
    QObject context;
    CapturedResult<Result<void>> written, deleted;
    CapturedResult<Result<QString>> read;
    store.writeSecret(QStringLiteral("token:CR1"), QStringLiteral("noKeychainTok01"), &context, written.callback());
    store.readSecret(QStringLiteral("token:CR1"), &context, read.callback());
    store.deleteSecret(QStringLiteral("token:CR1"), &context, deleted.callback());
    QTRY_VERIFY_WITH_TIMEOUT(written.arrived() && read.arrived() && deleted.arrived(), 30000);
    for (const Error &e : {written.value().error(), read.value().error(), deleted.value().error()}) {
        QCOMPARE(e.code, QString(SecretStore::UnavailableCode));
        QCOMPARE(e.kind, ErrorKind::Configuration);
        QVERIFY(e.message.contains(QStringLiteral("gnome-keyring")));
        QVERIFY(e.message.contains(QStringLiteral("environment variable")));
        QVERIFY(!e.details.value(QStringLiteral("backend")).toString().isEmpty());
    }
    // No plain-text fallback file appeared in the test's config/data dirs.
    for (const QString &var : {QStringLiteral("XDG_CONFIG_HOME"), QStringLiteral("XDG_DATA_HOME")}) {
        const QString dir = qEnvironmentVariable(var.toLatin1().constData());
        QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY2(!f.readAll().contains("noKeychainTok01"), qPrintable(f.fileName()));
        }
    }
}

QTEST_GUILESS_MAIN(TestKeychainUnavailable)
#include "tst_keychainunavailable.moc"
