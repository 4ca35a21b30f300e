// SPDX-License-Identifier: GPL-3.0-or-later
#include "lockbackend.h"

namespace Vigil {

LockBackend::~LockBackend() = default;

} // namespace Vigil
