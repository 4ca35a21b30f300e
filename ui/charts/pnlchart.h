// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

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
    int pointCount(const QString &accountId) const;
    // Most points kept per account; older ones are dropped.
    static constexpr int MaxPoints = 5000;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Vigil
