// SPDX-License-Identifier: GPL-3.0-or-later
#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include "engine/botconfig.h"
#include "engine/engineconfig.h"
#include "ui/consolesettings.h"

using namespace Vigil;

class TestConsoleSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void defaultsArePaperWithTheDemoBots();
    void valuesRoundTrip();
    void eachModeTakesItsOwnAccountsAndBots();
    void urlsWithPasswordsAreRefused_data();
    void urlsWithPasswordsAreRefused();
    void badEndpointIsRefused();
    void saveReplaceAndRemoveBots();
    void invalidBotIsNotStored();
    void migratesTheOldShortcutKey();
    void newerSchemaIsLeftAlone();
    void removeAccountOfTheCurrentMode();
    void removeAccountIsRefusedWhileItHasBots();

private:
    std::unique_ptr<ConsoleSettings> open();
    // Stores a Deriv (keychain) account `id` next to the paper demo.
    static void addDerivAccount(ConsoleSettings &s, const QString &id);
    std::unique_ptr<QTemporaryDir> m_dir;
};

std::unique_ptr<ConsoleSettings> TestConsoleSettings::open()
{
    return std::make_unique<ConsoleSettings>(std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("vigil.ini")), QSettings::IniFormat));
}

void TestConsoleSettings::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestConsoleSettings::defaultsArePaperWithTheDemoBots()
{
    auto s = open();
    QVERIFY(s->endpoint().isEmpty());
    QCOMPARE(s->killSwitchShortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    QCOMPARE(s->simTimeScale(), 1.0);
    QVERIFY(!s->hasEngineConfig());
    const Result<EngineConfig> config = s->engineConfig();
    QVERIFY2(config.ok(), qPrintable(config.ok() ? QString() : config.error().message));
    QVERIFY(config->isPaper());
    QCOMPARE(config->accounts.size(), 1);
    QCOMPARE(config->bots.size(), EngineConfig::paperDefault().bots.size());
    QCOMPARE(s->accountIds(), QStringList{QStringLiteral("demo")});
}

void TestConsoleSettings::valuesRoundTrip()
{
    {
        auto s = open();
        QVERIFY(s->setEndpoint(QUrl(QStringLiteral("wss://ws.derivws.com/websockets/v3"))).ok());
        s->setAppId(QStringLiteral(" 1089 "));
        QVERIFY(s->setRedisUrl(QStringLiteral("redis://127.0.0.1:6379")).ok());
        QVERIFY(s->setJournalLocation(QStringLiteral("/tmp/j.db")).ok());
        s->setKillSwitchShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_X));
        s->setSimTimeScale(10);
        s->sync();
    }
    auto s = open();
    QCOMPARE(s->endpoint().toString(), QStringLiteral("wss://ws.derivws.com/websockets/v3"));
    QCOMPARE(s->appId(), QStringLiteral("1089"));
    QCOMPARE(s->redisUrl(), QStringLiteral("redis://127.0.0.1:6379"));
    QCOMPARE(s->killSwitchShortcut(), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_X));
    QCOMPARE(s->simTimeScale(), 10.0);
    // The demo account exists only on the simulator: a real endpoint needs a Deriv account, and says so.
    const Result<EngineConfig> real = s->engineConfig();
    QVERIFY(!real.ok());
    QCOMPARE(real.error().code, QStringLiteral("NoDerivAccount"));
    QVERIFY2(real.error().message.contains(QStringLiteral("add one in Accounts")), qPrintable(real.error().message));

    QVERIFY(s->setEndpoint(QUrl()).ok());
    const Result<EngineConfig> config = s->engineConfig();
    QVERIFY2(config.ok(), qPrintable(config.ok() ? QString() : config.error().message));
    QVERIFY(config->isPaper());
    QCOMPARE(config->journalUrl, QStringLiteral("/tmp/j.db"));
    QCOMPARE(config->redisUrl, QStringLiteral("redis://127.0.0.1:6379"));
}

void TestConsoleSettings::eachModeTakesItsOwnAccountsAndBots()
{
    auto s = open();
    // The paper demo plus a Deriv account added from the Accounts dialog, with a bot of its own.
    AccountConfig deriv;
    deriv.id = QStringLiteral("real-1");
    deriv.token.kind = TokenSource::Kind::Keychain;
    deriv.token.ref = QStringLiteral("token:CR90000001");
    QVERIFY(s->addAccount(deriv).ok());
    BotConfig derivBot = s->bots().at(0);
    derivBot.id = QStringLiteral("real-bot");
    derivBot.account = QStringLiteral("real-1");
    QVERIFY(s->saveBot(derivBot).ok());

    const Result<EngineConfig> paper = s->engineConfig();
    QVERIFY2(paper.ok(), qPrintable(paper.ok() ? QString() : paper.error().message));
    QCOMPARE(paper->accounts.size(), 1);
    QCOMPARE(paper->accounts.at(0).id, QStringLiteral("demo"));
    QCOMPARE(paper->bots.size(), EngineConfig::paperDefault().bots.size());

    QVERIFY(s->setEndpoint(QUrl(QStringLiteral("ws://127.0.0.1:18111/websockets/v3"))).ok());
    s->setAppId(QStringLiteral("1089"));
    const Result<EngineConfig> real = s->engineConfig();
    QVERIFY2(real.ok(), qPrintable(real.ok() ? QString() : real.error().message));
    QVERIFY(!real->isPaper());
    QCOMPARE(real->accounts.size(), 1);
    QCOMPARE(real->accounts.at(0).id, QStringLiteral("real-1"));
    QCOMPARE(real->bots.size(), 1);
    QCOMPARE(real->bots.at(0).id, QStringLiteral("real-bot"));
    // Nothing was dropped from what is stored: back to paper, the demo is all there.
    QCOMPARE(s->accountIds(), (QStringList{QStringLiteral("demo"), QStringLiteral("real-1")}));
}

void TestConsoleSettings::urlsWithPasswordsAreRefused_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("url");
    QTest::newRow("redis password") << QStringLiteral("redis") << QStringLiteral("redis://:s3cret-pass@127.0.0.1:6379");
    QTest::newRow("redis user and password") << QStringLiteral("redis") << QStringLiteral("redis://app:s3cret-pass@10.0.0.2:6379/0");
    QTest::newRow("postgres password") << QStringLiteral("journal") << QStringLiteral("postgresql://vigil:s3cret-pass@db/vigil");
    QTest::newRow("endpoint password") << QStringLiteral("endpoint") << QStringLiteral("wss://u:s3cret-pass@ws.derivws.com/websockets/v3");
}

void TestConsoleSettings::urlsWithPasswordsAreRefused()
{
    QFETCH(QString, field);
    QFETCH(QString, url);
    auto s = open();
    Result<void> r = field == QLatin1String("redis")     ? s->setRedisUrl(url)
        : field == QLatin1String("journal")              ? s->setJournalLocation(url)
                                                         : s->setEndpoint(QUrl(url));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("SecretInSettings"));
    QVERIFY(r.error().message.contains(QStringLiteral("keychain")));
    s->sync();
    QFile file(m_dir->filePath(QStringLiteral("vigil.ini")));
    if (file.open(QIODevice::ReadOnly))
        QVERIFY(!file.readAll().contains("s3cret-pass"));
}

void TestConsoleSettings::badEndpointIsRefused()
{
    auto s = open();
    const Result<void> r = s->setEndpoint(QUrl(QStringLiteral("https://example.com/")));
    QVERIFY(!r.ok());
    QVERIFY(r.error().message.startsWith(QStringLiteral("endpoint")));
    QVERIFY(s->endpoint().isEmpty());
}

void TestConsoleSettings::saveReplaceAndRemoveBots()
{
    auto s = open();
    BotConfig bot = EngineConfig::paperDefault().bots.first();
    bot.id = QStringLiteral("extra");
    bot.name = QStringLiteral("Extra");
    QVERIFY(s->saveBot(bot).ok());
    QVERIFY(s->hasEngineConfig());
    QCOMPARE(s->bots().size(), EngineConfig::paperDefault().bots.size() + 1);
    bot.name = QStringLiteral("Renamed");
    QVERIFY(s->saveBot(bot).ok());
    QCOMPARE(s->bots().size(), EngineConfig::paperDefault().bots.size() + 1);
    QCOMPARE(s->bots().last().name, QStringLiteral("Renamed"));
    QVERIFY(s->removeBot(QStringLiteral("extra")).ok());
    QCOMPARE(s->bots().size(), EngineConfig::paperDefault().bots.size());
    QVERIFY(!s->removeBot(QStringLiteral("extra")).ok());
}

void TestConsoleSettings::invalidBotIsNotStored()
{
    auto s = open();
    BotConfig bot = EngineConfig::paperDefault().bots.first();
    bot.id = QStringLiteral("orphan");
    bot.account = QStringLiteral("no-such-account");
    const Result<void> r = s->saveBot(bot);
    QVERIFY(!r.ok());
    QVERIFY(!s->hasEngineConfig());
}

void TestConsoleSettings::migratesTheOldShortcutKey()
{
    {
        QSettings raw(m_dir->filePath(QStringLiteral("vigil.ini")), QSettings::IniFormat);
        raw.setValue(QStringLiteral("shortcuts/emergencyStop"), QStringLiteral("Ctrl+Alt+S"));
    }
    auto s = open();
    QCOMPARE(s->storedSchemaVersion(), 0);
    QVERIFY(s->migrate().ok());
    QCOMPARE(s->storedSchemaVersion(), ConsoleSettings::SchemaVersion);
    QCOMPARE(s->killSwitchShortcut(), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_S));
}

void TestConsoleSettings::newerSchemaIsLeftAlone()
{
    {
        QSettings raw(m_dir->filePath(QStringLiteral("vigil.ini")), QSettings::IniFormat);
        raw.setValue(QStringLiteral("schema"), ConsoleSettings::SchemaVersion + 1);
    }
    auto s = open();
    const Result<void> r = s->migrate();
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("SettingsTooNew"));
    QCOMPARE(s->storedSchemaVersion(), ConsoleSettings::SchemaVersion + 1);
}

void TestConsoleSettings::addDerivAccount(ConsoleSettings &s, const QString &id)
{
    AccountConfig deriv;
    deriv.id = id;
    deriv.token.kind = TokenSource::Kind::Keychain;
    deriv.token.ref = QStringLiteral("token:CR9000000") + id.right(1);
    QVERIFY(s.addAccount(deriv).ok());
}

void TestConsoleSettings::removeAccountOfTheCurrentMode()
{
    {
        auto s = open();
        addDerivAccount(*s, QStringLiteral("real-1"));
        addDerivAccount(*s, QStringLiteral("real-2"));
        // Paper mode: the Deriv accounts are not this mode's; nothing changes.
        Result<void> r = s->removeAccount(QStringLiteral("real-1"));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("UnknownAccount"));
        QVERIFY2(r.error().message.contains(QStringLiteral("paper mode")), qPrintable(r.error().message));

        QVERIFY(s->setEndpoint(QUrl(QStringLiteral("ws://127.0.0.1:18111/websockets/v3"))).ok());
        s->setAppId(QStringLiteral("1089"));
        QVERIFY(s->canRemoveAccount(QStringLiteral("real-1")).ok());
        QCOMPARE(s->accountIds(), (QStringList{QStringLiteral("demo"), QStringLiteral("real-1"), QStringLiteral("real-2")}));
        QVERIFY(s->removeAccount(QStringLiteral("real-1")).ok());
        QCOMPARE(s->accountIds(), (QStringList{QStringLiteral("demo"), QStringLiteral("real-2")}));
        // The demo account belongs to paper mode: a real endpoint does not remove it.
        r = s->removeAccount(QStringLiteral("demo"));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("UnknownAccount"));
        r = s->removeAccount(QStringLiteral("real-1"));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("UnknownAccount"));
        QVERIFY2(r.error().message.contains(QStringLiteral("real-1")), qPrintable(r.error().message));
        s->sync();
    }
    // Persisted: a fresh instance reads the same list, and the mode's configuration runs without it.
    auto s = open();
    QCOMPARE(s->accountIds(), (QStringList{QStringLiteral("demo"), QStringLiteral("real-2")}));
    const Result<EngineConfig> real = s->engineConfig();
    QVERIFY2(real.ok(), qPrintable(real.ok() ? QString() : real.error().message));
    QCOMPARE(real->accounts.size(), 1);
    QCOMPARE(real->accounts.at(0).id, QStringLiteral("real-2"));
}

void TestConsoleSettings::removeAccountIsRefusedWhileItHasBots()
{
    auto s = open();
    addDerivAccount(*s, QStringLiteral("real-1"));
    QVERIFY(s->setEndpoint(QUrl(QStringLiteral("ws://127.0.0.1:18111/websockets/v3"))).ok());
    BotConfig bot = s->bots().at(0);
    bot.id = QStringLiteral("real-bot");
    bot.account = QStringLiteral("real-1");
    QVERIFY(s->saveBot(bot).ok());

    for (const Result<void> &r : {s->canRemoveAccount(QStringLiteral("real-1")), s->removeAccount(QStringLiteral("real-1"))}) {
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("AccountHasBots"));
        QVERIFY2(r.error().message.contains(QStringLiteral("real-bot")) && r.error().message.contains(QStringLiteral("remove them first")),
                 qPrintable(r.error().message));
    }
    QVERIFY(s->accountIds().contains(QStringLiteral("real-1")));
    QCOMPARE(s->bots().size(), EngineConfig::paperDefault().bots.size() + 1);

    QVERIFY(s->removeBot(QStringLiteral("real-bot")).ok());
    QVERIFY(s->removeAccount(QStringLiteral("real-1")).ok());
    QVERIFY(!s->accountIds().contains(QStringLiteral("real-1")));
}

QTEST_MAIN(TestConsoleSettings)
#include "tst_consolesettings.moc"
