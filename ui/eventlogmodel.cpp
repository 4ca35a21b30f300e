// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventlogmodel.h"

#include <QBrush>
#include <QJsonDocument>
#include <QList>

#include "engine/engineevent.h"
#include "ui/accountlabels.h"
#include "ui/consolecolors.h"
#include "ui/displaytext.h"

namespace Vigil {

struct EventLogModel::Private
{
    int capacity;
    QList<EngineEvent> events;
    AccountLabels labels;
};

EventLogModel::EventLogModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent), d(std::make_unique<Private>(Private{qMax(1, capacity), {}, {}}))
{
}

EventLogModel::~EventLogModel() = default;

int EventLogModel::capacity() const
{
    return d->capacity;
}

void EventLogModel::append(const QList<EngineEvent> &events)
{
    if (events.isEmpty())
        return;
    // Only the newest `capacity` of this batch can survive.
    const qsizetype skip = qMax<qsizetype>(0, events.size() - d->capacity);
    const qsizetype incoming = events.size() - skip;
    const qsizetype overflow = d->events.size() + incoming - d->capacity;
    if (overflow > 0) {
        beginRemoveRows({}, 0, int(overflow) - 1);
        d->events.remove(0, overflow);
        endRemoveRows();
    }
    const int first = int(d->events.size());
    beginInsertRows({}, first, first + int(incoming) - 1);
    d->events.append(events.mid(skip));
    endInsertRows();
}

void EventLogModel::setAccountLabels(const AccountLabels &labels)
{
    if (labels == d->labels)
        return;
    d->labels = labels;
    if (!d->events.isEmpty())
        Q_EMIT dataChanged(index(0, AccountColumn), index(int(d->events.size()) - 1, AccountColumn));
}

QString EventLogModel::accountLabel(const QString &account) const
{
    return d->labels.label(account);
}

void EventLogModel::clear()
{
    if (d->events.isEmpty())
        return;
    beginRemoveRows({}, 0, int(d->events.size()) - 1);
    d->events.clear();
    endRemoveRows();
}

const EngineEvent &EventLogModel::event(int row) const
{
    Q_ASSERT(row >= 0 && row < d->events.size());
    return d->events.at(row);
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(d->events.size());
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const EngineEvent &e = d->events.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case TimeColumn: return DisplayText::clockTime(e.atMs, true);
        case LevelColumn: return EngineEvent::levelName(e.level);
        case KindColumn: return EngineEvent::kindName(e.kind);
        case AccountColumn: return accountLabel(e.account);
        case BotColumn: return e.bot;
        case MessageColumn: return e.message;
        case ColumnCount: break;
        }
        return {};
    case Qt::ToolTipRole:
        return index.column() == MessageColumn ? QVariant(e.message) : QVariant();
    case LevelRole: return int(e.level);
    case KindRole: return int(e.kind);
    case SearchTextRole:
        return QStringList{e.message, e.account, accountLabel(e.account), e.bot, EngineEvent::kindName(e.kind), EngineEvent::levelName(e.level)}
            .join(u'\n')
            .toLower();
    case DetailsRole: return QString::fromUtf8(QJsonDocument(e.toJson()).toJson(QJsonDocument::Indented));
    case Qt::ForegroundRole:
        if (e.level == EngineEvent::Level::Error)
            return QBrush(ConsoleColors::loss());
        if (e.level == EngineEvent::Level::Warning && index.column() <= KindColumn)
            return QBrush(ConsoleColors::warning().darker(ConsoleColors::isDark() ? 80 : 130));
        return {};
    default: return {};
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case TimeColumn: return tr("Time");
    case LevelColumn: return tr("Level");
    case KindColumn: return tr("Event");
    case AccountColumn: return tr("Account");
    case BotColumn: return tr("Bot");
    case MessageColumn: return tr("Message");
    case ColumnCount: break;
    }
    return {};
}

} // namespace Vigil
