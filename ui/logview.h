// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QComboBox;
class QLineEdit;
class QPlainTextEdit;
class QTableView;

namespace Vigil {

class EventFilterProxy;
class EventLogModel;

// The event log: a level filter, a search box, the events, and the full context (details JSON) of the
// selected one. Follows the newest event while scrolled to the bottom. GUI thread only.
class LogView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogView)

public:
    // The model is not owned.
    explicit LogView(EventLogModel *model, QWidget *parent = nullptr);
    ~LogView() override;

    EventFilterProxy *proxy() const { return m_proxy; }
    QTableView *view() const { return m_view; }
    QString detailsText() const;
    void setSearchText(const QString &text);
    // int(EngineEvent::Level)
    void setMinimumLevel(int level);
    void selectRow(int proxyRow);

private:
    void showDetails();

    EventLogModel *m_model;
    EventFilterProxy *m_proxy;
    QComboBox *m_level;
    QLineEdit *m_search;
    QTableView *m_view;
    QPlainTextEdit *m_details;
    bool m_follow = true;
};

} // namespace Vigil
