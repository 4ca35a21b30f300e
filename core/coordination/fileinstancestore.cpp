// SPDX-License-Identifier: GPL-3.0-or-later
#include "fileinstancestore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>
#include <QStandardPaths>

#include "coordination/coordinationerror.h"

namespace Vigil {

FileInstanceStore::FileInstanceStore(const QString &directory, const Clock &clock)
    : m_dir(QDir::cleanPath(directory))
    , m_clock(clock)
{
}

FileInstanceStore::~FileInstanceStore() = default;

QString FileInstanceStore::defaultDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/instances");
}

QString FileInstanceStore::pathFor(const QString &instanceId) const
{
    return m_dir + u'/' + QString::fromLatin1(instanceId.toUtf8().toPercentEncoding()) + QStringLiteral(".json");
}

Result<void> FileInstanceStore::publish(const InstanceInfo &info, qint64 ttlMs)
{
    if (info.identity.instanceId.isEmpty())
        return Error::make(
            ErrorKind::InvalidInput, QStringLiteral("InvalidInstanceId"), QStringLiteral("instance id is empty"));
    if (!QDir().mkpath(m_dir))
        return CoordinationError::unavailable(QStringLiteral("instance directory %1 cannot be created").arg(m_dir));
    QJsonObject o = info.toJson();
    o.insert(QStringLiteral("expires_ms"), m_clock.nowMs() + ttlMs);
    QSaveFile out(pathFor(info.identity.instanceId));
    if (!out.open(QIODevice::WriteOnly))
        return CoordinationError::unavailable(QStringLiteral("instance file in %1 cannot be written").arg(m_dir));
    out.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
    if (!out.commit())
        return CoordinationError::unavailable(QStringLiteral("instance file in %1 cannot be written").arg(m_dir));
    return {};
}

Result<void> FileInstanceStore::remove(const QString &instanceId)
{
    QFile::remove(pathFor(instanceId));
    return {};
}

Result<QList<InstanceInfo>> FileInstanceStore::list()
{
    QDir dir(m_dir);
    if (!dir.exists())
        return QList<InstanceInfo>();
    if (!QFileInfo(m_dir).isReadable())
        return CoordinationError::unavailable(QStringLiteral("instance directory %1 is not readable").arg(m_dir));
    const qint64 now = m_clock.nowMs();
    QList<InstanceInfo> out;
    const QStringList files = dir.entryList({ QStringLiteral("*.json") }, QDir::Files, QDir::Name);
    for (const QString &name : files) {
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::ReadOnly))
            continue; // being replaced right now
        const QJsonObject o = QJsonDocument::fromJson(f.read(64 * 1024)).object();
        f.close();
        if (o.isEmpty())
            continue;
        if (o.value(QStringLiteral("expires_ms")).toInteger() <= now) {
            QFile::remove(dir.filePath(name));
            continue;
        }
        out.append(InstanceInfo::fromJson(o));
    }
    return out;
}

} // namespace Vigil
