// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

class QChart;
class QChartView;
class QDateTimeAxis;
class QString;
class QValueAxis;
class QWidget;

namespace Vigil {

// The console's chart look in one place: a themed QChart with a time axis below and a value axis on the left,
// shown in an antialiased QChartView that fills `owner`. The chart, axes and view belong to `owner`.
struct ChartFrame
{
    QChart *chart = nullptr;
    QChartView *view = nullptr;
    QDateTimeAxis *x = nullptr;
    QValueAxis *y = nullptr;

    static ChartFrame create(QWidget *owner, const QString &title);
};

} // namespace Vigil
