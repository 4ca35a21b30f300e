// SPDX-License-Identifier: GPL-3.0-or-later
#include "logview.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "engine/engineevent.h"
#include "ui/eventfilterproxy.h"
#include "ui/eventlogmodel.h"

namespace Vigil {

LogView::LogView(EventLogModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_proxy(new EventFilterProxy(this)), m_level(new QComboBox(this)),
      m_search(new QLineEdit(this)), m_view(new QTableView(this)), m_details(new QPlainTextEdit(this))
{
    m_proxy->setSourceModel(m_model);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Show"), this));
    m_level->setObjectName(QStringLiteral("levelFilter"));
    m_level->addItem(tr("Everything"), int(EngineEvent::Level::Info));
    m_level->addItem(tr("Warnings and errors"), int(EngineEvent::Level::Warning));
    m_level->addItem(tr("Errors only"), int(EngineEvent::Level::Error));
    bar->addWidget(m_level);
    m_search->setObjectName(QStringLiteral("logSearch"));
    m_search->setPlaceholderText(tr("Search message, account, bot, event…"));
    m_search->setClearButtonEnabled(true);
    bar->addWidget(m_search, 1);
    layout->addLayout(bar);

    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setShowGrid(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setColumnWidth(EventLogModel::TimeColumn, 96);
    m_view->setColumnWidth(EventLogModel::LevelColumn, 64);
    m_view->setColumnWidth(EventLogModel::KindColumn, 150);
    // Room for an account as the console names it ("VRTC1000001 (demo)").
    m_view->setColumnWidth(EventLogModel::AccountColumn, m_view->fontMetrics().horizontalAdvance(QStringLiteral("VRTC1000001 (demo)")) + 16);
    m_view->setColumnWidth(EventLogModel::BotColumn, 110);

    m_details->setObjectName(QStringLiteral("eventDetails"));
    m_details->setReadOnly(true);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_details->setPlaceholderText(tr("Select an event to see its full context."));

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_view);
    split->addWidget(m_details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);

    connect(m_level, &QComboBox::currentIndexChanged, this,
            [this](int) { m_proxy->setMinimumLevel(m_level->currentData().toInt()); });
    connect(m_search, &QLineEdit::textChanged, m_proxy, &EventFilterProxy::setSearchText);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &LogView::showDetails);
    // Follow the newest events only while the user has not scrolled up to read.
    connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, this,
            [this](int value) { m_follow = value >= m_view->verticalScrollBar()->maximum() - 2; });
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_follow)
            m_view->scrollToBottom();
    });
}

LogView::~LogView() = default;

void LogView::showDetails()
{
    const QModelIndex current = m_view->currentIndex();
    m_details->setPlainText(current.isValid() ? current.data(EventLogModel::DetailsRole).toString() : QString());
}

QString LogView::detailsText() const
{
    return m_details->toPlainText();
}

void LogView::setSearchText(const QString &text)
{
    m_search->setText(text);
}

void LogView::setMinimumLevel(int level)
{
    const int i = m_level->findData(level);
    if (i >= 0)
        m_level->setCurrentIndex(i);
}

void LogView::selectRow(int proxyRow)
{
    m_view->setCurrentIndex(m_proxy->index(proxyRow, 0));
}

} // namespace Vigil
