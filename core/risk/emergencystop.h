// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include <QHash>
#include <QObject>
#include <QPointer>

#include "risk/emergencystopreport.h"

namespace Vigil {

class Clock;
class DerivClient;
class OpenContractBook;
class TradingGate;

// The force-close half of the kill switch. Lives on the control thread with a control DerivClient per
// account (its own authorized socket, so a sell never queues behind trading work).
// The caller closes the gate first (TradingGate is written from any thread without a worker's help);
// run() then sells every open contract at market — the ones the engine knows (OpenContractBook) at once,
// and any others the server's portfolio lists — reports the ones that cannot be sold with their expiry,
// re-queries the server to verify nothing sellable is left, and emits the report. Contracts it reported as not
// sellable yet are tried again every second afterwards until sold or expired (lateSale). Idempotent: a second
// run finds nothing to sell.
class EmergencyStop final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EmergencyStop)

public:
    EmergencyStop(TradingGate *gate, OpenContractBook *book, Clock *clock, QObject *parent = nullptr);
    ~EmergencyStop() override;

    // The client is not owned; it must live on this object's thread.
    void setControlClient(const QString &loginId, DerivClient *client);
    void removeControlClient(const QString &loginId);

public Q_SLOTS:
    // scope: a login id, or empty for every account. triggerSteadyNs: std::chrono::steady_clock at the
    // trigger (for the µs figures); haltedAfterUs: trigger → gate closed, measured by the caller.
    void run(quint64 id, const QString &scope, qint64 triggeredMs, qint64 triggerSteadyNs, qint64 haltedAfterUs);

Q_SIGNALS:
    void finished(const Vigil::EmergencyStopReport &report);
    // After the report: a contract it listed as not sellable yet ("waiting for entry tick", a market pause) was sold
    // once it could be (soldFor empty when the reply had no amount), or it could not be before it expired
    // (sold false: it settles by itself and is followed to its settlement as before).
    void lateSale(const QString &account, qint64 contractId, bool sold, const QString &detail);

private:
    struct Run;
    void sell(const std::shared_ptr<Run> &run, const QString &account, qint64 contractId, int attempt);
    void onSellError(const std::shared_ptr<Run> &run, const QString &account, qint64 contractId, int attempt,
                     const QString &code, const QString &message);
    void querySellable(const std::shared_ptr<Run> &run, const QString &account, qint64 contractId, const QString &why);
    void listPortfolio(const std::shared_ptr<Run> &run, const QString &account, bool verify);
    void settleStep(const std::shared_ptr<Run> &run);
    // Tries again to sell a contract the report listed as not sellable, every second until it is sold, closed,
    // expired, or the stop was lifted for its account.
    void chase(const QString &account, qint64 contractId, qint64 expiryMs, int attempt);

    TradingGate *m_gate;
    OpenContractBook *m_book;
    Clock *m_clock;
    QHash<QString, QPointer<DerivClient>> m_clients;
};

} // namespace Vigil
