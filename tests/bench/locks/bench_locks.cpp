// SPDX-License-Identifier: GPL-3.0-or-later
// Lock latency: acquire+release and renew, p50/p99/max, for the memory, file and Redis backends, plus the
// cost of LeaseKeeper::isValid() (the check before every buy). Without --redis it starts its own redis-server
// on a free loopback port when one is installed.
#include <algorithm>
#include <cstdio>
#include <vector>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include "coordination/filelockbackend.h"
#include "coordination/leasekeeper.h"
#include "coordination/lockkey.h"
#include "coordination/memorylockbackend.h"
#include "coordination/redislockbackend.h"
#include "support/redisserver.h"

using namespace Vigil;

namespace {

struct Row
{
    QString backend;
    QString op;
    std::vector<qint64> ns;
    int failures = 0;
};

qint64 percentile(std::vector<qint64> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto idx = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(idx, v.size() - 1)];
}

void print(const QList<Row> &rows)
{
    std::printf(
        "%-8s %-18s %7s %10s %10s %10s %6s\n", "backend", "operation", "n", "p50 us", "p99 us", "max us", "fail");
    for (const Row &r : rows) {
        std::printf("%-8s %-18s %7zu %10.1f %10.1f %10.1f %6d\n", qPrintable(r.backend), qPrintable(r.op), r.ns.size(),
            percentile(r.ns, 0.50) / 1000.0, percentile(r.ns, 0.99) / 1000.0,
            (r.ns.empty() ? 0 : *std::max_element(r.ns.begin(), r.ns.end())) / 1000.0, r.failures);
    }
}

QList<Row> measure(const QString &name, LockBackend &backend, int n)
{
    Row cycle { name, QStringLiteral("acquire+release"), {}, 0 };
    cycle.ns.reserve(static_cast<size_t>(n));
    const QString key = LockKey::account(QStringLiteral("BENCH1"));
    QElapsedTimer t;
    for (int i = 0; i < n; ++i) {
        t.start();
        auto lease = backend.acquire(key, 10'000);
        const bool ok = lease.ok() && backend.release(lease.value()).ok();
        cycle.ns.push_back(t.nsecsElapsed());
        if (!ok)
            ++cycle.failures;
    }

    Row renew { name, QStringLiteral("renew"), {}, 0 };
    renew.ns.reserve(static_cast<size_t>(n));
    auto lease = backend.acquire(key, 10'000);
    if (lease) {
        for (int i = 0; i < n; ++i) {
            t.start();
            const bool ok = backend.renew(lease.value()).ok();
            renew.ns.push_back(t.nsecsElapsed());
            if (!ok)
                ++renew.failures;
        }
        (void)backend.release(lease.value());
    } else {
        renew.failures = n;
    }
    return { cycle, renew };
}

Row measureIsValid(int n)
{
    LeaseKeeper keeper(std::make_unique<MemoryLockBackend>(InstanceIdentity::current(QStringLiteral("bench"))));
    auto lease = keeper.acquireNow(LockKey::account(QStringLiteral("BENCH1")), 60'000);
    Row r { QStringLiteral("keeper"), QStringLiteral("isValid (per buy)"), {}, 0 };
    if (!lease) {
        r.failures = n;
        return r;
    }
    // Per call it is far below the timer's resolution: time batches of 100.
    constexpr int batch = 100;
    QElapsedTimer t;
    for (int i = 0; i < n; ++i) {
        t.start();
        bool all = true;
        for (int j = 0; j < batch; ++j)
            all = keeper.isValid(lease.value()) && all;
        r.ns.push_back(t.nsecsElapsed() / batch);
        if (!all)
            ++r.failures;
    }
    return r;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_locks"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Vigil lock latency benchmark"));
    parser.addHelpOption();
    parser.addOption({ QStringLiteral("n"), QStringLiteral("Iterations per measurement (default 2000)."),
        QStringLiteral("n"), QStringLiteral("2000") });
    parser.addOption({ QStringLiteral("redis"),
        QStringLiteral("Use this Redis (redis://host:port[/db]) instead of starting one."), QStringLiteral("url") });
    parser.process(app);
    bool ok = false;
    const int n = parser.value(QStringLiteral("n")).toInt(&ok);
    if (!ok || n <= 0) {
        std::fprintf(stderr, "--n must be a positive number\n");
        return 2;
    }
    const InstanceIdentity self = InstanceIdentity::current(QStringLiteral("bench"));
    QList<Row> rows;

    MemoryLockBackend memory(self);
    rows += measure(QStringLiteral("memory"), memory, n);

    QTemporaryDir dir;
    FileLockBackend file(dir.path(), self);
    rows += measure(QStringLiteral("file"), file, n);

    Test::RedisServer server;
    QString url = parser.value(QStringLiteral("redis"));
    if (url.isEmpty() && !Test::RedisServer::executable().isEmpty() && server.start())
        url = server.url();
    if (url.isEmpty()) {
        std::printf("redis: skipped (no --redis given and no redis-server on PATH)\n");
    } else {
        auto cfg = RedisConfig::fromUrl(url);
        if (!cfg) {
            std::fprintf(stderr, "%s\n", qPrintable(cfg.error().message));
            return 2;
        }
        RedisLockBackend redis(cfg.value(), self);
        rows += measure(QStringLiteral("redis"), redis, n);
    }

    rows += measureIsValid(n);
    std::printf(
        "Vigil lock latency, n = %d per row (renewal overhead = the renew row, once per lease every ttl/3)\n", n);
    print(rows);
    return 0;
}
