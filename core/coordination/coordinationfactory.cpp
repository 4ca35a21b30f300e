// SPDX-License-Identifier: GPL-3.0-or-later
#include "coordinationfactory.h"

#include "coordination/fileinstancestore.h"
#include "coordination/filelockbackend.h"
#include "coordination/redisconfig.h"
#include "coordination/redisinstancestore.h"
#include "coordination/redislockbackend.h"

namespace Vigil {

Result<std::unique_ptr<LockBackend>> CoordinationFactory::lockBackend(
    const QString &redisUrl, const InstanceIdentity &self, const QString &lockDirectory, const Clock &clock)
{
    if (redisUrl.trimmed().isEmpty()) {
        const QString dir = lockDirectory.isEmpty() ? FileLockBackend::defaultDirectory() : lockDirectory;
        return std::unique_ptr<LockBackend>(std::make_unique<FileLockBackend>(dir, self, clock));
    }
    auto config = RedisConfig::fromUrl(redisUrl);
    if (!config)
        return config.error();
    return std::unique_ptr<LockBackend>(std::make_unique<RedisLockBackend>(config.value(), self, clock));
}

Result<std::unique_ptr<InstanceStore>> CoordinationFactory::instanceStore(
    const QString &redisUrl, const QString &instanceDirectory, const Clock &clock)
{
    if (redisUrl.trimmed().isEmpty()) {
        const QString dir = instanceDirectory.isEmpty() ? FileInstanceStore::defaultDirectory() : instanceDirectory;
        return std::unique_ptr<InstanceStore>(std::make_unique<FileInstanceStore>(dir, clock));
    }
    auto config = RedisConfig::fromUrl(redisUrl);
    if (!config)
        return config.error();
    return std::unique_ptr<InstanceStore>(std::make_unique<RedisInstanceStore>(config.value()));
}

} // namespace Vigil
