// SPDX-License-Identifier: GPL-3.0-or-later
// Secrets handed out by the stores must never reach the log file, even when code logs them by mistake.
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include "accounts/envsecretstore.h"
#include "accounts/memorysecretstore.h"
#include "accounts/sessionregistry.h"
#include "accounts/tokenvault.h"
#include "health/jsonlogsink.h"
#include "health/logcategories.h"
#include "health/redactor.h"
#include "support/capturedresult.h"

using namespace Vigil;
using Vigil::Test::CapturedResult;

class TestSecretRedaction final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void memoryStoreReadIsRedacted();
    void environmentReadIsRedacted();
    void tokenVaultRedactsBeforeTheProbeSeesTheToken();

private:
    QByteArray logBytes() const;
    void logCarelessly(const QString &secret);

    QTemporaryDir m_dir;
};

void TestSecretRedaction::init()
{
    QVERIFY(m_dir.isValid());
    QFile::remove(QDir(m_dir.path()).filePath(QStringLiteral("vigil.log")));
    JsonLogSink::Options o;
    o.directory = m_dir.path();
    o.echoToStderr = false;
    QVERIFY(JsonLogSink::install(o));
}

void TestSecretRedaction::cleanup()
{
    JsonLogSink::uninstall();
}

QByteArray TestSecretRedaction::logBytes() const
{
    QFile f(QDir(m_dir.path()).filePath(QStringLiteral("vigil.log")));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void TestSecretRedaction::logCarelessly(const QString &secret)
{
    qWarning() << "marker-plain token is" << secret;
    qCWarning(lcAccounts).noquote() << "marker-header Authorization: Bearer" << secret;
    qCInfo(lcDeriv).noquote() << "marker-frame" << QJsonDocument(QJsonObject{{QStringLiteral("authorize"), secret}}).toJson(QJsonDocument::Compact);
    qCritical("marker-printf %s", qPrintable(secret));
}

void TestSecretRedaction::memoryStoreReadIsRedacted()
{
    const QString secret = QStringLiteral("redactMemTok0001");
    MemorySecretStore store;
    QObject context;
    CapturedResult<Result<void>> written;
    store.writeSecret(QStringLiteral("token:CR1"), secret, &context, written.callback());
    QTRY_VERIFY(written.arrived());
    Redactor::forgetSecret(secret); // only the read may register it now

    CapturedResult<Result<QString>> read;
    store.readSecret(QStringLiteral("token:CR1"), &context, read.callback());
    QTRY_VERIFY(read.arrived());
    QCOMPARE(read.value().value(), secret);
    logCarelessly(read.value().value());

    const QByteArray log = logBytes();
    QCOMPARE(log.count("marker-"), 4); // the lines were written...
    QCOMPARE(log.count(secret.toUtf8()), 0); // ...without the token
    QVERIFY(log.contains("<redacted>"));
    Redactor::forgetSecret(secret);
}

void TestSecretRedaction::environmentReadIsRedacted()
{
    const QString secret = QStringLiteral("redactEnvTok0002");
    qputenv("VIGIL_TEST_REDACT_TOKEN", secret.toUtf8());
    EnvSecretStore store;
    QVERIFY(store.bind(QStringLiteral("token:CR2"), QStringLiteral("VIGIL_TEST_REDACT_TOKEN")).ok());
    QObject context;
    CapturedResult<Result<QString>> read;
    store.readSecret(QStringLiteral("token:CR2"), &context, read.callback());
    QTRY_VERIFY(read.arrived());
    logCarelessly(read.value().value());
    const QByteArray log = logBytes();
    QCOMPARE(log.count("marker-"), 4);
    QCOMPARE(log.count(secret.toUtf8()), 0);
    qunsetenv("VIGIL_TEST_REDACT_TOKEN");
    Redactor::forgetSecret(secret);
}

void TestSecretRedaction::tokenVaultRedactsBeforeTheProbeSeesTheToken()
{
    const QString secret = QStringLiteral("redactVaultTok03");
    MemorySecretStore store;
    SessionRegistry registry;
    TokenVault vault(store, registry, [this](const QString &token, TokenVault::AccountCallback done) {
        logCarelessly(token); // a careless client logging the frame it sends
        AccountInfo info;
        info.loginId = QStringLiteral("CR3");
        info.scopes = TokenScopes::of({TokenScopes::Scope::Read, TokenScopes::Scope::Trade});
        done(info);
    });
    CapturedResult<Result<AccountInfo>> added;
    QObject context;
    vault.addToken(secret, &context, added.callback());
    QTRY_VERIFY(added.arrived());
    QVERIFY(added.value().ok());
    CapturedResult<Result<QString>> token;
    vault.tokenFor(QStringLiteral("CR3"), &context, token.callback());
    QTRY_VERIFY(token.arrived());
    logCarelessly(token.value().value());
    const QByteArray log = logBytes();
    QCOMPARE(log.count("marker-"), 8);
    QCOMPARE(log.count(secret.toUtf8()), 0);
    Redactor::forgetSecret(secret);
}

QTEST_GUILESS_MAIN(TestSecretRedaction)
#include "tst_secretredaction.moc"
