// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QString>
#include <QStringList>

#include "accounts/tokenscopes.h"
#include "engine/accountconfig.h"

namespace Vigil {

// The Accounts dialog's table: one row per configured account with what is known of its token — login id,
// currency, scopes, where the token comes from and its fingerprint. Never the token itself.
// GUI thread only. Rows keep the configuration's order; added rows go last.
class AccountListModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountListModel)

public:
    enum class State {
        Unchecked, // nothing learned yet
        Checking,  // the token is being read or authorized
        Ok,        // authorized: login id, currency and scopes are known
        Problem,   // the token is missing, refused, or cannot trade: `status` says why
        Revoking,  // a revocation is under way
        Revoked,   // revoked during this run
    };
    struct Entry
    {
        QString id;
        TokenSource source;
        QString loginId;
        QString currency;
        TokenScopes scopes;
        bool scopesKnown = false;
        QString tokenRef; // TokenFingerprint
        State state = State::Unchecked;
        QString status;   // human-readable, shown in the Status column
        QStringList warnings;
    };

    enum Column { AccountColumn, LoginColumn, CurrencyColumn, ScopesColumn, SourceColumn, FingerprintColumn, StatusColumn,
                  ColumnCount };
    enum Role { AccountIdRole = Qt::UserRole + 1, RevocableRole, StateRole };

    explicit AccountListModel(QObject *parent = nullptr);
    ~AccountListModel() override;

    // Replaces the entry with the same id, or appends it.
    void putEntry(const Entry &entry);
    // Drops the row of `accountId`, if there is one.
    void removeEntry(const QString &accountId);
    QList<Entry> entries() const { return m_rows; }
    // nullptr when unknown. Valid until the model changes.
    const Entry *entry(const QString &accountId) const;
    int rowOf(const QString &accountId) const;

    // Demo accounts are not (their token belongs to the embedded simulator and dies with the run); nor are
    // rows already revoked or being revoked.
    static bool isRevocable(const Entry &entry);
    static QString sourceText(const TokenSource &source);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString text(const Entry &e, int column) const;
    QString toolTip(const Entry &e) const;

    QList<Entry> m_rows;
};

} // namespace Vigil
