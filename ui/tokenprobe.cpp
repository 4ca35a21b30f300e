// SPDX-License-Identifier: GPL-3.0-or-later
#include "tokenprobe.h"

#include <memory>
#include <utility>

#include <QThread>
#include <QTimer>

#include "accounts/queuedcallback.h"
#include "deriv/derivclient.h"
#include "health/redactor.h"

namespace Vigil {

TokenProbe::TokenProbe(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<AccountInfo>();
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("token-probe"));
    m_root = new QObject;
    m_root->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_root, &QObject::deleteLater);
    m_thread->start();
}

TokenProbe::~TokenProbe()
{
    // Joining is quick: the worker only runs socket callbacks, and the sessions die with m_root.
    m_thread->quit();
    m_thread->wait();
}

void TokenProbe::setTimeoutMs(int ms)
{
    m_timeoutMs = qMax(1000, ms);
}

void TokenProbe::authorize(const QUrl &url, const QString &token, QObject *context, InfoCallback done)
{
    runSession(
        url, token, [](DerivClient *client, const ReplyCallback &finish) { finish(client->authorization()); }, context,
        [done = std::move(done)](Result<QJsonObject> reply) {
            if (!reply) {
                done(reply.error());
                return;
            }
            done(AccountInfo::fromAuthorizeReply(reply.value()));
        });
}

void TokenProbe::deleteToken(const QUrl &url, const QString &token, QObject *context, DoneCallback done)
{
    runSession(
        url, token,
        [token](DerivClient *client, const ReplyCallback &finish) {
            const QJsonObject request{{QStringLiteral("api_token"), 1}, {QStringLiteral("delete_token"), token}};
            client->send(request, client, [finish](const Result<QJsonObject> &reply) { finish(reply); });
        },
        context,
        [done = std::move(done)](Result<QJsonObject> reply) {
            if (!reply) {
                done(reply.error());
                return;
            }
            done(Result<void>());
        });
}

void TokenProbe::runSession(const QUrl &url, const QString &token, ReadyStep onReady, QObject *context, ReplyCallback done)
{
    Redactor::registerSecret(token);
    const QueuedCallback<Result<QJsonObject>> reply(context, std::move(done));
    DerivClient::Options o;
    o.url = url;
    o.token = token;
    o.accountLabel = QStringLiteral("new-token");
    o.connectTimeoutMs = m_timeoutMs;
    o.requestTimeoutMs = m_timeoutMs;
    const int timeoutMs = m_timeoutMs;
    QObject *root = m_root;
    QMetaObject::invokeMethod(
        m_root,
        [root, o, timeoutMs, onReady = std::move(onReady), reply] {
            auto *client = new DerivClient(o, root);
            auto over = std::make_shared<bool>(false);
            // One answer per session, then it goes: a probe never sits in a reconnect loop.
            auto finish = [client, over, reply](Result<QJsonObject> result) {
                if (*over)
                    return;
                *over = true;
                reply(std::move(result));
                client->close();
                client->deleteLater();
            };
            QObject::connect(client, &DerivClient::ready, client, [client, onReady, finish] { onReady(client, finish); });
            QObject::connect(client, &DerivClient::sessionEnded, client, [finish](const Error &e) { finish(e); });
            QObject::connect(client, &DerivClient::connectionLost, client, [finish](const Error &e) { finish(e); });
            QTimer::singleShot(timeoutMs, client, [finish, timeoutMs, url = o.url] {
                finish(Error::make(ErrorKind::Timeout, QStringLiteral("ProbeTimeout"),
                                   QStringLiteral("No answer from %1 within %2 s.").arg(url.host()).arg(timeoutMs / 1000)));
            });
            client->open();
        },
        Qt::QueuedConnection);
}

} // namespace Vigil
