// SPDX-License-Identifier: GPL-3.0-or-later
// Which instance wrote a trade row, read from its request tag, and what a liveness answer holds.
#include <QObject>
#include <QTest>

#include "reconcile/instanceliveness.h"

using namespace Vigil;
using namespace Qt::StringLiterals;


class TestInstanceLiveness final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ownerOf_data();
    void ownerOf();
    void livenessValues();
};

void TestInstanceLiveness::ownerOf_data()
{
    QTest::addColumn<QString>("tag");
    QTest::addColumn<QString>("owner");
    QTest::newRow("engine tag") << u"host-1234:bot-1:7"_s << u"host-1234"_s;
    QTest::newRow("uuid instance") << u"5f0c2a4e-8a3b-4c1d-9e2f-0123456789ab:a:1"_s
                                   << u"5f0c2a4e-8a3b-4c1d-9e2f-0123456789ab"_s;
    QTest::newRow("instance id with a colon") << u"box:9:bot_2:15"_s << u"box:9"_s;
    QTest::newRow("bot id with dots") << u"lease-0:bot.v2-x:3"_s << u"lease-0"_s;
    QTest::newRow("plain number") << u"17"_s << QString();
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("no instance part") << u":bot:1"_s << QString();
    QTest::newRow("no bot part") << u"host::1"_s << QString();
    QTest::newRow("sequence not a number") << u"host:bot:x1"_s << QString();
    QTest::newRow("no sequence") << u"host:bot:"_s << QString();
    QTest::newRow("two parts") << u"host:1"_s << QString();
}

void TestInstanceLiveness::ownerOf()
{
    QFETCH(QString, tag);
    QFETCH(QString, owner);
    QCOMPARE(InstanceLiveness::ownerOf(tag), owner);
}

void TestInstanceLiveness::livenessValues()
{
    const InstanceLiveness known = InstanceLiveness::of({u"engine-a"_s});
    QVERIFY(known.known);
    QVERIFY(known.alive.contains(u"engine-a"_s));
    const InstanceLiveness unknown = InstanceLiveness::unknown(u"redis down"_s);
    QVERIFY(!unknown.known);
    QCOMPARE(unknown.error, u"redis down"_s);
}

QTEST_APPLESS_MAIN(TestInstanceLiveness)
#include "tst_instanceliveness.moc"
