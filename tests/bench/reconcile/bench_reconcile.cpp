// SPDX-License-Identifier: GPL-3.0-or-later
// Reconciliation cost: a journal of 10,000 trades (500 open, the rest settled within the lookback window)
// against a simulator holding those 500 open contracts. Measures the wall time of a run (from run() to
// finished(), the simulator on the same thread, loopback socket, SQLite journal) and the server calls it used:
//   first      the very first run (no earlier report: only unresolved rows define the window)
//   steady     nothing changed since the last run (the periodic case)
//   lost+orph  each run finds 50 lost buy replies (Unknown rows whose contracts exist) and 20 outside contracts
//   restart    a new Reconciler on the same journal (as after a restart): it reads the settled rows of the whole
//              lookback window once to find the ones written since the last completed run
// Usage: bench_reconcile [--trades 10000] [--open 500] [--runs 15] [--dir /path/for/journal]
#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QTimer>

#include "deriv/derivclient.h"
#include "deriv/derivrequests.h"
#include "reconcile/reconciler.h"
#include "sim/simserver.h"
#include "store/journal.h"

using namespace Vigil;

namespace {

const QString s_token = QStringLiteral("bench-reconcile-token");
const QStringList s_symbols{QStringLiteral("R_100"), QStringLiteral("R_50"), QStringLiteral("1HZ100V")};

struct Sample
{
    double ms = 0;
    ReconcileStats stats;
    ReconcileReport report;
};

struct Scenario
{
    QString name;
    std::vector<Sample> samples;
};

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto idx = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(idx, v.size() - 1)];
}

DerivRequests::ContractParameters params(int i, int durationMinutes)
{
    DerivRequests::ContractParameters p;
    p.contractType = i % 2 ? QStringLiteral("PUT") : QStringLiteral("CALL");
    p.symbol = s_symbols.at(i % s_symbols.size());
    p.amount = Money::fromMinor(100 + (i % 40) * 25);
    p.duration = durationMinutes;
    p.durationUnit = QStringLiteral("m");
    return p;
}

Trade rowFor(const QString &account, const DerivRequests::ContractParameters &p, qint64 openedMs)
{
    Trade t;
    t.account = account;
    t.bot = QStringLiteral("bench-bot");
    t.symbol = p.symbol;
    t.contractType = p.contractType;
    t.duration = p.duration;
    t.durationUnit = p.durationUnit;
    t.currency = p.currency;
    t.stake = p.amount;
    t.openedMs = openedMs;
    return t;
}

QJsonObject directParameters(const DerivRequests::ContractParameters &p)
{
    return DerivRequests::buyByParameters(p, p.amount).value(QLatin1String("parameters")).toObject();
}

bool check(bool ok, const char *what)
{
    if (!ok)
        std::fprintf(stderr, "setup failed: %s\n", what);
    return ok;
}

} // namespace

class Bench final : public QObject
{
public:
    int trades = 10'000;
    int open = 500;
    int runs = 15;
    QString dir;

    bool setUp()
    {
        // A fresh directory (removed at exit), under --dir when given (e.g. a tmpfs to make the setup fast).
        m_tmp = dir.isEmpty() ? std::make_unique<QTemporaryDir>()
                              : std::make_unique<QTemporaryDir>(dir + QStringLiteral("/bench_reconcile-XXXXXX"));
        if (!check(m_tmp->isValid(), "temporary directory"))
            return false;
        dir = m_tmp->path();
        Sim::SimConfig config;
        config.rateLimitsEnabled = false; // the benchmark counts calls; it does not wait out Deriv's budget
        config.logRequests = false;
        m_sim = std::make_unique<Sim::SimServer>(config);
        auto loginid = m_sim->addAccount(s_token, QStringLiteral("USD"), Money::fromMinor(100'000'000'00));
        if (!check(loginid.ok(), "addAccount") || !check(m_sim->listen().ok(), "listen"))
            return false;
        m_account = loginid.value();

        JournalConfig jc;
        jc.url = dir + QStringLiteral("/bench-journal.db");
        auto journal = Journal::open(jc);
        if (!check(journal.ok(), "journal open"))
            return false;
        m_journal = std::move(journal).value();

        QElapsedTimer t;
        t.start();
        const qint64 now = m_sim->nowMs();
        // Settled history spread over the last 47 hours (inside the 48 h lookback).
        const int settled = trades - open;
        for (int i = 0; i < settled; ++i) {
            const auto p = params(i, 1);
            Trade r = rowFor(m_account, p, now - 47LL * 3600'000 + qint64(i) * (47LL * 3600'000 / settled));
            r.contractId = 100'000'000'000 + i;
            r.transactionId = 300'000'000'000 + i;
            const bool won = i % 2 == 0;
            r.buyPrice = p.amount;
            r.payout = p.amount * 2;
            r.sellPrice = won ? *r.payout : Money::zero();
            r.profit = *r.sellPrice - p.amount;
            r.status = won ? TradeStatus::Won : TradeStatus::Lost;
            r.closedMs = r.openedMs + 60'000;
            if (!check(m_journal->adoptOrphan(r).ok(), "settled row"))
                return false;
        }
        // Open: bought on the simulator (60 minutes, so they stay open) and journaled as the engine does.
        for (int i = 0; i < open; ++i) {
            const auto p = params(i, 60);
            auto id = m_journal->insertPending(rowFor(m_account, p, m_sim->nowMs()));
            auto bought = m_sim->buyDirect(m_account, directParameters(p));
            if (!check(id.ok() && bought.ok(), "open contract"))
                return false;
            const QJsonObject b = bought.value();
            if (!check(m_journal
                           ->markOpen(id.value(), b.value("contract_id").toInteger(), b.value("transaction_id").toInteger(),
                                      *Money::fromJson(b.value("buy_price")), *Money::fromJson(b.value("payout")),
                                      b.value("purchase_time").toInteger() * 1000, 0)
                           .ok(),
                       "markOpen"))
                return false;
        }
        std::printf("setup: %d journal rows (%d open on the simulator) in %.1f s, journal %s\n", trades, open,
                    double(t.elapsed()) / 1000.0, qPrintable(jc.url));

        DerivClient::Options o;
        o.url = m_sim->url();
        o.token = s_token;
        o.clientRateLimit = false;
        m_client = std::make_unique<DerivClient>(o);
        makeReconciler();
        return true;
    }

    void makeReconciler()
    {
        ReconcilerOptions ro;
        ro.account = m_account;
        ro.instanceId = QStringLiteral("bench");
        m_reconciler = std::make_unique<Reconciler>(m_client.get(), m_journal.get(), ro);
        QObject::connect(m_reconciler.get(), &Reconciler::finished, this,
                         [this](const ReconcileReport &report) { onFinished(report); });
    }

    void start()
    {
        QObject::connect(m_client.get(), &DerivClient::ready, this, [this] {
            if (m_started)
                return;
            m_started = true;
            plan();
            next();
        });
        m_client->open();
    }

private:
    void plan()
    {
        m_scenarios = {{QStringLiteral("first"), {}},
                       {QStringLiteral("steady"), {}},
                       {QStringLiteral("lost+orph"), {}},
                       {QStringLiteral("restart"), {}}};
        m_steps.push_back({0, nullptr});
        for (int i = 0; i < runs; ++i)
            m_steps.push_back({1, nullptr});
        for (int i = 0; i < std::max(3, runs / 3); ++i)
            m_steps.push_back({2, [this, i] { prepareWork(i); }});
        for (int i = 0; i < std::max(3, runs / 3); ++i)
            m_steps.push_back({3, [this] { makeReconciler(); }});
    }

    // 50 buys whose replies were lost (Unknown rows, contracts on the server) and 20 contracts bought outside.
    void prepareWork(int round)
    {
        for (int k = 0; k < 50; ++k) {
            const auto p = params(round * 1000 + k, 30);
            auto id = m_journal->insertPending(rowFor(m_account, p, m_sim->nowMs()));
            if (!id || !m_sim->buyDirect(m_account, directParameters(p)).ok()
                || !m_journal->markUnknown(id.value(), QStringLiteral("bench: reply lost"), 0).ok())
                std::fprintf(stderr, "work setup failed\n");
        }
        for (int k = 0; k < 20; ++k) {
            auto p = params(round * 1000 + 500 + k, 45);
            p.amount = Money::fromMinor(5'000 + k); // unlike any bot stake
            if (!m_sim->buyDirect(m_account, directParameters(p)).ok())
                std::fprintf(stderr, "orphan setup failed\n");
        }
    }

    void next()
    {
        if (m_step >= m_steps.size()) {
            print();
            QCoreApplication::exit(0);
            return;
        }
        const auto &[scenario, prepare] = m_steps[m_step];
        if (prepare)
            prepare();
        m_timer.start();
        m_reconciler->run(scenario == 0 ? QStringLiteral("startup") : QStringLiteral("periodic"));
    }

    void onFinished(const ReconcileReport &report)
    {
        Sample s;
        s.ms = double(m_timer.nsecsElapsed()) / 1e6;
        s.stats = m_reconciler->lastRunStats();
        s.report = report;
        if (!report.completed())
            std::fprintf(stderr, "run %zu incomplete: %s\n", m_step, qPrintable(report.error));
        m_scenarios[size_t(m_steps[m_step].first)].samples.push_back(s);
        ++m_step;
        QTimer::singleShot(0, this, [this] { next(); });
    }

    void print()
    {
        std::printf("\n%-10s %4s %9s %9s %9s %6s %6s %6s %6s %6s %9s\n", "scenario", "runs", "median ms", "p99 ms", "max ms",
                    "calls", "portf", "ptable", "poc", "disc", "errors");
        for (const Scenario &sc : m_scenarios) {
            std::vector<double> ms;
            int calls = 0, portfolio = 0, table = 0, poc = 0, disc = 0, errors = 0;
            for (const Sample &s : sc.samples) {
                ms.push_back(s.ms);
                calls = std::max(calls, s.stats.totalCalls());
                portfolio = std::max(portfolio, s.stats.calls.value(QStringLiteral("portfolio")));
                table = std::max(table, s.stats.calls.value(QStringLiteral("profit_table")));
                poc = std::max(poc, s.stats.calls.value(QStringLiteral("proposal_open_contract")));
                disc = std::max(disc, int(s.report.discrepancies.size()));
                errors += s.report.completed() ? 0 : 1;
            }
            std::printf("%-10s %4zu %9.1f %9.1f %9.1f %6d %6d %6d %6d %6d %9d\n", qPrintable(sc.name), sc.samples.size(),
                        percentile(ms, 0.5), percentile(ms, 0.99), ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end()),
                        calls, portfolio, table, poc, disc, errors);
        }
        std::printf("(calls/portf/ptable/poc/disc: the most in one run; journal rows examined per steady run: %d)\n",
                    m_scenarios[1].samples.empty() ? 0 : m_scenarios[1].samples.back().stats.journalRowsExamined);
    }

    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<Sim::SimServer> m_sim;
    std::unique_ptr<Journal> m_journal;
    std::unique_ptr<DerivClient> m_client;
    std::unique_ptr<Reconciler> m_reconciler;
    QString m_account;
    bool m_started = false;
    std::vector<std::pair<int, std::function<void()>>> m_steps;
    size_t m_step = 0;
    std::vector<Scenario> m_scenarios;
    QElapsedTimer m_timer;
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("vigil.*.info=false\nvigil.*.debug=false"));
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption tradesOpt(QStringLiteral("trades"), QStringLiteral("Journal rows."), QStringLiteral("n"),
                                       QStringLiteral("10000"));
    const QCommandLineOption openOpt(QStringLiteral("open"), QStringLiteral("Open contracts."), QStringLiteral("n"),
                                     QStringLiteral("500"));
    const QCommandLineOption runsOpt(QStringLiteral("runs"), QStringLiteral("Steady-state runs."), QStringLiteral("n"),
                                     QStringLiteral("15"));
    const QCommandLineOption dirOpt(QStringLiteral("dir"), QStringLiteral("Journal directory (default: a temp dir)."),
                                    QStringLiteral("path"));
    parser.addOptions({tradesOpt, openOpt, runsOpt, dirOpt});
    parser.process(app);

    Bench bench;
    bench.trades = parser.value(tradesOpt).toInt();
    bench.open = std::min(parser.value(openOpt).toInt(), bench.trades);
    bench.runs = std::max(1, parser.value(runsOpt).toInt());
    bench.dir = parser.value(dirOpt);
    if (!bench.setUp())
        return 1;
    bench.start();
    return app.exec();
}
