// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaType>
#include <QString>

#include "health/result.h"

namespace Vigil {

// Where the shared Redis is and how long Vigil waits for it. A value type.
// The password is registered with the Redactor when parsed and never appears in messages or logs; use
// redactedUrl() to show the configuration.
struct RedisConfig
{
    QString host;
    quint16 port = 6379;
    int db = 0;
    QString username; // Redis 6 ACL user; empty = the default user
    QString password;
    int connectTimeoutMs = 500; // a dead or firewalled Redis cannot hang the coordination thread longer than this
    int commandTimeoutMs = 500; // per command (read and write)

    // redis://[[user]:password@]host[:port][/db]   (host may be an [IPv6] literal; user and password
    // percent-encoded). rediss:// (TLS) and unix sockets are not supported. Errors are InvalidInput with code
    // "InvalidRedisUrl" and a message naming the wrong part, never echoing the password.
    static Result<RedisConfig> fromUrl(const QString &url);

    // redis://user:<redacted>@host:port/db
    QString redactedUrl() const;
    // "host:port" (for messages)
    QString endpoint() const;
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::RedisConfig)
