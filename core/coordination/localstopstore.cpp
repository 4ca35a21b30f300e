// SPDX-License-Identifier: GPL-3.0-or-later
#include "localstopstore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include "health/logcategories.h"

namespace Vigil {

LocalStopStore::LocalStopStore(QString path) : m_path(std::move(path)) {}

QList<StopMessage> LocalStopStore::load() const
{
    QFile file(m_path);
    if (!file.exists())
        return {};
    auto unreadable = [this](const QString &why) {
        StopMessage m;
        m.malformed = true;
        m.reason = QStringLiteral("the emergency stop file %1 cannot be read (%2): trading stays halted until re-armed")
                       .arg(m_path, why);
        qCWarning(lcCoordination).noquote() << m.reason;
        return QList<StopMessage>{m};
    };
    if (!file.open(QIODevice::ReadOnly))
        return unreadable(file.errorString());
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return unreadable(err.errorString());
    QList<StopMessage> stops;
    for (const QJsonValue &v : doc.object().value(QStringLiteral("stops")).toArray()) {
        StopMessage m = StopMessage::fromPayload(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
        m.kind = StopMessage::Kind::Stop; // whatever it holds, it is a stop in force
        stops.append(m);
    }
    return stops;
}

Result<void> LocalStopStore::record(const StopMessage &stop)
{
    QList<StopMessage> stops = load();
    stops.removeIf([&stop](const StopMessage &m) { return m.account == stop.account && !m.malformed; });
    StopMessage s = stop;
    s.kind = StopMessage::Kind::Stop;
    stops.append(s);
    return save(stops);
}

Result<void> LocalStopStore::clearAccount(const QString &account)
{
    QList<StopMessage> stops = load();
    if (stops.removeIf([&account](const StopMessage &m) { return m.account == account && !m.malformed; }) == 0)
        return {};
    return save(stops);
}

Result<void> LocalStopStore::clearGlobal()
{
    QList<StopMessage> stops = load();
    if (stops.removeIf([](const StopMessage &m) { return m.account.isEmpty(); }) == 0)
        return {};
    return save(stops);
}

Result<void> LocalStopStore::clearAll()
{
    if (!QFile::exists(m_path))
        return {};
    return save({});
}

Result<void> LocalStopStore::save(const QList<StopMessage> &stops)
{
    auto failed = [this](const QString &why) {
        return Error::make(ErrorKind::Storage, QStringLiteral("StopFileWrite"),
                           QStringLiteral("cannot write the emergency stop file %1: %2").arg(m_path, why));
    };
    if (stops.isEmpty()) {
        if (QFile::exists(m_path) && !QFile::remove(m_path))
            return failed(QStringLiteral("cannot remove it"));
        return {};
    }
    if (!QDir().mkpath(QFileInfo(m_path).absolutePath()))
        return failed(QStringLiteral("cannot create its directory"));
    QJsonArray list;
    for (const StopMessage &m : stops) {
        if (!m.malformed)
            list.append(QJsonDocument::fromJson(m.toPayload()).object());
    }
    QSaveFile out(m_path);
    if (!out.open(QIODevice::WriteOnly))
        return failed(out.errorString());
    out.write(QJsonDocument(QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("stops"), list}})
                  .toJson(QJsonDocument::Indented));
    if (!out.commit())
        return failed(out.errorString());
    return {};
}

} // namespace Vigil
