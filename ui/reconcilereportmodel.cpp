// SPDX-License-Identifier: GPL-3.0-or-later
#include "reconcilereportmodel.h"

#include <QBrush>
#include <QList>

#include "store/reconcilereport.h"
#include "ui/accountlabels.h"
#include "ui/consolecolors.h"
#include "ui/displaytext.h"

namespace Vigil {

struct ReconcileReportModel::Private
{
    int capacity;
    QList<ReconcileReport> reports;
    AccountLabels labels;
};

ReconcileReportModel::ReconcileReportModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent), d(std::make_unique<Private>(Private{qMax(1, capacity), {}, {}}))
{
}

ReconcileReportModel::~ReconcileReportModel() = default;

void ReconcileReportModel::append(const ReconcileReport &report)
{
    if (d->reports.size() >= d->capacity) {
        beginRemoveRows({}, 0, 0);
        d->reports.removeFirst();
        endRemoveRows();
    }
    const int row = int(d->reports.size());
    beginInsertRows({}, row, row);
    d->reports.append(report);
    endInsertRows();
}

void ReconcileReportModel::setAccountLabels(const AccountLabels &labels)
{
    if (labels == d->labels)
        return;
    d->labels = labels;
    if (!d->reports.isEmpty())
        Q_EMIT dataChanged(index(0, AccountColumn), index(int(d->reports.size()) - 1, AccountColumn));
}

QString ReconcileReportModel::accountLabel(const QString &account) const
{
    return d->labels.label(account);
}

const ReconcileReport &ReconcileReportModel::report(int row) const
{
    Q_ASSERT(row >= 0 && row < d->reports.size());
    return d->reports.at(row);
}

int ReconcileReportModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(d->reports.size());
}

int ReconcileReportModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ReconcileReportModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ReconcileReport &r = d->reports.at(index.row());
    if (role == Qt::DisplayRole) {
        switch (Column(index.column())) {
        case FinishedColumn: return DisplayText::clockTime(r.finishedMs ? r.finishedMs : r.startedMs);
        case AccountColumn: return accountLabel(r.account);
        case TriggerColumn: return r.trigger;
        case DurationColumn:
            return r.finishedMs >= r.startedMs && r.startedMs > 0 ? DisplayText::duration(r.finishedMs - r.startedMs) : QString();
        case ResultColumn:
            if (!r.completed())
                return tr("failed: %1").arg(r.error);
            return r.discrepancies.isEmpty()         ? tr("clean")
                : r.discrepancies.size() == 1        ? tr("1 discrepancy")
                                                     : tr("%1 discrepancies").arg(r.discrepancies.size());
        case AdoptedColumn: return r.adopted;
        case FailedColumn: return r.failed;
        case SettledColumn: return r.settled;
        case StaleColumn: return r.stale;
        case OrphansColumn: return r.orphans;
        case MismatchesColumn: return r.mismatches;
        case ColumnCount: break;
        }
        return {};
    }
    if (role == Qt::ForegroundRole && index.column() == ResultColumn) {
        if (!r.completed())
            return QBrush(ConsoleColors::loss());
        if (!r.discrepancies.isEmpty())
            return QBrush(ConsoleColors::warning().darker(130));
        return QBrush(ConsoleColors::profit());
    }
    if (role == Qt::ToolTipRole && index.column() == ResultColumn && !r.completed())
        return r.error;
    if (role == Qt::TextAlignmentRole && index.column() >= AdoptedColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant ReconcileReportModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case FinishedColumn: return tr("Finished");
    case AccountColumn: return tr("Account");
    case TriggerColumn: return tr("Trigger");
    case DurationColumn: return tr("Took");
    case ResultColumn: return tr("Result");
    case AdoptedColumn: return tr("Adopted");
    case FailedColumn: return tr("Never bought");
    case SettledColumn: return tr("Settled");
    case StaleColumn: return tr("Stale");
    case OrphansColumn: return tr("Orphans");
    case MismatchesColumn: return tr("Corrected");
    case ColumnCount: break;
    }
    return {};
}

} // namespace Vigil
