// SPDX-License-Identifier: GPL-3.0-or-later
#include "instanceliveness.h"

#include <algorithm>

namespace Vigil {

InstanceLiveness InstanceLiveness::of(const QSet<QString> &alive)
{
    InstanceLiveness l;
    l.known = true;
    l.alive = alive;
    return l;
}

InstanceLiveness InstanceLiveness::unknown(const QString &why)
{
    InstanceLiveness l;
    l.error = why;
    return l;
}

QString InstanceLiveness::ownerOf(const QString &requestTag)
{
    const qsizetype seqAt = requestTag.lastIndexOf(u':');
    if (seqAt <= 0)
        return {};
    const qsizetype botAt = requestTag.lastIndexOf(u':', seqAt - 1);
    if (botAt <= 0 || botAt + 1 == seqAt)
        return {}; // no instance part, or an empty bot id
    const QStringView seq = QStringView(requestTag).mid(seqAt + 1);
    if (seq.isEmpty() || !std::all_of(seq.begin(), seq.end(), [](QChar c) { return c.isDigit(); }))
        return {};
    return requestTag.left(botAt);
}

} // namespace Vigil
