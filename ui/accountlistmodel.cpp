// SPDX-License-Identifier: GPL-3.0-or-later
#include "accountlistmodel.h"

#include <QBrush>

#include "ui/consolecolors.h"

namespace Vigil {

AccountListModel::AccountListModel(QObject *parent) : QAbstractTableModel(parent) {}

AccountListModel::~AccountListModel() = default;

void AccountListModel::putEntry(const Entry &entry)
{
    const int row = rowOf(entry.id);
    if (row >= 0) {
        m_rows[row] = entry;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
    m_rows.append(entry);
    endInsertRows();
}

void AccountListModel::removeEntry(const QString &accountId)
{
    const int row = rowOf(accountId);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
}

const AccountListModel::Entry *AccountListModel::entry(const QString &accountId) const
{
    const int row = rowOf(accountId);
    return row >= 0 ? &m_rows.at(row) : nullptr;
}

int AccountListModel::rowOf(const QString &accountId) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).id == accountId)
            return i;
    }
    return -1;
}

bool AccountListModel::isRevocable(const Entry &entry)
{
    return entry.source.kind != TokenSource::Kind::Demo && entry.state != State::Revoked && entry.state != State::Revoking;
}

QString AccountListModel::sourceText(const TokenSource &source)
{
    switch (source.kind) {
    case TokenSource::Kind::Demo: return tr("simulator (demo)");
    case TokenSource::Kind::Keychain: return tr("keychain: %1").arg(source.ref);
    case TokenSource::Kind::Environment: return tr("environment: %1").arg(source.ref);
    }
    return QString();
}

int AccountListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AccountListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString AccountListModel::text(const Entry &e, int column) const
{
    switch (Column(column)) {
    case AccountColumn: return e.id;
    case LoginColumn: return e.loginId;
    case CurrencyColumn: return e.currency;
    case ScopesColumn: return e.scopesKnown ? e.scopes.names().join(QStringLiteral(", ")) : QString();
    case SourceColumn: return sourceText(e.source);
    case FingerprintColumn: return e.tokenRef;
    case StatusColumn: return e.status;
    case ColumnCount: break;
    }
    return QString();
}

QString AccountListModel::toolTip(const Entry &e) const
{
    if (e.source.kind == TokenSource::Kind::Demo)
        return tr("The demo account's token is made up by the embedded simulator for this run only: there is no "
                  "keychain entry and no Deriv token to revoke.");
    if (e.state == State::Revoked)
        return tr("Revoked: its sessions are closed and its bots halted. Add a new token to trade on it again.");
    QStringList lines;
    if (!e.status.isEmpty())
        lines << e.status;
    lines << e.warnings;
    return lines.join(u'\n');
}

QVariant AccountListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Entry &e = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole: return text(e, index.column());
    case Qt::ToolTipRole: return toolTip(e);
    case Qt::ForegroundRole:
        if (e.state == State::Problem || e.state == State::Revoked)
            return index.column() == StatusColumn ? QVariant(QBrush(ConsoleColors::loss())) : QVariant();
        if (index.column() == ScopesColumn && !e.warnings.isEmpty())
            return QBrush(ConsoleColors::warning().darker(130));
        return {};
    case AccountIdRole: return e.id;
    case RevocableRole: return isRevocable(e);
    case StateRole: return int(e.state);
    default: return {};
    }
}

QVariant AccountListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case AccountColumn: return tr("Account");
    case LoginColumn: return tr("Login id");
    case CurrencyColumn: return tr("Currency");
    case ScopesColumn: return tr("Scopes");
    case SourceColumn: return tr("Token source");
    case FingerprintColumn: return tr("Fingerprint");
    case StatusColumn: return tr("Status");
    case ColumnCount: break;
    }
    return {};
}

} // namespace Vigil
