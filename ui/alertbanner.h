// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>

class QLabel;
class QPushButton;

namespace Vigil {

struct EngineEvent;

// The in-app alert strip, used where no system tray is available: the latest alert, how many more came in
// since it was last dismissed, a way to the log. Hidden until an alert arrives. GUI thread only.
class AlertBanner final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertBanner)

public:
    explicit AlertBanner(QWidget *parent = nullptr);
    ~AlertBanner() override;

    void showAlert(const Vigil::EngineEvent &event);
    void dismiss();
    QString text() const;
    int pending() const { return m_pending; }
    // The one alert shown is an emergency stop's report ("trading stays halted until re-armed"): re-arming makes it
    // history.
    bool showsOnlyAnEmergencyStop() const { return m_pending == 1 && m_latestIsStop; }

Q_SIGNALS:
    void showLogRequested();

private:
    QLabel *m_icon;
    QLabel *m_text;
    QPushButton *m_log;
    QPushButton *m_close;
    int m_pending = 0;
    int m_worstLevel = 0;
    bool m_latestIsStop = false;
};

} // namespace Vigil
