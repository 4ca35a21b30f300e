// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include <QMainWindow>

class QAction;
class QPushButton;
class QTableView;

namespace Vigil {

class AccountsDialog;
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
class TickChart;
class TradesView;
class SecretStore;
struct AccountSnapshot;
struct BotConfig;
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
    // Where the Accounts dialog keeps API tokens (the OS keychain in the app). Must outlive the window.
    // Without it (the default: no keychain) adding a token fails with a clear error. Call once, early:
    // the dialog is made here and kept, so that it clears revoked tokens from the store all along.
    void setSecretStore(SecretStore *store);
    QAction *accountsAction() const;
    // nullptr until setSecretStore() or the first showAccounts().
    AccountsDialog *accountsDialog() const;
    AlertBanner *alertBanner() const;
    AlertCenter *alertCenter() const;
    HaltBar *haltBar() const;
    ModeBanner *modeBanner() const;
    LogView *logView() const;
    ReconcileView *reconcileView() const;
    TradesView *tradesView() const;
    ConnectionStatus *connectionStatus() const;
    PnlChart *pnlChart() const;
    TickChart *tickChart() const;
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
    // Asks first (a window-modal box, object name "rearmConfirm", default button Cancel): re-arming lets every
    // running bot buy again. Reopens the gates only on "Re-arm".
    void rearm(const QString &accountId = {});
    void setKillSwitchShortcut(const QKeySequence &shortcut);
    void showSettings();
    void showAccounts();
    void addBot();
    void editBot();
    void removeBot();

Q_SIGNALS:
    void emergencyStopTriggered(quint64 stopId);
    // The bot configuration in the settings changed (applied to the running engine where it can be,
    // else when the engine restarts).
    void botConfigChanged();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildUi();
    void buildActions();
    void connectEngine();
    void onSnapshots(const QList<Vigil::AccountSnapshot> &changed);
    // The engine removed the account: its row and limits go.
    void dropAccount(const QString &accountId);
    void onReport(const EmergencyStopReport &report);
    void updateHaltState();
    void updateOverallState();
    void updateBotActions();
    void showReportDialog();
    void showBotMenu(const QPoint &pos);
    void showAccountMenu(const QPoint &pos);
    void noteRestartNeeded(const QString &why);
    // A saved bot goes to the running engine too; what it cannot take now applies at the next start.
    void applyBot(const BotConfig &config, bool added);
    void showStatusMessage(const QString &text);

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Vigil
