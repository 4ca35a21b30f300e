// SPDX-License-Identifier: GPL-3.0-or-later
// The file backend across processes: the test binary re-runs itself as a lock holder
// ("--hold <dir> <key>": acquire, print "LOCKED <fence> <pid>", keep the lock until stdin closes).
#include <cstdio>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "coordination/coordinationerror.h"
#include "coordination/filelockbackend.h"
#include "coordination/lockkey.h"
#include "support/resultcheck.h"

using namespace Vigil;

namespace {

InstanceIdentity identity(const QString &id)
{
    return InstanceIdentity::current(id);
}

int runHolder(const QString &dir, const QString &key)
{
    FileLockBackend backend(dir, identity(QStringLiteral("child-instance")));
    auto lease = backend.acquire(key, 60'000);
    if (!lease) {
        std::printf("FAILED %s\n", qPrintable(lease.error().toString()));
        std::fflush(stdout);
        return 2;
    }
    std::printf("LOCKED %lld %lld\n", static_cast<long long>(lease->fence),
        static_cast<long long>(QCoreApplication::applicationPid()));
    std::fflush(stdout);
    // Hold until the parent closes stdin (or kills us).
    char buf[64];
    while (std::fgets(buf, sizeof buf, stdin)) { }
    return backend.release(lease.value()) ? 0 : 3;
}

// A child process holding `key` in `dir`.
class Holder
{
public:
    bool start(const QString &dir, const QString &key)
    {
        m_proc.setProgram(QCoreApplication::applicationFilePath());
        m_proc.setArguments({ QStringLiteral("--hold"), dir, key });
        m_proc.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_proc.start();
        if (!m_proc.waitForStarted(5000))
            return false;
        while (!m_proc.canReadLine()) {
            if (!m_proc.waitForReadyRead(10'000))
                return false;
        }
        const QList<QByteArray> parts = m_proc.readLine().trimmed().split(' ');
        if (parts.size() != 3 || parts.at(0) != "LOCKED")
            return false;
        fence = parts.at(1).toLongLong();
        pid = parts.at(2).toLongLong();
        return true;
    }
    void releaseAndExit()
    {
        m_proc.closeWriteChannel();
        m_proc.waitForFinished(10'000);
    }
    void crash() // SIGKILL: no cleanup at all
    {
        m_proc.kill();
        m_proc.waitForFinished(10'000);
    }
    int exitCode() const { return m_proc.exitCode(); }
    ~Holder()
    {
        if (m_proc.state() != QProcess::NotRunning)
            crash();
    }

    qint64 fence = 0;
    qint64 pid = 0;

private:
    QProcess m_proc;
};

} // namespace

class TestFileLockBackend final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void exclusiveWithinOneProcess();
    void liveHolderInAnotherProcessKeepsTheLock();
    void oldLockOfALiveHolderIsNotStale();
    void crashedHolderIsTakenOver();
    void releasedByAnotherProcess();
    void fencesIncreaseAcrossProcesses();
    void deletedLockFileMeansNotOwner();
    void corruptFenceCounterIsRefused();
    void unusableDirectoryIsUnavailable();
    void releaseRefusesStrangersToken();

private:
    QTemporaryDir m_tmp;
    int m_n = 0;
    QString freshDir() { return m_tmp.filePath(QString::number(++m_n)); }
};

void TestFileLockBackend::exclusiveWithinOneProcess()
{
    const QString dir = freshDir();
    FileLockBackend a(dir, identity(QStringLiteral("A")));
    FileLockBackend b(dir, identity(QStringLiteral("B")));
    const QString key = LockKey::account(QStringLiteral("CR100"));
    auto la = a.acquire(key, 10'000);
    QVERIFY2(la.ok(), Test::describe(la));
    QCOMPARE(la->fence, 1);
    auto lb = b.acquire(key, 10'000);
    QVERIFY(!lb.ok());
    QCOMPARE(lb.error().code, QString(CoordinationError::LockHeld));
    QCOMPARE(
        lb.error().details.value(QStringLiteral("holder")).toObject().value(QStringLiteral("instance_id")).toString(),
        QStringLiteral("A"));
    QVERIFY(a.release(la.value()).ok());
    auto lb2 = b.acquire(key, 10'000);
    QVERIFY2(lb2.ok(), Test::describe(lb2));
    QCOMPARE(lb2->fence, 2);
}

void TestFileLockBackend::liveHolderInAnotherProcessKeepsTheLock()
{
    const QString dir = freshDir();
    const QString key = LockKey::account(QStringLiteral("CR100"));
    Holder child;
    QVERIFY(child.start(dir, key));

    FileLockBackend mine(dir, identity(QStringLiteral("parent")));
    auto r = mine.acquire(key, 10'000);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QString(CoordinationError::LockHeld));
    const QJsonObject holder = r.error().details.value(QStringLiteral("holder")).toObject();
    QCOMPARE(holder.value(QStringLiteral("pid")).toInteger(), child.pid);
    QCOMPARE(holder.value(QStringLiteral("instance_id")).toString(), QStringLiteral("child-instance"));
    QCOMPARE(holder.value(QStringLiteral("fence")).toInteger(), child.fence);

    auto info = mine.holderInfo(key);
    QVERIFY(info.ok() && info->has_value());
    QCOMPARE(info.value()->instance.pid, child.pid);
    QCOMPARE(info.value()->instance.instanceId, QStringLiteral("child-instance"));
    child.releaseAndExit();
    QCOMPARE(child.exitCode(), 0);
}

void TestFileLockBackend::oldLockOfALiveHolderIsNotStale()
{
    const QString dir = freshDir();
    const QString key = LockKey::account(QStringLiteral("CR100"));
    Holder child;
    QVERIFY(child.start(dir, key));
    // Age must not matter (staleLockTime 0): make the lock file look a day old.
    const QStringList locks = QDir(dir).entryList({ QStringLiteral("*.lock") }, QDir::Files);
    QCOMPARE(locks.size(), 1);
    QFile f(QDir(dir).filePath(locks.first()));
    QVERIFY(f.open(QIODevice::ReadWrite));
    QVERIFY(f.setFileTime(QDateTime::currentDateTimeUtc().addDays(-1), QFileDevice::FileModificationTime));
    f.close();
    FileLockBackend mine(dir, identity(QStringLiteral("parent")));
    QCOMPARE(mine.acquire(key, 10'000).error().code, QString(CoordinationError::LockHeld));
}

void TestFileLockBackend::crashedHolderIsTakenOver()
{
    const QString dir = freshDir();
    const QString key = LockKey::account(QStringLiteral("CR100"));
    Holder child;
    QVERIFY(child.start(dir, key));
    FileLockBackend mine(dir, identity(QStringLiteral("parent")));
    QVERIFY(!mine.acquire(key, 10'000).ok());
    child.crash();
    auto r = mine.acquire(key, 10'000);
    QVERIFY2(r.ok(), Test::describe(r));
    QVERIFY(r->fence > child.fence);
    auto info = mine.holderInfo(key);
    QCOMPARE(info.value()->instance.instanceId, QStringLiteral("parent"));
}

void TestFileLockBackend::releasedByAnotherProcess()
{
    const QString dir = freshDir();
    const QString key = LockKey::bot(QStringLiteral("bot-7"));
    Holder child;
    QVERIFY(child.start(dir, key));
    child.releaseAndExit();
    QCOMPARE(child.exitCode(), 0);
    FileLockBackend mine(dir, identity(QStringLiteral("parent")));
    auto info = mine.holderInfo(key);
    QVERIFY(info.ok());
    QVERIFY(!info->has_value());
    QVERIFY(mine.acquire(key, 10'000).ok());
}

void TestFileLockBackend::fencesIncreaseAcrossProcesses()
{
    const QString dir = freshDir();
    const QString key = LockKey::account(QStringLiteral("CR100"));
    qint64 last = 0;
    for (int round = 0; round < 3; ++round) {
        Holder child;
        QVERIFY(child.start(dir, key));
        QVERIFY(child.fence > last);
        last = child.fence;
        if (round == 1)
            child.crash();
        else
            child.releaseAndExit();
        FileLockBackend mine(dir, identity(QStringLiteral("parent")));
        auto r = mine.acquire(key, 10'000);
        QVERIFY2(r.ok(), Test::describe(r));
        QVERIFY(r->fence > last);
        last = r->fence;
        QVERIFY(mine.release(r.value()).ok());
    }
}

void TestFileLockBackend::deletedLockFileMeansNotOwner()
{
    const QString dir = freshDir();
    const QString key = LockKey::account(QStringLiteral("CR100"));
    FileLockBackend a(dir, identity(QStringLiteral("A")));
    auto la = a.acquire(key, 10'000);
    QVERIFY(la.ok());
    QVERIFY(a.renew(la.value()).ok());
    QVERIFY(a.verify(la.value()).value());
    const QStringList locks = QDir(dir).entryList({ QStringLiteral("*.lock") }, QDir::Files);
    QCOMPARE(locks.size(), 1);
    QVERIFY(QFile::remove(QDir(dir).filePath(locks.first())));
    QCOMPARE(a.renew(la.value()).error().code, QString(CoordinationError::NotOwner));
    QVERIFY(!a.verify(la.value()).value());
    // Someone else takes it; our release must not delete their lock.
    FileLockBackend b(dir, identity(QStringLiteral("B")));
    auto lb = b.acquire(key, 10'000);
    QVERIFY(lb.ok());
    QCOMPARE(a.release(la.value()).error().code, QString(CoordinationError::NotOwner));
    QVERIFY(b.verify(lb.value()).value());
}

void TestFileLockBackend::corruptFenceCounterIsRefused()
{
    const QString dir = freshDir();
    const QString key = LockKey::account(QStringLiteral("CR100"));
    FileLockBackend a(dir, identity(QStringLiteral("A")));
    auto la = a.acquire(key, 10'000);
    QVERIFY(la.ok());
    QVERIFY(a.release(la.value()).ok());
    const QStringList fences = QDir(dir).entryList({ QStringLiteral("*.fence") }, QDir::Files);
    QCOMPARE(fences.size(), 1);
    QFile f(QDir(dir).filePath(fences.first()));
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("garbage");
    f.close();
    auto r = a.acquire(key, 10'000);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QString(CoordinationError::Unavailable));
    QVERIFY(r.error().message.contains(QStringLiteral("corrupt")));
    // And the lock was not left taken.
    auto info = a.holderInfo(key);
    QVERIFY(info.ok() && !info->has_value());
}

void TestFileLockBackend::unusableDirectoryIsUnavailable()
{
    const QString blocker = m_tmp.filePath(QStringLiteral("a-file"));
    QFile f(blocker);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    FileLockBackend a(blocker + QStringLiteral("/locks"), identity(QStringLiteral("A")));
    auto r = a.acquire(LockKey::account(QStringLiteral("CR100")), 10'000);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QString(CoordinationError::Unavailable));
    QCOMPARE(a.ping().error().code, QString(CoordinationError::Unavailable));
}

void TestFileLockBackend::releaseRefusesStrangersToken()
{
    const QString dir = freshDir();
    const QString key = LockKey::account(QStringLiteral("CR100"));
    FileLockBackend a(dir, identity(QStringLiteral("A")));
    auto la = a.acquire(key, 10'000);
    QVERIFY(la.ok());
    Lease forged = la.value();
    forged.token = Lease::newToken();
    QCOMPARE(a.release(forged).error().code, QString(CoordinationError::NotOwner));
    QCOMPARE(a.renew(forged).error().code, QString(CoordinationError::NotOwner));
    QVERIFY(a.verify(la.value()).value());
}

int main(int argc, char *argv[])
{
    if (argc == 4 && qstrcmp(argv[1], "--hold") == 0) {
        QCoreApplication app(argc, argv);
        return runHolder(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]));
    }
    QCoreApplication app(argc, argv);
    TestFileLockBackend tc;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&tc, argc, argv);
}

#include "tst_filelockbackend.moc"
