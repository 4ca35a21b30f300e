// SPDX-License-Identifier: GPL-3.0-or-later
#include "haltbar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

#include "ui/consolecolors.h"
#include "ui/iconfactory.h"

namespace Vigil {

HaltBar::HaltBar(QWidget *parent)
    : QFrame(parent), m_text(new QLabel(this)), m_rearm(new QPushButton(IconFactory::action(IconFactory::Action::Rearm), tr("Re-arm trading"), this)),
      m_report(new QPushButton(tr("Show stop report"), this))
{
    setObjectName(QStringLiteral("haltBar"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 6, 8, 6);
    auto *icon = new QLabel(this);
    icon->setPixmap(IconFactory::overall(OverallState::Halted).pixmap(24, 24));
    layout->addWidget(icon);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_report);
    layout->addWidget(m_rearm);
    m_text->setWordWrap(true);
    m_rearm->setObjectName(QStringLiteral("rearmButton"));
    m_report->setEnabled(false);
    setStyleSheet(QStringLiteral("#haltBar { background-color: %1; border: 2px solid %2; border-radius: 6px; }"
                                 "#haltBar QLabel { color: %2; background: transparent; }")
                      .arg(ConsoleColors::css(ConsoleColors::danger().lighter(185)), ConsoleColors::css(ConsoleColors::danger().darker(140))));
    connect(m_rearm, &QPushButton::clicked, this, [this] { Q_EMIT rearmRequested(m_rearmAccount); });
    connect(m_report, &QPushButton::clicked, this, &HaltBar::reportRequested);
    hide();
}

HaltBar::~HaltBar() = default;

void HaltBar::setState(bool globalHalted, const QString &globalReason, const QList<HaltedAccount> &accounts, bool stopRunning)
{
    if (!globalHalted && accounts.isEmpty() && !stopRunning) {
        hide();
        return;
    }
    QString text;
    if (globalHalted) {
        text = tr("<b>ALL TRADING HALTED</b> (%1). Nothing is bought until you re-arm.")
                   .arg(globalReason.isEmpty() ? tr("emergency stop") : globalReason.toHtmlEscaped());
        m_rearmAccount.clear();
        m_rearm->setText(tr("Re-arm trading"));
    } else if (!accounts.isEmpty()) {
        QStringList parts;
        for (const HaltedAccount &a : accounts)
            parts << QStringLiteral("<b>%1</b> (%2)").arg(a.label.toHtmlEscaped(), a.reason.isEmpty() ? tr("halted") : a.reason.toHtmlEscaped());
        text = tr("<b>HALTED</b>: %1. Nothing is bought on %2 until re-armed.")
                   .arg(parts.join(QStringLiteral(", ")), accounts.size() == 1 ? tr("this account") : tr("these accounts"));
        m_rearmAccount = accounts.size() == 1 ? accounts.first().accountId : QString();
        m_rearm->setText(accounts.size() == 1 ? tr("Re-arm %1").arg(accounts.first().label) : tr("Re-arm all"));
    }
    if (stopRunning)
        text += (text.isEmpty() ? QString() : QStringLiteral(" ")) + tr("<i>Emergency stop running: selling open contracts…</i>");
    m_text->setText(text);
    m_rearm->setVisible(globalHalted || !accounts.isEmpty());
    show();
}

void HaltBar::setReportAvailable(bool available)
{
    m_report->setEnabled(available);
}

QString HaltBar::text() const
{
    return m_text->text();
}

} // namespace Vigil
