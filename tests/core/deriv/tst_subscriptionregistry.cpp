// SPDX-License-Identifier: GPL-3.0-or-later
#include <QTest>

#include "deriv/subscriptionregistry.h"

using namespace Vigil;

class TestSubscriptionRegistry : public QObject
{
    Q_OBJECT

private:
    QObject m_context;
    static QJsonObject ticks(const QString &symbol) { return {{"ticks", symbol}}; }

private Q_SLOTS:
    void identicalRequestsShareOneStream()
    {
        SubscriptionRegistry r;
        const auto a = r.add(ticks("R_100"), "ticks", &m_context, {}, {});
        // req_id, passthrough and an explicit subscribe do not make a request different.
        QJsonObject same = ticks("R_100");
        same.insert("req_id", 99);
        same.insert("passthrough", QJsonObject{{"x", 1}});
        same.insert("subscribe", 1);
        const auto b = r.add(same, "ticks", &m_context, {}, {});
        const auto c = r.add(ticks("R_50"), "ticks", &m_context, {}, {});
        QVERIFY(a.created);
        QVERIFY(!b.created);
        QVERIFY(c.created);
        QCOMPARE(a.stream->id, b.stream->id);
        QVERIFY(a.key != b.key);
        QCOMPARE(r.streamCount(), 2);
        QCOMPARE(r.subscriberCount(), 3);
        QCOMPARE(r.stream(a.stream->id)->request.value("subscribe").toInt(), 1);
        QVERIFY(!r.stream(a.stream->id)->request.contains("req_id"));
        QCOMPARE(r.stream(a.stream->id)->tickSymbol, QStringLiteral("R_100"));
    }

    void lastSubscriberRemovesTheStream()
    {
        SubscriptionRegistry r;
        const auto a = r.add(ticks("R_100"), "ticks", &m_context, {}, {});
        const auto b = r.add(ticks("R_100"), "ticks", &m_context, {}, {});
        r.bindServerId(*a.stream, "srv-1");
        QVERIFY(!r.removeSubscriber(a.key).has_value());
        QCOMPARE(r.streamCount(), 1);
        const auto gone = r.removeSubscriber(b.key);
        QVERIFY(gone.has_value());
        QCOMPARE(gone->serverId, QStringLiteral("srv-1"));
        QCOMPARE(r.streamCount(), 0);
        QVERIFY(r.streamByServerId(u"srv-1") == nullptr);
        QVERIFY(!r.removeSubscriber(b.key).has_value());
        // A new subscription to the same thing is a new stream.
        QVERIFY(r.add(ticks("R_100"), "ticks", &m_context, {}, {}).created);
    }

    void serverIdsAreReplaced()
    {
        SubscriptionRegistry r;
        const auto a = r.add(QJsonObject{{"balance", 1}}, "balance", &m_context, {}, {});
        r.bindServerId(*a.stream, "old");
        QCOMPARE(r.streamByServerId(u"old"), a.stream);
        r.clearServerId(*a.stream);
        QVERIFY(r.streamByServerId(u"old") == nullptr);
        r.bindServerId(*a.stream, "new");
        QCOMPARE(r.streamByServerId(u"new"), a.stream);
        QVERIFY(r.streamByServerId(u"old") == nullptr);
    }

    void backfillWantedByAnySubscriberOfATickStream()
    {
        SubscriptionRegistry r;
        const auto a = r.add(ticks("R_100"), "ticks", &m_context, {}, {});
        QVERIFY(!r.wantsBackfill(*a.stream));
        r.add(ticks("R_100"), "ticks", &m_context, {}, DerivClient::SubscribeOptions{true});
        QVERIFY(r.wantsBackfill(*a.stream));
        // Only single-symbol tick streams can be backfilled.
        const auto bal = r.add(QJsonObject{{"balance", 1}}, "balance", &m_context, {}, DerivClient::SubscribeOptions{true});
        QVERIFY(!r.wantsBackfill(*bal.stream));
    }

    void perContractOpenContractStreamsEndWhenSold()
    {
        SubscriptionRegistry r;
        const auto one = r.add(QJsonObject{{"proposal_open_contract", 1}, {"contract_id", 42}}, "proposal_open_contract",
                               &m_context, {}, {});
        const auto all = r.add(QJsonObject{{"proposal_open_contract", 1}}, "proposal_open_contract", &m_context, {}, {});
        QVERIFY(one.stream->endsWhenSold);
        QVERIFY(!all.stream->endsWhenSold);
    }

    void takeStreamDropsItsSubscribers()
    {
        SubscriptionRegistry r;
        const auto a = r.add(ticks("R_100"), "ticks", &m_context, {}, {});
        const auto b = r.add(ticks("R_100"), "ticks", &m_context, {}, {});
        QVERIFY(r.takeStream(a.stream->id).has_value());
        QVERIFY(r.subscriber(a.key) == nullptr);
        QVERIFY(r.subscriber(b.key) == nullptr);
        QCOMPARE(r.subscriberCount(), 0);
    }
};

QTEST_APPLESS_MAIN(TestSubscriptionRegistry)
#include "tst_subscriptionregistry.moc"
