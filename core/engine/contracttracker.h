// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QObject>

#include "engine/contractsettlement.h"
#include "health/error.h"

namespace Vigil {

class DerivClient;

// Follows open contracts of one account until they settle: one proposal_open_contract subscription per
// contract on the account's DerivClient (which restores them after a reconnect).
// Lives on the account thread with its client; signals are emitted on that thread.
class ContractTracker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ContractTracker)

public:
    // `client` is not owned and must outlive the tracker.
    explicit ContractTracker(DerivClient *client, int moneyDigits = 2, QObject *parent = nullptr);
    ~ContractTracker() override;

    // Starts following; a contract already followed is not subscribed twice.
    void follow(qint64 localId, qint64 contractId);
    void forget(qint64 contractId);
    bool isFollowing(qint64 contractId) const { return m_followed.contains(contractId); }
    int count() const { return int(m_followed.size()); }

Q_SIGNALS:
    // Every update of an open contract (bid price, current spot, validity to sell).
    void contractUpdated(qint64 localId, const QJsonObject &openContract);
    // The contract is sold or expired and settled: the figures are the server's.
    void contractSettled(qint64 localId, const Vigil::ContractSettlement &settlement);
    // It can no longer be followed (the session ended, the stream failed): reconciliation must resolve it.
    void contractLost(qint64 localId, qint64 contractId, const Vigil::Error &error);

private:
    struct Followed
    {
        qint64 localId = 0;
        quint64 streamKey = 0;
        bool settled = false;
    };
    void onFinal(qint64 contractId, const QJsonObject &poc);
    void queryOnce(qint64 contractId);

    DerivClient *m_client;
    int m_digits;
    QHash<qint64, Followed> m_followed; // by contract id
};

} // namespace Vigil
