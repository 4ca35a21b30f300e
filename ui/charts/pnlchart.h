// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include <QList>
#include <QPointF>
#include <QWidget>

namespace Vigil {

struct AccountSnapshot;

// The day's realized P/L per account as a line over time (Qt Charts, kept private to vigil_ui: this
// header pulls in no Charts headers). A point is added when an account's P/L changes. GUI thread only.
class PnlChart final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PnlChart)

public:
    explicit PnlChart(QWidget *parent = nullptr);
    ~PnlChart() override;

    void applySnapshots(const QList<Vigil::AccountSnapshot> &snapshots);
    int seriesCount() const;
    // The points recorded for an account: its first value and a step per change.
    int pointCount(const QString &accountId) const;
    // What the chart draws for it: those points, then on at the last value to the newest snapshot (moved at most
    // every LiveEdgeStepMs), so a flat line reaches "now" instead of stopping at the last trade.
    QList<QPointF> plotted(const QString &accountId) const;
    // Most points kept per account; older ones are dropped.
    static constexpr int MaxPoints = 5000;
    static constexpr qint64 LiveEdgeStepMs = 5000;

    // The value axis as drawn: range, label step, and the plot height and label height it was fitted to.
    struct ValueAxis
    {
        double min = 0, max = 0, step = 0;
        double plotHeight = 0, labelHeight = 0;
    };
    ValueAxis valueAxis() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Vigil
