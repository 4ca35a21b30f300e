// SPDX-License-Identifier: GPL-3.0-or-later
// The main window's bot commands against a running paper engine (embedded simulator, real threads): a bot
// added, changed and removed in the console takes effect without a restart, and a bot holding a contract is
// not removed.
#include <memory>

#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "engine/engine.h"
#include "support/paperengineoptions.h"
#include "support/resultcheck.h"
#include "ui/botdialog.h"
#include "ui/bottablemodel.h"
#include "ui/consolefeed.h"
#include "ui/consolesettings.h"
#include "ui/mainwindow.h"

using namespace Vigil;

namespace {
constexpr int kAsyncMs = 30000;
const QString kBot = QStringLiteral("ui-bot");

// The bot's latest snapshot among the engine's account snapshots (a default one before any).
BotSnapshot lastBot(const QSignalSpy &spy, const QString &botId)
{
    for (qsizetype i = spy.size() - 1; i >= 0; --i) {
        for (const BotSnapshot &b : spy.at(i).at(0).value<AccountSnapshot>().bots) {
            if (b.id == botId)
                return b;
        }
    }
    return {};
}

const BotConfig *savedBot(ConsoleSettings &settings, const QString &botId, BotConfig *out)
{
    for (const BotConfig &b : settings.bots()) {
        if (b.id == botId) {
            *out = b;
            return out;
        }
    }
    return nullptr;
}
} // namespace

class TestMainWindowBots final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addEditRemoveApplyToTheRunningEngine();

private:
    BotDialog *openDialog() const;
    // Answers "Yes" to the window's removal question; returns the text of the warning that may follow.
    QString confirmRemoval();

    MainWindow *m_window = nullptr;
};

BotDialog *TestMainWindowBots::openDialog() const
{
    for (BotDialog *d : m_window->findChildren<BotDialog *>()) {
        if (d->isVisible())
            return d;
    }
    return nullptr;
}

QString TestMainWindowBots::confirmRemoval()
{
    QMessageBox *question = nullptr;
    for (QMessageBox *box : m_window->findChildren<QMessageBox *>()) {
        if (box->isVisible() && box->button(QMessageBox::Yes))
            question = box;
    }
    if (!question)
        return QStringLiteral("no question asked");
    // A refusal comes as a modal warning: read it and close it from inside its own loop.
    auto warning = std::make_shared<QString>();
    QTimer closer;
    connect(&closer, &QTimer::timeout, this, [this, warning, question] {
        for (QMessageBox *box : m_window->findChildren<QMessageBox *>()) {
            if (box != question && box->isVisible()) {
                *warning = box->text();
                box->close();
            }
        }
    });
    closer.start(20);
    question->button(QMessageBox::Yes)->click();
    QTest::qWait(200);
    return *warning;
}

void TestMainWindowBots::addEditRemoveApplyToTheRunningEngine()
{
    qRegisterMetaType<AccountSnapshot>();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ConsoleSettings settings(std::make_unique<QSettings>(dir.filePath(QStringLiteral("vigil.ini")), QSettings::IniFormat));
    // The demo account without the example bots: only the bot of the test trades.
    for (const BotConfig &b : settings.bots())
        QVERIFY(settings.removeBot(b.id).ok());
    Engine engine(Test::paperOptions(dir.path(), QStringLiteral("tst-mainwindowbots"), 10));
    MainWindow window(engine, settings);
    m_window = &window;
    window.feed()->setInterval(20);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    Result<EngineConfig> config = settings.engineConfig();
    QVERIFY2(config.ok(), Test::describe(config));
    QVERIFY(config->bots.isEmpty());
    QSignalSpy started(&engine, &Engine::started);
    QVERIFY(engine.start(config.value()).ok());
    QVERIFY(started.wait(kAsyncMs));
    QTRY_VERIFY_WITH_TIMEOUT(!engine.loginId(QStringLiteral("demo")).isEmpty(), kAsyncMs);
    auto stopEngine = qScopeGuard([&engine] {
        QSignalSpy stopped(&engine, &Engine::stopped);
        engine.stop();
        if (engine.isRunning())
            (void)stopped.wait(20000);
    });

    QSignalSpy snapshots(&engine, &Engine::accountUpdated);
    QSignalSpy applied(&engine, &Engine::botChangeApplied);
    auto *note = window.findChild<QLabel *>(QStringLiteral("restartNote"));
    QVERIFY(note);

    // Add: three-minute contracts (18 s at this speed), so that the bot holds one for a while.
    window.addBot();
    BotDialog *add = openDialog();
    QVERIFY(add);
    QVERIFY(add->setFieldValue(QStringLiteral("id"), kBot));
    QVERIFY(add->setFieldValue(QStringLiteral("name"), QStringLiteral("Added in the console")));
    QVERIFY(add->setFieldValue(QStringLiteral("stake"), QStringLiteral("2.00")));
    QVERIFY(add->setFieldValue(QStringLiteral("duration"), 3));
    QVERIFY(add->setFieldValue(QStringLiteral("duration_unit"), QStringLiteral("m")));
    const Result<BotConfig> valid = add->validate();
    QVERIFY2(valid.ok(), Test::describe(valid));
    add->accept();
    QTRY_VERIFY_WITH_TIMEOUT(!applied.isEmpty(), kAsyncMs);
    QCOMPARE(applied.first().at(0).toString(), kBot);
    QCOMPARE(applied.first().at(1).toString(), QStringLiteral("add"));
    QTRY_VERIFY_WITH_TIMEOUT(window.botModel()->rowOf(kBot) >= 0, kAsyncMs);
    QVERIFY(engine.config().bot(kBot));
    QVERIFY(note->isHidden());
    QTRY_VERIFY_WITH_TIMEOUT(lastBot(snapshots, kBot).openContracts > 0, 60000);

    // Remove while it holds the contract: refused, and it stays configured and trading.
    window.selectBot(kBot);
    window.removeBot();
    const QString refusal = confirmRemoval();
    QVERIFY2(refusal.contains(QStringLiteral("contract open")), qPrintable(refusal));
    BotConfig saved;
    QVERIFY(savedBot(settings, kBot, &saved));
    QVERIFY(engine.config().bot(kBot));

    // Edit the stake: saved at once, in effect once the open contract settled.
    applied.clear();
    window.selectBot(kBot);
    window.editBot();
    BotDialog *edit = openDialog();
    QVERIFY(edit);
    QVERIFY(edit->setFieldValue(QStringLiteral("stake"), QStringLiteral("3.00")));
    edit->accept();
    QVERIFY(savedBot(settings, kBot, &saved));
    QCOMPARE(saved.strategy.value(QLatin1String("stake")).toString(), QStringLiteral("3.00"));
    QTRY_VERIFY_WITH_TIMEOUT(!applied.isEmpty(), 60000);
    QCOMPARE(applied.first().at(1).toString(), QStringLiteral("update"));
    QCOMPARE(engine.config().bot(kBot)->strategy.value(QLatin1String("stake")).toString(), QStringLiteral("3.00"));

    // Stopped and flat, it is removed from the engine and the settings.
    engine.stopBot(kBot);
    QTRY_VERIFY_WITH_TIMEOUT(lastBot(snapshots, kBot).state == BotState::Stopped, 60000);
    applied.clear();
    window.selectBot(kBot);
    window.removeBot();
    QCOMPARE(confirmRemoval(), QString());
    QTRY_VERIFY_WITH_TIMEOUT(!applied.isEmpty(), kAsyncMs);
    QCOMPARE(applied.first().at(1).toString(), QStringLiteral("remove"));
    QVERIFY(!engine.config().bot(kBot));
    QVERIFY(!savedBot(settings, kBot, &saved));
    QVERIFY(note->isHidden());
}

QTEST_MAIN(TestMainWindowBots)
#include "tst_mainwindowbots.moc"
