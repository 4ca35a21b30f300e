// SPDX-License-Identifier: GPL-3.0-or-later
// Lease expiry while holding: two vigil-headless processes on one account share a real redis-server and one
// SQLite journal. The instance holding the account lease is frozen (SIGSTOP) while its buy is still inside
// the simulator, past the lease ttl; the other takes the account over and trades; then the frozen one resumes
// (SIGCONT). The simulator attributes every buy to its sender through the passthrough the engine sets.
#include <csignal>

#include <sys/prctl.h>

#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include "support/redisserver.h"
#include "support/simprocess.h"

using namespace Qt::StringLiterals;
using Vigil::Test::buildBinary;

namespace {
// Lease ttl of the runners, and how long the simulator holds each buy: a buy must be answered well inside
// the ttl, or a frozen holder's buy would still be in flight when the next holder's arrives.
// The freeze (ttl + the other's take-over and buy) stays shorter than the in-process lock wait (5 s), so the
// frozen instance resumes with another bot's cycle still queued behind the stale one.
constexpr int LeaseTtlMs = 2500;
constexpr int BuyDelayMs = 400;
const QString Token = u"LeaseTok7c1e0b9d"_s;

struct Buy
{
    int seq = 0;
    QString tag; // "<instance>:<bot>:<n>"
    bool inFlight = false;
    qint64 contractId = 0;
};

QList<Buy> recentBuys(const QJsonObject &account)
{
    QList<Buy> out;
    for (const QJsonValue &v : account.value(u"recent_buys"_s).toArray()) {
        const QJsonObject o = v.toObject();
        out.append(Buy{o.value(u"seq"_s).toInt(), o.value(u"passthrough"_s).toObject().value(u"vigil_tag"_s).toString(),
                       o.value(u"in_flight"_s).toInt() != 0, o.value(u"contract_id"_s).toInteger()});
    }
    return out;
}

QString instanceOf(const QString &tag)
{
    return tag.section(u':', 0, 0);
}
} // namespace

class TestLeaseExpiry final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void frozenHolderNeitherBuysNorJournalsAfterResume();

private:
    QProcess *startRunner(const QString &name);
    void stopRunner(QProcess *&runner);
    QByteArray redis(const QList<QByteArray> &command);
    QList<QVariantList> journal(const QString &sql, const QVariantList &binds = {});
    bool logsMention(const QString &runner, const QByteArray &needle) const;

    QTemporaryDir m_dir;
    Vigil::Test::RedisServer m_redis;
    Vigil::Test::SimProcess m_sim;
    QString m_loginId;
};

void TestLeaseExpiry::initTestCase()
{
    if (Vigil::Test::RedisServer::executable().isEmpty())
        QSKIP("redis-server is not installed (apt-get install redis-server): lease expiry needs a real Redis");
    QVERIFY(m_dir.isValid());
    QVERIFY(QFile::exists(buildBinary("app/headless/vigil-headless")));
    QVERIFY(m_redis.start());
    // Real time: reconciliation matches a pending row to its contract by purchase time, which a faster
    // virtual clock would move out of the row's window.
    QVERIFY(m_sim.start({u"--token"_s, Token, u"--time-scale"_s, u"1"_s, u"--no-rate-limit"_s, u"--quiet"_s,
                         u"--fault"_s, u"buy_delay:ms=%1"_s.arg(BuyDelayMs)}));
    m_loginId = m_sim.accountStats().value(u"loginid"_s).toString();
    QVERIFY(!m_loginId.isEmpty());

    QFile config(m_dir.filePath(u"bots.json"_s));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(QJsonDocument(QJsonObject{
        {u"lease_ttl_ms"_s, LeaseTtlMs},
        {u"accounts"_s, QJsonArray{QJsonObject{
            {u"id"_s, u"shared"_s},
            {u"token"_s, QJsonObject{{u"env"_s, u"VIGIL_LEASE_TOKEN"_s}}},
            {u"limits"_s, QJsonObject{{u"max_trades_per_day"_s, 100000}, {u"max_concurrent_open"_s, 100}, {u"daily_loss_bp"_s, 10000}}}}}},
        {u"bots"_s, QJsonArray{
            QJsonObject{{u"id"_s, u"a"_s}, {u"account"_s, u"shared"_s},
                        {u"strategy"_s, QJsonObject{{u"symbol"_s, u"1HZ100V"_s}, {u"contract_type"_s, u"CALL"_s}, {u"duration"_s, 1},
                                                    {u"duration_unit"_s, u"t"_s}, {u"stake"_s, u"0.35"_s}}}},
            QJsonObject{{u"id"_s, u"b"_s}, {u"account"_s, u"shared"_s},
                        {u"strategy"_s, QJsonObject{{u"symbol"_s, u"1HZ100V"_s}, {u"contract_type"_s, u"PUT"_s}, {u"duration"_s, 1},
                                                    {u"duration_unit"_s, u"t"_s}, {u"stake"_s, u"0.35"_s}}}},
            // On another symbol: usually idle and queued for the account while a or b has a buy out.
            QJsonObject{{u"id"_s, u"c"_s}, {u"account"_s, u"shared"_s},
                        {u"strategy"_s, QJsonObject{{u"symbol"_s, u"1HZ50V"_s}, {u"contract_type"_s, u"CALL"_s}, {u"duration"_s, 1},
                                                    {u"duration_unit"_s, u"t"_s}, {u"stake"_s, u"0.35"_s}}}}}}})
                     .toJson());
}

void TestLeaseExpiry::cleanupTestCase()
{
    m_sim.stop();
    m_redis.kill();
}

QProcess *TestLeaseExpiry::startRunner(const QString &name)
{
    auto *p = new QProcess(this);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"VIGIL_LEASE_TOKEN"_s, Token);
    env.insert(u"XDG_DATA_HOME"_s, m_dir.filePath(u"xdg-"_s + name));
    p->setProcessEnvironment(env);
    p->setProcessChannelMode(QProcess::MergedChannels);
    p->setStandardOutputFile(m_dir.filePath(name + u".out"_s), QIODevice::Append);
    p->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    // Bots of their own (a bot configured in both would run in one of them only: its run lease).
    QFile base(m_dir.filePath(u"bots.json"_s));
    QFile own(m_dir.filePath(u"bots-%1.json"_s.arg(name)));
    if (base.open(QIODevice::ReadOnly) && own.open(QIODevice::WriteOnly)) {
        QJsonObject config = QJsonDocument::fromJson(base.readAll()).object();
        QJsonArray bots = config.value(u"bots"_s).toArray();
        for (QJsonValueRef bot : bots) {
            QJsonObject b = bot.toObject();
            b.insert(u"id"_s, QString(name + u'-' + b.value(u"id"_s).toString()));
            bot = b;
        }
        config.insert(u"bots"_s, bots);
        own.write(QJsonDocument(config).toJson());
    }
    own.close();
    // One journal for both, as two processes on one machine sharing a data directory.
    p->start(buildBinary("app/headless/vigil-headless"),
             {u"--config"_s, own.fileName(), u"--endpoint"_s, m_sim.url(), u"--app-id"_s, u"1089"_s,
              u"--redis"_s, m_redis.url(), u"--instance"_s, name, u"--db"_s, m_dir.filePath(u"journal.db"_s),
              u"--status-interval"_s, u"0"_s});
    return p;
}

void TestLeaseExpiry::stopRunner(QProcess *&runner)
{
    if (!runner)
        return;
    ::kill(pid_t(runner->processId()), SIGCONT); // harmless when it runs; a frozen one cannot stop otherwise
    runner->terminate();
    if (!runner->waitForFinished(30'000))
        runner->kill();
    runner->waitForFinished(5000);
    delete runner;
    runner = nullptr;
}

// One command over RESP; the raw reply (bulk strings without their framing, integers as text, nil as empty).
QByteArray TestLeaseExpiry::redis(const QList<QByteArray> &command)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_redis.port());
    if (!socket.waitForConnected(5000))
        return {};
    QByteArray out = '*' + QByteArray::number(command.size()) + "\r\n";
    for (const QByteArray &part : command)
        out += '$' + QByteArray::number(part.size()) + "\r\n" + part + "\r\n";
    socket.write(out);
    QByteArray in;
    while (socket.waitForReadyRead(5000)) {
        in += socket.readAll();
        const qsizetype eol = in.indexOf("\r\n");
        if (eol < 0)
            continue;
        if (in.startsWith('$')) {
            const qsizetype length = in.mid(1, eol - 1).toLongLong();
            if (length < 0)
                return {};
            if (in.size() >= eol + 2 + length + 2)
                return in.mid(eol + 2, length);
            continue;
        }
        return in.mid(1, eol - 1);
    }
    return {};
}

// A read-only look at the shared journal (a fresh connection each time, so no snapshot is held open).
QList<QVariantList> TestLeaseExpiry::journal(const QString &sql, const QVariantList &binds)
{
    QList<QVariantList> rows;
    const QString name = u"leaseexpiry-journal"_s;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(m_dir.filePath(u"journal.db"_s));
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=10000"_s);
        if (db.open()) {
            QSqlQuery q(db);
            q.prepare(sql);
            for (const QVariant &b : binds)
                q.addBindValue(b);
            if (q.exec()) {
                while (q.next()) {
                    QVariantList row;
                    for (int i = 0; i < q.record().count(); ++i)
                        row.append(q.value(i));
                    rows.append(row);
                }
            } else {
                qWarning() << "journal query failed:" << q.lastError().text();
            }
        } else {
            qWarning() << "journal open failed:" << db.lastError().text();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return rows;
}

bool TestLeaseExpiry::logsMention(const QString &runner, const QByteArray &needle) const
{
    QStringList files{m_dir.filePath(runner + u".out"_s)};
    QDirIterator it(m_dir.filePath(u"xdg-"_s + runner), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    for (const QString &path : std::as_const(files)) {
        QFile f(path);
        if (f.open(QIODevice::ReadOnly) && f.readAll().contains(needle))
            return true;
    }
    return false;
}

void TestLeaseExpiry::frozenHolderNeitherBuysNorJournalsAfterResume()
{
    const QStringList names{u"lease-0"_s, u"lease-1"_s};
    QHash<QString, QProcess *> runners;
    for (const QString &n : names)
        runners.insert(n, startRunner(n));
    auto cleanup = qScopeGuard([&] {
        for (QProcess *&p : runners)
            stopRunner(p);
        if (QTest::currentTestFailed()) {
            for (const QString &n : names) {
                QFile out(m_dir.filePath(n + u".out"_s));
                if (out.open(QIODevice::ReadOnly))
                    qInfo().noquote() << n << "wrote (last lines):\n" << out.readAll().right(6000);
            }
        }
    });
    QTRY_VERIFY_WITH_TIMEOUT(m_sim.accountStats().value(u"buys_completed"_s).toInt() >= 3, 120'000);

    // Catch an instance with its buy inside the simulator and the account lease in its name, and freeze it.
    // Confirmed after the stop: the buy is still unanswered, so its reply can only be read after SIGCONT.
    QString frozen;
    Buy held;
    qint64 heldFence = 0;
    const QByteArray holderKey = "vigil:holder:account:" + m_loginId.toUtf8();
    for (int attempt = 0; attempt < 500 && frozen.isEmpty(); ++attempt) {
        const QList<Buy> buys = recentBuys(m_sim.accountStats());
        if (buys.isEmpty() || !buys.last().inFlight) {
            QTest::qWait(20);
            continue;
        }
        const Buy candidate = buys.last();
        const QString name = instanceOf(candidate.tag);
        QVERIFY2(runners.contains(name), qPrintable(u"unattributed buy: "_s + candidate.tag));
        const QJsonObject holder = QJsonDocument::fromJson(redis({"HGET", holderKey, "info"})).object();
        if (holder.value(u"instance_id"_s).toString() != name) {
            QTest::qWait(20);
            continue;
        }
        ::kill(pid_t(runners.value(name)->processId()), SIGSTOP);
        const QJsonObject after = QJsonDocument::fromJson(redis({"HGET", holderKey, "info"})).object();
        const qint64 fence = redis({"HGET", holderKey, "fence"}).toLongLong();
        bool stillInFlight = false;
        for (const Buy &b : recentBuys(m_sim.accountStats()))
            stillInFlight = stillInFlight || (b.seq == candidate.seq && b.inFlight);
        if (stillInFlight && after.value(u"instance_id"_s).toString() == name && fence > 0) {
            frozen = name;
            held = candidate;
            heldFence = fence;
        } else {
            ::kill(pid_t(runners.value(name)->processId()), SIGCONT);
        }
    }
    QVERIFY2(!frozen.isEmpty(), "never caught the lease holder with its buy in flight");
    const QString other = frozen == names.at(0) ? names.at(1) : names.at(0);
    qInfo() << "froze" << frozen << "holding fence" << heldFence << "with buy" << held.tag << "in flight";

    // The frozen holder's trade row exists (written before the buy was sent) under its fence.
    QTRY_COMPARE_WITH_TIMEOUT(journal(u"SELECT status, fence FROM trades WHERE request_tag = ?"_s, {held.tag}).size(), 1, 10'000);

    // The simulator answers the frozen buy into the stopped process; the lease expires; the other instance
    // takes the account (a higher fence) and trades under it.
    qint64 frozenContract = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const Buy &b : recentBuys(m_sim.accountStats())) {
                if (b.seq == held.seq && !b.inFlight)
                    frozenContract = b.contractId;
            }
            return frozenContract != 0;
        }(),
        30'000);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const Buy &b : recentBuys(m_sim.accountStats())) {
                if (b.seq > held.seq && instanceOf(b.tag) == other && b.contractId != 0)
                    return true;
            }
            return false;
        }(),
        120'000);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const auto rows = journal(u"SELECT COUNT(*) FROM trades WHERE fence > ? AND contract_id IS NOT NULL"_s, {heldFence});
            return !rows.isEmpty() && rows.first().value(0).toInt() > 0;
        }(),
        60'000);

    QVERIFY(!logsMention(frozen, "StaleFence")); // nothing refused before it resumed
    const int resumedAt = m_sim.accountStats().value(u"buys_received"_s).toInt();
    QVERIFY(::kill(pid_t(runners.value(frozen)->processId()), SIGCONT) == 0);

    // (b) Its late write (the buy reply, or the lost-reply mark) is refused by fencing: the journal still
    // holds the row as the frozen holder left it, under its old fence, and the refusal is in its log.
    QTRY_VERIFY_WITH_TIMEOUT(logsMention(frozen, "StaleFence"), 60'000);
    // Its renewal is refused on resume: the lock is lost at once and its account's gate closes until re-armed.
    QTRY_VERIFY_WITH_TIMEOUT(logsMention(frozen, "halted until re-armed"), 60'000);
    {
        const auto rows = journal(u"SELECT status, fence, contract_id FROM trades WHERE request_tag = ?"_s, {held.tag});
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().value(0).toString(), u"pending"_s);
        QCOMPARE(rows.first().value(1).toLongLong(), heldFence);
        QVERIFY(rows.first().value(2).isNull());
    }

    // (a) Give the resumed instance every chance to buy: the other one keeps trading meanwhile.
    QTRY_VERIFY_WITH_TIMEOUT(m_sim.accountStats().value(u"buys_completed"_s).toInt() >= resumedAt + 5, 120'000);
    QTest::qWait(3000);
    const QJsonObject stats = m_sim.accountStats();
    for (const Buy &b : recentBuys(stats)) {
        if (b.seq > resumedAt)
            QVERIFY2(instanceOf(b.tag) != frozen, qPrintable(u"the stale holder bought after SIGCONT: "_s + b.tag));
    }
    // (c) Never two buys of the account inside the simulator at once.
    QCOMPARE(stats.value(u"max_buys_in_flight"_s).toInt(), 1);

    // (d) The other instance restarts while the frozen holder still runs (and heartbeats in the registry).
    // Its start-up reconciliation finds the held row naming a live instance: left to it, listed as in flight
    // there, neither failed nor its contract adopted as an orphan.
    const auto heldRow = journal(u"SELECT local_id FROM trades WHERE request_tag = ?"_s, {held.tag});
    QCOMPARE(heldRow.size(), 1);
    const qint64 heldLocalId = heldRow.first().value(0).toLongLong();
    const auto lastDiscrepancy = journal(u"SELECT COALESCE(MAX(id), 0) FROM discrepancies"_s);
    QCOMPARE(lastDiscrepancy.size(), 1);
    stopRunner(runners[other]);
    runners.insert(other, startRunner(other));
    QTRY_VERIFY_WITH_TIMEOUT(
        !journal(u"SELECT id FROM discrepancies WHERE id > ? AND kind = 'in_flight_elsewhere' AND local_id = ?"_s,
                 {lastDiscrepancy.first().value(0), heldLocalId})
             .isEmpty(),
        120'000);
    QCOMPARE(journal(u"SELECT status FROM trades WHERE request_tag = ?"_s, {held.tag}).first().value(0).toString(), u"pending"_s);
    QCOMPARE(journal(u"SELECT local_id FROM trades WHERE account = ? AND contract_id = ?"_s, {m_loginId, frozenContract}).size(), 0);

    // The contract is journaled exactly once: once the frozen holder is gone (a clean stop leaves the
    // registry), the running instance's reconciliation adopts it into the held row by itself (with the
    // newest fence), without a duplicate row.
    stopRunner(runners[frozen]);
    QTRY_VERIFY_WITH_TIMEOUT(
        journal(u"SELECT status FROM trades WHERE request_tag = ? AND status NOT IN ('pending', 'unknown')"_s, {held.tag}).size() == 1,
        120'000);
    stopRunner(runners[other]);
    // Without a restart: the run the registry watch started when the holder left.
    const auto resolvedBy = journal(u"SELECT r.trigger_kind FROM discrepancies d JOIN reconcile_reports r ON r.id = d.report_id "
                                    "WHERE d.local_id = ? AND d.kind = 'unknown_resolved'"_s,
                                    {heldLocalId});
    QCOMPARE(resolvedBy.size(), 1);
    QCOMPARE(resolvedBy.first().value(0).toString(), u"instance_gone"_s);
    const auto withContract = journal(u"SELECT request_tag FROM trades WHERE account = ? AND contract_id = ?"_s, {m_loginId, frozenContract});
    QCOMPARE(withContract.size(), 1);
    QCOMPARE(withContract.first().value(0).toString(), held.tag);
    QCOMPARE(m_sim.accountStats().value(u"max_buys_in_flight"_s).toInt(), 1);
}

int main(int argc, char *argv[])
{
    qputenv("QTEST_FUNCTION_TIMEOUT", "900000");
    QCoreApplication app(argc, argv);
    TestLeaseExpiry test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_leaseexpiry.moc"
