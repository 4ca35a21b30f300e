// SPDX-License-Identifier: GPL-3.0-or-later
#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

#include "snapshotbuilder.h"
#include "ui/accountlabels.h"
#include "ui/eventlogmodel.h"

using namespace Vigil;

class TestEventLogModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appendsABatchAsOneInsertion();
    void dropsTheOldestBeyondCapacity();
    void detailsCarryTheFullContext();
    void anAccountHasOneNameWhicheverIdTheEventCarries();
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

// Events from before the login was known carry the configured id ("demo"), later ones the login id: the column
// names both the way the accounts table does, and the search finds either.
void TestEventLogModel::anAccountHasOneNameWhicheverIdTheEventCarries()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append({Test::event(EngineEvent::Kind::BotStateChanged, EngineEvent::Level::Info, QStringLiteral("starting"),
                              QStringLiteral("demo"), QStringLiteral("r100")),
                  Test::event(EngineEvent::Kind::TradeOpened, EngineEvent::Level::Info, QStringLiteral("bought"),
                              QStringLiteral("VRTC1000001"), QStringLiteral("r100")),
                  Test::event(EngineEvent::Kind::TradeOpened, EngineEvent::Level::Info, QStringLiteral("bought"),
                              QStringLiteral("CR42"), QStringLiteral("other"))});
    const auto account = [&model](int row) {
        return model.index(row, EventLogModel::AccountColumn).data().toString();
    };
    QCOMPARE(account(0), QStringLiteral("demo"));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    AccountSnapshot demo = Test::account(QStringLiteral("demo"));
    demo.loginId = QStringLiteral("VRTC1000001");
    model.setAccountLabels(AccountLabels::fromSnapshots({demo}));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(account(0), QStringLiteral("VRTC1000001 (demo)"));
    QCOMPARE(account(1), QStringLiteral("VRTC1000001 (demo)"));
    QCOMPARE(account(2), QStringLiteral("CR42")); // an account the console does not know keeps its id
    const QString search = model.index(0, 0).data(EventLogModel::SearchTextRole).toString();
    QVERIFY(search.contains(QStringLiteral("vrtc1000001")));
    QVERIFY(search.contains(QStringLiteral("demo")));
    model.setAccountLabels(AccountLabels::fromSnapshots({demo}));
    QCOMPARE(changed.size(), 1); // the same labels again change nothing
}

QTEST_MAIN(TestEventLogModel)
#include "tst_eventlogmodel.moc"
