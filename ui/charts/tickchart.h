// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include <QWidget>

namespace Vigil {

class Engine;
struct EngineEvent;
struct TickPoint;

// Live ticks of one symbol (the bot selected in the console) over the last few minutes, with that bot's
// entries (one colour) and exits (green win, red loss) marked. Qt Charts stays private to vigil_ui: this
// header pulls in no Charts headers. Quotes are plotted as doubles; nothing is computed from them.
// GUI thread only.
class TickChart final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TickChart)

public:
    static constexpr int DefaultWindowMinutes = 5;

    explicit TickChart(QWidget *parent = nullptr);
    ~TickChart() override;

    // Takes ticks from the engine and watches the followed symbol there (unwatched when the chart follows
    // another one or is destroyed). The engine must outlive this chart.
    void attach(Engine &engine);
    // Follows `botId` trading `symbol`; an empty symbol shows nothing. Clears the chart when it changes.
    void follow(const QString &botId, const QString &symbol);
    QString symbol() const;
    QString botId() const;
    void setWindowMinutes(int minutes);

    // Ticks of `symbol` (others are ignored), oldest first; ticks older than the window are dropped.
    void addTicks(const QString &symbol, const QList<Vigil::TickPoint> &ticks);
    // TradeOpened / TradeClosed events of the followed bot become markers (details: entrySpot, entryEpochMs,
    // exitSpot, exitEpochMs, profit); others are ignored.
    void addEvents(const QList<Vigil::EngineEvent> &events);

    // For tests and diagnostics.
    int tickCount() const;
    int entryCount() const;
    int winCount() const;
    int lossCount() const;
    double minShown() const; // the y axis range
    double maxShown() const;
    qint64 firstShownMs() const; // the x axis range
    qint64 lastShownMs() const;

private:
    void trim();
    void updateRanges();
    void clear();

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Vigil
