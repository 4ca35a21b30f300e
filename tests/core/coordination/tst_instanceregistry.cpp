// SPDX-License-Identifier: GPL-3.0-or-later
// InstanceRegistry over the file store (one machine), driven by a FakeClock.
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "coordination/fileinstancestore.h"
#include "coordination/instanceregistry.h"
#include "support/fakeclock.h"

using namespace Vigil;

namespace {
InstanceIdentity identity(const QString &id, qint64 pid)
{
    InstanceIdentity i;
    i.instanceId = id;
    i.host = QStringLiteral("box");
    i.pid = pid;
    i.app = QStringLiteral("vigil");
    i.version = QStringLiteral("0.1.0");
    return i;
}

QStringList ids(const QList<InstanceInfo> &list)
{
    QStringList out;
    for (const InstanceInfo &i : list)
        out << i.identity.instanceId;
    out.sort();
    return out;
}
} // namespace

class TestInstanceRegistry final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void instancesSeeEachOther();
    void botsAreReported();
    void silentInstanceExpires();
    void stopRemovesTheEntry();
    void failedReadIsUnknownNotEmpty();

private:
    std::unique_ptr<InstanceRegistry> registry(const QString &id, qint64 pid, const QString &dir = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    Test::FakeClock m_clock;
};

void TestInstanceRegistry::init()
{
    qRegisterMetaType<QList<Vigil::InstanceInfo>>();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

std::unique_ptr<InstanceRegistry> TestInstanceRegistry::registry(const QString &id, qint64 pid, const QString &dir)
{
    return std::make_unique<InstanceRegistry>(
        std::make_unique<FileInstanceStore>(dir.isEmpty() ? m_dir->path() : dir, m_clock), identity(id, pid), m_clock,
        1000);
}

void TestInstanceRegistry::instancesSeeEachOther()
{
    auto a = registry(QStringLiteral("A"), 10);
    auto b = registry(QStringLiteral("B"), 20);
    QSignalSpy changedA(a.get(), &InstanceRegistry::instancesChanged);
    QVERIFY(!a->instancesKnown());
    a->heartbeatNow();
    QVERIFY(a->instancesKnown());
    QCOMPARE(ids(a->instances()), QStringList { QStringLiteral("A") });
    b->heartbeatNow();
    QCOMPARE(ids(b->instances()), (QStringList { QStringLiteral("A"), QStringLiteral("B") }));
    a->heartbeatNow();
    QCOMPARE(ids(a->instances()), (QStringList { QStringLiteral("A"), QStringLiteral("B") }));
    QCOMPARE(changedA.count(), 2);
    m_clock.advance(100);
    a->heartbeatNow(); // only last-seen moved: no change signal
    QCOMPARE(changedA.count(), 2);

    const auto list = a->instances();
    const auto it
        = std::find_if(list.cbegin(), list.cend(), [](const InstanceInfo &i) { return i.identity.instanceId == u"B"; });
    QVERIFY(it != list.cend());
    QCOMPARE(it->identity.pid, 20);
    QCOMPARE(it->identity.host, QStringLiteral("box"));
    QCOMPARE(it->identity.version, QStringLiteral("0.1.0"));
    QCOMPARE(it->lastSeenMs, m_clock.nowMs() - 100);
}

void TestInstanceRegistry::botsAreReported()
{
    auto a = registry(QStringLiteral("A"), 10);
    auto b = registry(QStringLiteral("B"), 20);
    a->setBots({ QStringLiteral("bot-1"), QStringLiteral("bot-2") });
    QCoreApplication::processEvents(); // setBots posts a heartbeat
    b->heartbeatNow();
    const auto list = b->instances();
    const auto it
        = std::find_if(list.cbegin(), list.cend(), [](const InstanceInfo &i) { return i.identity.instanceId == u"A"; });
    QVERIFY(it != list.cend());
    QCOMPARE(it->bots, (QStringList { QStringLiteral("bot-1"), QStringLiteral("bot-2") }));
}

void TestInstanceRegistry::silentInstanceExpires()
{
    auto a = registry(QStringLiteral("A"), 10);
    auto b = registry(QStringLiteral("B"), 20);
    a->heartbeatNow();
    b->heartbeatNow();
    QCOMPARE(b->instances().size(), 2);
    m_clock.advance(2999); // entry ttl = 3 heartbeat intervals
    b->heartbeatNow();
    QCOMPARE(b->instances().size(), 2);
    m_clock.advance(2);
    b->heartbeatNow();
    QCOMPARE(ids(b->instances()), QStringList { QStringLiteral("B") });
}

void TestInstanceRegistry::stopRemovesTheEntry()
{
    auto a = registry(QStringLiteral("A"), 10);
    auto b = registry(QStringLiteral("B"), 20);
    a->heartbeatNow();
    b->heartbeatNow();
    a->stop();
    b->heartbeatNow();
    QCOMPARE(ids(b->instances()), QStringList { QStringLiteral("B") });
}

void TestInstanceRegistry::failedReadIsUnknownNotEmpty()
{
    const QString blocker = m_dir->filePath(QStringLiteral("not-a-dir"));
    QFile f(blocker);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    auto a = registry(QStringLiteral("A"), 10);
    a->heartbeatNow();
    QVERIFY(a->instancesKnown());
    auto broken = registry(QStringLiteral("C"), 30, blocker + QStringLiteral("/sub"));
    QSignalSpy failed(broken.get(), &InstanceRegistry::heartbeatFailed);
    broken->heartbeatNow();
    QCOMPARE(failed.count(), 1);
    QVERIFY(!broken->instancesKnown());
}

QTEST_GUILESS_MAIN(TestInstanceRegistry)
#include "tst_instanceregistry.moc"
