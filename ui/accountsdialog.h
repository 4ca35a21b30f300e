// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>
#include <QHash>
#include <QUrl>

#include "health/result.h"

class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace Vigil {

class AccountListModel;
class ConsoleSettings;
class Engine;
class SecretStore;
class TokenProbe;
struct AccountConfig;
struct AccountInfo;

// Accounts and their API tokens. Lists the configured accounts (id, login id, currency, scopes, token
// source, fingerprint; never a token). "Add account…": an account id and a pasted token, which is
// authorized against the engine's endpoint on a short session off the GUI thread; a token without the
// `trade` scope is refused, `admin`/`payments` draw a warning; then the token goes to the SecretStore
// (the OS keychain in the app) under "token:<loginid>" and the account to the settings. When the running
// engine trades on the endpoint the token was checked against, Engine::addAccount starts it at once (its
// row says "starting…", then "trading" or why not); otherwise it trades after a restart (configChanged,
// also when the engine could not start it). "Revoke…": after a confirmation, Engine::revokeToken (optionally deleting the
// token on Deriv), then the token is removed from the store once the engine reports tokenRevoked. An
// account the engine does not run is revoked directly (api_token on a short session, then the store).
// Any tokenRevoked from the engine (also the server's InvalidToken) clears that account's keychain entry.
// "Remove…": after a confirmation, takes an account (never the paper demo) out of the configuration. Refused
// while the settings have bots on it. An account the engine runs is removed there first (Engine::removeAccount;
// its refusal is shown and nothing changes); once the engine reports it removed — at once when the engine does
// not run it — the account leaves the settings and the table, and its keychain entry is deleted. The token
// stays valid on Deriv (Revoke invalidates it).
//
// GUI thread only; nothing here waits: every step is a callback or a signal. Non-modal.
// `engine`, `settings` and `store` must outlive the dialog. `store` may be null (a build without a
// keychain): adding and removing tokens then fails with a clear error.
class AccountsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountsDialog)

public:
    enum class MessageKind { None, Info, Warning, Error };

    AccountsDialog(Engine &engine, ConsoleSettings &settings, SecretStore *store, QWidget *parent = nullptr);
    ~AccountsDialog() override;

    AccountListModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    QLineEdit *accountIdEdit() const { return m_idEdit; }
    QLineEdit *tokenEdit() const { return m_tokenEdit; }
    QPushButton *submitButton() const { return m_submit; }
    QPushButton *revokeButton() const { return m_revoke; }
    QPushButton *removeButton() const { return m_remove; }
    QGroupBox *addForm() const { return m_addForm; }
    QString messageText() const;
    MessageKind messageKind() const { return m_messageKind; }
    // An add is being checked or stored.
    bool isAdding() const { return m_adding; }
    // Where tokens are authorized: the engine's endpoint; in paper mode the endpoint chosen in the settings
    // if any (it applies at the next start), else the embedded simulator. Empty if none is known yet.
    QUrl probeUrl() const;
    TokenProbe *probe() const { return m_probe; }

public Q_SLOTS:
    void showAddForm();
    // Checks and adds an account (asynchronous; the outcome shows in the message line and the table).
    void addAccount(const QString &accountId, const QString &token);
    // Asks first (non-modal box with "Also delete it on Deriv", on by default), then revoke().
    void confirmRevoke(const QString &accountId);
    void revoke(const QString &accountId, bool deleteOnServer);
    // Asks first (non-modal box), then remove().
    void confirmRemove(const QString &accountId);
    // Removes the account (asynchronous; the outcome shows in the message line, accountRemoved on success).
    void remove(const QString &accountId);
    // Reads and authorizes every keychain account's token again to show its login id, currency and scopes.
    void checkTokens();

Q_SIGNALS:
    // Stored in the keychain and in the settings.
    void accountAdded(const QString &accountId);
    // The token was revoked and (for a keychain account) removed from the store.
    void accountRevoked(const QString &accountId, const QString &reason);
    // Gone from the engine, the settings and the table; its keychain entry deleted unless the message says why not.
    void accountRemoved(const QString &accountId);
    // The configuration changed: it applies when Vigil restarts (not emitted for an account the engine took).
    void configChanged(const QString &why);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void loadAccounts();
    void setMessage(MessageKind kind, const QString &text);
    void onProbed(const QString &accountId, const QString &token, Result<AccountInfo> probed);
    void finishAdd(const AccountConfig &config, const AccountInfo &info, const QStringList &warnings);
    // The engine runs and trades where probeUrl() points: an account added here can trade at once.
    bool engineTradesOnProbeUrl() const;
    void onAccountChangeApplied(const QString &accountId, const QString &change);
    void onAccountChangeRefused(const QString &accountId, const QString &change, const Vigil::Error &error);
    void checkToken(const QString &accountId);
    void onEngineTokenRevoked(const QString &accountId, const QString &loginId, const QString &reason);
    void revokeLocally(const QString &accountId, bool deleteOnServer);
    void removeSecret(const QString &accountId, const QString &reason);
    void markRevokeFailed(const QString &accountId, const QString &why);
    // The engine no longer runs the account: out of the settings, the keychain and the table.
    void finishRemove(const QString &accountId, bool removedByEngine);
    // Puts the row back as it was before remove() and says why.
    void failRemove(const QString &accountId, const QString &why);
    void updateButtons();
    QString selectedAccountId() const;

    Engine &m_engine;
    ConsoleSettings &m_settings;
    SecretStore *m_store;
    TokenProbe *m_probe;
    AccountListModel *m_model;
    QTableView *m_view;
    QLabel *m_endpointLabel;
    QGroupBox *m_addForm;
    QLineEdit *m_idEdit;
    QLineEdit *m_tokenEdit;
    QPushButton *m_submit;
    QPushButton *m_add;
    QPushButton *m_revoke;
    QPushButton *m_remove;
    QPushButton *m_check;
    QLabel *m_message;
    MessageKind m_messageKind = MessageKind::None;
    bool m_adding = false;
    bool m_checked = false;
    QHash<QString, bool> m_pendingRevokes; // account id → deleteOnServer, while the engine revokes
    struct PendingRemoval
    {
        QString statusBefore; // the row's status, put back if the engine refuses
        quint64 serial = 0;   // which request a late timeout belongs to
    };
    QHash<QString, PendingRemoval> m_pendingRemovals; // account id →, while the engine removes it
    quint64 m_removalSerial = 0;
    QHash<QString, QString> m_startingAccounts; // account id → its "added" message, while the engine starts it
};

} // namespace Vigil
