// SPDX-License-Identifier: GPL-3.0-or-later
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include "deriv/framecodec.h"
#include "health/redactor.h"

using namespace Vigil;

class TestFrameCodec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decodesReply()
    {
        const FrameCodec codec;
        const auto r = codec.decode(QByteArrayView(
            R"({"msg_type":"buy","req_id":7,"echo_req":{"buy":"1","price":10},"buy":{"contract_id":11,"buy_price":10}})"));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
        QCOMPARE(r->msgType, QStringLiteral("buy"));
        QCOMPARE(r->reqId.value_or(-1), 7);
        QVERIFY(!r->isError());
        QVERIFY(!r->isStream());
        QCOMPARE(r->body.toObject().value(QLatin1String("contract_id")).toInt(), 11);
        QCOMPARE(r->echoReq.value(QLatin1String("buy")).toString(), QStringLiteral("1"));
    }

    void decodesStreamMessage()
    {
        const FrameCodec codec;
        const auto r = codec.decode(QByteArrayView(
            R"({"msg_type":"tick","req_id":3,"subscription":{"id":"abc-1"},"tick":{"epoch":1700000000,"quote":1234.5}})"));
        QVERIFY(r.ok());
        QVERIFY(r->isStream());
        QCOMPARE(r->subscriptionId, QStringLiteral("abc-1"));
        QCOMPARE(r->body.toObject().value(QLatin1String("epoch")).toInteger(), 1700000000);
    }

    void decodesBrokerError()
    {
        const FrameCodec codec;
        const auto r = codec.decode(QByteArrayView(
            R"({"msg_type":"proposal","req_id":9,"error":{"code":"InputValidationFailed","message":"Input validation failed: amount","details":{"amount":"bad"}}})"));
        QVERIFY(r.ok());
        QVERIFY(r->isError());
        const Error &e = *r->error;
        QCOMPARE(e.kind, ErrorKind::Broker);
        QCOMPARE(e.code, QStringLiteral("InputValidationFailed"));
        QCOMPARE(e.message, QStringLiteral("Input validation failed: amount"));
        QCOMPARE(e.details.value(QLatin1String("amount")).toString(), QStringLiteral("bad"));
        QCOMPARE(e.msgType, QStringLiteral("proposal"));
        QCOMPARE(e.reqId, 9);
    }

    // Some servers echo req_id back as text, or leave it out of an error and keep only echo_req's copy.
    void readsReqIdLeniently_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<qint64>("reqId");
        QTest::newRow("numeric string") << QByteArray(R"({"msg_type":"ping","req_id":"42","ping":"pong"})") << qint64(42);
        QTest::newRow("integral double") << QByteArray(R"({"msg_type":"ping","req_id":42.0,"ping":"pong"})") << qint64(42);
        QTest::newRow("error with echo_req only")
            << QByteArray(R"({"msg_type":"buy","echo_req":{"buy":"1","req_id":17},"error":{"code":"InsufficientBalance","message":"m"}})")
            << qint64(17);
        QTest::newRow("echo_req numeric string")
            << QByteArray(R"({"msg_type":"buy","echo_req":{"buy":"1","req_id":"18"},"buy":{}})") << qint64(18);
        QTest::newRow("top level wins over echo_req")
            << QByteArray(R"({"msg_type":"buy","req_id":5,"echo_req":{"req_id":6},"buy":{}})") << qint64(5);
    }
    void readsReqIdLeniently()
    {
        QFETCH(QByteArray, frame);
        QFETCH(qint64, reqId);
        const FrameCodec codec;
        const auto r = codec.decode(QByteArrayView(frame));
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
        QCOMPARE(r->reqId.value_or(-1), reqId);
        if (r->error)
            QCOMPARE(r->error->reqId, reqId);
    }

    void keepsNonObjectErrorDetails()
    {
        const FrameCodec codec;
        const auto r = codec.decode(QByteArrayView(R"({"msg_type":"buy","error":{"code":"X","message":"m","details":"text"}})"));
        QVERIFY(r.ok());
        QCOMPARE(r->error->details.value(QLatin1String("value")).toString(), QStringLiteral("text"));
    }

    void rejects_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QString>("code");
        QTest::addColumn<qint64>("reqId");
        QTest::newRow("not json") << QByteArray("{\"msg_type\":") << "NotJson" << qint64(0);
        QTest::newRow("garbage") << QByteArray("hello") << "NotJson" << qint64(0);
        QTest::newRow("invalid utf-8") << QByteArray("{\"msg_type\":\"a\xff\xfe\"}") << "NotJson" << qint64(0);
        QTest::newRow("empty") << QByteArray("") << "NotJson" << qint64(0);
        QTest::newRow("array") << QByteArray("[1,2]") << "NotObject" << qint64(0);
        QTest::newRow("scalar") << QByteArray("42") << "NotObject" << qint64(0);
        QTest::newRow("string scalar") << QByteArray("\"pong\"") << "NotObject" << qint64(0);
        QTest::newRow("two scalars") << QByteArray("1,2") << "NotJson" << qint64(0);
        // Cut short or split in two frames: the req_id the text still shows names the request it answers.
        QTest::newRow("reply cut short") << QByteArray("{\"echo_req\":{\"ping\":1,\"req_id\":42},\"msg_type\":\"ping\",") << "NotJson" << qint64(42);
        QTest::newRow("second half of a split reply") << QByteArray("d\":1},\"msg_type\":\"buy\",\"req_id\":\"42\"}") << "NotJson" << qint64(42);
        QTest::newRow("req_id cut in its digits") << QByteArray("{\"msg_type\":\"buy\",\"req_id\":4") << "NotJson" << qint64(0);
        QTest::newRow("req_ids that disagree") << QByteArray("{\"a\":{\"req_id\":4},\"req_id\":5,\"x\":") << "NotJson" << qint64(0);
        QTest::newRow("missing msg_type") << QByteArray(R"({"req_id":4,"ping":"pong"})") << "MissingMsgType" << qint64(4);
        QTest::newRow("msg_type number") << QByteArray(R"({"msg_type":5})") << "BadMsgType" << qint64(0);
        QTest::newRow("msg_type empty") << QByteArray(R"({"msg_type":""})") << "BadMsgType" << qint64(0);
        QTest::newRow("req_id non-numeric string") << QByteArray(R"({"msg_type":"ping","req_id":"4a"})") << "BadReqId" << qint64(0);
        QTest::newRow("req_id fraction string") << QByteArray(R"({"msg_type":"ping","req_id":"4.5"})") << "BadReqId" << qint64(0);
        QTest::newRow("req_id fraction") << QByteArray(R"({"msg_type":"ping","req_id":4.5})") << "BadReqId" << qint64(0);
        QTest::newRow("req_id huge") << QByteArray(R"({"msg_type":"ping","req_id":1e300})") << "BadReqId" << qint64(0);
        QTest::newRow("req_id object") << QByteArray(R"({"msg_type":"ping","req_id":{}})") << "BadReqId" << qint64(0);
        QTest::newRow("error string") << QByteArray(R"({"msg_type":"buy","req_id":8,"error":"boom"})") << "BadError" << qint64(8);
        QTest::newRow("error code number") << QByteArray(R"({"msg_type":"buy","error":{"code":1,"message":"m"}})") << "BadError" << qint64(0);
        QTest::newRow("error message number") << QByteArray(R"({"msg_type":"buy","error":{"code":"X","message":1}})") << "BadError" << qint64(0);
        QTest::newRow("subscription string") << QByteArray(R"({"msg_type":"tick","subscription":"abc"})") << "BadSubscription" << qint64(0);
        QTest::newRow("subscription no id") << QByteArray(R"({"msg_type":"tick","subscription":{}})") << "BadSubscription" << qint64(0);
        QTest::newRow("echo_req array") << QByteArray(R"({"msg_type":"tick","echo_req":[]})") << "BadEnvelope" << qint64(0);
        QTest::newRow("passthrough string") << QByteArray(R"({"msg_type":"tick","passthrough":"x"})") << "BadEnvelope" << qint64(0);
    }

    void rejects()
    {
        QFETCH(QByteArray, frame);
        QFETCH(QString, code);
        QFETCH(qint64, reqId);
        const FrameCodec codec;
        const auto r = codec.decode(QByteArrayView(frame));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Protocol);
        QCOMPARE(r.error().code, code);
        QCOMPARE(r.error().reqId, reqId);
        QVERIFY(!r.error().message.isEmpty());
    }

    void rejectsOversizedBeforeParsing()
    {
        const FrameCodec codec(FrameCodec::Options{64});
        const QByteArray big = QByteArray("{\"msg_type\":\"tick\",\"pad\":\"") + QByteArray(100, 'x') + "\"}";
        const auto r = codec.decode(QByteArrayView(big));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("Oversized"));
        const auto fromString = codec.decode(QString::fromUtf8(big));
        QCOMPARE(fromString.error().code, QStringLiteral("Oversized"));
        // Exactly at the limit is fine.
        const QByteArray fits = QByteArray("{\"msg_type\":\"x\",\"p\":\"") + QByteArray(64 - 23, 'y') + "\"}";
        QCOMPARE(fits.size(), 64);
        QVERIFY(codec.decode(QByteArrayView(fits)).ok());
    }

    void defaultLimitIsFourMiB()
    {
        QCOMPARE(FrameCodec().options().maxFrameBytes, qsizetype(4 * 1024 * 1024));
    }

    void encodeRoundTrips()
    {
        const QJsonObject request{{QStringLiteral("ticks"), QStringLiteral("R_100")},
                                  {QStringLiteral("subscribe"), 1},
                                  {QStringLiteral("req_id"), 12}};
        const QByteArray frame = FrameCodec::encode(request);
        QVERIFY(!frame.contains('\n'));
        QCOMPARE(QJsonDocument::fromJson(frame).object(), request);
    }

    void excerptMasksSecretsAndIsShort()
    {
        const QString token = QStringLiteral("a1B2c3D4e5F6g7H8");
        Redactor::registerSecret(token);
        const QString raw = QStringLiteral("{\"authorize\":\"%1\",\"pad\":\"%2\",\"again\":\"%1\"")
                                .arg(token, QString(3000, u'z'));
        const QString e = FrameCodec::excerpt(raw);
        QVERIFY(e.size() <= 512);
        QVERIFY(!e.contains(token));
        QVERIFY(e.contains(QLatin1String("<redacted>")));
        QVERIFY(e.endsWith(QStringLiteral("…")));
    }

    void excerptMasksUnregisteredFieldCutOff()
    {
        // A secret-bearing field whose value never closes within the window is still masked.
        const QString raw = QStringLiteral("{\"token\":\"") + QString(5000, u's');
        const QString e = FrameCodec::excerpt(raw, 100);
        QVERIFY(e.size() <= 100);
        QVERIFY(!e.contains(QLatin1String("sss")));
        QVERIFY(e.contains(QLatin1String("<redacted>")));
    }

    void excerptReplacesControlCharacters()
    {
        const QString e = FrameCodec::excerpt(QStringLiteral("ab\ncd\x01\x7f"));
        QCOMPARE(e, QStringLiteral("ab?cd??"));
    }
};

QTEST_APPLESS_MAIN(TestFrameCodec)
#include "tst_framecodec.moc"
