// SPDX-License-Identifier: GPL-3.0-or-later
#include "requestvalidator.h"

#include <cmath>
#include <optional>

#include <QHash>
#include <QJsonArray>
#include <QRegularExpression>

namespace Vigil::Sim {

namespace {
enum class Type { Integer, Number, String, Object, Array, StringOrArray };

struct Field
{
    QString name;
    Type type = Type::String;
    bool required = false;
    QList<int> intEnum;
    QStringList strEnum;
    QRegularExpression pattern;
    std::optional<double> min;
    std::optional<double> max;
    // arrays (and the array branch of StringOrArray)
    QStringList itemEnum;
    QRegularExpression itemPattern;
    int maxItems = -1;
    bool uniqueItems = false;
    QList<Field> nested; // objects with known members (buy.parameters)
    bool nestedStrict = false;
};

using Schema = QList<Field>;

QRegularExpression re(const char *pattern)
{
    return QRegularExpression(QLatin1String(pattern));
}

Field intEnum(const char *name, QList<int> values, bool required = false)
{
    Field f;
    f.name = QLatin1String(name);
    f.type = Type::Integer;
    f.intEnum = std::move(values);
    f.required = required;
    return f;
}

Field integer(const char *name, std::optional<double> min = {}, std::optional<double> max = {}, bool required = false)
{
    Field f;
    f.name = QLatin1String(name);
    f.type = Type::Integer;
    f.min = min;
    f.max = max;
    f.required = required;
    return f;
}

Field number(const char *name, std::optional<double> min = {}, std::optional<double> max = {}, bool required = false)
{
    Field f = integer(name, min, max, required);
    f.type = Type::Number;
    return f;
}

Field string(const char *name, const char *pattern = nullptr, bool required = false)
{
    Field f;
    f.name = QLatin1String(name);
    f.type = Type::String;
    if (pattern)
        f.pattern = re(pattern);
    f.required = required;
    return f;
}

Field strEnum(const char *name, QStringList values, bool required = false)
{
    Field f;
    f.name = QLatin1String(name);
    f.type = Type::String;
    f.strEnum = std::move(values);
    f.required = required;
    return f;
}

Field array(const char *name, QStringList itemEnum = {}, const char *itemPattern = nullptr, int maxItems = -1,
            bool unique = false)
{
    Field f;
    f.name = QLatin1String(name);
    f.type = Type::Array;
    f.itemEnum = std::move(itemEnum);
    if (itemPattern)
        f.itemPattern = re(itemPattern);
    f.maxItems = maxItems;
    f.uniqueItems = unique;
    return f;
}

Field object(const char *name)
{
    Field f;
    f.name = QLatin1String(name);
    f.type = Type::Object;
    return f;
}

const char *const s_loginid = "^[A-Za-z]+[0-9]+$";
const char *const s_symbol = "^\\w{2,30}$";
const char *const s_barrier = "^(?=.{1,20}$)[+-]?[0-9]+\\.?[0-9]*$";

QStringList contractTypes()
{
    return QStringList{
        QStringLiteral("ACCU"),        QStringLiteral("ASIAND"),          QStringLiteral("ASIANU"),
        QStringLiteral("CALL"),        QStringLiteral("CALLE"),           QStringLiteral("CALLSPREAD"),
        QStringLiteral("DIGITDIFF"),   QStringLiteral("DIGITEVEN"),       QStringLiteral("DIGITMATCH"),
        QStringLiteral("DIGITODD"),    QStringLiteral("DIGITOVER"),       QStringLiteral("DIGITUNDER"),
        QStringLiteral("EXPIRYMISS"),  QStringLiteral("EXPIRYMISSE"),     QStringLiteral("EXPIRYRANGE"),
        QStringLiteral("EXPIRYRANGEE"), QStringLiteral("LBFLOATCALL"),    QStringLiteral("LBFLOATPUT"),
        QStringLiteral("LBHIGHLOW"),   QStringLiteral("MULTDOWN"),        QStringLiteral("MULTUP"),
        QStringLiteral("NOTOUCH"),     QStringLiteral("ONETOUCH"),        QStringLiteral("PUT"),
        QStringLiteral("PUTE"),        QStringLiteral("PUTSPREAD"),       QStringLiteral("RANGE"),
        QStringLiteral("RESETCALL"),   QStringLiteral("RESETPUT"),        QStringLiteral("RUNHIGH"),
        QStringLiteral("RUNLOW"),      QStringLiteral("SNOWDOWN"),        QStringLiteral("SNOWUP"),
        QStringLiteral("TICKHIGH"),    QStringLiteral("TICKLOW"),         QStringLiteral("TURBOSLONG"),
        QStringLiteral("TURBOSSHORT"), QStringLiteral("UPORDOWN"),        QStringLiteral("VANILLALONGCALL"),
        QStringLiteral("VANILLALONGPUT")};
}

const QStringList s_scopes{QStringLiteral("read"), QStringLiteral("trade"), QStringLiteral("trading_information"),
                           QStringLiteral("payments"), QStringLiteral("admin")};
const QStringList s_landing{QStringLiteral("iom"), QStringLiteral("malta"), QStringLiteral("maltainvest"),
                            QStringLiteral("svg"), QStringLiteral("virtual"), QStringLiteral("vanuatu")};

// The contract parameters shared by proposal and buy.parameters.
Schema contractParameters(bool forBuy)
{
    Schema s{
        number("amount", 0),
        string("barrier", s_barrier),
        string("barrier2", s_barrier),
        strEnum("barrier_range", {QStringLiteral("tight"), QStringLiteral("middle"), QStringLiteral("wide")}),
        strEnum("basis", {QStringLiteral("payout"), QStringLiteral("stake")}),
        string("cancellation", "^\\w+$"),
        strEnum("contract_type", contractTypes(), true),
        string("currency", "^[a-zA-Z0-9]{2,20}$", true),
        integer("date_expiry", forBuy ? 1 : 0, 9999999999.0),
        integer("date_start", 0, 9999999999.0),
        integer("duration", 0, 99999999),
        strEnum("duration_unit", {QStringLiteral("d"), QStringLiteral("m"), QStringLiteral("s"), QStringLiteral("h"),
                                  QStringLiteral("t")}),
        number("growth_rate"),
        object("limit_order"),
        number("multiplier", 0),
        number("payout_per_point"),
        strEnum("product_type", {QStringLiteral("basic")}),
        integer("selected_tick"),
        string("symbol", s_symbol, true),
        strEnum("trade_risk_profile", {QStringLiteral("low"), QStringLiteral("medium"), QStringLiteral("high")}),
        integer("trading_period_start"),
    };
    if (forBuy)
        s.append(number("app_markup_percentage"));
    return s;
}

const QHash<QString, Schema> &schemas()
{
    static const QHash<QString, Schema> table = [] {
        QHash<QString, Schema> t;
        const Field loginid = string("loginid", s_loginid);
        t.insert(QStringLiteral("authorize"),
                 {string("authorize", "^[\\w\\-]{1,128}$", true), intEnum("add_to_login_history", {1, 0}),
                  array("tokens", {}, "^[\\w\\-]{1,128}$", 25)});
        t.insert(QStringLiteral("logout"), {intEnum("logout", {1}, true), loginid});
        t.insert(QStringLiteral("ping"), {intEnum("ping", {1}, true)});
        t.insert(QStringLiteral("time"), {intEnum("time", {1}, true)});
        t.insert(QStringLiteral("website_status"), {intEnum("website_status", {1}, true), intEnum("subscribe", {0, 1})});
        t.insert(QStringLiteral("active_symbols"),
                 {strEnum("active_symbols", {QStringLiteral("brief"), QStringLiteral("full")}, true),
                  array("barrier_category",
                        {QStringLiteral("american"), QStringLiteral("asian"), QStringLiteral("euro_atm"),
                         QStringLiteral("euro_non_atm"), QStringLiteral("non_financial"), QStringLiteral("lookback"),
                         QStringLiteral("reset")}),
                  array("contract_type", contractTypes()), strEnum("landing_company", s_landing),
                  strEnum("landing_company_short", s_landing), strEnum("product_type", {QStringLiteral("basic")}),
                  loginid});
        Field ticks;
        ticks.name = QStringLiteral("ticks");
        ticks.type = Type::StringOrArray;
        ticks.required = true;
        ticks.pattern = re(s_symbol);
        ticks.itemPattern = re(s_symbol);
        t.insert(QStringLiteral("ticks"), {ticks, intEnum("subscribe", {1})});
        t.insert(QStringLiteral("ticks_history"),
                 {string("ticks_history", s_symbol, true), intEnum("adjust_start_time", {1}), integer("count"),
                  string("end", "^(latest|[0-9]{1,10})$", true),
                  intEnum("granularity", {60, 120, 180, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400}),
                  integer("start", 0, 9999999999.0),
                  strEnum("style", {QStringLiteral("candles"), QStringLiteral("ticks")}), intEnum("subscribe", {1})});
        Schema proposal = contractParameters(false);
        proposal.prepend(intEnum("proposal", {1}, true));
        proposal.append(intEnum("subscribe", {1}));
        proposal.append(loginid);
        t.insert(QStringLiteral("proposal"), proposal);
        Field parameters = object("parameters");
        parameters.nested = contractParameters(true);
        parameters.nestedStrict = true;
        t.insert(QStringLiteral("buy"),
                 {string("buy", "^(?:[\\w-]{32,128}|1)$", true), parameters, number("price", 0, {}, true),
                  intEnum("subscribe", {1}), loginid});
        t.insert(QStringLiteral("sell"), {integer("sell", {}, {}, true), number("price", {}, {}, true), loginid});
        t.insert(QStringLiteral("sell_expired"), {intEnum("sell_expired", {1}, true), loginid});
        t.insert(QStringLiteral("proposal_open_contract"),
                 {intEnum("proposal_open_contract", {1}, true), integer("contract_id"), intEnum("subscribe", {1}),
                  loginid});
        t.insert(QStringLiteral("portfolio"),
                 {intEnum("portfolio", {1}, true), array("contract_type", contractTypes(), nullptr, -1, true), loginid});
        const char *datePattern = "^([0-9]{4}-(0?[1-9]|1[012])-(0?[1-9]|[12][0-9]|3[01])|[0-9]{1,10})$";
        t.insert(QStringLiteral("profit_table"),
                 {intEnum("profit_table", {1}, true), array("contract_type", contractTypes(), nullptr, -1, true),
                  string("date_from", datePattern), string("date_to", datePattern), intEnum("description", {0, 1}),
                  number("limit", 0, 500), integer("offset", 0),
                  strEnum("sort", {QStringLiteral("ASC"), QStringLiteral("DESC")}), loginid});
        t.insert(QStringLiteral("statement"),
                 {intEnum("statement", {1}, true),
                  strEnum("action_type",
                          {QStringLiteral("buy"), QStringLiteral("sell"), QStringLiteral("deposit"),
                           QStringLiteral("withdrawal"), QStringLiteral("escrow"), QStringLiteral("adjustment"),
                           QStringLiteral("virtual_credit"), QStringLiteral("transfer")}),
                  integer("date_from", 0, 9999999999.0), integer("date_to", 0, 9999999999.0),
                  intEnum("description", {0, 1}), number("limit", 0, 999), integer("offset", 0), loginid});
        t.insert(QStringLiteral("transaction"),
                 {intEnum("transaction", {1}, true), intEnum("subscribe", {1}, true), loginid});
        t.insert(QStringLiteral("balance"),
                 {intEnum("balance", {1}, true), string("account", "^(current|all|[A-Z]{2,4}[0-9]{1,10})$"),
                  intEnum("subscribe", {0, 1}), loginid});
        t.insert(QStringLiteral("get_account_status"), {intEnum("get_account_status", {1}, true), loginid});
        t.insert(QStringLiteral("payout_currencies"), {intEnum("payout_currencies", {1}, true), loginid});
        t.insert(QStringLiteral("trading_times"),
                 {string("trading_times", "^([0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|today)$", true)});
        t.insert(QStringLiteral("forget"), {string("forget", "^[\\w-]{32,128}$", true)});
        const QStringList streams{QStringLiteral("balance"), QStringLiteral("candles"),
                                  QStringLiteral("cashier_payments"), QStringLiteral("p2p_advert"),
                                  QStringLiteral("p2p_advertiser"), QStringLiteral("p2p_order"),
                                  QStringLiteral("proposal"), QStringLiteral("proposal_open_contract"),
                                  QStringLiteral("ticks"), QStringLiteral("transaction"),
                                  QStringLiteral("trading_platform_asset_listing"), QStringLiteral("website_status"),
                                  QStringLiteral("p2p_settings"), QStringLiteral("crypto_estimations")};
        Field forgetAll;
        forgetAll.name = QStringLiteral("forget_all");
        forgetAll.type = Type::StringOrArray;
        forgetAll.required = true;
        forgetAll.strEnum = streams;
        forgetAll.itemEnum = streams;
        t.insert(QStringLiteral("forget_all"), {forgetAll});
        t.insert(QStringLiteral("api_token"),
                 {intEnum("api_token", {1}, true), string("delete_token", "^[A-Za-z0-9\\s_*]+$"),
                  string("new_token", "^[A-Za-z0-9\\s_]+$"), array("new_token_scopes", s_scopes, nullptr, -1, true),
                  intEnum("valid_for_current_ip_only", {0, 1}), loginid});
        t.insert(QStringLiteral("contracts_for"),
                 {string("contracts_for", s_symbol, true), string("currency", "^[a-zA-Z0-9]{2,20}$"),
                  strEnum("landing_company", s_landing), strEnum("landing_company_short", s_landing),
                  strEnum("product_type", {QStringLiteral("basic")}), loginid});
        // Every call also takes these two.
        for (auto it = t.begin(); it != t.end(); ++it) {
            it->append(object("passthrough"));
            it->append(integer("req_id"));
        }
        return t;
    }();
    return table;
}

QString typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("boolean");
    case QJsonValue::Double:
        return std::floor(v.toDouble()) == v.toDouble() ? QStringLiteral("integer") : QStringLiteral("number");
    case QJsonValue::String:
        return QStringLiteral("string");
    case QJsonValue::Array:
        return QStringLiteral("array");
    case QJsonValue::Object:
        return QStringLiteral("object");
    default:
        return QStringLiteral("undefined");
    }
}

QString numberText(double d)
{
    return QString::number(d, 'g', 15);
}

QString expected(const char *want, const QJsonValue &v)
{
    return QStringLiteral("Expected %1 - got %2.").arg(QLatin1String(want), typeName(v));
}

std::optional<QString> checkString(const Field &f, const QString &s, const QStringList &enumValues,
                                   const QRegularExpression &pattern)
{
    if (!enumValues.isEmpty() && !enumValues.contains(s))
        return QStringLiteral("Not in enum list: %1.").arg(enumValues.join(QStringLiteral(", ")));
    if (pattern.isValid() && !pattern.pattern().isEmpty() && !pattern.match(s).hasMatch())
        return QStringLiteral("String does not match %1.").arg(pattern.pattern());
    Q_UNUSED(f);
    return std::nullopt;
}

std::optional<QString> checkArray(const Field &f, const QJsonArray &a)
{
    if (f.maxItems >= 0 && a.size() > f.maxItems)
        return QStringLiteral("Too many items: %1/%2.").arg(a.size()).arg(f.maxItems);
    for (const QJsonValue &item : a) {
        if (!item.isString())
            return expected("string", item);
        if (auto e = checkString(f, item.toString(), f.itemEnum, f.itemPattern))
            return e;
    }
    if (f.uniqueItems) {
        QStringList seen;
        for (const QJsonValue &item : a) {
            if (seen.contains(item.toString()))
                return QStringLiteral("Unique items required.");
            seen.append(item.toString());
        }
    }
    return std::nullopt;
}

void validateObject(const Schema &schema, const QJsonObject &o, const QString &prefix, QJsonObject &details);

std::optional<QString> checkField(const Field &f, const QJsonValue &v, const QString &path, QJsonObject &details)
{
    switch (f.type) {
    case Type::Integer: {
        if (!v.isDouble() || std::floor(v.toDouble()) != v.toDouble())
            return expected("integer", v);
        const double d = v.toDouble();
        if (!f.intEnum.isEmpty() && !f.intEnum.contains(int(d))) {
            QStringList values;
            for (int i : f.intEnum)
                values.append(QString::number(i));
            return QStringLiteral("Not in enum list: %1.").arg(values.join(QStringLiteral(", ")));
        }
        if (f.min && d < *f.min)
            return QStringLiteral("%1 < minimum(%2)").arg(numberText(d), numberText(*f.min));
        if (f.max && d > *f.max)
            return QStringLiteral("%1 > maximum(%2)").arg(numberText(d), numberText(*f.max));
        return std::nullopt;
    }
    case Type::Number: {
        if (!v.isDouble())
            return expected("number", v);
        const double d = v.toDouble();
        if (f.min && d < *f.min)
            return QStringLiteral("%1 < minimum(%2)").arg(numberText(d), numberText(*f.min));
        if (f.max && d > *f.max)
            return QStringLiteral("%1 > maximum(%2)").arg(numberText(d), numberText(*f.max));
        return std::nullopt;
    }
    case Type::String:
        if (!v.isString())
            return expected("string", v);
        return checkString(f, v.toString(), f.strEnum, f.pattern);
    case Type::Object:
        if (!v.isObject())
            return expected("object", v);
        if (f.nestedStrict)
            validateObject(f.nested, v.toObject(), path + u'/', details);
        return std::nullopt;
    case Type::Array:
        if (!v.isArray())
            return expected("array", v);
        return checkArray(f, v.toArray());
    case Type::StringOrArray:
        if (v.isString())
            return checkString(f, v.toString(), f.strEnum, f.pattern);
        if (v.isArray())
            return checkArray(f, v.toArray());
        return expected("string/array", v);
    }
    return std::nullopt;
}

void validateObject(const Schema &schema, const QJsonObject &o, const QString &prefix, QJsonObject &details)
{
    QStringList unknown;
    for (auto it = o.begin(); it != o.end(); ++it) {
        bool known = false;
        for (const Field &f : schema) {
            if (f.name == it.key()) {
                known = true;
                break;
            }
        }
        if (!known)
            unknown.append(it.key());
    }
    for (const QString &key : unknown)
        details.insert(prefix + key, QStringLiteral("Properties not allowed: %1.").arg(unknown.join(QStringLiteral(", "))));
    for (const Field &f : schema) {
        const QJsonValue v = o.value(f.name);
        const QString path = prefix + f.name;
        if (v.isUndefined()) {
            if (f.required)
                details.insert(path, QStringLiteral("Missing property."));
            continue;
        }
        if (auto problem = checkField(f, v, path, details))
            details.insert(path, *problem);
    }
}
} // namespace

const QStringList &RequestValidator::calls()
{
    static const QStringList list{
        QStringLiteral("authorize"),      QStringLiteral("logout"),        QStringLiteral("ping"),
        QStringLiteral("time"),           QStringLiteral("website_status"), QStringLiteral("active_symbols"),
        QStringLiteral("contracts_for"),  QStringLiteral("ticks_history"), QStringLiteral("ticks"),
        QStringLiteral("proposal_open_contract"), QStringLiteral("proposal"), QStringLiteral("buy"),
        QStringLiteral("sell_expired"),   QStringLiteral("sell"),          QStringLiteral("portfolio"),
        QStringLiteral("profit_table"),   QStringLiteral("statement"),     QStringLiteral("transaction"),
        QStringLiteral("balance"),        QStringLiteral("forget_all"),    QStringLiteral("forget"),
        QStringLiteral("api_token"),      QStringLiteral("get_account_status"), QStringLiteral("payout_currencies"),
        QStringLiteral("trading_times"),
    };
    return list;
}

QString RequestValidator::callOf(const QJsonObject &request)
{
    for (const QString &call : calls()) {
        if (request.contains(call))
            return call;
    }
    return QString();
}

QJsonObject RequestValidator::validate(const QString &call, const QJsonObject &request)
{
    QJsonObject details;
    const auto it = schemas().constFind(call);
    if (it == schemas().constEnd())
        return details;
    validateObject(*it, request, QString(), details);
    return details;
}

} // namespace Vigil::Sim
