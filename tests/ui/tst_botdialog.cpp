// SPDX-License-Identifier: GPL-3.0-or-later
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>

#include "strategy/strategyfactory.h"
#include "ui/botdialog.h"

using namespace Vigil;

namespace {
// A valid bot as the form would produce it.
void fillValid(BotDialog &dialog)
{
    const QVariantMap valid{{QStringLiteral("id"), QStringLiteral("new-bot")},
                            {QStringLiteral("name"), QStringLiteral("New bot")},
                            {QStringLiteral("account"), QStringLiteral("demo")},
                            {QStringLiteral("symbol"), QStringLiteral("R_100")},
                            {QStringLiteral("contract_type"), QStringLiteral("CALL")},
                            {QStringLiteral("duration"), 5},
                            {QStringLiteral("duration_unit"), QStringLiteral("t")},
                            {QStringLiteral("currency"), QStringLiteral("USD")},
                            {QStringLiteral("stake"), QStringLiteral("1.00")},
                            {QStringLiteral("max_stake"), QString()},
                            {QStringLiteral("staking.system"), QStringLiteral("flat")},
                            {QStringLiteral("entry.signal"), QStringLiteral("fixed")}};
    for (auto it = valid.cbegin(); it != valid.cend(); ++it)
        QVERIFY2(dialog.setFieldValue(it.key(), it.value()), qPrintable(it.key()));
}
} // namespace

class TestBotDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validFormProducesABotConfig();
    void rejectsEachInvalidField_data();
    void rejectsEachInvalidField();
    void errorClearsOnceFixed();
    void editModeKeepsTheIdAndLoadsTheStrategy();
    void progressiveStakingRoundTrips();
};

void TestBotDialog::validFormProducesABotConfig()
{
    BotDialog dialog({QStringLiteral("demo")}, {QStringLiteral("r100-rise")});
    fillValid(dialog);
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    dialog.accept();
    QCOMPARE(accepted.count(), 1);
    const BotConfig bot = dialog.botConfig();
    QCOMPARE(bot.id, QStringLiteral("new-bot"));
    QCOMPARE(bot.account, QStringLiteral("demo"));
    QCOMPARE(bot.strategy.value(QLatin1String("stake")).toString(), QStringLiteral("1.00"));
    QVERIFY(!bot.strategy.contains(QLatin1String("barrier")));
    QVERIFY(StrategyFactory::validate(bot.strategy).ok());
    QVERIFY(dialog.errorText().isEmpty());
}

void TestBotDialog::rejectsEachInvalidField_data()
{
    QTest::addColumn<QVariantMap>("changes");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("says");

    auto row = [](const char *name, QVariantMap changes, const QString &field, const QString &says) {
        QTest::newRow(name) << changes << field << says;
    };
    const QString id = QStringLiteral("id");
    row("empty id", {{id, QString()}}, id, QStringLiteral("required"));
    row("id with a space", {{id, QStringLiteral("my bot")}}, id, QStringLiteral("no spaces"));
    row("id too long", {{id, QString(65, u'x')}}, id, QStringLiteral("1–64"));
    row("id already taken", {{id, QStringLiteral("r100-rise")}}, id, QStringLiteral("already exists"));
    row("empty name", {{QStringLiteral("name"), QStringLiteral("  ")}}, QStringLiteral("name"), QStringLiteral("required"));
    row("no account", {{QStringLiteral("account"), QString()}}, QStringLiteral("account"), QStringLiteral("choose"));
    row("stake empty", {{QStringLiteral("stake"), QString()}}, QStringLiteral("stake"), QStringLiteral("stake"));
    row("stake zero", {{QStringLiteral("stake"), QStringLiteral("0")}}, QStringLiteral("stake"), QStringLiteral("greater than zero"));
    row("stake negative", {{QStringLiteral("stake"), QStringLiteral("-1")}}, QStringLiteral("stake"), QStringLiteral("greater than zero"));
    row("stake not a number", {{QStringLiteral("stake"), QStringLiteral("ten")}}, QStringLiteral("stake"), QStringLiteral("not a decimal"));
    row("stake too many decimals", {{QStringLiteral("stake"), QStringLiteral("1.234")}}, QStringLiteral("stake"), QStringLiteral("decimal places"));
    row("stake below minimum", {{QStringLiteral("stake"), QStringLiteral("0.10")}}, QStringLiteral("stake"), QStringLiteral("minimum"));
    row("max stake below stake", {{QStringLiteral("stake"), QStringLiteral("5.00")}, {QStringLiteral("max_stake"), QStringLiteral("2.00")}},
        QStringLiteral("stake"), QStringLiteral("above max_stake"));
    row("max stake not money", {{QStringLiteral("max_stake"), QStringLiteral("lots")}}, QStringLiteral("max_stake"), QStringLiteral("not a decimal"));
    row("duration zero", {{QStringLiteral("duration"), 0}}, QStringLiteral("duration"), QStringLiteral("duration"));
    row("too many ticks", {{QStringLiteral("duration"), 11}}, QStringLiteral("duration"), QStringLiteral("10"));
    row("digit contract in seconds", {{QStringLiteral("contract_type"), QStringLiteral("DIGITEVEN")}, {QStringLiteral("duration_unit"), QStringLiteral("s")}},
        QStringLiteral("duration_unit"), QStringLiteral("t"));
    row("digit barrier missing", {{QStringLiteral("contract_type"), QStringLiteral("DIGITMATCH")}, {QStringLiteral("barrier"), QString()}},
        QStringLiteral("barrier"), QStringLiteral("barrier"));
    row("digit over 9", {{QStringLiteral("contract_type"), QStringLiteral("DIGITOVER")}, {QStringLiteral("barrier"), QStringLiteral("9")}},
        QStringLiteral("barrier"), QStringLiteral("0 to 8"));
    row("martingale without a cap", {{QStringLiteral("staking.system"), QStringLiteral("martingale")}}, QStringLiteral("max_stake"),
        QStringLiteral("cap"));
    row("multiplier above 10", {{QStringLiteral("staking.system"), QStringLiteral("martingale")}, {QStringLiteral("max_stake"), QStringLiteral("50")},
                                {QStringLiteral("staking.multiplier"), QStringLiteral("11")}},
        QStringLiteral("staking.multiplier"), QStringLiteral("at most 10"));
    row("multiplier not a number", {{QStringLiteral("staking.system"), QStringLiteral("martingale")}, {QStringLiteral("max_stake"), QStringLiteral("50")},
                                    {QStringLiteral("staking.multiplier"), QStringLiteral("double")}},
        QStringLiteral("staking.multiplier"), QStringLiteral("decimal number"));
    row("max steps above 50", {{QStringLiteral("staking.system"), QStringLiteral("martingale")}, {QStringLiteral("max_stake"), QStringLiteral("50")},
                               {QStringLiteral("staking.max_steps"), 51}},
        QStringLiteral("staking.max_steps"), QStringLiteral("from 1 to 50"));
    row("d'alembert unit zero", {{QStringLiteral("staking.system"), QStringLiteral("dalembert")}, {QStringLiteral("max_stake"), QStringLiteral("50")},
                                 {QStringLiteral("staking.unit"), QStringLiteral("0")}},
        QStringLiteral("staking.unit"), QStringLiteral("greater than zero"));
    row("reverse martingale max wins 21", {{QStringLiteral("staking.system"), QStringLiteral("reverse_martingale")}, {QStringLiteral("max_stake"), QStringLiteral("50")},
                                           {QStringLiteral("staking.max_wins"), 21}},
        QStringLiteral("staking.max_wins"), QStringLiteral("from 1 to 20"));
    row("momentum ticks zero", {{QStringLiteral("entry.signal"), QStringLiteral("momentum")}, {QStringLiteral("entry.ticks"), 0}},
        QStringLiteral("entry.ticks"), QStringLiteral("from 1 to 20"));
    row("momentum on a digit contract", {{QStringLiteral("entry.signal"), QStringLiteral("momentum")}, {QStringLiteral("contract_type"), QStringLiteral("DIGITODD")}},
        QStringLiteral("entry.signal"), QStringLiteral("momentum"));
}

void TestBotDialog::rejectsEachInvalidField()
{
    QFETCH(QVariantMap, changes);
    QFETCH(QString, field);
    QFETCH(QString, says);

    BotDialog dialog({QStringLiteral("demo")}, {QStringLiteral("r100-rise")});
    fillValid(dialog);
    for (auto it = changes.cbegin(); it != changes.cend(); ++it)
        QVERIFY2(dialog.setFieldValue(it.key(), it.value()), qPrintable(it.key()));

    QSignalSpy accepted(&dialog, &QDialog::accepted);
    const Result<BotConfig> result = dialog.validate();
    QVERIFY(!result.ok());
    QCOMPARE(dialog.errorField(), field);
    QCOMPARE(result.error().details.value(QLatin1String("field")).toString(), field);
    QVERIFY2(dialog.errorText().contains(says, Qt::CaseInsensitive), qPrintable(dialog.errorText()));
    QVERIFY(!dialog.findChild<QLabel *>(QStringLiteral("errorLabel"))->isHidden());
    QWidget *marked = dialog.fieldWidget(field);
    QVERIFY(marked);
    QVERIFY(marked->property("invalid").toBool());

    // Save does not close the dialog while a field is invalid.
    dialog.accept();
    QCOMPARE(accepted.count(), 0);
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
}

void TestBotDialog::errorClearsOnceFixed()
{
    BotDialog dialog({QStringLiteral("demo")}, {});
    fillValid(dialog);
    dialog.setFieldValue(QStringLiteral("stake"), QStringLiteral("0"));
    QVERIFY(!dialog.validate().ok());
    QVERIFY(dialog.fieldWidget(QStringLiteral("stake"))->property("invalid").toBool());
    dialog.setFieldValue(QStringLiteral("stake"), QStringLiteral("2.50"));
    QVERIFY(dialog.validate().ok());
    QVERIFY(!dialog.fieldWidget(QStringLiteral("stake"))->property("invalid").toBool());
    QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("errorLabel"))->isHidden());
    QVERIFY(dialog.errorField().isEmpty());
}

void TestBotDialog::editModeKeepsTheIdAndLoadsTheStrategy()
{
    BotConfig existing;
    existing.id = QStringLiteral("1hz-momentum");
    existing.name = QStringLiteral("1HZ100V momentum");
    existing.account = QStringLiteral("demo");
    existing.strategy = QJsonObject{{QStringLiteral("symbol"), QStringLiteral("1HZ100V")},
                                    {QStringLiteral("contract_type"), QStringLiteral("PUT")},
                                    {QStringLiteral("duration"), 3},
                                    {QStringLiteral("duration_unit"), QStringLiteral("t")},
                                    {QStringLiteral("currency"), QStringLiteral("USD")},
                                    {QStringLiteral("stake"), QStringLiteral("1.50")},
                                    {QStringLiteral("max_stake"), QStringLiteral("24.00")},
                                    {QStringLiteral("staking"), QJsonObject{{QStringLiteral("system"), QStringLiteral("martingale")},
                                                                            {QStringLiteral("multiplier"), QStringLiteral("2")},
                                                                            {QStringLiteral("max_steps"), 4}}},
                                    {QStringLiteral("entry"), QJsonObject{{QStringLiteral("signal"), QStringLiteral("momentum")},
                                                                          {QStringLiteral("ticks"), 4}}}};
    // Its own id is in the list of taken ids: editing must not refuse it.
    BotDialog dialog({QStringLiteral("demo")}, {QStringLiteral("1hz-momentum")});
    dialog.setBot(existing);
    QVERIFY(dialog.isEditing());
    QVERIFY(qobject_cast<QLineEdit *>(dialog.fieldWidget(QStringLiteral("id")))->isReadOnly());
    const Result<BotConfig> result = dialog.validate();
    QVERIFY2(result.ok(), qPrintable(dialog.errorText()));
    QCOMPARE(result.value().strategy, existing.strategy);
    QCOMPARE(result.value().name, existing.name);
}

void TestBotDialog::progressiveStakingRoundTrips()
{
    BotDialog dialog({QStringLiteral("demo")}, {});
    fillValid(dialog);
    dialog.setFieldValue(QStringLiteral("contract_type"), QStringLiteral("DIGITOVER"));
    dialog.setFieldValue(QStringLiteral("barrier"), QStringLiteral("4"));
    dialog.setFieldValue(QStringLiteral("staking.system"), QStringLiteral("reverse_martingale"));
    dialog.setFieldValue(QStringLiteral("max_stake"), QStringLiteral("8.00"));
    dialog.setFieldValue(QStringLiteral("staking.multiplier"), QStringLiteral("1.5"));
    dialog.setFieldValue(QStringLiteral("staking.max_wins"), 2);
    const Result<BotConfig> result = dialog.validate();
    QVERIFY2(result.ok(), qPrintable(dialog.errorText()));
    const QJsonObject s = result.value().strategy;
    QCOMPARE(s.value(QLatin1String("barrier")).toString(), QStringLiteral("4"));
    QCOMPARE(s.value(QLatin1String("staking")).toObject().value(QLatin1String("max_wins")).toInt(), 2);
    QCOMPARE(s.value(QLatin1String("staking")).toObject().value(QLatin1String("multiplier")).toString(), QStringLiteral("1.5"));
}

QTEST_MAIN(TestBotDialog)
#include "tst_botdialog.moc"
