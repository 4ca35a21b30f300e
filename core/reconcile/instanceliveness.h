// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaType>
#include <QSet>
#include <QString>

namespace Vigil {

// Which Vigil instances were running when the instance registry was read: what a Reconciler on a shared
// journal needs to tell a buy another live instance still owns from one a crashed run left behind.
// A value type; crosses threads freely.
struct InstanceLiveness
{
    bool known = false;   // false: the registry could not be read (or did not answer); `alive` is then empty
                          // and means nothing, never "nobody else is running"
    QSet<QString> alive;  // instance ids with a live (not expired) registry entry, this instance's own included
    QString error;        // why it is not known

    static InstanceLiveness of(const QSet<QString> &alive);
    static InstanceLiveness unknown(const QString &why);

    // The instance that wrote a trade row, from its request tag "<instanceId>:<bot>:<seq>" (bot ids have no
    // ':', seq is a number; the instance id may itself contain ':'). Empty when the tag does not have that
    // shape (rows journaled before tags named their instance, or written by tests and tools).
    static QString ownerOf(const QString &requestTag);
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::InstanceLiveness)
