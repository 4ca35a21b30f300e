// SPDX-License-Identifier: GPL-3.0-or-later
#include "chartframe.h"

#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QValueAxis>
#include <QVBoxLayout>

#include "ui/consolecolors.h"

namespace Vigil {

ChartFrame ChartFrame::create(QWidget *owner, const QString &title)
{
    ChartFrame f;
    f.chart = new QChart;
    f.chart->setTheme(ConsoleColors::isDark() ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    f.chart->setTitle(title);
    f.chart->setMargins(QMargins(4, 4, 4, 4));
    f.chart->setBackgroundRoundness(6);
    f.chart->legend()->setAlignment(Qt::AlignBottom);
    f.chart->setAnimationOptions(QChart::NoAnimation);
    f.x = new QDateTimeAxis;
    f.x->setFormat(QStringLiteral("HH:mm:ss"));
    f.x->setTickCount(4);
    f.y = new QValueAxis;
    f.y->setLabelFormat(QStringLiteral("%.2f"));
    f.chart->addAxis(f.x, Qt::AlignBottom);
    f.chart->addAxis(f.y, Qt::AlignLeft);
    f.view = new QChartView(f.chart, owner); // takes the chart
    f.view->setRenderHint(QPainter::Antialiasing);
    f.view->setMinimumHeight(180);
    auto *layout = new QVBoxLayout(owner);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(f.view);
    return f;
}

} // namespace Vigil
