// SPDX-License-Identifier: GPL-3.0-or-later
#include "mainwindow.h"

#include <optional>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHash>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include "engine/engine.h"
#include "health/logcategories.h"
#include "risk/tradinggate.h"
#include "ui/accountsdialog.h"
#include "ui/accounttablemodel.h"
#include "ui/alertbanner.h"
#include "ui/alertcenter.h"
#include "ui/botdialog.h"
#include "ui/bottablemodel.h"
#include "ui/charts/pnlchart.h"
#include "ui/charts/tickchart.h"
#include "ui/confirmationbox.h"
#include "ui/connectionstatus.h"
#include "ui/consolecolors.h"
#include "ui/consolefeed.h"
#include "ui/consolesettings.h"
#include "ui/displaytext.h"
#include "ui/emergencystopdialog.h"
#include "ui/eventlogmodel.h"
#include "ui/globalhotkey.h"
#include "ui/haltbar.h"
#include "ui/iconfactory.h"
#include "ui/limitspanel.h"
#include "ui/logview.h"
#include "ui/modebanner.h"
#include "ui/overallstate.h"
#include "ui/accountlabels.h"
#include "ui/reconcilereportmodel.h"
#include "ui/reconcileview.h"
#include "ui/settingsdialog.h"
#include "ui/tradesview.h"
#include "ui/traycontroller.h"

namespace Vigil {

namespace {
void setUpTable(QTableView *v)
{
    v->setSelectionBehavior(QAbstractItemView::SelectRows);
    v->setSelectionMode(QAbstractItemView::SingleSelection);
    v->setAlternatingRowColors(true);
    v->setWordWrap(false);
    v->setContextMenuPolicy(Qt::CustomContextMenu);
    v->verticalHeader()->hide();
    v->verticalHeader()->setDefaultSectionSize(v->fontMetrics().height() + 10);
    v->horizontalHeader()->setHighlightSections(false);
    v->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    v->setIconSize(QSize(14, 14));
    v->setShowGrid(false);
}
} // namespace

struct MainWindow::Private
{
    explicit Private(Engine &e, ConsoleSettings &s) : engine(e), settings(s) {}

    Engine &engine;
    ConsoleSettings &settings;

    ConsoleFeed *feed = nullptr;
    BotTableModel *bots = nullptr;
    QSortFilterProxyModel *botProxy = nullptr;
    QTableView *botView = nullptr;
    AccountTableModel *accounts = nullptr;
    QTableView *accountView = nullptr;
    EventLogModel *events = nullptr;
    LogView *logView = nullptr;
    ReconcileReportModel *reports = nullptr;
    ReconcileView *reconcileView = nullptr;
    TradesView *trades = nullptr;
    QTabWidget *bottomTabs = nullptr;

    ModeBanner *mode = nullptr;
    QPushButton *stopButton = nullptr;
    QLabel *stopCaption = nullptr;
    HaltBar *haltBar = nullptr;
    AlertBanner *alertBanner = nullptr;
    AlertCenter *alerts = nullptr;
    TrayController *tray = nullptr;
    GlobalHotkey *hotkey = nullptr;
    QString hotkeyProblem;

    QWidget *limitsBox = nullptr;
    QVBoxLayout *limitsLayout = nullptr;
    QLabel *limitsEmpty = nullptr;
    QScrollArea *limitsScroll = nullptr;
    QHash<QString, LimitsPanel *> limits;
    PnlChart *chart = nullptr;
    TickChart *tickChart = nullptr;

    ConnectionStatus *connection = nullptr;
    QLabel *instance = nullptr;
    QLabel *coordination = nullptr;
    QLabel *overall = nullptr;
    QLabel *restartNote = nullptr;

    QAction *start = nullptr;
    QAction *pause = nullptr;
    QAction *resume = nullptr;
    QAction *stop = nullptr;
    QAction *add = nullptr;
    QAction *edit = nullptr;
    QAction *remove = nullptr;
    QAction *reconcile = nullptr;
    QAction *settingsAction = nullptr;
    QAction *accountsAction = nullptr;
    AccountsDialog *accountsDialog = nullptr;
    SecretStore *secrets = nullptr;
    QAction *emergency = nullptr;
    QAction *rearmAll = nullptr;
    QAction *showWindow = nullptr;
    QAction *quit = nullptr;

    EmergencyStopDialog *report = nullptr;
    std::optional<EmergencyStopReport> lastReport;
    QSet<quint64> pendingStops;
    QString startError;
    OverallState overallState = OverallState::Idle;
    bool closing = false;
};

MainWindow::MainWindow(Engine &engine, ConsoleSettings &settings, QWidget *parent)
    : QMainWindow(parent), d(std::make_unique<Private>(engine, settings))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(IconFactory::app());
    d->feed = new ConsoleFeed(this);
    d->bots = new BotTableModel(this);
    d->accounts = new AccountTableModel(this);
    d->events = new EventLogModel(10000, this);
    d->reports = new ReconcileReportModel(500, this);
    buildActions();
    buildUi();
    connectEngine();
    updateHaltState();
    updateOverallState();
    updateBotActions();
    if (!d->settings.windowGeometry().isEmpty())
        restoreGeometry(d->settings.windowGeometry());
    else
        resize(1360, 860);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildActions()
{
    auto make = [this](const QString &text, IconFactory::Action icon, const QString &tip) {
        auto *a = new QAction(IconFactory::action(icon), text, this);
        a->setToolTip(tip);
        a->setStatusTip(tip);
        return a;
    };
    d->start = make(tr("Start"), IconFactory::Action::Start, tr("Start the selected bot"));
    d->pause = make(tr("Pause"), IconFactory::Action::Pause, tr("Pause the selected bot: no new buys, open contracts are followed"));
    d->resume = make(tr("Resume"), IconFactory::Action::Start, tr("Resume the selected paused or halted bot"));
    d->stop = make(tr("Stop"), IconFactory::Action::Stop, tr("Stop the selected bot once its open contract settles"));
    d->add = make(tr("Add bot…"), IconFactory::Action::Add, tr("Add a bot to the configuration"));
    d->edit = make(tr("Edit bot…"), IconFactory::Action::Edit, tr("Edit the selected bot's configuration"));
    d->remove = make(tr("Remove bot…"), IconFactory::Action::Remove, tr("Remove the selected bot from the configuration"));
    d->reconcile = make(tr("Reconcile now"), IconFactory::Action::Reconcile,
                        tr("Compare the journal with the server for every account"));
    d->settingsAction = make(tr("Settings…"), IconFactory::Action::Settings, tr("Endpoint, journal, coordination, shortcut"));
    d->emergency = make(tr("EMERGENCY STOP"), IconFactory::Action::EmergencyStop,
                        tr("Halt every bot and sell every open contract now"));
    d->emergency->setObjectName(QStringLiteral("emergencyStopAction"));
    d->emergency->setShortcutContext(Qt::ApplicationShortcut);
    d->emergency->setShortcut(d->settings.killSwitchShortcut());
    addAction(d->emergency); // active while any Vigil window has focus, menus or not
    d->rearmAll = make(tr("Re-arm trading"), IconFactory::Action::Rearm, tr("Reopen the trading gates after a halt"));
    d->rearmAll->setObjectName(QStringLiteral("rearmAction"));
    d->showWindow = new QAction(IconFactory::app(), tr("Show Vigil"), this);
    d->quit = new QAction(tr("Quit"), this);
    d->quit->setShortcut(QKeySequence::Quit);

    auto botCommand = [this](void (Engine::*method)(const QString &)) {
        return [this, method] {
            const QString id = selectedBotId();
            if (!id.isEmpty())
                (d->engine.*method)(id);
        };
    };
    connect(d->start, &QAction::triggered, this, botCommand(&Engine::startBot));
    connect(d->pause, &QAction::triggered, this, botCommand(&Engine::pauseBot));
    connect(d->resume, &QAction::triggered, this, botCommand(&Engine::resumeBot));
    connect(d->stop, &QAction::triggered, this, botCommand(&Engine::stopBot));
    connect(d->add, &QAction::triggered, this, &MainWindow::addBot);
    connect(d->edit, &QAction::triggered, this, &MainWindow::editBot);
    connect(d->remove, &QAction::triggered, this, &MainWindow::removeBot);
    connect(d->reconcile, &QAction::triggered, this, [this] { d->engine.reconcileNow(); });
    connect(d->settingsAction, &QAction::triggered, this, &MainWindow::showSettings);
    d->accountsAction = make(tr("Accounts…"), IconFactory::Action::Edit, tr("Add API tokens (kept in the keychain), see their scopes, revoke them"));
    d->accountsAction->setObjectName(QStringLiteral("accountsAction"));
    connect(d->accountsAction, &QAction::triggered, this, &MainWindow::showAccounts);
    connect(d->emergency, &QAction::triggered, this, &MainWindow::triggerEmergencyStop);
    connect(d->rearmAll, &QAction::triggered, this, [this] { rearm(); });
    connect(d->showWindow, &QAction::triggered, this, [this] {
        showNormal();
        raise();
        activateWindow();
    });
    connect(d->quit, &QAction::triggered, this, &QWidget::close);
}

void MainWindow::buildUi()
{
    auto *central = new QWidget(this);
    auto *root = new QVBoxLayout(central);
    root->setContentsMargins(10, 10, 10, 4);
    root->setSpacing(8);

    // Header: PAPER/REAL and the emergency stop, side by side, outside any menu, tab or toolbar.
    auto *header = new QHBoxLayout;
    header->setSpacing(10);
    d->mode = new ModeBanner(central);
    d->mode->setMode(d->engine.config().isPaper(), d->engine.config().endpoint.toString());
    header->addWidget(d->mode, 1);
    d->stopButton = new QPushButton(IconFactory::action(IconFactory::Action::EmergencyStop), QString(), central);
    d->stopButton->setObjectName(QStringLiteral("emergencyStopButton"));
    d->stopButton->setIconSize(QSize(34, 34));
    d->stopButton->setMinimumSize(300, 62);
    d->stopButton->setCursor(Qt::PointingHandCursor);
    d->stopButton->setFocusPolicy(Qt::StrongFocus);
    d->stopButton->setToolTip(tr("Halts every bot at once and sells every open contract. No confirmation."));
    d->stopButton->setStyleSheet(QStringLiteral(
        "#emergencyStopButton { background-color: %1; color: white; border: 2px solid %2; border-radius: 10px;"
        "  font-size: 17pt; font-weight: 800; padding: 6px 22px; letter-spacing: 1px; }"
        "#emergencyStopButton:hover { background-color: %3; }"
        "#emergencyStopButton:pressed { background-color: %2; }"
        "#emergencyStopButton:focus { border: 3px solid #ffd33d; }")
                                     .arg(ConsoleColors::css(ConsoleColors::danger()),
                                          ConsoleColors::css(ConsoleColors::danger().darker(150)),
                                          ConsoleColors::css(ConsoleColors::danger().lighter(115))));
    // On press, not on release: the halt must not wait for the mouse button to come back up.
    connect(d->stopButton, &QPushButton::pressed, this, &MainWindow::triggerEmergencyStop);
    auto *stopColumn = new QVBoxLayout;
    stopColumn->setSpacing(2);
    stopColumn->addWidget(d->stopButton);
    d->stopCaption = new QLabel(central);
    d->stopCaption->setAlignment(Qt::AlignCenter);
    stopColumn->addWidget(d->stopCaption);
    header->addLayout(stopColumn);
    root->addLayout(header);

    d->haltBar = new HaltBar(central);
    connect(d->haltBar, &HaltBar::rearmRequested, this, &MainWindow::rearm);
    connect(d->haltBar, &HaltBar::reportRequested, this, &MainWindow::showReportDialog);
    root->addWidget(d->haltBar);
    d->alertBanner = new AlertBanner(central);
    root->addWidget(d->alertBanner);

    // Toolbar inside the central widget so it cannot be hidden or undocked.
    auto *tools = new QToolBar(central);
    tools->setObjectName(QStringLiteral("botToolBar"));
    tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tools->setIconSize(QSize(18, 18));
    tools->addActions({d->start, d->pause, d->resume, d->stop});
    tools->addSeparator();
    tools->addActions({d->add, d->edit, d->remove});
    tools->addSeparator();
    tools->addActions({d->reconcile, d->rearmAll});
    auto *spacer = new QWidget(tools);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    tools->addWidget(spacer);
    tools->addAction(d->accountsAction);
    tools->addAction(d->settingsAction);
    root->addWidget(tools);

    // Left: accounts over bots. Right: limits per account over the P/L chart.
    d->accountView = new QTableView(central);
    d->accountView->setObjectName(QStringLiteral("accountView"));
    d->accountView->setModel(d->accounts);
    setUpTable(d->accountView);
    d->accountView->horizontalHeader()->setStretchLastSection(true);
    d->accountView->setMaximumHeight(d->accountView->verticalHeader()->defaultSectionSize() * 3
                                     + d->accountView->horizontalHeader()->sizeHint().height() + 4);
    const std::pair<int, int> accountWidths[] = {{AccountTableModel::AccountColumn, 150}, {AccountTableModel::TypeColumn, 56},
                                                 {AccountTableModel::ConnectionColumn, 110}, {AccountTableModel::BalanceColumn, 115},
                                                 {AccountTableModel::GateColumn, 150},    {AccountTableModel::BreakerColumn, 70},
                                                 {AccountTableModel::OpenColumn, 48},     {AccountTableModel::ReconcileColumn, 90}};
    for (const auto &[column, width] : accountWidths)
        d->accountView->setColumnWidth(column, width);
    connect(d->accountView, &QWidget::customContextMenuRequested, this, &MainWindow::showAccountMenu);

    d->botProxy = new QSortFilterProxyModel(this);
    d->botProxy->setSourceModel(d->bots);
    d->botProxy->setSortRole(BotTableModel::SortRole);
    d->botView = new QTableView(central);
    d->botView->setObjectName(QStringLiteral("botView"));
    d->botView->setModel(d->botProxy);
    d->botView->setSortingEnabled(true);
    d->botView->sortByColumn(-1, Qt::AscendingOrder);
    setUpTable(d->botView);
    d->botView->horizontalHeader()->setStretchLastSection(true);
    const std::pair<int, int> widths[] = {{BotTableModel::AccountColumn, 140}, {BotTableModel::BotColumn, 228},
                                          {BotTableModel::StateColumn, 175},   {BotTableModel::SymbolColumn, 74},
                                          {BotTableModel::StakeColumn, 84},    {BotTableModel::OpenColumn, 48},
                                          {BotTableModel::TradesColumn, 60},   {BotTableModel::PnlColumn, 80},
                                          {BotTableModel::StrategyColumn, 360}};
    for (const auto &[column, width] : widths)
        d->botView->setColumnWidth(column, width);
    connect(d->botView, &QWidget::customContextMenuRequested, this, &MainWindow::showBotMenu);
    connect(d->botView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MainWindow::updateBotActions);
    connect(d->botView, &QTableView::doubleClicked, this, &MainWindow::editBot);

    auto *left = new QWidget(central);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->setSpacing(6);
    auto sectionLabel = [left](const QString &text) {
        auto *l = new QLabel(text, left);
        QFont f = l->font();
        f.setBold(true);
        l->setFont(f);
        return l;
    };
    leftLayout->addWidget(sectionLabel(tr("Accounts")));
    leftLayout->addWidget(d->accountView);
    leftLayout->addWidget(sectionLabel(tr("Bots — trades and P/L today")));
    leftLayout->addWidget(d->botView, 1);

    d->limitsBox = new QWidget;
    d->limitsLayout = new QVBoxLayout(d->limitsBox);
    d->limitsLayout->setContentsMargins(0, 0, 0, 0);
    d->limitsLayout->setSpacing(6);
    d->limitsEmpty = new QLabel(tr("Limits appear once an account is connected."), d->limitsBox);
    d->limitsEmpty->setWordWrap(true);
    d->limitsLayout->addWidget(d->limitsEmpty);
    d->limitsLayout->addStretch(1);
    auto *limitsScroll = new QScrollArea(central);
    d->limitsScroll = limitsScroll;
    limitsScroll->setWidget(d->limitsBox);
    limitsScroll->setWidgetResizable(true);
    limitsScroll->setFrameShape(QFrame::NoFrame);
    // As tall as the panels need (scrolling beyond that), the chart takes the rest.
    limitsScroll->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    d->chart = new PnlChart(central);
    d->tickChart = new TickChart(central);

    auto *right = new QWidget(central);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->setSpacing(6);
    rightLayout->addWidget(sectionLabel(tr("Limits")));
    rightLayout->addWidget(limitsScroll, 0);
    rightLayout->addWidget(d->chart, 1);
    rightLayout->addWidget(d->tickChart, 1);

    auto *top = new QSplitter(Qt::Horizontal, central);
    top->setObjectName(QStringLiteral("topSplitter"));
    top->addWidget(left);
    top->addWidget(right);
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 1);
    top->setSizes({980, 380});

    d->logView = new LogView(d->events, central);
    d->reconcileView = new ReconcileView(d->reports, central);
    connect(d->reconcileView, &ReconcileView::reconcileNowRequested, this, [this] { d->engine.reconcileNow(); });
    d->bottomTabs = new QTabWidget(central);
    d->bottomTabs->setObjectName(QStringLiteral("bottomTabs"));
    d->bottomTabs->addTab(d->logView, IconFactory::action(IconFactory::Action::Log), tr("Log"));
    d->bottomTabs->addTab(d->reconcileView, IconFactory::action(IconFactory::Action::Reconcile), tr("Reconciliation"));
    d->trades = new TradesView(central);
    d->bottomTabs->addTab(d->trades, tr("Trades"));
    d->bottomTabs->setDocumentMode(true);

    auto *vertical = new QSplitter(Qt::Vertical, central);
    vertical->setObjectName(QStringLiteral("mainSplitter"));
    vertical->addWidget(top);
    vertical->addWidget(d->bottomTabs);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 2);
    vertical->setSizes({520, 260});
    root->addWidget(vertical, 1);
    setCentralWidget(central);

    connect(d->alertBanner, &AlertBanner::showLogRequested, this, [this] {
        d->bottomTabs->setCurrentWidget(d->logView);
        d->logView->setMinimumLevel(1);
    });

    // Menus: everything is also reachable from the keyboard.
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(d->accountsAction);
    file->addAction(d->settingsAction);
    file->addSeparator();
    file->addAction(d->quit);
    QMenu *trading = menuBar()->addMenu(tr("&Trading"));
    trading->addAction(d->emergency);
    trading->addAction(d->rearmAll);
    trading->addSeparator();
    trading->addAction(d->reconcile);
    QMenu *botsMenu = menuBar()->addMenu(tr("&Bots"));
    botsMenu->addActions({d->start, d->pause, d->resume, d->stop});
    botsMenu->addSeparator();
    botsMenu->addActions({d->add, d->edit, d->remove});

    // Status bar: connection per account, coordination, instance, overall state.
    d->connection = new ConnectionStatus(this);
    statusBar()->addWidget(d->connection);
    d->restartNote = new QLabel(this);
    d->restartNote->setObjectName(QStringLiteral("restartNote"));
    d->restartNote->setStyleSheet(QStringLiteral("color: %1;").arg(ConsoleColors::css(ConsoleColors::warning().darker(130))));
    d->restartNote->hide();
    statusBar()->addWidget(d->restartNote);
    d->coordination = new QLabel(this);
    d->coordination->setObjectName(QStringLiteral("coordinationStatus"));
    d->instance = new QLabel(this);
    d->instance->setObjectName(QStringLiteral("instanceLabel"));
    d->overall = new QLabel(this);
    statusBar()->addPermanentWidget(d->coordination);
    statusBar()->addPermanentWidget(d->instance);
    statusBar()->addPermanentWidget(d->overall);
    // Until the engine reports coordination state, say what is configured.
    d->coordination->setText(d->engine.config().redisUrl.isEmpty() ? tr("Coordination: this machine (lock file)")
                                                                   : tr("Coordination: Redis configured"));
    d->instance->setText(tr("Instance %1").arg(d->engine.instanceId()));

    // Alerts: tray notifications where there is a tray, the in-app banner elsewhere.
    d->alerts = new AlertCenter(d->alertBanner, this);
    if (TrayController::isAvailable()) {
        d->tray = new TrayController(d->showWindow, d->emergency, d->rearmAll, d->quit, this);
        connect(d->tray, &TrayController::activated, d->showWindow, &QAction::trigger);
        d->alerts->setTray(d->tray);
    }
    if (GlobalHotkey::isSupported()) {
        d->hotkey = new GlobalHotkey(this);
        connect(d->hotkey, &GlobalHotkey::activated, this, &MainWindow::triggerEmergencyStop);
    }
    setKillSwitchShortcut(d->settings.killSwitchShortcut());
}

void MainWindow::connectEngine()
{
    Engine &e = d->engine;
    d->feed->attach(e);
    d->trades->attach(e);
    d->tickChart->attach(e);
    connect(d->feed, &ConsoleFeed::snapshotsUpdated, this, &MainWindow::onSnapshots);
    connect(d->feed, &ConsoleFeed::eventsArrived, this, [this](const QList<EngineEvent> &events) {
        d->events->append(events);
        d->alerts->post(events);
        d->trades->onEvents(events);
        d->tickChart->addEvents(events);
    });
    connect(&e, &Engine::reconcileFinished, this, [this](const ReconcileReport &r) { d->reports->append(r); });
    connect(&e, &Engine::emergencyStopFinished, this, &MainWindow::onReport);
    // Coordination in the status bar: backend and up/down as the engine reports them, instance in the tooltip.
    auto showCoordination = [this](bool up, const QString &description) {
        const QString backend = d->engine.coordinationBackend();
        d->coordination->setText(up ? tr("Coordination: %1, up").arg(backend) : tr("Coordination: %1, DOWN — no buys").arg(backend));
        d->coordination->setToolTip(tr("Instance %1 · %2%3")
                                        .arg(d->engine.instanceId(), backend,
                                             description.isEmpty() ? QString() : QStringLiteral(" · ") + description));
        d->coordination->setProperty("up", up);
        d->coordination->setStyleSheet(up ? QString() : QStringLiteral("color: %1; font-weight: bold;").arg(ConsoleColors::css(ConsoleColors::loss())));
    };
    connect(&e, &Engine::started, this, [this, showCoordination] { showCoordination(d->engine.isCoordinationUp(), QString()); });
    connect(&e, &Engine::coordinationChanged, this, showCoordination);
    connect(&e, &Engine::botChangeApplied, this, [this](const QString &botId, const QString &change) {
        if (change == QLatin1String("add"))
            showStatusMessage(tr("Bot %1 added and running").arg(botId));
        else if (change == QLatin1String("update"))
            showStatusMessage(tr("Bot %1: new settings in effect").arg(botId));
        else
            showStatusMessage(tr("Bot %1 removed").arg(botId));
    });
    connect(&e, &Engine::botChangeRefused, this, [this](const QString &botId, const QString &change, const Error &error) {
        // A refused removal leaves the bot in the configuration: it is still trading or holding a contract.
        if (change == QLatin1String("remove")) {
            if (const BotConfig *b = d->engine.config().bot(botId))
                (void)d->settings.saveBot(*b);
        }
        noteRestartNeeded(tr("bot %1 not changed now: %2").arg(botId, error.message));
    });
    connect(&e, &Engine::accountChangeApplied, this, [this](const QString &accountId, const QString &change) {
        if (change == QLatin1String("remove"))
            dropAccount(accountId);
        showStatusMessage(change == QLatin1String("add") ? tr("Account %1 added and trading").arg(accountId)
                                                         : tr("Account %1 removed").arg(accountId));
    });
    connect(&e, &Engine::accountChangeRefused, this, [this](const QString &accountId, const QString &change, const Error &error) {
        showStatusMessage(change == QLatin1String("add") ? tr("Account %1 not started: %2").arg(accountId, error.message)
                                                         : tr("Account %1 not removed: %2").arg(accountId, error.message));
    });
    connect(&e, &Engine::started, this, [this] {
        d->mode->setMode(d->engine.config().isPaper(), d->engine.config().endpoint.toString());
        d->instance->setText(tr("Instance %1").arg(d->engine.instanceId()));
        showStatusMessage(tr("Engine started"));
    });
    connect(&e, &Engine::startFailed, this, [this](const Error &error) {
        EngineEvent ev;
        ev.level = EngineEvent::Level::Error;
        ev.account = error.account;
        ev.message = tr("Engine could not start: %1").arg(error.message);
        ev.details = error.toJson();
        ev.atMs = QDateTime::currentMSecsSinceEpoch();
        d->feed->addEvent(ev);
        d->startError = error.message;
        updateOverallState();
    });
}

ConsoleFeed *MainWindow::feed() const { return d->feed; }
BotTableModel *MainWindow::botModel() const { return d->bots; }
AccountTableModel *MainWindow::accountModel() const { return d->accounts; }
EventLogModel *MainWindow::eventModel() const { return d->events; }
ReconcileReportModel *MainWindow::reportModel() const { return d->reports; }
QTableView *MainWindow::botView() const { return d->botView; }
QPushButton *MainWindow::emergencyStopButton() const { return d->stopButton; }
QAction *MainWindow::emergencyStopAction() const { return d->emergency; }
QAction *MainWindow::rearmAction() const { return d->rearmAll; }
AlertBanner *MainWindow::alertBanner() const { return d->alertBanner; }
AlertCenter *MainWindow::alertCenter() const { return d->alerts; }
HaltBar *MainWindow::haltBar() const { return d->haltBar; }
ModeBanner *MainWindow::modeBanner() const { return d->mode; }
LogView *MainWindow::logView() const { return d->logView; }
ReconcileView *MainWindow::reconcileView() const { return d->reconcileView; }
TradesView *MainWindow::tradesView() const { return d->trades; }
ConnectionStatus *MainWindow::connectionStatus() const { return d->connection; }
PnlChart *MainWindow::pnlChart() const { return d->chart; }
TickChart *MainWindow::tickChart() const { return d->tickChart; }
EmergencyStopDialog *MainWindow::reportDialog() const { return d->report; }
int MainWindow::pendingStops() const { return int(d->pendingStops.size()); }

LimitsPanel *MainWindow::limitsPanel(const QString &accountId) const
{
    return d->limits.value(accountId, nullptr);
}

QString MainWindow::selectedBotId() const
{
    const QModelIndex current = d->botView->currentIndex();
    return current.isValid() ? current.data(BotTableModel::BotIdRole).toString() : QString();
}

void MainWindow::selectBot(const QString &botId)
{
    const int row = d->bots->rowOf(botId);
    if (row < 0)
        return;
    d->botView->setCurrentIndex(d->botProxy->mapFromSource(d->bots->index(row, 0)));
}

void MainWindow::triggerEmergencyStop()
{
    // The halt comes first; the console catches up afterwards.
    const quint64 id = d->engine.emergencyStop();
    d->pendingStops.insert(id);
    qCWarning(lcUi) << "emergency stop" << id << "triggered from the console";
    updateHaltState();
    updateOverallState();
    showStatusMessage(tr("EMERGENCY STOP: trading halted, selling open contracts…"));
    Q_EMIT emergencyStopTriggered(id);
}

void MainWindow::stopAccount(const QString &accountId)
{
    if (accountId.isEmpty())
        return;
    const quint64 id = d->engine.emergencyStop(accountId);
    d->pendingStops.insert(id);
    qCWarning(lcUi) << "emergency stop" << id << "of account" << accountId << "triggered from the console";
    updateHaltState();
    showStatusMessage(tr("Emergency stop of %1: halted, selling its open contracts…").arg(accountId));
    Q_EMIT emergencyStopTriggered(id);
}

void MainWindow::rearm(const QString &accountId)
{
    // One question at a time: a second click while the box is up does not stack another.
    if (QMessageBox *open = findChild<QMessageBox *>(QStringLiteral("rearmConfirm")); open && open->isVisible())
        return;
    const QString scope = accountId.isEmpty() ? tr("every account") : tr("account %1").arg(accountId);
    const ConfirmationBox::Parts parts = ConfirmationBox::create(
        this, tr("Re-arm trading"),
        tr("Re-arm trading on %1?\n\nEvery halted bot there starts again and buys on its next signal. A limit that is "
           "still reached halts it again at its first buy; a revoked token keeps its account closed.")
            .arg(scope),
        tr("Re-arm"), QMessageBox::AcceptRole, QStringLiteral("rearmConfirm"), QStringLiteral("rearmConfirmButton"));
    QMessageBox *box = parts.box;
    QPushButton *yes = parts.confirmButton;
    connect(box, &QMessageBox::buttonClicked, this, [this, accountId, yes](QAbstractButton *clicked) {
        if (clicked != yes) {
            showStatusMessage(tr("Still halted: re-arm cancelled"));
            return;
        }
        qCInfo(lcUi) << "re-arm" << (accountId.isEmpty() ? QStringLiteral("all") : accountId);
        d->engine.rearm(accountId);
        updateHaltState();
        updateOverallState();
        showStatusMessage(accountId.isEmpty() ? tr("Trading re-armed") : tr("Account %1 re-armed").arg(accountId));
    });
    box->open();
}

void MainWindow::setKillSwitchShortcut(const QKeySequence &shortcut)
{
    d->emergency->setShortcut(shortcut);
    const QString keys = shortcut.toString(QKeySequence::NativeText);
    d->stopButton->setText(tr("EMERGENCY STOP"));
    d->stopCaption->setText(tr("%1 · halts all bots, sells everything, no confirmation").arg(keys));
    d->stopButton->setToolTip(tr("Halts every bot at once and sells every open contract. No confirmation. Shortcut: %1").arg(keys));
    d->emergency->setText(tr("Emergency stop"));
    // System-wide as well where the platform allows it (X11); otherwise the settings say why not.
    d->hotkeyProblem.clear();
    if (d->hotkey) {
        if (Result<void> grabbed = d->hotkey->setShortcut(shortcut); !grabbed) {
            d->hotkeyProblem = grabbed.error().message;
            qCWarning(lcUi) << "system-wide hotkey not available:" << grabbed.error().message;
        }
    }
}

QString MainWindow::systemHotkeyStatus() const
{
    if (!d->hotkeyProblem.isEmpty())
        return tr("Not active: %1").arg(d->hotkeyProblem);
    return GlobalHotkey::platformNote();
}

void MainWindow::onSnapshots(const QList<AccountSnapshot> &changed)
{
    d->bots->applySnapshots(changed);
    // Until the user picks one, the first bot is the selected one, so the tick chart shows a live market.
    if (!d->botView->currentIndex().isValid() && d->botView->model()->rowCount() > 0)
        d->botView->setCurrentIndex(d->botView->model()->index(0, 0));
    d->accounts->applySnapshots(changed);
    d->chart->applySnapshots(changed);
    for (const AccountSnapshot &s : changed) {
        LimitsPanel *panel = d->limits.value(s.id);
        if (!panel) {
            panel = new LimitsPanel(d->limitsBox);
            panel->setObjectName(QStringLiteral("limits-") + s.id);
            d->limitsLayout->insertWidget(d->limitsLayout->count() - 1, panel);
            d->limits.insert(s.id, panel);
            d->limitsEmpty->hide();
        }
        panel->setTitle(DisplayText::accountLabel(s));
        panel->setCurrency(s.currency);
        panel->setStatus(s.limits);
    }
    if (!d->limits.isEmpty()) {
        // Show up to two accounts' limits without scrolling; more scroll.
        const int one = d->limits.cbegin().value()->sizeHint().height();
        d->limitsScroll->setMinimumHeight(std::min(d->limitsBox->sizeHint().height(), 2 * one + 8));
    }
    const QList<AccountSnapshot> all = d->feed->accounts();
    d->connection->setAccounts(all);
    const AccountLabels labels = AccountLabels::fromSnapshots(all);
    d->events->setAccountLabels(labels);
    d->reports->setAccountLabels(labels);
    d->trades->setAccountLabels(labels);
    bool reconciling = false;
    for (const AccountSnapshot &s : all)
        reconciling = reconciling || s.reconciling;
    d->reconcileView->setReconciling(reconciling);
    updateHaltState();
    updateOverallState();
    updateBotActions();
}

void MainWindow::dropAccount(const QString &accountId)
{
    d->feed->removeAccount(accountId);
    d->accounts->removeAccount(accountId);
    if (LimitsPanel *panel = d->limits.take(accountId))
        panel->deleteLater();
    if (d->limits.isEmpty())
        d->limitsEmpty->show();
    d->connection->setAccounts(d->feed->accounts());
    updateHaltState();
    updateOverallState();
}

void MainWindow::onReport(const EmergencyStopReport &report)
{
    d->pendingStops.remove(report.id);
    d->lastReport = report;
    if (!d->report) {
        d->report = new EmergencyStopDialog(this);
        connect(d->report, &EmergencyStopDialog::rearmRequested, this, [this] { rearm(); });
    }
    d->report->setReport(report);
    d->haltBar->setReportAvailable(true);
    showStatusMessage(tr("Emergency stop finished: %1 sold, %2 could not be sold, %3 failed. Trading stays halted until re-armed.")
                          .arg(report.sold.size())
                          .arg(report.unsellable.size())
                          .arg(report.failed.size()));
    showReportDialog();
    updateHaltState();
    updateOverallState();
}

void MainWindow::showReportDialog()
{
    if (!d->report)
        return;
    d->report->show();
    d->report->raise();
}

void MainWindow::updateHaltState()
{
    const TradingGate &gate = d->engine.gate();
    const bool global = gate.globalState() == GateState::Halted;
    QList<HaltBar::HaltedAccount> halted;
    if (!global) {
        for (const AccountSnapshot &s : d->feed->accounts()) {
            if (s.gate == QLatin1String("halted"))
                halted.append({s.id, DisplayText::accountLabel(s), s.gateReason});
        }
    }
    d->haltBar->setState(global, gate.globalReason(), halted, !d->pendingStops.isEmpty());
    d->rearmAll->setEnabled(global || !halted.isEmpty());
    if (!global && halted.isEmpty() && d->alertBanner->showsOnlyAnEmergencyStop())
        d->alertBanner->dismiss(); // re-armed: "trading stays halted" is no longer true (the report stays in the log)
    updateBotActions(); // Start and Resume wait for the re-arm
}

void MainWindow::updateOverallState()
{
    const bool globalHalted = d->engine.gate().globalState() == GateState::Halted;
    OverallState state = overallState(d->feed->accounts(), globalHalted);
    if (!d->startError.isEmpty())
        state = OverallState::Error;
    d->overallState = state;
    const QString mode = d->mode->isPaper() ? tr("PAPER") : tr("REAL");
    const QString text = overallStateText(state);
    setWindowTitle(QStringLiteral("Vigil — %1 — %2").arg(mode, text));
    d->overall->setText(tr("State: %1").arg(text));
    d->overall->setProperty("state", text);
    if (d->tray)
        d->tray->setState(state, QStringLiteral("Vigil (%1): %2").arg(mode, text));
}

void MainWindow::updateBotActions()
{
    const QModelIndex current = d->botView->currentIndex();
    const bool any = current.isValid();
    const auto state = BotState(current.data(BotTableModel::StateRole).toInt());
    // While its account's gate is halted a bot starts only by re-arming trading (the engine refuses it too).
    const QString accountId = any ? current.data(BotTableModel::AccountIdRole).toString() : QString();
    bool gateHalted = d->engine.gate().globalState() == GateState::Halted;
    for (const AccountSnapshot &s : d->feed->accounts())
        gateHalted = gateHalted || (s.id == accountId && s.gate == QLatin1String("halted"));
    d->start->setEnabled(any && !gateHalted && (state == BotState::Stopped || state == BotState::Failed));
    d->pause->setEnabled(any && state == BotState::Running);
    d->resume->setEnabled(any && !gateHalted && (state == BotState::Paused || state == BotState::Halted));
    const QString rearmFirst = tr("Trading is halted: re-arm trading first");
    d->start->setToolTip(gateHalted ? rearmFirst : tr("Start the selected bot"));
    d->resume->setToolTip(gateHalted ? rearmFirst : tr("Resume the selected paused or halted bot"));
    d->stop->setEnabled(any && (state == BotState::Running || state == BotState::Paused || state == BotState::Halted
                                || state == BotState::Starting));
    d->edit->setEnabled(any);
    d->remove->setEnabled(any);
    // The tick chart follows the selected bot (and its symbol, should an edit change it).
    d->tickChart->follow(any ? current.data(BotTableModel::BotIdRole).toString() : QString(),
                         any ? current.siblingAtColumn(BotTableModel::SymbolColumn).data().toString() : QString());
}

void MainWindow::showBotMenu(const QPoint &pos)
{
    const QModelIndex index = d->botView->indexAt(pos);
    if (!index.isValid())
        return;
    d->botView->setCurrentIndex(index);
    const QString accountId = index.data(BotTableModel::AccountIdRole).toString();
    auto *menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addActions({d->start, d->pause, d->resume, d->stop});
    menu->addSeparator();
    menu->addActions({d->edit, d->remove});
    menu->addSeparator();
    QAction *stopIt = menu->addAction(IconFactory::action(IconFactory::Action::EmergencyStop),
                                      tr("Emergency stop account %1").arg(accountId));
    connect(stopIt, &QAction::triggered, this, [this, accountId] { stopAccount(accountId); });
    QAction *rearmIt = menu->addAction(IconFactory::action(IconFactory::Action::Rearm), tr("Re-arm account %1").arg(accountId));
    connect(rearmIt, &QAction::triggered, this, [this, accountId] { rearm(accountId); });
    menu->popup(d->botView->viewport()->mapToGlobal(pos));
}

void MainWindow::showAccountMenu(const QPoint &pos)
{
    const QModelIndex index = d->accountView->indexAt(pos);
    if (!index.isValid())
        return;
    const QString accountId = index.data(AccountTableModel::AccountIdRole).toString();
    auto *menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    QAction *stopIt = menu->addAction(IconFactory::action(IconFactory::Action::EmergencyStop),
                                      tr("Emergency stop %1 (halt and sell everything)").arg(accountId));
    connect(stopIt, &QAction::triggered, this, [this, accountId] { stopAccount(accountId); });
    QAction *rearmIt = menu->addAction(IconFactory::action(IconFactory::Action::Rearm), tr("Re-arm %1").arg(accountId));
    connect(rearmIt, &QAction::triggered, this, [this, accountId] { rearm(accountId); });
    menu->addSeparator();
    // Per-account bot commands: each bot of the account, as the toolbar would do one by one.
    auto forEachBot = [this, accountId](void (Engine::*method)(const QString &)) {
        for (int row = 0; row < d->bots->rowCount(); ++row) {
            const QModelIndex i = d->bots->index(row, 0);
            if (i.data(BotTableModel::AccountIdRole).toString() == accountId)
                (d->engine.*method)(i.data(BotTableModel::BotIdRole).toString());
        }
    };
    QAction *startAll = menu->addAction(IconFactory::action(IconFactory::Action::Start), tr("Start all bots of %1").arg(accountId));
    connect(startAll, &QAction::triggered, this, [forEachBot] { forEachBot(&Engine::startBot); });
    QAction *pauseAll = menu->addAction(IconFactory::action(IconFactory::Action::Pause), tr("Pause all bots of %1").arg(accountId));
    connect(pauseAll, &QAction::triggered, this, [forEachBot] { forEachBot(&Engine::pauseBot); });
    QAction *stopAll = menu->addAction(IconFactory::action(IconFactory::Action::Stop), tr("Stop all bots of %1").arg(accountId));
    connect(stopAll, &QAction::triggered, this, [forEachBot] { forEachBot(&Engine::stopBot); });
    menu->addSeparator();
    QAction *reconcileIt = menu->addAction(IconFactory::action(IconFactory::Action::Reconcile), tr("Reconcile %1 now").arg(accountId));
    connect(reconcileIt, &QAction::triggered, this, [this, accountId] { d->engine.reconcileNow(accountId); });
    menu->popup(d->accountView->viewport()->mapToGlobal(pos));
}

void MainWindow::addBot()
{
    QStringList ids;
    for (const BotConfig &b : d->settings.bots())
        ids << b.id;
    auto *dialog = new BotDialog(d->settings.accountIds(), ids, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (Result<void> saved = d->settings.saveBot(dialog->botConfig()); !saved) {
            showStatusMessage(tr("Bot not saved: %1").arg(saved.error().message));
            return;
        }
        applyBot(dialog->botConfig(), true);
    });
    dialog->open();
}

void MainWindow::editBot()
{
    const QString id = selectedBotId();
    if (id.isEmpty())
        return;
    std::optional<BotConfig> config;
    for (const BotConfig &b : d->settings.bots()) {
        if (b.id == id)
            config = b;
    }
    if (!config && d->engine.config().bot(id))
        config = *d->engine.config().bot(id);
    if (!config) {
        showStatusMessage(tr("Bot %1 is not in the configuration").arg(id));
        return;
    }
    auto *dialog = new BotDialog(d->settings.accountIds(), {}, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setBot(*config);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (Result<void> saved = d->settings.saveBot(dialog->botConfig()); !saved) {
            showStatusMessage(tr("Bot not saved: %1").arg(saved.error().message));
            return;
        }
        applyBot(dialog->botConfig(), false);
    });
    dialog->open();
}

void MainWindow::removeBot()
{
    const QString id = selectedBotId();
    if (id.isEmpty())
        return;
    auto *box = new QMessageBox(QMessageBox::Question, tr("Remove bot"),
                                tr("Remove bot %1 from the configuration?\n\nA bot with a contract open is not removed: "
                                   "stop it and remove it once its contract has settled.")
                                    .arg(id),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, id](int result) {
        if (result != QMessageBox::Yes)
            return;
        // The running engine first: it refuses a bot that is not flat, and then nothing is removed.
        const bool running = d->engine.isRunning() && d->engine.config().bot(id);
        if (running) {
            if (Result<void> r = d->engine.removeBot(id); !r) {
                QMessageBox::warning(this, tr("Bot not removed"), r.error().message);
                return;
            }
        }
        if (Result<void> removed = d->settings.removeBot(id); !removed) {
            showStatusMessage(tr("Bot not removed: %1").arg(removed.error().message));
            return;
        }
        if (running) {
            d->settings.sync();
            showStatusMessage(tr("Removing bot %1…").arg(id));
            Q_EMIT botConfigChanged();
        } else {
            noteRestartNeeded(tr("bot %1 removed").arg(id));
        }
    });
    box->open();
}

void MainWindow::applyBot(const BotConfig &config, bool added)
{
    if (!d->engine.isRunning()) {
        noteRestartNeeded(added ? tr("bot %1 added").arg(config.id) : tr("bot %1 changed").arg(config.id));
        return;
    }
    const Result<void> r = added ? d->engine.addBot(config) : d->engine.updateBot(config);
    if (!r) {
        noteRestartNeeded(tr("bot %1 saved, not applied now: %2").arg(config.id, r.error().message));
        return;
    }
    d->settings.sync();
    showStatusMessage(added ? tr("Adding bot %1…").arg(config.id) : tr("Applying the changes to bot %1…").arg(config.id));
    Q_EMIT botConfigChanged();
}

void MainWindow::showSettings()
{
    auto *dialog = new SettingsDialog(d->settings, systemHotkeyStatus(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &SettingsDialog::shortcutChanged, this, &MainWindow::setKillSwitchShortcut);
    connect(dialog, &SettingsDialog::restartNeeded, this, [this] { noteRestartNeeded(tr("settings changed")); });
    dialog->open();
}

void MainWindow::setSecretStore(SecretStore *store)
{
    Q_ASSERT(!d->accountsDialog); // the dialog keeps the store it was made with
    d->secrets = store;
    d->accountsDialog = new AccountsDialog(d->engine, d->settings, d->secrets, this);
    connect(d->accountsDialog, &AccountsDialog::configChanged, this, &MainWindow::noteRestartNeeded);
}

QAction *MainWindow::accountsAction() const { return d->accountsAction; }
AccountsDialog *MainWindow::accountsDialog() const { return d->accountsDialog; }

void MainWindow::showAccounts()
{
    if (!d->accountsDialog)
        setSecretStore(nullptr);
    d->accountsDialog->show();
    d->accountsDialog->raise();
    d->accountsDialog->activateWindow();
}

void MainWindow::noteRestartNeeded(const QString &why)
{
    d->settings.sync();
    d->restartNote->setText(tr("Configuration changed (%1): restart Vigil to apply").arg(why));
    d->restartNote->show();
    Q_EMIT botConfigChanged();
}

void MainWindow::showStatusMessage(const QString &text)
{
    statusBar()->showMessage(text, 8000);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    d->settings.setWindowGeometry(saveGeometry());
    d->settings.sync();
    if (d->closing || !d->engine.isRunning()) {
        if (d->report)
            d->report->close();
        event->accept();
        return;
    }
    // Stop the engine gracefully first; close for real once it says it stopped (or after a grace period,
    // so a stuck socket cannot keep the window up forever).
    event->ignore();
    d->closing = true;
    showStatusMessage(tr("Stopping the engine…"));
    connect(&d->engine, &Engine::stopped, this, &QWidget::close);
    QTimer::singleShot(15000, this, &QWidget::close);
    d->engine.stop();
}

} // namespace Vigil
