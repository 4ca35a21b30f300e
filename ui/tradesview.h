// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>
#include <memory>

#include <QWidget>

#include "health/result.h"

class QComboBox;
class QLineEdit;
class QSortFilterProxyModel;
class QTabBar;
class QTableView;

namespace Vigil {

class AccountLabels;
class Engine;
class TradeTableModel;
struct EngineEvent;
struct Trade;
struct TradeFilter;

// Open contracts and trade history from the journal: a toggle (Open contracts / History), a search field,
// status and account filters, sortable columns. Refreshes on TradeOpened/TradeClosed events (batched: at
// most one journal query per RefreshDelayMs, never two in flight) and on a slow timer, so a burst of
// trades costs one query. The query runs on the engine's store thread; this widget never waits on it.
// GUI thread only.
class TradesView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TradesView)

public:
    enum class Mode { Open, History };
    // How the view reads the journal: Engine::queryTrades or, in tests, a fake with the same contract.
    using Source = std::function<void(const TradeFilter &, QObject *, std::function<void(Result<QList<Trade>>)>)>;

    static constexpr int RefreshDelayMs = 250;
    static constexpr int SlowRefreshMs = 15'000;
    static constexpr int HistoryLimit = 2000; // newest settled rows kept; every unresolved one is always shown

    explicit TradesView(QWidget *parent = nullptr);
    ~TradesView() override;

    // Reads from the engine and refreshes on its trade events; the engine must outlive this view.
    void attach(Engine &engine);
    void setSource(Source source);

    TradeTableModel *model() const;
    QSortFilterProxyModel *proxy() const;
    QTableView *table() const;
    QLineEdit *searchField() const;
    QComboBox *statusFilter() const;  // item data: -1 = all, else int(TradeStatus)
    QComboBox *accountFilter() const; // item data: "" = all, else the login id
    Mode mode() const;
    void setMode(Mode mode);
    // The console's names for accounts: the table's account column and the account filter use them.
    void setAccountLabels(const AccountLabels &labels);
    // Journal queries sent so far (tests, diagnostics).
    int queriesSent() const;
    QString lastError() const;

public Q_SLOTS:
    // A trade opened or closed somewhere: refresh soon (coalesced).
    void scheduleRefresh();
    // Query now, unless one is in flight (then once more right after it).
    void refresh();
    void onEvents(const QList<Vigil::EngineEvent> &events);

Q_SIGNALS:
    void refreshed();

private:
    void applyResult(Result<QList<Trade>> result);
    void updateAccounts();

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Vigil
