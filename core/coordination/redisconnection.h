// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayList>
#include <QList>

#include "coordination/redisconfig.h"
#include "coordination/redisreply.h"
#include "health/result.h"

struct redisContext;

namespace Vigil {

// One blocking hiredis connection with bounded waits: connecting gives up after connectTimeoutMs, every
// command after commandTimeoutMs, so a dead Redis costs the calling thread at most that. Not thread-safe: one
// thread (the coordination thread) uses it. Connects lazily; after an I/O error the connection is dropped and
// the next call reconnects (AUTH and SELECT again).
//
// Errors: I/O, timeouts, refused connections and failed AUTH → ErrorKind::Coordination
// "CoordinationUnavailable" (the outcome of a command that timed out is unknown). An error reply from the
// server → ErrorKind::Coordination "RedisError" with the server's message; the connection stays up.
// Host name resolution (getaddrinfo) is not covered by the connect timeout: configure an IP address for a
// remote Redis when DNS may be slow.
//
// SIGPIPE: hiredis writes with write(); the calling thread blocks SIGPIPE around each write and swallows a
// pending one, so a dropped server cannot kill the process and no process-wide signal handler is changed.
class RedisConnection
{
public:
    // A Lua script with its SHA1, for EVALSHA.
    struct Script
    {
        QByteArray source;
        QByteArray sha1; // lower-case hex
        static Script make(QByteArray source);
    };

    explicit RedisConnection(RedisConfig config, QByteArray clientName = {});
    ~RedisConnection();
    Q_DISABLE_COPY_MOVE(RedisConnection)

    const RedisConfig &config() const { return m_config; }
    bool isConnected() const { return m_ctx != nullptr; }
    Result<void> ensureConnected();
    void disconnect();

    // Sends one command and waits for its reply.
    Result<RedisReply> command(const QByteArrayList &argv);
    // EVALSHA; on NOSCRIPT (Redis restarted or SCRIPT FLUSH) loads the script with EVAL.
    Result<RedisReply> eval(const Script &script, const QByteArrayList &keys, const QByteArrayList &args);

    // For a subscribed (pub/sub) connection, whose replies arrive unasked:
    // writes a command without reading a reply,
    Result<void> send(const QByteArrayList &argv);
    // the socket to watch with a QSocketNotifier (-1 when not connected),
    int socketDescriptor() const;
    // and every complete reply the socket holds now. Never blocks: polls the socket first.
    Result<QList<RedisReply>> readAvailable();

private:
    Error dropWith(const QString &what);

    RedisConfig m_config;
    QByteArray m_clientName;
    redisContext *m_ctx = nullptr;
};

} // namespace Vigil
