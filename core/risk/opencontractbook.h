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

    // Buys handed to the socket whose reply has not been handled yet: the contract they may make is not in the
    // book until then. The executor counts one up before it sends (before the gate's last check) and down
    // after the reply, once a contract it made is in the book; the emergency stop waits for them.
    void beginBuy(const QString &account);
    void endBuy(const QString &account);
    int buysInFlight(const QString &account) const;

private:
    mutable QMutex m_mutex;
    QHash<QString, QList<qint64>> m_open;
    QHash<QString, int> m_buying;
};

} // namespace Vigil
