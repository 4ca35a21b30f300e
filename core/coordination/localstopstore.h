// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>

#include "coordination/stopmessage.h"
#include "health/result.h"

namespace Vigil {

// The emergency stops still in force on this machine (not re-armed), kept in a small JSON file so that a
// restarted instance halts again before any bot trades. The engine keeps it in its lock directory
// (<data dir>/locks/emergency-stop.json): the instances sharing that directory are the ones that coordinate
// without Redis, and unlike the journal it survives paper runs (whose journal is per run) and needs no database.
//
// One stop per scope: the stop of everything (account empty) and one per account. Not thread-safe: one thread
// (the engine's) uses it. Every write replaces the file atomically and syncs it (QSaveFile) before returning.
class LocalStopStore
{
public:
    explicit LocalStopStore(QString path);

    const QString &path() const { return m_path; }
    // The stops in force. A file that exists but cannot be read or parsed gives one stop of everything saying
    // so: halting by mistake is recoverable (re-arm), trading by mistake is not.
    QList<StopMessage> load() const;
    // Stores `stop` (kind Stop), replacing one of the same scope. Errors: Storage ("StopFileWrite").
    Result<void> record(const StopMessage &stop);
    // Removes the stop of one account, the stop of everything (and an unreadable file's stop), or every stop.
    Result<void> clearAccount(const QString &account);
    Result<void> clearGlobal();
    Result<void> clearAll();

private:
    Result<void> save(const QList<StopMessage> &stops);

    QString m_path;
};

} // namespace Vigil
