// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QList>
#include <QString>

namespace Vigil {

struct AccountSnapshot;

// How the console names each account ("VRTC1234 (demo)", DisplayText::accountLabel), found by either id an
// engine event or report may carry: the configured id (before authorize) or the login id (after).
// An account the console does not know keeps the id it came with. Value type.
class AccountLabels
{
public:
    AccountLabels() = default;
    explicit AccountLabels(QHash<QString, QString> labels) : m_labels(std::move(labels)) {}
    static AccountLabels fromSnapshots(const QList<AccountSnapshot> &accounts);

    QString label(const QString &account) const { return m_labels.value(account, account); }
    bool operator==(const AccountLabels &other) const { return m_labels == other.m_labels; }

private:
    QHash<QString, QString> m_labels;
};

} // namespace Vigil
