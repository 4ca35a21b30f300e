// SPDX-License-Identifier: GPL-3.0-or-later
#include "redisreply.h"

namespace Vigil {

QByteArray RedisReply::bytes() const
{
    switch (type) {
    case Type::String:
    case Type::Status:
    case Type::Error:
        return text;
    case Type::Integer:
        return QByteArray::number(integer);
    case Type::Nil:
    case Type::Array:
        break;
    }
    return {};
}

} // namespace Vigil
