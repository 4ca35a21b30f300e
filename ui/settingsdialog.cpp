// SPDX-License-Identifier: GPL-3.0-or-later
#include "settingsdialog.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QKeySequenceEdit>
#include <QLabel>
#include <QLineEdit>
#include <QRadioButton>
#include <QRegularExpression>
#include <QVBoxLayout>

#include "ui/consolecolors.h"
#include "ui/consolesettings.h"
#include "ui/iconfactory.h"

namespace Vigil {

SettingsDialog::SettingsDialog(ConsoleSettings &settings, const QString &systemHotkeyNote, QWidget *parent)
    : QDialog(parent), m_settings(settings), m_paper(new QRadioButton(tr("Paper trading on the embedded simulator (no real money)"), this)),
      m_real(new QRadioButton(tr("Deriv endpoint (real or demo account on Deriv's servers)"), this)),
      m_endpoint(new QLineEdit(this)), m_appId(new QLineEdit(this)), m_redis(new QLineEdit(this)), m_journal(new QLineEdit(this)),
      m_shortcut(new QKeySequenceEdit(this)), m_timeScale(new QDoubleSpinBox(this)), m_error(new QLabel(this))
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Vigil settings"));
    setWindowIcon(IconFactory::action(IconFactory::Action::Settings));
    auto *layout = new QVBoxLayout(this);

    auto *where = new QGroupBox(tr("Where to trade (applies at the next start)"), this);
    auto *whereForm = new QFormLayout(where);
    whereForm->addRow(m_paper);
    whereForm->addRow(m_real);
    m_endpoint->setPlaceholderText(QStringLiteral("wss://ws.derivws.com/websockets/v3"));
    m_appId->setPlaceholderText(tr("your Deriv app_id (digits)"));
    whereForm->addRow(tr("Endpoint:"), m_endpoint);
    whereForm->addRow(tr("App id:"), m_appId);
    m_timeScale->setRange(0.1, 1000);
    m_timeScale->setDecimals(1);
    m_timeScale->setSuffix(QStringLiteral(" ×"));
    whereForm->addRow(tr("Simulator speed:"), m_timeScale);
    layout->addWidget(where);

    auto *storage = new QGroupBox(tr("Journal and coordination (apply at the next start)"), this);
    auto *storageForm = new QFormLayout(storage);
    m_journal->setPlaceholderText(tr("default: journal.db in the application data folder; or postgresql://host/db"));
    m_redis->setPlaceholderText(tr("none: this machine only; e.g. redis://127.0.0.1:6379"));
    storageForm->addRow(tr("Journal:"), m_journal);
    storageForm->addRow(tr("Redis URL:"), m_redis);
    auto *secrets = new QLabel(tr("Passwords and API tokens are kept in the system keychain, never in these settings."), this);
    secrets->setWordWrap(true);
    storageForm->addRow(secrets);
    layout->addWidget(storage);

    auto *keys = new QGroupBox(tr("Kill switch"), this);
    auto *keysForm = new QFormLayout(keys);
    keysForm->addRow(tr("Emergency-stop shortcut (in Vigil):"), m_shortcut);
    auto *note = new QLabel(systemHotkeyNote, this);
    note->setObjectName(QStringLiteral("systemHotkeyNote"));
    note->setWordWrap(true);
    keysForm->addRow(tr("System-wide:"), note);
    layout->addWidget(keys);

    auto *theme = new QLabel(tr("Appearance follows the system's light or dark theme."), this);
    layout->addWidget(theme);

    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: %1; font-weight: bold;").arg(ConsoleColors::css(ConsoleColors::loss())));
    m_error->hide();
    layout->addWidget(m_error);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    layout->addWidget(buttons);

    auto sync = [this] {
        m_endpoint->setEnabled(m_real->isChecked());
        m_appId->setEnabled(m_real->isChecked());
        m_timeScale->setEnabled(m_paper->isChecked());
    };
    connect(m_paper, &QRadioButton::toggled, this, sync);
    load();
    sync();
}

SettingsDialog::~SettingsDialog() = default;

void SettingsDialog::load()
{
    const bool paper = m_settings.endpoint().isEmpty();
    m_paper->setChecked(paper);
    m_real->setChecked(!paper);
    m_endpoint->setText(paper ? QString() : m_settings.endpoint().toString());
    m_appId->setText(m_settings.appId());
    m_redis->setText(m_settings.redisUrl());
    m_journal->setText(m_settings.journalLocation());
    m_shortcut->setKeySequence(m_settings.killSwitchShortcut());
    m_timeScale->setValue(m_settings.simTimeScale());
}

QString SettingsDialog::errorText() const
{
    return m_error->text();
}

void SettingsDialog::accept()
{
    auto fail = [this](const QString &message) {
        m_error->setText(message);
        m_error->show();
    };
    const QUrl endpoint = m_real->isChecked() ? QUrl(m_endpoint->text().trimmed(), QUrl::StrictMode) : QUrl();
    if (m_real->isChecked() && m_endpoint->text().trimmed().isEmpty())
        return fail(tr("Endpoint: required for a Deriv endpoint, e.g. wss://ws.derivws.com/websockets/v3"));
    if (m_real->isChecked() && !QRegularExpression(QStringLiteral("^[0-9]{1,10}$")).match(m_appId->text().trimmed()).hasMatch())
        return fail(tr("App id: digits only; register an application with Deriv to get one"));
    if (m_shortcut->keySequence().isEmpty())
        return fail(tr("Emergency-stop shortcut: required (the kill switch must have a key)"));

    const bool connectionChanged = endpoint != m_settings.endpoint() || m_appId->text().trimmed() != m_settings.appId()
        || m_redis->text().trimmed() != m_settings.redisUrl() || m_journal->text().trimmed() != m_settings.journalLocation()
        || !qFuzzyCompare(m_timeScale->value(), m_settings.simTimeScale());
    if (Result<void> r = m_settings.setEndpoint(endpoint); !r)
        return fail(r.error().message);
    if (Result<void> r = m_settings.setRedisUrl(m_redis->text()); !r)
        return fail(r.error().message);
    if (Result<void> r = m_settings.setJournalLocation(m_journal->text()); !r)
        return fail(r.error().message);
    m_settings.setAppId(m_appId->text());
    m_settings.setSimTimeScale(m_timeScale->value());
    const bool keyChanged = m_shortcut->keySequence() != m_settings.killSwitchShortcut();
    m_settings.setKillSwitchShortcut(m_shortcut->keySequence());
    m_settings.sync();
    if (keyChanged)
        Q_EMIT shortcutChanged(m_shortcut->keySequence());
    if (connectionChanged)
        Q_EMIT restartNeeded();
    QDialog::accept();
}

} // namespace Vigil
