// SPDX-License-Identifier: GPL-3.0-or-later
#include "emergencystop.h"

#include <chrono>
#include <memory>

#include <QJsonArray>
#include <QSet>
#include <QTimer>

#include "deriv/derivclient.h"
#include "deriv/derivfields.h"
#include "health/clock.h"
#include "health/logcategories.h"
#include "risk/opencontractbook.h"
#include "risk/tradinggate.h"

namespace Vigil {

namespace {
qint64 steadyNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
} // namespace

struct EmergencyStop::Run
{
    EmergencyStopReport report;
    qint64 triggerNs = 0;
    int outstanding = 0;                 // sells, queries and listings not answered yet
    bool verifying = false;
    QHash<QString, QSet<qint64>> asked;  // account → contracts a sell was sent for
    QHash<QString, bool> verified;       // account → verify listing answered
    qint64 waitStartedNs = 0;            // when the stop began waiting for buys on the wire (0 = not yet)
};

namespace {
// How long a stop waits for buys that were on the wire when the gate closed (a buy's own timeout is 30 s).
constexpr qint64 kBuysInFlightWaitNs = 35'000'000'000;
// A contract not sellable at the stop is tried again this often, until its expiry (an hour of tries when the
// server gave none).
constexpr int kChaseIntervalMs = 1000;
constexpr int kChaseMaxAttemptsNoExpiry = 3600;
}

EmergencyStop::EmergencyStop(TradingGate *gate, OpenContractBook *book, Clock *clock, QObject *parent)
    : QObject(parent), m_gate(gate), m_book(book), m_clock(clock)
{
}

EmergencyStop::~EmergencyStop() = default;

void EmergencyStop::setControlClient(const QString &loginId, DerivClient *client)
{
    m_clients.insert(loginId, client);
}

void EmergencyStop::removeControlClient(const QString &loginId)
{
    m_clients.remove(loginId);
}

void EmergencyStop::run(quint64 id, const QString &scope, qint64 triggeredMs, qint64 triggerSteadyNs, qint64 haltedAfterUs)
{
    auto r = std::make_shared<Run>();
    r->report.id = id;
    r->report.scope = scope.isEmpty() ? QStringLiteral("all") : scope;
    r->report.triggeredMs = triggeredMs;
    r->report.haltedAfterUs = haltedAfterUs;
    r->triggerNs = triggerSteadyNs;

    QStringList accounts;
    if (scope.isEmpty()) {
        accounts = m_clients.keys();
        for (const QString &a : m_book->accounts()) {
            if (!accounts.contains(a))
                accounts << a;
        }
    } else {
        accounts << scope;
    }
    ++r->outstanding; // held until every account was started
    for (const QString &account : std::as_const(accounts)) {
        if (!m_clients.value(account)) {
            r->report.errors << QStringLiteral("%1: no control connection").arg(account);
            for (qint64 c : m_book->contracts(account))
                r->report.failed.append({account, c, QStringLiteral("no control connection to sell it")});
            continue;
        }
        // The contracts we know first: no round trip before the first sell leaves.
        for (qint64 contractId : m_book->contracts(account))
            sell(r, account, contractId, 0);
        // Then whatever else the server says is open (bought by a lost reply, outside Vigil...).
        listPortfolio(r, account, false);
    }
    --r->outstanding;
    settleStep(r);
}

void EmergencyStop::sell(const std::shared_ptr<Run> &run, const QString &account, qint64 contractId, int attempt)
{
    DerivClient *client = m_clients.value(account);
    if (!client)
        return;
    if (attempt == 0) {
        if (run->asked[account].contains(contractId))
            return;
        run->asked[account].insert(contractId);
    }
    ++run->outstanding;
    DerivClient::RequestOptions options;
    TradingGate *gate = m_gate;
    options.guard = [gate, account, run]() -> Result<void> {
        const Result<void> ok = gate->checkSell(account, true);
        if (ok)
            run->report.sellsSentAfterUs = qMax(run->report.sellsSentAfterUs, (steadyNs() - run->triggerNs) / 1000);
        return ok;
    };
    options.timeoutMs = 10'000;
    const QJsonObject request{{QStringLiteral("sell"), contractId}, {QStringLiteral("price"), 0}};
    client->send(request, this, [this, run, account, contractId, attempt](const Result<QJsonObject> &reply) {
        --run->outstanding;
        if (reply.ok()) {
            const QJsonObject s = reply->value(QLatin1String("sell")).toObject();
            run->report.sold.append({account, contractId,
                                     DerivFields::money(s.value(QLatin1String("sold_for"))).value_or(Money())});
            m_book->remove(account, contractId);
        } else {
            onSellError(run, account, contractId, attempt, reply.error().code, reply.error().message);
        }
        settleStep(run);
    }, options);
}

void EmergencyStop::onSellError(const std::shared_ptr<Run> &run, const QString &account, qint64 contractId, int attempt,
                                const QString &code, const QString &message)
{
    if (code == QLatin1String("InvalidtoSell") || code == QLatin1String("InvalidSellContractProposal")
        || code == QLatin1String("NoOpenPosition")) {
        querySellable(run, account, contractId, message);
        return;
    }
    if (attempt < 2) {
        ++run->outstanding;
        QTimer::singleShot(250 * (attempt + 1), this, [this, run, account, contractId, attempt] {
            --run->outstanding;
            sell(run, account, contractId, attempt + 1);
            settleStep(run);
        });
        return;
    }
    run->report.failed.append({account, contractId, code.isEmpty() ? message : code + QStringLiteral(": ") + message});
}

void EmergencyStop::querySellable(const std::shared_ptr<Run> &run, const QString &account, qint64 contractId, const QString &why)
{
    DerivClient *client = m_clients.value(account);
    if (!client)
        return;
    ++run->outstanding;
    DerivClient::RequestOptions options;
    options.resendAfterReconnect = true;
    const QJsonObject request{{QStringLiteral("proposal_open_contract"), 1}, {QStringLiteral("contract_id"), contractId}};
    client->send(request, this, [this, run, account, contractId, why](const Result<QJsonObject> &reply) {
        --run->outstanding;
        if (!reply.ok()) {
            run->report.unsellable.append({account, contractId, why, 0});
        } else {
            const QJsonObject poc = reply->value(QLatin1String("proposal_open_contract")).toObject();
            if (DerivFields::flag(poc.value(QLatin1String("is_sold"))) == true) {
                run->report.alreadyClosed << QStringLiteral("%1/%2").arg(account).arg(contractId);
                m_book->remove(account, contractId);
            } else {
                const qint64 expiry = DerivFields::integer(poc.value(QLatin1String("date_expiry"))).value_or(0) * 1000;
                QString reason = poc.value(QLatin1String("validation_error")).toString();
                run->report.unsellable.append({account, contractId, reason.isEmpty() ? why : reason, expiry});
            }
        }
        settleStep(run);
    }, options);
}

void EmergencyStop::listPortfolio(const std::shared_ptr<Run> &run, const QString &account, bool verify)
{
    DerivClient *client = m_clients.value(account);
    if (!client)
        return;
    ++run->outstanding;
    DerivClient::RequestOptions options;
    options.timeoutMs = 10'000;
    client->send(QJsonObject{{QStringLiteral("portfolio"), 1}}, this, [this, run, account, verify](const Result<QJsonObject> &reply) {
        --run->outstanding;
        if (!reply.ok()) {
            // A failed query is unknown, not empty: the report must not claim the account is flat.
            run->report.errors << QStringLiteral("%1: portfolio failed (%2)").arg(account, reply.error().message);
            if (verify)
                run->verified.insert(account, false);
            settleStep(run);
            return;
        }
        const QJsonArray contracts = reply->value(QLatin1String("portfolio")).toObject().value(QLatin1String("contracts")).toArray();
        if (!verify) {
            for (const QJsonValue &v : contracts) {
                const auto id = DerivFields::integer(v.toObject().value(QLatin1String("contract_id")));
                if (id)
                    sell(run, account, *id, 0);
            }
        } else {
            QSet<qint64> unsellable;
            for (const auto &u : std::as_const(run->report.unsellable)) {
                if (u.account == account)
                    unsellable.insert(u.contractId);
            }
            bool flat = true;
            for (const QJsonValue &v : contracts) {
                const auto id = DerivFields::integer(v.toObject().value(QLatin1String("contract_id")));
                ++run->report.remainingOpen;
                if (id && !unsellable.contains(*id))
                    flat = false;
            }
            run->verified.insert(account, flat);
        }
        settleStep(run);
    }, options);
}

void EmergencyStop::settleStep(const std::shared_ptr<Run> &run)
{
    if (run->outstanding > 0)
        return;
    if (!run->verifying) {
        const QStringList accounts = run->report.scope == QLatin1String("all") ? m_clients.keys() : QStringList{run->report.scope};
        // Buys that were on the wire when the gate closed make their contracts only when they are answered: wait
        // for them, sell what they made, then verify (a stop that verified first would call the account flat).
        int buying = 0;
        for (const QString &account : accounts) {
            buying += m_book->buysInFlight(account);
            for (qint64 contractId : m_book->contracts(account))
                sell(run, account, contractId, 0); // once per contract: a late buy's, or one added meanwhile
        }
        if (run->outstanding > 0)
            return; // back here when those sells are answered
        if (buying > 0) {
            if (run->waitStartedNs == 0)
                run->waitStartedNs = steadyNs();
            if (steadyNs() - run->waitStartedNs < kBuysInFlightWaitNs) {
                QTimer::singleShot(20, this, [this, run] { settleStep(run); });
                return;
            }
            run->report.buysInFlight = buying;
            run->report.errors << (buying == 1 ? QStringLiteral("a buy is still unanswered") : QStringLiteral("%1 buys are still unanswered").arg(buying));
        }
        run->verifying = true;
        for (const QString &account : accounts)
            listPortfolio(run, account, true);
        if (run->outstanding > 0)
            return;
    }
    bool flat = run->report.failed.isEmpty() && run->report.errors.isEmpty() && !run->verified.isEmpty();
    for (auto it = run->verified.cbegin(); it != run->verified.cend(); ++it)
        flat = flat && it.value();
    run->report.verifiedFlat = flat;
    run->report.completedAfterMs = (steadyNs() - run->triggerNs) / 1'000'000;
    qCInfo(lcRisk).noquote() << run->report.summary();
    Q_EMIT finished(run->report);
    run->outstanding = 1 << 30; // finished: ignore late callbacks
    for (const auto &u : std::as_const(run->report.unsellable))
        QTimer::singleShot(kChaseIntervalMs, this, [this, account = u.account, id = u.contractId, expiry = u.expiryMs] {
            chase(account, id, expiry, 1);
        });
}

void EmergencyStop::chase(const QString &account, qint64 contractId, qint64 expiryMs, int attempt)
{
    DerivClient *client = m_clients.value(account);
    if (!client) {
        Q_EMIT lateSale(account, contractId, false, QStringLiteral("could not be tried again: no control connection to the account"));
        return;
    }
    // Re-armed meanwhile: the trader has taken the account back; the contract is followed to its settlement.
    if (m_gate->checkBuy(account).ok())
        return;
    const qint64 now = m_clock->nowMs();
    const bool expired = expiryMs > 0 ? now > expiryMs : attempt > kChaseMaxAttemptsNoExpiry;
    if (expired) {
        Q_EMIT lateSale(account, contractId, false, QStringLiteral("not sellable before it expired; it settles by itself"));
        return;
    }
    DerivClient::RequestOptions options;
    TradingGate *gate = m_gate;
    options.guard = [gate, account]() -> Result<void> {
        if (gate->checkBuy(account).ok()) // re-armed while this sell waited (a reconnect): not sold after all
            return Error::make(ErrorKind::Cancelled, QStringLiteral("Rearmed"), QStringLiteral("trading was re-armed"));
        return gate->checkSell(account, true);
    };
    options.timeoutMs = 10'000;
    const QJsonObject request{{QStringLiteral("sell"), contractId}, {QStringLiteral("price"), 0}};
    client->send(request, this, [this, account, contractId, expiryMs, attempt](const Result<QJsonObject> &reply) {
        if (reply.ok()) {
            const QJsonObject s = reply->value(QLatin1String("sell")).toObject();
            const std::optional<Money> soldFor = DerivFields::money(s.value(QLatin1String("sold_for")));
            m_book->remove(account, contractId);
            qCInfo(lcRisk).noquote() << "emergency stop: contract" << contractId << "of" << account << "sold once sellable";
            Q_EMIT lateSale(account, contractId, true, soldFor ? soldFor->toString() : QString());
            return;
        }
        // Still not sellable, or settled meanwhile (the tracker records how): ask the server which.
        DerivClient *again = m_clients.value(account);
        if (!again)
            return;
        const QJsonObject poc{{QStringLiteral("proposal_open_contract"), 1}, {QStringLiteral("contract_id"), contractId}};
        again->send(poc, this, [this, account, contractId, expiryMs, attempt](const Result<QJsonObject> &state) {
            if (state.ok()) {
                const QJsonObject c = state->value(QLatin1String("proposal_open_contract")).toObject();
                if (DerivFields::flag(c.value(QLatin1String("is_sold"))) == true) {
                    m_book->remove(account, contractId);
                    return;
                }
            }
            QTimer::singleShot(kChaseIntervalMs, this, [this, account, contractId, expiryMs, attempt] {
                chase(account, contractId, expiryMs, attempt + 1);
            });
        });
    }, options);
}

} // namespace Vigil
