// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QLoggingCategory>
#include <QString>

#include "health/error.h"

namespace Vigil {

// A JSON-lines log file with size-based rotation, installed as Qt's message handler.
// Every line is one object {ts, level, category, message, file, line, function, instance, version, pid, ...};
// everything written passes through Redactor first. Thread-safe; all methods are static.
class JsonLogSink
{
public:
    struct Options
    {
        QString directory;               // default: <AppLocalDataLocation>/logs
        QString fileName = QStringLiteral("vigil.log");
        qint64 maxBytes = 10 * 1024 * 1024;
        int keepFiles = 5;               // vigil.log plus vigil.1.log ... vigil.<keepFiles-1>.log
        QString instanceId;
        bool echoToStderr = true;
    };

    static bool install(const Options &options);
    static void uninstall();
    static QString filePath();
    static QString instanceId();
    // Writes one record (redacted, stamped with time/instance/version). No-op when not installed.
    static void write(QJsonObject record);
};

// Logs an error with its full context (account, bot, request, Deriv code/message/details, source
// location, and a stack trace when `withStack`) to the category and the JSON log.
void logError(const QLoggingCategory &category, const Error &error, const char *file, int line,
              const char *function, bool withStack);

} // namespace Vigil

// An expected failure (broker rejection, dropped socket): full context, no stack.
#define VIGIL_LOG_ERROR(category, error) \
    ::Vigil::logError(category(), (error), __FILE__, __LINE__, static_cast<const char *>(Q_FUNC_INFO), false)
// An unexpected failure: full context plus a stack trace.
#define VIGIL_LOG_FAILURE(category, error) \
    ::Vigil::logError(category(), (error), __FILE__, __LINE__, static_cast<const char *>(Q_FUNC_INFO), true)
