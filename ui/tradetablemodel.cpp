// SPDX-License-Identifier: GPL-3.0-or-later
#include "tradetablemodel.h"

#include <algorithm>
#include <limits>

#include <QBrush>
#include <QDateTime>
#include <QHash>
#include <QList>

#include "store/trade.h"
#include "ui/accountlabels.h"
#include "ui/consolecolors.h"
#include "ui/displaytext.h"

namespace Vigil {

namespace {
// Amounts of different precisions sort together on one integer scale (8 decimals covers every currency).
qint64 sortableMinor(Money m)
{
    qint64 scale = 1;
    for (int i = m.digits(); i < 8; ++i)
        scale *= 10;
    return m.minor() * scale;
}

QString amount(const std::optional<Money> &m)
{
    return m ? m->toString() : QString();
}

QString when(qint64 ms)
{
    if (ms <= 0)
        return QString();
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString statusText(TradeStatus s)
{
    QString name = tradeStatusToString(s);
    if (!name.isEmpty())
        name[0] = name.at(0).toUpper();
    return name;
}

bool sameRow(const Trade &a, const Trade &b)
{
    return a.updatedMs == b.updatedMs && a.status == b.status && a.contractId == b.contractId && a.profit == b.profit
           && a.sellPrice == b.sellPrice && a.buyPrice == b.buyPrice && a.payout == b.payout && a.closedMs == b.closedMs
           && a.closeReason == b.closeReason && a.openedMs == b.openedMs && a.stake == b.stake;
}
} // namespace

struct TradeTableModel::Private
{
    QList<Trade> rows;
    AccountLabels labels;
    QHash<qint64, int> rowById; // localId → row

    void reindex()
    {
        rowById.clear();
        for (int i = 0; i < rows.size(); ++i)
            rowById.insert(rows.at(i).localId, i);
    }
};

TradeTableModel::TradeTableModel(QObject *parent) : QAbstractTableModel(parent), d(std::make_unique<Private>()) {}

void TradeTableModel::setAccountLabels(const AccountLabels &labels)
{
    if (labels == d->labels)
        return;
    d->labels = labels;
    if (!d->rows.isEmpty())
        Q_EMIT dataChanged(index(0, AccountColumn), index(int(d->rows.size()) - 1, AccountColumn));
}

QString TradeTableModel::accountLabel(const QString &account) const
{
    return d->labels.label(account);
}

TradeTableModel::~TradeTableModel() = default;

void TradeTableModel::setTrades(const QList<Trade> &trades)
{
    QHash<qint64, const Trade *> incoming;
    incoming.reserve(trades.size());
    for (const Trade &t : trades)
        incoming.insert(t.localId, &t);

    // Rows no longer in the result: removed bottom-up, a contiguous run at a time.
    for (int i = int(d->rows.size()) - 1; i >= 0;) {
        if (incoming.contains(d->rows.at(i).localId)) {
            --i;
            continue;
        }
        int first = i;
        while (first > 0 && !incoming.contains(d->rows.at(first - 1).localId))
            --first;
        beginRemoveRows({}, first, i);
        d->rows.remove(first, i - first + 1);
        endRemoveRows();
        i = first - 1;
    }
    d->reindex();

    // Changed rows in place: one dataChanged per contiguous run.
    int runStart = -1;
    auto flush = [this, &runStart](int end) {
        if (runStart >= 0)
            Q_EMIT dataChanged(index(runStart, 0), index(end, ColumnCount - 1));
        runStart = -1;
    };
    for (int i = 0; i < d->rows.size(); ++i) {
        const Trade &now = *incoming.value(d->rows.at(i).localId);
        if (sameRow(d->rows.at(i), now)) {
            flush(i - 1);
            continue;
        }
        d->rows[i] = now;
        if (runStart < 0)
            runStart = i;
    }
    flush(int(d->rows.size()) - 1);

    QList<Trade> added;
    for (const Trade &t : trades) {
        if (!d->rowById.contains(t.localId))
            added.append(t);
    }
    if (!added.isEmpty()) {
        const int first = int(d->rows.size());
        beginInsertRows({}, first, first + int(added.size()) - 1);
        d->rows.append(added);
        d->reindex();
        endInsertRows();
    }
}

const Trade &TradeTableModel::trade(int row) const
{
    return d->rows.at(row);
}

int TradeTableModel::rowOfLocalId(qint64 localId) const
{
    return d->rowById.value(localId, -1);
}

int TradeTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(d->rows.size());
}

int TradeTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TradeTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= d->rows.size())
        return {};
    const Trade &t = d->rows.at(index.row());
    switch (role) {
    case LocalIdRole: return t.localId;
    case StatusRole: return int(t.status);
    case AccountIdRole: return t.account;
    case SearchRole:
        return QStringList{t.account, accountLabel(t.account), t.bot, t.contractId ? QString::number(t.contractId) : QString(), t.symbol,
                           t.contractType, tradeStatusToString(t.status), t.closeReason}
            .join(u' ');
    case Qt::DisplayRole:
    case SortRole: {
        const bool sort = role == SortRole;
        auto money = [sort](const std::optional<Money> &m) -> QVariant {
            if (sort)
                return m ? QVariant(sortableMinor(*m)) : QVariant(std::numeric_limits<qint64>::min());
            return amount(m);
        };
        switch (index.column()) {
        case AccountColumn: return accountLabel(t.account);
        case BotColumn: return t.bot.isEmpty() ? (sort ? QString() : tr("(outside)")) : t.bot;
        case ContractColumn:
            if (sort)
                return t.contractId;
            return t.contractId ? QString::number(t.contractId) : QString();
        case SymbolColumn: return t.symbol;
        case TypeColumn: return t.contractType;
        case StakeColumn: return sort ? QVariant(sortableMinor(t.stake)) : QVariant(DisplayText::money(t.stake, t.currency));
        case BuyPriceColumn: return money(t.buyPrice);
        case PayoutColumn: return money(t.payout);
        case StatusColumn: return sort ? QVariant(int(t.status)) : QVariant(statusText(t.status));
        case ProfitColumn:
            if (sort || !t.profit)
                return money(t.profit);
            return DisplayText::signedMoney(*t.profit);
        case OpenedColumn: return sort ? QVariant(t.openedMs) : QVariant(when(t.openedMs));
        case ClosedColumn: return sort ? QVariant(t.closedMs) : QVariant(when(t.closedMs));
        case CloseReasonColumn: return t.closeReason;
        default: return {};
        }
    }
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case StakeColumn:
        case BuyPriceColumn:
        case PayoutColumn:
        case ProfitColumn:
        case ContractColumn: return int(Qt::AlignRight | Qt::AlignVCenter);
        default: return int(Qt::AlignLeft | Qt::AlignVCenter);
        }
    case Qt::ForegroundRole:
        if (index.column() == ProfitColumn && t.profit && !t.profit->isZero())
            return QBrush(t.profit->isNegative() ? ConsoleColors::loss() : ConsoleColors::profit());
        if (index.column() == StatusColumn && (t.status == TradeStatus::Unknown || t.status == TradeStatus::Failed))
            return QBrush(ConsoleColors::loss());
        return {};
    case Qt::ToolTipRole:
        if (index.column() == CloseReasonColumn || index.column() == StatusColumn)
            return t.closeReason.isEmpty() ? QVariant() : QVariant(t.closeReason);
        return {};
    default: return {};
    }
}

QVariant TradeTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case AccountColumn: return tr("Account");
    case BotColumn: return tr("Bot");
    case ContractColumn: return tr("Contract");
    case SymbolColumn: return tr("Symbol");
    case TypeColumn: return tr("Type");
    case StakeColumn: return tr("Stake");
    case BuyPriceColumn: return tr("Buy price");
    case PayoutColumn: return tr("Payout");
    case StatusColumn: return tr("Status");
    case ProfitColumn: return tr("Profit");
    case OpenedColumn: return tr("Opened");
    case ClosedColumn: return tr("Closed");
    case CloseReasonColumn: return tr("Close reason");
    default: return {};
    }
}

} // namespace Vigil
