// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

namespace Vigil {

// Every contract the engine knows to be open, per account: what the emergency stop sells first, without
// waiting for a server round trip or for a busy account thread. Thread-safe.
class OpenContractBook
{
public:
    void add(const QString &account, qint64 contractId);
    void remove(const QString &account, qint64 contractId);
    QList<qint64> contracts(const QString &account) const;
    QStringList accounts() const;
    int count() const;

private:
    mutable QMutex m_mutex;
    QHash<QString, QList<qint64>> m_open;
};

} // namespace Vigil
