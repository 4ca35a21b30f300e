// SPDX-License-Identifier: GPL-3.0-or-later
#include <QTest>

#include "health/jsonduplicatekeys.h"

using namespace Vigil;

class TestJsonDuplicateKeys final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void finds_data();
    void finds();
};

void TestJsonDuplicateKeys::finds_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("path"); // empty: no duplicate
    QTest::addColumn<int>("line");
    QTest::newRow("none") << QByteArray(R"({"a": 1, "b": {"a": 2}, "c": [{"a": 1}, {"a": 2}]})") << QString() << 0;
    QTest::newRow("top level") << QByteArray("{\"a\": 1,\n \"a\": 2}") << QStringLiteral("a") << 2;
    QTest::newRow("nested") << QByteArray(R"({"bots": [{"id": "x"}, {"id": "y", "strategy": {"stake": "1", "stake": "2"}}]})")
                            << QStringLiteral("bots[1].strategy.stake") << 1;
    QTest::newRow("escaped equal") << QByteArray(R"({"ab": 1, "\u0061b": 2})") << QStringLiteral("ab") << 1;
    QTest::newRow("string values not keys") << QByteArray(R"({"a": "a", "b": ["a", "a"], "c": "{\"a\":1,\"a\":2}"})") << QString() << 0;
    QTest::newRow("same key in sibling objects") << QByteArray(R"([{"k": 1}, {"k": 1}])") << QString() << 0;
    QTest::newRow("after a nested object") << QByteArray(R"({"o": {"x": 1}, "p": [], "o": 2})") << QStringLiteral("o") << 1;
}

void TestJsonDuplicateKeys::finds()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, path);
    QFETCH(int, line);
    const std::optional<JsonDuplicateKeys::Duplicate> d = JsonDuplicateKeys::find(json);
    if (path.isEmpty()) {
        QVERIFY2(!d, d ? qPrintable(d->path) : "");
        return;
    }
    QVERIFY(d);
    QCOMPARE(d->path, path);
    QCOMPARE(d->line, line);
}

QTEST_APPLESS_MAIN(TestJsonDuplicateKeys)
#include "tst_jsonduplicatekeys.moc"
