// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>

class QLabel;

namespace Vigil {

// PAPER vs REAL, always on screen: paper = the embedded simulator (EngineConfig::isPaper()); real = a Deriv
// endpoint, in red, naming it. GUI thread only.
class ModeBanner final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModeBanner)

public:
    explicit ModeBanner(QWidget *parent = nullptr);
    ~ModeBanner() override;

    void setMode(bool paper, const QString &endpoint);
    bool isPaper() const { return m_paper; }
    QString text() const;

private:
    QLabel *m_mode;
    QLabel *m_detail;
    bool m_paper = true;
};

} // namespace Vigil
