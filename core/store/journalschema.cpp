// SPDX-License-Identifier: GPL-3.0-or-later
#include "journalschema.h"

#include <QStringList>

#include "health/logcategories.h"
#include "store/sqlconnection.h"
#include "store/sqltransaction.h"

namespace Vigil {

namespace {

struct Migration
{
    int version;
    const char *description;
    QStringList statements; // with %PK% for the dialect's auto-increment primary key
};

// Dialect notes: SQLite's INTEGER PRIMARY KEY AUTOINCREMENT never reuses an id; PostgreSQL uses an identity
// column. Everything else (BIGINT, TEXT, CHECK, partial-free unique indexes, ON CONFLICT, RETURNING) is
// written in the subset both accept. Amounts are BIGINT minor units with the trade's money_digits.
QList<Migration> migrations()
{
    return {
        { 1, "trades, trade events, fences, day balances, bot transitions, reconcile reports, audit",
            {
                QStringLiteral("CREATE TABLE trades ("
                               " local_id %PK%,"
                               " account TEXT NOT NULL,"
                               " bot TEXT NOT NULL DEFAULT '',"
                               " symbol TEXT NOT NULL,"
                               " contract_type TEXT NOT NULL,"
                               " duration INTEGER NOT NULL,"
                               " duration_unit TEXT NOT NULL,"
                               " currency TEXT NOT NULL,"
                               " money_digits INTEGER NOT NULL CHECK (money_digits BETWEEN 0 AND 8),"
                               " stake_minor BIGINT NOT NULL,"
                               " buy_price_minor BIGINT,"
                               " payout_minor BIGINT,"
                               " sell_price_minor BIGINT,"
                               " profit_minor BIGINT,"
                               " contract_id BIGINT,"
                               " transaction_id BIGINT,"
                               " status TEXT NOT NULL CHECK (status IN"
                               "  ('pending','open','won','lost','sold','failed','unknown','stale','void')),"
                               " opened_ms BIGINT NOT NULL,"
                               " closed_ms BIGINT,"
                               " close_reason TEXT NOT NULL DEFAULT '',"
                               " request_tag TEXT NOT NULL DEFAULT '',"
                               " fence BIGINT NOT NULL,"
                               " attribution TEXT NOT NULL CHECK (attribution IN ('bot','outside')),"
                               " created_ms BIGINT NOT NULL,"
                               " updated_ms BIGINT NOT NULL)"),
                // NULL contract ids (pending rows) are distinct in both dialects, so only known ids collide.
                QStringLiteral("CREATE UNIQUE INDEX trades_account_contract ON trades (account, contract_id)"),
                QStringLiteral("CREATE INDEX trades_account_status ON trades (account, status)"),
                QStringLiteral("CREATE INDEX trades_account_opened ON trades (account, opened_ms)"),
                QStringLiteral("CREATE INDEX trades_account_closed ON trades (account, closed_ms)"),
                QStringLiteral("CREATE INDEX trades_bot_opened ON trades (bot, opened_ms)"),
                QStringLiteral("CREATE INDEX trades_account_tag ON trades (account, request_tag)"),
                QStringLiteral("CREATE TABLE trade_events ("
                               " id %PK%,"
                               " local_id BIGINT NOT NULL REFERENCES trades (local_id),"
                               " at_ms BIGINT NOT NULL,"
                               " action TEXT NOT NULL,"
                               " from_status TEXT,"
                               " to_status TEXT NOT NULL,"
                               " reason TEXT NOT NULL DEFAULT '',"
                               " fence BIGINT NOT NULL)"),
                QStringLiteral("CREATE INDEX trade_events_trade ON trade_events (local_id, id)"),
                QStringLiteral("CREATE TABLE account_fences ("
                               " account TEXT PRIMARY KEY,"
                               " fence BIGINT NOT NULL,"
                               " updated_ms BIGINT NOT NULL)"),
                QStringLiteral("CREATE TABLE day_balances ("
                               " account TEXT NOT NULL,"
                               " day_key TEXT NOT NULL,"
                               " balance_minor BIGINT NOT NULL,"
                               " money_digits INTEGER NOT NULL,"
                               " set_ms BIGINT NOT NULL,"
                               " PRIMARY KEY (account, day_key))"),
                QStringLiteral("CREATE TABLE bot_transitions ("
                               " id %PK%,"
                               " bot TEXT NOT NULL,"
                               " account TEXT NOT NULL,"
                               " from_state TEXT NOT NULL,"
                               " to_state TEXT NOT NULL,"
                               " reason TEXT NOT NULL DEFAULT '',"
                               " at_ms BIGINT NOT NULL)"),
                QStringLiteral("CREATE INDEX bot_transitions_bot ON bot_transitions (bot, at_ms, id)"),
                QStringLiteral("CREATE TABLE reconcile_reports ("
                               " id %PK%,"
                               " account TEXT NOT NULL,"
                               " trigger_kind TEXT NOT NULL,"
                               " started_ms BIGINT NOT NULL,"
                               " finished_ms BIGINT NOT NULL,"
                               " adopted INTEGER NOT NULL,"
                               " failed INTEGER NOT NULL,"
                               " settled INTEGER NOT NULL,"
                               " stale INTEGER NOT NULL,"
                               " orphans INTEGER NOT NULL,"
                               " mismatches INTEGER NOT NULL,"
                               " error_text TEXT NOT NULL DEFAULT '')"),
                QStringLiteral("CREATE INDEX reconcile_reports_account ON reconcile_reports (account, started_ms)"),
                QStringLiteral("CREATE TABLE discrepancies ("
                               " id %PK%,"
                               " report_id BIGINT NOT NULL REFERENCES reconcile_reports (id),"
                               " seq INTEGER NOT NULL,"
                               " kind TEXT NOT NULL,"
                               " local_id BIGINT,"
                               " contract_id BIGINT,"
                               " before_json TEXT NOT NULL,"
                               " after_json TEXT NOT NULL,"
                               " action TEXT NOT NULL)"),
                QStringLiteral("CREATE INDEX discrepancies_report ON discrepancies (report_id, seq)"),
                QStringLiteral("CREATE TABLE audit_events ("
                               " id %PK%,"
                               " kind TEXT NOT NULL,"
                               " account TEXT NOT NULL DEFAULT '',"
                               " details_json TEXT NOT NULL,"
                               " at_ms BIGINT NOT NULL)"),
                QStringLiteral("CREATE INDEX audit_events_at ON audit_events (at_ms, id)"),
            } },
        { 2, "journal facts (the journal's own id, for usage shared between journals)",
            {
                QStringLiteral("CREATE TABLE journal_meta ("
                               " name TEXT PRIMARY KEY,"
                               " value TEXT NOT NULL)"),
            } },
    };
}

// Serializes concurrent migrators. SQLite: BEGIN IMMEDIATE already holds the database write lock.
// PostgreSQL: a transaction-scoped advisory lock (DDL would otherwise race on catalog rows).
constexpr qint64 kMigrationLockKey = 0x5649474c4a524e4cLL; // "VIGLJRNL"

Result<void> lockForMigration(SqlConnection &c)
{
    if (!c.isPostgres())
        return {};
    auto q = c.query(QStringLiteral("SELECT pg_advisory_xact_lock(?)"), { kMigrationLockKey });
    if (!q)
        return q.error();
    return {};
}

Result<int> currentVersion(SqlConnection &c)
{
    auto r = c.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version ("
                                   " version INTEGER PRIMARY KEY,"
                                   " description TEXT NOT NULL,"
                                   " applied_ms BIGINT NOT NULL)"));
    if (!r)
        return r.error();
    auto v = c.scalar(QStringLiteral("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM schema_version"));
    if (!v)
        return v.error();
    return int(v.value());
}

Error tooNew(int found)
{
    Error e = Error::make(ErrorKind::Storage, QStringLiteral("SchemaTooNew"),
        QStringLiteral("the journal has schema version %1 but this build knows only up to %2: "
                       "it was written by a newer Vigil; refusing to open it")
            .arg(found)
            .arg(JournalSchema::latestVersion()));
    e.details.insert(QStringLiteral("found_version"), found);
    e.details.insert(QStringLiteral("known_version"), JournalSchema::latestVersion());
    return e;
}

} // namespace

int JournalSchema::latestVersion()
{
    return migrations().constLast().version;
}

Result<int> JournalSchema::migrate(SqlConnection &c, qint64 nowMs)
{
    const QString pk = c.isPostgres() ? QStringLiteral("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
                                      : QStringLiteral("INTEGER PRIMARY KEY AUTOINCREMENT");
    int version = 0;
    for (const Migration &m : migrations()) {
        SqlTransaction tx(c);
        if (auto r = tx.begin(SqlTransaction::Mode::Write); !r)
            return r.error();
        if (auto r = lockForMigration(c); !r)
            return r.error();
        auto current = currentVersion(c);
        if (!current)
            return current.error();
        version = current.value();
        if (version > latestVersion())
            return tooNew(version);
        if (version >= m.version)
            continue; // applied earlier, or by a concurrent opener; the destructor ends the transaction
        for (const QString &statement : m.statements) {
            QString sql = statement;
            sql.replace(QLatin1String("%PK%"), pk);
            if (auto r = c.exec(sql); !r) {
                Error e = r.error();
                e.code = QStringLiteral("MigrationFailed");
                e.message = QStringLiteral("migration %1 failed: ").arg(m.version) + e.message;
                return e;
            }
        }
        auto ins
            = c.query(QStringLiteral("INSERT INTO schema_version (version, description, applied_ms) VALUES (?, ?, ?)"),
                { m.version, QString::fromLatin1(m.description), nowMs });
        if (!ins)
            return ins.error();
        ins.value().finish();
        if (auto r = tx.commit(); !r)
            return r.error();
        qCInfo(lcStore) << "journal migrated to schema version" << m.version;
        version = m.version;
    }
    if (version > latestVersion())
        return tooNew(version);
    return version;
}

} // namespace Vigil
