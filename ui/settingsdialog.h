// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class QDoubleSpinBox;
class QKeySequenceEdit;
class QLabel;
class QLineEdit;
class QRadioButton;

namespace Vigil {

class ConsoleSettings;

// Preferences: where to trade (the embedded simulator = paper, the default; or a Deriv endpoint with an
// app_id), the Redis URL, the journal location, the kill-switch shortcut, the simulator speed. Writes to
// ConsoleSettings on Save after checking every field (a URL with a password is refused: secrets belong in
// the keychain). Connection settings apply at the next start; the shortcut at once. Non-modal.
class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)

public:
    // `systemHotkeyNote`: what the platform offers for a system-wide hotkey, shown as is.
    SettingsDialog(ConsoleSettings &settings, const QString &systemHotkeyNote, QWidget *parent = nullptr);
    ~SettingsDialog() override;

    QString errorText() const;

public Q_SLOTS:
    void accept() override;

Q_SIGNALS:
    void shortcutChanged(const QKeySequence &shortcut);
    // Connection, journal or coordination changed: they take effect at the next start.
    void restartNeeded();

private:
    void load();

    ConsoleSettings &m_settings;
    QRadioButton *m_paper;
    QRadioButton *m_real;
    QLineEdit *m_endpoint;
    QLineEdit *m_appId;
    QLineEdit *m_redis;
    QLineEdit *m_journal;
    QKeySequenceEdit *m_shortcut;
    QDoubleSpinBox *m_timeScale;
    QLabel *m_error;
};

} // namespace Vigil
