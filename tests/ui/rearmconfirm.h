// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractButton>
#include <QMessageBox>
#include <QPushButton>
#include <QTest>

// Answers the console's "Re-arm trading?" box: clicks the button with this object name ("rearmConfirmButton"),
// or Cancel when the name is empty. False when no box came up within 5 s.
inline bool answerRearm(QWidget *window, const QString &buttonName)
{
    QMessageBox *box = nullptr;
    const bool shown = QTest::qWaitFor([&] {
        box = window->findChild<QMessageBox *>(QStringLiteral("rearmConfirm"));
        return box && box->isVisible();
    }, 5000);
    if (!shown)
        return false;
    QAbstractButton *button = buttonName.isEmpty() ? box->button(QMessageBox::Cancel)
                                                   : box->findChild<QPushButton *>(buttonName);
    if (!button)
        return false;
    QTest::mouseClick(button, Qt::LeftButton);
    return true;
}
