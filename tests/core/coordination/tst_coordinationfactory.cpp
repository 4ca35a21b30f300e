// SPDX-License-Identifier: GPL-3.0-or-later
#include <QTemporaryDir>
#include <QTest>

#include "coordination/coordinationfactory.h"
#include "support/resultcheck.h"

using namespace Vigil;

class TestCoordinationFactory final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void noUrlMeansThisMachineOnly();
    void urlMeansRedis();
    void badUrlIsAnErrorNotAFallback_data();
    void badUrlIsAnErrorNotAFallback();
};

void TestCoordinationFactory::noUrlMeansThisMachineOnly()
{
    QTemporaryDir dir;
    auto locks = CoordinationFactory::lockBackend(QStringLiteral("  "), InstanceIdentity(), dir.path());
    QVERIFY2(locks.ok(), Test::describe(locks));
    QCOMPARE(locks.value()->kind(), CoordinationBackendKind::File);
    auto store = CoordinationFactory::instanceStore(QString(), dir.path());
    QVERIFY(store.ok());
    QCOMPARE(store.value()->kind(), CoordinationBackendKind::File);
}

void TestCoordinationFactory::urlMeansRedis()
{
    // Nothing listens there: creating a backend does not connect; its first call would fail (Unavailable).
    auto locks = CoordinationFactory::lockBackend(QStringLiteral("redis://127.0.0.1:1/2"), InstanceIdentity());
    QVERIFY2(locks.ok(), Test::describe(locks));
    QCOMPARE(locks.value()->kind(), CoordinationBackendKind::Redis);
    QCOMPARE(locks.value()->ping().error().code, QStringLiteral("CoordinationUnavailable"));
    auto store = CoordinationFactory::instanceStore(QStringLiteral("redis://127.0.0.1:1"));
    QVERIFY(store.ok());
    QCOMPARE(store.value()->kind(), CoordinationBackendKind::Redis);
}

void TestCoordinationFactory::badUrlIsAnErrorNotAFallback_data()
{
    QTest::addColumn<QString>("url");
    QTest::newRow("typo in scheme") << QStringLiteral("redsi://10.0.0.2:6379");
    QTest::newRow("bad port") << QStringLiteral("redis://10.0.0.2:99999");
}

void TestCoordinationFactory::badUrlIsAnErrorNotAFallback()
{
    QFETCH(QString, url);
    auto locks = CoordinationFactory::lockBackend(url, InstanceIdentity());
    QVERIFY(!locks.ok());
    QCOMPARE(locks.error().code, QStringLiteral("InvalidRedisUrl"));
    auto store = CoordinationFactory::instanceStore(url);
    QVERIFY(!store.ok());
}

QTEST_APPLESS_MAIN(TestCoordinationFactory)
#include "tst_coordinationfactory.moc"
