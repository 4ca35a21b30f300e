// SPDX-License-Identifier: GPL-3.0-or-later
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTest>

#include "snapshotbuilder.h"
#include "ui/alertbanner.h"
#include "ui/alertcenter.h"

using namespace Vigil;

class TestAlertCenter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void onlyAlertsAreRaised_data();
    void onlyAlertsAreRaised();
    void withoutATrayTheBannerShowsThem();
};

void TestAlertCenter::onlyAlertsAreRaised_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("level");
    QTest::addColumn<bool>("alert");
    using K = EngineEvent::Kind;
    using L = EngineEvent::Level;
    QTest::newRow("trade opened") << int(K::TradeOpened) << int(L::Info) << false;
    QTest::newRow("limit reached") << int(K::LimitReached) << int(L::Warning) << true;
    QTest::newRow("breaker opened") << int(K::BreakerOpened) << int(L::Warning) << true;
    QTest::newRow("token revoked") << int(K::TokenRevoked) << int(L::Error) << true;
    QTest::newRow("discrepancy") << int(K::ReconcileDiscrepancy) << int(L::Warning) << true;
    QTest::newRow("stop finished") << int(K::EmergencyStopFinished) << int(L::Warning) << true;
    QTest::newRow("connection down") << int(K::ConnectionDown) << int(L::Warning) << true;
    QTest::newRow("lock lost") << int(K::LockLost) << int(L::Warning) << true;
    QTest::newRow("any error") << int(K::General) << int(L::Error) << true;
    QTest::newRow("general info") << int(K::General) << int(L::Info) << false;
}

void TestAlertCenter::onlyAlertsAreRaised()
{
    QFETCH(int, kind);
    QFETCH(int, level);
    QFETCH(bool, alert);
    AlertBanner banner;
    AlertCenter center(&banner);
    QSignalSpy raised(&center, &AlertCenter::alertRaised);
    QCOMPARE(center.post({Test::event(EngineEvent::Kind(kind), EngineEvent::Level(level), QStringLiteral("x"))}), alert ? 1 : 0);
    QCOMPARE(raised.count(), alert ? 1 : 0);
    QCOMPARE(!banner.isHidden(), alert);
}

void TestAlertCenter::withoutATrayTheBannerShowsThem()
{
    QVERIFY(!QSystemTrayIcon::isSystemTrayAvailable()); // offscreen: no tray
    AlertBanner banner;
    AlertCenter center(&banner);
    QVERIFY(!center.usesTray());
    center.post({Test::event(EngineEvent::Kind::TokenRevoked, EngineEvent::Level::Error, QStringLiteral("token revoked: InvalidToken")),
                 Test::event(EngineEvent::Kind::TradeOpened, EngineEvent::Level::Info, QStringLiteral("bought")),
                 Test::event(EngineEvent::Kind::ConnectionDown, EngineEvent::Level::Warning, QStringLiteral("connection lost"))});
    QVERIFY(!banner.isHidden());
    QCOMPARE(banner.pending(), 2);
    QVERIFY(banner.text().contains(QStringLiteral("connection lost")));
    QVERIFY(banner.text().contains(QStringLiteral("+1 more")));
    banner.dismiss();
    QVERIFY(banner.isHidden());
    QCOMPARE(banner.pending(), 0);
}

QTEST_MAIN(TestAlertCenter)
#include "tst_alertcenter.moc"
