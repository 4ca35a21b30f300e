// SPDX-License-Identifier: GPL-3.0-or-later
#include "discrepancymodel.h"

#include <QJsonDocument>
#include <QList>

#include "store/discrepancy.h"

namespace Vigil {

namespace {
QString compact(const QJsonObject &o)
{
    return o.isEmpty() ? QStringLiteral("—") : QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QString indented(const QJsonObject &o)
{
    return o.isEmpty() ? QStringLiteral("(nothing)") : QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented));
}
} // namespace

struct DiscrepancyModel::Private
{
    QList<Discrepancy> rows;
};

DiscrepancyModel::DiscrepancyModel(QObject *parent) : QAbstractTableModel(parent), d(std::make_unique<Private>()) {}

DiscrepancyModel::~DiscrepancyModel() = default;

void DiscrepancyModel::setDiscrepancies(const QList<Discrepancy> &discrepancies)
{
    beginResetModel();
    d->rows = discrepancies;
    endResetModel();
}

int DiscrepancyModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(d->rows.size());
}

int DiscrepancyModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DiscrepancyModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Discrepancy &x = d->rows.at(index.row());
    if (role == Qt::DisplayRole) {
        switch (Column(index.column())) {
        case KindColumn: return x.kind;
        case ContractColumn: return x.contractId ? QVariant(x.contractId) : QVariant(QStringLiteral("—"));
        case LocalIdColumn: return x.localId ? QVariant(x.localId) : QVariant(QStringLiteral("—"));
        case ActionColumn: return x.action;
        case BeforeColumn: return compact(x.before);
        case AfterColumn: return compact(x.after);
        case ColumnCount: break;
        }
        return {};
    }
    if (role == Qt::ToolTipRole) {
        if (index.column() == BeforeColumn)
            return indented(x.before);
        if (index.column() == AfterColumn)
            return indented(x.after);
    }
    return {};
}

QVariant DiscrepancyModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case KindColumn: return tr("Discrepancy");
    case ContractColumn: return tr("Contract");
    case LocalIdColumn: return tr("Journal row");
    case ActionColumn: return tr("Action");
    case BeforeColumn: return tr("Before");
    case AfterColumn: return tr("After");
    case ColumnCount: break;
    }
    return {};
}

} // namespace Vigil
