// SPDX-License-Identifier: GPL-3.0-or-later
// vigil: the desktop console. Wires settings, the keychain, the engine and the main window; nothing else.
#include <cstdio>

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QStandardPaths>
#include <QTimer>

#include "engine/engine.h"
#include "engine/paperjournal.h"
#include "health/jsonlogsink.h"
#include "health/logcategories.h"
#include "health/stacktrace.h"
#include "ui/consolefeed.h"
#include "ui/consolesettings.h"
#include "ui/mainwindow.h"
#ifdef VIGIL_HAVE_KEYCHAIN
#include "keychain/keychainsecretstore.h"
#endif

using namespace Vigil;

namespace {
void say(const QString &line)
{
    const QByteArray b = line.toLocal8Bit() + '\n';
    std::fwrite(b.constData(), 1, size_t(b.size()), stdout);
    std::fflush(stdout);
}

EngineEvent consoleEvent(EngineEvent::Level level, const QString &message, const Error *error = nullptr)
{
    EngineEvent e;
    e.level = level;
    e.message = message;
    if (error)
        e.details = error->toJson();
    e.atMs = QDateTime::currentMSecsSinceEpoch();
    return e;
}
// Without a display Qt aborts with a message about platform plugins. Say what to do instead, and let --help and
// --version work anywhere (they need no window).
bool checkDisplay(int argc, char *argv[])
{
#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
    if (qEnvironmentVariableIsSet("QT_QPA_PLATFORM") || qEnvironmentVariableIsSet("DISPLAY")
        || qEnvironmentVariableIsSet("WAYLAND_DISPLAY"))
        return true;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "-h" || arg == "--help" || arg == "--help-all" || arg == "-v" || arg == "--version") {
            qputenv("QT_QPA_PLATFORM", "offscreen");
            return true;
        }
    }
    std::fprintf(stderr, "vigil: no display (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
                         "  Start it from a desktop session, or on a virtual display: xvfb-run -a vigil\n"
                         "  On a server, run the same engine without a window: vigil-headless --help\n");
    return false;
#else
    Q_UNUSED(argc);
    Q_UNUSED(argv);
    return true;
#endif
}
} // namespace

int main(int argc, char *argv[])
{
    if (!checkDisplay(argc, argv))
        return 2;
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("vigil"));
    QApplication::setOrganizationName(QStringLiteral("Vigil"));
    QApplication::setApplicationDisplayName(QStringLiteral("Vigil"));
    QApplication::setApplicationVersion(QStringLiteral(VIGIL_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.vigil.Vigil"));
    StackTrace::installCrashHandler();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Vigil: a desktop console for automated trading bots on Deriv."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption selfTestOpt(QStringLiteral("self-test"),
                                         QStringLiteral("Start in paper mode, wait for a trade (at most 60 s), exit 0 if one was seen, else 1."));
    const QCommandLineOption screenshotOpt(QStringLiteral("screenshot"), QStringLiteral("After some trading, save the main window as a PNG and exit."),
                                           QStringLiteral("file"));
    const QCommandLineOption delayOpt(QStringLiteral("screenshot-delay"), QStringLiteral("Seconds of trading before --screenshot (default 12)."),
                                      QStringLiteral("seconds"), QStringLiteral("12"));
    const QCommandLineOption timeScaleOpt(QStringLiteral("time-scale"), QStringLiteral("Paper mode: simulator speed (e.g. 10)."),
                                          QStringLiteral("x"));
    const QCommandLineOption paperOpt(QStringLiteral("paper"), QStringLiteral("Paper mode with the demo bots, whatever the settings say."));
    const QCommandLineOption dataDirOpt(QStringLiteral("data-dir"), QStringLiteral("Journal and lock files (default: the application data folder)."),
                                        QStringLiteral("dir"));
    const QCommandLineOption instanceOpt(QStringLiteral("instance"), QStringLiteral("Instance name (default: host-pid)."), QStringLiteral("name"));
    parser.addOptions({selfTestOpt, screenshotOpt, delayOpt, timeScaleOpt, paperOpt, dataDirOpt, instanceOpt});
    parser.process(app);

    const bool selfTest = parser.isSet(selfTestOpt);
    const bool screenshot = parser.isSet(screenshotOpt);
    bool okNumber = true;
    const double delay = parser.value(delayOpt).toDouble(&okNumber);
    if (!okNumber || delay < 0 || delay > 3600) {
        std::fprintf(stderr, "vigil: --screenshot-delay: seconds from 0 to 3600\n");
        return 2;
    }

    JsonLogSink::Options logOptions;
    logOptions.echoToStderr = selfTest;
    ConsoleSettings settings;
    QList<EngineEvent> startupNotes;
    if (Result<void> migrated = settings.migrate(); !migrated)
        startupNotes.append(consoleEvent(EngineEvent::Level::Warning, migrated.error().message));

    double timeScale = settings.simTimeScale();
    if (parser.isSet(timeScaleOpt)) {
        timeScale = parser.value(timeScaleOpt).toDouble(&okNumber);
        if (!okNumber || timeScale <= 0 || timeScale > 1000) {
            std::fprintf(stderr, "vigil: --time-scale: a number in (0, 1000]\n");
            return 2;
        }
    }

    // First start (nothing stored): paper mode, a demo account and two example bots. The self-test and the
    // screenshot always run on paper so they never touch a real account.
    EngineConfig config = EngineConfig::paperDefault();
    if (!selfTest && !screenshot && !parser.isSet(paperOpt)) {
        Result<EngineConfig> stored = settings.engineConfig();
        if (stored)
            config = stored.value();
        else
            startupNotes.append(consoleEvent(EngineEvent::Level::Error,
                                             QStringLiteral("The stored configuration is invalid (%1); running the paper-mode demo instead.")
                                                 .arg(stored.error().message),
                                             &stored.error()));
    }
    if (parser.isSet(instanceOpt))
        config.instance = parser.value(instanceOpt);

    Engine::Options options;
    options.instanceId = config.instance;
    options.simTimeScale = timeScale;
    options.dataDir = parser.isSet(dataDirOpt) ? QDir(parser.value(dataDirOpt)).absolutePath()
                                               : QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    if (config.isPaper() && config.journalUrl.isEmpty()) {
        // The embedded simulator starts afresh each run: so does its journal (see PaperJournal).
        Result<QString> paperJournal = PaperJournal::prepare(options.dataDir, QDateTime::currentDateTimeUtc(),
                                                             QCoreApplication::applicationPid());
        if (!paperJournal) {
            std::fprintf(stderr, "vigil: %s\n", qPrintable(paperJournal.error().message));
            return 2;
        }
        config.journalUrl = paperJournal.value();
    }
#ifdef VIGIL_HAVE_KEYCHAIN
    KeychainSecretStore keychain;
    options.tokenResolver = [&keychain, &app](const AccountConfig &account, std::function<void(Result<QString>)> done) {
        keychain.readSecret(account.token.ref, &app, [done](Result<QString> token) { done(std::move(token)); });
    };
#endif
    logOptions.instanceId = options.instanceId;
    JsonLogSink::install(logOptions);

    Engine engine(options);
    MainWindow window(engine, settings);
#ifdef VIGIL_HAVE_KEYCHAIN
    window.setSecretStore(&keychain);
#else
    window.setSecretStore(nullptr);
#endif
    for (const EngineEvent &note : std::as_const(startupNotes))
        window.feed()->addEvent(note);
    window.show();

    int exitCode = 0;
    auto finish = [&engine, &exitCode](int code) {
        exitCode = code;
        if (engine.isRunning())
            engine.stop();
        else
            QCoreApplication::exit(code);
    };
    QObject::connect(&engine, &Engine::stopped, &app, [&exitCode] { QCoreApplication::exit(exitCode); });

    if (selfTest) {
        auto seen = std::make_shared<bool>(false);
        QObject::connect(&engine, &Engine::eventRaised, &app, [seen, &finish](const EngineEvent &e) {
            if (*seen || (e.kind != EngineEvent::Kind::TradeOpened && e.kind != EngineEvent::Kind::TradeClosed))
                return;
            *seen = true;
            say(QStringLiteral("self-test: trade seen: ") + e.message);
            QTimer::singleShot(0, qApp, [&finish] { finish(0); });
        });
        QObject::connect(&engine, &Engine::startFailed, &app, [&finish](const Error &e) {
            say(QStringLiteral("self-test: engine failed to start: ") + e.message);
            finish(1);
        });
        QTimer::singleShot(60'000, &app, [seen, &finish] {
            if (!*seen) {
                say(QStringLiteral("self-test: FAILED, no trade within 60 s"));
                finish(1);
            }
        });
    }
    if (screenshot) {
        const QString file = parser.value(screenshotOpt);
        QTimer::singleShot(int(delay * 1000), &app, [&window, file, &finish] {
            window.feed()->flush();
            // Let the flushed batch paint before grabbing.
            QTimer::singleShot(200, &window, [&window, file, &finish] {
                const bool saved = window.grab().save(file, "PNG");
                say(saved ? QStringLiteral("screenshot saved to ") + file : QStringLiteral("screenshot FAILED: ") + file);
                finish(saved ? 0 : 1);
            });
        });
    }

    if (Result<void> started = engine.start(config); !started) {
        window.feed()->addEvent(consoleEvent(EngineEvent::Level::Error,
                                             QStringLiteral("The engine did not start: ") + started.error().message, &started.error()));
        if (selfTest) {
            say(QStringLiteral("self-test: engine did not start: ") + started.error().message);
            return 1;
        }
    }
    const int rc = app.exec();
    JsonLogSink::uninstall();
    return rc;
}
