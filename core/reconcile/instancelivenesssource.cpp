// SPDX-License-Identifier: GPL-3.0-or-later
#include "instancelivenesssource.h"

#include <mutex>

#include <QHash>

namespace Vigil {

namespace {

struct Published
{
    std::mutex mutex;
    QHash<QString, std::shared_ptr<InstanceLivenessSource>> sources;
};

Published &directory()
{
    static Published s_published;
    return s_published;
}

} // namespace

InstanceLivenessSource::~InstanceLivenessSource() = default;

void InstanceLivenessSource::publish(const QString &instanceId, std::shared_ptr<InstanceLivenessSource> source)
{
    Q_ASSERT(!instanceId.isEmpty());
    Published &p = directory();
    std::lock_guard lock(p.mutex);
    if (source)
        p.sources.insert(instanceId, std::move(source));
    else
        p.sources.remove(instanceId);
}

void InstanceLivenessSource::withdraw(const QString &instanceId, const InstanceLivenessSource *source)
{
    Published &p = directory();
    std::lock_guard lock(p.mutex);
    const auto it = p.sources.constFind(instanceId);
    if (it != p.sources.cend() && it->get() == source)
        p.sources.erase(it);
}

std::shared_ptr<InstanceLivenessSource> InstanceLivenessSource::published(const QString &instanceId)
{
    Published &p = directory();
    std::lock_guard lock(p.mutex);
    return p.sources.value(instanceId);
}

} // namespace Vigil
