// SPDX-License-Identifier: GPL-3.0-or-later
// vigil-sim: runs the Deriv-compatible simulator standalone. Only wiring: options → SimConfig,
// accounts, faults, the control endpoint, and a clean stop on SIGINT/SIGTERM.
#include <csignal>
#include <cstdio>

#include <sys/socket.h>
#include <unistd.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>

#include "sim/controlendpoint.h"
#include "sim/faultinjector.h"
#include "sim/selftest.h"
#include "sim/simserver.h"

namespace {
int s_signalFd[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    // Async-signal-safe: the event loop picks the byte up and quits.
    [[maybe_unused]] const auto n = ::write(s_signalFd[0], &byte, 1);
}

void print(const QString &line)
{
    std::fprintf(stdout, "%s\n", qPrintable(line));
    std::fflush(stdout);
}

int fail(const QString &message)
{
    std::fprintf(stderr, "vigil-sim: %s\n", qPrintable(message));
    return 2;
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("vigil-sim"));
    QCoreApplication::setApplicationVersion(QStringLiteral(VIGIL_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Deriv-compatible WebSocket API simulator (API v3)."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("WebSocket port (0 = any free port)."),
                                  QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption token(QStringLiteral("token"),
                                   QStringLiteral("Add a USD virtual account (10,000.00; read, trade, trading_information, admin) with this API token. Repeatable."),
                                   QStringLiteral("TOKEN"));
    const QCommandLineOption seed(QStringLiteral("seed"), QStringLiteral("Seed of the price paths."), QStringLiteral("S"),
                                  QStringLiteral("1"));
    const QCommandLineOption timeScale(QStringLiteral("time-scale"),
                                       QStringLiteral("Virtual time runs X times faster than real time."), QStringLiteral("X"),
                                       QStringLiteral("1"));
    const QCommandLineOption manualClock(QStringLiteral("manual-clock"),
                                         QStringLiteral("Virtual time moves only through POST /time/advance on the control endpoint."));
    const QCommandLineOption noRateLimit(QStringLiteral("no-rate-limit"), QStringLiteral("Disable Deriv's rate limits."));
    const QCommandLineOption controlPort(QStringLiteral("control-port"),
                                         QStringLiteral("Serve the HTTP control endpoint on 127.0.0.1:N (0 = any free port)."),
                                         QStringLiteral("N"));
    const QCommandLineOption fault(QStringLiteral("fault"),
                                   QStringLiteral("A fault rule, \"action:key=value,...\" or JSON (see FaultRule). Repeatable."),
                                   QStringLiteral("SPEC"));
    const QCommandLineOption selfTest(QStringLiteral("self-test"),
                                      QStringLiteral("Start, authorize over a real socket to itself, exit 0 on success."));
    const QCommandLineOption quiet(QStringLiteral("quiet"), QStringLiteral("Do not log each request."));
    parser.addOptions({port, token, seed, timeScale, manualClock, noRateLimit, controlPort, fault, selfTest, quiet});
    parser.process(app);

    if (parser.isSet(selfTest)) {
        Vigil::Sim::SelfTest test;
        QObject::connect(&test, &Vigil::Sim::SelfTest::finished, &app, [](bool ok, const QString &detail) {
            print(QStringLiteral("vigil-sim self-test: ") + (ok ? QStringLiteral("OK, ") : QStringLiteral("FAILED, ")) + detail);
            QCoreApplication::exit(ok ? 0 : 1);
        });
        test.start();
        return app.exec();
    }

    bool ok = false;
    Vigil::Sim::SimConfig config;
    config.seed = parser.value(seed).toULongLong(&ok);
    if (!ok)
        return fail(QStringLiteral("--seed must be a non-negative integer"));
    config.timeScale = parser.value(timeScale).toDouble(&ok);
    if (!ok || config.timeScale <= 0)
        return fail(QStringLiteral("--time-scale must be a positive number"));
    config.manualClock = parser.isSet(manualClock);
    config.rateLimitsEnabled = !parser.isSet(noRateLimit);
    config.logRequests = !parser.isSet(quiet);
    const uint wsPort = parser.value(port).toUInt(&ok);
    if (!ok || wsPort > 65535)
        return fail(QStringLiteral("--port must be 0..65535"));

    Vigil::Sim::SimServer server(config);
    for (const QString &t : parser.values(token)) {
        const auto loginid = server.addAccount(t);
        if (!loginid.ok())
            return fail(QStringLiteral("--token: ") + loginid.error().message);
        print(QStringLiteral("vigil-sim: account %1 (USD 10000.00, token <redacted>)").arg(*loginid));
    }
    for (const QString &spec : parser.values(fault)) {
        const auto rule = Vigil::Sim::FaultRule::fromSpec(spec);
        if (!rule.ok())
            return fail(QStringLiteral("--fault '%1': %2").arg(spec, rule.error().message));
        server.faults().add(*rule);
    }
    const auto listening = server.listen(QHostAddress::LocalHost, quint16(wsPort));
    if (!listening.ok())
        return fail(listening.error().message);
    print(QStringLiteral("vigil-sim: listening on ") + server.url().toString());

    Vigil::Sim::ControlEndpoint control(server);
    if (parser.isSet(controlPort)) {
        const uint cport = parser.value(controlPort).toUInt(&ok);
        if (!ok || cport > 65535)
            return fail(QStringLiteral("--control-port must be 0..65535"));
        const auto bound = control.listen(quint16(cport));
        if (!bound.ok())
            return fail(bound.error().message);
        print(QStringLiteral("vigil-sim: control endpoint on http://127.0.0.1:%1").arg(*bound));
    }

    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, s_signalFd) != 0)
        return fail(QStringLiteral("cannot create the signal pipe"));
    QSocketNotifier notifier(s_signalFd[1], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [&server] {
        char byte;
        [[maybe_unused]] const auto n = ::read(s_signalFd[1], &byte, 1);
        print(QStringLiteral("vigil-sim: stopping"));
        server.close();
        QCoreApplication::quit();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);

    return app.exec();
}
