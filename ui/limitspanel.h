// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QGridLayout;
class QLabel;
class QProgressBar;

namespace Vigil {

struct LimitStatus;

// One account's limits: trades today, daily loss and concurrent open contracts as used/max bars that turn
// amber near the limit (≥ 80 %) and red at it, and a line saying what the limits block right now.
// GUI thread only.
class LimitsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LimitsPanel)

public:
    enum class Level { Ok, Near, At, Unknown };
    static constexpr int NearPercent = 80;

    explicit LimitsPanel(QWidget *parent = nullptr);
    ~LimitsPanel() override;

    void setTitle(const QString &title);
    void setCurrency(const QString &currency);
    void setStatus(const Vigil::LimitStatus &status);

    Level tradesLevel() const { return m_tradesLevel; }
    Level lossLevel() const { return m_lossLevel; }
    Level openLevel() const { return m_openLevel; }
    QString blocksText() const;
    // The line under the bars: realized P/L, stake at risk, caps, and what other journals' instances add.
    QString extraText() const;

    // At when used ≥ max or the ledger says it is exhausted; Near from NearPercent; Unknown without a max.
    static Level levelFor(qint64 used, qint64 max, bool exhausted);
    static QString levelName(Level level);

private:
    struct Row
    {
        QLabel *name = nullptr;
        QProgressBar *bar = nullptr;
        QLabel *value = nullptr;
    };
    Row addRow(QGridLayout *grid, const QString &name, const QString &objectName);
    static void show(Row &row, Level level, qint64 used, qint64 max, const QString &text);

    QLabel *m_title;
    QLabel *m_blocks;
    QLabel *m_extra;
    Row m_trades;
    Row m_loss;
    Row m_open;
    Level m_tradesLevel = Level::Unknown;
    Level m_lossLevel = Level::Unknown;
    Level m_openLevel = Level::Unknown;
    QString m_currency;
};

} // namespace Vigil
