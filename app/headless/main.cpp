// SPDX-License-Identifier: GPL-3.0-or-later
// vigil-headless: the same engine as the console, without a GUI, for a VPS.
#include <csignal>
#include <cstdio>
#include <tuple>

#include <sys/socket.h>
#include <unistd.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QSocketNotifier>
#include <QTimer>
#include <QUrl>

#include "engine/engine.h"
#include "engine/localcontrolserver.h"
#include "engine/paperjournal.h"
#include "health/jsonlogsink.h"
#include "health/stacktrace.h"

using namespace Vigil;

namespace {
int s_signalFd[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(s_signalFd[0], &c, 1);
}

void out(const QString &line)
{
    const QByteArray b = line.toLocal8Bit() + '\n';
    std::fwrite(b.constData(), 1, size_t(b.size()), stdout);
    std::fflush(stdout);
}

QString stamp()
{
    return QDateTime::currentDateTimeUtc().toString(QStringLiteral("HH:mm:ss.zzz"));
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("vigil"));
    QCoreApplication::setOrganizationName(QStringLiteral("Vigil"));
    QCoreApplication::setApplicationVersion(QStringLiteral(VIGIL_VERSION));
    StackTrace::installCrashHandler();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Vigil headless runner: the trading engine without a GUI."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configOpt(QStringLiteral("config"), QStringLiteral("Bots and accounts (JSON). Default: paper-mode demo."), QStringLiteral("file"));
    const QCommandLineOption endpointOpt(QStringLiteral("endpoint"), QStringLiteral("Deriv WebSocket URL. None: the embedded simulator (paper mode)."), QStringLiteral("url"));
    const QCommandLineOption appIdOpt(QStringLiteral("app-id"), QStringLiteral("Deriv app_id (with --endpoint)."), QStringLiteral("n"));
    const QCommandLineOption dbOpt(QStringLiteral("db"), QStringLiteral("Journal: SQLite path or postgresql:// URL."), QStringLiteral("path"));
    const QCommandLineOption redisOpt(QStringLiteral("redis"), QStringLiteral("Redis URL for cross-machine coordination."), QStringLiteral("url"));
    const QCommandLineOption instanceOpt(QStringLiteral("instance"), QStringLiteral("Instance name (default: host-pid)."), QStringLiteral("name"));
    const QCommandLineOption durationOpt(QStringLiteral("duration"), QStringLiteral("Run this many seconds, then stop gracefully and exit 0."), QStringLiteral("seconds"));
    const QCommandLineOption timeScaleOpt(QStringLiteral("time-scale"), QStringLiteral("Paper mode: simulator speed (e.g. 10)."), QStringLiteral("x"));
    const QCommandLineOption stopOpt(QStringLiteral("emergency-stop"), QStringLiteral("Tell the running instance (--instance) to run the emergency stop; print the report."));
    const QCommandLineOption rearmOpt(QStringLiteral("rearm"), QStringLiteral("Tell the running instance (--instance) to re-arm trading after an emergency stop (with --redis: every instance)."));
    const QCommandLineOption statusOpt(QStringLiteral("status-interval"), QStringLiteral("Seconds between status lines (0 = none; default 10)."), QStringLiteral("seconds"), QStringLiteral("10"));
    const QCommandLineOption selfTestOpt(QStringLiteral("self-test"), QStringLiteral("Start in paper mode, trade briefly, stop; exit 0 if all went well."));
    parser.addOptions({configOpt, endpointOpt, appIdOpt, dbOpt, redisOpt, instanceOpt, durationOpt, timeScaleOpt,
                       stopOpt, rearmOpt, statusOpt, selfTestOpt});
    parser.process(app);

    auto fail = [](const QString &message, int code) {
        std::fprintf(stderr, "vigil-headless: %s\n", qPrintable(message));
        return code;
    };

    // Commands for the running instance (--instance), through its local control socket; prints the answer.
    for (const auto &[option, command, timeoutMs] : {std::tuple{&stopOpt, "emergency-stop", 60'000}, std::tuple{&rearmOpt, "rearm", 10'000}}) {
        if (!parser.isSet(*option))
            continue;
        if (!parser.isSet(instanceOpt))
            return fail(QStringLiteral("--%1 needs --instance NAME of the running instance").arg(option->names().constFirst()), 2);
        QString error;
        const QJsonObject answer = LocalControlServer::request(parser.value(instanceOpt),
                                                               QJsonObject{{QStringLiteral("command"), QLatin1String(command)}},
                                                               timeoutMs, &error);
        if (!error.isEmpty())
            return fail(error, 1);
        out(QString::fromUtf8(QJsonDocument(answer).toJson(QJsonDocument::Indented)));
        return answer.value(QLatin1String("ok")).toBool() ? 0 : 1;
    }

    // Flags override the file's values; the merged document is validated once, as a whole.
    QJsonObject json = EngineConfig::paperDefaultJson();
    if (parser.isSet(configOpt)) {
        Result<QJsonObject> loaded = EngineConfig::readJsonFile(parser.value(configOpt));
        if (!loaded)
            return fail(loaded.error().message, 2);
        json = loaded.value();
    }
    const std::pair<const QCommandLineOption *, const char *> overrides[] = {
        {&endpointOpt, "endpoint"}, {&appIdOpt, "app_id"}, {&dbOpt, "journal"}, {&redisOpt, "redis"}, {&instanceOpt, "instance"}};
    for (const auto &[option, key] : overrides) {
        if (parser.isSet(*option))
            json.insert(QLatin1String(key), parser.value(*option));
    }
    Result<EngineConfig> parsed = EngineConfig::fromJson(json);
    if (!parsed)
        return fail(parsed.error().message, 2);
    EngineConfig config = parsed.value();

    bool okNumber = true;
    const double duration = parser.isSet(durationOpt) ? parser.value(durationOpt).toDouble(&okNumber) : 0;
    if (!okNumber || duration < 0)
        return fail(QStringLiteral("--duration: a number of seconds >= 0"), 2);
    const double timeScale = parser.isSet(timeScaleOpt) ? parser.value(timeScaleOpt).toDouble(&okNumber) : 1.0;
    if (!okNumber || timeScale <= 0 || timeScale > 1000)
        return fail(QStringLiteral("--time-scale: a number in (0, 1000]"), 2);
    const int statusEvery = parser.value(statusOpt).toInt(&okNumber);
    if (!okNumber || statusEvery < 0)
        return fail(QStringLiteral("--status-interval: whole seconds >= 0"), 2);

    Engine::Options options;
    options.instanceId = config.instance;
    options.simTimeScale = timeScale;
    options.dataDir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    if (config.isPaper() && config.journalUrl.isEmpty()) {
        // The embedded simulator starts afresh each run: so does its journal (see PaperJournal).
        Result<QString> paperJournal = PaperJournal::prepare(options.dataDir, QDateTime::currentDateTimeUtc(),
                                                             QCoreApplication::applicationPid());
        if (!paperJournal)
            return fail(paperJournal.error().message, 2);
        config.journalUrl = paperJournal.value();
    }
    JsonLogSink::Options logOptions;
    logOptions.instanceId = config.instance;
    logOptions.echoToStderr = false;
    JsonLogSink::install(logOptions);

    Engine engine(options);
    const bool selfTest = parser.isSet(selfTestOpt);
    int exitCode = 0;
    int trades = 0;
    QHash<QString, AccountSnapshot> latest;

    QObject::connect(&engine, &Engine::eventRaised, &app, [&](const EngineEvent &e) {
        if (e.kind == EngineEvent::Kind::TradeClosed || e.kind == EngineEvent::Kind::TradeOpened)
            ++trades;
        out(QStringLiteral("%1 %2 %3%4 %5").arg(stamp(), EngineEvent::levelName(e.level).toUpper(), e.account,
                                                 e.bot.isEmpty() ? QString() : u'/' + e.bot, e.message));
    });
    QObject::connect(&engine, &Engine::accountUpdated, &app, [&](const AccountSnapshot &s) { latest.insert(s.id, s); });
    QObject::connect(&engine, &Engine::startFailed, &app, [&](const Error &e) {
        out(QStringLiteral("%1 ERROR %2").arg(stamp(), e.message));
        exitCode = 1;
    });
    QObject::connect(&engine, &Engine::emergencyStopFinished, &app, [&](const EmergencyStopReport &r) {
        out(QStringLiteral("%1 STOP %2").arg(stamp(), r.summary()));
    });
    QObject::connect(&engine, &Engine::stopped, &app, [&] { QCoreApplication::exit(exitCode); });

    LocalControlServer control(engine.instanceId(), [&engine](const QJsonObject &request, std::function<void(const QJsonObject &)> reply) {
        const QString command = request.value(QLatin1String("command")).toString();
        if (command == QLatin1String("emergency-stop")) {
            const quint64 id = engine.emergencyStop(request.value(QLatin1String("account")).toString());
            auto connection = std::make_shared<QMetaObject::Connection>();
            *connection = QObject::connect(&engine, &Engine::emergencyStopFinished, &engine,
                                           [id, reply, connection](const EmergencyStopReport &r) {
                                               if (r.id != id)
                                                   return;
                                               QObject::disconnect(*connection);
                                               reply(QJsonObject{{QStringLiteral("ok"), true}, {QStringLiteral("report"), r.toJson()},
                                                                 {QStringLiteral("summary"), r.summary()}});
                                           });
        } else if (command == QLatin1String("rearm")) {
            engine.rearm(request.value(QLatin1String("account")).toString());
            reply(QJsonObject{{QStringLiteral("ok"), true}});
        } else {
            reply(QJsonObject{{QStringLiteral("ok"), false}, {QStringLiteral("error"), QStringLiteral("unknown command")}});
        }
    });
    QString controlError;
    if (!control.listen(&controlError))
        out(QStringLiteral("%1 WARNING control socket unavailable: %2").arg(stamp(), controlError));

    // SIGINT/SIGTERM → graceful stop, through a socket pair so the handler does nothing unsafe.
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, s_signalFd) == 0) {
        auto *notifier = new QSocketNotifier(s_signalFd[1], QSocketNotifier::Read, &app);
        QObject::connect(notifier, &QSocketNotifier::activated, &app, [&engine, notifier] {
            char c;
            [[maybe_unused]] const auto n = ::read(s_signalFd[1], &c, 1);
            notifier->setEnabled(false);
            out(stamp() + QStringLiteral(" INFO stopping (signal)"));
            engine.stop();
        });
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
    }

    if (Result<void> started = engine.start(config); !started)
        return fail(started.error().message, 2);
    out(QStringLiteral("%1 INFO vigil-headless %2 instance %3, %4, %5 account(s), %6 bot(s)")
            .arg(stamp(), QStringLiteral(VIGIL_VERSION), engine.instanceId(),
                 config.isPaper() ? QStringLiteral("PAPER (embedded simulator)") : QStringLiteral("REAL endpoint ") + config.endpoint.toString())
            .arg(config.accounts.size())
            .arg(config.bots.size()));
    const QString journal = config.journalUrl.isEmpty() ? QDir(options.dataDir).filePath(QStringLiteral("journal.db"))
                                                        : config.journalUrl;
    out(QStringLiteral("%1 INFO journal %2")
            .arg(stamp(), journal.contains(QLatin1String("://")) ? QUrl(journal).toString(QUrl::RemovePassword) : journal));

    QTimer status;
    if (statusEvery > 0) {
        QObject::connect(&status, &QTimer::timeout, &app, [&] {
            for (const AccountSnapshot &s : std::as_const(latest)) {
                int running = 0;
                for (const BotSnapshot &b : s.bots)
                    running += b.state == BotState::Running ? 1 : 0;
                const LimitStatus &l = s.limits;
                // What instances on other journals (their usage shared through Redis) count in those figures.
                const QString others = l.otherJournalsTrades != 0 || l.otherJournalsOpen != 0 || !l.otherJournalsPnl.isZero()
                    ? QStringLiteral(" (other journals: trades %1, open %2, P/L %3)")
                          .arg(l.otherJournalsTrades).arg(l.otherJournalsOpen).arg(l.otherJournalsPnl.toString())
                    : QString();
                out(QStringLiteral("%1 STATUS %2 %3 %4 balance %5 %6 | gate %7 | bots %8/%9 running | trades %10/%11 | open %12/%13 | P/L %14")
                        .arg(stamp(), s.loginId.isEmpty() ? s.id : s.loginId, connectionName(s.connection), s.currency,
                             s.balance.toString(), s.reconciled ? QStringLiteral("reconciled") : QStringLiteral("reconciling"), s.gate)
                        .arg(running).arg(s.bots.size())
                        .arg(l.tradesToday).arg(l.maxTradesPerDay)
                        .arg(l.openContracts).arg(l.maxConcurrentOpen)
                        .arg(l.realizedPnl.toString())
                    + others);
            }
        });
        status.start(statusEvery * 1000);
    }
    const double runFor = selfTest ? (duration > 0 ? duration : 20) : duration;
    if (runFor > 0) {
        QTimer::singleShot(int(runFor * 1000), &app, [&] {
            out(stamp() + QStringLiteral(" INFO duration reached: stopping"));
            if (selfTest && trades == 0) {
                out(stamp() + QStringLiteral(" ERROR self-test: no trade happened"));
                exitCode = 1;
            }
            engine.stop();
        });
    }
    const int rc = app.exec();
    JsonLogSink::uninstall();
    return rc;
}
