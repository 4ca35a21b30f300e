// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMessageBox>

namespace Vigil {

// The console's "are you sure?" for actions that put money back at risk or cannot be undone (re-arm, revoke,
// remove a bot): window-modal, shown with open() (never exec(): the GUI thread keeps running), Cancel is the
// default, deleted when closed. The caller connects to QMessageBox::buttonClicked and compares with confirmButton.
class ConfirmationBox final
{
public:
    struct Parts
    {
        QMessageBox *box = nullptr;
        QPushButton *confirmButton = nullptr;
    };

    // objectName names the box (tests find it), confirmName its confirming button.
    static Parts create(QWidget *parent, const QString &title, const QString &text, const QString &confirmText,
                        QMessageBox::ButtonRole confirmRole, const QString &objectName, const QString &confirmName);
};

} // namespace Vigil
