// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include <QString>

#include "coordination/instanceidentity.h"
#include "coordination/instancestore.h"
#include "coordination/lockbackend.h"
#include "health/clock.h"
#include "health/result.h"

namespace Vigil {

// Picks the backends from the settings, with no fallback: an empty Redis URL means "this machine only" (file
// locks and file heartbeats in the app data directory); a Redis URL means Redis and nothing else — an
// invalid URL is an error (InvalidInput/InvalidRedisUrl), never a quiet switch to local locks, and an
// unreachable Redis later means CoordinationUnavailable from every call.
class CoordinationFactory
{
public:
    // lockDirectory / instanceDirectory: empty = the default under AppDataLocation.
    static Result<std::unique_ptr<LockBackend>> lockBackend(const QString &redisUrl, const InstanceIdentity &self,
        const QString &lockDirectory = {}, const Clock &clock = Clock::system());
    static Result<std::unique_ptr<InstanceStore>> instanceStore(
        const QString &redisUrl, const QString &instanceDirectory = {}, const Clock &clock = Clock::system());
};

} // namespace Vigil
