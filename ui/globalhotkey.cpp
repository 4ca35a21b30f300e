// SPDX-License-Identifier: GPL-3.0-or-later
#include "globalhotkey.h"

#include <cstdlib>

#if defined(VIGIL_HAVE_XCB)
#include <xcb/xcb.h>
#endif

#include <QGuiApplication>
#if defined(VIGIL_HAVE_XCB)
#include <QtGui/qguiapplication_platform.h>
#endif

#include "health/logcategories.h"

namespace Vigil {

namespace {
Error hotkeyError(const QString &code, const QString &message)
{
    return Error::make(ErrorKind::Configuration, code, message);
}

#if defined(VIGIL_HAVE_XCB)
constexpr quint16 s_lockMask = XCB_MOD_MASK_LOCK;
constexpr quint16 s_numLockMask = XCB_MOD_MASK_2; // Num Lock on every common layout

xcb_connection_t *connection()
{
    auto *x11 = qGuiApp ? qGuiApp->nativeInterface<QNativeInterface::QX11Application>() : nullptr;
    return x11 ? x11->connection() : nullptr;
}

xcb_window_t rootWindow(xcb_connection_t *c)
{
    const xcb_setup_t *setup = xcb_get_setup(c);
    xcb_screen_iterator_t it = xcb_setup_roots_iterator(setup);
    return it.rem > 0 ? it.data->root : xcb_window_t(XCB_WINDOW_NONE);
}

// The X keysym of a Qt key, for the keys a kill switch sensibly uses.
quint32 keysymFor(int key)
{
    if (key >= Qt::Key_A && key <= Qt::Key_Z)
        return 0x61 + quint32(key - Qt::Key_A); // lower-case letter keysyms
    if (key >= Qt::Key_0 && key <= Qt::Key_9)
        return 0x30 + quint32(key - Qt::Key_0);
    if (key >= Qt::Key_F1 && key <= Qt::Key_F24)
        return 0xffbe + quint32(key - Qt::Key_F1);
    switch (key) {
    case Qt::Key_Pause: return 0xff13;
    case Qt::Key_Escape: return 0xff1b;
    case Qt::Key_Space: return 0x20;
    default: return 0;
    }
}

// The first keycode producing `keysym` in the current keyboard mapping (core protocol, no extra library).
quint8 keycodeFor(xcb_connection_t *c, quint32 keysym)
{
    const xcb_setup_t *setup = xcb_get_setup(c);
    const int first = setup->min_keycode;
    const int count = setup->max_keycode - setup->min_keycode + 1;
    xcb_get_keyboard_mapping_reply_t *reply
        = xcb_get_keyboard_mapping_reply(c, xcb_get_keyboard_mapping(c, xcb_keycode_t(first), quint8(count)), nullptr);
    if (!reply)
        return 0;
    const xcb_keysym_t *syms = xcb_get_keyboard_mapping_keysyms(reply);
    const int perCode = reply->keysyms_per_keycode;
    quint8 found = 0;
    for (int i = 0; i < count && !found; ++i) {
        for (int j = 0; j < perCode; ++j) {
            if (syms[i * perCode + j] == keysym) {
                found = quint8(first + i);
                break;
            }
        }
    }
    std::free(reply);
    return found;
}

quint16 modifiersFor(Qt::KeyboardModifiers m)
{
    quint16 x = 0;
    if (m & Qt::ShiftModifier)
        x |= XCB_MOD_MASK_SHIFT;
    if (m & Qt::ControlModifier)
        x |= XCB_MOD_MASK_CONTROL;
    if (m & Qt::AltModifier)
        x |= XCB_MOD_MASK_1;
    if (m & Qt::MetaModifier)
        x |= XCB_MOD_MASK_4;
    return x;
}

const quint16 s_ignoredCombos[] = {0, s_lockMask, s_numLockMask, s_lockMask | s_numLockMask};
#endif
} // namespace

GlobalHotkey::GlobalHotkey(QObject *parent) : QObject(parent) {}

GlobalHotkey::~GlobalHotkey()
{
    clear();
    if (m_filterInstalled && qApp)
        qApp->removeNativeEventFilter(this);
}

bool GlobalHotkey::isSupported()
{
#if defined(VIGIL_HAVE_XCB)
    return QGuiApplication::platformName() == QLatin1String("xcb") && connection() != nullptr;
#else
    return false;
#endif
}

QString GlobalHotkey::platformNote()
{
    const QString platform = QGuiApplication::platformName();
    if (isSupported())
        return tr("Active on X11: the shortcut works while other programs have focus.");
    if (platform == QLatin1String("wayland"))
        return tr("Not available on Wayland: it lets no application grab keys system-wide. The shortcut works "
                  "while Vigil has focus; the tray menu works from anywhere.");
    return tr("Not available on this platform (\"%1\"): the shortcut works while Vigil has focus; the tray menu "
              "works from anywhere.")
        .arg(platform);
}

void GlobalHotkey::clear()
{
#if defined(VIGIL_HAVE_XCB)
    if (m_keycode == 0)
        return;
    if (xcb_connection_t *c = connection()) {
        const xcb_window_t root = rootWindow(c);
        for (quint16 extra : s_ignoredCombos)
            xcb_ungrab_key(c, m_keycode, root, quint16(m_modifiers | extra));
        xcb_flush(c);
    }
#endif
    m_keycode = 0;
    m_modifiers = 0;
    m_shortcut = {};
}

Result<void> GlobalHotkey::setShortcut(const QKeySequence &shortcut)
{
    clear();
    if (!isSupported())
        return hotkeyError(QStringLiteral("HotkeyUnsupported"), platformNote());
    if (shortcut.count() != 1)
        return hotkeyError(QStringLiteral("HotkeyKeyUnsupported"), tr("a system-wide hotkey must be a single key combination"));
#if defined(VIGIL_HAVE_XCB)
    const QKeyCombination combo = shortcut[0];
    const quint32 keysym = keysymFor(combo.key());
    if (keysym == 0 || combo.keyboardModifiers() == Qt::NoModifier)
        return hotkeyError(QStringLiteral("HotkeyKeyUnsupported"),
                           tr("%1: use modifiers with a letter, a digit, F1–F24, Pause, Escape or Space")
                               .arg(shortcut.toString(QKeySequence::NativeText)));
    xcb_connection_t *c = connection();
    const quint8 keycode = keycodeFor(c, keysym);
    if (keycode == 0)
        return hotkeyError(QStringLiteral("HotkeyKeyUnsupported"),
                           tr("%1: that key is not on the current keyboard layout").arg(shortcut.toString(QKeySequence::NativeText)));
    const quint16 mods = modifiersFor(combo.keyboardModifiers());
    const xcb_window_t root = rootWindow(c);
    bool taken = false;
    for (quint16 extra : s_ignoredCombos) {
        xcb_void_cookie_t cookie = xcb_grab_key_checked(c, 1, root, quint16(mods | extra), keycode, XCB_GRAB_MODE_ASYNC, XCB_GRAB_MODE_ASYNC);
        if (xcb_generic_error_t *error = xcb_request_check(c, cookie)) {
            taken = true;
            std::free(error);
        }
    }
    if (taken) {
        for (quint16 extra : s_ignoredCombos)
            xcb_ungrab_key(c, keycode, root, quint16(mods | extra));
        xcb_flush(c);
        return hotkeyError(QStringLiteral("HotkeyTaken"), tr("%1 is already taken by another program; choose another key")
                                                              .arg(shortcut.toString(QKeySequence::NativeText)));
    }
    m_keycode = keycode;
    m_modifiers = mods;
    m_shortcut = shortcut;
    if (!m_filterInstalled) {
        qApp->installNativeEventFilter(this);
        m_filterInstalled = true;
    }
    qCInfo(lcUi) << "system-wide hotkey" << shortcut.toString(QKeySequence::PortableText) << "grabbed";
    return {};
#else
    return hotkeyError(QStringLiteral("HotkeyUnsupported"), platformNote());
#endif
}

bool GlobalHotkey::nativeEventFilter(const QByteArray &eventType, void *message, qintptr *)
{
#if defined(VIGIL_HAVE_XCB)
    if (m_keycode == 0 || eventType != "xcb_generic_event_t")
        return false;
    auto *event = static_cast<xcb_generic_event_t *>(message);
    if ((event->response_type & ~0x80) != XCB_KEY_PRESS)
        return false;
    auto *key = reinterpret_cast<xcb_key_press_event_t *>(event);
    const quint16 state = key->state & ~(s_lockMask | s_numLockMask);
    const quint16 relevant = XCB_MOD_MASK_SHIFT | XCB_MOD_MASK_CONTROL | XCB_MOD_MASK_1 | XCB_MOD_MASK_4;
    if (key->detail != m_keycode || (state & relevant) != m_modifiers)
        return false;
    Q_EMIT activated();
    return true;
#else
    Q_UNUSED(eventType);
    Q_UNUSED(message);
    return false;
#endif
}

} // namespace Vigil
