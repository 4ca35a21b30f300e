// SPDX-License-Identifier: GPL-3.0-or-later
#include "jsonlogsink.h"

#include <cstdio>

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QStandardPaths>

#include "health/redactor.h"
#include "health/stacktrace.h"

namespace Vigil {

namespace {
struct SinkState
{
    QMutex mutex;
    JsonLogSink::Options options;
    QFile file;
    bool installed = false;
    QtMessageHandler previous = nullptr;
};

SinkState &state()
{
    static SinkState s;
    return s;
}

QString levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg: return QStringLiteral("debug");
    case QtInfoMsg: return QStringLiteral("info");
    case QtWarningMsg: return QStringLiteral("warning");
    case QtCriticalMsg: return QStringLiteral("critical");
    case QtFatalMsg: return QStringLiteral("fatal");
    }
    return QStringLiteral("unknown");
}

QString pathFor(const JsonLogSink::Options &o, int index)
{
    if (index == 0)
        return QDir(o.directory).filePath(o.fileName);
    QString base = o.fileName;
    const qsizetype dot = base.lastIndexOf(u'.');
    const QString stem = dot > 0 ? base.left(dot) : base;
    const QString ext = dot > 0 ? base.mid(dot) : QString();
    return QDir(o.directory).filePath(stem + u'.' + QString::number(index) + ext);
}

// Called with the mutex held.
void rotateIfNeeded(SinkState &s)
{
    if (s.file.size() < s.options.maxBytes)
        return;
    s.file.close();
    for (int i = s.options.keepFiles - 1; i >= 1; --i) {
        const QString from = pathFor(s.options, i - 1);
        const QString to = pathFor(s.options, i);
        QFile::remove(to);
        QFile::rename(from, to);
    }
    s.file.setFileName(pathFor(s.options, 0));
    s.file.open(QIODevice::Append | QIODevice::WriteOnly);
}

void writeLocked(SinkState &s, QJsonObject record)
{
    if (!s.installed || !s.file.isOpen())
        return;
    record.insert(QStringLiteral("ts"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    record.insert(QStringLiteral("instance"), s.options.instanceId);
    record.insert(QStringLiteral("version"), QStringLiteral(VIGIL_VERSION));
    record.insert(QStringLiteral("pid"), QCoreApplication::applicationPid());
    const QByteArray line = QJsonDocument(Redactor::redactJson(record)).toJson(QJsonDocument::Compact) + '\n';
    s.file.write(line);
    s.file.flush();
    rotateIfNeeded(s);
}

void messageHandler(QtMsgType type, const QMessageLogContext &ctx, const QString &msg)
{
    SinkState &s = state();
    const QString safe = Redactor::redact(msg);
    {
        QMutexLocker lock(&s.mutex);
        QJsonObject r{{QStringLiteral("level"), levelName(type)},
                      {QStringLiteral("category"), QString::fromUtf8(ctx.category ? ctx.category : "default")},
                      {QStringLiteral("message"), safe}};
        if (ctx.file) {
            r.insert(QStringLiteral("file"), QString::fromUtf8(ctx.file));
            r.insert(QStringLiteral("line"), ctx.line);
        }
        if (ctx.function)
            r.insert(QStringLiteral("function"), QString::fromUtf8(ctx.function));
        writeLocked(s, r);
        if (s.options.echoToStderr) {
            const QByteArray out = QStringLiteral("%1 %2: %3\n")
                                       .arg(levelName(type), QString::fromUtf8(ctx.category ? ctx.category : "default"), safe)
                                       .toLocal8Bit();
            std::fwrite(out.constData(), 1, size_t(out.size()), stderr);
        }
    }
    if (type == QtFatalMsg)
        std::abort();
}
} // namespace

bool JsonLogSink::install(const Options &options)
{
    SinkState &s = state();
    QMutexLocker lock(&s.mutex);
    s.options = options;
    if (s.options.directory.isEmpty())
        s.options.directory = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + QStringLiteral("/logs");
    if (s.options.keepFiles < 1)
        s.options.keepFiles = 1;
    QDir().mkpath(s.options.directory);
    if (s.file.isOpen())
        s.file.close();
    s.file.setFileName(pathFor(s.options, 0));
    if (!s.file.open(QIODevice::Append | QIODevice::WriteOnly))
        return false;
    if (!s.installed)
        s.previous = qInstallMessageHandler(messageHandler);
    s.installed = true;
    return true;
}

void JsonLogSink::uninstall()
{
    SinkState &s = state();
    QMutexLocker lock(&s.mutex);
    if (!s.installed)
        return;
    qInstallMessageHandler(s.previous);
    s.installed = false;
    s.file.close();
}

QString JsonLogSink::filePath()
{
    SinkState &s = state();
    QMutexLocker lock(&s.mutex);
    return s.installed ? s.file.fileName() : QString();
}

QString JsonLogSink::instanceId()
{
    SinkState &s = state();
    QMutexLocker lock(&s.mutex);
    return s.options.instanceId;
}

void JsonLogSink::write(QJsonObject record)
{
    SinkState &s = state();
    QMutexLocker lock(&s.mutex);
    writeLocked(s, std::move(record));
}

void logError(const QLoggingCategory &category, const Error &error, const char *file, int line,
              const char *function, bool withStack)
{
    QJsonObject r{{QStringLiteral("level"), QStringLiteral("error")},
                  {QStringLiteral("category"), QString::fromUtf8(category.categoryName())},
                  {QStringLiteral("message"), Redactor::redact(error.toString())},
                  {QStringLiteral("error"), error.toJson()},
                  {QStringLiteral("file"), QString::fromUtf8(file)},
                  {QStringLiteral("line"), line},
                  {QStringLiteral("function"), QString::fromUtf8(function)}};
    if (withStack)
        r.insert(QStringLiteral("stack"), QJsonArray::fromStringList(StackTrace::capture(1, 24)));
    JsonLogSink::write(r);
    // Also to stderr/other handlers, without re-writing the file (the handler would add a plain line).
    if (category.isWarningEnabled()) {
        const QByteArray out = QStringLiteral("error %1: %2\n")
                                   .arg(QString::fromUtf8(category.categoryName()), Redactor::redact(error.toString()))
                                   .toLocal8Bit();
        std::fwrite(out.constData(), 1, size_t(out.size()), stderr);
    }
}

} // namespace Vigil
