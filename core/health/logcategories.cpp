// SPDX-License-Identifier: GPL-3.0-or-later
#include "logcategories.h"

Q_LOGGING_CATEGORY(lcDeriv, "vigil.deriv", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSim, "vigil.sim", QtInfoMsg)
Q_LOGGING_CATEGORY(lcEngine, "vigil.engine", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStrategy, "vigil.strategy", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRisk, "vigil.risk", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStore, "vigil.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCoordination, "vigil.coordination", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAccounts, "vigil.accounts", QtInfoMsg)
Q_LOGGING_CATEGORY(lcReconcile, "vigil.reconcile", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHealth, "vigil.health", QtInfoMsg)
Q_LOGGING_CATEGORY(lcUi, "vigil.ui", QtInfoMsg)
