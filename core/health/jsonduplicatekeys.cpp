// SPDX-License-Identifier: GPL-3.0-or-later
#include "jsonduplicatekeys.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QList>
#include <QSet>

namespace Vigil {

namespace {

struct Level
{
    bool object = false;
    QSet<QString> keys;
    QString path;       // of this object or array
    int index = 0;      // arrays: the element being read
    bool expectKey = false;
};

// The text of a JSON string token (quotes included), unescaped by Qt's own parser.
QString decodeString(QByteArrayView token)
{
    const QJsonDocument doc = QJsonDocument::fromJson('[' + token.toByteArray() + ']');
    return doc.array().at(0).toString();
}

QString member(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + u'.' + key;
}

} // namespace

std::optional<JsonDuplicateKeys::Duplicate> JsonDuplicateKeys::find(QByteArrayView json)
{
    QList<Level> stack;
    QString pending; // the path of the value about to be read
    int line = 1;
    const qsizetype n = json.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char c = json[i];
        if (c == '\n') {
            ++line;
        } else if (c == '"') {
            const qsizetype start = i;
            for (++i; i < n && json[i] != '"'; ++i) {
                if (json[i] == '\\')
                    ++i;
            }
            if (stack.isEmpty() || !stack.last().object || !stack.last().expectKey)
                continue; // a string value
            Level &top = stack.last();
            const QString key = decodeString(json.sliced(start, qMin(i, n - 1) - start + 1));
            if (top.keys.contains(key))
                return Duplicate{member(top.path, key), line};
            top.keys.insert(key);
            top.expectKey = false;
            pending = member(top.path, key);
        } else if (c == '{' || c == '[') {
            Level level;
            level.object = c == '{';
            level.expectKey = level.object;
            level.path = stack.isEmpty() ? QString() : pending;
            if (!stack.isEmpty() && !stack.last().object)
                level.path = stack.last().path + QStringLiteral("[%1]").arg(stack.last().index);
            stack.append(level);
        } else if (c == '}' || c == ']') {
            if (!stack.isEmpty())
                stack.removeLast();
        } else if (c == ',' && !stack.isEmpty()) {
            if (stack.last().object)
                stack.last().expectKey = true;
            else
                ++stack.last().index;
        }
    }
    return std::nullopt;
}

} // namespace Vigil
