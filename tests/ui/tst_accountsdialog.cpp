// SPDX-License-Identifier: GPL-3.0-or-later
// The Accounts dialog against a simulator on loopback (this test's thread) and, for revocation, a real-mode
// engine trading on it: tokens are authorized off the GUI thread, stored only in the SecretStore, refused
// without `trade`, warned about with `admin`, and revoked everywhere (server, sessions, bots, store).
#include <memory>
#include <optional>

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QFile>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "accounts/memorysecretstore.h"
#include "accounts/secretstore.h"
#include "engine/engine.h"
#include "engine/localexecutionlocks.h"
#include "sim/simserver.h"
#include "ui/accountlistmodel.h"
#include "ui/accountsdialog.h"
#include "ui/accounttablemodel.h"
#include "ui/consolefeed.h"
#include "ui/consolesettings.h"
#include "ui/mainwindow.h"
#include "ui/tokenprobe.h"

using namespace Vigil;

namespace {
const QString kTradeToken = QStringLiteral("TradeOnlyToken01");
const QString kAdminToken = QStringLiteral("AdminScopeToken01");
const QString kReadToken = QStringLiteral("ReadOnlyToken001");
constexpr int kAsyncMs = 30000;

QUrl endpointOf(const QUrl &simUrl)
{
    QUrl u = simUrl;
    u.setQuery(QString());
    return u;
}
} // namespace

class TestAccountsDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void addingAValidTokenStoresItAndShowsTheAccount();
    void tokenWithoutTradeIsRefused();
    void adminScopeWarns();
    void badTokensGetClearErrors_data();
    void badTokensGetClearErrors();
    void duplicateAccountIdIsRefused();
    void keychainUnavailableIsReported();
    void noKeychainAtAllIsReported();
    void demoAccountIsNotRevocable();
    void revokeDeletesOnTheServerHaltsTheBotsAndForgetsTheToken();
    void revokeOfAnAccountNotRunning();
    void tokenDeletedOnTheServerLeavesTheStore();
    void mainWindowOpensTheDialogAndNotesTheRestart();
    void addedAccountTradesWithoutRestart();
    void removeWaitsForTheBotsThenForgetsTheAccountEverywhere();
    void removeOfAnAccountTheEngineDoesNotRun();

private:
    void add(const QString &id, const QString &token);
    // Starts the engine in real mode on the simulator with account "live" (the admin token) and one bot.
    void startEngineWithLiveAccount();
    std::unique_ptr<AccountsDialog> makeDialog(SecretStore *store);
    // startEngineWithLiveAccount(), then m_window (replacing m_dialog) with its Accounts dialog open.
    void openWindowOnLiveEngine();
    // A bot of the paper default's first kind, on `account`.
    static Result<BotConfig> botOn(const QString &account, const QString &botId, bool enabled);
    // Selects the account's row in the dialog's table.
    static void select(AccountsDialog *dialog, const QString &accountId);
    // Clicks Remove… for the selected row and confirms (or cancels) the box.
    static void clickRemove(AccountsDialog *dialog, bool confirm);
    // The simulator answers InvalidToken to an authorize with `token`.
    void verifyRefusedByTheServer(const QString &token);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Sim::SimServer> m_sim;
    QString m_tradeLogin;
    QString m_adminLogin;
    QString m_readLogin;
    std::unique_ptr<MemorySecretStore> m_store;
    std::unique_ptr<ConsoleSettings> m_settings;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<AccountsDialog> m_dialog;
    std::unique_ptr<MainWindow> m_window;
};

void TestAccountsDialog::init()
{
    qRegisterMetaType<AccountSnapshot>();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_sim = std::make_unique<Sim::SimServer>();
    QVERIFY(m_sim->listen().ok());
    const Money balance = Money::fromMinor(10'000'00);
    auto account = [this, balance](const QString &token, const QStringList &scopes) {
        Result<QString> login = m_sim->addAccount(token, QStringLiteral("USD"), balance, scopes, false);
        return login.ok() ? login.value() : QString();
    };
    m_tradeLogin = account(kTradeToken, {QStringLiteral("read"), QStringLiteral("trade")});
    m_adminLogin = account(kAdminToken, {QStringLiteral("read"), QStringLiteral("trade"), QStringLiteral("admin")});
    m_readLogin = account(kReadToken, {QStringLiteral("read")});
    QVERIFY(!m_tradeLogin.isEmpty() && !m_adminLogin.isEmpty() && !m_readLogin.isEmpty());

    m_store = std::make_unique<MemorySecretStore>();
    m_settings = std::make_unique<ConsoleSettings>(
        std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("vigil.ini")), QSettings::IniFormat));
    // Paper mode now, the simulator chosen as the Deriv endpoint for the next start: tokens are checked there.
    QVERIFY(m_settings->setEndpoint(endpointOf(m_sim->url())).ok());
    m_settings->setAppId(QStringLiteral("1089"));

    Engine::Options options;
    options.dataDir = m_dir->path();
    options.instanceId = QStringLiteral("tst-accounts");
    options.locks = std::make_shared<LocalExecutionLocks>();
    MemorySecretStore *store = m_store.get();
    options.tokenResolver = [this, store](const AccountConfig &a, std::function<void(Result<QString>)> done) {
        store->readSecret(a.token.ref, this, [done](Result<QString> token) { done(std::move(token)); });
    };
    m_engine = std::make_unique<Engine>(options);
    m_dialog = makeDialog(m_store.get());
}

std::unique_ptr<AccountsDialog> TestAccountsDialog::makeDialog(SecretStore *store)
{
    auto dialog = std::make_unique<AccountsDialog>(*m_engine, *m_settings, store);
    dialog->probe()->setTimeoutMs(20000);
    return dialog;
}

void TestAccountsDialog::verifyRefusedByTheServer(const QString &token)
{
    std::optional<Result<AccountInfo>> probed;
    m_dialog->probe()->authorize(m_sim->url(), token, this, [&probed](Result<AccountInfo> r) { probed = std::move(r); });
    QTRY_VERIFY_WITH_TIMEOUT(probed.has_value(), kAsyncMs);
    QVERIFY(!probed->ok());
    QCOMPARE(probed->error().code, QStringLiteral("InvalidToken"));
}

void TestAccountsDialog::cleanup()
{
    m_window.reset();
    m_dialog.reset();
    if (m_engine && m_engine->isRunning()) {
        QSignalSpy stopped(m_engine.get(), &Engine::stopped);
        m_engine->stop();
        QVERIFY(stopped.wait(20000));
    }
    m_engine.reset();
    m_settings.reset();
    m_store.reset();
    m_sim.reset();
    m_dir.reset();
}

void TestAccountsDialog::add(const QString &id, const QString &token)
{
    m_dialog->addAccount(id, token);
    QTRY_VERIFY_WITH_TIMEOUT(!m_dialog->isAdding(), kAsyncMs);
}

void TestAccountsDialog::addingAValidTokenStoresItAndShowsTheAccount()
{
    QSignalSpy added(m_dialog.get(), &AccountsDialog::accountAdded);
    QSignalSpy changed(m_dialog.get(), &AccountsDialog::configChanged);
    m_dialog->tokenEdit()->setText(kTradeToken);
    QCOMPARE(m_dialog->tokenEdit()->echoMode(), QLineEdit::Password);
    m_dialog->accountIdEdit()->setText(QStringLiteral("real-1"));
    QTest::mouseClick(m_dialog->submitButton(), Qt::LeftButton);
    // The click returned before any answer: the check runs on the probe's worker.
    QVERIFY(m_dialog->isAdding());
    QVERIFY(!m_dialog->submitButton()->isEnabled());
    QCOMPARE(m_store->keys(), QStringList());
    QTRY_VERIFY_WITH_TIMEOUT(!m_dialog->isAdding(), kAsyncMs);

    QVERIFY2(m_dialog->messageKind() == AccountsDialog::MessageKind::Info, qPrintable(m_dialog->messageText()));
    QCOMPARE(added.count(), 1);
    QCOMPARE(changed.count(), 1);
    const QString key = QStringLiteral("token:") + m_tradeLogin;
    QCOMPARE(m_store->keys(), QStringList{key});
    QVERIFY(m_dialog->tokenEdit()->text().isEmpty());

    const AccountListModel::Entry *e = m_dialog->model()->entry(QStringLiteral("real-1"));
    QVERIFY(e);
    QCOMPARE(e->loginId, m_tradeLogin);
    QCOMPARE(e->currency, QStringLiteral("USD"));
    QCOMPARE(e->scopes.names(), (QStringList{QStringLiteral("read"), QStringLiteral("trade")}));
    QVERIFY(e->tokenRef.startsWith(QStringLiteral("tok_")));
    QVERIFY(m_dialog->messageText().contains(m_tradeLogin));

    // In the configuration as a keychain reference; the token itself nowhere in the settings or the table.
    bool found = false;
    for (const AccountConfig &a : m_settings->accounts()) {
        if (a.id == QLatin1String("real-1")) {
            found = true;
            QCOMPARE(a.token.kind, TokenSource::Kind::Keychain);
            QCOMPARE(a.token.ref, key);
        }
    }
    QVERIFY(found);
    m_settings->sync();
    QFile ini(m_dir->filePath(QStringLiteral("vigil.ini")));
    QVERIFY(ini.open(QIODevice::ReadOnly));
    QVERIFY(!ini.readAll().contains(kTradeToken.toUtf8()));
    AccountListModel *model = m_dialog->model();
    for (int r = 0; r < model->rowCount(); ++r) {
        for (int c = 0; c < model->columnCount(); ++c) {
            for (int role : {int(Qt::DisplayRole), int(Qt::ToolTipRole)})
                QVERIFY(!model->index(r, c).data(role).toString().contains(kTradeToken));
        }
    }
}

void TestAccountsDialog::tokenWithoutTradeIsRefused()
{
    QSignalSpy added(m_dialog.get(), &AccountsDialog::accountAdded);
    add(QStringLiteral("reader"), kReadToken);
    QCOMPARE(m_dialog->messageKind(), AccountsDialog::MessageKind::Error);
    QVERIFY2(m_dialog->messageText().contains(QStringLiteral("'trade'")), qPrintable(m_dialog->messageText()));
    QCOMPARE(added.count(), 0);
    QCOMPARE(m_store->keys(), QStringList());
    QVERIFY(!m_settings->accountIds().contains(QStringLiteral("reader")));
    QCOMPARE(m_dialog->model()->rowOf(QStringLiteral("reader")), -1);
}

void TestAccountsDialog::adminScopeWarns()
{
    add(QStringLiteral("admin-1"), kAdminToken);
    QCOMPARE(m_dialog->messageKind(), AccountsDialog::MessageKind::Warning);
    QVERIFY2(m_dialog->messageText().contains(QStringLiteral("'admin'")), qPrintable(m_dialog->messageText()));
    QVERIFY(m_store->contains(QStringLiteral("token:") + m_adminLogin));
    const AccountListModel::Entry *e = m_dialog->model()->entry(QStringLiteral("admin-1"));
    QVERIFY(e);
    QVERIFY(e->scopes.has(TokenScopes::Scope::Admin));
    QCOMPARE(e->warnings.size(), 1);
}

void TestAccountsDialog::badTokensGetClearErrors_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty") << QString() << QStringLiteral("empty");
    QTest::newRow("garbage characters") << QStringLiteral("not a token!") << QStringLiteral("letters, digits");
    QTest::newRow("unknown to the server") << QStringLiteral("NoSuchTokenHere1") << QStringLiteral("InvalidToken");
}

void TestAccountsDialog::badTokensGetClearErrors()
{
    QFETCH(QString, token);
    QFETCH(QString, expected);
    add(QStringLiteral("bad"), token);
    QCOMPARE(m_dialog->messageKind(), AccountsDialog::MessageKind::Error);
    QVERIFY2(m_dialog->messageText().contains(expected), qPrintable(m_dialog->messageText()));
    QCOMPARE(m_store->keys(), QStringList());
    QVERIFY(!m_settings->accountIds().contains(QStringLiteral("bad")));
}

void TestAccountsDialog::duplicateAccountIdIsRefused()
{
    // "demo" is in the default configuration; refused before anything is sent or stored.
    m_dialog->addAccount(QStringLiteral("demo"), kTradeToken);
    QVERIFY(!m_dialog->isAdding());
    QCOMPARE(m_dialog->messageKind(), AccountsDialog::MessageKind::Error);
    QVERIFY(m_dialog->messageText().contains(QStringLiteral("already configured")));
    QCOMPARE(m_store->operationCount(), 0);

    // The same login under a second id is refused too (one keychain entry per login).
    add(QStringLiteral("first"), kTradeToken);
    QCOMPARE(m_dialog->messageKind(), AccountsDialog::MessageKind::Info);
    add(QStringLiteral("second"), kTradeToken);
    QCOMPARE(m_dialog->messageKind(), AccountsDialog::MessageKind::Error);
    QVERIFY2(m_dialog->messageText().contains(m_tradeLogin), qPrintable(m_dialog->messageText()));
    QVERIFY(!m_settings->accountIds().contains(QStringLiteral("second")));
}

void TestAccountsDialog::keychainUnavailableIsReported()
{
    const Error unavailable = SecretStore::unavailable(QStringLiteral("no Secret Service on the session bus: start gnome-keyring"));
    m_store->failWith(unavailable);
    add(QStringLiteral("real-1"), kTradeToken);
    QCOMPARE(m_dialog->messageKind(), AccountsDialog::MessageKind::Error);
    QVERIFY2(m_dialog->messageText().contains(unavailable.message), qPrintable(m_dialog->messageText()));
    QVERIFY(!m_settings->accountIds().contains(QStringLiteral("real-1")));
    m_store->failWith(std::nullopt);
    QCOMPARE(m_store->keys(), QStringList());
}

void TestAccountsDialog::noKeychainAtAllIsReported()
{
    m_dialog = makeDialog(nullptr);
    m_dialog->addAccount(QStringLiteral("real-1"), kTradeToken);
    QVERIFY(!m_dialog->isAdding());
    QCOMPARE(m_dialog->messageKind(), AccountsDialog::MessageKind::Error);
    QVERIFY(m_dialog->messageText().contains(QStringLiteral("keychain")));
    QVERIFY(!m_settings->accountIds().contains(QStringLiteral("real-1")));
}

void TestAccountsDialog::demoAccountIsNotRevocable()
{
    AccountListModel *model = m_dialog->model();
    const int row = model->rowOf(QStringLiteral("demo"));
    QVERIFY(row >= 0);
    QCOMPARE(model->index(row, 0).data(AccountListModel::RevocableRole).toBool(), false);
    QVERIFY(model->index(row, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("simulator")));
    m_dialog->view()->setCurrentIndex(model->index(row, 0));
    QVERIFY(!m_dialog->revokeButton()->isEnabled());
    QVERIFY(m_dialog->revokeButton()->toolTip().contains(QStringLiteral("simulator")));
    m_dialog->revoke(QStringLiteral("demo"), true);
    QCOMPARE(m_dialog->messageKind(), AccountsDialog::MessageKind::Error);
    QCOMPARE(model->entry(QStringLiteral("demo"))->state, AccountListModel::State::Unchecked);
}

void TestAccountsDialog::startEngineWithLiveAccount()
{
    bool stored = false;
    m_store->writeSecret(QStringLiteral("token:") + m_adminLogin, kAdminToken, this, [&stored](Result<void> r) { stored = r.ok(); });
    QTRY_VERIFY(stored);

    QJsonObject json = EngineConfig::paperDefaultJson();
    json.insert(QStringLiteral("accounts"),
                QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("live")},
                                       {QStringLiteral("token"),
                                        QJsonObject{{QStringLiteral("keychain"), QString(QStringLiteral("token:") + m_adminLogin)}}}}});
    QJsonArray bots;
    for (const QJsonValue &b : json.value(QLatin1String("bots")).toArray()) {
        QJsonObject bot = b.toObject();
        bot.insert(QStringLiteral("account"), QStringLiteral("live"));
        bots.append(bot);
    }
    json.insert(QStringLiteral("bots"), bots);
    json.insert(QStringLiteral("endpoint"), endpointOf(m_sim->url()).toString());
    json.insert(QStringLiteral("app_id"), QStringLiteral("1089"));
    json.insert(QStringLiteral("journal"), m_dir->filePath(QStringLiteral("journal.db")));
    Result<EngineConfig> config = EngineConfig::fromJson(json);
    QVERIFY2(config.ok(), qPrintable(config.ok() ? QString() : config.error().message));
    const Result<void> started = m_engine->start(config.value());
    QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().message));
    QTRY_VERIFY_WITH_TIMEOUT(m_engine->loginId(QStringLiteral("live")) == m_adminLogin, kAsyncMs);
}

void TestAccountsDialog::revokeDeletesOnTheServerHaltsTheBotsAndForgetsTheToken()
{
    QSignalSpy snapshots(m_engine.get(), &Engine::accountUpdated);
    startEngineWithLiveAccount();
    if (QTest::currentTestFailed())
        return;
    QTRY_VERIFY_WITH_TIMEOUT(!snapshots.isEmpty() && !snapshots.last().at(0).value<AccountSnapshot>().bots.isEmpty()
                                 && snapshots.last().at(0).value<AccountSnapshot>().bots.first().state == BotState::Running,
                             kAsyncMs);
    m_dialog->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_dialog.get()));
    const AccountListModel::Entry *live = m_dialog->model()->entry(QStringLiteral("live"));
    QVERIFY(live);
    QVERIFY(AccountListModel::isRevocable(*live));
    // Opening the dialog checks the stored token: its scopes show.
    QTRY_VERIFY_WITH_TIMEOUT(m_dialog->model()->entry(QStringLiteral("live"))->state == AccountListModel::State::Ok, kAsyncMs);
    QVERIFY(m_dialog->model()->entry(QStringLiteral("live"))->scopes.has(TokenScopes::Scope::Admin));

    // Cancelling the confirmation changes nothing.
    m_dialog->confirmRevoke(QStringLiteral("live"));
    auto *box = m_dialog->findChild<QMessageBox *>(QStringLiteral("revokeConfirmation"));
    QVERIFY(box);
    auto *onServer = box->findChild<QCheckBox *>(QStringLiteral("deleteOnServerCheck"));
    QVERIFY(onServer);
    QVERIFY(onServer->isChecked());
    box->button(QMessageBox::Cancel)->click();
    QTest::qWait(50);
    QCOMPARE(m_dialog->model()->entry(QStringLiteral("live"))->state, AccountListModel::State::Ok);
    QVERIFY(m_store->contains(QStringLiteral("token:") + m_adminLogin));

    QSignalSpy revoked(m_engine.get(), &Engine::tokenRevoked);
    QSignalSpy dialogRevoked(m_dialog.get(), &AccountsDialog::accountRevoked);
    m_dialog->confirmRevoke(QStringLiteral("live"));
    QTRY_VERIFY(m_dialog->findChild<QMessageBox *>(QStringLiteral("revokeConfirmation")));
    box = m_dialog->findChild<QMessageBox *>(QStringLiteral("revokeConfirmation"));
    auto *yes = box->findChild<QPushButton *>(QStringLiteral("confirmRevokeButton"));
    QVERIFY(yes);
    yes->click();

    QTRY_COMPARE_WITH_TIMEOUT(dialogRevoked.count(), 1, kAsyncMs);
    QCOMPARE(revoked.count(), 1);
    QCOMPARE(revoked.first().at(0).toString(), QStringLiteral("live"));
    QCOMPARE(m_dialog->model()->entry(QStringLiteral("live"))->state, AccountListModel::State::Revoked);
    QVERIFY(!m_store->contains(QStringLiteral("token:") + m_adminLogin));
    QVERIFY2(m_dialog->messageKind() == AccountsDialog::MessageKind::Info, qPrintable(m_dialog->messageText()));

    // The engine halted the account's bots with TokenRevoked.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&snapshots] {
            const QList<BotSnapshot> bots = snapshots.last().at(0).value<AccountSnapshot>().bots;
            for (const BotSnapshot &b : bots) {
                if (b.state != BotState::Halted || b.reason.halt != HaltReason::TokenRevoked)
                    return false;
            }
            return !bots.isEmpty();
        }(),
        kAsyncMs);

    // Deleted on the server: the simulator refuses it now.
    verifyRefusedByTheServer(kAdminToken);
}

void TestAccountsDialog::revokeOfAnAccountNotRunning()
{
    add(QStringLiteral("trade-only"), kTradeToken);
    add(QStringLiteral("admin-1"), kAdminToken);
    QVERIFY(m_store->contains(QStringLiteral("token:") + m_tradeLogin));

    // Deriv deletes tokens only for a token with the admin scope: refused, and the token is kept for a retry.
    m_dialog->revoke(QStringLiteral("trade-only"), true);
    QTRY_VERIFY_WITH_TIMEOUT(m_dialog->model()->entry(QStringLiteral("trade-only"))->state == AccountListModel::State::Problem, kAsyncMs);
    QCOMPARE(m_dialog->messageKind(), AccountsDialog::MessageKind::Error);
    QVERIFY2(m_dialog->messageText().contains(QStringLiteral("not deleted on Deriv")), qPrintable(m_dialog->messageText()));
    QVERIFY(m_store->contains(QStringLiteral("token:") + m_tradeLogin));

    // Without deleting on the server: it just leaves the store.
    m_dialog->revoke(QStringLiteral("trade-only"), false);
    QTRY_VERIFY_WITH_TIMEOUT(m_dialog->model()->entry(QStringLiteral("trade-only"))->state == AccountListModel::State::Revoked, kAsyncMs);
    QVERIFY(!m_store->contains(QStringLiteral("token:") + m_tradeLogin));

    // With the admin scope: deleted on the server, then removed from the store.
    m_dialog->revoke(QStringLiteral("admin-1"), true);
    QTRY_VERIFY_WITH_TIMEOUT(m_dialog->model()->entry(QStringLiteral("admin-1"))->state == AccountListModel::State::Revoked, kAsyncMs);
    QVERIFY(!m_store->contains(QStringLiteral("token:") + m_adminLogin));
    verifyRefusedByTheServer(kAdminToken);
}

void TestAccountsDialog::tokenDeletedOnTheServerLeavesTheStore()
{
    // Deleted on Deriv's side while it trades: the engine learns it (InvalidToken), halts the bots and the
    // dialog clears the keychain entry without being asked.
    QSignalSpy dialogRevoked(m_dialog.get(), &AccountsDialog::accountRevoked);
    startEngineWithLiveAccount();
    if (QTest::currentTestFailed())
        return;
    QVERIFY(m_store->contains(QStringLiteral("token:") + m_adminLogin));
    QVERIFY(m_sim->deleteToken(kAdminToken));
    QTRY_COMPARE_WITH_TIMEOUT(dialogRevoked.count(), 1, 120000);
    QCOMPARE(dialogRevoked.first().at(0).toString(), QStringLiteral("live"));
    QCOMPARE(m_dialog->model()->entry(QStringLiteral("live"))->state, AccountListModel::State::Revoked);
    QVERIFY(!m_store->contains(QStringLiteral("token:") + m_adminLogin));
}

void TestAccountsDialog::mainWindowOpensTheDialogAndNotesTheRestart()
{
    m_dialog.reset();
    MainWindow window(*m_engine, *m_settings);
    window.setSecretStore(m_store.get());
    QAction *action = window.accountsAction();
    QVERIFY(action);
    bool inFileMenu = false;
    for (QAction *menu : window.menuBar()->actions()) {
        if (menu->menu() && menu->menu()->actions().contains(action))
            inFileMenu = true;
    }
    QVERIFY(inFileMenu);
    action->trigger();
    AccountsDialog *dialog = window.accountsDialog();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->model()->rowOf(QStringLiteral("demo")) >= 0);

    dialog->probe()->setTimeoutMs(20000);
    dialog->addAccount(QStringLiteral("real-1"), kTradeToken);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isAdding(), kAsyncMs);
    QVERIFY2(dialog->messageKind() == AccountsDialog::MessageKind::Info, qPrintable(dialog->messageText()));
    auto *note = window.findChild<QLabel *>(QStringLiteral("restartNote"));
    QVERIFY(note);
    QVERIFY(!note->isHidden());
    QVERIFY(note->text().contains(QStringLiteral("real-1")));
}

void TestAccountsDialog::addedAccountTradesWithoutRestart()
{
    // The engine trades on the endpoint the token is checked against: the account joins it at once.
    openWindowOnLiveEngine();
    if (QTest::currentTestFailed())
        return;
    MainWindow &window = *m_window;
    AccountsDialog *dialog = window.accountsDialog();
    QSignalSpy applied(m_engine.get(), &Engine::accountChangeApplied);
    QSignalSpy configChanged(dialog, &AccountsDialog::configChanged);

    dialog->accountIdEdit()->setText(QStringLiteral("real-1"));
    dialog->tokenEdit()->setText(kTradeToken);
    QTest::mouseClick(dialog->submitButton(), Qt::LeftButton);
    QVERIFY(dialog->isAdding()); // nothing waited on the GUI thread
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isAdding(), kAsyncMs);
    QVERIFY2(dialog->messageKind() == AccountsDialog::MessageKind::Info, qPrintable(dialog->messageText()));

    QTRY_COMPARE_WITH_TIMEOUT(dialog->model()->entry(QStringLiteral("real-1"))->status, QStringLiteral("trading"), kAsyncMs);
    QCOMPARE(applied.size(), 1);
    QCOMPARE(applied.first().at(0).toString(), QStringLiteral("real-1"));
    QCOMPARE(m_engine->loginId(QStringLiteral("real-1")), m_tradeLogin);
    QVERIFY2(dialog->messageText().contains(QStringLiteral("trading now")), qPrintable(dialog->messageText()));
    QVERIFY(!dialog->messageText().contains(QStringLiteral("Restart")));
    QCOMPARE(configChanged.size(), 0);
    auto *note = window.findChild<QLabel *>(QStringLiteral("restartNote"));
    QVERIFY(note);
    QVERIFY(note->isHidden());
    // In the main window's account table too, and a bot on it trades on the server.
    QTRY_VERIFY_WITH_TIMEOUT(window.accountModel()->rowCount() == 2, kAsyncMs);
    Result<BotConfig> bot = botOn(QStringLiteral("real-1"), QStringLiteral("on-real-1"), true);
    QVERIFY(bot.ok());
    QVERIFY(m_engine->addBot(bot.value()).ok());
    QTRY_VERIFY_WITH_TIMEOUT(m_sim->accountStats(m_tradeLogin).buysReceived >= 1, 60000);
    QVERIFY(note->isHidden());
}

void TestAccountsDialog::select(AccountsDialog *dialog, const QString &accountId)
{
    const int row = dialog->model()->rowOf(accountId);
    QVERIFY(row >= 0);
    dialog->view()->setCurrentIndex(dialog->model()->index(row, 0));
}

void TestAccountsDialog::clickRemove(AccountsDialog *dialog, bool confirm)
{
    QVERIFY(dialog->removeButton()->isEnabled());
    QTest::mouseClick(dialog->removeButton(), Qt::LeftButton);
    auto *box = dialog->findChild<QMessageBox *>(QStringLiteral("removeConfirmation"));
    QVERIFY(box);
    // It says what happens to the token: gone from the keychain, still valid on Deriv until revoked.
    QVERIFY2(box->text().contains(QStringLiteral("keychain")) && box->text().contains(QStringLiteral("stays valid on Deriv"))
                 && box->text().contains(QStringLiteral("Revoke")),
             qPrintable(box->text()));
    QCOMPARE(box->defaultButton(), box->button(QMessageBox::Cancel));
    QPointer<QMessageBox> open(box);
    auto *yes = box->findChild<QPushButton *>(QStringLiteral("confirmRemoveButton"));
    QVERIFY(yes);
    (confirm ? static_cast<QAbstractButton *>(yes) : box->button(QMessageBox::Cancel))->click();
    // Closed and deleted, so that the next click finds its own box.
    QTRY_VERIFY(open.isNull());
}

void TestAccountsDialog::openWindowOnLiveEngine()
{
    startEngineWithLiveAccount();
    if (QTest::currentTestFailed())
        return;
    m_dialog.reset();
    m_window = std::make_unique<MainWindow>(*m_engine, *m_settings);
    m_window->setSecretStore(m_store.get());
    m_window->accountsAction()->trigger();
    QVERIFY(m_window->accountsDialog());
    m_window->accountsDialog()->probe()->setTimeoutMs(20000);
}

Result<BotConfig> TestAccountsDialog::botOn(const QString &account, const QString &botId, bool enabled)
{
    QJsonObject botJson = EngineConfig::paperDefaultJson().value(QLatin1String("bots")).toArray().first().toObject();
    botJson.insert(QStringLiteral("id"), botId);
    botJson.insert(QStringLiteral("account"), account);
    botJson.insert(QStringLiteral("enabled"), enabled);
    return BotConfig::fromJson(botJson, QStringLiteral("bot"));
}

void TestAccountsDialog::removeWaitsForTheBotsThenForgetsTheAccountEverywhere()
{
    openWindowOnLiveEngine();
    if (QTest::currentTestFailed())
        return;
    MainWindow &window = *m_window;
    AccountsDialog *dialog = window.accountsDialog();
    QAbstractItemModelTester dialogTester(dialog->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester windowTester(window.accountModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QString id = QStringLiteral("real-1");
    const QString key = QStringLiteral("token:") + m_tradeLogin;

    // An account the engine takes at once, and a bot for it (disabled: it never holds a contract).
    dialog->addAccount(id, kTradeToken);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isAdding(), kAsyncMs);
    QTRY_COMPARE_WITH_TIMEOUT(dialog->model()->entry(id)->status, QStringLiteral("trading"), kAsyncMs);
    QTRY_VERIFY_WITH_TIMEOUT(window.accountModel()->rowOf(id) >= 0, kAsyncMs);
    Result<BotConfig> bot = botOn(id, QStringLiteral("on-real-1"), false);
    QVERIFY(bot.ok());
    QSignalSpy botApplied(m_engine.get(), &Engine::botChangeApplied);

    QSignalSpy applied(m_engine.get(), &Engine::accountChangeApplied);
    QSignalSpy removed(dialog, &AccountsDialog::accountRemoved);
    auto verifyNothingRemoved = [&] {
        QVERIFY(dialog->model()->entry(id));
        QCOMPARE(dialog->model()->entry(id)->status, QStringLiteral("trading"));
        QVERIFY(m_settings->accountIds().contains(id));
        QVERIFY(m_store->contains(key));
        QVERIFY(m_engine->config().account(id));
        QCOMPARE(m_engine->loginId(id), m_tradeLogin);
        QVERIFY(window.accountModel()->rowOf(id) >= 0);
        QCOMPARE(applied.size(), 0);
        QCOMPARE(removed.size(), 0);
    };
    // Remove… is refused because of the bot, with the reason in the message line, and nothing changes.
    auto verifyRefusedForTheBot = [&] {
        clickRemove(dialog, true);
        QCOMPARE(dialog->messageKind(), AccountsDialog::MessageKind::Error);
        QVERIFY2(dialog->messageText().contains(QStringLiteral("still has bots (on-real-1)")), qPrintable(dialog->messageText()));
        QTest::qWait(200);
        verifyNothingRemoved();
    };

    // The demo account of paper mode has no Remove; a Deriv account has.
    select(dialog, QStringLiteral("demo"));
    QVERIFY(!dialog->removeButton()->isEnabled());
    select(dialog, id);
    // Cancelled: nothing changes.
    clickRemove(dialog, false);
    QTest::qWait(50);
    verifyNothingRemoved();

    // The bot is saved for the next start (not in the engine): the settings refuse before the engine is asked.
    QVERIFY(m_settings->saveBot(bot.value()).ok());
    verifyRefusedForTheBot();

    // The bot runs in the engine (and no longer in the settings): the engine refuses with its reason.
    QVERIFY(m_settings->removeBot(QStringLiteral("on-real-1")).ok());
    QVERIFY(m_engine->addBot(bot.value()).ok());
    QTRY_COMPARE_WITH_TIMEOUT(botApplied.size(), 1, kAsyncMs);
    verifyRefusedForTheBot();

    // Bot gone: the account goes, asynchronously, from the engine, the settings, the keychain and both tables.
    QVERIFY(m_engine->removeBot(QStringLiteral("on-real-1")).ok());
    QTRY_COMPARE_WITH_TIMEOUT(botApplied.size(), 2, kAsyncMs);
    QVERIFY(m_engine->config().bots.size() > 0); // the live account's bots keep trading
    clickRemove(dialog, true);
    QCOMPARE(dialog->model()->entry(id)->status, QStringLiteral("removing…")); // nothing waited on the GUI thread
    QVERIFY(!dialog->removeButton()->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(removed.size(), 1, kAsyncMs);
    QCOMPARE(applied.size(), 1);
    QCOMPARE(applied.first().at(0).toString(), id);
    QCOMPARE(applied.first().at(1).toString(), QStringLiteral("remove"));
    QVERIFY2(dialog->messageKind() == AccountsDialog::MessageKind::Info, qPrintable(dialog->messageText()));
    QVERIFY2(dialog->messageText().contains(QStringLiteral("stays valid on Deriv")), qPrintable(dialog->messageText()));
    QCOMPARE(dialog->model()->rowOf(id), -1);
    QVERIFY(!m_settings->accountIds().contains(id));
    QVERIFY(!m_store->contains(key));
    QVERIFY(m_store->contains(QStringLiteral("token:") + m_adminLogin));
    QVERIFY(!m_engine->config().account(id));
    QVERIFY(m_engine->loginId(id).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->accountStats(m_tradeLogin).sessions, 0, kAsyncMs);
    QCOMPARE(window.accountModel()->rowOf(id), -1);
    // No late snapshot brings the row back; the other account is still there.
    QTest::qWait(500);
    QCOMPARE(window.accountModel()->rowOf(id), -1);
    QVERIFY(!window.feed()->account(id));
    QVERIFY(window.accountModel()->rowOf(QStringLiteral("live")) >= 0);
    QVERIFY(m_engine->config().account(QStringLiteral("live")));
}

void TestAccountsDialog::removeOfAnAccountTheEngineDoesNotRun()
{
    // Paper engine not started, a Deriv account saved for the next start: removed from the settings and the
    // keychain at once, no engine involved.
    QAbstractItemModelTester tester(m_dialog->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    add(QStringLiteral("real-1"), kTradeToken);
    const QString key = QStringLiteral("token:") + m_tradeLogin;
    QVERIFY(m_store->contains(key));
    QVERIFY(m_settings->accountIds().contains(QStringLiteral("real-1")));
    QSignalSpy removed(m_dialog.get(), &AccountsDialog::accountRemoved);

    select(m_dialog.get(), QStringLiteral("demo"));
    QVERIFY(!m_dialog->removeButton()->isEnabled());
    m_dialog->remove(QStringLiteral("demo"));
    QCOMPARE(m_dialog->messageKind(), AccountsDialog::MessageKind::Error);
    QVERIFY(m_settings->accountIds().contains(QStringLiteral("demo")));

    select(m_dialog.get(), QStringLiteral("real-1"));
    clickRemove(m_dialog.get(), true);
    QTRY_COMPARE_WITH_TIMEOUT(removed.size(), 1, kAsyncMs);
    QCOMPARE(m_dialog->model()->rowOf(QStringLiteral("real-1")), -1);
    QVERIFY(m_dialog->model()->rowOf(QStringLiteral("demo")) >= 0);
    QVERIFY(!m_settings->accountIds().contains(QStringLiteral("real-1")));
    QVERIFY(!m_store->contains(key));
    QVERIFY2(m_dialog->messageKind() == AccountsDialog::MessageKind::Info, qPrintable(m_dialog->messageText()));
    // Persisted: a new settings object over the same file agrees.
    m_settings->sync();
    ConsoleSettings reread(std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("vigil.ini")), QSettings::IniFormat));
    QVERIFY(!reread.accountIds().contains(QStringLiteral("real-1")));
}

QTEST_MAIN(TestAccountsDialog)
#include "tst_accountsdialog.moc"
