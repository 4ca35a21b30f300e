// SPDX-License-Identifier: GPL-3.0-or-later
#include "filelockbackend.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLockFile>
#include <QSaveFile>
#include <QStandardPaths>
#include <QSysInfo>

#include "coordination/coordinationerror.h"
#include "coordination/lockkey.h"
#include "health/logcategories.h"

namespace Vigil {

namespace {
// Keys hold ':' which Windows forbids in names; percent-encode everything but [A-Za-z0-9._-] so that distinct
// keys never share a file.
QString encodeName(const QString &key)
{
    return QString::fromLatin1(key.toUtf8().toPercentEncoding(QByteArray(), QByteArrayLiteral("~")));
}

QJsonObject readJsonFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.read(64 * 1024)).object();
}
} // namespace

FileLockBackend::FileLockBackend(
    const QString &directory, InstanceIdentity self, const Clock &clock, int tryLockTimeoutMs)
    : m_dir(QDir::cleanPath(directory))
    , m_self(std::move(self))
    , m_clock(clock)
    , m_tryLockTimeoutMs(tryLockTimeoutMs)
{
}

FileLockBackend::~FileLockBackend()
{
    while (!m_held.empty())
        drop(m_held.begin());
}

QString FileLockBackend::defaultDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/locks");
}

QString FileLockBackend::lockPath(const QString &key) const
{
    return m_dir + u'/' + encodeName(key) + QStringLiteral(".lock");
}

QString FileLockBackend::sidecarPath(const QString &key) const
{
    return m_dir + u'/' + encodeName(key) + QStringLiteral(".holder.json");
}

QString FileLockBackend::fencePath(const QString &key) const
{
    return m_dir + u'/' + encodeName(LockKey::fenceCounter(key)) + QStringLiteral(".fence");
}

Result<void> FileLockBackend::ensureDirectory() const
{
    if (!QDir().mkpath(m_dir))
        return CoordinationError::unavailable(QStringLiteral("lock directory %1 cannot be created").arg(m_dir));
    if (!QFileInfo(m_dir).isWritable())
        return CoordinationError::unavailable(QStringLiteral("lock directory %1 is not writable").arg(m_dir));
    return {};
}

Result<Lease> FileLockBackend::acquire(const QString &key, qint64 ttlMs)
{
    if (auto valid = LockKey::validate(key); !valid)
        return valid.error();
    if (ttlMs <= 0)
        return Error::make(
            ErrorKind::InvalidInput, QStringLiteral("InvalidTtl"), QStringLiteral("lease ttl must be > 0 ms"));
    if (auto it = m_held.find(key); it != m_held.end())
        return CoordinationError::lockHeld(key, &it->second.holder);
    if (auto dir = ensureDirectory(); !dir)
        return dir.error();

    const qint64 startedMono = m_clock.monotonicMs();
    auto file = std::make_unique<QLockFile>(lockPath(key));
    file->setStaleLockTime(0);
    if (!file->tryLock(m_tryLockTimeoutMs)) {
        switch (file->error()) {
        case QLockFile::LockFailedError: {
            auto holder = holderInfo(key);
            const HolderInfo *who = holder.ok() && holder.value().has_value() ? &*holder.value() : nullptr;
            return CoordinationError::lockHeld(key, who);
        }
        case QLockFile::PermissionError:
            return CoordinationError::unavailable(
                QStringLiteral("no permission to create lock files in %1").arg(m_dir));
        default:
            return CoordinationError::unavailable(QStringLiteral("cannot create lock file in %1").arg(m_dir));
        }
    }

    auto fence = bumpFence(key);
    if (!fence) {
        file->unlock();
        return fence.error();
    }
    Lease lease;
    lease.key = key;
    lease.token = Lease::newToken();
    lease.fence = fence.value();
    lease.acquiredMonotonicMs = startedMono;
    lease.ttlMs = ttlMs;
    lease.holder.instance = m_self;
    lease.holder.sinceMs = m_clock.nowMs();
    lease.holder.fence = lease.fence;
    if (auto written = writeSidecar(key, lease.token, lease.holder); !written) {
        file->unlock();
        return written.error();
    }
    m_held.emplace(key, Held { lease.token, lease.holder, std::move(file) });
    return lease;
}

Result<qint64> FileLockBackend::bumpFence(const QString &key)
{
    const QString path = fencePath(key);
    qint64 last = 0;
    QFile in(path);
    if (in.exists()) {
        if (!in.open(QIODevice::ReadOnly))
            return CoordinationError::unavailable(QStringLiteral("fence counter %1 cannot be read").arg(path));
        bool ok = false;
        last = in.read(64).trimmed().toLongLong(&ok);
        // A counter we cannot read must not restart at 1: fences would go backwards and a stale writer could win.
        if (!ok || last < 0)
            return CoordinationError::unavailable(
                QStringLiteral("fence counter %1 is corrupt; refusing to reset it").arg(path));
    }
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return CoordinationError::unavailable(QStringLiteral("fence counter %1 cannot be written").arg(path));
    out.write(QByteArray::number(last + 1) + '\n');
    if (!out.commit())
        return CoordinationError::unavailable(QStringLiteral("fence counter %1 cannot be written").arg(path));
    return last + 1;
}

Result<void> FileLockBackend::writeSidecar(const QString &key, const QString &token, const HolderInfo &holder)
{
    QJsonObject o = holder.toJson();
    o.insert(QStringLiteral("token"), token);
    // Not QSaveFile: the sidecar needs no fsync (after a power cut the lock file is stale anyway), and an fsync
    // per acquire is the slowest part of taking a lock. Written aside and renamed, so readers never see half.
    const QString path = sidecarPath(key);
    const QString temp = path + QStringLiteral(".tmp");
    QFile out(temp);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || out.write(QJsonDocument(o).toJson(QJsonDocument::Compact)) < 0 || !out.flush()) {
        return CoordinationError::unavailable(QStringLiteral("holder file for %1 cannot be written").arg(key));
    }
    out.close();
    QFile::remove(path); // a crashed holder's leftover; QFile::rename does not replace
    if (!QFile::rename(temp, path))
        return CoordinationError::unavailable(QStringLiteral("holder file for %1 cannot be written").arg(key));
    return {};
}

bool FileLockBackend::ownsOnDisk(const QString &key, const Held &held) const
{
    qint64 pid = 0;
    QString host;
    QString app;
    QLockFile probe(lockPath(key));
    if (!probe.getLockInfo(&pid, &host, &app))
        return false;
    if (pid != m_self.pid || host != QSysInfo::machineHostName())
        return false;
    return readJsonFile(sidecarPath(key)).value(QStringLiteral("token")).toString() == held.token;
}

void FileLockBackend::drop(std::map<QString, Held>::iterator it)
{
    if (ownsOnDisk(it->first, it->second)) {
        QFile::remove(sidecarPath(it->first));
        it->second.file->unlock();
    } else {
        // Someone replaced our lock file (deleted by hand, then taken). QLockFile's unlock/destructor would delete
        // THEIR file, so the object is deliberately leaked.
        qCWarning(lcCoordination) << "lock file for" << it->first << "is no longer ours; leaving it alone";
        (void)it->second.file.release();
    }
    m_held.erase(it);
}

Result<void> FileLockBackend::renew(const Lease &lease)
{
    auto it = m_held.find(lease.key);
    if (it == m_held.end() || it->second.token != lease.token)
        return CoordinationError::notOwner(lease.key);
    if (!ownsOnDisk(lease.key, it->second)) {
        if (auto dir = ensureDirectory(); !dir)
            return dir.error();
        return CoordinationError::notOwner(lease.key);
    }
    return {};
}

Result<void> FileLockBackend::release(const Lease &lease)
{
    auto it = m_held.find(lease.key);
    if (it == m_held.end() || it->second.token != lease.token)
        return CoordinationError::notOwner(lease.key);
    const bool wasOurs = ownsOnDisk(lease.key, it->second);
    drop(it);
    if (!wasOurs)
        return CoordinationError::notOwner(lease.key);
    return {};
}

Result<bool> FileLockBackend::verify(const Lease &lease)
{
    auto it = m_held.find(lease.key);
    return it != m_held.end() && it->second.token == lease.token && ownsOnDisk(lease.key, it->second);
}

Result<std::optional<HolderInfo>> FileLockBackend::holderInfo(const QString &key)
{
    if (auto valid = LockKey::validate(key); !valid)
        return valid.error();
    if (auto it = m_held.find(key); it != m_held.end())
        return std::optional<HolderInfo>(it->second.holder);
    qint64 pid = 0;
    QString host;
    QString app;
    QLockFile probe(lockPath(key));
    if (!probe.getLockInfo(&pid, &host, &app))
        return std::optional<HolderInfo>();
    HolderInfo info;
    const QJsonObject side = readJsonFile(sidecarPath(key));
    // The sidecar belongs to the current lock file only if it names the same process; else it is a leftover.
    if (!side.isEmpty() && side.value(QStringLiteral("pid")).toInteger() == pid
        && side.value(QStringLiteral("host")).toString() == host)
        info = HolderInfo::fromJson(side);
    info.instance.pid = pid;
    info.instance.host = host;
    info.instance.app = app;
    return std::optional<HolderInfo>(info);
}

Result<void> FileLockBackend::ping()
{
    return ensureDirectory();
}

} // namespace Vigil
