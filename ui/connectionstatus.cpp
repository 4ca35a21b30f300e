// SPDX-License-Identifier: GPL-3.0-or-later
#include "connectionstatus.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QTimer>

#include "ui/consolecolors.h"
#include "ui/displaytext.h"

namespace Vigil {

ConnectionStatus::ConnectionStatus(QWidget *parent) : QWidget(parent), m_layout(new QHBoxLayout(this)), m_timer(new QTimer(this))
{
    setObjectName(QStringLiteral("connectionStatus"));
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(12);
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &ConnectionStatus::refresh);
    m_timer->start();
}

ConnectionStatus::~ConnectionStatus() = default;

void ConnectionStatus::setAccounts(const QList<AccountSnapshot> &accounts)
{
    m_accounts = accounts;
    while (m_labels.size() < m_accounts.size()) {
        auto *label = new QLabel(this);
        label->setTextFormat(Qt::RichText);
        m_layout->addWidget(label);
        m_labels.append(label);
    }
    while (m_labels.size() > m_accounts.size())
        delete m_labels.takeLast();
    refresh();
}

void ConnectionStatus::refresh()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int i = 0; i < m_accounts.size(); ++i) {
        const AccountSnapshot &a = m_accounts.at(i);
        QColor dot = ConsoleColors::warning();
        if (a.connection == AccountSnapshot::Connection::Connected)
            dot = ConsoleColors::ok();
        else if (a.connection == AccountSnapshot::Connection::Down)
            dot = ConsoleColors::danger();
        m_labels.at(i)->setText(QStringLiteral("<span style='color:%1'>●</span> %2: %3")
                                    .arg(ConsoleColors::css(dot), DisplayText::accountLabel(a).toHtmlEscaped(),
                                         DisplayText::connection(a, now)));
        m_labels.at(i)->setProperty("plainText", QString(DisplayText::accountLabel(a) + QStringLiteral(": ") + DisplayText::connection(a, now)));
    }
}

QString ConnectionStatus::text() const
{
    QStringList parts;
    for (const QLabel *l : m_labels)
        parts << l->property("plainText").toString();
    return parts.join(QStringLiteral(" · "));
}

} // namespace Vigil
