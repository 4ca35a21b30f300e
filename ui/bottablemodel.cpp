// SPDX-License-Identifier: GPL-3.0-or-later
#include "bottablemodel.h"

#include <algorithm>

#include <QBrush>
#include <QFont>
#include <QHash>
#include <QList>
#include <QSet>

#include "engine/accountsnapshot.h"
#include "ui/consolecolors.h"
#include "ui/displaytext.h"
#include "ui/iconfactory.h"

namespace Vigil {

namespace {
struct Row
{
    QString accountId;
    QString accountLabel;
    QString currency;
    BotSnapshot bot;
};

// Which columns differ between two versions of a row (bit per column).
quint32 changedColumns(const Row &a, const Row &b)
{
    quint32 m = 0;
    auto mark = [&m](bool differs, int column) {
        if (differs)
            m |= 1u << column;
    };
    mark(a.accountLabel != b.accountLabel, BotTableModel::AccountColumn);
    mark(a.bot.name != b.bot.name, BotTableModel::BotColumn);
    mark(a.bot.state != b.bot.state || !(a.bot.reason == b.bot.reason), BotTableModel::StateColumn);
    mark(a.bot.symbol != b.bot.symbol, BotTableModel::SymbolColumn);
    mark(a.bot.strategy != b.bot.strategy, BotTableModel::StrategyColumn);
    mark(a.bot.nextStake != b.bot.nextStake || a.currency != b.currency, BotTableModel::StakeColumn);
    mark(a.bot.openContracts != b.bot.openContracts, BotTableModel::OpenColumn);
    mark(a.bot.tradesToday != b.bot.tradesToday, BotTableModel::TradesColumn);
    mark(a.bot.pnlToday != b.bot.pnlToday || a.currency != b.currency, BotTableModel::PnlColumn);
    mark(a.bot.lastError != b.bot.lastError, BotTableModel::LastErrorColumn);
    return m;
}
} // namespace

struct BotTableModel::Private
{
    QList<Row> rows;
    QHash<QString, int> rowByBot; // bot id → row

    void reindex()
    {
        rowByBot.clear();
        for (int i = 0; i < rows.size(); ++i)
            rowByBot.insert(rows.at(i).bot.id, i);
    }
};

BotTableModel::BotTableModel(QObject *parent) : QAbstractTableModel(parent), d(std::make_unique<Private>()) {}

BotTableModel::~BotTableModel() = default;

void BotTableModel::applySnapshots(const QList<AccountSnapshot> &snapshots)
{
    // 1. Bots that left their account's snapshot: removed, contiguous runs at a time, from the bottom up.
    QList<int> gone;
    for (const AccountSnapshot &s : snapshots) {
        QSet<QString> present;
        for (const BotSnapshot &b : s.bots)
            present.insert(b.id);
        for (int i = 0; i < d->rows.size(); ++i) {
            if (d->rows.at(i).accountId == s.id && !present.contains(d->rows.at(i).bot.id))
                gone.append(i);
        }
    }
    std::sort(gone.begin(), gone.end());
    while (!gone.isEmpty()) {
        const int last = gone.takeLast();
        int first = last;
        while (!gone.isEmpty() && gone.last() == first - 1)
            first = gone.takeLast();
        beginRemoveRows({}, first, last);
        d->rows.remove(first, last - first + 1);
        endRemoveRows();
    }
    d->reindex();

    // 2. Changes in place, and new bots collected for one insertion at the end.
    QList<Row> added;
    QList<std::pair<int, quint32>> changed; // row, columns
    for (const AccountSnapshot &s : snapshots) {
        const QString label = DisplayText::accountLabel(s);
        for (const BotSnapshot &b : s.bots) {
            Row next{s.id, label, s.currency, b};
            auto it = d->rowByBot.constFind(b.id);
            if (it == d->rowByBot.cend()) {
                added.append(next);
                continue;
            }
            Row &current = d->rows[it.value()];
            const quint32 columns = changedColumns(current, next);
            current = std::move(next);
            if (columns)
                changed.append({it.value(), columns});
        }
    }
    std::sort(changed.begin(), changed.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    for (int i = 0; i < changed.size();) {
        int j = i;
        quint32 columns = changed.at(i).second;
        while (j + 1 < changed.size() && changed.at(j + 1).first == changed.at(j).first + 1) {
            ++j;
            columns |= changed.at(j).second;
        }
        int firstColumn = 0;
        while (!(columns & (1u << firstColumn)))
            ++firstColumn;
        int lastColumn = ColumnCount - 1;
        while (!(columns & (1u << lastColumn)))
            --lastColumn;
        Q_EMIT dataChanged(index(changed.at(i).first, firstColumn), index(changed.at(j).first, lastColumn));
        i = j + 1;
    }
    if (!added.isEmpty()) {
        const int first = int(d->rows.size());
        beginInsertRows({}, first, first + int(added.size()) - 1);
        d->rows.append(added);
        for (int i = first; i < d->rows.size(); ++i)
            d->rowByBot.insert(d->rows.at(i).bot.id, i);
        endInsertRows();
    }
}

int BotTableModel::rowOf(const QString &botId) const
{
    return d->rowByBot.value(botId, -1);
}

const BotSnapshot &BotTableModel::bot(int row) const
{
    Q_ASSERT(row >= 0 && row < d->rows.size());
    return d->rows.at(row).bot;
}

QString BotTableModel::currency(int row) const
{
    return row >= 0 && row < d->rows.size() ? d->rows.at(row).currency : QString();
}

int BotTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(d->rows.size());
}

int BotTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant BotTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = d->rows.at(index.row());
    const BotSnapshot &b = r.bot;
    switch (role) {
    case BotIdRole: return b.id;
    case AccountIdRole: return r.accountId;
    case StateRole: return int(b.state);
    case HaltReasonRole: return int(b.reason.halt);
    default: break;
    }

    if (role == Qt::DisplayRole || role == SortRole) {
        const bool sort = role == SortRole;
        switch (Column(index.column())) {
        case AccountColumn: return r.accountLabel;
        case BotColumn: return b.name.isEmpty() ? b.id : b.name;
        case StateColumn: return sort ? QVariant(int(b.state)) : QVariant(DisplayText::botStateWithReason(b));
        case SymbolColumn: return b.symbol;
        case StrategyColumn: return b.strategy;
        case StakeColumn: return sort ? QVariant(b.nextStake.minor()) : QVariant(DisplayText::money(b.nextStake, r.currency));
        case OpenColumn: return b.openContracts;
        case TradesColumn: return b.tradesToday;
        case PnlColumn: return sort ? QVariant(b.pnlToday.minor()) : QVariant(DisplayText::signedMoney(b.pnlToday));
        case LastErrorColumn: return b.lastError;
        case ColumnCount: break;
        }
        return {};
    }
    switch (role) {
    case Qt::ToolTipRole:
        switch (Column(index.column())) {
        case StateColumn: return DisplayText::botStateTooltip(b);
        case BotColumn: return QStringLiteral("%1 (id %2)").arg(b.name, b.id);
        case StrategyColumn: return b.strategy;
        case LastErrorColumn: return b.lastError;
        default: return {};
        }
    case Qt::DecorationRole:
        if (index.column() == StateColumn)
            return IconFactory::botState(b.state);
        return {};
    case Qt::ForegroundRole:
        if (index.column() == PnlColumn && !b.pnlToday.isZero())
            return QBrush(b.pnlToday.isNegative() ? ConsoleColors::loss() : ConsoleColors::profit());
        if (index.column() == StateColumn && (b.state == BotState::Halted || b.state == BotState::Failed))
            return QBrush(ConsoleColors::loss());
        if (index.column() == LastErrorColumn)
            return QBrush(ConsoleColors::loss());
        return {};
    case Qt::FontRole:
        if (index.column() == StateColumn && (b.state == BotState::Halted || b.state == BotState::Failed)) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::TextAlignmentRole:
        switch (Column(index.column())) {
        case StakeColumn:
        case OpenColumn:
        case TradesColumn:
        case PnlColumn: return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        default: return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
        }
    default: return {};
    }
}

QVariant BotTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case AccountColumn: return tr("Account");
    case BotColumn: return tr("Bot");
    case StateColumn: return tr("State");
    case SymbolColumn: return tr("Symbol");
    case StrategyColumn: return tr("Strategy");
    case StakeColumn: return tr("Next stake");
    case OpenColumn: return tr("Open");
    case TradesColumn: return tr("Trades");
    case PnlColumn: return tr("P/L");
    case LastErrorColumn: return tr("Last error");
    case ColumnCount: break;
    }
    return {};
}

} // namespace Vigil
