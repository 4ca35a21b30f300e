// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include <QMainWindow>

class QAction;
class QPushButton;
class QTableView;

namespace Vigil {

class AccountTableModel;
class AlertBanner;
class AlertCenter;
class BotTableModel;
class ConnectionStatus;
class ConsoleFeed;
class ConsoleSettings;
class EmergencyStopDialog;
class Engine;
class EventLogModel;
class HaltBar;
class LimitsPanel;
class LogView;
class ModeBanner;
class PnlChart;
class ReconcileReportModel;
class ReconcileView;
struct AccountSnapshot;
struct EmergencyStopReport;
struct ReconcileReport;

// The console: accounts and bots live, the emergency stop always in view, PAPER/REAL, limits, log,
// reconciliation, P/L chart, status bar, tray. Talks only to the Engine facade, on the GUI thread, and
// never waits on it: every engine call returns at once and results come back as signals.
// The engine and the settings must outlive the window.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    MainWindow(Engine &engine, ConsoleSettings &settings, QWidget *parent = nullptr);
    ~MainWindow() override;

    // The pieces, for main() and the widget tests.
    ConsoleFeed *feed() const;
    BotTableModel *botModel() const;
    AccountTableModel *accountModel() const;
    EventLogModel *eventModel() const;
    ReconcileReportModel *reportModel() const;
    QTableView *botView() const;
    QPushButton *emergencyStopButton() const;
    QAction *emergencyStopAction() const;
    QAction *rearmAction() const;
    AlertBanner *alertBanner() const;
    AlertCenter *alertCenter() const;
    HaltBar *haltBar() const;
    ModeBanner *modeBanner() const;
    LogView *logView() const;
    ReconcileView *reconcileView() const;
    ConnectionStatus *connectionStatus() const;
    PnlChart *pnlChart() const;
    LimitsPanel *limitsPanel(const QString &accountId) const;
    // The report window once a report arrived, else nullptr.
    EmergencyStopDialog *reportDialog() const;
    QString selectedBotId() const;
    void selectBot(const QString &botId);
    // Whether the kill switch also works while other programs have focus, or why not.
    QString systemHotkeyStatus() const;
    // How many emergency stops were triggered and have not reported back yet.
    int pendingStops() const;

public Q_SLOTS:
    // The kill switch: Engine::emergencyStop() first, everything else after. Never asks for confirmation.
    void triggerEmergencyStop();
    void stopAccount(const QString &accountId);
    void rearm(const QString &accountId = {});
    void setKillSwitchShortcut(const QKeySequence &shortcut);
    void showSettings();
    void addBot();
    void editBot();
    void removeBot();

Q_SIGNALS:
    void emergencyStopTriggered(quint64 stopId);
    // The bot configuration in the settings changed (applies when the engine restarts).
    void botConfigChanged();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildUi();
    void buildActions();
    void connectEngine();
    void onSnapshots(const QList<Vigil::AccountSnapshot> &changed);
    void onReport(const EmergencyStopReport &report);
    void updateHaltState();
    void updateOverallState();
    void updateBotActions();
    void showReportDialog();
    void showBotMenu(const QPoint &pos);
    void showAccountMenu(const QPoint &pos);
    void noteRestartNeeded(const QString &why);
    void showStatusMessage(const QString &text);

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Vigil
