// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the benchmark programs share: nearest-rank percentiles and the machine's load, printed with each figure.

#include <algorithm>
#include <vector>

#include <QFile>
#include <QString>

namespace Vigil::Bench {

struct Stats
{
    size_t n = 0;
    double p50 = 0;
    double p99 = 0;
    double max = 0;
};

// Nearest rank: the value at round(p * (n - 1)) of the sorted samples (bench_js.mjs uses the same).
inline double percentile(const std::vector<double> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    const auto idx = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(idx, sorted.size() - 1)];
}

inline Stats summarize(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return Stats{v.size(), percentile(v, 0.5), percentile(v, 0.99), v.empty() ? 0 : v.back()};
}

inline double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return percentile(v, 0.5);
}

// /proc/loadavg as is: 1, 5 and 15 minute load averages, runnable/total tasks, last pid.
inline QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    return f.open(QIODevice::ReadOnly) ? QString::fromLatin1(f.readLine().trimmed()) : QStringLiteral("n/a");
}

} // namespace Vigil::Bench
