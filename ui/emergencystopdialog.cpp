// SPDX-License-Identifier: GPL-3.0-or-later
#include "emergencystopdialog.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include "risk/emergencystopreport.h"
#include "ui/consolecolors.h"
#include "ui/displaytext.h"
#include "ui/iconfactory.h"

namespace Vigil {

namespace {
QTableWidget *makeTable(const QStringList &headers, QWidget *parent)
{
    auto *t = new QTableWidget(0, int(headers.size()), parent);
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->horizontalHeader()->setStretchLastSection(true);
    t->setAlternatingRowColors(true);
    return t;
}

void fill(QTableWidget *t, const QList<QStringList> &rows)
{
    t->setRowCount(int(rows.size()));
    for (int r = 0; r < rows.size(); ++r) {
        for (int c = 0; c < rows.at(r).size(); ++c)
            t->setItem(r, c, new QTableWidgetItem(rows.at(r).at(c)));
    }
    t->resizeColumnsToContents();
}

// Counted from the trigger, not from now: the report is read long after it was made ("in 4.7 s" went stale).
QString expiryText(qint64 expiryMs, qint64 triggeredMs)
{
    if (expiryMs <= 0)
        return QObject::tr("unknown");
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(expiryMs);
    const qint64 afterMs = expiryMs - triggeredMs;
    return afterMs > 0 && triggeredMs > 0
        ? QObject::tr("%1 (%2 after the stop)").arg(at.toString(QStringLiteral("HH:mm:ss")), DisplayText::duration(afterMs))
        : at.toString(QStringLiteral("HH:mm:ss"));
}
} // namespace

EmergencyStopDialog::EmergencyStopDialog(QWidget *parent)
    : QDialog(parent), m_headline(new QLabel(this)), m_timing(new QLabel(this)), m_summary(new QLabel(this)),
      m_sold(makeTable({tr("Account"), tr("Contract"), tr("Sold for")}, this)),
      m_unsellable(makeTable({tr("Account"), tr("Contract"), tr("Settles by itself at"), tr("Why it could not be sold")}, this)),
      m_failed(makeTable({tr("Account"), tr("Contract"), tr("Error")}, this))
{
    setObjectName(QStringLiteral("emergencyStopDialog"));
    setWindowTitle(tr("Emergency stop report"));
    setWindowIcon(IconFactory::action(IconFactory::Action::EmergencyStop));
    setModal(false);
    resize(760, 460);

    auto *layout = new QVBoxLayout(this);
    QFont big = m_headline->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    m_headline->setFont(big);
    m_headline->setWordWrap(true);
    m_timing->setWordWrap(true);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_headline);
    layout->addWidget(m_timing);

    m_tabs = new QTabWidget(this);
    m_tabs->addTab(m_sold, tr("Sold"));
    m_tabs->addTab(m_unsellable, tr("Could not be sold"));
    m_tabs->addTab(m_failed, tr("Failed"));
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_summary);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *rearm = buttons->addButton(tr("Re-arm trading"), QDialogButtonBox::ActionRole);
    rearm->setIcon(IconFactory::action(IconFactory::Action::Rearm));
    rearm->setObjectName(QStringLiteral("reportRearmButton"));
    connect(rearm, &QPushButton::clicked, this, &EmergencyStopDialog::rearmRequested);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    layout->addWidget(buttons);
}

EmergencyStopDialog::~EmergencyStopDialog() = default;

void EmergencyStopDialog::setReport(const EmergencyStopReport &r)
{
    const QString scope = r.scope == QLatin1String("all") ? tr("all accounts") : r.scope;
    m_headline->setText(tr("Emergency stop of %1 finished — trading is HALTED until you re-arm it.").arg(scope));
    m_headline->setStyleSheet(QStringLiteral("color: %1;").arg(ConsoleColors::css(ConsoleColors::loss())));

    QString flat = r.verifiedFlat ? tr("The server confirms nothing sellable is left open.")
                      : r.remainingOpen == 1 ? tr("<b>NOT verified flat</b>: 1 contract still open.")
                                             : tr("<b>NOT verified flat</b>: %1 contracts still open.").arg(r.remainingOpen);
    if (!r.errors.isEmpty())
        flat += QStringLiteral(" ") + tr("Unreachable: %1.").arg(r.errors.join(QStringLiteral("; ")).toHtmlEscaped());
    m_timing->setText(tr("Triggered at %1. Gate closed after %2 µs; sells sent after %3; all answered after %4.<br>"
                         "%5 sold, %6 could not be sold, %7 failed, %8 had already closed. %9")
                          .arg(DisplayText::clockTime(r.triggeredMs, true))
                          .arg(r.haltedAfterUs)
                          .arg(DisplayText::duration(r.sellsSentAfterUs / 1000), DisplayText::duration(r.completedAfterMs))
                          .arg(r.sold.size())
                          .arg(r.unsellable.size())
                          .arg(r.failed.size())
                          .arg(r.alreadyClosed.size())
                          .arg(flat));

    QList<QStringList> rows;
    for (const auto &s : r.sold)
        rows.append({s.account, QString::number(s.contractId), s.soldFor.toString()});
    fill(m_sold, rows);
    rows.clear();
    for (const auto &u : r.unsellable)
        rows.append({u.account, QString::number(u.contractId), expiryText(u.expiryMs, r.triggeredMs), u.reason});
    fill(m_unsellable, rows);
    rows.clear();
    for (const auto &f : r.failed)
        rows.append({f.account, QString::number(f.contractId), f.error});
    fill(m_failed, rows);
    m_tabs->setTabText(0, tr("Sold (%1)").arg(r.sold.size()));
    m_tabs->setTabText(1, tr("Could not be sold (%1)").arg(r.unsellable.size()));
    m_tabs->setTabText(2, tr("Failed (%1)").arg(r.failed.size()));
    // Open on what still needs attention: what failed, then what is still open, else what was sold.
    m_tabs->setCurrentWidget(!r.failed.isEmpty() ? m_failed : !r.unsellable.isEmpty() ? m_unsellable : m_sold);
    m_summary->setText(r.summary());
}

int EmergencyStopDialog::soldCount() const
{
    return m_sold->rowCount();
}

int EmergencyStopDialog::unsellableCount() const
{
    return m_unsellable->rowCount();
}

QString EmergencyStopDialog::headline() const
{
    return m_headline->text();
}

} // namespace Vigil
