// SPDX-License-Identifier: GPL-3.0-or-later
#include "limitspanel.h"

#include <algorithm>

#include <QGridLayout>
#include <QLabel>
#include <QProgressBar>
#include <QVBoxLayout>

#include "risk/limitstatus.h"
#include "ui/consolecolors.h"
#include "ui/displaytext.h"

namespace Vigil {

namespace {
QString limitName(const QString &code)
{
    if (code == QLatin1String("LimitTradesPerDay"))
        return QObject::tr("trades per day");
    if (code == QLatin1String("LimitConcurrentOpen"))
        return QObject::tr("concurrent open contracts");
    if (code == QLatin1String("LimitDailyLoss"))
        return QObject::tr("daily loss");
    if (code == QLatin1String("LimitDayNotSeeded") || code == QLatin1String("LimitNotSeeded"))
        return QObject::tr("limits not loaded yet");
    return code;
}

QString barStyle(LimitsPanel::Level level)
{
    QColor chunk = ConsoleColors::ok();
    if (level == LimitsPanel::Level::Near)
        chunk = ConsoleColors::warning();
    else if (level == LimitsPanel::Level::At)
        chunk = ConsoleColors::danger();
    return QStringLiteral("QProgressBar { border: none; border-radius: 4px; background: palette(midlight); }"
                          "QProgressBar::chunk { border-radius: 4px; background-color: %1; }")
        .arg(ConsoleColors::css(chunk));
}
} // namespace

LimitsPanel::LimitsPanel(QWidget *parent)
    : QWidget(parent), m_title(new QLabel(this)), m_blocks(new QLabel(this)), m_extra(new QLabel(this))
{
    // A card on the window's background, like the chart below it.
    setAutoFillBackground(true);
    QPalette card = palette();
    card.setColor(QPalette::Window, card.color(QPalette::Base));
    setPalette(card);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(10, 8, 10, 10);
    outer->setSpacing(4);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    outer->addWidget(m_title);

    auto *grid = new QGridLayout;
    grid->setHorizontalSpacing(8);
    grid->setVerticalSpacing(4);
    grid->setColumnStretch(1, 1);
    outer->addLayout(grid);
    m_trades = addRow(grid, tr("Trades today"), QStringLiteral("tradesBar"));
    // Counted as the limit counts it: realized loss plus every stake still at risk.
    m_loss = addRow(grid, tr("Loss, worst case"), QStringLiteral("lossBar"));
    m_open = addRow(grid, tr("Open contracts"), QStringLiteral("openBar"));
    m_blocks->setObjectName(QStringLiteral("blocksLabel"));
    m_blocks->setWordWrap(true);
    m_extra->setWordWrap(true);
    QPalette muted = m_extra->palette();
    muted.setColor(QPalette::WindowText, ConsoleColors::muted());
    m_extra->setPalette(muted);
    outer->addWidget(m_blocks);
    outer->addWidget(m_extra);
}

LimitsPanel::~LimitsPanel() = default;

LimitsPanel::Row LimitsPanel::addRow(QGridLayout *grid, const QString &name, const QString &objectName)
{
    Row r;
    r.name = new QLabel(name, this);
    r.bar = new QProgressBar(this);
    r.bar->setObjectName(objectName);
    r.bar->setTextVisible(false);
    r.bar->setFixedHeight(10);
    r.bar->setRange(0, 1000);
    r.bar->setMinimumWidth(80);
    r.value = new QLabel(this);
    r.value->setObjectName(objectName + QStringLiteral("Text"));
    r.value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    r.value->setMinimumWidth(110);
    const int row = grid->count() / 3; // three widgets per row
    grid->addWidget(r.name, row, 0);
    grid->addWidget(r.bar, row, 1);
    grid->addWidget(r.value, row, 2);
    return r;
}

void LimitsPanel::setTitle(const QString &title)
{
    m_title->setText(title);
}

void LimitsPanel::setCurrency(const QString &currency)
{
    m_currency = currency;
}

LimitsPanel::Level LimitsPanel::levelFor(qint64 used, qint64 max, bool exhausted)
{
    if (exhausted)
        return Level::At;
    if (max <= 0)
        return Level::Unknown;
    if (used >= max)
        return Level::At;
    // used / max ≥ NearPercent %, in integers.
    return used * 100 >= max * NearPercent ? Level::Near : Level::Ok;
}

QString LimitsPanel::levelName(Level level)
{
    switch (level) {
    case Level::Ok: return QStringLiteral("ok");
    case Level::Near: return QStringLiteral("near");
    case Level::At: return QStringLiteral("at");
    case Level::Unknown: break;
    }
    return QStringLiteral("unknown");
}

void LimitsPanel::show(Row &row, Level level, qint64 used, qint64 max, const QString &text)
{
    const qint64 permille = max > 0 ? std::clamp<qint64>(used * 1000 / max, 0, 1000) : 0;
    row.bar->setValue(int(level == Level::At && max <= 0 ? 1000 : permille));
    row.bar->setEnabled(level != Level::Unknown || used > 0);
    const QString name = levelName(level);
    if (row.bar->property("level").toString() != name) {
        row.bar->setProperty("level", name);
        row.bar->setStyleSheet(barStyle(level));
    }
    row.value->setText(text);
    QPalette p = row.value->palette();
    p.setColor(QPalette::WindowText, level == Level::At ? ConsoleColors::loss() : row.name->palette().color(QPalette::WindowText));
    row.value->setPalette(p);
    QFont f = row.value->font();
    f.setBold(level == Level::At);
    row.value->setFont(f);
}

void LimitsPanel::setStatus(const LimitStatus &s)
{
    const auto exhausted = [&s](const char *code) { return s.exhausted.contains(QLatin1String(code)); };

    m_tradesLevel = levelFor(s.tradesToday, s.maxTradesPerDay, exhausted("LimitTradesPerDay"));
    show(m_trades, m_tradesLevel, s.tradesToday, s.maxTradesPerDay,
         QStringLiteral("%1 / %2").arg(s.tradesToday).arg(s.maxTradesPerDay));

    const int openUsed = s.openContracts + s.pendingContracts;
    m_openLevel = levelFor(openUsed, s.maxConcurrentOpen, exhausted("LimitConcurrentOpen"));
    show(m_open, m_openLevel, openUsed, s.maxConcurrentOpen,
         s.pendingContracts > 0 ? tr("%1 + %2 pending / %3").arg(s.openContracts).arg(s.pendingContracts).arg(s.maxConcurrentOpen)
                                : QStringLiteral("%1 / %2").arg(s.openContracts).arg(s.maxConcurrentOpen));

    if (s.dailyLossLimit) {
        m_lossLevel = levelFor(s.lossUsed.minor(), s.dailyLossLimit->minor(), exhausted("LimitDailyLoss"));
        show(m_loss, m_lossLevel, s.lossUsed.minor(), s.dailyLossLimit->minor(),
             QStringLiteral("%1 / %2").arg(s.lossUsed.toString(), DisplayText::money(*s.dailyLossLimit, m_currency)));
        m_loss.bar->setToolTip(tr("Worst case if every open contract is lost: stakes at risk minus realized P/L. Rule: %1")
                                   .arg(s.dailyLossRule));
    } else {
        m_lossLevel = exhausted("LimitDailyLoss") ? Level::At : Level::Unknown;
        show(m_loss, m_lossLevel, s.lossUsed.minor(), 0, tr("%1 used; limit %2").arg(s.lossUsed.toString(), s.dailyLossRule));
        m_loss.bar->setToolTip(tr("The limit is %1; it is known once the start-of-day balance is.").arg(s.dailyLossRule));
    }

    QString blocks;
    if (!s.exhausted.isEmpty()) {
        QStringList names;
        for (const QString &code : s.exhausted)
            names << limitName(code);
        blocks = tr("Limit reached (%1): blocks %2.").arg(names.join(QStringLiteral(", ")), s.blocks);
        m_blocks->setStyleSheet(QStringLiteral("color: %1; font-weight: bold;").arg(ConsoleColors::css(ConsoleColors::loss())));
    } else {
        blocks = tr("Limits block %1.").arg(s.blocks);
        m_blocks->setStyleSheet(QString());
    }
    m_blocks->setText(blocks);

    QStringList extra;
    extra << tr("Realized today %1").arg(DisplayText::money(s.realizedPnl, m_currency));
    extra << tr("at risk %1").arg(s.stakeAtRisk.toString());
    if (s.maxStake)
        extra << tr("max stake %1").arg(s.maxStake->toString());
    if (s.startOfDayBalance)
        extra << tr("day start %1").arg(s.startOfDayBalance->toString());
    QString text = extra.join(QStringLiteral(" · "));
    if (s.otherJournalsTrades != 0 || s.otherJournalsOpen != 0 || !s.otherJournalsPnl.isZero())
        text += u'\n'
            + tr("Included from instances on other journals: %n trade(s) today", nullptr, s.otherJournalsTrades)
            + QStringLiteral(" · ") + tr("%n open", nullptr, s.otherJournalsOpen) + QStringLiteral(" · ")
            + tr("realized %1").arg(DisplayText::money(s.otherJournalsPnl, m_currency));
    m_extra->setText(text);
}

QString LimitsPanel::extraText() const
{
    return m_extra->text();
}

QString LimitsPanel::blocksText() const
{
    return m_blocks->text();
}

} // namespace Vigil
