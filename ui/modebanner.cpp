// SPDX-License-Identifier: GPL-3.0-or-later
#include "modebanner.h"

#include <QHBoxLayout>
#include <QLabel>

#include "ui/consolecolors.h"

namespace Vigil {

ModeBanner::ModeBanner(QWidget *parent) : QFrame(parent), m_mode(new QLabel(this)), m_detail(new QLabel(this))
{
    setObjectName(QStringLiteral("modeBanner"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(16, 6, 16, 6);
    layout->setSpacing(14);
    QFont big = m_mode->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    big.setBold(true);
    big.setLetterSpacing(QFont::AbsoluteSpacing, 1.5);
    m_mode->setFont(big);
    m_detail->setWordWrap(true);
    layout->addWidget(m_mode);
    layout->addWidget(m_detail, 1);
    setMode(true, QString());
}

ModeBanner::~ModeBanner() = default;

void ModeBanner::setMode(bool paper, const QString &endpoint)
{
    m_paper = paper;
    setProperty("mode", paper ? QStringLiteral("paper") : QStringLiteral("real"));
    if (paper) {
        m_mode->setText(tr("PAPER"));
        m_detail->setText(tr("Paper trading on the embedded simulator — no real money is at stake."));
    } else {
        m_mode->setText(tr("REAL MONEY"));
        m_detail->setText(tr("Live trading on %1 — every trade uses real funds.").arg(endpoint));
    }
    const QColor bg = paper ? ConsoleColors::paper() : ConsoleColors::real();
    setStyleSheet(QStringLiteral("#modeBanner { background-color: %1; border-radius: 8px; }"
                                 "#modeBanner QLabel { color: white; background: transparent; }")
                      .arg(ConsoleColors::css(bg)));
}

QString ModeBanner::text() const
{
    return m_mode->text() + QStringLiteral(" — ") + m_detail->text();
}

} // namespace Vigil
