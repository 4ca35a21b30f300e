// SPDX-License-Identifier: GPL-3.0-or-later
// The main window fed through the engine's own signals (the engine is not started): what the console shows
// and what its controls call. tst_emergencystopbutton drives a running engine.
#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDateTime>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include "engine/engine.h"
#include "risk/tradinggate.h"
#include "rearmconfirm.h"
#include "snapshotbuilder.h"
#include "ui/accounttablemodel.h"
#include "ui/alertbanner.h"
#include "ui/botdialog.h"
#include "ui/bottablemodel.h"
#include "ui/connectionstatus.h"
#include "ui/consolefeed.h"
#include "ui/consolesettings.h"
#include "ui/emergencystopdialog.h"
#include "ui/eventlogmodel.h"
#include "ui/haltbar.h"
#include "ui/limitspanel.h"
#include "ui/mainwindow.h"
#include "ui/modebanner.h"
#include "ui/reconcilereportmodel.h"

using namespace Vigil;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void rearmAsksAndCancelKeepsTheHalt();
    void cleanup();
    void revokedTokenShowsInTheTableAndRaisesTheBanner();
    void limitsPanelFollowsTheSnapshots();
    void buttonHaltsAtOnceWithoutAConfirmation();
    void shortcutTriggersTheEmergencyStop();
    void shortcutIsConfigurable();
    void perAccountStopHaltsOnlyThatAccount();
    void reportShowsWhatWasSoldAndWhatWasNot();
    void paperBannerIsShown();
    void connectionStatusCountsSeconds();
    void reconcileReportsAreListed();
    void addBotGoesToTheSettings();
    void coordinationStateIsInTheStatusBar();
    void haltedGateDisablesStartAndResume();
    void rearmRetiresTheStopAlert();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<ConsoleSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;
};

void TestMainWindow::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    Engine::Options options;
    options.dataDir = m_dir->path();
    options.instanceId = QStringLiteral("tst-mainwindow");
    m_engine = std::make_unique<Engine>(options);
    m_settings = std::make_unique<ConsoleSettings>(std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("vigil.ini")), QSettings::IniFormat));
    m_window = std::make_unique<MainWindow>(*m_engine, *m_settings);
    m_window->feed()->setInterval(20);
    const auto mode = QAbstractItemModelTester::FailureReportingMode::QtTest;
    m_testers.push_back(std::make_unique<QAbstractItemModelTester>(m_window->botModel(), mode));
    m_testers.push_back(std::make_unique<QAbstractItemModelTester>(m_window->accountModel(), mode));
    m_testers.push_back(std::make_unique<QAbstractItemModelTester>(m_window->eventModel(), mode));
    m_testers.push_back(std::make_unique<QAbstractItemModelTester>(m_window->reportModel(), mode));
    m_testers.push_back(std::make_unique<QAbstractItemModelTester>(m_window->botView()->model(), mode));
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestMainWindow::cleanup()
{
    m_testers.clear();
    m_window.reset();
    m_engine.reset();
    m_settings.reset();
    m_dir.reset();
}

void TestMainWindow::revokedTokenShowsInTheTableAndRaisesTheBanner()
{
    AccountSnapshot s = Test::account(QStringLiteral("demo"), {Test::bot(QStringLiteral("r100"), QStringLiteral("demo"))});
    Q_EMIT m_engine->accountUpdated(s);
    QTRY_COMPARE(m_window->botModel()->rowCount(), 1);
    QVERIFY(m_window->alertBanner()->isHidden());

    s.gate = QStringLiteral("halted");
    s.gateReason = QStringLiteral("token revoked");
    s.lastError = QStringLiteral("InvalidToken: The token is invalid.");
    s.bots.first().state = BotState::Halted;
    s.bots.first().reason = StateReason::halted(HaltReason::TokenRevoked, QStringLiteral("The token is invalid."), QStringLiteral("InvalidToken"));
    Q_EMIT m_engine->accountUpdated(s);
    Q_EMIT m_engine->eventRaised(Test::event(EngineEvent::Kind::TokenRevoked, EngineEvent::Level::Error,
                                             QStringLiteral("API token revoked (InvalidToken): bots halted"), s.loginId));

    const QModelIndex state = m_window->botModel()->index(0, BotTableModel::StateColumn);
    QTRY_COMPARE(state.data().toString(), QStringLiteral("Halted: API token revoked or not permitted"));
    const int accountRow = m_window->accountModel()->rowOf(QStringLiteral("demo"));
    QCOMPARE(m_window->accountModel()->index(accountRow, AccountTableModel::LastErrorColumn).data().toString(),
             QStringLiteral("InvalidToken: The token is invalid."));
    // No tray offscreen: the alert is an in-app banner.
    QTRY_VERIFY(!m_window->alertBanner()->isHidden());
    QVERIFY(m_window->alertBanner()->text().contains(QStringLiteral("API token revoked")));
    QVERIFY(m_window->windowTitle().contains(QStringLiteral("error")));
    QCOMPARE(m_window->eventModel()->rowCount(), 1);
    // The event carries the login id; the log names the account as the accounts table does.
    QCOMPARE(m_window->eventModel()->index(0, EventLogModel::AccountColumn).data().toString(),
             m_window->accountModel()->index(accountRow, AccountTableModel::AccountColumn).data().toString());
    QVERIFY(s.loginId != s.id);
}

void TestMainWindow::limitsPanelFollowsTheSnapshots()
{
    AccountSnapshot s = Test::account(QStringLiteral("demo"), {Test::bot(QStringLiteral("r100"), QStringLiteral("demo"))});
    s.limits.tradesToday = 12;
    Q_EMIT m_engine->accountUpdated(s);
    QTRY_VERIFY(m_window->limitsPanel(QStringLiteral("demo")));
    LimitsPanel *panel = m_window->limitsPanel(QStringLiteral("demo"));
    QCOMPARE(panel->tradesLevel(), LimitsPanel::Level::Ok);
    s.limits.tradesToday = 100;
    s.limits.exhausted = {QStringLiteral("LimitTradesPerDay")};
    Q_EMIT m_engine->accountUpdated(s);
    QTRY_COMPARE(panel->tradesLevel(), LimitsPanel::Level::At);
    QVERIFY(panel->blocksText().contains(QStringLiteral("blocks new buys")));
}

void TestMainWindow::buttonHaltsAtOnceWithoutAConfirmation()
{
    QSignalSpy triggered(m_window.get(), &MainWindow::emergencyStopTriggered);
    QCOMPARE(m_engine->gate().globalState(), GateState::Active);
    QPushButton *button = m_window->emergencyStopButton();
    QVERIFY(button->isVisible());
    QTest::mouseClick(button, Qt::LeftButton);
    // Synchronous: the gate is closed by the time the click returns, no dialog in between.
    QCOMPARE(m_engine->gate().globalState(), GateState::Halted);
    QCOMPARE(triggered.count(), 1);
    QVERIFY(!QApplication::activeModalWidget());
    QVERIFY(!m_window->haltBar()->isHidden());
    QVERIFY(m_window->haltBar()->text().contains(QStringLiteral("ALL TRADING HALTED")));

    auto *rearm = m_window->haltBar()->findChild<QPushButton *>(QStringLiteral("rearmButton"));
    QVERIFY(rearm && rearm->isVisible());
    // The report has not come back (engine not running): the bar says the stop is still selling.
    QVERIFY(m_window->haltBar()->text().contains(QStringLiteral("selling")));
    QTest::mouseClick(rearm, Qt::LeftButton);
    QCOMPARE(m_engine->gate().globalState(), GateState::Halted); // not before the user confirms
    QVERIFY(answerRearm(m_window.get(), QStringLiteral("rearmConfirmButton")));
    QCOMPARE(m_engine->gate().globalState(), GateState::Active);
}

void TestMainWindow::rearmAsksAndCancelKeepsTheHalt()
{
    QTest::mouseClick(m_window->emergencyStopButton(), Qt::LeftButton);
    QCOMPARE(m_engine->gate().globalState(), GateState::Halted);
    m_window->rearmAction()->trigger();
    auto *box = m_window->findChild<QMessageBox *>(QStringLiteral("rearmConfirm"));
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    QCOMPARE(box->defaultButton(), box->button(QMessageBox::Cancel));
    QVERIFY(box->text().contains(QStringLiteral("every account")));
    // A second request while the question is up does not stack a second box.
    m_window->rearmAction()->trigger();
    QCOMPARE(m_window->findChildren<QMessageBox *>(QStringLiteral("rearmConfirm")).size(), 1);
    QVERIFY(answerRearm(m_window.get(), QString())); // Cancel
    QCOMPARE(m_engine->gate().globalState(), GateState::Halted);
    QVERIFY(!m_window->haltBar()->isHidden());
}

void TestMainWindow::shortcutTriggersTheEmergencyStop()
{
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window->botView(), Qt::Key_K, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(m_engine->gate().globalState(), GateState::Halted);
}

void TestMainWindow::shortcutIsConfigurable()
{
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_window->setKillSwitchShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_X));
    QTest::keyClick(m_window->botView(), Qt::Key_K, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(m_engine->gate().globalState(), GateState::Active);
    QTest::keyClick(m_window->botView(), Qt::Key_X, Qt::ControlModifier | Qt::AltModifier);
    QCOMPARE(m_engine->gate().globalState(), GateState::Halted);
}

// A bot halted with its account's gate starts again only by re-arming: Resume / Start wait for it and say so.
void TestMainWindow::haltedGateDisablesStartAndResume()
{
    AccountSnapshot s = Test::account(QStringLiteral("demo"), {Test::bot(QStringLiteral("r100"), QStringLiteral("demo"), BotState::Halted)});
    s.gate = QStringLiteral("halted");
    s.gateReason = QStringLiteral("emergency stop");
    Q_EMIT m_engine->accountUpdated(s);
    QTRY_COMPARE(m_window->botModel()->rowCount(), 1);
    m_window->botView()->setCurrentIndex(m_window->botView()->model()->index(0, 0));
    QAction *resume = nullptr;
    QAction *start = nullptr;
    for (QAction *a : m_window->findChildren<QAction *>()) {
        if (a->text() == QLatin1String("Resume"))
            resume = a;
        else if (a->text() == QLatin1String("Start"))
            start = a;
    }
    QVERIFY(resume && start);
    QTRY_VERIFY(!resume->isEnabled());
    QVERIFY(resume->toolTip().contains(QStringLiteral("re-arm")));

    s.gate = QStringLiteral("active");
    s.gateReason.clear();
    Q_EMIT m_engine->accountUpdated(s);
    QTRY_VERIFY(resume->isEnabled());
    QVERIFY(!resume->toolTip().contains(QStringLiteral("re-arm")));

    // The kill switch closes the engine's gate: a stopped bot does not start either.
    s.bots.first().state = BotState::Stopped;
    Q_EMIT m_engine->accountUpdated(s);
    QTRY_VERIFY(start->isEnabled());
    QTest::mouseClick(m_window->emergencyStopButton(), Qt::LeftButton);
    QTRY_VERIFY(!start->isEnabled());
    QVERIFY(start->toolTip().contains(QStringLiteral("re-arm")));
}

// The emergency stop's alert says trading stays halted until re-armed: re-arming takes it down (the report stays
// in the log); an alert of another kind stays up.
void TestMainWindow::rearmRetiresTheStopAlert()
{
    const auto stopAndRearm = [this](EngineEvent::Kind kind) {
        QTest::mouseClick(m_window->emergencyStopButton(), Qt::LeftButton);
        Q_EMIT m_engine->eventRaised(Test::event(kind, EngineEvent::Level::Warning,
                                                 QStringLiteral("Trading stays halted until re-armed."), QString()));
        QTRY_VERIFY(!m_window->alertBanner()->isHidden());
        QTest::mouseClick(m_window->haltBar()->findChild<QPushButton *>(QStringLiteral("rearmButton")), Qt::LeftButton);
        QVERIFY(answerRearm(m_window.get(), QStringLiteral("rearmConfirmButton")));
        QCOMPARE(m_engine->gate().globalState(), GateState::Active);
    };
    stopAndRearm(EngineEvent::Kind::EmergencyStopFinished);
    QTRY_VERIFY(m_window->alertBanner()->isHidden());
    QVERIFY(m_window->eventModel()->rowCount() >= 1);

    stopAndRearm(EngineEvent::Kind::LimitReached);
    QTest::qWait(100);
    QVERIFY(!m_window->alertBanner()->isHidden());
}

void TestMainWindow::perAccountStopHaltsOnlyThatAccount()
{
    m_window->stopAccount(QStringLiteral("demo"));
    QCOMPARE(m_engine->gate().accountState(QStringLiteral("demo")), GateState::Halted);
    QCOMPARE(m_engine->gate().globalState(), GateState::Active);
    QCOMPARE(m_engine->gate().effective(QStringLiteral("other")), GateState::Active);
}

void TestMainWindow::reportShowsWhatWasSoldAndWhatWasNot()
{
    EmergencyStopReport r;
    r.id = 1;
    r.scope = QStringLiteral("all");
    r.triggeredMs = 1'700'000'000'000;
    r.haltedAfterUs = 12;
    r.sold = {{QStringLiteral("VRTC1"), 101, Money::fromMinor(87)}, {QStringLiteral("VRTC1"), 102, Money::fromMinor(0)}};
    r.unsellable = {{QStringLiteral("VRTC1"), 103, QStringLiteral("Resale of this contract is not offered."), r.triggeredMs + 5000}};
    r.remainingOpen = 1;
    Q_EMIT m_engine->emergencyStopFinished(r);
    EmergencyStopDialog *dialog = m_window->reportDialog();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QVERIFY(!dialog->isModal());
    QCOMPARE(dialog->soldCount(), 2);
    QCOMPARE(dialog->unsellableCount(), 1);
    QVERIFY(dialog->headline().contains(QStringLiteral("HALTED until you re-arm")));
    // It opens on what still needs attention: the contract that could not be sold.
    auto *tabs = dialog->findChild<QTabWidget *>();
    QVERIFY(tabs);
    QCOMPARE(tabs->tabText(tabs->currentIndex()), QStringLiteral("Could not be sold (1)"));
    // When it settles, counted from the trigger (a countdown from when the dialog was filled goes stale).
    const QString settles = QDateTime::fromMSecsSinceEpoch(r.triggeredMs + 5000).toString(QStringLiteral("HH:mm:ss"));
    bool found = false;
    for (QTableWidget *t : dialog->findChildren<QTableWidget *>()) {
        if (t->columnCount() == 4 && t->rowCount() == 1) {
            QCOMPARE(t->item(0, 2)->text(), settles + QStringLiteral(" (5.0 s after the stop)"));
            found = true;
        }
    }
    QVERIFY(found);
    QSignalSpy rearmed(dialog, &EmergencyStopDialog::rearmRequested);
    auto *rearm = dialog->findChild<QPushButton *>(QStringLiteral("reportRearmButton"));
    QVERIFY(rearm);
    m_engine->emergencyStop();
    QTest::mouseClick(rearm, Qt::LeftButton);
    QCOMPARE(rearmed.count(), 1);
    QVERIFY(answerRearm(m_window.get(), QStringLiteral("rearmConfirmButton")));
    QCOMPARE(m_engine->gate().globalState(), GateState::Active);
}

void TestMainWindow::paperBannerIsShown()
{
    QVERIFY(m_window->modeBanner()->isVisible());
    QVERIFY(m_window->modeBanner()->isPaper());
    QVERIFY(m_window->modeBanner()->text().startsWith(QStringLiteral("PAPER")));
    QVERIFY(m_window->windowTitle().contains(QStringLiteral("PAPER")));
}

void TestMainWindow::connectionStatusCountsSeconds()
{
    AccountSnapshot s = Test::account(QStringLiteral("demo"));
    s.connection = AccountSnapshot::Connection::Reconnecting;
    s.downSinceMs = QDateTime::currentMSecsSinceEpoch() - 12'000;
    Q_EMIT m_engine->accountUpdated(s);
    QTRY_VERIFY(m_window->connectionStatus()->text().contains(QStringLiteral("reconnecting")));
    QVERIFY2(m_window->connectionStatus()->text().contains(QRegularExpression(QStringLiteral("reconnecting 1[234] s"))),
             qPrintable(m_window->connectionStatus()->text()));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->connectionStatus()->text().contains(QRegularExpression(QStringLiteral("reconnecting 1[345] s"))), 3000);
}

void TestMainWindow::reconcileReportsAreListed()
{
    ReconcileReport r;
    r.account = QStringLiteral("VRTC1");
    r.trigger = QStringLiteral("manual");
    Q_EMIT m_engine->reconcileFinished(r);
    QCOMPARE(m_window->reportModel()->rowCount(), 1);
}

void TestMainWindow::coordinationStateIsInTheStatusBar()
{
    auto *label = m_window->findChild<QLabel *>(QStringLiteral("coordinationStatus"));
    QVERIFY(label);
    Q_EMIT m_engine->coordinationChanged(false, QStringLiteral("redis://127.0.0.1:6390 unreachable"));
    QVERIFY2(label->text().contains(QStringLiteral("DOWN")), qPrintable(label->text()));
    QVERIFY(label->text().contains(m_engine->coordinationBackend()));
    QVERIFY(label->toolTip().contains(m_engine->instanceId()));
    QVERIFY(label->toolTip().contains(QStringLiteral("unreachable")));
    Q_EMIT m_engine->coordinationChanged(true, QStringLiteral("redis://127.0.0.1:6390"));
    QVERIFY2(label->text().endsWith(QStringLiteral("up")), qPrintable(label->text()));
    QVERIFY(label->property("up").toBool());
}

void TestMainWindow::addBotGoesToTheSettings()
{
    QSignalSpy changed(m_window.get(), &MainWindow::botConfigChanged);
    m_window->addBot();
    auto *dialog = m_window->findChild<BotDialog *>();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    dialog->setFieldValue(QStringLiteral("id"), QStringLiteral("added-bot"));
    dialog->setFieldValue(QStringLiteral("name"), QStringLiteral("Added"));
    dialog->setFieldValue(QStringLiteral("stake"), QStringLiteral("2.00"));
    dialog->accept();
    QCOMPARE(changed.count(), 1);
    bool found = false;
    for (const BotConfig &b : m_settings->bots())
        found = found || b.id == QLatin1String("added-bot");
    QVERIFY(found);
    auto *note = m_window->findChild<QLabel *>(QStringLiteral("restartNote"));
    QVERIFY(note && !note->isHidden());
    QVERIFY(note->text().contains(QStringLiteral("restart")));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
