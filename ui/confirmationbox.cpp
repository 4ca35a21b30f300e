// SPDX-License-Identifier: GPL-3.0-or-later
#include "confirmationbox.h"

#include <QPushButton>

namespace Vigil {

ConfirmationBox::Parts ConfirmationBox::create(QWidget *parent, const QString &title, const QString &text,
                                               const QString &confirmText, QMessageBox::ButtonRole confirmRole,
                                               const QString &objectName, const QString &confirmName)
{
    auto *box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Cancel, parent);
    box->setObjectName(objectName);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::WindowModal);
    QPushButton *confirm = box->addButton(confirmText, confirmRole);
    confirm->setObjectName(confirmName);
    box->setDefaultButton(QMessageBox::Cancel);
    return {box, confirm};
}

} // namespace Vigil
