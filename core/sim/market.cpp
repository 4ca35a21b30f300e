// SPDX-License-Identifier: GPL-3.0-or-later
#include "market.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "money/money.h"

namespace Vigil::Sim {

namespace {
constexpr double s_secondsPerYear = 365.0 * 24 * 3600;

// FNV-1a: qHash is randomised per process, and the paths must not be.
quint64 stableHash(const QString &text)
{
    quint64 h = 1469598103934665603ULL;
    for (QChar c : text) {
        h ^= c.unicode();
        h *= 1099511628211ULL;
    }
    return h;
}
} // namespace

Market::Market(quint64 seed, qint64 startEpoch, int historyTicks, int maxHistoryTicks, QObject *parent)
    : QObject(parent)
    , m_maxHistory(std::max(maxHistoryTicks, std::max(historyTicks, 1)))
{
    const QList<SymbolSpec> &table = symbolTable();
    m_series.resize(size_t(table.size()));
    for (qsizetype i = 0; i < table.size(); ++i) {
        Series &s = m_series[size_t(i)];
        s.spec = &table[i];
        std::seed_seq seq{quint32(seed), quint32(seed >> 32), quint32(stableHash(s.spec->symbol)),
                          quint32(stableHash(s.spec->symbol) >> 32)};
        s.rng.seed(seq);
        s.value = s.spec->quoteToDouble(s.spec->startPips);
        const int interval = s.spec->tickIntervalSec;
        const qint64 last = startEpoch - (startEpoch % interval);
        const int n = std::max(historyTicks, 1);
        for (int k = n - 1; k >= 0; --k)
            s.ticks.push_back(step(s, last - qint64(k) * interval));
        s.nextEpoch = last + interval;
    }
}

Market::~Market() = default;

Tick Market::step(Series &s, qint64 epoch)
{
    const SymbolSpec &spec = *s.spec;
    qint64 pips;
    if (!s.script.empty()) {
        pips = s.script.front();
        s.script.pop_front();
        s.value = spec.quoteToDouble(pips);
    } else {
        const double dt = double(spec.tickIntervalSec) / s_secondsPerYear;
        const double z = m_normal(s.rng);
        double logMove = -spec.sigma * spec.sigma * dt / 2.0 + spec.sigma * std::sqrt(dt) * z;
        if (spec.jumpsPerHour > 0.0) {
            // Bernoulli per tick: P(jump) = rate × tick interval. Drawn from the series' own generator (twice
            // per tick on jump indices only), so the volatility indices' paths stay what they were.
            const double p = spec.jumpsPerHour * double(spec.tickIntervalSec) / 3600.0;
            const double u = std::generate_canonical<double, 53>(s.rng);
            const bool up = std::generate_canonical<double, 53>(s.rng) < 0.5;
            if (u < p)
                logMove += (up ? 1.0 : -1.0) * spec.jumpScale * spec.sigma * std::sqrt(dt);
        }
        s.value *= std::exp(logMove);
        pips = std::llround(s.value * double(pow10(spec.pipDecimals)));
        pips = std::max<qint64>(pips, 1);
    }
    return Tick{epoch, pips};
}

void Market::advanceTo(qint64 virtualMs)
{
    const qint64 nowSec = virtualMs / 1000;
    for (;;) {
        const qint64 epoch = nextTickEpoch();
        if (epoch > nowSec)
            return;
        // All symbols due at this epoch, in table order, before any later epoch.
        for (Series &s : m_series) {
            if (s.nextEpoch != epoch)
                continue;
            const Tick t = step(s, epoch);
            s.ticks.push_back(t);
            if (qsizetype(s.ticks.size()) > m_maxHistory)
                s.ticks.pop_front();
            s.nextEpoch = epoch + s.spec->tickIntervalSec;
            Q_EMIT ticked(s.spec->symbol, t);
        }
    }
}

qint64 Market::nextTickEpoch() const
{
    qint64 e = std::numeric_limits<qint64>::max();
    for (const Series &s : m_series)
        e = std::min(e, s.nextEpoch);
    return e;
}

Market::Series *Market::series(QStringView symbol)
{
    for (Series &s : m_series) {
        if (s.spec->symbol == symbol)
            return &s;
    }
    return nullptr;
}

const Market::Series *Market::series(QStringView symbol) const
{
    return const_cast<Market *>(this)->series(symbol);
}

Tick Market::lastTick(QStringView symbol) const
{
    const Series *s = series(symbol);
    if (!s || s->ticks.empty())
        return {};
    return s->ticks.back();
}

QList<Tick> Market::history(QStringView symbol, qint64 start, qint64 end, int count) const
{
    QList<Tick> out;
    const Series *s = series(symbol);
    if (!s || count <= 0 || end < start)
        return out;
    auto hi = std::upper_bound(s->ticks.begin(), s->ticks.end(), end,
                               [](qint64 e, const Tick &t) { return e < t.epoch; });
    auto lo = std::lower_bound(s->ticks.begin(), hi, start,
                               [](const Tick &t, qint64 e) { return t.epoch < e; });
    if (hi - lo > count)
        lo = hi - count;
    out.reserve(hi - lo);
    for (auto it = lo; it != hi; ++it)
        out.append(*it);
    return out;
}

void Market::scriptPips(QStringView symbol, const QList<qint64> &pips)
{
    Series *s = series(symbol);
    if (!s)
        return;
    for (qint64 p : pips)
        s->script.push_back(p);
}

bool Market::scriptQuotes(QStringView symbol, const QStringList &quotes)
{
    Series *s = series(symbol);
    if (!s)
        return false;
    QList<qint64> pips;
    for (const QString &q : quotes) {
        const auto m = Money::parse(q, s->spec->pipDecimals);
        if (!m || m->minor() <= 0)
            return false;
        pips.append(m->minor());
    }
    scriptPips(symbol, pips);
    return true;
}

} // namespace Vigil::Sim
