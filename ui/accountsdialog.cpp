// SPDX-License-Identifier: GPL-3.0-or-later
#include "accountsdialog.h"

#include <algorithm>
#include <optional>

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include "accounts/accountinfo.h"
#include "accounts/secretstore.h"
#include "accounts/tokenfingerprint.h"
#include "accounts/tokenvault.h"
#include "engine/engine.h"
#include "health/logcategories.h"
#include "ui/accountlistmodel.h"
#include "ui/confirmationbox.h"
#include "ui/consolecolors.h"
#include "ui/consolesettings.h"
#include "ui/iconfactory.h"
#include "ui/tokenprobe.h"

namespace Vigil {

namespace {
// How long a revocation or removal waits for the engine to confirm it.
constexpr int EngineConfirmTimeoutMs = 30000;

QString hostOf(const QUrl &url)
{
    return url.port() > 0 ? QStringLiteral("%1:%2").arg(url.host()).arg(url.port()) : url.host();
}
} // namespace

AccountsDialog::AccountsDialog(Engine &engine, ConsoleSettings &settings, SecretStore *store, QWidget *parent)
    : QDialog(parent), m_engine(engine), m_settings(settings), m_store(store), m_probe(new TokenProbe(this)),
      m_model(new AccountListModel(this)), m_view(new QTableView(this)), m_endpointLabel(new QLabel(this)),
      m_addForm(new QGroupBox(tr("Add an account"), this)), m_idEdit(new QLineEdit(m_addForm)),
      m_tokenEdit(new QLineEdit(m_addForm)), m_submit(new QPushButton(tr("Check and add"), m_addForm)),
      m_add(new QPushButton(IconFactory::action(IconFactory::Action::Add), tr("Add account…"), this)),
      m_revoke(new QPushButton(IconFactory::action(IconFactory::Action::Remove), tr("Revoke…"), this)),
      m_remove(new QPushButton(tr("Remove…"), this)),
      m_check(new QPushButton(IconFactory::action(IconFactory::Action::Reconcile), tr("Check tokens"), this)),
      m_message(new QLabel(this))
{
    setObjectName(QStringLiteral("accountsDialog"));
    setWindowTitle(tr("Vigil accounts"));
    setWindowIcon(IconFactory::app());
    resize(940, 460);
    auto *layout = new QVBoxLayout(this);

    m_endpointLabel->setObjectName(QStringLiteral("endpointLabel"));
    m_endpointLabel->setWordWrap(true);
    layout->addWidget(m_endpointLabel);

    m_view->setObjectName(QStringLiteral("accountListView"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    const std::pair<int, int> widths[] = {{AccountListModel::AccountColumn, 110}, {AccountListModel::LoginColumn, 110},
                                          {AccountListModel::CurrencyColumn, 70},  {AccountListModel::ScopesColumn, 170},
                                          {AccountListModel::SourceColumn, 160},   {AccountListModel::FingerprintColumn, 150}};
    for (const auto &[column, width] : widths)
        m_view->setColumnWidth(column, width);
    layout->addWidget(m_view, 1);

    auto *buttons = new QHBoxLayout;
    m_add->setObjectName(QStringLiteral("addAccountButton"));
    m_revoke->setObjectName(QStringLiteral("revokeButton"));
    m_remove->setObjectName(QStringLiteral("removeAccountButton"));
    m_check->setObjectName(QStringLiteral("checkTokensButton"));
    m_check->setToolTip(tr("Authorize every keychain token again to show its login id, currency and scopes"));
    buttons->addWidget(m_add);
    buttons->addWidget(m_revoke);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    buttons->addWidget(m_check);
    layout->addLayout(buttons);

    m_addForm->setObjectName(QStringLiteral("addAccountForm"));
    auto *form = new QFormLayout(m_addForm);
    m_idEdit->setObjectName(QStringLiteral("accountIdEdit"));
    m_idEdit->setPlaceholderText(tr("the name bots refer to, e.g. real-1"));
    m_tokenEdit->setObjectName(QStringLiteral("tokenEdit"));
    m_tokenEdit->setEchoMode(QLineEdit::Password);
    m_tokenEdit->setPlaceholderText(tr("paste the API token"));
    m_submit->setObjectName(QStringLiteral("submitAccountButton"));
    form->addRow(tr("Account id:"), m_idEdit);
    form->addRow(tr("API token:"), m_tokenEdit);
    auto *hint = new QLabel(tr("Create the token in your Deriv account settings (API token) with the Read and Trade scopes "
                               "only. It is kept in the system keychain, never in Vigil's settings or logs."),
                            m_addForm);
    hint->setWordWrap(true);
    form->addRow(hint);
    form->addRow(m_submit);
    m_addForm->hide();
    layout->addWidget(m_addForm);

    m_message->setObjectName(QStringLiteral("messageLabel"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();
    layout->addWidget(m_message);

    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(close);

    connect(m_add, &QPushButton::clicked, this, &AccountsDialog::showAddForm);
    connect(m_submit, &QPushButton::clicked, this, [this] { addAccount(m_idEdit->text(), m_tokenEdit->text()); });
    connect(m_tokenEdit, &QLineEdit::returnPressed, m_submit, &QPushButton::click);
    connect(m_revoke, &QPushButton::clicked, this, [this] { confirmRevoke(selectedAccountId()); });
    connect(m_remove, &QPushButton::clicked, this, [this] { confirmRemove(selectedAccountId()); });
    connect(m_check, &QPushButton::clicked, this, &AccountsDialog::checkTokens);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &AccountsDialog::updateButtons);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &AccountsDialog::updateButtons);
    // A pasted token stays in the form only while the dialog is open.
    connect(this, &QDialog::finished, m_tokenEdit, &QLineEdit::clear);
    connect(&m_engine, &Engine::tokenRevoked, this, &AccountsDialog::onEngineTokenRevoked);
    connect(&m_engine, &Engine::accountChangeApplied, this, &AccountsDialog::onAccountChangeApplied);
    connect(&m_engine, &Engine::accountChangeRefused, this, &AccountsDialog::onAccountChangeRefused);

    loadAccounts();
    updateButtons();
}

AccountsDialog::~AccountsDialog() = default;

QString AccountsDialog::messageText() const
{
    return m_message->text();
}

QUrl AccountsDialog::probeUrl() const
{
    const EngineConfig &running = m_engine.config();
    if (!running.isPaper()) {
        Result<QUrl> url = running.connectUrl();
        return url ? url.value() : QUrl();
    }
    // Paper now, but a Deriv endpoint chosen for the next start: tokens are meant for that one.
    EngineConfig next;
    next.endpoint = m_settings.endpoint();
    next.appId = m_settings.appId();
    if (!next.isPaper()) {
        Result<QUrl> url = next.connectUrl();
        return url ? url.value() : QUrl();
    }
    return m_engine.simulatorUrl();
}

void AccountsDialog::showEvent(QShowEvent *event)
{
    QDialog::showEvent(event);
    loadAccounts();
    const QUrl url = probeUrl();
    QString where;
    if (url.isEmpty())
        where = tr("Tokens cannot be checked yet: no endpoint is known (the engine has not started).");
    else if (m_engine.config().isPaper() && url == m_engine.simulatorUrl())
        where = tr("Paper mode: tokens are checked against the embedded simulator, which knows no Deriv token. Choose a "
                   "Deriv endpoint in Settings to add a Deriv account.");
    else
        where = tr("Tokens are checked against %1.").arg(hostOf(url));
    where += u' ' + (m_store ? tr("They are stored in the %1.").arg(m_store->describe())
                             : tr("No keychain is available in this build: tokens cannot be stored."));
    m_endpointLabel->setText(where);
    if (!m_checked) {
        m_checked = true;
        checkTokens();
    }
}

void AccountsDialog::loadAccounts()
{
    QList<AccountConfig> configs = m_settings.accounts();
    // Accounts the engine runs without them being in the saved configuration (e.g. started with --paper).
    for (const AccountConfig &a : m_engine.config().accounts) {
        const bool known = std::any_of(configs.cbegin(), configs.cend(), [&a](const AccountConfig &c) { return c.id == a.id; });
        if (!known)
            configs.append(a);
    }
    // Rows already shown keep what was learned about them (checks, revocations); new ones are added.
    for (const AccountConfig &a : std::as_const(configs)) {
        if (const AccountListModel::Entry *shown = m_model->entry(a.id)) {
            if (shown->loginId.isEmpty() && !m_engine.loginId(a.id).isEmpty()) {
                AccountListModel::Entry e = *shown;
                e.loginId = m_engine.loginId(a.id);
                m_model->putEntry(e);
            }
            continue;
        }
        AccountListModel::Entry e;
        e.id = a.id;
        e.source = a.token;
        e.loginId = m_engine.loginId(a.id);
        switch (a.token.kind) {
        case TokenSource::Kind::Demo: e.status = tr("simulator account (paper mode)"); break;
        case TokenSource::Kind::Keychain: e.status = tr("not checked yet"); break;
        case TokenSource::Kind::Environment: e.status = tr("token from the environment (not checked here)"); break;
        }
        m_model->putEntry(e);
    }
}

void AccountsDialog::setMessage(MessageKind kind, const QString &text)
{
    m_messageKind = kind;
    m_message->setText(text);
    m_message->setVisible(kind != MessageKind::None);
    QColor color = ConsoleColors::muted();
    if (kind == MessageKind::Error)
        color = ConsoleColors::loss();
    else if (kind == MessageKind::Warning)
        color = ConsoleColors::warning().darker(140);
    m_message->setStyleSheet(QStringLiteral("color: %1;%2")
                                 .arg(ConsoleColors::css(color), kind == MessageKind::Error ? QStringLiteral(" font-weight: bold;") : QString()));
    if (kind == MessageKind::Error)
        qCWarning(lcUi).noquote() << "accounts:" << text;
}

void AccountsDialog::showAddForm()
{
    m_addForm->show();
    m_idEdit->setFocus();
}

void AccountsDialog::addAccount(const QString &accountId, const QString &token)
{
    if (m_adding)
        return;
    const QString id = accountId.trimmed();
    const QString secret = token.trimmed();
    static const QRegularExpression idRe(QStringLiteral("^[A-Za-z0-9_.-]{1,64}$"));
    if (id.isEmpty())
        return setMessage(MessageKind::Error, tr("Account id: required (the name bots refer to, e.g. real-1)."));
    if (!idRe.match(id).hasMatch())
        return setMessage(MessageKind::Error, tr("Account id: 1 to 64 characters of A-Z a-z 0-9 _ . -"));
    if (m_settings.accountIds().contains(id) || m_model->rowOf(id) >= 0)
        return setMessage(MessageKind::Error, tr("An account with id %1 is already configured: choose another id.").arg(id));
    if (!m_store)
        return setMessage(MessageKind::Error, tr("No keychain is available: this Vigil was built without QtKeychain, and "
                                                 "tokens are never written to the settings file."));
    if (Result<void> format = TokenVault::validateTokenFormat(secret); !format)
        return setMessage(MessageKind::Error, format.error().message);
    const QUrl url = probeUrl();
    if (url.isEmpty())
        return setMessage(MessageKind::Error, tr("There is no endpoint to check the token against yet: wait for the engine "
                                                 "to start, or fix the endpoint and app id in Settings."));
    m_adding = true;
    updateButtons();
    setMessage(MessageKind::Info, tr("Checking the token with %1…").arg(hostOf(url)));
    m_probe->authorize(url, secret, this,
                       [this, id, secret](Result<AccountInfo> probed) { onProbed(id, secret, std::move(probed)); });
}

void AccountsDialog::onProbed(const QString &accountId, const QString &token, Result<AccountInfo> probed)
{
    auto fail = [this](const QString &text) {
        m_adding = false;
        updateButtons();
        setMessage(MessageKind::Error, text);
    };
    if (!probed) {
        const Error &e = probed.error();
        if (e.kind == ErrorKind::Broker)
            return fail(tr("The server refused the token: %1 (%2)").arg(e.message, e.code));
        return fail(tr("The token could not be checked: %1").arg(e.message));
    }
    AccountInfo info = std::move(probed).value();
    info.tokenRef = TokenFingerprint::of(token);
    if (Result<void> trading = info.scopes.checkTrading(); !trading)
        return fail(tr("Not added: %1 (token of %2, scopes: %3)")
                        .arg(trading.error().message, info.loginId, info.scopes.names().join(QStringLiteral(", "))));
    const QString key = TokenVault::secretKeyFor(info.loginId);
    for (const AccountListModel::Entry &e : m_model->entries()) {
        if (e.source.kind == TokenSource::Kind::Keychain && e.source.ref == key && e.state != AccountListModel::State::Revoked)
            return fail(tr("Login %1 is already configured as account %2.").arg(info.loginId, e.id));
    }
    const QStringList warnings = info.scopes.warnings();
    m_store->writeSecret(key, token, this, [this, accountId, info, key, warnings, fail](Result<void> written) {
        if (!written)
            return fail(tr("The token was not stored: %1").arg(written.error().message));
        AccountConfig config;
        config.id = accountId;
        config.token.kind = TokenSource::Kind::Keychain;
        config.token.ref = key;
        if (Result<void> saved = m_settings.addAccount(config); !saved) {
            // Nothing half-done: the configuration refused it, so the keychain entry goes too.
            m_store->deleteSecret(key, this, [](Result<void>) {});
            return fail(tr("The account was not saved: %1").arg(saved.error().message));
        }
        m_settings.sync();
        finishAdd(config, info, warnings);
    });
}

void AccountsDialog::finishAdd(const AccountConfig &config, const AccountInfo &info, const QStringList &warnings)
{
    const QString accountId = config.id;
    AccountListModel::Entry e;
    e.id = accountId;
    e.source = config.token;
    e.loginId = info.loginId;
    e.currency = info.currency;
    e.scopes = info.scopes;
    e.scopesKnown = true;
    e.tokenRef = info.tokenRef;
    e.state = AccountListModel::State::Ok;
    e.warnings = warnings;
    m_tokenEdit->clear();
    m_idEdit->clear();
    m_adding = false;
    const QString summary = tr("Account %1 added: login %2, %3, scopes %4.")
                                .arg(accountId, info.loginId, info.currency.isEmpty() ? tr("no currency set") : info.currency,
                                     info.scopes.names().join(QStringLiteral(", ")));
    const QString warning = warnings.isEmpty() ? QString() : u'\n' + tr("Warning: ") + warnings.join(u' ');
    // The running engine takes it now when the token was checked against the endpoint it trades on.
    Result<void> applied = Error::make(ErrorKind::InvalidInput, QStringLiteral("NotRunning"), tr("the engine is not running"));
    if (engineTradesOnProbeUrl())
        applied = m_engine.addAccount(config);
    if (applied) {
        e.status = tr("starting…");
        m_startingAccounts.insert(accountId, warnings.isEmpty() ? summary : summary + warning);
        qCInfo(lcUi) << "account" << accountId << "saved; the engine starts it";
    } else {
        e.status = tr("added: trades after a restart");
    }
    m_model->putEntry(e);
    updateButtons();
    const QString next = applied ? tr("Starting it…") : tr("Restart Vigil to trade on it.");
    if (warnings.isEmpty())
        setMessage(MessageKind::Info, summary + u' ' + next);
    else
        setMessage(MessageKind::Warning, summary + u' ' + next + warning);
    Q_EMIT accountAdded(accountId);
    if (!applied)
        Q_EMIT configChanged(tr("account %1 added").arg(accountId));
}

bool AccountsDialog::engineTradesOnProbeUrl() const
{
    if (!m_engine.isRunning())
        return false;
    // A paper engine with a Deriv endpoint chosen for the next start: the token is for that one.
    return !m_engine.config().isPaper() || probeUrl() == m_engine.simulatorUrl();
}

void AccountsDialog::onAccountChangeApplied(const QString &accountId, const QString &change)
{
    if (change == QLatin1String("remove")) {
        if (m_pendingRemovals.remove(accountId) > 0)
            finishRemove(accountId, true);
        return;
    }
    if (change != QLatin1String("add") || !m_startingAccounts.contains(accountId))
        return;
    const QString summary = m_startingAccounts.take(accountId);
    if (const AccountListModel::Entry *current = m_model->entry(accountId)) {
        AccountListModel::Entry e = *current;
        e.status = tr("trading");
        if (e.loginId.isEmpty())
            e.loginId = m_engine.loginId(accountId);
        m_model->putEntry(e);
    }
    setMessage(m_messageKind == MessageKind::Warning ? MessageKind::Warning : MessageKind::Info,
               summary + u'\n' + tr("%1 is trading now: its bots can be added.").arg(accountId));
}

void AccountsDialog::onAccountChangeRefused(const QString &accountId, const QString &change, const Error &error)
{
    if (change == QLatin1String("remove"))
        return failRemove(accountId, error.message);
    if (change != QLatin1String("add") || m_startingAccounts.remove(accountId) == 0)
        return;
    if (const AccountListModel::Entry *current = m_model->entry(accountId)) {
        AccountListModel::Entry e = *current;
        e.state = AccountListModel::State::Problem;
        e.status = tr("not started: %1").arg(error.message);
        m_model->putEntry(e);
    }
    setMessage(MessageKind::Error, tr("Account %1 is saved but the engine could not start it: %2. It is tried again when "
                                      "Vigil restarts.")
                                       .arg(accountId, error.message));
    Q_EMIT configChanged(tr("account %1 saved, not started now: %2").arg(accountId, error.message));
}

void AccountsDialog::checkTokens()
{
    for (const AccountListModel::Entry &e : m_model->entries()) {
        if (e.source.kind == TokenSource::Kind::Keychain && e.state != AccountListModel::State::Revoked
            && e.state != AccountListModel::State::Revoking && e.state != AccountListModel::State::Checking)
            checkToken(e.id);
    }
}

void AccountsDialog::checkToken(const QString &accountId)
{
    const AccountListModel::Entry *current = m_model->entry(accountId);
    if (!current)
        return;
    AccountListModel::Entry e = *current;
    const QUrl url = probeUrl();
    if (!m_store || url.isEmpty()) {
        e.status = !m_store ? tr("no keychain in this build") : tr("no endpoint to check the token against");
        m_model->putEntry(e);
        return;
    }
    e.state = AccountListModel::State::Checking;
    e.status = tr("checking…");
    m_model->putEntry(e);
    // Each step re-reads the row: a revocation may have started meanwhile, and then it owns the row.
    auto stillChecking = [this, accountId]() -> std::optional<AccountListModel::Entry> {
        const AccountListModel::Entry *now = m_model->entry(accountId);
        if (!now || now->state != AccountListModel::State::Checking)
            return std::nullopt;
        return *now;
    };
    m_store->readSecret(e.source.ref, this, [this, accountId, url, stillChecking](Result<QString> token) {
        std::optional<AccountListModel::Entry> row = stillChecking();
        if (!row)
            return;
        if (!token) {
            row->state = AccountListModel::State::Problem;
            row->status = token.error().code == SecretStore::NotFoundCode
                ? tr("no token in the %1: add the account again").arg(m_store->describe())
                : token.error().message;
            m_model->putEntry(*row);
            return;
        }
        row->tokenRef = TokenFingerprint::of(token.value());
        m_model->putEntry(*row);
        m_probe->authorize(url, token.value(), this, [this, stillChecking](Result<AccountInfo> info) {
            std::optional<AccountListModel::Entry> checked = stillChecking();
            if (!checked)
                return;
            if (!info) {
                checked->state = AccountListModel::State::Problem;
                checked->status = tr("refused: %1").arg(info.error().message);
                m_model->putEntry(*checked);
                return;
            }
            checked->loginId = info.value().loginId;
            checked->currency = info.value().currency;
            checked->scopes = info.value().scopes;
            checked->scopesKnown = true;
            checked->warnings = info.value().scopes.warnings();
            const Result<void> trading = info.value().scopes.checkTrading();
            checked->state = trading ? AccountListModel::State::Ok : AccountListModel::State::Problem;
            checked->status = trading ? tr("token valid") : trading.error().message;
            m_model->putEntry(*checked);
        });
    });
}

void AccountsDialog::confirmRevoke(const QString &accountId)
{
    const AccountListModel::Entry *e = m_model->entry(accountId);
    if (!e)
        return;
    if (!AccountListModel::isRevocable(*e))
        return setMessage(MessageKind::Error, e->source.kind == TokenSource::Kind::Demo
                                                  ? tr("The demo account cannot be revoked: its token is made up by the "
                                                       "embedded simulator for this run only.")
                                                  : tr("The token of %1 is already revoked.").arg(accountId));
    const QString who = e->loginId.isEmpty() ? accountId : QStringLiteral("%1 (%2)").arg(accountId, e->loginId);
    const ConfirmationBox::Parts parts = ConfirmationBox::create(
        this, tr("Revoke API token"),
        tr("Revoke the API token of account %1?\n\nEvery session using it closes now and the account's bots halt "
           "(Halted: token revoked). The token is removed from the keychain: to trade on this account again you will "
           "need a new token.")
            .arg(who),
        tr("Revoke"), QMessageBox::DestructiveRole, QStringLiteral("revokeConfirmation"),
        QStringLiteral("confirmRevokeButton"));
    QMessageBox *box = parts.box;
    QPushButton *yes = parts.confirmButton;
    auto *onServer = new QCheckBox(tr("Also delete it on Deriv (it then stops working everywhere; needs the token's admin scope)"), box);
    onServer->setObjectName(QStringLiteral("deleteOnServerCheck"));
    onServer->setChecked(true);
    box->setCheckBox(onServer);
    connect(box, &QMessageBox::buttonClicked, this, [this, accountId, yes, onServer](QAbstractButton *clicked) {
        if (clicked == yes)
            revoke(accountId, onServer->isChecked());
    });
    box->open();
}

void AccountsDialog::revoke(const QString &accountId, bool deleteOnServer)
{
    const AccountListModel::Entry *current = m_model->entry(accountId);
    if (!current)
        return setMessage(MessageKind::Error, tr("No account %1 is configured.").arg(accountId));
    if (!AccountListModel::isRevocable(*current)) {
        if (current->source.kind == TokenSource::Kind::Demo)
            setMessage(MessageKind::Error, tr("The demo account cannot be revoked: its token is made up by the embedded "
                                              "simulator for this run only."));
        return;
    }
    AccountListModel::Entry e = *current;
    if (!m_engine.isRunning() || m_engine.loginId(accountId).isEmpty()) {
        revokeLocally(accountId, deleteOnServer);
        return;
    }
    // The engine closes the sessions and halts the bots; tokenRevoked then brings us back to the keychain.
    e.state = AccountListModel::State::Revoking;
    e.status = deleteOnServer ? tr("revoking and deleting on Deriv…") : tr("revoking…");
    m_model->putEntry(e);
    m_pendingRevokes.insert(accountId, deleteOnServer);
    qCInfo(lcUi) << "revoking the token of" << accountId << (deleteOnServer ? "and deleting it on the server" : "");
    setMessage(MessageKind::Info, tr("Revoking the token of %1…").arg(accountId));
    m_engine.revokeToken(accountId, deleteOnServer);
    QTimer::singleShot(EngineConfirmTimeoutMs, this, [this, accountId] {
        if (m_pendingRevokes.remove(accountId) > 0)
            markRevokeFailed(accountId, tr("the engine did not confirm the revocation of %1 within %2 s")
                                            .arg(accountId)
                                            .arg(EngineConfirmTimeoutMs / 1000));
    });
}

void AccountsDialog::revokeLocally(const QString &accountId, bool deleteOnServer)
{
    AccountListModel::Entry e = *m_model->entry(accountId);
    if (e.source.kind == TokenSource::Kind::Environment)
        return setMessage(MessageKind::Error, tr("%1 takes its token from the environment variable %2 and is not running "
                                                 "here: delete the token in your Deriv account settings and unset the variable.")
                                                  .arg(accountId, e.source.ref));
    if (!m_store)
        return setMessage(MessageKind::Error, tr("No keychain is available: there is no token to remove."));
    e.state = AccountListModel::State::Revoking;
    e.status = tr("revoking…");
    m_model->putEntry(e);
    if (!deleteOnServer) {
        removeSecret(accountId, tr("revoked by the user"));
        return;
    }
    const QUrl url = probeUrl();
    if (url.isEmpty())
        return markRevokeFailed(accountId, tr("no endpoint to delete the token on"));
    setMessage(MessageKind::Info, tr("Deleting the token of %1 on %2…").arg(accountId, hostOf(url)));
    m_store->readSecret(e.source.ref, this, [this, accountId, url](Result<QString> token) {
        if (!token)
            return markRevokeFailed(accountId, tr("the token could not be read to delete it on Deriv: %1").arg(token.error().message));
        m_probe->deleteToken(url, token.value(), this, [this, accountId](Result<void> deleted) {
            if (!deleted)
                return markRevokeFailed(accountId, tr("not deleted on Deriv (%1); the token stays in the keychain so that "
                                                      "you can retry, or revoke it without deleting it on Deriv")
                                                       .arg(deleted.error().message));
            removeSecret(accountId, tr("revoked by the user and deleted on the server"));
        });
    });
}

void AccountsDialog::onEngineTokenRevoked(const QString &accountId, const QString &loginId, const QString &reason)
{
    // The dialog may never have been shown since the engine started: its accounts may not be listed yet.
    if (!m_model->entry(accountId))
        loadAccounts();
    const AccountListModel::Entry *current = m_model->entry(accountId);
    if (!current)
        return;
    const bool requested = m_pendingRevokes.remove(accountId) > 0;
    qCInfo(lcUi) << "token of" << accountId << loginId << "revoked:" << reason << (requested ? "(from the dialog)" : "");
    if (current->source.kind == TokenSource::Kind::Keychain && m_store) {
        removeSecret(accountId, reason);
        return;
    }
    AccountListModel::Entry e = *current;
    e.state = AccountListModel::State::Revoked;
    e.status = e.source.kind == TokenSource::Kind::Environment
        ? tr("revoked: %1; unset %2 before the next start").arg(reason, e.source.ref)
        : tr("revoked: %1").arg(reason);
    m_model->putEntry(e);
    setMessage(MessageKind::Info, tr("Token of %1 revoked: %2").arg(accountId, reason));
    Q_EMIT accountRevoked(accountId, reason);
}

void AccountsDialog::removeSecret(const QString &accountId, const QString &reason)
{
    const AccountListModel::Entry *current = m_model->entry(accountId);
    if (!current)
        return;
    m_store->deleteSecret(current->source.ref, this, [this, accountId, reason](Result<void> removed) {
        const AccountListModel::Entry *now = m_model->entry(accountId);
        if (!now)
            return;
        AccountListModel::Entry e = *now;
        e.state = AccountListModel::State::Revoked;
        if (!removed) {
            e.status = tr("revoked (%1), but still in the %2: %3").arg(reason, m_store->describe(), removed.error().message);
            m_model->putEntry(e);
            setMessage(MessageKind::Error, tr("Token of %1 revoked, but not removed from the %2: %3")
                                               .arg(accountId, m_store->describe(), removed.error().message));
        } else {
            e.status = tr("revoked: %1").arg(reason);
            m_model->putEntry(e);
            setMessage(MessageKind::Info, tr("Token of %1 revoked (%2) and removed from the %3.").arg(accountId, reason, m_store->describe()));
        }
        Q_EMIT accountRevoked(accountId, reason);
    });
}

void AccountsDialog::markRevokeFailed(const QString &accountId, const QString &why)
{
    const AccountListModel::Entry *current = m_model->entry(accountId);
    if (!current || current->state != AccountListModel::State::Revoking)
        return;
    AccountListModel::Entry e = *current;
    e.state = AccountListModel::State::Problem;
    e.status = tr("not revoked: %1").arg(why);
    m_model->putEntry(e);
    setMessage(MessageKind::Error, tr("The token of %1 was not revoked: %2").arg(accountId, why));
}

void AccountsDialog::confirmRemove(const QString &accountId)
{
    const AccountListModel::Entry *e = m_model->entry(accountId);
    if (!e)
        return;
    if (e->source.kind == TokenSource::Kind::Demo)
        return setMessage(MessageKind::Error, tr("The demo account of paper mode cannot be removed."));
    const QString who = e->loginId.isEmpty() ? accountId : QStringLiteral("%1 (%2)").arg(accountId, e->loginId);
    const QString token = e->source.kind == TokenSource::Kind::Environment
        ? tr("Its token comes from the environment variable %1: unset it too.").arg(e->source.ref)
        : tr("Its API token is deleted from the keychain too, but it stays valid on Deriv: to invalidate it, use "
             "Revoke… instead (or delete it in your Deriv account settings).");
    const ConfirmationBox::Parts parts = ConfirmationBox::create(
        this, tr("Remove account"),
        tr("Remove account %1 from Vigil?\n\nVigil stops trading on it and forgets it; its bots must be removed first. %2")
            .arg(who, token),
        tr("Remove"), QMessageBox::DestructiveRole, QStringLiteral("removeConfirmation"),
        QStringLiteral("confirmRemoveButton"));
    QPushButton *yes = parts.confirmButton;
    connect(parts.box, &QMessageBox::buttonClicked, this, [this, accountId, yes](QAbstractButton *clicked) {
        if (clicked == yes)
            remove(accountId);
    });
    parts.box->open();
}

void AccountsDialog::remove(const QString &accountId)
{
    const AccountListModel::Entry *current = m_model->entry(accountId);
    if (!current)
        return setMessage(MessageKind::Error, tr("No account %1 is configured.").arg(accountId));
    if (current->source.kind == TokenSource::Kind::Demo)
        return setMessage(MessageKind::Error, tr("The demo account of paper mode cannot be removed."));
    if (m_pendingRemovals.contains(accountId) || current->state == AccountListModel::State::Revoking)
        return; // under way: its outcome follows
    // The settings refuse first (bots configured on it), before the engine lets go of the account.
    if (m_settings.accountIds().contains(accountId)) {
        if (Result<void> removable = m_settings.canRemoveAccount(accountId); !removable)
            return setMessage(MessageKind::Error, tr("%1 was not removed: %2").arg(accountId, removable.error().message));
    }
    if (!m_engine.isRunning() || !m_engine.config().account(accountId))
        return finishRemove(accountId, false);
    if (Result<void> asked = m_engine.removeAccount(accountId); !asked)
        return setMessage(MessageKind::Error, tr("%1 was not removed: %2").arg(accountId, asked.error().message));
    // A removal before it was live cancels the add: that is not a failure to report.
    m_startingAccounts.remove(accountId);
    const quint64 serial = ++m_removalSerial;
    m_pendingRemovals.insert(accountId, {current->status, serial});
    AccountListModel::Entry e = *current;
    e.status = tr("removing…");
    m_model->putEntry(e);
    updateButtons();
    qCInfo(lcUi) << "removing account" << accountId;
    setMessage(MessageKind::Info, tr("Stopping account %1…").arg(accountId));
    QTimer::singleShot(EngineConfirmTimeoutMs, this, [this, accountId, serial] {
        if (m_pendingRemovals.value(accountId).serial == serial)
            failRemove(accountId, tr("the engine did not confirm it within %1 s").arg(EngineConfirmTimeoutMs / 1000));
    });
}

void AccountsDialog::failRemove(const QString &accountId, const QString &why)
{
    auto pending = m_pendingRemovals.find(accountId);
    if (pending == m_pendingRemovals.end())
        return;
    const QString status = pending->statusBefore;
    m_pendingRemovals.erase(pending);
    if (const AccountListModel::Entry *current = m_model->entry(accountId)) {
        AccountListModel::Entry e = *current;
        e.status = status;
        m_model->putEntry(e);
    }
    updateButtons();
    setMessage(MessageKind::Error, tr("%1 was not removed: %2").arg(accountId, why));
}

void AccountsDialog::finishRemove(const QString &accountId, bool removedByEngine)
{
    const AccountListModel::Entry *current = m_model->entry(accountId);
    if (!current)
        return;
    const TokenSource source = current->source;
    if (m_settings.accountIds().contains(accountId)) {
        if (Result<void> removed = m_settings.removeAccount(accountId); !removed) {
            AccountListModel::Entry e = *current;
            e.state = AccountListModel::State::Problem;
            e.status = tr("not removed: %1").arg(removed.error().message);
            m_model->putEntry(e);
            updateButtons();
            return setMessage(MessageKind::Error,
                              removedByEngine ? tr("Vigil stopped trading on %1, but it could not be removed from the settings: "
                                                   "%2. It comes back when Vigil restarts.")
                                                    .arg(accountId, removed.error().message)
                                              : tr("%1 was not removed: %2").arg(accountId, removed.error().message));
        }
        m_settings.sync();
    }
    qCInfo(lcUi) << "account" << accountId << "removed" << (removedByEngine ? "(stopped in the engine)" : "");
    auto done = [this, accountId](MessageKind kind, const QString &text) {
        m_model->removeEntry(accountId);
        updateButtons();
        setMessage(kind, text);
        Q_EMIT accountRemoved(accountId);
    };
    if (source.kind == TokenSource::Kind::Environment)
        return done(MessageKind::Info, tr("Account %1 removed. Its token comes from the environment variable %2: unset it, "
                                          "and delete the token in your Deriv account settings if it is no longer needed.")
                                           .arg(accountId, source.ref));
    if (!m_store)
        return done(MessageKind::Error, tr("Account %1 removed, but no keychain is available to delete its token from.").arg(accountId));
    m_store->deleteSecret(source.ref, this, [this, accountId, done](Result<void> deleted) {
        if (!deleted) // a key already gone (revoked before) counts as deleted
            return done(MessageKind::Error, tr("Account %1 removed, but its token is still in the %2: %3")
                                                .arg(accountId, m_store->describe(), deleted.error().message));
        done(MessageKind::Info, tr("Account %1 removed and its token deleted from the %2. The token stays valid on Deriv: "
                                   "delete it in your Deriv account settings if it is no longer needed.")
                                    .arg(accountId, m_store->describe()));
    });
}

QString AccountsDialog::selectedAccountId() const
{
    const QModelIndex current = m_view->currentIndex();
    return current.isValid() ? current.data(AccountListModel::AccountIdRole).toString() : QString();
}

void AccountsDialog::updateButtons()
{
    m_submit->setEnabled(!m_adding);
    m_add->setEnabled(!m_adding);
    const AccountListModel::Entry *e = m_model->entry(selectedAccountId());
    m_revoke->setEnabled(e && AccountListModel::isRevocable(*e) && !m_pendingRemovals.contains(e->id));
    const bool demo = e && e->source.kind == TokenSource::Kind::Demo;
    m_remove->setEnabled(e && !demo && e->state != AccountListModel::State::Revoking && !m_pendingRemovals.contains(e->id));
    m_remove->setToolTip(demo ? tr("The demo account of paper mode cannot be removed.")
                              : tr("Stop trading on the selected account and remove it from Vigil, deleting its token from "
                                   "the keychain (the token stays valid on Deriv: Revoke invalidates it). Remove its bots "
                                   "first."));
    if (e && e->source.kind == TokenSource::Kind::Demo)
        m_revoke->setToolTip(tr("Demo accounts cannot be revoked: their token is made up by the embedded simulator for "
                                "this run only, with nothing in the keychain or on Deriv."));
    else
        m_revoke->setToolTip(tr("Close every session using the selected account's token, halt its bots and remove the "
                                "token from the keychain (optionally deleting it on Deriv)"));
}

} // namespace Vigil
