// SPDX-License-Identifier: GPL-3.0-or-later
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "health/redactor.h"

using Vigil::Redactor;

class TestRedactor final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void masksSecretFieldsInRawText();
    void masksRegisteredSecretsAnywhere();
    void masksJsonAtAnyDepth();
};

void TestRedactor::masksSecretFieldsInRawText()
{
    const QString frame = QStringLiteral(R"({"authorize":"a1-Secret123","req_id":3} trailing {"new_token" : "x\"y"})");
    const QString out = Redactor::redact(frame);
    QVERIFY(!out.contains(QStringLiteral("a1-Secret123")));
    QVERIFY(!out.contains(QStringLiteral("x\\\"y")));
    QVERIFY(out.contains(QStringLiteral("\"req_id\":3")));
    QVERIFY(out.contains(QStringLiteral("\"authorize\":\"<redacted>\"")));
}

void TestRedactor::masksRegisteredSecretsAnywhere()
{
    const QString token = QStringLiteral("TokTok9988XYZ");
    QVERIFY(Redactor::redact(QStringLiteral("bad token ") + token).contains(token));
    Redactor::registerSecret(token);
    QVERIFY(!Redactor::redact(QStringLiteral("bad token ") + token + QStringLiteral(" here")).contains(token));
    Redactor::forgetSecret(token);
    QVERIFY(Redactor::redact(token).contains(token));
}

void TestRedactor::masksJsonAtAnyDepth()
{
    const QJsonObject in{{QStringLiteral("echo_req"), QJsonObject{{QStringLiteral("authorize"), QStringLiteral("abcSECRET")}}},
                         {QStringLiteral("api_token"), QJsonObject{{QStringLiteral("tokens"),
                             QJsonArray{QJsonObject{{QStringLiteral("token"), QStringLiteral("abcSECRET2")},
                                                    {QStringLiteral("display_name"), QStringLiteral("bot")}}}}}},
                         {QStringLiteral("msg_type"), QStringLiteral("authorize")}};
    const QJsonObject out = Redactor::redactJson(in);
    const QByteArray text = QJsonDocument(out).toJson();
    QVERIFY(!text.contains("abcSECRET"));
    QVERIFY(text.contains("display_name"));
    QCOMPARE(out.value(QStringLiteral("msg_type")).toString(), QStringLiteral("authorize"));
}

QTEST_APPLESS_MAIN(TestRedactor)
#include "tst_redactor.moc"
