// SPDX-License-Identifier: GPL-3.0-or-later
#include "journal.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <utility>

#include <QDate>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QSysInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUrl>
#include <QUrlQuery>
#include <QUuid>

#include "health/clock.h"
#include "health/logcategories.h"
#include "health/redactor.h"
#include "store/journalschema.h"
#include "store/sqlconnection.h"
#include "store/sqltransaction.h"
#include "store/writerqueue.h"

namespace Vigil {

namespace {

std::atomic<quint64> s_connectionCounter { 0 };

Error invalid(const QString &code, const QString &message)
{
    return Error::make(ErrorKind::InvalidInput, code, message);
}

Error storage(const QString &code, const QString &message)
{
    return Error::make(ErrorKind::Storage, code, message);
}

QVariant nullable(qint64 v)
{
    return v == 0 ? QVariant() : QVariant(v);
}

QVariant nullableMoney(const std::optional<Money> &m)
{
    return m ? QVariant(m->minor()) : QVariant();
}

QString compactJson(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QJsonObject parseJson(const QVariant &v)
{
    return QJsonDocument::fromJson(v.toString().toUtf8()).object();
}

// Columns of trades in the order tradeFromQuery() reads them.
const QString kTradeColumns = QStringLiteral(
    "local_id, account, bot, symbol, contract_type, duration, duration_unit, currency, money_digits,"
    " stake_minor, buy_price_minor, payout_minor, sell_price_minor, profit_minor, contract_id, transaction_id,"
    " status, opened_ms, closed_ms, close_reason, request_tag, fence, attribution, updated_ms");

Result<Trade> tradeFromQuery(const QSqlQuery &q)
{
    Trade t;
    t.localId = q.value(0).toLongLong();
    t.account = q.value(1).toString();
    t.bot = q.value(2).toString();
    t.symbol = q.value(3).toString();
    t.contractType = q.value(4).toString();
    t.duration = q.value(5).toInt();
    t.durationUnit = q.value(6).toString();
    t.currency = q.value(7).toString();
    const int digits = q.value(8).toInt();
    auto money = [&](int column) -> std::optional<Money> {
        const QVariant v = q.value(column);
        if (v.isNull())
            return std::nullopt;
        return Money::fromMinor(v.toLongLong(), digits);
    };
    t.stake = Money::fromMinor(q.value(9).toLongLong(), digits);
    t.buyPrice = money(10);
    t.payout = money(11);
    t.sellPrice = money(12);
    t.profit = money(13);
    t.contractId = q.value(14).toLongLong();
    t.transactionId = q.value(15).toLongLong();
    const auto status = tradeStatusFromString(q.value(16).toString());
    const auto attribution = tradeAttributionFromString(q.value(22).toString());
    if (!status || !attribution)
        return storage(QStringLiteral("CorruptRow"),
            QStringLiteral("trade %1 has an unknown status or attribution").arg(t.localId));
    t.status = *status;
    t.openedMs = q.value(17).toLongLong();
    t.closedMs = q.value(18).toLongLong();
    t.closeReason = q.value(19).toString();
    t.requestTag = q.value(20).toString();
    t.fence = q.value(21).toLongLong();
    t.attribution = *attribution;
    t.updatedMs = q.value(23).toLongLong();
    return t;
}

Result<QList<Trade>> tradesFromQuery(QSqlQuery &q)
{
    QList<Trade> out;
    while (q.next()) {
        auto t = tradeFromQuery(q);
        if (!t)
            return t.error();
        out.append(std::move(t).value());
    }
    return out;
}

// Every amount of a trade shares the stake's precision: sums stay exact and a row has one money_digits.
Result<void> checkPrecision(const Trade &t)
{
    const int d = t.stake.digits();
    for (const auto *m : { &t.buyPrice, &t.payout, &t.sellPrice, &t.profit }) {
        if (*m && m->value().digits() != d)
            return invalid(QStringLiteral("PrecisionMismatch"),
                QStringLiteral("trade amounts must all have %1 fractional digits like the stake").arg(d));
    }
    return {};
}

Result<void> checkNewTrade(const Trade &t)
{
    auto bad = [](const QString &what) { return invalid(QStringLiteral("BadTrade"), what); };
    if (t.account.isEmpty())
        return bad(QStringLiteral("trade.account is empty"));
    if (t.symbol.isEmpty())
        return bad(QStringLiteral("trade.symbol is empty"));
    if (t.contractType.isEmpty())
        return bad(QStringLiteral("trade.contractType is empty"));
    if (t.duration <= 0)
        return bad(QStringLiteral("trade.duration must be positive"));
    if (t.durationUnit.isEmpty())
        return bad(QStringLiteral("trade.durationUnit is empty"));
    if (t.currency.isEmpty())
        return bad(QStringLiteral("trade.currency is empty"));
    if (t.stake.minor() <= 0)
        return bad(QStringLiteral("trade.stake must be positive"));
    if (t.openedMs <= 0)
        return bad(QStringLiteral("trade.openedMs is not set"));
    if (t.fence < 0)
        return bad(QStringLiteral("trade.fence is negative"));
    return checkPrecision(t);
}

Error illegalTransition(const Trade &t, const char *action)
{
    Error e = invalid(QStringLiteral("IllegalTransition"),
        QStringLiteral("cannot %1 trade %2: it is %3")
            .arg(QLatin1String(action))
            .arg(t.localId)
            .arg(tradeStatusToString(t.status)));
    e.account = t.account;
    e.bot = t.bot;
    return e;
}

} // namespace

// ---------------------------------------------------------------------------------------------------------------

struct JournalPrivate
{
    JournalPrivate(QSqlDatabase db, SqlConnection::Backend backend)
        : sql(std::move(db), backend)
    {
    }

    SqlConnection sql;
    QString connectionName;
    const Clock *clock = nullptr;
    QThread *thread = nullptr;
    int schemaVersion = 0;
    QString journalId;
    QString location;
    int busyTimeoutMs = 0;

    // SQLite: the last currentUsage() and the state of the file it was read at (see changeStamp()).
    struct UsageCache
    {
        bool valid = false;
        QString account;
        qint64 dayStartMs = 0;
        qint64 dayEndMs = 0;
        int moneyDigits = 0;
        std::pair<qint64, qint64> stamp;
        DailyUsage usage;
    };
    UsageCache usageCache;
    qint64 usageCacheHits = 0;

    qint64 now() const { return clock->nowMs(); }
    void assertThread() const
    {
        Q_ASSERT_X(
            QThread::currentThread() == thread, "Journal", "a Journal must be used on the thread that opened it");
    }

    // A write transaction (SqlTransaction::write: on SQLite it may be committed together with other threads'
    // writes, by one of them). So the helpers below take the connection to use, which may be another Journal's
    // on another thread: they touch nothing else of this Journal but the clock.
    Result<void> write(const SqlTransaction::Work &work) { return SqlTransaction::write(sql, work); }
    // The same for a body that yields a value (an id, the row after).
    template <typename T> Result<T> writeValue(const std::function<Result<T>(SqlConnection &)> &work)
    {
        T value {};
        auto written = write([&](SqlConnection &c) -> Result<void> {
            auto r = work(c);
            if (!r)
                return r.error();
            value = std::move(r).value();
            return {};
        });
        if (!written)
            return written.error();
        return value;
    }

    Result<void> checkFence(SqlConnection &c, const QString &account, qint64 fence) const;
    static Result<std::optional<qint64>> fenceOf(SqlConnection &c, const QString &account);
    static Result<std::optional<Trade>> loadTrade(SqlConnection &c, qint64 localId, bool forUpdate);
    static Result<std::optional<Trade>> selectOne(SqlConnection &c, const QString &where, const QVariantList &args);
    static Result<void> checkContractFree(
        SqlConnection &c, const QString &account, qint64 contractId, qint64 exceptLocalId);
    Result<void> writeEvent(SqlConnection &c, qint64 localId, const QString &action, std::optional<TradeStatus> from,
        TradeStatus to, const QString &reason, qint64 fence) const;
    Result<qint64> insertTrade(SqlConnection &c, const Trade &t, const QString &action, const QString &reason) const;
    Result<Trade> mutateTrade(qint64 localId, qint64 fence, const char *action, const QString &reason,
        const std::function<Result<void>(Trade &)> &apply);
    // A single INSERT ... RETURNING id in its own write transaction, so the commit's outcome is checked
    // (an autocommit statement would commit when Qt finalizes it, where a failure goes unreported).
    Result<qint64> insertReturningId(const QString &sqlText, const QVariantList &args);
};

Result<qint64> JournalPrivate::insertReturningId(const QString &sqlText, const QVariantList &args)
{
    return writeValue<qint64>([&](SqlConnection &c) { return c.scalar(sqlText, args); });
}

// The account's fence row, read with a row lock on PostgreSQL (SQLite's BEGIN IMMEDIATE already excludes other
// writers); nullopt when the account has none yet.
Result<std::optional<qint64>> JournalPrivate::fenceOf(SqlConnection &c, const QString &account)
{
    auto q
        = c.cachedQuery(c.isPostgres() ? QStringLiteral("SELECT fence FROM account_fences WHERE account = ? FOR UPDATE")
                                       : QStringLiteral("SELECT fence FROM account_fences WHERE account = ?"),
            { account });
    if (!q)
        return q.error();
    std::optional<qint64> fence;
    if (q.value()->next())
        fence = q.value()->value(0).toLongLong();
    q.value()->finish();
    return fence;
}

// Must run inside a write transaction. The fence row is created if missing and read locked (see fenceOf), so the
// check, the raise and the caller's write commit together or not at all.
Result<void> JournalPrivate::checkFence(SqlConnection &c, const QString &account, qint64 fence) const
{
    if (fence < 0)
        return invalid(QStringLiteral("BadFence"), QStringLiteral("fencing token must not be negative"));
    auto highest = fenceOf(c, account);
    if (!highest)
        return highest.error();
    if (!highest.value()) {
        // The account's first write. ON CONFLICT: another process may create the row at the same moment
        // (PostgreSQL); read it again either way so that it is locked.
        auto q = c.cachedQuery(QStringLiteral("INSERT INTO account_fences (account, fence, updated_ms) VALUES (?, 0, ?)"
                                              " ON CONFLICT (account) DO NOTHING"),
            { account, now() });
        if (!q)
            return q.error();
        highest = fenceOf(c, account);
        if (!highest)
            return highest.error();
        if (!highest.value())
            return storage(QStringLiteral("SqlError"), QStringLiteral("the fence row of %1 vanished").arg(account));
    }
    const qint64 seen = *highest.value();
    if (fence < seen) {
        Error e = Error::make(ErrorKind::Coordination, QStringLiteral("StaleFence"),
            fence == 0
                ? QStringLiteral("unfenced write refused: account %1 has seen fencing token %2").arg(account).arg(seen)
                : QStringLiteral("fencing token %1 is older than token %2 seen for account %3")
                      .arg(fence)
                      .arg(seen)
                      .arg(account));
        e.account = account;
        e.details.insert(QStringLiteral("fence"), fence);
        e.details.insert(QStringLiteral("highest_fence"), seen);
        qCWarning(lcStore).noquote() << e.toString();
        return e;
    }
    if (fence > seen) {
        auto q = c.cachedQuery(QStringLiteral("UPDATE account_fences SET fence = ?, updated_ms = ? WHERE account = ?"),
            { fence, now(), account });
        if (!q)
            return q.error();
    }
    return {};
}

// Reads the row at once and resets the cached statement: a SELECT left running would hold its read snapshot.
Result<std::optional<Trade>> JournalPrivate::selectOne(SqlConnection &c, const QString &where, const QVariantList &args)
{
    auto q = c.cachedQuery(
        QStringLiteral("SELECT ") + kTradeColumns + QStringLiteral(" FROM trades WHERE ") + where, args);
    if (!q)
        return q.error();
    std::optional<Trade> out;
    if (q.value()->next()) {
        auto t = tradeFromQuery(*q.value());
        if (!t) {
            q.value()->finish();
            return t.error();
        }
        out = std::move(t).value();
    }
    q.value()->finish();
    return out;
}

Result<std::optional<Trade>> JournalPrivate::loadTrade(SqlConnection &c, qint64 localId, bool forUpdate)
{
    return selectOne(c,
        QStringLiteral("local_id = ?") + (forUpdate && c.isPostgres() ? QStringLiteral(" FOR UPDATE") : QString()),
        { localId });
}

Result<void> JournalPrivate::checkContractFree(
    SqlConnection &c, const QString &account, qint64 contractId, qint64 exceptLocalId)
{
    if (contractId == 0)
        return {};
    auto n = c.scalar(
        QStringLiteral("SELECT COUNT(*) FROM trades WHERE account = ? AND contract_id = ? AND local_id <> ?"),
        { account, contractId, exceptLocalId });
    if (!n)
        return n.error();
    if (n.value() > 0) {
        Error e = invalid(QStringLiteral("DuplicateContract"),
            QStringLiteral("contract %1 of account %2 is already journaled").arg(contractId).arg(account));
        e.account = account;
        return e;
    }
    return {};
}

Result<void> JournalPrivate::writeEvent(SqlConnection &c, qint64 localId, const QString &action,
    std::optional<TradeStatus> from, TradeStatus to, const QString &reason, qint64 fence) const
{
    auto q = c.cachedQuery(
        QStringLiteral("INSERT INTO trade_events (local_id, at_ms, action, from_status, to_status, reason, fence)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?)"),
        { localId, now(), action, from ? QVariant(tradeStatusToString(*from)) : QVariant(), tradeStatusToString(to),
            reason, fence });
    if (!q)
        return q.error();
    return {};
}

Result<qint64> JournalPrivate::insertTrade(
    SqlConnection &c, const Trade &t, const QString &action, const QString &reason) const
{
    const qint64 ts = now();
    qint64 id = 0;
    {
        auto q = c.cachedQuery(
            QStringLiteral(
                "INSERT INTO trades (account, bot, symbol, contract_type, duration, duration_unit, currency,"
                " money_digits, stake_minor, buy_price_minor, payout_minor, sell_price_minor, profit_minor,"
                " contract_id, transaction_id, status, opened_ms, closed_ms, close_reason, request_tag, fence,"
                " attribution, created_ms, updated_ms)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING local_id"),
            { t.account, t.bot, t.symbol, t.contractType, t.duration, t.durationUnit, t.currency, t.stake.digits(),
                t.stake.minor(), nullableMoney(t.buyPrice), nullableMoney(t.payout), nullableMoney(t.sellPrice),
                nullableMoney(t.profit), nullable(t.contractId), nullable(t.transactionId),
                tradeStatusToString(t.status), t.openedMs, nullable(t.closedMs), t.closeReason, t.requestTag, t.fence,
                tradeAttributionToString(t.attribution), ts, ts });
        if (!q)
            return q.error();
        const bool gotId = q.value()->next();
        if (gotId)
            id = q.value()->value(0).toLongLong();
        q.value()->finish(); // the INSERT is complete only once its statement is reset
        if (!gotId)
            return storage(QStringLiteral("SqlError"), QStringLiteral("insert returned no id"));
    }
    if (auto r = writeEvent(c, id, action, std::nullopt, t.status, reason, t.fence); !r)
        return r.error();
    return id;
}

Result<Trade> JournalPrivate::mutateTrade(qint64 localId, qint64 fence, const char *action, const QString &reason,
    const std::function<Result<void>(Trade &)> &apply)
{
    assertThread();
    return writeValue<Trade>([&](SqlConnection &c) -> Result<Trade> {
        Result<std::optional<Trade>> loaded = std::optional<Trade>();
        QString account;
        if (c.isPostgres()) {
            // The account is immutable, so it may be read before the fence row is locked; the row itself is read
            // after, locked.
            auto q = c.cachedQuery(QStringLiteral("SELECT account FROM trades WHERE local_id = ?"), { localId });
            if (!q)
                return q.error();
            const bool found = q.value()->next();
            if (found)
                account = q.value()->value(0).toString();
            q.value()->finish();
            if (!found)
                return invalid(QStringLiteral("NotFound"), QStringLiteral("no trade with local id %1").arg(localId));
            if (auto r = checkFence(c, account, fence); !r)
                return r.error();
            loaded = loadTrade(c, localId, true);
            if (!loaded)
                return loaded.error();
        } else {
            // BEGIN IMMEDIATE holds SQLite's write lock: nothing changes the row between this one read and the
            // write, so it serves both the fence check (by its account) and the change.
            loaded = loadTrade(c, localId, false);
            if (!loaded)
                return loaded.error();
            if (!loaded.value())
                return invalid(QStringLiteral("NotFound"), QStringLiteral("no trade with local id %1").arg(localId));
            account = loaded.value()->account;
            if (auto r = checkFence(c, account, fence); !r)
                return r.error();
        }
        Q_ASSERT(loaded.value().has_value());
        Trade t = *loaded.value();
        const TradeStatus before = t.status;
        const qint64 contractBefore = t.contractId;
        if (auto r = apply(t); !r)
            return r.error();
        if (auto r = checkPrecision(t); !r)
            return r.error();
        if (t.contractId != contractBefore) {
            if (auto r = checkContractFree(c, account, t.contractId, localId); !r)
                return r.error();
        }
        t.fence = fence;
        t.updatedMs = now();
        auto q = c.cachedQuery(
            QStringLiteral("UPDATE trades SET buy_price_minor = ?, payout_minor = ?, sell_price_minor = ?,"
                           " profit_minor = ?, contract_id = ?, transaction_id = ?, status = ?, opened_ms = ?,"
                           " closed_ms = ?, close_reason = ?, fence = ?, updated_ms = ? WHERE local_id = ?"),
            { nullableMoney(t.buyPrice), nullableMoney(t.payout), nullableMoney(t.sellPrice), nullableMoney(t.profit),
                nullable(t.contractId), nullable(t.transactionId), tradeStatusToString(t.status), t.openedMs,
                nullable(t.closedMs), t.closeReason, t.fence, t.updatedMs, localId });
        if (!q)
            return q.error();
        if (auto r = writeEvent(c, localId, QLatin1String(action), before, t.status, reason, fence); !r)
            return r.error();
        return t;
    });
}

// ---------------------------------------------------------------------------------------------------------------

Journal::Journal(std::unique_ptr<JournalPrivate> dd)
    : d(std::move(dd))
{
}

Journal::~Journal()
{
    const QString name = d->connectionName;
    d->sql.close();
    d.reset(); // drops the last QSqlDatabase handle of this connection before it is removed
    QSqlDatabase::removeDatabase(name);
}

Result<std::unique_ptr<Journal>> Journal::open(const JournalConfig &config)
{
    const QString url = config.url.trimmed();
    if (url.isEmpty())
        return Error::make(ErrorKind::Configuration, QStringLiteral("BadUrl"), QStringLiteral("journal URL is empty"));

    bool postgres = false;
    QString sqlitePath;
    QUrl pgUrl;
    if (url.startsWith(QLatin1String("postgresql://")) || url.startsWith(QLatin1String("postgres://"))) {
        postgres = true;
        pgUrl = QUrl(url, QUrl::StrictMode);
        if (!pgUrl.isValid() || pgUrl.host().isEmpty() || pgUrl.path().size() < 2)
            return Error::make(ErrorKind::Configuration, QStringLiteral("BadUrl"),
                QStringLiteral("journal URL must look like postgresql://user:pass@host:port/dbname"));
    } else if (url.startsWith(QLatin1String("sqlite:"))) {
        const QUrl u(url, QUrl::StrictMode);
        sqlitePath = u.path();
        if (!u.isValid() || !QDir::isAbsolutePath(sqlitePath) || sqlitePath.endsWith(u'/'))
            return Error::make(ErrorKind::Configuration, QStringLiteral("BadUrl"),
                QStringLiteral("journal URL must look like sqlite:///absolute/path/journal.db"));
    } else if (url.contains(QLatin1String("://"))) {
        return Error::make(ErrorKind::Configuration, QStringLiteral("BadUrl"),
            QStringLiteral("unsupported journal URL scheme (use a path, sqlite:/// or postgresql://)"));
    } else {
        sqlitePath = QFileInfo(url).absoluteFilePath();
    }

    const QString driver = postgres ? QStringLiteral("QPSQL") : QStringLiteral("QSQLITE");
    if (!QSqlDatabase::isDriverAvailable(driver))
        return Error::make(ErrorKind::Configuration, QStringLiteral("DriverMissing"),
            QStringLiteral("the Qt SQL driver %1 is not installed").arg(driver));

    const QString name = QStringLiteral("vigil-journal-%1").arg(s_connectionCounter.fetch_add(1));
    QSqlDatabase db = QSqlDatabase::addDatabase(driver, name);
    const int busyMs = qMax(0, config.busyTimeoutMs);
    if (postgres) {
        db.setHostName(pgUrl.host());
        db.setPort(pgUrl.port(5432));
        db.setUserName(pgUrl.userName(QUrl::FullyDecoded));
        db.setPassword(pgUrl.password(QUrl::FullyDecoded));
        db.setDatabaseName(pgUrl.path().mid(1));
        QStringList options;
        for (const auto &[key, value] : QUrlQuery(pgUrl).queryItems(QUrl::FullyDecoded)) {
            if (key == QLatin1String("connect_timeout") || key == QLatin1String("sslmode")
                || key == QLatin1String("application_name"))
                options << key + u'=' + value;
        }
        db.setConnectOptions(options.join(u';'));
    } else {
        QDir().mkpath(QFileInfo(sqlitePath).absolutePath());
        db.setDatabaseName(sqlitePath);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(busyMs));
    }

    auto dd = std::make_unique<JournalPrivate>(
        db, postgres ? SqlConnection::Backend::Postgres : SqlConnection::Backend::Sqlite);
    db = QSqlDatabase();
    dd->connectionName = name;
    dd->clock = config.clock ? config.clock : &Clock::system();
    dd->thread = QThread::currentThread();
    dd->busyTimeoutMs = busyMs;
    dd->sql.setBusyTimeoutMs(busyMs);
    // From here on the Journal's destructor closes and removes the connection on every exit path.
    std::unique_ptr<Journal> journal(new Journal(std::move(dd)));
    JournalPrivate &p = *journal->d;

    if (!p.sql.database().open()) {
        // The driver's text names host/file problems; it never contains the password.
        Error e = Error::make(ErrorKind::Storage, QStringLiteral("OpenFailed"),
            QStringLiteral("cannot open the journal: ") + p.sql.database().lastError().text());
        return e;
    }

    if (postgres) {
        if (auto r = p.sql.exec(QStringLiteral("SET synchronous_commit = on")); !r)
            return r.error();
        if (auto r = p.sql.exec(QStringLiteral("SET TIME ZONE 'UTC'")); !r)
            return r.error();
        // The PostgreSQL counterpart of busy_timeout: a row lock held longer than this fails the write ("Busy").
        if (auto r = p.sql.exec(QStringLiteral("SET lock_timeout = %1").arg(busyMs)); !r)
            return r.error();
        // libpq prints NOTICEs (e.g. "relation already exists, skipping") to stderr; errors still come back.
        if (auto r = p.sql.exec(QStringLiteral("SET client_min_messages = warning")); !r)
            return r.error();
    }
    // Switching a fresh file to WAL and migrating it take SQLite locks its busy handler does not always wait for
    // (several account workers opening one new journal at once met "database is locked"): the connections of
    // this process take their turn in the shared writer line for it.
    std::shared_ptr<WriterQueue> writer = postgres ? nullptr : p.sql.writerLock();
    if (writer && !writer->lockFor(std::chrono::milliseconds(busyMs)))
        return storage(QStringLiteral("Busy"), QStringLiteral("the journal stayed locked by other writers at open"));
    const auto unlockWriter = qScopeGuard([&writer] {
        if (writer)
            writer->unlock();
    });
    if (!postgres) {
        if (auto r = p.sql.exec(QStringLiteral("PRAGMA busy_timeout = %1").arg(busyMs)); !r)
            return r.error();
        auto mode = p.sql.query(QStringLiteral("PRAGMA journal_mode = WAL"));
        if (!mode)
            return mode.error();
        if (!mode.value().next()
            || mode.value().value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
            return storage(QStringLiteral("OpenFailed"), QStringLiteral("the journal file does not support WAL mode"));
        mode.value().finish();
        if (auto r = p.sql.exec(QStringLiteral("PRAGMA synchronous = FULL")); !r)
            return r.error();
        if (auto r = p.sql.exec(QStringLiteral("PRAGMA foreign_keys = ON")); !r)
            return r.error();
    }

    auto version = JournalSchema::migrate(p.sql, p.now());
    if (!version)
        return version.error();
    p.schemaVersion = version.value();
    // The first opener names the journal; a concurrent one keeps the name already there.
    const QString candidate = QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (auto r = p.sql.query(QStringLiteral("INSERT INTO journal_meta (name, value) VALUES ('journal_id', ?)"
                                            " ON CONFLICT (name) DO NOTHING"), { candidate });
        !r)
        return r.error();
    {
        auto id = p.sql.query(QStringLiteral("SELECT value FROM journal_meta WHERE name = 'journal_id'"));
        if (!id)
            return id.error();
        if (!id.value().next())
            return storage(QStringLiteral("OpenFailed"), QStringLiteral("the journal has no id"));
        p.journalId = id.value().value(0).toString();
    }
    p.location = postgres ? QStringLiteral("%1:%2%3").arg(pgUrl.host()).arg(pgUrl.port(5432)).arg(pgUrl.path())
                          : QSysInfo::machineHostName() + u':' + QFileInfo(sqlitePath).canonicalFilePath();
    qCInfo(lcStore).noquote() << "journal open:" << (postgres ? QStringLiteral("postgresql") : sqlitePath) << "schema"
                              << p.schemaVersion;
    return journal;
}

bool Journal::isPostgres() const
{
    return d->sql.isPostgres();
}

int Journal::schemaVersion() const
{
    return d->schemaVersion;
}

const QString &Journal::journalId() const
{
    return d->journalId;
}

const QString &Journal::location() const
{
    return d->location;
}

Result<JournalDiagnostics> Journal::diagnostics()
{
    d->assertThread();
    JournalDiagnostics diag;
    diag.schemaVersion = d->schemaVersion;
    if (d->sql.isPostgres()) {
        diag.backend = QStringLiteral("postgresql");
        auto q = d->sql.query(QStringLiteral("SELECT current_setting('synchronous_commit')"));
        if (!q)
            return q.error();
        if (q.value().next())
            diag.synchronous = q.value().value(0).toString() == QLatin1String("on") ? 2 : 0;
        diag.foreignKeys = true; // always enforced by PostgreSQL
        return diag;
    }
    diag.backend = QStringLiteral("sqlite");
    diag.busyTimeoutMs = d->busyTimeoutMs;
    diag.usageCacheHits = d->usageCacheHits;
    if (std::shared_ptr<WriterQueue> queue = d->sql.writerLock()) {
        const WriterQueue::Stats stats = queue->stats();
        diag.groupCommits = qint64(stats.commits);
        diag.groupedWrites = qint64(stats.writes);
        diag.writesWaiting = stats.waiting;
    }
    {
        auto q = d->sql.query(QStringLiteral("PRAGMA journal_mode"));
        if (!q)
            return q.error();
        if (q.value().next())
            diag.journalMode = q.value().value(0).toString().toLower();
    }
    auto sync = d->sql.scalar(QStringLiteral("PRAGMA synchronous"));
    if (!sync)
        return sync.error();
    diag.synchronous = int(sync.value());
    auto fk = d->sql.scalar(QStringLiteral("PRAGMA foreign_keys"));
    if (!fk)
        return fk.error();
    diag.foreignKeys = fk.value() == 1;
    auto busy = d->sql.scalar(QStringLiteral("PRAGMA busy_timeout"));
    if (!busy)
        return busy.error();
    diag.busyTimeoutMs = int(busy.value());
    return diag;
}

Result<QString> Journal::integrityCheck()
{
    d->assertThread();
    auto q
        = d->sql.query(d->sql.isPostgres() ? QStringLiteral("SELECT 'ok'") : QStringLiteral("PRAGMA integrity_check"));
    if (!q)
        return q.error();
    QStringList lines;
    while (q.value().next())
        lines << q.value().value(0).toString();
    return lines.join(u'\n');
}

// --- trade writes ---------------------------------------------------------------------------------------------

Result<qint64> Journal::insertPending(const Trade &trade)
{
    d->assertThread();
    Trade t = trade;
    t.localId = 0;
    t.status = TradeStatus::Pending;
    t.contractId = 0;
    t.transactionId = 0;
    t.buyPrice.reset();
    t.payout.reset();
    t.sellPrice.reset();
    t.profit.reset();
    t.closedMs = 0;
    t.closeReason.clear();
    if (auto r = checkNewTrade(t); !r)
        return r.error();
    return d->writeValue<qint64>([&](SqlConnection &c) -> Result<qint64> {
        if (auto r = d->checkFence(c, t.account, t.fence); !r)
            return r.error();
        return d->insertTrade(c, t, QStringLiteral("insert_pending"), QString());
    });
}

Result<void> Journal::markOpen(qint64 localId, qint64 contractId, qint64 transactionId, Money buyPrice, Money payout,
    qint64 openedMs, qint64 fence)
{
    if (contractId <= 0)
        return invalid(QStringLiteral("BadTrade"), QStringLiteral("markOpen needs a contract id"));
    if (openedMs <= 0)
        return invalid(QStringLiteral("BadTrade"), QStringLiteral("markOpen needs the purchase time"));
    auto r = d->mutateTrade(localId, fence, "mark_open", QString(), [&](Trade &t) -> Result<void> {
        if (t.status != TradeStatus::Pending && t.status != TradeStatus::Unknown)
            return illegalTransition(t, "mark open");
        t.status = TradeStatus::Open;
        t.contractId = contractId;
        t.transactionId = transactionId;
        t.buyPrice = buyPrice;
        t.payout = payout;
        t.openedMs = openedMs;
        return {};
    });
    if (!r)
        return r.error();
    return {};
}

Result<void> Journal::markFailed(qint64 localId, const QString &reason, qint64 fence)
{
    auto r = d->mutateTrade(localId, fence, "mark_failed", reason, [&](Trade &t) -> Result<void> {
        if (t.status != TradeStatus::Pending && t.status != TradeStatus::Unknown)
            return illegalTransition(t, "mark failed");
        t.status = TradeStatus::Failed;
        t.closedMs = d->now();
        t.closeReason = reason;
        return {};
    });
    if (!r)
        return r.error();
    return {};
}

Result<void> Journal::markUnknown(qint64 localId, const QString &reason, qint64 fence)
{
    auto r = d->mutateTrade(localId, fence, "mark_unknown", reason, [&](Trade &t) -> Result<void> {
        if (t.status != TradeStatus::Pending)
            return illegalTransition(t, "mark unknown");
        t.status = TradeStatus::Unknown;
        return {};
    });
    if (!r)
        return r.error();
    return {};
}

Result<void> Journal::settle(qint64 localId, TradeStatus status, Money sellPrice, Money profit, qint64 closedMs,
    const QString &reason, qint64 fence)
{
    if (!isSettledStatus(status))
        return invalid(QStringLiteral("BadTrade"),
            QStringLiteral("settle needs won, lost, sold or void, not %1").arg(tradeStatusToString(status)));
    if (closedMs <= 0)
        return invalid(QStringLiteral("BadTrade"), QStringLiteral("settle needs the close time"));
    auto r = d->mutateTrade(localId, fence, "settle", reason, [&](Trade &t) -> Result<void> {
        if (t.status != TradeStatus::Open)
            return illegalTransition(t, "settle");
        t.status = status;
        t.sellPrice = sellPrice;
        t.profit = profit;
        t.closedMs = closedMs;
        t.closeReason = reason;
        return {};
    });
    if (!r)
        return r.error();
    return {};
}

Result<qint64> Journal::adoptOrphan(const Trade &trade)
{
    d->assertThread();
    Trade t = trade;
    t.localId = 0;
    if (auto r = checkNewTrade(t); !r)
        return r.error();
    if (t.contractId <= 0)
        return invalid(QStringLiteral("BadTrade"), QStringLiteral("an adopted trade needs its contract id"));
    if (t.status != TradeStatus::Open && !isSettledStatus(t.status))
        return invalid(QStringLiteral("BadTrade"), QStringLiteral("an adopted trade must be open or settled"));
    if (isSettledStatus(t.status) && (!t.sellPrice || !t.profit || t.closedMs <= 0))
        return invalid(
            QStringLiteral("BadTrade"), QStringLiteral("a settled adopted trade needs sellPrice, profit and closedMs"));
    return d->writeValue<qint64>([&](SqlConnection &c) -> Result<qint64> {
        if (auto r = d->checkFence(c, t.account, t.fence); !r)
            return r.error();
        if (auto r = JournalPrivate::checkContractFree(c, t.account, t.contractId, 0); !r)
            return r.error();
        return d->insertTrade(c, t, QStringLiteral("adopt"), t.closeReason);
    });
}

Result<void> Journal::closeStale(qint64 localId, const QString &reason, qint64 fence)
{
    auto r = d->mutateTrade(localId, fence, "close_stale", reason, [&](Trade &t) -> Result<void> {
        if (!isUnresolvedStatus(t.status))
            return illegalTransition(t, "close as stale");
        t.status = TradeStatus::Stale;
        t.closedMs = d->now();
        t.closeReason = reason;
        return {};
    });
    if (!r)
        return r.error();
    return {};
}

Result<Trade> Journal::correct(qint64 localId, const TradeCorrection &c, qint64 fence)
{
    if (c.reason.isEmpty())
        return invalid(QStringLiteral("BadTrade"), QStringLiteral("a correction needs a reason"));
    if (c.status && *c.status == TradeStatus::Pending)
        return invalid(QStringLiteral("BadTrade"), QStringLiteral("a correction cannot make a trade pending"));
    if (c.contractId && *c.contractId <= 0)
        return invalid(QStringLiteral("BadTrade"), QStringLiteral("a corrected contract id must be positive"));
    return d->mutateTrade(localId, fence, "correct", c.reason, [&](Trade &t) -> Result<void> {
        if (c.status)
            t.status = *c.status;
        if (c.contractId)
            t.contractId = *c.contractId;
        if (c.transactionId)
            t.transactionId = *c.transactionId;
        if (c.buyPrice)
            t.buyPrice = c.buyPrice;
        if (c.payout)
            t.payout = c.payout;
        if (c.sellPrice)
            t.sellPrice = c.sellPrice;
        if (c.profit)
            t.profit = c.profit;
        if (c.openedMs)
            t.openedMs = *c.openedMs;
        if (c.closedMs)
            t.closedMs = *c.closedMs;
        if (t.status == TradeStatus::Open && t.contractId == 0)
            return invalid(QStringLiteral("BadTrade"), QStringLiteral("an open trade needs a contract id"));
        return {};
    });
}

// --- trade reads ----------------------------------------------------------------------------------------------

Result<std::optional<Trade>> Journal::trade(qint64 localId)
{
    d->assertThread();
    return JournalPrivate::loadTrade(d->sql, localId, false);
}

Result<std::optional<Trade>> Journal::tradeByContract(const QString &account, qint64 contractId)
{
    d->assertThread();
    return JournalPrivate::selectOne(
        d->sql, QStringLiteral("account = ? AND contract_id = ?"), { account, contractId });
}

Result<std::optional<Trade>> Journal::tradeByRequestTag(const QString &account, const QString &requestTag)
{
    d->assertThread();
    if (requestTag.isEmpty())
        return invalid(QStringLiteral("BadTrade"), QStringLiteral("request tag is empty"));
    return JournalPrivate::selectOne(d->sql,
        QStringLiteral("account = ? AND request_tag = ? ORDER BY local_id DESC LIMIT 1"), { account, requestTag });
}

Result<QList<Trade>> Journal::openTrades(const QString &account)
{
    TradeFilter f;
    f.account = account;
    f.statuses = { TradeStatus::Open };
    return trades(f);
}

Result<QList<Trade>> Journal::unresolvedTrades(const QString &account)
{
    TradeFilter f;
    f.account = account;
    f.statuses = { TradeStatus::Pending, TradeStatus::Unknown, TradeStatus::Open };
    return trades(f);
}

Result<QList<Trade>> Journal::trades(const TradeFilter &filter)
{
    d->assertThread();
    if (filter.limit < 0 || filter.offset < 0)
        return invalid(QStringLiteral("BadFilter"), QStringLiteral("limit and offset must not be negative"));
    QStringList where;
    QVariantList args;
    if (!filter.account.isEmpty()) {
        where << QStringLiteral("account = ?");
        args << filter.account;
    }
    if (!filter.bot.isEmpty()) {
        where << QStringLiteral("bot = ?");
        args << filter.bot;
    }
    if (!filter.statuses.isEmpty()) {
        QStringList marks;
        for (TradeStatus s : filter.statuses) {
            marks << QStringLiteral("?");
            args << tradeStatusToString(s);
        }
        where << QStringLiteral("status IN (") + marks.join(u',') + u')';
    }
    if (filter.fromMs) {
        where << QStringLiteral("opened_ms >= ?");
        args << *filter.fromMs;
    }
    if (filter.toMs) {
        where << QStringLiteral("opened_ms < ?");
        args << *filter.toMs;
    }
    QString sql = QStringLiteral("SELECT ") + kTradeColumns + QStringLiteral(" FROM trades");
    if (!where.isEmpty())
        sql += QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
    sql += filter.newestFirst ? QStringLiteral(" ORDER BY opened_ms DESC, local_id DESC")
                              : QStringLiteral(" ORDER BY opened_ms, local_id");
    if (filter.limit > 0 || filter.offset > 0) {
        // SQLite needs a LIMIT before OFFSET; -1 is "all" there, PostgreSQL takes ALL.
        sql += QStringLiteral(" LIMIT ")
            + (filter.limit > 0           ? QStringLiteral("?")
                    : d->sql.isPostgres() ? QStringLiteral("ALL")
                                          : QStringLiteral("-1"));
        if (filter.limit > 0)
            args << qint64(filter.limit);
        sql += QStringLiteral(" OFFSET ?");
        args << qint64(filter.offset);
    }
    auto q = d->sql.query(sql, args);
    if (!q)
        return q.error();
    return tradesFromQuery(q.value());
}

Result<QList<TradeEvent>> Journal::tradeHistory(qint64 localId)
{
    d->assertThread();
    auto q = d->sql.query(QStringLiteral("SELECT id, local_id, at_ms, action, from_status, to_status, reason, fence"
                                         " FROM trade_events WHERE local_id = ? ORDER BY id"),
        { localId });
    if (!q)
        return q.error();
    QList<TradeEvent> out;
    while (q.value().next()) {
        const QSqlQuery &r = q.value();
        TradeEvent e;
        e.id = r.value(0).toLongLong();
        e.localId = r.value(1).toLongLong();
        e.atMs = r.value(2).toLongLong();
        e.action = r.value(3).toString();
        if (!r.value(4).isNull())
            e.fromStatus = tradeStatusFromString(r.value(4).toString());
        const auto to = tradeStatusFromString(r.value(5).toString());
        if (!to)
            return storage(
                QStringLiteral("CorruptRow"), QStringLiteral("trade event %1 has an unknown status").arg(e.id));
        e.toStatus = *to;
        e.reason = r.value(6).toString();
        e.fence = r.value(7).toLongLong();
        out.append(e);
    }
    return out;
}

Result<qint64> Journal::highestFence(const QString &account)
{
    d->assertThread();
    return d->sql.scalar(
        QStringLiteral("SELECT CAST(COALESCE(MAX(fence), 0) AS BIGINT) FROM account_fences WHERE account = ?"),
        { account });
}

// --- daily limits ---------------------------------------------------------------------------------------------

Result<DailyUsage> Journal::dailyUsage(const QString &account, qint64 dayStartMs, qint64 dayEndMs, int moneyDigits)
{
    return usage(account, dayStartMs, dayEndMs, moneyDigits, true);
}

Result<DailyUsage> Journal::currentUsage(const QString &account, qint64 dayStartMs, qint64 dayEndMs, int moneyDigits)
{
    return usage(account, dayStartMs, dayEndMs, moneyDigits, false);
}

Result<DailyUsage> Journal::usage(const QString &account, qint64 dayStartMs, qint64 dayEndMs, int moneyDigits,
                                  bool checkPrecision)
{
    d->assertThread();
    if (dayEndMs <= dayStartMs)
        return invalid(QStringLiteral("BadRange"), QStringLiteral("dailyUsage needs dayStartMs < dayEndMs"));
    if (moneyDigits < 0 || moneyDigits > 8)
        return invalid(QStringLiteral("BadRange"), QStringLiteral("moneyDigits must be 0..8"));
    // The per-buy check (currentUsage) on SQLite: nothing committed to the file since the last read → the same
    // figures, without the four aggregate queries. Any commit moves the stamp: one through this connection (its
    // own writes, or other Journals' in a group commit it led) counts in total_changes(), one through any other
    // connection, of this process or another, moves data_version. Read before the snapshot below, so a commit
    // between the two only costs a fresh read next time.
    std::optional<std::pair<qint64, qint64>> stamp;
    if (!checkPrecision && !d->sql.isPostgres()) {
        auto q = d->sql.cachedQuery(QStringLiteral("SELECT total_changes(), data_version FROM pragma_data_version()"));
        if (!q)
            return q.error();
        if (!q.value()->next())
            return storage(QStringLiteral("SqlError"), QStringLiteral("the journal's change stamp returned no row"));
        stamp = std::pair(q.value()->value(0).toLongLong(), q.value()->value(1).toLongLong());
        q.value()->finish();
        const JournalPrivate::UsageCache &c = d->usageCache;
        if (c.valid && c.stamp == *stamp && c.account == account && c.dayStartMs == dayStartMs && c.dayEndMs == dayEndMs
            && c.moneyDigits == moneyDigits) {
            ++d->usageCacheHits;
            return c.usage;
        }
    }
    // One snapshot: the counts must not straddle a concurrent settle.
    SqlTransaction tx(d->sql);
    if (auto r = tx.begin(SqlTransaction::Mode::Read); !r)
        return r.error();
    if (checkPrecision) {
        auto q
            = d->sql.query(QStringLiteral("SELECT DISTINCT money_digits FROM trades WHERE account = ?"), { account });
        if (!q)
            return q.error();
        while (q.value().next()) {
            if (q.value().value(0).toInt() != moneyDigits)
                return invalid(QStringLiteral("PrecisionMismatch"),
                    QStringLiteral("account %1 has trades with %2 fractional digits, not %3")
                        .arg(account)
                        .arg(q.value().value(0).toInt())
                        .arg(moneyDigits));
        }
    }
    DailyUsage u;
    u.stakeOpened = Money::zero(moneyDigits);
    u.realizedProfit = Money::zero(moneyDigits);
    u.unresolvedStake = Money::zero(moneyDigits);
    {
        auto q = d->sql.cachedQuery(
            QStringLiteral("SELECT COUNT(*), CAST(COALESCE(SUM(stake_minor), 0) AS BIGINT) FROM trades"
                           " WHERE account = ? AND opened_ms >= ? AND opened_ms < ? AND status <> 'failed'"),
            { account, dayStartMs, dayEndMs });
        if (!q)
            return q.error();
        if (!q.value()->next())
            return storage(QStringLiteral("SqlError"), QStringLiteral("daily usage query returned no row"));
        u.tradesOpened = q.value()->value(0).toInt();
        u.stakeOpened = Money::fromMinor(q.value()->value(1).toLongLong(), moneyDigits);
        q.value()->finish();
    }
    {
        auto q = d->sql.cachedQuery(
            QStringLiteral("SELECT COUNT(*), CAST(COALESCE(SUM(profit_minor), 0) AS BIGINT) FROM trades"
                           " WHERE account = ? AND status IN ('won', 'lost', 'sold', 'void')"
                           " AND closed_ms >= ? AND closed_ms < ?"),
            { account, dayStartMs, dayEndMs });
        if (!q)
            return q.error();
        if (!q.value()->next())
            return storage(QStringLiteral("SqlError"), QStringLiteral("daily usage query returned no row"));
        u.settledCount = q.value()->value(0).toInt();
        u.realizedProfit = Money::fromMinor(q.value()->value(1).toLongLong(), moneyDigits);
        q.value()->finish();
    }
    {
        auto q = d->sql.cachedQuery(QStringLiteral("SELECT status, COUNT(*), CAST(COALESCE(SUM(stake_minor), 0) AS BIGINT)"
                                                   " FROM trades WHERE account = ?"
                                                   " AND status IN ('open', 'pending', 'unknown') GROUP BY status"),
            { account });
        if (!q)
            return q.error();
        while (q.value()->next()) {
            const int n = q.value()->value(1).toInt();
            if (q.value()->value(0).toString() == QLatin1String("open"))
                u.openCount += n;
            else
                u.unresolvedCount += n;
            u.unresolvedStake += Money::fromMinor(q.value()->value(2).toLongLong(), moneyDigits);
        }
        q.value()->finish();
    }
    {
        auto seq = d->sql.scalar(QStringLiteral("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM trade_events"));
        if (!seq)
            return seq.error();
        u.sequence = seq.value();
    }
    if (auto r = tx.commit(); !r)
        return r.error();
    if (stamp)
        d->usageCache = JournalPrivate::UsageCache{true, account, dayStartMs, dayEndMs, moneyDigits, *stamp, u};
    return u;
}

Result<Money> Journal::setDayStartBalance(const QString &account, const QString &dayKey, Money balance)
{
    d->assertThread();
    if (account.isEmpty())
        return invalid(QStringLiteral("BadInput"), QStringLiteral("account is empty"));
    if (dayKey.size() != 10 || !QDate::fromString(dayKey, Qt::ISODate).isValid())
        return invalid(
            QStringLiteral("BadInput"), QStringLiteral("day key must be YYYY-MM-DD, got \"%1\"").arg(dayKey));
    SqlTransaction tx(d->sql);
    if (auto r = tx.begin(SqlTransaction::Mode::Write); !r)
        return r.error();
    {
        auto q = d->sql.query(
            QStringLiteral("INSERT INTO day_balances (account, day_key, balance_minor, money_digits, set_ms)"
                           " VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, day_key) DO NOTHING"),
            { account, dayKey, balance.minor(), balance.digits(), d->now() });
        if (!q)
            return q.error();
    }
    Money stored;
    {
        auto q = d->sql.query(
            QStringLiteral("SELECT balance_minor, money_digits FROM day_balances WHERE account = ? AND day_key = ?"),
            { account, dayKey });
        if (!q)
            return q.error();
        if (!q.value().next())
            return storage(QStringLiteral("SqlError"), QStringLiteral("day balance vanished"));
        stored = Money::fromMinor(q.value().value(0).toLongLong(), q.value().value(1).toInt());
    }
    if (auto r = tx.commit(); !r)
        return r.error();
    return stored;
}

Result<std::optional<Money>> Journal::dayStartBalance(const QString &account, const QString &dayKey)
{
    d->assertThread();
    auto q = d->sql.query(
        QStringLiteral("SELECT balance_minor, money_digits FROM day_balances WHERE account = ? AND day_key = ?"),
        { account, dayKey });
    if (!q)
        return q.error();
    if (!q.value().next())
        return std::optional<Money>();
    return std::optional<Money>(Money::fromMinor(q.value().value(0).toLongLong(), q.value().value(1).toInt()));
}

// --- bot transitions ------------------------------------------------------------------------------------------

namespace {
const QString kTransitionColumns = QStringLiteral("id, bot, account, from_state, to_state, reason, at_ms");

QList<BotTransition> transitionsFromQuery(QSqlQuery &q)
{
    QList<BotTransition> out;
    while (q.next()) {
        BotTransition t;
        t.id = q.value(0).toLongLong();
        t.bot = q.value(1).toString();
        t.account = q.value(2).toString();
        t.from = q.value(3).toString();
        t.to = q.value(4).toString();
        t.reason = q.value(5).toString();
        t.atMs = q.value(6).toLongLong();
        out.append(t);
    }
    return out;
}
} // namespace

Result<qint64> Journal::recordBotTransition(const QString &bot, const QString &account, const QString &from,
    const QString &to, const QString &reason, qint64 atMs)
{
    d->assertThread();
    if (bot.isEmpty() || to.isEmpty())
        return invalid(QStringLiteral("BadInput"), QStringLiteral("a bot transition needs the bot and the new state"));
    return d->insertReturningId(
        QStringLiteral("INSERT INTO bot_transitions (bot, account, from_state, to_state, reason, at_ms)"
                       " VALUES (?, ?, ?, ?, ?, ?) RETURNING id"),
        { bot, account, from, to, reason, atMs });
}

Result<QList<BotTransition>> Journal::botTransitions(const QString &bot, int limit)
{
    d->assertThread();
    if (limit <= 0)
        return invalid(QStringLiteral("BadInput"), QStringLiteral("limit must be positive"));
    auto q = d->sql.query(QStringLiteral("SELECT ") + kTransitionColumns
            + QStringLiteral(" FROM bot_transitions WHERE bot = ? ORDER BY at_ms DESC, id DESC LIMIT ?"),
        { bot, qint64(limit) });
    if (!q)
        return q.error();
    return transitionsFromQuery(q.value());
}

Result<QList<BotTransition>> Journal::latestBotStates()
{
    d->assertThread();
    auto q = d->sql.query(QStringLiteral("SELECT ") + kTransitionColumns
        + QStringLiteral(" FROM bot_transitions b WHERE id = (SELECT id FROM bot_transitions l WHERE l.bot = b.bot"
                         " ORDER BY l.at_ms DESC, l.id DESC LIMIT 1) ORDER BY bot"));
    if (!q)
        return q.error();
    return transitionsFromQuery(q.value());
}

// --- reconciliation reports -----------------------------------------------------------------------------------

Result<qint64> Journal::saveReport(const ReconcileReport &report)
{
    d->assertThread();
    if (report.account.isEmpty() || report.trigger.isEmpty())
        return invalid(QStringLiteral("BadInput"), QStringLiteral("a report needs its account and trigger"));
    SqlTransaction tx(d->sql);
    if (auto r = tx.begin(SqlTransaction::Mode::Write); !r)
        return r.error();
    auto id
        = d->sql.scalar(QStringLiteral("INSERT INTO reconcile_reports (account, trigger_kind, started_ms, finished_ms,"
                                       " adopted, failed, settled, stale, orphans, mismatches, error_text)"
                                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
            { report.account, report.trigger, report.startedMs, report.finishedMs, report.adopted, report.failed,
                report.settled, report.stale, report.orphans, report.mismatches, report.error });
    if (!id)
        return id.error();
    int seq = 0;
    for (const Discrepancy &dis : report.discrepancies) {
        auto q = d->sql.query(QStringLiteral("INSERT INTO discrepancies (report_id, seq, kind, local_id, contract_id,"
                                             " before_json, after_json, action) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
            { id.value(), seq++, dis.kind, nullable(dis.localId), nullable(dis.contractId),
                compactJson(Redactor::redactJson(dis.before)), compactJson(Redactor::redactJson(dis.after)),
                dis.action });
        if (!q)
            return q.error();
    }
    if (auto r = tx.commit(); !r)
        return r.error();
    return id;
}

namespace {
const QString kReportColumns
    = QStringLiteral("id, account, trigger_kind, started_ms, finished_ms, adopted, failed, settled,"
                     " stale, orphans, mismatches, error_text");

ReconcileReport reportFromQuery(const QSqlQuery &q)
{
    ReconcileReport r;
    r.id = q.value(0).toLongLong();
    r.account = q.value(1).toString();
    r.trigger = q.value(2).toString();
    r.startedMs = q.value(3).toLongLong();
    r.finishedMs = q.value(4).toLongLong();
    r.adopted = q.value(5).toInt();
    r.failed = q.value(6).toInt();
    r.settled = q.value(7).toInt();
    r.stale = q.value(8).toInt();
    r.orphans = q.value(9).toInt();
    r.mismatches = q.value(10).toInt();
    r.error = q.value(11).toString();
    return r;
}
} // namespace

namespace {
Result<void> loadDiscrepancies(SqlConnection &sql, ReconcileReport &report)
{
    auto q = sql.query(QStringLiteral("SELECT kind, local_id, contract_id, before_json, after_json, action"
                                      " FROM discrepancies WHERE report_id = ? ORDER BY seq"),
        { report.id });
    if (!q)
        return q.error();
    while (q.value().next()) {
        const QSqlQuery &row = q.value();
        Discrepancy dis;
        dis.kind = row.value(0).toString();
        dis.localId = row.value(1).toLongLong();
        dis.contractId = row.value(2).toLongLong();
        dis.before = parseJson(row.value(3));
        dis.after = parseJson(row.value(4));
        dis.action = row.value(5).toString();
        report.discrepancies.append(dis);
    }
    return {};
}
} // namespace

Result<QList<ReconcileReport>> Journal::reports(const QString &account, int limit)
{
    d->assertThread();
    if (limit <= 0)
        return invalid(QStringLiteral("BadInput"), QStringLiteral("limit must be positive"));
    SqlTransaction tx(d->sql);
    if (auto r = tx.begin(SqlTransaction::Mode::Read); !r)
        return r.error();
    QList<ReconcileReport> out;
    {
        QString sql = QStringLiteral("SELECT ") + kReportColumns + QStringLiteral(" FROM reconcile_reports");
        QVariantList args;
        if (!account.isEmpty()) {
            sql += QStringLiteral(" WHERE account = ?");
            args << account;
        }
        sql += QStringLiteral(" ORDER BY started_ms DESC, id DESC LIMIT ?");
        args << qint64(limit);
        auto q = d->sql.query(sql, args);
        if (!q)
            return q.error();
        while (q.value().next())
            out.append(reportFromQuery(q.value()));
    }
    for (ReconcileReport &r : out) {
        if (auto loaded = loadDiscrepancies(d->sql, r); !loaded)
            return loaded.error();
    }
    if (auto r = tx.commit(); !r)
        return r.error();
    return out;
}

Result<std::optional<ReconcileReport>> Journal::report(qint64 id)
{
    d->assertThread();
    SqlTransaction tx(d->sql);
    if (auto r = tx.begin(SqlTransaction::Mode::Read); !r)
        return r.error();
    ReconcileReport rep;
    {
        auto q = d->sql.query(
            QStringLiteral("SELECT ") + kReportColumns + QStringLiteral(" FROM reconcile_reports WHERE id = ?"),
            { id });
        if (!q)
            return q.error();
        if (!q.value().next())
            return std::optional<ReconcileReport>();
        rep = reportFromQuery(q.value());
    }
    if (auto loaded = loadDiscrepancies(d->sql, rep); !loaded)
        return loaded.error();
    if (auto r = tx.commit(); !r)
        return r.error();
    return std::optional<ReconcileReport>(rep);
}

// --- audit ----------------------------------------------------------------------------------------------------

Result<qint64> Journal::audit(const QString &kind, const QString &account, const QJsonObject &details, qint64 atMs)
{
    d->assertThread();
    if (kind.isEmpty())
        return invalid(QStringLiteral("BadInput"), QStringLiteral("an audit event needs a kind"));
    return d->insertReturningId(
        QStringLiteral(
            "INSERT INTO audit_events (kind, account, details_json, at_ms) VALUES (?, ?, ?, ?) RETURNING id"),
        { kind, account, compactJson(Redactor::redactJson(details)), atMs });
}

Result<QList<AuditEvent>> Journal::auditEvents(int limit, const QString &account)
{
    d->assertThread();
    if (limit <= 0)
        return invalid(QStringLiteral("BadInput"), QStringLiteral("limit must be positive"));
    QString sql = QStringLiteral("SELECT id, kind, account, details_json, at_ms FROM audit_events");
    QVariantList args;
    if (!account.isEmpty()) {
        sql += QStringLiteral(" WHERE account = ?");
        args << account;
    }
    sql += QStringLiteral(" ORDER BY at_ms DESC, id DESC LIMIT ?");
    args << qint64(limit);
    auto q = d->sql.query(sql, args);
    if (!q)
        return q.error();
    QList<AuditEvent> out;
    while (q.value().next()) {
        const QSqlQuery &r = q.value();
        AuditEvent e;
        e.id = r.value(0).toLongLong();
        e.kind = r.value(1).toString();
        e.account = r.value(2).toString();
        e.details = parseJson(r.value(3));
        e.atMs = r.value(4).toLongLong();
        out.append(e);
    }
    return out;
}

} // namespace Vigil
