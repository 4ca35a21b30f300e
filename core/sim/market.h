// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <deque>
#include <random>
#include <vector>

#include <QList>
#include <QObject>
#include <QStringList>

#include "sim/symbol.h"

namespace Vigil::Sim {

// The synthetic price feed: one driftless geometric Brownian motion per volatility index,
// S_t = S_{t-1}·exp(−σ²dt/2 + σ√dt·Z), dt in years of 365 days, quotes rounded to the pip.
// Every symbol has its own generator seeded from (seed, symbol), so a seed fixes every path no
// matter which symbols anyone watches; all symbols are generated (a step is a few nanoseconds)
// which keeps contracts settling with nobody subscribed.
// Tests can script the next quotes of a symbol exactly (scriptQuotes).
// Lives on the server's thread; ticked() is emitted synchronously from advanceTo().
class Market final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Market)

public:
    // Backfills `historyTicks` ticks per symbol ending at or before `startEpoch`; keeps at most
    // `maxHistoryTicks` per symbol.
    Market(quint64 seed, qint64 startEpoch, int historyTicks, int maxHistoryTicks, QObject *parent = nullptr);
    ~Market() override;

    // Generates every tick whose epoch is at or before virtual time `virtualMs`, in epoch order.
    void advanceTo(qint64 virtualMs);
    // The earliest epoch (seconds) of a tick not generated yet, over all symbols.
    qint64 nextTickEpoch() const;

    // The latest tick of `symbol`; an invalid Tick for an unknown symbol.
    Tick lastTick(QStringView symbol) const;
    // The latest `count` ticks with start <= epoch <= end (oldest first).
    QList<Tick> history(QStringView symbol, qint64 start, qint64 end, int count) const;

    // The next ticks of `symbol` take exactly these quotes (pips), then the random walk resumes
    // from the last one. Appends to a script already queued.
    void scriptPips(QStringView symbol, const QList<qint64> &pips);
    // Same with decimal text ("1234.56"); false (and nothing queued) if a quote does not parse or
    // has more decimals than the symbol's pip.
    bool scriptQuotes(QStringView symbol, const QStringList &quotes);

Q_SIGNALS:
    // A new tick; `symbol` is one of symbolTable().
    void ticked(const QString &symbol, const Vigil::Sim::Tick &tick);

private:
    struct Series
    {
        const SymbolSpec *spec = nullptr;
        std::mt19937_64 rng;
        double value = 0;
        qint64 nextEpoch = 0;
        std::deque<Tick> ticks;
        std::deque<qint64> script;
    };

    Tick step(Series &series, qint64 epoch);
    Series *series(QStringView symbol);
    const Series *series(QStringView symbol) const;

    std::vector<Series> m_series;
    std::normal_distribution<double> m_normal{0.0, 1.0};
    int m_maxHistory;
};

} // namespace Vigil::Sim
