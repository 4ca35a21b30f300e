// SPDX-License-Identifier: GPL-3.0-or-later
#include "accounttablemodel.h"

#include <algorithm>

#include <QBrush>
#include <QFont>
#include <QHash>
#include <QList>

#include "engine/accountsnapshot.h"
#include "ui/consolecolors.h"
#include "ui/displaytext.h"

namespace Vigil {

struct AccountTableModel::Private
{
    QList<AccountSnapshot> rows;
    QHash<QString, int> rowById;
};

AccountTableModel::AccountTableModel(QObject *parent) : QAbstractTableModel(parent), d(std::make_unique<Private>()) {}

AccountTableModel::~AccountTableModel() = default;

QString AccountTableModel::text(const AccountSnapshot &a, int column) const
{
    switch (Column(column)) {
    case AccountColumn: return DisplayText::accountLabel(a);
    case TypeColumn: return a.loginId.isEmpty() ? QString() : (a.isVirtual ? tr("Demo") : tr("Real"));
    case ConnectionColumn:
        // The live "N s" count is the status bar's job; the table shows since when.
        if (a.downSinceMs > 0 && a.connection != AccountSnapshot::Connection::Connected)
            return connectionName(a.connection) + tr(" since ") + DisplayText::clockTime(a.downSinceMs);
        return connectionName(a.connection);
    case BalanceColumn: return a.currency.isEmpty() ? QString() : DisplayText::money(a.balance, a.currency);
    case GateColumn:
        if (a.gate.isEmpty())
            return QString();
        return a.gateReason.isEmpty() || a.gate == QLatin1String("active") ? a.gate : a.gate + QStringLiteral(": ") + a.gateReason;
    case BreakerColumn: return a.breaker;
    case OpenColumn: return QString::number(a.openContracts);
    case ReconcileColumn:
        if (a.reconciling)
            return tr("reconciling…");
        if (a.unresolvedTrades > 0)
            return tr("%n unresolved", nullptr, a.unresolvedTrades);
        return a.reconciled ? tr("reconciled") : tr("pending");
    case LastErrorColumn: return a.lastError;
    case ColumnCount: break;
    }
    return QString();
}

void AccountTableModel::applySnapshots(const QList<AccountSnapshot> &snapshots)
{
    QList<int> changedRows;
    QList<AccountSnapshot> added;
    quint32 columns = 0;
    for (const AccountSnapshot &s : snapshots) {
        auto it = d->rowById.constFind(s.id);
        if (it == d->rowById.cend()) {
            auto dup = std::find_if(added.begin(), added.end(), [&s](const AccountSnapshot &a) { return a.id == s.id; });
            if (dup != added.end())
                *dup = s;
            else
                added.append(s);
            continue;
        }
        AccountSnapshot &current = d->rows[it.value()];
        quint32 rowColumns = 0;
        for (int c = 0; c < ColumnCount; ++c) {
            if (text(current, c) != text(s, c))
                rowColumns |= 1u << c;
        }
        current = s;
        if (rowColumns) {
            columns |= rowColumns;
            changedRows.append(it.value());
        }
    }
    std::sort(changedRows.begin(), changedRows.end());
    changedRows.erase(std::unique(changedRows.begin(), changedRows.end()), changedRows.end());
    if (columns) {
        int firstColumn = 0;
        while (!(columns & (1u << firstColumn)))
            ++firstColumn;
        int lastColumn = ColumnCount - 1;
        while (!(columns & (1u << lastColumn)))
            --lastColumn;
        for (int i = 0; i < changedRows.size();) {
            int j = i;
            while (j + 1 < changedRows.size() && changedRows.at(j + 1) == changedRows.at(j) + 1)
                ++j;
            Q_EMIT dataChanged(index(changedRows.at(i), firstColumn), index(changedRows.at(j), lastColumn));
            i = j + 1;
        }
    }
    if (!added.isEmpty()) {
        const int first = int(d->rows.size());
        beginInsertRows({}, first, first + int(added.size()) - 1);
        for (const AccountSnapshot &a : std::as_const(added)) {
            d->rowById.insert(a.id, int(d->rows.size()));
            d->rows.append(a);
        }
        endInsertRows();
    }
}

void AccountTableModel::removeAccount(const QString &accountId)
{
    const int row = rowOf(accountId);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    d->rows.removeAt(row);
    d->rowById.remove(accountId);
    for (auto it = d->rowById.begin(); it != d->rowById.end(); ++it) {
        if (it.value() > row)
            --it.value();
    }
    endRemoveRows();
}

int AccountTableModel::rowOf(const QString &accountId) const
{
    return d->rowById.value(accountId, -1);
}

const AccountSnapshot &AccountTableModel::account(int row) const
{
    Q_ASSERT(row >= 0 && row < d->rows.size());
    return d->rows.at(row);
}

int AccountTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(d->rows.size());
}

int AccountTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AccountTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const AccountSnapshot &a = d->rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole: return text(a, index.column());
    case Qt::ToolTipRole:
        if (index.column() == LastErrorColumn || index.column() == GateColumn)
            return text(a, index.column());
        return {};
    case AccountIdRole: return a.id;
    case LoginIdRole: return a.loginId;
    case GateRole: return a.gate;
    case Qt::ForegroundRole:
        if (index.column() == ConnectionColumn) {
            if (a.connection == AccountSnapshot::Connection::Connected)
                return QBrush(ConsoleColors::profit());
            if (a.connection != AccountSnapshot::Connection::Connecting)
                return QBrush(ConsoleColors::loss());
        }
        if (index.column() == GateColumn && a.gate != QLatin1String("active") && !a.gate.isEmpty())
            return QBrush(ConsoleColors::loss());
        if (index.column() == BreakerColumn && a.breaker == QLatin1String("open"))
            return QBrush(ConsoleColors::loss());
        if (index.column() == ReconcileColumn && a.unresolvedTrades > 0)
            return QBrush(ConsoleColors::loss());
        if (index.column() == LastErrorColumn)
            return QBrush(ConsoleColors::loss());
        return {};
    case Qt::FontRole:
        if (index.column() == GateColumn && a.gate == QLatin1String("halted")) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == BalanceColumn || index.column() == OpenColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    default: return {};
    }
}

QVariant AccountTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case AccountColumn: return tr("Account");
    case TypeColumn: return tr("Type");
    case ConnectionColumn: return tr("Connection");
    case BalanceColumn: return tr("Balance");
    case GateColumn: return tr("Gate");
    case BreakerColumn: return tr("Breaker");
    case OpenColumn: return tr("Open");
    case ReconcileColumn: return tr("Journal");
    case LastErrorColumn: return tr("Last error");
    case ColumnCount: break;
    }
    return {};
}

} // namespace Vigil
