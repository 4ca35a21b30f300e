// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

#include "health/result.h"

QT_BEGIN_NAMESPACE
class QHttpServer;
QT_END_NAMESPACE

namespace Vigil::Sim {

class SimServer;

// A small HTTP control endpoint for a SimServer, so tests outside the process (node, shell, a
// second Vigil) can observe and script it. Loopback only: it binds 127.0.0.1 and refuses any other
// peer (403). Bodies and replies are JSON; a bad request gets 400 {"error": {"code", "message"}}.
//
//   GET    /stats            SimStats: accounts (balance, buys received/completed, max buys in
//                            flight, open contracts, the recent buys with their passthrough...),
//                            connections (subscriptions per type),
//                            contracts, virtual time
//   GET    /faults           {"rules": [FaultRule...], "buy_delay_ms": n}
//   POST   /faults           one FaultRule (see FaultRule) → 201 {"id": n} (0 for immediate rules)
//   DELETE /faults           removes every rule and the buy delay → {"cleared": 1}
//   POST   /accounts         {"token", "currency"="USD", "balance"=10000, "scopes"=[...], "virtual"=true}
//                            → 201 {"loginid": "VRTC1000001"}
//   POST   /buy              {"loginid", "parameters": {...as buy.parameters}, "price"?}
//                            → 200 the buy object, or 409 {"error": Deriv's error}
//   POST   /tokens/delete    {"token"} → {"deleted": 1|0}
//   POST   /time/advance     {"ms": n} → {"now_ms": virtual time}
//   POST   /quotes           {"symbol", "quotes": ["1234.56", ...]} → {"queued": n}
//   POST   /rate_limits      {"enabled": true|false} → {"enabled": ...}
//
// Lives on the server's thread; `server` must outlive it.
class ControlEndpoint final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ControlEndpoint)

public:
    explicit ControlEndpoint(SimServer &server, QObject *parent = nullptr);
    ~ControlEndpoint() override;

    // Listens on 127.0.0.1:port (a free port when 0).
    Result<quint16> listen(quint16 port = 0);
    quint16 port() const { return m_port; }

private:
    void addRoutes();

    SimServer &m_server;
    QHttpServer *m_http = nullptr;
    quint16 m_port = 0;
};

} // namespace Vigil::Sim
