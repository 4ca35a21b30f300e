// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace Vigil::Sim {

// Checks requests the way Deriv's server does against its published send schemas (types,
// required fields, enums, patterns, bounds, no unknown fields), so a malformed request gets
// InputValidationFailed with details {field: reason} in JSON::Validator's wording.
// The rules are written out here from the published schemas (the project never reads them).
class RequestValidator
{
public:
    // The calls the simulator answers, in the order a request's keys are matched.
    static const QStringList &calls();
    // The call a request names (its first key that is a call), or empty.
    static QString callOf(const QJsonObject &request);
    // {field: reason} for every violation; empty when the request is valid.
    static QJsonObject validate(const QString &call, const QJsonObject &request);
};

} // namespace Vigil::Sim
