// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractNativeEventFilter>
#include <QKeySequence>
#include <QObject>

#include "health/result.h"

namespace Vigil {

// A system-wide hotkey: fires while another program has focus. X11 only (a passive key grab on the root
// window through Qt's xcb connection); elsewhere setShortcut() fails with a message saying why (Wayland
// lets no application grab keys; Windows/macOS are not implemented). Caps Lock and Num Lock are ignored.
// GUI thread only; activated() is emitted there.
class GlobalHotkey final : public QObject, public QAbstractNativeEventFilter
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GlobalHotkey)

public:
    explicit GlobalHotkey(QObject *parent = nullptr);
    ~GlobalHotkey() override;

    // Whether this platform can have one at all (the X11/xcb platform plugin is in use).
    static bool isSupported();
    // For the settings: what the platform offers.
    static QString platformNote();

    // Grabs the key (releasing any previous one). Errors (kind Configuration): "HotkeyUnsupported" (not
    // X11), "HotkeyKeyUnsupported" (only letters, digits, F1–F24, Pause, Escape and Space with modifiers),
    // "HotkeyTaken" (another program holds that key combination).
    Result<void> setShortcut(const QKeySequence &shortcut);
    void clear();
    QKeySequence shortcut() const { return m_shortcut; }
    bool isActive() const { return m_keycode != 0; }

    bool nativeEventFilter(const QByteArray &eventType, void *message, qintptr *result) override;

Q_SIGNALS:
    void activated();

private:
    QKeySequence m_shortcut;
    quint8 m_keycode = 0;
    quint16 m_modifiers = 0;
    bool m_filterInstalled = false;
};

} // namespace Vigil
