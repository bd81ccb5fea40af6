// SQL text with bound values (sql_query.h). Pure; thread-safe.
#include "track/sql_query.h"

#include <fmt/format.h>

#include "core/json.h"
#include "core/strings.h"
#include "core/value.h"

namespace cairn::track {

SqlQuery& SqlQuery::Append(std::string_view text, std::vector<SqlArg> more) {
  sql.append(text);
  for (SqlArg& arg : more) args.push_back(std::move(arg));
  return *this;
}

SqlQuery& SqlQuery::Append(const SqlQuery& other) {
  sql.append(other.sql);
  args.insert(args.end(), other.args.begin(), other.args.end());
  return *this;
}

void BindAll(db::Statement& stmt, const std::vector<SqlArg>& args) {
  int index = 1;
  for (const SqlArg& arg : args) {
    if (const std::string* text = std::get_if<std::string>(&arg)) {
      stmt.Bind(index, std::string_view(*text));
    } else if (const int64_t* integer = std::get_if<int64_t>(&arg)) {
      stmt.Bind(index, *integer);
    } else {
      stmt.Bind(index, std::get<double>(arg));
    }
    ++index;
  }
}

SqlQuery InList(std::string_view column, const std::vector<std::string>& ids) {
  SqlQuery out;
  if (ids.size() == 1) return out.Append(std::string(column) + " = ?", {ids.front()});
  core::Value array = core::Value::Sequence();
  for (const std::string& id : ids) array.Append(core::Value::String(id));
  return out.Append(std::string(column) + " IN (SELECT value FROM json_each(?))",
                    {core::ToJson(array)});
}

SqlQuery InList(std::string_view column, const std::vector<int64_t>& ids) {
  SqlQuery out;
  if (ids.size() == 1) return out.Append(std::string(column) + " = ?", {ids.front()});
  core::Value array = core::Value::Sequence();
  for (int64_t id : ids) array.Append(core::Value::Int(id));
  return out.Append(std::string(column) + " IN (SELECT value FROM json_each(?))",
                    {core::ToJson(array)});
}

std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

SqlQuery StringComparison(const db::Connection& conn, std::string_view column,
                          const db::Comparison& comparison) {
  SqlQuery out;
  switch (comparison.op) {
    case db::CompareOp::kIn:
    case db::CompareOp::kNotIn: {
      const bool in = comparison.op == db::CompareOp::kIn;
      if (comparison.list.empty()) return out.Append(in ? "0" : "1");
      out.Append(fmt::format("{} {} ({})", column, in ? "IN" : "NOT IN",
                             Placeholders(comparison.list.size())));
      for (const std::string& item : comparison.list) out.args.emplace_back(item);
      return out;
    }
    case db::CompareOp::kILike:
      return out.Append(conn.ILikeExpr(column, "?"), {comparison.value});
    default:
      return out.Append(fmt::format("{} {} ?", column, db::CompareOpName(comparison.op)),
                        {comparison.value});
  }
}

SqlQuery NumericComparison(std::string_view column, const db::Comparison& comparison) {
  SqlQuery out;
  out.Append(fmt::format("{} {} ?", column, db::CompareOpName(comparison.op)));
  if (std::optional<int64_t> integer = core::ParseInt64(comparison.value)) {
    out.args.emplace_back(*integer);
  } else {
    out.args.emplace_back(comparison.number);
  }
  return out;
}

core::Status CheckComparator(db::CompareOp op, std::span<const db::CompareOp> allowed) {
  std::vector<std::string_view> names;
  for (db::CompareOp candidate : allowed) {
    if (candidate == op) return core::Status::Ok();
    names.push_back(db::CompareOpName(candidate));
  }
  return core::Status::InvalidArgument(fmt::format("Invalid comparator '{}' not one of '{}'",
                                                   db::CompareOpName(op), core::Join(names, ", ")));
}

std::string ValueText(const db::Comparison& comparison) {
  switch (comparison.value_kind) {
    case db::ValueKind::kNumber:
      return comparison.value;
    case db::ValueKind::kString:
      return "'" + comparison.value + "'";
    case db::ValueKind::kList: {
      std::vector<std::string> items;
      for (const std::string& item : comparison.list) items.push_back("'" + item + "'");
      return "(" + core::Join(items, ", ") + ")";
    }
  }
  return comparison.value;
}

}  // namespace cairn::track
