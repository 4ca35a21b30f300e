// SPDX-License-Identifier: GPL-3.0-or-later
#include "contracttracker.h"

#include <QJsonObject>

#include "deriv/derivclient.h"
#include "health/logcategories.h"

namespace Vigil {

ContractTracker::ContractTracker(DerivClient *client, int moneyDigits, QObject *parent)
    : QObject(parent), m_client(client), m_digits(moneyDigits)
{
}

ContractTracker::~ContractTracker()
{
    for (const Followed &f : std::as_const(m_followed)) {
        if (f.streamKey)
            m_client->unsubscribe(f.streamKey);
    }
}

void ContractTracker::follow(qint64 localId, qint64 contractId)
{
    if (contractId <= 0 || m_followed.contains(contractId))
        return;
    m_followed.insert(contractId, Followed{localId, 0, false});
    const QJsonObject request{{QStringLiteral("proposal_open_contract"), 1},
                              {QStringLiteral("contract_id"), contractId}};
    const quint64 key = m_client->subscribe(request, this, [this, contractId](const DerivClient::StreamEvent &ev) {
        auto it = m_followed.find(contractId);
        if (it == m_followed.end() || it->settled)
            return;
        switch (ev.kind) {
        case DerivClient::StreamEvent::Kind::Message: {
            const QJsonObject poc = ev.message.value(QLatin1String("proposal_open_contract")).toObject();
            if (poc.value(QLatin1String("is_sold")).toInt() == 1)
                onFinal(contractId, poc);
            else
                Q_EMIT contractUpdated(it->localId, poc);
            break;
        }
        case DerivClient::StreamEvent::Kind::Reconnected:
            break;
        case DerivClient::StreamEvent::Kind::Ended:
            // The stream ended without a sold message we saw: ask once for the contract's truth.
            it->streamKey = 0;
            queryOnce(contractId);
            break;
        case DerivClient::StreamEvent::Kind::Failed: {
            const qint64 lostId = it->localId;
            m_followed.erase(it);
            Q_EMIT contractLost(lostId, contractId, ev.error);
            break;
        }
        }
    });
    auto it = m_followed.find(contractId);
    if (it != m_followed.end())
        it->streamKey = key;
}

void ContractTracker::forget(qint64 contractId)
{
    auto it = m_followed.find(contractId);
    if (it == m_followed.end())
        return;
    if (it->streamKey)
        m_client->unsubscribe(it->streamKey);
    m_followed.erase(it);
}

void ContractTracker::onFinal(qint64 contractId, const QJsonObject &poc)
{
    auto it = m_followed.find(contractId);
    if (it == m_followed.end())
        return;
    const auto outcome = ContractSettlement::fromOpenContract(poc, m_digits);
    if (!outcome) {
        qCWarning(lcEngine) << "contract" << contractId << "reported sold without complete figures; querying";
        queryOnce(contractId);
        return;
    }
    const qint64 localId = it->localId;
    it->settled = true;
    if (it->streamKey)
        m_client->unsubscribe(it->streamKey);
    m_followed.erase(it);
    Q_EMIT contractSettled(localId, *outcome);
}

void ContractTracker::queryOnce(qint64 contractId)
{
    const QJsonObject request{{QStringLiteral("proposal_open_contract"), 1},
                              {QStringLiteral("contract_id"), contractId}};
    DerivClient::RequestOptions opts;
    opts.resendAfterReconnect = true;
    m_client->send(request, this, [this, contractId](const Result<QJsonObject> &reply) {
        auto it = m_followed.find(contractId);
        if (it == m_followed.end())
            return;
        if (!reply.ok()) {
            const qint64 localId = it->localId;
            m_followed.erase(it);
            Q_EMIT contractLost(localId, contractId, reply.error());
            return;
        }
        const QJsonObject poc = reply->value(QLatin1String("proposal_open_contract")).toObject();
        if (poc.value(QLatin1String("is_sold")).toInt() == 1) {
            onFinal(contractId, poc);
        } else {
            // Still open and no stream: follow it again.
            const qint64 localId = it->localId;
            m_followed.erase(it);
            follow(localId, contractId);
        }
    }, opts);
}

} // namespace Vigil
