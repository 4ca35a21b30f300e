// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QByteArrayView>
#include <QString>

namespace Vigil {

// Qt's JSON parser keeps the last of two equal keys in one object and says nothing: for a config file that hides a
// mistake ("stake" written twice, the first one silently lost). This finds the first such key in a document Qt
// already parsed as valid JSON, with its path ("bots[1].strategy.stake") and the line it is on.
class JsonDuplicateKeys
{
public:
    struct Duplicate
    {
        QString path; // e.g. bots[1].strategy.stake
        int line = 0; // 1-based line of the second occurrence
    };
    // `json` must be valid JSON (what it does with anything else is unspecified, but it never reads out of bounds).
    static std::optional<Duplicate> find(QByteArrayView json);
};

} // namespace Vigil
