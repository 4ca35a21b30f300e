// SPDX-License-Identifier: GPL-3.0-or-later
#include <memory>

#include <QTest>
#include <QThread>

#include "accounts/memorysecretstore.h"
#include "health/redactor.h"
#include "support/capturedresult.h"

using namespace Vigil;
using Vigil::Test::CapturedResult;

class TestMemorySecretStore final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void writeThenReadAsynchronously();
    void readMissingIsNotFound();
    void overwriteReplaces();
    void deleteRemovesAndIsIdempotent();
    void invalidKeyIsRefused_data();
    void invalidKeyIsRefused();
    void emptyValueIsRefused();
    void callbackRunsOnTheCallersThread();
    void callbackDroppedWhenContextDies();
    void storeMayDieBeforeDelivery();
    void failureInjection();
    void readAndWriteRegisterWithRedactor();
};

void TestMemorySecretStore::writeThenReadAsynchronously()
{
    MemorySecretStore store;
    QObject context;
    CapturedResult<Result<void>> written;
    store.writeSecret(QStringLiteral("token:CR100"), QStringLiteral("tokAAAA1111"), &context, written.callback());
    QVERIFY(!written.arrived()); // never inside the call
    QTRY_VERIFY(written.arrived());
    QVERIFY(written.value().ok());
    QCOMPARE(store.keys(), QStringList{QStringLiteral("token:CR100")});

    CapturedResult<Result<QString>> read;
    store.readSecret(QStringLiteral("token:CR100"), &context, read.callback());
    QVERIFY(!read.arrived());
    QTRY_VERIFY(read.arrived());
    QVERIFY(read.value().ok());
    QCOMPARE(read.value().value(), QStringLiteral("tokAAAA1111"));
    QCOMPARE(read.calls(), 1);
}

void TestMemorySecretStore::readMissingIsNotFound()
{
    MemorySecretStore store;
    QObject context;
    CapturedResult<Result<QString>> read;
    store.readSecret(QStringLiteral("token:CR404"), &context, read.callback());
    QTRY_VERIFY(read.arrived());
    QVERIFY(!read.value().ok());
    QCOMPARE(read.value().error().code, QString(SecretStore::NotFoundCode));
    QVERIFY(read.value().error().message.contains(QStringLiteral("token:CR404")));
}

void TestMemorySecretStore::overwriteReplaces()
{
    MemorySecretStore store;
    QObject context;
    CapturedResult<Result<void>> w1, w2;
    store.writeSecret(QStringLiteral("k"), QStringLiteral("first-value"), &context, w1.callback());
    store.writeSecret(QStringLiteral("k"), QStringLiteral("second-value"), &context, w2.callback());
    QTRY_VERIFY(w2.arrived());
    CapturedResult<Result<QString>> read;
    store.readSecret(QStringLiteral("k"), &context, read.callback());
    QTRY_VERIFY(read.arrived());
    QCOMPARE(read.value().value(), QStringLiteral("second-value"));
}

void TestMemorySecretStore::deleteRemovesAndIsIdempotent()
{
    MemorySecretStore store;
    QObject context;
    CapturedResult<Result<void>> w, d1, d2;
    store.writeSecret(QStringLiteral("k"), QStringLiteral("value-1234"), &context, w.callback());
    store.deleteSecret(QStringLiteral("k"), &context, d1.callback());
    store.deleteSecret(QStringLiteral("k"), &context, d2.callback());
    QTRY_VERIFY(d2.arrived());
    QVERIFY(d1.value().ok());
    QVERIFY(d2.value().ok());
    QVERIFY(!store.contains(QStringLiteral("k")));
    CapturedResult<Result<QString>> read;
    store.readSecret(QStringLiteral("k"), &context, read.callback());
    QTRY_VERIFY(read.arrived());
    QCOMPARE(read.value().error().code, QString(SecretStore::NotFoundCode));
}

void TestMemorySecretStore::invalidKeyIsRefused_data()
{
    QTest::addColumn<QString>("key");
    QTest::newRow("empty") << QString();
    QTest::newRow("space") << QStringLiteral("token: CR1");
    QTest::newRow("newline") << QStringLiteral("token:\nCR1");
    QTest::newRow("too-long") << QString(SecretStore::MaxKeyLength + 1, u'k');
}

void TestMemorySecretStore::invalidKeyIsRefused()
{
    QFETCH(QString, key);
    MemorySecretStore store;
    QObject context;
    CapturedResult<Result<QString>> read;
    CapturedResult<Result<void>> written, deleted;
    store.readSecret(key, &context, read.callback());
    store.writeSecret(key, QStringLiteral("value-1234"), &context, written.callback());
    store.deleteSecret(key, &context, deleted.callback());
    QVERIFY(!read.arrived());
    QTRY_VERIFY(deleted.arrived());
    QTRY_VERIFY(read.arrived() && written.arrived());
    for (const Error &e : {read.value().error(), written.value().error(), deleted.value().error()}) {
        QCOMPARE(e.code, QString(SecretStore::InvalidKeyCode));
        QCOMPARE(e.kind, ErrorKind::InvalidInput);
    }
    QCOMPARE(store.operationCount(), 0); // refused before reaching the backend
}

void TestMemorySecretStore::emptyValueIsRefused()
{
    MemorySecretStore store;
    QObject context;
    CapturedResult<Result<void>> written;
    store.writeSecret(QStringLiteral("k"), QString(), &context, written.callback());
    QTRY_VERIFY(written.arrived());
    QCOMPARE(written.value().error().code, QString(SecretStore::InvalidValueCode));
    QVERIFY(store.keys().isEmpty());
}

void TestMemorySecretStore::callbackRunsOnTheCallersThread()
{
    MemorySecretStore store;
    QObject context;
    CapturedResult<Result<void>> written;
    store.writeSecret(QStringLiteral("k"), QStringLiteral("value-on-main"), &context, written.callback());
    QTRY_VERIFY(written.arrived());

    QThread worker;
    worker.setObjectName(QStringLiteral("secret-caller"));
    worker.start();
    QObject workerContext;
    workerContext.moveToThread(&worker);
    CapturedResult<Result<QString>> read;
    QMetaObject::invokeMethod(
        &workerContext,
        [&store, &workerContext, cb = read.callback()] {
            store.readSecret(QStringLiteral("k"), &workerContext, cb);
        },
        Qt::QueuedConnection);
    QTRY_VERIFY(read.arrived());
    QCOMPARE(read.thread(), &worker);
    QCOMPARE(read.value().value(), QStringLiteral("value-on-main"));
    worker.quit();
    QVERIFY(worker.wait(5000));
}

void TestMemorySecretStore::callbackDroppedWhenContextDies()
{
    MemorySecretStore store;
    auto context = std::make_unique<QObject>();
    CapturedResult<Result<QString>> read;
    store.readSecret(QStringLiteral("k"), context.get(), read.callback());
    context.reset();
    QObject other;
    CapturedResult<Result<QString>> later; // delivered after the first would have been
    store.readSecret(QStringLiteral("k"), &other, later.callback());
    QTRY_VERIFY(later.arrived());
    QVERIFY(!read.arrived());
}

void TestMemorySecretStore::storeMayDieBeforeDelivery()
{
    auto store = std::make_unique<MemorySecretStore>();
    QObject context;
    CapturedResult<Result<void>> written;
    store->writeSecret(QStringLiteral("k"), QStringLiteral("value-1234"), &context, written.callback());
    store.reset();
    QTRY_VERIFY(written.arrived());
    QVERIFY(written.value().ok());
}

void TestMemorySecretStore::failureInjection()
{
    MemorySecretStore store;
    QObject context;
    store.failWith(SecretStore::unavailable(QStringLiteral("no bus")));
    CapturedResult<Result<void>> written;
    store.writeSecret(QStringLiteral("k"), QStringLiteral("value-1234"), &context, written.callback());
    QTRY_VERIFY(written.arrived());
    const Error e = written.value().error();
    QCOMPARE(e.code, QString(SecretStore::UnavailableCode));
    QCOMPARE(e.kind, ErrorKind::Configuration);
    QVERIFY(e.message.contains(QStringLiteral("gnome-keyring")));
    QVERIFY(e.message.contains(QStringLiteral("Secret Service")));
    QVERIFY(store.keys().isEmpty());

    store.failWith(std::nullopt);
    CapturedResult<Result<void>> again;
    store.writeSecret(QStringLiteral("k"), QStringLiteral("value-1234"), &context, again.callback());
    QTRY_VERIFY(again.arrived());
    QVERIFY(again.value().ok());
}

void TestMemorySecretStore::readAndWriteRegisterWithRedactor()
{
    const QString secret = QStringLiteral("memTokRedact987");
    MemorySecretStore store;
    QObject context;
    CapturedResult<Result<void>> written;
    store.writeSecret(QStringLiteral("k"), secret, &context, written.callback());
    QVERIFY(!Redactor::redact(secret).contains(secret)); // registered as it is written
    QTRY_VERIFY(written.arrived());

    Redactor::forgetSecret(secret);
    QVERIFY(Redactor::redact(secret).contains(secret));
    CapturedResult<Result<QString>> read;
    store.readSecret(QStringLiteral("k"), &context, read.callback());
    QTRY_VERIFY(read.arrived());
    QCOMPARE(read.value().value(), secret);
    QCOMPARE(Redactor::redact(QStringLiteral("tok=") + secret), QStringLiteral("tok=") + QString(Redactor::Mask));
    Redactor::forgetSecret(secret);
}

QTEST_GUILESS_MAIN(TestMemorySecretStore)
#include "tst_memorysecretstore.moc"
