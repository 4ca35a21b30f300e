// SPDX-License-Identifier: GPL-3.0-or-later
#include <QComboBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include "engine/accountsnapshot.h"
#include "engine/engineevent.h"
#include "store/tradefilter.h"
#include "tradebuilder.h"
#include "ui/accountlabels.h"
#include "ui/tradesview.h"
#include "ui/tradetablemodel.h"

using namespace Vigil;

namespace {
// Answers like Engine::queryTrades: later, on the context's thread, filtered by status/limit as the journal would.
struct FakeJournal
{
    QList<Trade> trades;
    int calls = 0;

    TradesView::Source source()
    {
        return [this](const TradeFilter &filter, QObject *context, std::function<void(Result<QList<Trade>>)> done) {
            ++calls;
            QList<Trade> out;
            for (const Trade &t : std::as_const(trades)) {
                if (filter.statuses.isEmpty() || filter.statuses.contains(t.status))
                    out.append(t);
            }
            QTimer::singleShot(0, context, [done = std::move(done), out] { done(out); });
        };
    }
};

QStringList column(const QSortFilterProxyModel *proxy, int column)
{
    QStringList out;
    for (int row = 0; row < proxy->rowCount(); ++row)
        out << proxy->index(row, column).data().toString();
    return out;
}
} // namespace

class TestTradesView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void openAndHistoryAreSeparate();
    void filtersCombineAndSortIsNumeric();
    void tradeEventsAreBatchedIntoFewQueries();
    void accountsByTheirConsoleName();
};

void TestTradesView::openAndHistoryAreSeparate()
{
    FakeJournal journal;
    journal.trades = {Test::trade(1, QStringLiteral("a"), TradeStatus::Open), Test::trade(2, QStringLiteral("a"), TradeStatus::Won, 95),
                      Test::trade(3, QStringLiteral("b"), TradeStatus::Unknown), Test::trade(4, QStringLiteral("b"), TradeStatus::Failed)};
    TradesView view;
    QSignalSpy refreshed(&view, &TradesView::refreshed);
    view.setSource(journal.source());
    QVERIFY(refreshed.wait(5000));
    QCOMPARE(view.model()->rowCount(), 4);
    QCOMPARE(view.mode(), TradesView::Mode::Open);
    QStringList open = column(view.proxy(), TradeTableModel::ContractColumn);
    open.sort();
    QCOMPARE(open, (QStringList{QStringLiteral("5001"), QStringLiteral("5003")}));
    view.setMode(TradesView::Mode::History);
    QCOMPARE(view.proxy()->rowCount(), 2);
    QStringList history = column(view.proxy(), TradeTableModel::StatusColumn);
    history.sort();
    QCOMPARE(history, (QStringList{QStringLiteral("Failed"), QStringLiteral("Won")}));
}

void TestTradesView::filtersCombineAndSortIsNumeric()
{
    FakeJournal journal;
    journal.trades = {Test::trade(1, QStringLiteral("alpha"), TradeStatus::Won, 1000),
                      Test::trade(2, QStringLiteral("alpha"), TradeStatus::Lost, -100),
                      Test::trade(3, QStringLiteral("beta"), TradeStatus::Won, 200),
                      Test::trade(4, QStringLiteral("alpha"), TradeStatus::Won, 50, QStringLiteral("CR900")),
                      Test::trade(5, QStringLiteral("gamma"), TradeStatus::Open)};
    TradesView view;
    QSignalSpy refreshed(&view, &TradesView::refreshed);
    view.setSource(journal.source());
    QVERIFY(refreshed.wait(5000));
    view.setMode(TradesView::Mode::History);
    QCOMPARE(view.proxy()->rowCount(), 4);

    // Profit ascending: numbers, not text.
    view.table()->sortByColumn(TradeTableModel::ProfitColumn, Qt::AscendingOrder);
    QCOMPARE(column(view.proxy(), TradeTableModel::ProfitColumn),
             (QStringList{QStringLiteral("-1.00"), QStringLiteral("+0.50"), QStringLiteral("+2.00"), QStringLiteral("+10.00")}));

    view.searchField()->setText(QStringLiteral("ALPHA"));
    QCOMPARE(view.proxy()->rowCount(), 3);
    view.statusFilter()->setCurrentIndex(view.statusFilter()->findData(int(TradeStatus::Won)));
    QCOMPARE(view.proxy()->rowCount(), 2);
    const int cr = view.accountFilter()->findData(QStringLiteral("CR900"));
    QVERIFY2(cr > 0, "accounts seen in the journal are offered as filters");
    view.accountFilter()->setCurrentIndex(cr);
    QCOMPARE(view.proxy()->rowCount(), 1);
    QCOMPARE(view.proxy()->index(0, TradeTableModel::ContractColumn).data().toString(), QStringLiteral("5004"));
    // Search matches the contract id too; clearing everything shows all history again.
    view.accountFilter()->setCurrentIndex(0);
    view.statusFilter()->setCurrentIndex(0);
    view.searchField()->setText(QStringLiteral("5003"));
    QCOMPARE(view.proxy()->rowCount(), 1);
    view.searchField()->clear();
    QCOMPARE(view.proxy()->rowCount(), 4);
}

void TestTradesView::tradeEventsAreBatchedIntoFewQueries()
{
    FakeJournal journal;
    journal.trades = {Test::trade(1, QStringLiteral("a"), TradeStatus::Open)};
    TradesView view;
    QSignalSpy refreshed(&view, &TradesView::refreshed);
    view.setSource(journal.source());
    QVERIFY(refreshed.wait(5000));
    const int before = view.queriesSent();
    QCOMPARE(before, 1);

    // Other events do not query.
    EngineEvent other;
    other.kind = EngineEvent::Kind::BotStateChanged;
    view.onEvents({other});
    QTest::qWait(TradesView::RefreshDelayMs * 3);
    QCOMPARE(view.queriesSent(), before);

    // A burst of 200 trade events: one query (two at most, should the burst straddle a refresh).
    journal.trades.append(Test::trade(2, QStringLiteral("a"), TradeStatus::Open));
    EngineEvent opened;
    opened.kind = EngineEvent::Kind::TradeOpened;
    for (int i = 0; i < 200; ++i)
        view.onEvents({opened});
    QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 2, 5000);
    QTest::qWait(TradesView::RefreshDelayMs * 3);
    QVERIFY2(view.queriesSent() - before <= 2, qPrintable(QString::number(view.queriesSent() - before)));
    QVERIFY(view.queriesSent() > before);
}

// The journal has login ids; the table and the account filter name accounts as the accounts table does, and
// the filter still selects by login id.
void TestTradesView::accountsByTheirConsoleName()
{
    FakeJournal journal;
    journal.trades = {Test::trade(1, QStringLiteral("a"), TradeStatus::Open),
                      Test::trade(2, QStringLiteral("b"), TradeStatus::Open, 0, QStringLiteral("CR900"))};
    TradesView view;
    QSignalSpy refreshed(&view, &TradesView::refreshed);
    view.setSource(journal.source());
    QVERIFY(refreshed.wait(5000));
    const int demoRow = view.accountFilter()->findData(QStringLiteral("VRTC1000001"));
    QVERIFY(demoRow > 0);
    QCOMPARE(view.accountFilter()->itemText(demoRow), QStringLiteral("VRTC1000001"));

    AccountSnapshot demo;
    demo.id = QStringLiteral("demo");
    demo.loginId = QStringLiteral("VRTC1000001");
    view.setAccountLabels(AccountLabels::fromSnapshots({demo}));
    QCOMPARE(view.accountFilter()->itemText(demoRow), QStringLiteral("VRTC1000001 (demo)"));
    QCOMPARE(view.accountFilter()->itemText(view.accountFilter()->findData(QStringLiteral("CR900"))), QStringLiteral("CR900"));
    const QModelIndex account = view.model()->index(view.model()->rowOfLocalId(1), TradeTableModel::AccountColumn);
    QCOMPARE(account.data().toString(), QStringLiteral("VRTC1000001 (demo)"));
    view.accountFilter()->setCurrentIndex(demoRow);
    QCOMPARE(view.proxy()->rowCount(), 1);
    view.searchField()->setText(QStringLiteral("(demo)"));
    QCOMPARE(view.proxy()->rowCount(), 1);
}

QTEST_MAIN(TestTradesView)
#include "tst_tradesview.moc"
