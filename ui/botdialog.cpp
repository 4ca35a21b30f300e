// SPDX-License-Identifier: GPL-3.0-or-later
#include "botdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QStyle>
#include <QVBoxLayout>

#include "strategy/contractspec.h"
#include "strategy/strategyfactory.h"
#include "ui/consolecolors.h"
#include "ui/iconfactory.h"

namespace Vigil {

namespace {
const QStringList s_digitTypesWithBarrier{QStringLiteral("DIGITMATCH"), QStringLiteral("DIGITDIFF"),
                                          QStringLiteral("DIGITOVER"), QStringLiteral("DIGITUNDER")};

QComboBox *combo(QWidget *parent, const QList<std::pair<QString, QString>> &items)
{
    auto *c = new QComboBox(parent);
    for (const auto &[data, text] : items)
        c->addItem(text, data);
    return c;
}

QSpinBox *spin(QWidget *parent, int min, int max, int value)
{
    auto *s = new QSpinBox(parent);
    s->setRange(min, max);
    s->setValue(value);
    return s;
}

void repolish(QWidget *w)
{
    w->style()->unpolish(w);
    w->style()->polish(w);
    w->update();
}
} // namespace

BotDialog::BotDialog(const QStringList &accounts, const QStringList &existingBotIds, QWidget *parent)
    : QDialog(parent), m_existingIds(existingBotIds), m_id(new QLineEdit(this)), m_name(new QLineEdit(this)),
      m_account(new QComboBox(this)), m_enabled(new QCheckBox(tr("Start this bot with the engine"), this)),
      m_symbol(new QComboBox(this)),
      m_contractType(combo(this, {{QStringLiteral("CALL"), tr("Rise (CALL)")},
                                  {QStringLiteral("PUT"), tr("Fall (PUT)")},
                                  {QStringLiteral("CALLE"), tr("Rise or equal (CALLE)")},
                                  {QStringLiteral("PUTE"), tr("Fall or equal (PUTE)")},
                                  {QStringLiteral("DIGITMATCH"), tr("Digit matches (DIGITMATCH)")},
                                  {QStringLiteral("DIGITDIFF"), tr("Digit differs (DIGITDIFF)")},
                                  {QStringLiteral("DIGITOVER"), tr("Digit over (DIGITOVER)")},
                                  {QStringLiteral("DIGITUNDER"), tr("Digit under (DIGITUNDER)")},
                                  {QStringLiteral("DIGITEVEN"), tr("Digit even (DIGITEVEN)")},
                                  {QStringLiteral("DIGITODD"), tr("Digit odd (DIGITODD)")}})),
      m_duration(spin(this, 0, 100000, 5)),
      m_durationUnit(combo(this, {{QStringLiteral("t"), tr("ticks")},
                                  {QStringLiteral("s"), tr("seconds")},
                                  {QStringLiteral("m"), tr("minutes")},
                                  {QStringLiteral("h"), tr("hours")},
                                  {QStringLiteral("d"), tr("days")}})),
      m_barrier(new QLineEdit(this)),
      m_currency(combo(this, {{QStringLiteral("USD"), QStringLiteral("USD")},
                              {QStringLiteral("EUR"), QStringLiteral("EUR")},
                              {QStringLiteral("GBP"), QStringLiteral("GBP")},
                              {QStringLiteral("AUD"), QStringLiteral("AUD")}})),
      m_stake(new QLineEdit(QStringLiteral("1.00"), this)), m_maxStake(new QLineEdit(this)),
      m_staking(combo(this, {{QStringLiteral("flat"), tr("Flat (same stake every time)")},
                             {QStringLiteral("martingale"), tr("Martingale (multiply after a loss)")},
                             {QStringLiteral("dalembert"), tr("D'Alembert (+1 unit after a loss)")},
                             {QStringLiteral("oscars_grind"), tr("Oscar's Grind")},
                             {QStringLiteral("reverse_martingale"), tr("Reverse martingale (multiply after a win)")},
                             {QStringLiteral("one_three_two_six"), tr("1-3-2-6")}})),
      m_multiplier(new QLineEdit(QStringLiteral("2"), this)), m_maxSteps(spin(this, 0, 1000, 0)), m_unit(new QLineEdit(this)),
      m_maxWins(spin(this, 0, 1000, 3)),
      m_entry(combo(this, {{QStringLiteral("fixed"), tr("Always (whenever the bot is idle)")},
                           {QStringLiteral("momentum"), tr("Momentum (after N rises or falls)")}})),
      m_ticks(spin(this, 0, 1000, 3)), m_error(new QLabel(this))
{
    setObjectName(QStringLiteral("botDialog"));
    setWindowTitle(tr("Add bot"));
    setWindowIcon(IconFactory::action(IconFactory::Action::Add));

    m_account->addItem(tr("— choose an account —"), QString());
    for (const QString &a : accounts)
        m_account->addItem(a, a);
    if (accounts.size() == 1)
        m_account->setCurrentIndex(1);
    for (const QString &s : ContractSpec::knownSymbols())
        m_symbol->addItem(s, s);
    m_symbol->setCurrentIndex(qMax(0, m_symbol->findData(QStringLiteral("R_100"))));
    m_enabled->setChecked(true);
    m_id->setPlaceholderText(tr("e.g. r100-rise (letters, digits, _ . -)"));
    m_name->setPlaceholderText(tr("shown in the bot table"));
    m_barrier->setPlaceholderText(tr("digit 0–9"));
    m_stake->setPlaceholderText(tr("e.g. 1.00"));
    m_maxStake->setPlaceholderText(tr("cap; required for progressive staking"));
    m_multiplier->setPlaceholderText(tr("1–10, e.g. 2 or 1.5"));
    m_unit->setPlaceholderText(tr("default: the stake"));
    m_maxSteps->setSpecialValueText(tr("unlimited (the cap still applies)"));

    m_fields = {{QStringLiteral("id"), m_id},
                {QStringLiteral("name"), m_name},
                {QStringLiteral("account"), m_account},
                {QStringLiteral("enabled"), m_enabled},
                {QStringLiteral("symbol"), m_symbol},
                {QStringLiteral("contract_type"), m_contractType},
                {QStringLiteral("duration"), m_duration},
                {QStringLiteral("duration_unit"), m_durationUnit},
                {QStringLiteral("barrier"), m_barrier},
                {QStringLiteral("currency"), m_currency},
                {QStringLiteral("stake"), m_stake},
                {QStringLiteral("max_stake"), m_maxStake},
                {QStringLiteral("staking"), m_staking},
                {QStringLiteral("staking.system"), m_staking},
                {QStringLiteral("staking.multiplier"), m_multiplier},
                {QStringLiteral("staking.max_steps"), m_maxSteps},
                {QStringLiteral("staking.unit"), m_unit},
                {QStringLiteral("staking.max_wins"), m_maxWins},
                {QStringLiteral("entry"), m_entry},
                {QStringLiteral("entry.signal"), m_entry},
                {QStringLiteral("entry.ticks"), m_ticks}};
    for (auto it = m_fields.cbegin(); it != m_fields.cend(); ++it)
        it.value()->setObjectName(QString(it.key()).replace(u'.', u'_'));

    auto *layout = new QVBoxLayout(this);
    auto *botBox = new QGroupBox(tr("Bot"), this);
    auto *botForm = new QFormLayout(botBox);
    auto addRow = [this](QFormLayout *form, const QString &field, const QString &label, QWidget *w) {
        m_labels.insert(field, label);
        form->addRow(label + u':', w);
    };
    addRow(botForm, QStringLiteral("id"), tr("Id"), m_id);
    addRow(botForm, QStringLiteral("name"), tr("Name"), m_name);
    addRow(botForm, QStringLiteral("account"), tr("Account"), m_account);
    botForm->addRow(QString(), m_enabled);
    layout->addWidget(botBox);

    auto *contractBox = new QGroupBox(tr("Contract"), this);
    m_contractForm = new QFormLayout(contractBox);
    addRow(m_contractForm, QStringLiteral("symbol"), tr("Symbol"), m_symbol);
    addRow(m_contractForm, QStringLiteral("contract_type"), tr("Contract type"), m_contractType);
    auto *durationRow = new QWidget(this);
    auto *durationLayout = new QHBoxLayout(durationRow);
    durationLayout->setContentsMargins(0, 0, 0, 0);
    durationLayout->addWidget(m_duration, 1);
    durationLayout->addWidget(m_durationUnit, 1);
    addRow(m_contractForm, QStringLiteral("duration"), tr("Duration"), durationRow);
    m_labels.insert(QStringLiteral("duration_unit"), tr("Duration unit"));
    addRow(m_contractForm, QStringLiteral("barrier"), tr("Barrier digit"), m_barrier);
    addRow(m_contractForm, QStringLiteral("currency"), tr("Currency"), m_currency);
    layout->addWidget(contractBox);

    auto *stakeBox = new QGroupBox(tr("Stake"), this);
    m_stakeForm = new QFormLayout(stakeBox);
    addRow(m_stakeForm, QStringLiteral("stake"), tr("Stake"), m_stake);
    addRow(m_stakeForm, QStringLiteral("max_stake"), tr("Maximum stake"), m_maxStake);
    addRow(m_stakeForm, QStringLiteral("staking.system"), tr("Staking system"), m_staking);
    addRow(m_stakeForm, QStringLiteral("staking.multiplier"), tr("Multiplier"), m_multiplier);
    addRow(m_stakeForm, QStringLiteral("staking.max_steps"), tr("Maximum steps"), m_maxSteps);
    addRow(m_stakeForm, QStringLiteral("staking.unit"), tr("Unit"), m_unit);
    addRow(m_stakeForm, QStringLiteral("staking.max_wins"), tr("Wins before reset"), m_maxWins);
    m_labels.insert(QStringLiteral("staking"), tr("Staking"));
    layout->addWidget(stakeBox);

    auto *entryBox = new QGroupBox(tr("Entry"), this);
    m_entryForm = new QFormLayout(entryBox);
    addRow(m_entryForm, QStringLiteral("entry.signal"), tr("Enter"), m_entry);
    addRow(m_entryForm, QStringLiteral("entry.ticks"), tr("Ticks in a row"), m_ticks);
    m_labels.insert(QStringLiteral("entry"), tr("Entry"));
    layout->addWidget(entryBox);

    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: %1; font-weight: bold;").arg(ConsoleColors::css(ConsoleColors::loss())));
    m_error->hide();
    layout->addWidget(m_error);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &BotDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &BotDialog::reject);
    layout->addWidget(buttons);

    setStyleSheet(QStringLiteral("*[invalid=\"true\"] { border: 2px solid %1; border-radius: 3px; }")
                      .arg(ConsoleColors::css(ConsoleColors::danger())));

    connect(m_contractType, &QComboBox::currentIndexChanged, this, &BotDialog::updateVisibility);
    connect(m_staking, &QComboBox::currentIndexChanged, this, &BotDialog::updateVisibility);
    connect(m_entry, &QComboBox::currentIndexChanged, this, &BotDialog::updateVisibility);
    updateVisibility();
}

BotDialog::~BotDialog() = default;

void BotDialog::updateVisibility()
{
    const QString type = m_contractType->currentData().toString();
    const bool barrier = s_digitTypesWithBarrier.contains(type);
    m_barrier->setEnabled(barrier);
    m_contractForm->setRowVisible(m_barrier, barrier);
    const QString system = m_staking->currentData().toString();
    const bool multiplies = system == QLatin1String("martingale") || system == QLatin1String("reverse_martingale");
    m_stakeForm->setRowVisible(m_multiplier, multiplies);
    m_stakeForm->setRowVisible(m_maxSteps, system == QLatin1String("martingale"));
    m_stakeForm->setRowVisible(m_unit, system == QLatin1String("dalembert"));
    m_stakeForm->setRowVisible(m_maxWins, system == QLatin1String("reverse_martingale"));
    m_entryForm->setRowVisible(m_ticks, m_entry->currentData().toString() == QLatin1String("momentum"));
    adjustSize();
}

bool BotDialog::setFieldValue(const QString &field, const QVariant &value)
{
    QWidget *w = m_fields.value(field);
    if (auto *line = qobject_cast<QLineEdit *>(w)) {
        line->setText(value.toString());
        return true;
    }
    if (auto *s = qobject_cast<QSpinBox *>(w)) {
        s->setValue(value.toInt());
        return s->value() == value.toInt();
    }
    if (auto *c = qobject_cast<QComboBox *>(w)) {
        const int i = c->findData(value.toString());
        if (i < 0)
            return false;
        c->setCurrentIndex(i);
        return true;
    }
    if (auto *check = qobject_cast<QCheckBox *>(w)) {
        check->setChecked(value.toBool());
        return true;
    }
    return false;
}

void BotDialog::setBot(const BotConfig &bot)
{
    m_editing = true;
    setWindowTitle(tr("Edit bot %1").arg(bot.id));
    setWindowIcon(IconFactory::action(IconFactory::Action::Edit));
    m_id->setText(bot.id);
    m_id->setReadOnly(true);
    m_name->setText(bot.name);
    if (m_account->findData(bot.account) < 0)
        m_account->addItem(bot.account, bot.account);
    setFieldValue(QStringLiteral("account"), bot.account);
    m_enabled->setChecked(bot.enabled);

    const QJsonObject &s = bot.strategy;
    auto text = [](const QJsonValue &v) {
        return v.isDouble() ? QString::number(v.toDouble()) : v.toString();
    };
    setFieldValue(QStringLiteral("symbol"), s.value(QLatin1String("symbol")).toString());
    setFieldValue(QStringLiteral("contract_type"), s.value(QLatin1String("contract_type")).toString());
    const QJsonValue duration = s.value(QLatin1String("duration"));
    m_duration->setValue(duration.isString() ? duration.toString().toInt() : duration.toInt());
    setFieldValue(QStringLiteral("duration_unit"), s.value(QLatin1String("duration_unit")).toString());
    m_barrier->setText(text(s.value(QLatin1String("barrier"))));
    setFieldValue(QStringLiteral("currency"), s.value(QLatin1String("currency")).toString(QStringLiteral("USD")));
    m_stake->setText(text(s.value(QLatin1String("stake"))));
    m_maxStake->setText(text(s.value(QLatin1String("max_stake"))));
    const QJsonObject staking = s.value(QLatin1String("staking")).toObject();
    setFieldValue(QStringLiteral("staking.system"), staking.value(QLatin1String("system")).toString(QStringLiteral("flat")));
    if (staking.contains(QLatin1String("multiplier")))
        m_multiplier->setText(text(staking.value(QLatin1String("multiplier"))));
    m_maxSteps->setValue(staking.value(QLatin1String("max_steps")).toInt(0));
    m_unit->setText(text(staking.value(QLatin1String("unit"))));
    m_maxWins->setValue(staking.value(QLatin1String("max_wins")).toInt(3));
    const QJsonObject entry = s.value(QLatin1String("entry")).toObject();
    setFieldValue(QStringLiteral("entry.signal"), entry.value(QLatin1String("signal")).toString(QStringLiteral("fixed")));
    m_ticks->setValue(entry.value(QLatin1String("ticks")).toInt(3));
    updateVisibility();
}

QJsonObject BotDialog::strategyJson() const
{
    QJsonObject s{{QStringLiteral("symbol"), m_symbol->currentData().toString()},
                  {QStringLiteral("contract_type"), m_contractType->currentData().toString()},
                  {QStringLiteral("duration"), m_duration->value()},
                  {QStringLiteral("duration_unit"), m_durationUnit->currentData().toString()},
                  {QStringLiteral("currency"), m_currency->currentData().toString()},
                  {QStringLiteral("stake"), m_stake->text().trimmed()}};
    if (m_barrier->isEnabled())
        s.insert(QStringLiteral("barrier"), m_barrier->text().trimmed());
    if (!m_maxStake->text().trimmed().isEmpty())
        s.insert(QStringLiteral("max_stake"), m_maxStake->text().trimmed());

    const QString system = m_staking->currentData().toString();
    QJsonObject staking{{QStringLiteral("system"), system}};
    if (system == QLatin1String("martingale") || system == QLatin1String("reverse_martingale"))
        staking.insert(QStringLiteral("multiplier"), m_multiplier->text().trimmed());
    if (system == QLatin1String("martingale") && m_maxSteps->value() != 0)
        staking.insert(QStringLiteral("max_steps"), m_maxSteps->value());
    if (system == QLatin1String("dalembert") && !m_unit->text().trimmed().isEmpty())
        staking.insert(QStringLiteral("unit"), m_unit->text().trimmed());
    if (system == QLatin1String("reverse_martingale"))
        staking.insert(QStringLiteral("max_wins"), m_maxWins->value());
    s.insert(QStringLiteral("staking"), staking);

    const QString signal = m_entry->currentData().toString();
    QJsonObject entry{{QStringLiteral("signal"), signal}};
    if (signal == QLatin1String("momentum"))
        entry.insert(QStringLiteral("ticks"), m_ticks->value());
    s.insert(QStringLiteral("entry"), entry);
    return s;
}

QString BotDialog::fieldLabel(const QString &field) const
{
    return m_labels.value(field, field);
}

void BotDialog::clearInvalid()
{
    for (QWidget *w : std::as_const(m_fields)) {
        if (w->property("invalid").toBool()) {
            w->setProperty("invalid", false);
            repolish(w);
        }
    }
    m_errorField.clear();
    m_error->clear();
    m_error->hide();
}

void BotDialog::markInvalid(const QString &field, const QString &message)
{
    m_errorField = field;
    m_error->setText(message);
    m_error->show();
    if (QWidget *w = m_fields.value(field)) {
        w->setProperty("invalid", true);
        repolish(w);
        w->setFocus(Qt::OtherFocusReason);
    }
}

Result<BotConfig> BotDialog::validate()
{
    clearInvalid();
    auto fail = [this](const QString &field, const QString &reason) -> Result<BotConfig> {
        const QString message = fieldLabel(field) + QStringLiteral(": ") + reason;
        markInvalid(field, message);
        Error e = Error::make(ErrorKind::InvalidInput, QStringLiteral("InvalidBot"), message);
        e.details.insert(QStringLiteral("field"), field);
        return e;
    };

    static const QRegularExpression idRe(QStringLiteral("^[A-Za-z0-9_.-]{1,64}$"));
    const QString id = m_id->text().trimmed();
    if (id.isEmpty())
        return fail(QStringLiteral("id"), tr("required"));
    if (!idRe.match(id).hasMatch())
        return fail(QStringLiteral("id"), tr("1–64 characters: letters, digits, '_', '.' or '-' (no spaces)"));
    if (!m_editing && m_existingIds.contains(id))
        return fail(QStringLiteral("id"), tr("a bot with the id \"%1\" already exists").arg(id));
    const QString name = m_name->text().trimmed();
    if (name.isEmpty())
        return fail(QStringLiteral("name"), tr("required"));
    if (name.size() > 100)
        return fail(QStringLiteral("name"), tr("at most 100 characters"));
    const QString account = m_account->currentData().toString();
    if (account.isEmpty())
        return fail(QStringLiteral("account"), tr("choose one of the configured accounts"));

    const QJsonObject strategy = strategyJson();
    if (Result<void> ok = StrategyFactory::validate(strategy); !ok) {
        const QString field = ok.error().details.value(QLatin1String("field")).toString();
        QString reason = ok.error().message;
        if (!field.isEmpty() && reason.startsWith(field + QStringLiteral(": ")))
            reason = reason.mid(field.size() + 2);
        return fail(field.isEmpty() ? QStringLiteral("symbol") : field, reason);
    }

    const QJsonObject json{{QStringLiteral("id"), id},
                           {QStringLiteral("name"), name},
                           {QStringLiteral("account"), account},
                           {QStringLiteral("enabled"), m_enabled->isChecked()},
                           {QStringLiteral("strategy"), strategy}};
    Result<BotConfig> bot = BotConfig::fromJson(json, QStringLiteral("bot"));
    if (!bot) {
        QString field = bot.error().details.value(QLatin1String("field")).toString();
        field.remove(QRegularExpression(QStringLiteral("^bot\\.(strategy\\.)?")));
        return fail(field, bot.error().message);
    }
    return bot;
}

QString BotDialog::errorText() const
{
    return m_error->text();
}

void BotDialog::accept()
{
    Result<BotConfig> bot = validate();
    if (!bot)
        return;
    m_result = bot.value();
    QDialog::accept();
}

} // namespace Vigil
