// SPDX-License-Identifier: GPL-3.0-or-later
#include "accountlabels.h"

#include "engine/accountsnapshot.h"
#include "ui/displaytext.h"

namespace Vigil {

AccountLabels AccountLabels::fromSnapshots(const QList<AccountSnapshot> &accounts)
{
    QHash<QString, QString> labels;
    for (const AccountSnapshot &s : accounts) {
        const QString label = DisplayText::accountLabel(s);
        labels.insert(s.id, label);
        if (!s.loginId.isEmpty())
            labels.insert(s.loginId, label);
    }
    return AccountLabels(std::move(labels));
}

} // namespace Vigil
