// SPDX-License-Identifier: GPL-3.0-or-later
#include <QTest>

#include "accounts/envsecretstore.h"
#include "health/redactor.h"
#include "support/capturedresult.h"

using namespace Vigil;
using Vigil::Test::CapturedResult;

class TestEnvSecretStore final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void readsTheBoundVariable();
    void unboundKeyIsNotFound();
    void unsetVariableIsNotFoundAndNamed();
    void badVariableNames_data();
    void badVariableNames();
    void writeAndDeleteAreReadOnly();
};

void TestEnvSecretStore::readsTheBoundVariable()
{
    const QString secret = QStringLiteral("envTok5551234");
    qputenv("VIGIL_TEST_TOKEN_CR1", (secret + QStringLiteral("\n")).toUtf8());
    Redactor::forgetSecret(secret);
    EnvSecretStore store;
    QVERIFY(store.bind(QStringLiteral("token:CR1"), QStringLiteral("VIGIL_TEST_TOKEN_CR1")).ok());
    QCOMPARE(store.variableFor(QStringLiteral("token:CR1")), QStringLiteral("VIGIL_TEST_TOKEN_CR1"));
    QObject context;
    CapturedResult<Result<QString>> read;
    store.readSecret(QStringLiteral("token:CR1"), &context, read.callback());
    QVERIFY(!read.arrived());
    QTRY_VERIFY(read.arrived());
    QVERIFY(read.value().ok());
    QCOMPARE(read.value().value(), secret); // trailing newline trimmed
    QVERIFY(!Redactor::redact(secret).contains(secret));
    Redactor::forgetSecret(secret);
    qunsetenv("VIGIL_TEST_TOKEN_CR1");
}

void TestEnvSecretStore::unboundKeyIsNotFound()
{
    EnvSecretStore store;
    QObject context;
    CapturedResult<Result<QString>> read;
    store.readSecret(QStringLiteral("token:CR2"), &context, read.callback());
    QTRY_VERIFY(read.arrived());
    QCOMPARE(read.value().error().code, QString(SecretStore::NotFoundCode));
    QVERIFY(read.value().error().message.contains(QStringLiteral("No environment variable")));
}

void TestEnvSecretStore::unsetVariableIsNotFoundAndNamed()
{
    qunsetenv("VIGIL_TEST_TOKEN_UNSET");
    EnvSecretStore store;
    QVERIFY(store.bind(QStringLiteral("token:CR3"), QStringLiteral("VIGIL_TEST_TOKEN_UNSET")).ok());
    QObject context;
    CapturedResult<Result<QString>> read;
    store.readSecret(QStringLiteral("token:CR3"), &context, read.callback());
    QTRY_VERIFY(read.arrived());
    const Error e = read.value().error();
    QCOMPARE(e.code, QString(SecretStore::NotFoundCode));
    QVERIFY(e.message.contains(QStringLiteral("VIGIL_TEST_TOKEN_UNSET")));

    qputenv("VIGIL_TEST_TOKEN_UNSET", "   ");
    CapturedResult<Result<QString>> blank;
    store.readSecret(QStringLiteral("token:CR3"), &context, blank.callback());
    QTRY_VERIFY(blank.arrived());
    QCOMPARE(blank.value().error().code, QString(SecretStore::NotFoundCode));
    qunsetenv("VIGIL_TEST_TOKEN_UNSET");
}

void TestEnvSecretStore::badVariableNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("empty") << QString();
    QTest::newRow("leading-digit") << QStringLiteral("1TOKEN");
    QTest::newRow("dash") << QStringLiteral("MY-TOKEN");
    QTest::newRow("equals") << QStringLiteral("A=B");
    QTest::newRow("dollar") << QStringLiteral("$TOKEN");
    QTest::newRow("trailing-newline") << QStringLiteral("TOKEN\n");
}

void TestEnvSecretStore::badVariableNames()
{
    QFETCH(QString, name);
    EnvSecretStore store;
    const Result<void> r = store.bind(QStringLiteral("token:CR1"), name);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("InvalidVariableName"));
    QCOMPARE(r.error().kind, ErrorKind::Configuration);
    QVERIFY(store.variableFor(QStringLiteral("token:CR1")).isEmpty());
}

void TestEnvSecretStore::writeAndDeleteAreReadOnly()
{
    qputenv("VIGIL_TEST_TOKEN_RO", "envTokReadOnly1");
    EnvSecretStore store;
    QVERIFY(store.bind(QStringLiteral("token:CR4"), QStringLiteral("VIGIL_TEST_TOKEN_RO")).ok());
    QObject context;
    CapturedResult<Result<void>> written, deleted;
    store.writeSecret(QStringLiteral("token:CR4"), QStringLiteral("otherTok12345"), &context, written.callback());
    store.deleteSecret(QStringLiteral("token:CR4"), &context, deleted.callback());
    QTRY_VERIFY(written.arrived() && deleted.arrived());
    for (const Error &e : {written.value().error(), deleted.value().error()}) {
        QCOMPARE(e.code, QString(SecretStore::ReadOnlyCode));
        QVERIFY(e.message.contains(QStringLiteral("VIGIL_TEST_TOKEN_RO")));
    }
    // Still readable, unchanged.
    CapturedResult<Result<QString>> read;
    store.readSecret(QStringLiteral("token:CR4"), &context, read.callback());
    QTRY_VERIFY(read.arrived());
    QCOMPARE(read.value().value(), QStringLiteral("envTokReadOnly1"));
    qunsetenv("VIGIL_TEST_TOKEN_RO");
}

QTEST_GUILESS_MAIN(TestEnvSecretStore)
#include "tst_envsecretstore.moc"
