// SPDX-License-Identifier: GPL-3.0-or-later
#include "reconcileview.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "store/reconcilereport.h"
#include "ui/discrepancymodel.h"
#include "ui/iconfactory.h"
#include "ui/reconcilereportmodel.h"

namespace Vigil {

namespace {
void setUpTable(QTableView *v)
{
    v->setSelectionBehavior(QAbstractItemView::SelectRows);
    v->setSelectionMode(QAbstractItemView::SingleSelection);
    v->setAlternatingRowColors(true);
    v->verticalHeader()->hide();
    v->verticalHeader()->setDefaultSectionSize(v->fontMetrics().height() + 6);
    v->horizontalHeader()->setStretchLastSection(true);
    v->setWordWrap(false);
    v->setShowGrid(false);
}
} // namespace

ReconcileView::ReconcileView(ReconcileReportModel *reports, QWidget *parent)
    : QWidget(parent), m_reports(reports), m_discrepancies(new DiscrepancyModel(this)),
      m_now(new QPushButton(IconFactory::action(IconFactory::Action::Reconcile), tr("Reconcile now"), this)),
      m_busy(new QProgressBar(this)), m_state(new QLabel(this)), m_reportView(new QTableView(this)),
      m_discrepancyView(new QTableView(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    auto *bar = new QHBoxLayout;
    m_now->setObjectName(QStringLiteral("reconcileNowButton"));
    m_now->setToolTip(tr("Compare the journal with the server for every account and resolve differences"));
    bar->addWidget(m_now);
    m_busy->setRange(0, 0); // busy: a run's progress is not reported in steps
    m_busy->setMaximumWidth(160);
    m_busy->setMaximumHeight(14);
    m_busy->setTextVisible(false);
    m_busy->hide();
    bar->addWidget(m_busy);
    bar->addWidget(m_state, 1);
    layout->addLayout(bar);

    m_reportView->setModel(m_reports);
    setUpTable(m_reportView);
    m_discrepancyView->setModel(m_discrepancies);
    setUpTable(m_discrepancyView);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_reportView);
    split->addWidget(m_discrepancyView);
    layout->addWidget(split, 1);
    m_state->setText(tr("No reconciliation has run yet this session."));

    connect(m_now, &QPushButton::clicked, this, &ReconcileView::reconcileNowRequested);
    connect(m_reportView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &ReconcileView::showReport);
    connect(m_reports, &QAbstractItemModel::rowsInserted, this, [this] {
        const int last = m_reports->rowCount() - 1;
        const ReconcileReport &r = m_reports->report(last);
        const QString account = m_reports->accountLabel(r.account);
        const QString result = r.discrepancies.isEmpty()  ? tr("no discrepancies")
            : r.discrepancies.size() == 1                 ? tr("1 discrepancy")
                                                          : tr("%1 discrepancies").arg(r.discrepancies.size());
        m_state->setText(r.completed() ? tr("Last run: %1, %2.").arg(account, result)
                                       : tr("Last run on %1 failed: %2").arg(account, r.error));
        if (!m_reportView->currentIndex().isValid() || m_reportView->currentIndex().row() == last - 1)
            m_reportView->setCurrentIndex(m_reports->index(last, 0));
    });
}

ReconcileView::~ReconcileView() = default;

QString ReconcileView::lastRunText() const
{
    return m_state->text();
}

void ReconcileView::setReconciling(bool reconciling)
{
    m_reconciling = reconciling;
    m_busy->setVisible(reconciling);
    if (reconciling)
        m_state->setText(tr("Reconciling…"));
}

void ReconcileView::showReport()
{
    const QModelIndex current = m_reportView->currentIndex();
    m_discrepancies->setDiscrepancies(current.isValid() ? m_reports->report(current.row()).discrepancies : QList<Discrepancy>());
    m_discrepancyView->resizeColumnsToContents();
}

} // namespace Vigil
