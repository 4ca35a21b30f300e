// SPDX-License-Identifier: GPL-3.0-or-later
#include "tradesview.h"

#include <optional>

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QTabBar>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include "engine/engine.h"
#include "engine/engineevent.h"
#include "health/logcategories.h"
#include "store/trade.h"
#include "store/tradefilter.h"
#include "ui/accountlabels.h"
#include "ui/tradetablemodel.h"

namespace Vigil {

namespace {
// Mode, status, account and free text, all at once (QSortFilterProxyModel filters on one thing only).
class TradeRowFilter final : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    void set(TradesView::Mode mode, int status, const QString &account, const QString &text)
    {
        m_mode = mode;
        m_status = status;
        m_account = account;
        m_text = text.trimmed();
        invalidateFilter();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override
    {
        const QModelIndex i = sourceModel()->index(row, 0, parent);
        const auto status = TradeStatus(i.data(TradeTableModel::StatusRole).toInt());
        if ((m_mode == TradesView::Mode::Open) != isUnresolvedStatus(status))
            return false;
        if (m_status >= 0 && int(status) != m_status)
            return false;
        if (!m_account.isEmpty() && i.data(TradeTableModel::AccountIdRole).toString() != m_account)
            return false;
        return m_text.isEmpty() || i.data(TradeTableModel::SearchRole).toString().contains(m_text, Qt::CaseInsensitive);
    }

private:
    TradesView::Mode m_mode = TradesView::Mode::Open;
    int m_status = -1;
    QString m_account;
    QString m_text;
};
} // namespace

struct TradesView::Private
{
    TradesView::Source source;
    TradeTableModel *model = nullptr;
    TradeRowFilter *proxy = nullptr;
    QTableView *table = nullptr;
    QTabBar *modes = nullptr;
    QLineEdit *search = nullptr;
    QComboBox *status = nullptr;
    QComboBox *account = nullptr;
    QLabel *note = nullptr;
    QTimer *soon = nullptr;
    QTimer *slow = nullptr;
    bool inFlight = false;
    bool again = false;
    int queries = 0;
    QString lastError;
};

TradesView::TradesView(QWidget *parent) : QWidget(parent), d(std::make_unique<Private>())
{
    setObjectName(QStringLiteral("tradesView"));
    d->model = new TradeTableModel(this);
    d->proxy = new TradeRowFilter(this);
    d->proxy->setSourceModel(d->model);
    d->proxy->setSortRole(TradeTableModel::SortRole);

    d->modes = new QTabBar(this);
    d->modes->setObjectName(QStringLiteral("tradeModes"));
    d->modes->addTab(tr("Open contracts"));
    d->modes->addTab(tr("History"));
    d->modes->setDocumentMode(true);
    d->modes->setDrawBase(false);
    d->search = new QLineEdit(this);
    d->search->setObjectName(QStringLiteral("tradeSearch"));
    d->search->setPlaceholderText(tr("Search bot, symbol, contract, reason…"));
    d->search->setClearButtonEnabled(true);
    d->status = new QComboBox(this);
    d->status->setObjectName(QStringLiteral("tradeStatusFilter"));
    d->status->addItem(tr("Any status"), -1);
    for (TradeStatus s : {TradeStatus::Pending, TradeStatus::Open, TradeStatus::Unknown, TradeStatus::Won, TradeStatus::Lost,
                          TradeStatus::Sold, TradeStatus::Void, TradeStatus::Failed, TradeStatus::Stale}) {
        QString name = tradeStatusToString(s);
        name[0] = name.at(0).toUpper();
        d->status->addItem(name, int(s));
    }
    d->account = new QComboBox(this);
    d->account->setObjectName(QStringLiteral("tradeAccountFilter"));
    d->account->addItem(tr("All accounts"), QString());
    d->note = new QLabel(this);

    d->table = new QTableView(this);
    d->table->setObjectName(QStringLiteral("tradeTable"));
    d->table->setModel(d->proxy);
    d->table->setSortingEnabled(true);
    d->table->sortByColumn(TradeTableModel::OpenedColumn, Qt::DescendingOrder);
    d->table->setSelectionBehavior(QAbstractItemView::SelectRows);
    d->table->setSelectionMode(QAbstractItemView::SingleSelection);
    d->table->setAlternatingRowColors(true);
    d->table->setWordWrap(false);
    d->table->setShowGrid(false);
    d->table->verticalHeader()->hide();
    d->table->verticalHeader()->setDefaultSectionSize(d->table->fontMetrics().height() + 8);
    d->table->horizontalHeader()->setStretchLastSection(true);
    d->table->horizontalHeader()->setHighlightSections(false);
    const QFontMetrics metrics = d->table->fontMetrics();
    d->table->setColumnWidth(TradeTableModel::AccountColumn, metrics.horizontalAdvance(QStringLiteral("VRTC1000001 (demo)")) + 16);
    for (const int column : {TradeTableModel::OpenedColumn, TradeTableModel::ClosedColumn})
        d->table->setColumnWidth(column, metrics.horizontalAdvance(QStringLiteral("2026-11-21 23:59:59")) + 16);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(d->modes);
    bar->addWidget(d->search, 1);
    bar->addWidget(d->status);
    bar->addWidget(d->account);
    bar->addWidget(d->note);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->setSpacing(4);
    layout->addLayout(bar);
    layout->addWidget(d->table, 1);

    auto refilter = [this] {
        d->proxy->set(mode(), d->status->currentData().toInt(), d->account->currentData().toString(), d->search->text());
    };
    connect(d->modes, &QTabBar::currentChanged, this, refilter);
    connect(d->search, &QLineEdit::textChanged, this, refilter);
    connect(d->status, &QComboBox::currentIndexChanged, this, refilter);
    connect(d->account, &QComboBox::currentIndexChanged, this, refilter);
    refilter();

    d->soon = new QTimer(this);
    d->soon->setSingleShot(true);
    d->soon->setInterval(RefreshDelayMs);
    connect(d->soon, &QTimer::timeout, this, &TradesView::refresh);
    d->slow = new QTimer(this);
    d->slow->setInterval(SlowRefreshMs);
    connect(d->slow, &QTimer::timeout, this, &TradesView::refresh);
}

TradesView::~TradesView() = default;

void TradesView::attach(Engine &engine)
{
    Engine *e = &engine;
    setSource([e](const TradeFilter &filter, QObject *context, std::function<void(Result<QList<Trade>>)> done) {
        e->queryTrades(filter, context, std::move(done));
    });
    connect(e, &Engine::started, this, &TradesView::scheduleRefresh);
}

void TradesView::setSource(Source source)
{
    d->source = std::move(source);
    d->slow->start();
    scheduleRefresh();
}

TradeTableModel *TradesView::model() const { return d->model; }
QSortFilterProxyModel *TradesView::proxy() const { return d->proxy; }
QTableView *TradesView::table() const { return d->table; }
QLineEdit *TradesView::searchField() const { return d->search; }
QComboBox *TradesView::statusFilter() const { return d->status; }
QComboBox *TradesView::accountFilter() const { return d->account; }
int TradesView::queriesSent() const { return d->queries; }
QString TradesView::lastError() const { return d->lastError; }

TradesView::Mode TradesView::mode() const
{
    return d->modes->currentIndex() == 1 ? Mode::History : Mode::Open;
}

void TradesView::setMode(Mode mode)
{
    d->modes->setCurrentIndex(mode == Mode::History ? 1 : 0);
}

void TradesView::onEvents(const QList<EngineEvent> &events)
{
    for (const EngineEvent &e : events) {
        if (e.kind == EngineEvent::Kind::TradeOpened || e.kind == EngineEvent::Kind::TradeClosed
            || e.kind == EngineEvent::Kind::ReconcileDiscrepancy || e.kind == EngineEvent::Kind::EmergencyStopFinished) {
            scheduleRefresh();
            return;
        }
    }
}

void TradesView::scheduleRefresh()
{
    // Not restarted by later requests: a steady stream of trades still refreshes every RefreshDelayMs.
    if (!d->soon->isActive())
        d->soon->start();
}

void TradesView::refresh()
{
    if (!d->source)
        return;
    if (d->inFlight) {
        d->again = true;
        return;
    }
    d->inFlight = true;
    d->again = false;
    ++d->queries;
    // Two reads, one answer: every unresolved trade however old, and the newest history.
    struct Pair
    {
        std::optional<Result<QList<Trade>>> open;
        std::optional<Result<QList<Trade>>> history;
    };
    auto pair = std::make_shared<Pair>();
    auto joinIfDone = [this, pair] {
        if (!pair->open || !pair->history)
            return;
        if (!*pair->open) {
            applyResult(pair->open->error());
            return;
        }
        if (!*pair->history) {
            applyResult(pair->history->error());
            return;
        }
        QList<Trade> all = pair->open->value();
        QSet<qint64> seen;
        for (const Trade &t : all)
            seen.insert(t.localId);
        for (const Trade &t : pair->history->value()) {
            if (!seen.contains(t.localId))
                all.append(t);
        }
        applyResult(all);
    };
    TradeFilter open;
    open.statuses = {TradeStatus::Pending, TradeStatus::Unknown, TradeStatus::Open};
    d->source(open, this, [pair, joinIfDone](Result<QList<Trade>> r) {
        pair->open = std::move(r);
        joinIfDone();
    });
    TradeFilter history;
    history.newestFirst = true;
    history.limit = HistoryLimit;
    d->source(history, this, [pair, joinIfDone](Result<QList<Trade>> r) {
        pair->history = std::move(r);
        joinIfDone();
    });
}

void TradesView::applyResult(Result<QList<Trade>> result)
{
    d->inFlight = false;
    if (!result) {
        d->lastError = result.error().message;
        d->note->setText(tr("Journal not readable: %1").arg(d->lastError));
        qCWarning(lcUi) << "trades view: journal query failed:" << result.error().toString();
    } else {
        d->lastError.clear();
        d->note->clear();
        d->model->setTrades(result.value());
        updateAccounts();
    }
    Q_EMIT refreshed();
    if (d->again)
        scheduleRefresh();
}

void TradesView::setAccountLabels(const AccountLabels &labels)
{
    d->model->setAccountLabels(labels);
    updateAccounts();
}

void TradesView::updateAccounts()
{
    QSet<QString> listed;
    for (int i = 1; i < d->account->count(); ++i) {
        const QString account = d->account->itemData(i).toString();
        listed.insert(account);
        d->account->setItemText(i, d->model->accountLabel(account));
    }
    for (int row = 0; row < d->model->rowCount(); ++row) {
        const QString account = d->model->trade(row).account;
        if (!account.isEmpty() && !listed.contains(account)) {
            listed.insert(account);
            d->account->addItem(d->model->accountLabel(account), account);
        }
    }
}

} // namespace Vigil
