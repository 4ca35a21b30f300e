// SPDX-License-Identifier: GPL-3.0-or-later
#include "instancestore.h"

namespace Vigil {

InstanceStore::~InstanceStore() = default;

} // namespace Vigil
