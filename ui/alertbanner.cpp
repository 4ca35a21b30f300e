// SPDX-License-Identifier: GPL-3.0-or-later
#include "alertbanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

#include "engine/engineevent.h"
#include "ui/consolecolors.h"
#include "ui/displaytext.h"
#include "ui/iconfactory.h"

namespace Vigil {

AlertBanner::AlertBanner(QWidget *parent)
    : QFrame(parent), m_icon(new QLabel(this)), m_text(new QLabel(this)), m_log(new QPushButton(tr("Show in log"), this)),
      m_close(new QPushButton(tr("Dismiss"), this))
{
    setObjectName(QStringLiteral("alertBanner"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 6, 8, 6);
    layout->addWidget(m_icon);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_log);
    layout->addWidget(m_close);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_icon->setPixmap(IconFactory::overall(OverallState::Error).pixmap(22, 22));
    connect(m_log, &QPushButton::clicked, this, &AlertBanner::showLogRequested);
    connect(m_close, &QPushButton::clicked, this, &AlertBanner::dismiss);
    hide();
}

AlertBanner::~AlertBanner() = default;

void AlertBanner::showAlert(const EngineEvent &event)
{
    ++m_pending;
    m_worstLevel = qMax(m_worstLevel, int(event.level));
    m_latestIsStop = event.kind == EngineEvent::Kind::EmergencyStopFinished;
    const QString who = event.bot.isEmpty() ? event.account : event.account + u'/' + event.bot;
    QString text = QStringLiteral("<b>%1</b> %2 — %3")
                       .arg(DisplayText::clockTime(event.atMs), who.toHtmlEscaped(), event.message.toHtmlEscaped());
    if (m_pending > 1)
        text += tr(" <i>(+%1 more)</i>").arg(m_pending - 1);
    m_text->setText(text);
    const bool error = m_worstLevel >= int(EngineEvent::Level::Error);
    const QColor bg = error ? ConsoleColors::danger() : ConsoleColors::warning();
    setStyleSheet(QStringLiteral("#alertBanner { background-color: %1; border-radius: 6px; }"
                                 "#alertBanner QLabel { color: %2; background: transparent; }")
                      .arg(ConsoleColors::css(bg), error ? QStringLiteral("white") : QStringLiteral("#1d1d1d")));
    show();
}

void AlertBanner::dismiss()
{
    m_pending = 0;
    m_worstLevel = 0;
    m_latestIsStop = false;
    hide();
}

QString AlertBanner::text() const
{
    return m_text->text();
}

} // namespace Vigil
