// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QSet>
#include <QUrl>

class QTimer;
class QWebSocket;
class QWebSocketServer;

namespace Vigil::Test {

// A small, scriptable Deriv-like WebSocket server on loopback for client unit tests: it answers the
// envelope the way Deriv does (msg_type, req_id, echo_req, subscription{id}) for a handful of calls, keeps
// per-connection authorization and subscriptions (forgotten when the connection drops, like Deriv), and lets
// a test override any call, send raw frames, stop answering pings and cut connections.
// Lives on the test's thread. Not a simulator: no pricing, no settlement (see core/sim for that).
//
// Default behaviour per call: authorize (valid token → loginid CR90000001, else InvalidToken), ping, time,
// ticks (subscribes; first message is the current tick), ticks_history (from the generated ticks), forget,
// balance / transaction / proposal_open_contract (subscribe; need authorization), portfolio, statement,
// profit_table, buy (need authorization; a plain reply), anything else → UnrecognisedRequest.
class ScriptedDerivServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScriptedDerivServer)

public:
    struct Received
    {
        int connection = 0;
        QJsonObject request;
        QString call;
        qint64 atMs = 0; // since the server was created
    };
    // Handles a request instead of the default. Return false to fall back to the default behaviour.
    using Script = std::function<bool(int connection, const QJsonObject &request)>;

    explicit ScriptedDerivServer(QObject *parent = nullptr);
    ~ScriptedDerivServer() override;

    bool listen();
    QUrl url() const;

    void setValidToken(const QString &token) { m_validToken = token; }
    void setScript(const QString &call, Script script);
    void clearScript(const QString &call);
    void setAnswerPings(bool answer) { m_answerPings = answer; }
    // Generate one tick per interval for every symbol ever asked for (0 = only pushTick()).
    void setTickIntervalMs(int ms);

    // Replies shaped like Deriv's: msg_type = the call, req_id and echo_req copied from the request.
    void reply(int connection, const QJsonObject &request, const QJsonObject &fields);
    void replyError(int connection, const QJsonObject &request, const QString &code, const QString &message,
                    const QJsonObject &details = {});
    void sendJson(int connection, const QJsonObject &frame);
    void sendText(int connection, const QString &text);
    void sendBinary(int connection, const QByteArray &data);

    // The next tick of a symbol (epoch + 1) to every subscriber of it on every connection.
    void pushTick(const QString &symbol);
    qint64 lastEpoch(const QString &symbol) const;
    // Ends a contract: subscribers of its proposal_open_contract get a final is_sold message and the stream
    // ends; later requests for it get a one-shot reply without subscription.
    void sellContract(qint64 contractId);
    // Cuts every connection without a close handshake, as a network failure would.
    void dropAll();

    QList<Received> received() const { return m_received; }
    QList<Received> received(const QString &call) const;
    int count(const QString &call) const { return int(received(call).size()); }
    int connectionCount() const { return m_nextConnection; }
    int openConnections() const { return int(m_sockets.size()); }
    int lastConnection() const { return m_nextConnection; }
    // Live subscriptions of a connection: server id → "call:target" (e.g. "ticks:R_100").
    QMap<QString, QString> subscriptions(int connection) const;

Q_SIGNALS:
    void requestReceived(int connection, const QJsonObject &request);
    void clientConnected(int connection);
    void clientDisconnected(int connection);

private:
    struct Subscription
    {
        QString call;
        QString target;
        QJsonObject request;
    };
    struct Connection
    {
        QWebSocket *socket = nullptr;
        bool authorized = false;
        QMap<QString, Subscription> subscriptions;
    };
    struct Tick
    {
        qint64 epoch = 0;
        double quote = 0;
    };

    void onNewConnection();
    void onText(int connection, const QString &text);
    void handleDefault(int connection, const QJsonObject &request, const QString &call);
    QString subscribe(int connection, const QJsonObject &request, const QString &call, const QString &target);
    QJsonObject tickFields(const QString &symbol, const Tick &tick) const;
    Tick &ensureSymbol(const QString &symbol);
    void generateTicks();

    QWebSocketServer *m_server = nullptr;
    QTimer *m_tickTimer = nullptr;
    QHash<int, Connection> m_sockets;
    QHash<QString, Script> m_scripts;
    QHash<QString, QList<Tick>> m_history;
    QSet<qint64> m_soldContracts;
    QList<Received> m_received;
    QElapsedTimer m_elapsed;
    QString m_validToken = QStringLiteral("valid-token-0001");
    bool m_answerPings = true;
    int m_nextConnection = 0;
    int m_nextSubscription = 0;
};

} // namespace Vigil::Test
