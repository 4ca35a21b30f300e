// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>

namespace Vigil {

// One RESP reply, copied out of hiredis so it can outlive the connection. A value type.
struct RedisReply
{
    enum class Type { Nil, Status, Error, Integer, String, Array };

    Type type = Type::Nil;
    QByteArray text; // String, Status and Error
    qint64 integer = 0;
    QList<RedisReply> elements;

    bool isNil() const { return type == Type::Nil; }
    bool isError() const { return type == Type::Error; }
    // The reply as bytes: String/Status text, Integer in decimal, empty otherwise.
    QByteArray bytes() const;
};

} // namespace Vigil
