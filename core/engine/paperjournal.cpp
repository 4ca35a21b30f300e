// SPDX-License-Identifier: GPL-3.0-or-later
#include "paperjournal.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>

#include "health/logcategories.h"

namespace Vigil {

namespace {
const QString s_prefix = QStringLiteral("journal-");

QDateTime lastTouched(const QString &db)
{
    // SQLite in WAL mode writes the -wal file; the main file changes only at checkpoints.
    QDateTime latest = QFileInfo(db).lastModified();
    for (const char *suffix : {"-wal", "-shm"}) {
        const QFileInfo side(db + QLatin1String(suffix));
        if (side.exists() && side.lastModified() > latest)
            latest = side.lastModified();
    }
    return latest;
}
} // namespace

int PaperJournal::prune(const QString &paperDir, const QDateTime &cutoff)
{
    int removed = 0;
    const QDir dir(paperDir);
    const QStringList journals = dir.entryList({s_prefix + QStringLiteral("*.db")}, QDir::Files);
    for (const QString &name : journals) {
        const QString db = dir.filePath(name);
        if (lastTouched(db) >= cutoff)
            continue;
        bool ok = QFile::remove(db);
        for (const char *suffix : {"-wal", "-shm"})
            QFile::remove(db + QLatin1String(suffix));
        if (ok)
            ++removed;
        else
            qCWarning(lcStore) << "could not delete the old paper journal" << db;
    }
    return removed;
}

Result<QString> PaperJournal::prepare(const QString &dataDir, const QDateTime &now, qint64 pid, int keepDays)
{
    const QString paperDir = QDir(dataDir).filePath(QStringLiteral("paper"));
    if (!QDir().mkpath(paperDir)) {
        Error e = Error::make(ErrorKind::InvalidInput, QStringLiteral("PaperJournalDir"),
                              QStringLiteral("cannot create the paper journal folder %1").arg(paperDir));
        e.details.insert(QStringLiteral("path"), paperDir);
        return e;
    }
    if (keepDays > 0) {
        if (const int n = prune(paperDir, now.addDays(-keepDays)); n > 0)
            qCInfo(lcStore) << "deleted" << n << "paper journal(s) untouched for" << keepDays << "days";
    }
    const QString name = s_prefix + now.toUTC().toString(QStringLiteral("yyyyMMdd-HHmmss")) + u'-'
                         + QString::number(pid) + QStringLiteral(".db");
    return QDir(paperDir).filePath(name);
}

} // namespace Vigil
