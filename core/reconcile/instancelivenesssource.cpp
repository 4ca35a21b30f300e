// SPDX-License-Identifier: GPL-3.0-or-later
#include "instancelivenesssource.h"

namespace Vigil {

InstanceLivenessSource::~InstanceLivenessSource() = default;

} // namespace Vigil
