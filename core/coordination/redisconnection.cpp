// SPDX-License-Identifier: GPL-3.0-or-later
#include "redisconnection.h"

#include <vector>

#include <hiredis/hiredis.h>

#ifdef Q_OS_UNIX
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#endif

#include <QCryptographicHash>

#include "coordination/coordinationerror.h"
#include "health/logcategories.h"

namespace Vigil {

namespace {

#ifdef Q_OS_UNIX
// Blocks SIGPIPE in this thread for its lifetime and discards a SIGPIPE raised meanwhile (see class comment).
class SigPipeBlocker
{
public:
    SigPipeBlocker()
    {
        sigemptyset(&m_set);
        sigaddset(&m_set, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        m_wasPending = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &m_set, &m_old);
    }
    ~SigPipeBlocker()
    {
        if (!m_wasPending) {
            sigset_t pending;
            sigpending(&pending);
            if (sigismember(&pending, SIGPIPE) == 1) {
                const timespec zero { 0, 0 };
                sigtimedwait(&m_set, nullptr, &zero);
            }
        }
        pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
    }
    Q_DISABLE_COPY_MOVE(SigPipeBlocker)

private:
    sigset_t m_set;
    sigset_t m_old;
    bool m_wasPending = false;
};
#else
struct SigPipeBlocker
{
};
#endif

timeval toTimeval(int ms)
{
    timeval tv;
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    return tv;
}

RedisReply convert(const redisReply *r)
{
    RedisReply out;
    switch (r->type) {
    case REDIS_REPLY_STRING:
        out.type = RedisReply::Type::String;
        out.text = QByteArray(r->str, static_cast<qsizetype>(r->len));
        break;
    case REDIS_REPLY_STATUS:
        out.type = RedisReply::Type::Status;
        out.text = QByteArray(r->str, static_cast<qsizetype>(r->len));
        break;
    case REDIS_REPLY_ERROR:
        out.type = RedisReply::Type::Error;
        out.text = QByteArray(r->str, static_cast<qsizetype>(r->len));
        break;
    case REDIS_REPLY_INTEGER:
        out.type = RedisReply::Type::Integer;
        out.integer = r->integer;
        break;
    case REDIS_REPLY_ARRAY:
        out.type = RedisReply::Type::Array;
        out.elements.reserve(static_cast<qsizetype>(r->elements));
        for (size_t i = 0; i < r->elements; ++i)
            out.elements.append(convert(r->element[i]));
        break;
    default:
        out.type = RedisReply::Type::Nil;
        break;
    }
    return out;
}

struct ReplyDeleter
{
    void operator()(void *r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<void, ReplyDeleter>;

Error serverError(const QByteArray &text)
{
    return Error::make(ErrorKind::Coordination, QStringLiteral("RedisError"), QString::fromUtf8(text));
}

} // namespace

RedisConnection::Script RedisConnection::Script::make(QByteArray source)
{
    Script s;
    s.sha1 = QCryptographicHash::hash(source, QCryptographicHash::Sha1).toHex();
    s.source = std::move(source);
    return s;
}

RedisConnection::RedisConnection(RedisConfig config, QByteArray clientName)
    : m_config(std::move(config))
    , m_clientName(std::move(clientName))
{
}

RedisConnection::~RedisConnection()
{
    disconnect();
}

void RedisConnection::disconnect()
{
    if (m_ctx) {
        redisFree(m_ctx);
        m_ctx = nullptr;
    }
}

Error RedisConnection::dropWith(const QString &what)
{
    QString detail;
    if (m_ctx && m_ctx->err)
        detail = QStringLiteral(": ") + QString::fromLocal8Bit(m_ctx->errstr);
    disconnect();
    return CoordinationError::unavailable(QStringLiteral("Redis at %1 %2%3").arg(m_config.endpoint(), what, detail));
}

Result<void> RedisConnection::ensureConnected()
{
    if (m_ctx)
        return {};
    const QByteArray host = m_config.host.toUtf8();
    m_ctx = redisConnectWithTimeout(host.constData(), m_config.port, toTimeval(m_config.connectTimeoutMs));
    if (!m_ctx)
        return CoordinationError::unavailable(
            QStringLiteral("Redis at %1: cannot allocate a connection").arg(m_config.endpoint()));
    if (m_ctx->err)
        return dropWith(QStringLiteral("is unreachable"));
    if (redisSetTimeout(m_ctx, toTimeval(m_config.commandTimeoutMs)) != REDIS_OK)
        return dropWith(QStringLiteral("refused a socket timeout"));
    redisEnableKeepAlive(m_ctx);

    auto handshake = [this](const QByteArrayList &argv, const QString &what) -> Result<void> {
        auto r = command(argv);
        if (!r)
            return r.error().code == CoordinationError::Unavailable
                ? r.error()
                : dropWith(what + QStringLiteral(" failed: ") + r.error().message);
        return {};
    };
    if (!m_config.password.isEmpty()) {
        QByteArrayList auth { QByteArrayLiteral("AUTH") };
        if (!m_config.username.isEmpty())
            auth << m_config.username.toUtf8();
        auth << m_config.password.toUtf8();
        // The server's reply to AUTH never contains the password; the message says only that it failed.
        if (auto r = handshake(auth, QStringLiteral("authentication")); !r)
            return r;
    }
    if (m_config.db != 0) {
        if (auto r
            = handshake({ QByteArrayLiteral("SELECT"), QByteArray::number(m_config.db) }, QStringLiteral("SELECT"));
            !r)
            return r;
    }
    if (!m_clientName.isEmpty()) {
        // Only a naming aid for operators (CLIENT LIST): an error reply is fine, a dead connection is not.
        auto named = command({ QByteArrayLiteral("CLIENT"), QByteArrayLiteral("SETNAME"), m_clientName });
        if (!named && CoordinationError::isUnavailable(named.error()))
            return named.error();
    }
    return {};
}

Result<RedisReply> RedisConnection::command(const QByteArrayList &argv)
{
    Q_ASSERT(!argv.isEmpty());
#ifdef Q_OS_UNIX
    // Between request and reply a server never speaks unasked: a readable idle socket means it closed the
    // connection (restart, timeout, CLIENT KILL). Reconnect now rather than lose this command to a dead socket.
    // (Not for subscribed connections, which use send()/readAvailable().)
    if (m_ctx) {
        pollfd pfd { m_ctx->fd, POLLIN, 0 };
        if (::poll(&pfd, 1, 0) > 0)
            disconnect();
    }
#endif
    if (auto c = ensureConnected(); !c)
        return c.error();
    std::vector<const char *> args;
    std::vector<size_t> lens;
    args.reserve(static_cast<size_t>(argv.size()));
    lens.reserve(static_cast<size_t>(argv.size()));
    for (const QByteArray &a : argv) {
        args.push_back(a.constData());
        lens.push_back(static_cast<size_t>(a.size()));
    }
    ReplyPtr reply;
    {
        SigPipeBlocker noSigPipe;
        reply.reset(redisCommandArgv(m_ctx, static_cast<int>(args.size()), args.data(), lens.data()));
    }
    if (!reply)
        return dropWith(QStringLiteral("did not answer ") + QString::fromLatin1(argv.first()));
    RedisReply out = convert(static_cast<redisReply *>(reply.get()));
    if (out.isError())
        return serverError(out.text);
    return out;
}

Result<RedisReply> RedisConnection::eval(const Script &script, const QByteArrayList &keys, const QByteArrayList &args)
{
    QByteArrayList argv { QByteArrayLiteral("EVALSHA"), script.sha1, QByteArray::number(keys.size()) };
    argv += keys;
    argv += args;
    auto r = command(argv);
    if (r.ok() || !r.error().message.startsWith(QStringLiteral("NOSCRIPT")))
        return r;
    argv[0] = QByteArrayLiteral("EVAL");
    argv[1] = script.source;
    return command(argv);
}

Result<void> RedisConnection::send(const QByteArrayList &argv)
{
    Q_ASSERT(!argv.isEmpty());
    if (auto c = ensureConnected(); !c)
        return c.error();
    std::vector<const char *> args;
    std::vector<size_t> lens;
    for (const QByteArray &a : argv) {
        args.push_back(a.constData());
        lens.push_back(static_cast<size_t>(a.size()));
    }
    if (redisAppendCommandArgv(m_ctx, static_cast<int>(args.size()), args.data(), lens.data()) != REDIS_OK)
        return dropWith(QStringLiteral("rejected a command"));
    SigPipeBlocker noSigPipe;
    int done = 0;
    while (!done) {
        if (redisBufferWrite(m_ctx, &done) != REDIS_OK)
            return dropWith(QStringLiteral("could not be written to"));
    }
    return {};
}

int RedisConnection::socketDescriptor() const
{
    return m_ctx ? m_ctx->fd : -1;
}

Result<QList<RedisReply>> RedisConnection::readAvailable()
{
    QList<RedisReply> out;
    if (!m_ctx)
        return CoordinationError::unavailable(QStringLiteral("Redis at %1: not connected").arg(m_config.endpoint()));
    // Replies hiredis has buffered already (read together with an earlier reply) never wake the notifier again.
    auto drain = [&]() -> bool {
        for (;;) {
            void *raw = nullptr;
            if (redisGetReplyFromReader(m_ctx, &raw) != REDIS_OK)
                return false;
            if (!raw)
                return true;
            ReplyPtr reply(raw);
            out.append(convert(static_cast<redisReply *>(raw)));
        }
    };
    if (!drain())
        return dropWith(QStringLiteral("sent an unreadable reply"));
#ifdef Q_OS_UNIX
    pollfd pfd { m_ctx->fd, POLLIN, 0 };
    if (::poll(&pfd, 1, 0) <= 0)
        return out; // nothing to read (or EINTR): the next notification will tell
#endif
    if (redisBufferRead(m_ctx) != REDIS_OK)
        return dropWith(QStringLiteral("closed the connection"));
    if (!drain())
        return dropWith(QStringLiteral("sent an unreadable reply"));
    return out;
}

} // namespace Vigil
