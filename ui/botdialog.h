// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>
#include <QHash>
#include <QStringList>
#include <QVariant>

#include "engine/botconfig.h"
#include "health/result.h"

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace Vigil {

// Add or edit one bot. Every field is checked with a clear message naming it (the strategy parameters by
// StrategyFactory::validate, the rest here and by BotConfig::fromJson); the offending field is marked and
// focused, and the dialog does not close until everything is valid. Produces a BotConfig; it never talks
// to the engine. Open it with open()/show(): nothing here needs exec().
//
// Test seam: setFieldValue()/fieldWidget() address fields by the names the validators use ("id", "name",
// "account", "symbol", "contract_type", "duration", "duration_unit", "barrier", "currency", "stake",
// "max_stake", "staking.system", "staking.multiplier", "staking.max_steps", "staking.unit",
// "staking.max_wins", "entry.signal", "entry.ticks", "enabled"), and validate() runs the checks without
// closing anything.
class BotDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BotDialog)

public:
    // accounts: the configured account ids; existingBotIds: ids already taken (refused for a new bot).
    BotDialog(const QStringList &accounts, const QStringList &existingBotIds, QWidget *parent = nullptr);
    ~BotDialog() override;

    // Edit mode: fills the form; the id is fixed.
    void setBot(const Vigil::BotConfig &bot);
    bool isEditing() const { return m_editing; }

    // Runs every check, shows the first problem (message + marked field) or clears it.
    Result<BotConfig> validate();
    // The accepted configuration (valid after accept()).
    BotConfig botConfig() const { return m_result; }
    QString errorText() const;
    QString errorField() const { return m_errorField; }

    QStringList fieldNames() const { return m_fields.keys(); }
    QWidget *fieldWidget(const QString &field) const { return m_fields.value(field); }
    // Line edits take text, spin boxes integers, combo boxes their item data; false when the value cannot
    // be set (no such field / no such item).
    bool setFieldValue(const QString &field, const QVariant &value);

    // The strategy parameters as the form currently says them (StrategyFactory's JSON).
    QJsonObject strategyJson() const;

public Q_SLOTS:
    void accept() override;

private:
    void updateVisibility();
    void markInvalid(const QString &field, const QString &message);
    void clearInvalid();
    QString fieldLabel(const QString &field) const;

    QStringList m_existingIds;
    bool m_editing = false;
    BotConfig m_result;
    QString m_errorField;
    QHash<QString, QWidget *> m_fields;
    QHash<QString, QString> m_labels;

    QLineEdit *m_id;
    QLineEdit *m_name;
    QComboBox *m_account;
    QCheckBox *m_enabled;
    QComboBox *m_symbol;
    QComboBox *m_contractType;
    QSpinBox *m_duration;
    QComboBox *m_durationUnit;
    QLineEdit *m_barrier;
    QComboBox *m_currency;
    QLineEdit *m_stake;
    QLineEdit *m_maxStake;
    QComboBox *m_staking;
    QLineEdit *m_multiplier;
    QSpinBox *m_maxSteps;
    QLineEdit *m_unit;
    QSpinBox *m_maxWins;
    QComboBox *m_entry;
    QSpinBox *m_ticks;
    QFormLayout *m_stakeForm;
    QFormLayout *m_entryForm;
    QFormLayout *m_contractForm;
    QLabel *m_error;
};

} // namespace Vigil
