// SPDX-License-Identifier: GPL-3.0-or-later
// The system-wide kill switch on X11: another program's window has the focus, xdotool presses the keys,
// the emergency stop runs. Runs under xvfb-run (see CMakeLists.txt); `--focus-window` makes this binary
// the "other program".
#include <QApplication>
#include <QLineEdit>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "engine/engine.h"
#include "risk/tradinggate.h"
#include "ui/consolesettings.h"
#include "ui/globalhotkey.h"
#include "ui/mainwindow.h"

using namespace Vigil;

namespace {
const QString s_focusTitle = QStringLiteral("vigil-hotkey-focus-window");

bool runXdotool(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral("xdotool"), args);
    return p.waitForFinished(15000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}
} // namespace

class TestGlobalHotkey : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void refusesKeysItCannotGrab_data();
    void refusesKeysItCannotGrab();
    void firesWhileAnotherProgramHasFocus();
    void mainWindowRunsTheEmergencyStop();

private:
    void focusAnotherProgram();
    QProcess m_other;
};

void TestGlobalHotkey::initTestCase()
{
    if (QGuiApplication::platformName() != QLatin1String("xcb"))
        QSKIP("needs an X11 display: run under xvfb-run (ctest does)");
    QVERIFY2(GlobalHotkey::isSupported(), "X11 platform but no xcb support compiled in");
    QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("xdotool")).isEmpty(), "xdotool is required");
}

void TestGlobalHotkey::cleanup()
{
    if (m_other.state() != QProcess::NotRunning) {
        m_other.kill();
        m_other.waitForFinished(5000);
    }
}

void TestGlobalHotkey::focusAnotherProgram()
{
    m_other.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--focus-window")});
    QVERIFY(m_other.waitForStarted(5000));
    // --sync waits until the window exists; focus it (there is no window manager under Xvfb).
    QVERIFY(runXdotool({QStringLiteral("search"), QStringLiteral("--sync"), QStringLiteral("--name"), s_focusTitle,
                        QStringLiteral("windowfocus"), QStringLiteral("--sync")}));
}

void TestGlobalHotkey::refusesKeysItCannotGrab_data()
{
    QTest::addColumn<QKeySequence>("keys");
    QTest::addColumn<QString>("code");
    QTest::newRow("no modifier") << QKeySequence(Qt::Key_K) << QStringLiteral("HotkeyKeyUnsupported");
    QTest::newRow("unsupported key") << QKeySequence(Qt::CTRL | Qt::Key_Home) << QStringLiteral("HotkeyKeyUnsupported");
    QTest::newRow("a chord") << QKeySequence(QStringLiteral("Ctrl+K, Ctrl+S")) << QStringLiteral("HotkeyKeyUnsupported");
}

void TestGlobalHotkey::refusesKeysItCannotGrab()
{
    QFETCH(QKeySequence, keys);
    QFETCH(QString, code);
    GlobalHotkey hotkey;
    const Result<void> r = hotkey.setShortcut(keys);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, code);
    QVERIFY(!hotkey.isActive());
}

void TestGlobalHotkey::firesWhileAnotherProgramHasFocus()
{
    GlobalHotkey hotkey;
    const Result<void> grabbed = hotkey.setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    QVERIFY2(grabbed.ok(), qPrintable(grabbed.ok() ? QString() : grabbed.error().message));
    QSignalSpy activated(&hotkey, &GlobalHotkey::activated);
    focusAnotherProgram();
    QVERIFY(runXdotool({QStringLiteral("key"), QStringLiteral("ctrl+shift+k")}));
    QVERIFY(activated.wait(5000));
    // Another key combination does not fire it.
    QVERIFY(runXdotool({QStringLiteral("key"), QStringLiteral("ctrl+k")}));
    QVERIFY(!activated.wait(500));
    QCOMPARE(activated.count(), 1);
    hotkey.clear();
    QVERIFY(runXdotool({QStringLiteral("key"), QStringLiteral("ctrl+shift+k")}));
    QVERIFY(!activated.wait(500));
}

void TestGlobalHotkey::mainWindowRunsTheEmergencyStop()
{
    QTemporaryDir dir;
    Engine::Options options;
    options.dataDir = dir.path();
    options.instanceId = QStringLiteral("tst-globalhotkey");
    Engine engine(options);
    ConsoleSettings settings(std::make_unique<QSettings>(dir.filePath(QStringLiteral("vigil.ini")), QSettings::IniFormat));
    MainWindow window(engine, settings);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY2(window.systemHotkeyStatus().startsWith(QStringLiteral("Active")), qPrintable(window.systemHotkeyStatus()));
    QSignalSpy triggered(&window, &MainWindow::emergencyStopTriggered);
    focusAnotherProgram();
    QVERIFY(runXdotool({QStringLiteral("key"), QStringLiteral("ctrl+shift+k")}));
    QVERIFY(triggered.wait(5000));
    QCOMPARE(engine.gate().globalState(), GateState::Halted);
}

int main(int argc, char *argv[])
{
    if (argc > 1 && qstrcmp(argv[1], "--focus-window") == 0) {
        QApplication app(argc, argv);
        QLineEdit other;
        other.setWindowTitle(s_focusTitle);
        other.show();
        QTimer::singleShot(60000, &app, &QCoreApplication::quit);
        return app.exec();
    }
    QApplication app(argc, argv);
    TestGlobalHotkey test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_globalhotkey.moc"
