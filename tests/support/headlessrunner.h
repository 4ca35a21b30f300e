// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the tests that run several vigil-headless processes on one account share: the bots of their configs, and
// what a journal file holds once they are done.
#include <QByteArray>
#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

namespace Vigil::Test {

// A config's "bots" list: each bot buys 0.50 CALL on 1HZ100V for `account`, by default of 40 s (about 2 s at
// --time-scale 20).
inline QByteArray callBots(const QStringList &bots, const QString &account, int duration = 40, const char *unit = "s")
{
    QByteArray list;
    for (const QString &bot : bots) {
        if (!list.isEmpty())
            list += ',';
        list += R"({"id": ")" + bot.toUtf8() + R"(", "account": ")" + account.toUtf8() + R"(", "strategy": )"
              R"({"symbol": "1HZ100V", "contract_type": "CALL", "duration": )" + QByteArray::number(duration)
              + R"(, "duration_unit": ")" + unit + R"(", "stake": "0.50"}})";
    }
    return list;
}

// Contract id → request tag of every row of the SQLite journal at `path` that holds a contract.
inline QHash<qint64, QString> journalContracts(const QString &path)
{
    QHash<qint64, QString> out;
    {
        QSqlDatabase sql = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("journal-contracts"));
        sql.setDatabaseName(path);
        if (sql.open()) {
            QSqlQuery q(QStringLiteral("SELECT contract_id, COALESCE(request_tag, '') FROM trades WHERE contract_id > 0"), sql);
            while (q.next())
                out.insert(q.value(0).toLongLong(), q.value(1).toString());
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("journal-contracts"));
    return out;
}

} // namespace Vigil::Test
