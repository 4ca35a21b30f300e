// SPDX-License-Identifier: GPL-3.0-or-later
// TickFrame: the typed-tick fast path reads what FrameCodec reads, and declines everything it is not sure of.
#include <cmath>

#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

#include "deriv/framecodec.h"
#include "deriv/tickframe.h"

using namespace Vigil;

namespace {

// A tick as the simulator (and Deriv) sends it.
const QString s_frame = QStringLiteral(
    R"({"echo_req":{"req_id":3,"subscribe":1,"ticks":"R_100"},"msg_type":"tick","req_id":3,)"
    R"("subscription":{"id":"1ebebcbb-0958-4e74-bca0-cbfd9d07977f"},"tick":{"ask":1234.75,"bid":1234.73,)"
    R"("epoch":1795325784,"id":"1ebebcbb-0958-4e74-bca0-cbfd9d07977f","pip_size":2,"quote":1234.74,"symbol":"R_100"}})");

// Whatever read() takes, FrameCodec must decode to the same values.
QString disagreement(const QString &frame, const TickFrame &t)
{
    static const FrameCodec codec;
    const Result<DerivMessage> decoded = codec.decode(frame);
    if (!decoded)
        return QStringLiteral("FrameCodec refuses it: ") + decoded.error().toString();
    const DerivMessage &m = decoded.value();
    const QJsonObject tick = m.body.toObject();
    if (m.msgType != QLatin1String("tick") || m.isError())
        return QStringLiteral("not a tick without error");
    if (m.subscriptionId != t.subscriptionId)
        return QStringLiteral("subscription id %1 vs %2").arg(m.subscriptionId, t.subscriptionId.toString());
    if (m.reqId.value_or(0) != t.reqId)
        return QStringLiteral("req_id %1 vs %2").arg(m.reqId.value_or(0)).arg(t.reqId);
    if (tick.value(QLatin1String("symbol")).toString() != t.symbol)
        return QStringLiteral("symbol");
    const QJsonValue epoch = tick.value(QLatin1String("epoch"));
    if (!epoch.isDouble() || epoch.toInteger() != t.epoch)
        return QStringLiteral("epoch");
    const QJsonValue pip = tick.value(QLatin1String("pip_size"));
    if (t.pipSize < 0 ? !pip.isUndefined() : (!pip.isDouble() || pip.toInteger() != t.pipSize))
        return QStringLiteral("pip_size");
    // Both correctly rounded: the parsed double is the exact quotient of the same decimal.
    const QJsonValue quote = tick.value(QLatin1String("quote"));
    if (!quote.isDouble() || (std::abs(t.quoteUnits) < (qint64(1) << 53)
                              && quote.toDouble() != double(t.quoteUnits) / std::pow(10.0, t.quoteDecimals)))
        return QStringLiteral("quote %1 vs %2e-%3").arg(quote.toDouble()).arg(t.quoteUnits).arg(t.quoteDecimals);
    return {};
}

QString mutate(QString s, QRandomGenerator &rng)
{
    static const QString alphabet = QStringLiteral("{}[]\",:\\ 0123456789.-+eEtfnulr_\x01\t\né\u20ac");
    const int ops = 1 + int(rng.bounded(3));
    for (int i = 0; i < ops && !s.isEmpty(); ++i) {
        const qsizetype at = rng.bounded(int(s.size()));
        const QChar c = alphabet.at(rng.bounded(int(alphabet.size())));
        switch (rng.bounded(5)) {
        case 0: s.remove(at, 1); break;
        case 1: s.insert(at, c); break;
        case 2: s[at] = c; break;
        case 3: { // repeat a piece: duplicate keys, nested objects
            const qsizetype len = 1 + rng.bounded(int(std::min<qsizetype>(40, s.size() - at)));
            s.insert(at, s.mid(at, len));
            break;
        }
        default: { // cut a piece out
            const qsizetype len = 1 + rng.bounded(int(std::min<qsizetype>(40, s.size() - at)));
            s.remove(at, len);
            break;
        }
        }
    }
    return s;
}

} // namespace

class TestTickFrame : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsALiveTick()
    {
        const std::optional<TickFrame> t = TickFrame::read(s_frame);
        QVERIFY(t);
        QCOMPARE(t->subscriptionId, u"1ebebcbb-0958-4e74-bca0-cbfd9d07977f");
        QCOMPARE(t->symbol, u"R_100");
        QCOMPARE(t->reqId, 3);
        QCOMPARE(t->epoch, 1795325784);
        QCOMPARE(t->quoteUnits, 123474);
        QCOMPARE(t->quoteDecimals, 2);
        QCOMPARE(t->pipSize, 2);
        QCOMPARE(disagreement(s_frame, *t), QString());
    }

    void readsWhatJsonAllows_data()
    {
        QTest::addColumn<QString>("frame");
        QTest::addColumn<qint64>("units");
        QTest::addColumn<int>("decimals");
        QTest::addColumn<int>("pipSize");
        QTest::newRow("spaces, other order, no req_id nor echo_req")
            << QStringLiteral(" {\n\t\"tick\" : { \"symbol\":\"R_10\" , \"quote\" : -0.5, \"epoch\":7 } ,"
                              "\"subscription\":{\"id\":\"x\",\"more\":[1,{\"a\":null},true,false,\"s\\n\"]},"
                              "\"msg_type\":\"tick\"}\r\n")
            << qint64(-5) << 1 << -1;
        QTest::newRow("escapes in strings nobody reads, passthrough")
            // (not a raw string: moc misreads \" inside one)
            << QStringLiteral("{\"msg_type\":\"tick\",\"passthrough\":{\"k\":\"a\\\"b\\\\c\\/d\\b\\f\\r\\t\"},\"req_id\":9,"
                              "\"subscription\":{\"id\":\"s\"},\"tick\":{\"epoch\":1,\"quote\":12,\"symbol\":\"R_50\",\"pip_size\":4}}")
            << qint64(12) << 0 << 4;
    }

    void readsWhatJsonAllows()
    {
        QFETCH(QString, frame);
        const std::optional<TickFrame> t = TickFrame::read(frame);
        QVERIFY(t);
        QFETCH(qint64, units);
        QFETCH(int, decimals);
        QCOMPARE(t->quoteUnits, units);
        QFETCH(int, pipSize);
        QCOMPARE(t->quoteDecimals, decimals);
        QCOMPARE(t->pipSize, pipSize);
        QCOMPARE(disagreement(frame, *t), QString());
    }

    void declines_data()
    {
        QTest::addColumn<QString>("frame");
        const auto edit = [](const char *name, const QString &before, const QString &after) {
            QString f = s_frame;
            QVERIFY2(f.contains(before), name);
            QTest::newRow(name) << f.replace(before, after);
        };
        edit("another message", QStringLiteral(R"("msg_type":"tick")"), QStringLiteral(R"("msg_type":"ohlc")"));
        edit("an error", QStringLiteral(R"("msg_type":"tick",)"),
             QStringLiteral(R"("msg_type":"tick","error":{"code":"X","message":"m"},)"));
        edit("no subscription", QStringLiteral(R"("subscription":{"id":"1ebebcbb-0958-4e74-bca0-cbfd9d07977f"},)"), {});
        edit("empty subscription id", QStringLiteral(R"("id":"1ebebcbb-0958-4e74-bca0-cbfd9d07977f"},)"),
             QStringLiteral(R"("id":""},)"));
        edit("numeric subscription id", QStringLiteral(R"("id":"1ebebcbb-0958-4e74-bca0-cbfd9d07977f"},)"),
             QStringLiteral(R"("id":5},)"));
        edit("msg_type twice", QStringLiteral(R"("msg_type":"tick",)"), QStringLiteral(R"("msg_type":"tick","msg_type":"tick",)"));
        edit("epoch twice", QStringLiteral(R"("epoch":1795325784,)"), QStringLiteral(R"("epoch":1795325784,"epoch":1795325785,)"));
        edit("tick twice", QStringLiteral(R"("msg_type":"tick",)"),
             QStringLiteral(R"("msg_type":"tick","tick":{"epoch":1,"quote":1,"symbol":"R_10"},)"));
        edit("key spelt with an escape", QStringLiteral(R"("msg_type")"), QStringLiteral(R"("msg\u005ftype")"));
        edit("a \\u escape anywhere", QStringLiteral(R"("ticks":"R_100")"), QStringLiteral(R"("ticks":"R\u005f100")"));
        edit("an invalid escape", QStringLiteral(R"("ticks":"R_100")"), QStringLiteral(R"("ticks":"R\x100")"));
        edit("non-ASCII text", QStringLiteral(R"("ticks":"R_100")"), QStringLiteral("\"ticks\":\"R_100é\""));
        edit("a control character", QStringLiteral(R"("ticks":"R_100")"), QStringLiteral("\"ticks\":\"R_\x01" "100\""));
        edit("an exponent", QStringLiteral(R"("ask":1234.75)"), QStringLiteral(R"("ask":1.23475e3)"));
        edit("a leading zero", QStringLiteral(R"("ask":1234.75)"), QStringLiteral(R"("ask":01234.75)"));
        edit("a bare dot", QStringLiteral(R"("ask":1234.75)"), QStringLiteral(R"("ask":1234.)"));
        edit("quote as text", QStringLiteral(R"("quote":1234.74)"), QStringLiteral(R"("quote":"1234.74")"));
        edit("quote of 19 digits", QStringLiteral(R"("quote":1234.74)"), QStringLiteral(R"("quote":1234567890.123456789)"));
        edit("epoch as text", QStringLiteral(R"("epoch":1795325784)"), QStringLiteral(R"("epoch":"1795325784")"));
        edit("fractional epoch", QStringLiteral(R"("epoch":1795325784)"), QStringLiteral(R"("epoch":1795325784.5)"));
        edit("fractional pip_size", QStringLiteral(R"("pip_size":2)"), QStringLiteral(R"("pip_size":2.5)"));
        edit("no symbol", QStringLiteral(R"(,"symbol":"R_100")"), {});
        edit("req_id 0", QStringLiteral(R"("req_id":3,"sub)"), QStringLiteral(R"("req_id":0,"sub)"));
        edit("req_id as text", QStringLiteral(R"("req_id":3,"sub)"), QStringLiteral(R"("req_id":"3","sub)"));
        edit("echo_req without req_id", QStringLiteral(R"("req_id":3,"sub)"), QStringLiteral(R"("sub)"));
        edit("echo_req not an object", QStringLiteral(R"({"req_id":3,"subscribe":1,"ticks":"R_100"})"),
             QStringLiteral("[]"));
        edit("a trailing comma", QStringLiteral(R"("symbol":"R_100"})"), QStringLiteral(R"("symbol":"R_100",})"));
        edit("a missing comma", QStringLiteral(R"("bid":1234.73,)"), QStringLiteral(R"("bid":1234.73 )"));
        edit("garbage after", QStringLiteral(R"("R_100"}})"), QStringLiteral(R"("R_100"}}x)"));
        edit("cut short", QStringLiteral(R"("R_100"}})"), QStringLiteral(R"("R_100"})"));
        edit("bad literal", QStringLiteral(R"("subscribe":1)"), QStringLiteral(R"("subscribe":tru)"));
        QString deep = QStringLiteral("1");
        for (int i = 0; i < 40; ++i)
            deep = u'[' + deep + u']';
        edit("40 levels deep", QStringLiteral(R"("subscribe":1)"), QStringLiteral("\"subscribe\":") + deep);
        QTest::newRow("an array") << QStringLiteral("[") + s_frame + u']';
        QTest::newRow("empty") << QString();
    }

    void declines()
    {
        QFETCH(QString, frame);
        QVERIFY(!TickFrame::read(frame));
    }

    // 60,000 random edits of a live tick: whatever read() still takes, FrameCodec decodes to the same values.
    void agreesWithFrameCodecOnMutatedFrames()
    {
        QRandomGenerator rng(20261122);
        int accepted = 0, declined = 0;
        for (int i = 0; i < 60'000; ++i) {
            const QString frame = mutate(s_frame, rng);
            const std::optional<TickFrame> t = TickFrame::read(frame);
            if (!t) {
                ++declined;
                continue;
            }
            ++accepted;
            const QString why = disagreement(frame, *t);
            if (!why.isEmpty())
                QFAIL(qPrintable(QStringLiteral("%1 for %2").arg(why, frame)));
        }
        // Both sides were exercised: some edits leave a valid tick (a digit changed), most break it.
        QVERIFY2(accepted > 1000 && declined > 10'000, qPrintable(QStringLiteral("%1 / %2").arg(accepted).arg(declined)));
    }
};

QTEST_GUILESS_MAIN(TestTickFrame)
#include "tst_tickframe.moc"
