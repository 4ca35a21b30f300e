// SPDX-License-Identifier: GPL-3.0-or-later
#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

#include "snapshotbuilder.h"
#include "ui/eventlogmodel.h"

using namespace Vigil;

class TestEventLogModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appendsABatchAsOneInsertion();
    void dropsTheOldestBeyondCapacity();
    void detailsCarryTheFullContext();
};

void TestEventLogModel::appendsABatchAsOneInsertion()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.append({Test::event(EngineEvent::Kind::TradeOpened, EngineEvent::Level::Info, QStringLiteral("bought")),
                  Test::event(EngineEvent::Kind::TradeClosed, EngineEvent::Level::Info, QStringLiteral("won"))});
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, EventLogModel::MessageColumn).data().toString(), QStringLiteral("bought"));
    QCOMPARE(model.index(1, EventLogModel::KindColumn).data().toString(), QStringLiteral("trade_closed"));
    QCOMPARE(model.index(1, EventLogModel::LevelColumn).data().toString(), QStringLiteral("info"));
}

void TestEventLogModel::dropsTheOldestBeyondCapacity()
{
    EventLogModel model(3);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int i = 0; i < 2; ++i)
        model.append({Test::event(EngineEvent::Kind::General, EngineEvent::Level::Info, QString::number(i))});
    model.append({Test::event(EngineEvent::Kind::General, EngineEvent::Level::Info, QStringLiteral("2")),
                  Test::event(EngineEvent::Kind::General, EngineEvent::Level::Info, QStringLiteral("3"))});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.event(0).message, QStringLiteral("1"));
    QCOMPARE(model.event(2).message, QStringLiteral("3"));
    // A batch larger than the capacity keeps its newest events.
    QList<EngineEvent> many;
    for (int i = 10; i < 20; ++i)
        many.append(Test::event(EngineEvent::Kind::General, EngineEvent::Level::Info, QString::number(i)));
    model.append(many);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.event(0).message, QStringLiteral("17"));
    QCOMPARE(model.event(2).message, QStringLiteral("19"));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestEventLogModel::detailsCarryTheFullContext()
{
    EventLogModel model;
    EngineEvent e = Test::event(EngineEvent::Kind::BuyFailed, EngineEvent::Level::Error, QStringLiteral("buy refused"),
                                QStringLiteral("VRTC1"), QStringLiteral("r100"));
    e.details = QJsonObject{{QStringLiteral("code"), QStringLiteral("InsufficientBalance")}, {QStringLiteral("req_id"), 42}};
    model.append({e});
    const QString details = model.index(0, 0).data(EventLogModel::DetailsRole).toString();
    const QJsonObject parsed = QJsonDocument::fromJson(details.toUtf8()).object();
    QCOMPARE(parsed.value(QLatin1String("details")).toObject().value(QLatin1String("code")).toString(), QStringLiteral("InsufficientBalance"));
    QCOMPARE(parsed.value(QLatin1String("bot")).toString(), QStringLiteral("r100"));
    QCOMPARE(model.index(0, 0).data(EventLogModel::LevelRole).toInt(), int(EngineEvent::Level::Error));
    QVERIFY(model.index(0, 0).data(EventLogModel::SearchTextRole).toString().contains(QStringLiteral("buy refused")));
}

QTEST_MAIN(TestEventLogModel)
#include "tst_eventlogmodel.moc"
