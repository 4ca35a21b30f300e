// SPDX-License-Identifier: GPL-3.0-or-later
#include <QAbstractItemModelTester>
#include <QTableView>
#include <QTest>

#include "snapshotbuilder.h"
#include "ui/eventfilterproxy.h"
#include "ui/eventlogmodel.h"
#include "ui/logview.h"

using namespace Vigil;

class TestLogView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void levelFilter_data();
    void levelFilter();
    void searchIsCaseInsensitiveOverMessageAccountBotKind_data();
    void searchIsCaseInsensitiveOverMessageAccountBotKind();
    void selectingAnErrorShowsItsFullContext();

private:
    std::unique_ptr<EventLogModel> m_model;
};

void TestLogView::init()
{
    m_model = std::make_unique<EventLogModel>();
    EngineEvent error = Test::event(EngineEvent::Kind::BuyFailed, EngineEvent::Level::Error, QStringLiteral("Buy refused: InsufficientBalance"),
                                    QStringLiteral("VRTC1"), QStringLiteral("r100-rise"));
    error.details = QJsonObject{{QStringLiteral("code"), QStringLiteral("InsufficientBalance")},
                                {QStringLiteral("msg_type"), QStringLiteral("buy")}};
    m_model->append({Test::event(EngineEvent::Kind::TradeOpened, EngineEvent::Level::Info, QStringLiteral("bought R_100 CALL"),
                                 QStringLiteral("VRTC1"), QStringLiteral("r100-rise")),
                     Test::event(EngineEvent::Kind::LimitReached, EngineEvent::Level::Warning, QStringLiteral("daily loss reached"),
                                 QStringLiteral("CR9"), QString()),
                     error});
}

void TestLogView::levelFilter_data()
{
    QTest::addColumn<int>("minimum");
    QTest::addColumn<int>("visible");
    QTest::newRow("everything") << int(EngineEvent::Level::Info) << 3;
    QTest::newRow("warnings and errors") << int(EngineEvent::Level::Warning) << 2;
    QTest::newRow("errors only") << int(EngineEvent::Level::Error) << 1;
}

void TestLogView::levelFilter()
{
    QFETCH(int, minimum);
    QFETCH(int, visible);
    LogView view(m_model.get());
    QAbstractItemModelTester tester(view.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    view.setMinimumLevel(minimum);
    QCOMPARE(view.proxy()->rowCount(), visible);
    // New events go through the same filter.
    m_model->append({Test::event(EngineEvent::Kind::General, EngineEvent::Level::Info, QStringLiteral("later"))});
    QCOMPARE(view.proxy()->rowCount(), minimum == int(EngineEvent::Level::Info) ? visible + 1 : visible);
}

void TestLogView::searchIsCaseInsensitiveOverMessageAccountBotKind_data()
{
    QTest::addColumn<QString>("search");
    QTest::addColumn<int>("visible");
    QTest::newRow("message") << QStringLiteral("DAILY LOSS") << 1;
    QTest::newRow("account") << QStringLiteral("vrtc1") << 2;
    QTest::newRow("bot") << QStringLiteral("r100-rise") << 2;
    QTest::newRow("kind") << QStringLiteral("limit_reached") << 1;
    QTest::newRow("nothing") << QStringLiteral("no such text") << 0;
    QTest::newRow("blank is everything") << QStringLiteral("   ") << 3;
}

void TestLogView::searchIsCaseInsensitiveOverMessageAccountBotKind()
{
    QFETCH(QString, search);
    QFETCH(int, visible);
    LogView view(m_model.get());
    view.setSearchText(search);
    QCOMPARE(view.proxy()->rowCount(), visible);
}

void TestLogView::selectingAnErrorShowsItsFullContext()
{
    LogView view(m_model.get());
    view.setMinimumLevel(int(EngineEvent::Level::Error));
    QCOMPARE(view.proxy()->rowCount(), 1);
    QVERIFY(view.detailsText().isEmpty());
    view.selectRow(0);
    QVERIFY(view.detailsText().contains(QStringLiteral("\"code\": \"InsufficientBalance\"")));
    QVERIFY(view.detailsText().contains(QStringLiteral("\"msg_type\": \"buy\"")));
}

QTEST_MAIN(TestLogView)
#include "tst_logview.moc"
