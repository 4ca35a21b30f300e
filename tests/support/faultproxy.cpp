// SPDX-License-Identifier: GPL-3.0-or-later
#include "faultproxy.h"

#include <algorithm>

#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketServer>

namespace Vigil::Test {

namespace {

// The call a request makes: its first key naming a Deriv call (the envelope fields are not calls).
QString callOf(const QJsonObject &request)
{
    static const QSet<QString> envelope{QStringLiteral("req_id"), QStringLiteral("passthrough"), QStringLiteral("subscribe"),
                                        QStringLiteral("price"), QStringLiteral("parameters")};
    for (auto it = request.begin(); it != request.end(); ++it) {
        if (!envelope.contains(it.key()))
            return it.key();
    }
    return {};
}

const char *const s_junk[] = {
    "this is not JSON",
    R"({"msg_type":"tick","tick":{"symbol":"R_100","quote":)",
    "[1,2,3]",
    R"({"msg_type":"buy","req_id":"not-a-number"})",
    "",
};

} // namespace

FaultProxy::FaultProxy(const QUrl &upstream, quint64 seed, QObject *parent)
    : QObject(parent)
    , m_upstream(upstream)
    , m_seed(seed)
    , m_random(quint32(seed ^ (seed >> 32)))
    , m_server(new QWebSocketServer(QStringLiteral("vigil-fault-proxy"), QWebSocketServer::NonSecureMode, this))
{
    m_clock.start();
    connect(m_server, &QWebSocketServer::newConnection, this, &FaultProxy::onNewConnection);
}

FaultProxy::~FaultProxy()
{
    const QList<int> ids = m_links.keys();
    for (int id : ids)
        dropLink(id, QStringLiteral("proxy destroyed"));
}

bool FaultProxy::listen()
{
    return m_server->listen(QHostAddress::LocalHost, 0);
}

QUrl FaultProxy::url() const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/websockets/v3").arg(m_server->serverPort()));
}

bool FaultProxy::roll(double rate)
{
    return rate > 0 && m_random.generateDouble() < rate;
}

void FaultProxy::note(const Link &link, const QString &what)
{
    m_log << QStringLiteral("[%1 ms] link %2 %3: %4").arg(m_clock.elapsed()).arg(link.id).arg(link.loginid, what);
    if (m_log.size() > 400)
        m_log.removeFirst();
}

void FaultProxy::onNewConnection()
{
    while (QWebSocket *down = m_server->nextPendingConnection()) {
        auto *link = new Link;
        link->id = ++m_nextId;
        link->down = down;
        link->up = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
        link->pump = new QTimer(this);
        link->pump->setSingleShot(true);
        down->setParent(this);
        m_links.insert(link->id, link);
        ++m_counters.connections;
        const int id = link->id;
        connect(link->pump, &QTimer::timeout, this, [this, id] { pump(id); });
        connect(down, &QWebSocket::textMessageReceived, this, [this, id](const QString &text) { fromClient(id, text); });
        connect(down, &QWebSocket::disconnected, this, [this, id] { dropLink(id, QStringLiteral("client left")); });
        connect(link->up, &QWebSocket::connected, this, [this, id] {
            if (Link *l = m_links.value(id)) {
                l->upOpen = true;
                pump(id);
            }
        });
        connect(link->up, &QWebSocket::textMessageReceived, this, [this, id](const QString &text) { fromServer(id, text); });
        connect(link->up, &QWebSocket::disconnected, this, [this, id] { dropLink(id, QStringLiteral("server left")); });
        QUrl target = m_upstream;
        target.setQuery(QUrlQuery(down->requestUrl()));
        link->up->open(target);
    }
}

void FaultProxy::fromClient(int id, const QString &text)
{
    Link *link = m_links.value(id);
    if (!link)
        return;
    ++link->framesSeen;
    const bool inBurst = link->framesSeen <= m_rates.burstFrames;
    const QJsonObject request = QJsonDocument::fromJson(text.toUtf8()).object();
    Queued frame;
    frame.text = text;
    frame.call = callOf(request);
    frame.reqId = request.value(QLatin1String("req_id")).toInteger();
    if (inBurst && roll(m_rates.dropInBurst)) {
        ++m_counters.dropsInBurst;
        return dropLink(id, QStringLiteral("drop in the connection's first frames, at a %1 request").arg(frame.call));
    }
    if (roll(m_rates.drop)) {
        ++m_counters.drops;
        return dropLink(id, QStringLiteral("drop at a %1 request").arg(frame.call));
    }
    const bool isBuy = frame.call == QLatin1String("buy");
    if (frame.reqId != 0 && frame.call != QLatin1String("authorize") && !frame.call.isEmpty()
        && roll(isBuy ? m_rates.rateLimitBuy : m_rates.rateLimit)) {
        // Answered here, never forwarded: the server never sees it.
        QJsonObject reply{{QStringLiteral("echo_req"), request},
                          {QStringLiteral("error"),
                           QJsonObject{{QStringLiteral("code"), QStringLiteral("RateLimit")},
                                       {QStringLiteral("message"), QStringLiteral("You have reached the rate limit for %1.").arg(frame.call)}}},
                          {QStringLiteral("msg_type"), frame.call},
                          {QStringLiteral("req_id"), frame.reqId}};
        ++m_counters.rateLimited;
        m_counters.rateLimitedBuys += isBuy ? 1 : 0;
        note(*link, QStringLiteral("RateLimit for %1 req_id %2 (not forwarded)").arg(frame.call).arg(frame.reqId));
        Queued answer;
        answer.text = QString::fromUtf8(QJsonDocument(reply).toJson(QJsonDocument::Compact));
        enqueue(*link, false, answer);
        return;
    }
    if (frame.reqId != 0) {
        if (isBuy && roll(m_rates.dropAfterBuy)) {
            if (m_random.bounded(2) == 0) {
                link->dropOnReply.insert(frame.reqId);
            } else {
                frame.dropAfterWrite = true;
            }
        } else if (roll(isBuy ? m_rates.swallowBuy : m_rates.swallow)) {
            link->swallowReply.insert(frame.reqId);
        }
    }
    if (roll(m_rates.delay)) {
        ++m_counters.delayed;
        frame.dueMs = m_clock.elapsed() + m_random.bounded(std::max(1, m_rates.maxDelayMs));
    }
    enqueue(*link, true, frame);
}

void FaultProxy::fromServer(int id, const QString &text)
{
    Link *link = m_links.value(id);
    if (!link)
        return;
    ++link->framesSeen;
    const bool inBurst = link->framesSeen <= m_rates.burstFrames;
    const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
    const QString msgType = message.value(QLatin1String("msg_type")).toString();
    const qint64 reqId = message.value(QLatin1String("req_id")).toInteger();
    if (msgType == QLatin1String("authorize") && !message.contains(QLatin1String("error")))
        link->loginid = message.value(QLatin1String("authorize")).toObject().value(QLatin1String("loginid")).toString();

    // The first message naming a request is its reply; later ones with the same req_id are its stream.
    const bool isReply = reqId != 0 && link->requests.remove(reqId) > 0;
    if (isReply) {
        link->buysUp.remove(reqId);
        if (link->dropOnReply.remove(reqId)) {
            ++m_counters.dropsAfterBuy;
            return dropLink(id, QStringLiteral("drop after the server answered buy req_id %1: %2").arg(reqId).arg(text.left(160)));
        }
        if (link->swallowReply.remove(reqId)) {
            ++m_counters.swallowed;
            m_counters.swallowedBuys += msgType == QLatin1String("buy") ? 1 : 0;
            note(*link, QStringLiteral("swallowed the %1 reply to req_id %2: %3").arg(msgType).arg(reqId).arg(text.left(160)));
            return;
        }
    }
    if (inBurst && roll(m_rates.dropInBurst)) {
        ++m_counters.dropsInBurst;
        return dropLink(id, QStringLiteral("drop in the connection's first frames, at a %1 message").arg(msgType));
    }
    if (roll(m_rates.drop)) {
        ++m_counters.drops;
        return dropLink(id, QStringLiteral("drop at a %1 message").arg(msgType));
    }
    if (!isReply && roll(m_rates.swallow)) {
        ++m_counters.swallowed;
        note(*link, QStringLiteral("swallowed a %1 stream message: %2").arg(msgType, text.left(160)));
        return;
    }
    if (roll(m_rates.junk)) {
        ++m_counters.junk;
        Queued junk;
        junk.text = QString::fromLatin1(s_junk[m_random.bounded(int(std::size(s_junk)))]);
        note(*link, QStringLiteral("junk frame injected: %1").arg(junk.text));
        enqueue(*link, false, junk);
    }
    Queued frame;
    frame.text = text;
    if (roll(m_rates.delay)) {
        ++m_counters.delayed;
        frame.dueMs = m_clock.elapsed() + m_random.bounded(std::max(1, m_rates.maxDelayMs));
    }
    if (isReply && roll(m_rates.garble)) {
        ++m_counters.garbled;
        const qsizetype cut = 1 + m_random.bounded(int(std::max<qsizetype>(1, text.size() - 2)));
        if (m_random.bounded(2) == 0) {
            note(*link, QStringLiteral("truncated the %1 reply to req_id %2 at %3 of %4 characters").arg(msgType).arg(reqId).arg(cut).arg(text.size()));
            frame.text = text.left(cut);
            enqueue(*link, false, frame);
        } else {
            note(*link, QStringLiteral("split the %1 reply to req_id %2 at %3 of %4 characters").arg(msgType).arg(reqId).arg(cut).arg(text.size()));
            Queued second = frame;
            frame.text = text.left(cut);
            second.text = text.mid(cut);
            enqueue(*link, false, frame);
            enqueue(*link, false, second);
        }
        return;
    }
    enqueue(*link, false, frame);
}

void FaultProxy::enqueue(Link &link, bool upstream, Queued frame)
{
    QList<Queued> &queue = upstream ? link.toUp : link.toDown;
    // A delayed frame holds back the ones after it, as one TCP stream would.
    if (!queue.isEmpty())
        frame.dueMs = std::max(frame.dueMs, queue.last().dueMs);
    queue.append(std::move(frame));
    pump(link.id);
}

void FaultProxy::pump(int id)
{
    const qint64 now = m_clock.elapsed();
    qint64 next = -1;
    for (bool upstream : {true, false}) {
        // Writing may drop the link (a drop after a buy): look it up again each time.
        while (true) {
            Link *link = m_links.value(id);
            if (!link)
                return;
            QList<Queued> &queue = upstream ? link->toUp : link->toDown;
            if (queue.isEmpty() || (upstream && !link->upOpen))
                break;
            if (queue.first().dueMs > now) {
                next = next < 0 ? queue.first().dueMs : std::min(next, queue.first().dueMs);
                break;
            }
            const Queued frame = queue.takeFirst();
            if (upstream)
                writeUp(*link, frame);
            else
                writeDown(*link, frame.text);
        }
    }
    if (Link *link = m_links.value(id); link && next >= 0)
        link->pump->start(int(std::max<qint64>(1, next - now)));
}

int FaultProxy::buysInFlight(const QString &loginid) const
{
    int n = 0;
    for (const Link *l : m_links) {
        if (l->loginid == loginid)
            n += int(l->buysUp.size());
    }
    return n;
}

void FaultProxy::writeUp(Link &link, const Queued &frame)
{
    link.up->sendTextMessage(frame.text);
    if (frame.reqId != 0)
        link.requests.insert(frame.reqId, frame.call);
    if (frame.call == QLatin1String("buy")) {
        ++m_counters.buysForwarded;
        link.buysUp.insert(frame.reqId);
        m_counters.maxBuysInFlight = std::max(m_counters.maxBuysInFlight, buysInFlight(link.loginid));
        const QJsonObject request = QJsonDocument::fromJson(frame.text.toUtf8()).object();
        const QString tag = request.value(QLatin1String("passthrough")).toObject().value(QLatin1String("vigil_tag")).toString();
        m_buyTags[link.loginid].append(tag);
        note(link, QStringLiteral("buy req_id %1 forwarded (%2)%3").arg(frame.reqId).arg(tag,
                   frame.dropAfterWrite ? QStringLiteral(", dropping right after it") : QString()));
    }
    if (frame.dropAfterWrite) {
        ++m_counters.dropsAfterBuy;
        link.up->flush();
        dropLink(link.id, QStringLiteral("drop right after forwarding buy req_id %1").arg(frame.reqId));
    }
}

void FaultProxy::writeDown(Link &link, const QString &text)
{
    link.down->sendTextMessage(text);
}

void FaultProxy::dropAll(const QString &why)
{
    const QList<int> ids = m_links.keys();
    for (int id : ids)
        dropLink(id, why);
}

void FaultProxy::dropLink(int id, const QString &why)
{
    Link *link = m_links.take(id);
    if (!link)
        return;
    note(*link, QStringLiteral("connection dropped (%1)").arg(why));
    for (QWebSocket *s : {link->down, link->up}) {
        s->disconnect(this);
        s->abort();
        s->deleteLater();
    }
    link->pump->stop();
    link->pump->deleteLater();
    delete link;
}

} // namespace Vigil::Test
