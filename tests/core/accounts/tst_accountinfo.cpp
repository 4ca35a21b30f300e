// SPDX-License-Identifier: GPL-3.0-or-later
#include <QJsonDocument>
#include <QTest>

#include "accounts/accountinfo.h"

using namespace Vigil;

class TestAccountInfo final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fromAuthorizeReply_data();
    void fromAuthorizeReply();
    void loginIds_data();
    void loginIds();
};

void TestAccountInfo::fromAuthorizeReply_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("loginId");
    QTest::addColumn<QString>("currency");
    QTest::addColumn<bool>("isVirtual");
    QTest::addColumn<QStringList>("scopes");

    QTest::newRow("real")
        << QByteArray(R"({"loginid":"CR90000001","currency":"USD","is_virtual":0,"scopes":["read","trade"],"balance":10})")
        << true << "CR90000001" << "USD" << false << QStringList{"read", "trade"};
    QTest::newRow("virtual") << QByteArray(R"({"loginid":"VRTC1234","currency":"USD","is_virtual":1,"scopes":["read"]})")
                             << true << "VRTC1234" << "USD" << true << QStringList{"read"};
    QTest::newRow("virtual-as-string")
        << QByteArray(R"({"loginid":"VRTC1234","currency":"USD","is_virtual":"1","scopes":[]})") << true << "VRTC1234"
        << "USD" << true << QStringList{};
    QTest::newRow("virtual-as-bool")
        << QByteArray(R"({"loginid":"VRTC1234","currency":"USD","is_virtual":true,"scopes":[]})") << true << "VRTC1234"
        << "USD" << true << QStringList{};
    QTest::newRow("no-currency-yet") << QByteArray(R"({"loginid":"CR1","is_virtual":0,"scopes":["read"]})") << true
                                     << "CR1" << "" << false << QStringList{"read"};
    QTest::newRow("no-loginid") << QByteArray(R"({"currency":"USD","scopes":["read"]})") << false << "" << "" << false
                                << QStringList{};
    QTest::newRow("bad-loginid") << QByteArray(R"({"loginid":"token:x","scopes":["read"]})") << false << "" << ""
                                 << false << QStringList{};
    QTest::newRow("no-scopes") << QByteArray(R"({"loginid":"CR1","currency":"USD"})") << false << "" << "" << false
                               << QStringList{};
}

void TestAccountInfo::fromAuthorizeReply()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, ok);
    const Result<AccountInfo> info = AccountInfo::fromAuthorizeReply(QJsonDocument::fromJson(json).object());
    QCOMPARE(info.ok(), ok);
    if (!ok) {
        QCOMPARE(info.error().kind, ErrorKind::Protocol);
        return;
    }
    QFETCH(QString, loginId);
    QFETCH(QString, currency);
    QFETCH(bool, isVirtual);
    QFETCH(QStringList, scopes);
    QCOMPARE(info->loginId, loginId);
    QCOMPARE(info->currency, currency);
    QCOMPARE(info->isVirtual, isVirtual);
    QCOMPARE(info->scopes.names(), scopes);
    QVERIFY(info->tokenRef.isEmpty());
}

void TestAccountInfo::loginIds_data()
{
    QTest::addColumn<QString>("loginId");
    QTest::addColumn<bool>("valid");
    QTest::newRow("CR") << "CR1234567" << true;
    QTest::newRow("VRTC") << "VRTC7654321" << true;
    QTest::newRow("MF") << "MF12" << true;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("digits-only") << "1234" << false;
    QTest::newRow("letters-only") << "CR" << false;
    QTest::newRow("colon") << "CR:12" << false;
    QTest::newRow("space") << "CR 12" << false;
    QTest::newRow("trailing-newline") << "CR12\n" << false;
    QTest::newRow("too-long") << QStringLiteral("CR") + QString(40, u'1') << false;
}

void TestAccountInfo::loginIds()
{
    QFETCH(QString, loginId);
    QFETCH(bool, valid);
    QCOMPARE(AccountInfo::isValidLoginId(loginId), valid);
}

QTEST_APPLESS_MAIN(TestAccountInfo)
#include "tst_accountinfo.moc"
