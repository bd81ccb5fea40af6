// SQL built from MLflow search requests: a text with '?' placeholders and the values bound to
// them, in order (values never enter the text). Shared by the run, experiment and logged-model
// search compilers. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "db/db.h"
#include "db/filter.h"

namespace cairn::track {

using SqlArg = std::variant<int64_t, double, std::string>;

struct SqlQuery {
  std::string sql;
  std::vector<SqlArg> args;

  /// Appends `text` and its `args`.
  SqlQuery& Append(std::string_view text, std::vector<SqlArg> more = {});
  SqlQuery& Append(const SqlQuery& other);
};

/// Binds `args` to `stmt` from position 1.
void BindAll(db::Statement& stmt, const std::vector<SqlArg>& args);

/// `column = ?` for one id, else `column IN (SELECT value FROM json_each(?))` bound to a JSON
/// array: one statement text whatever the number of ids (the statement cache stays warm).
SqlQuery InList(std::string_view column, const std::vector<std::string>& ids);
SqlQuery InList(std::string_view column, const std::vector<int64_t>& ids);

/// "?, ?, ?" for `n` placeholders.
std::string Placeholders(size_t n);

/// `column OP ?` for a string comparison (=, !=, LIKE, ILIKE, IN, NOT IN) with its value(s);
/// an empty IN list is false, an empty NOT IN list true. ILIKE is spelled the connection's way.
SqlQuery StringComparison(const db::Connection& conn, std::string_view column,
                          const db::Comparison& comparison);

/// `column OP ?` for a numeric comparison (=, !=, <, <=, >, >=); integral literals bind as
/// integers.
SqlQuery NumericComparison(std::string_view column, const db::Comparison& comparison);

/// Whether `op` is one of `allowed`; else kInvalidParameterValue "Invalid comparator '<op>' not
/// one of '<allowed>'".
core::Status CheckComparator(db::CompareOp op, std::span<const db::CompareOp> allowed);

/// The value as written, for messages: 0.5, 'text', ('a', 'b').
std::string ValueText(const db::Comparison& comparison);

inline constexpr db::CompareOp kNumericOps[] = {db::CompareOp::kEq, db::CompareOp::kNe,
                                                db::CompareOp::kLt, db::CompareOp::kLe,
                                                db::CompareOp::kGt, db::CompareOp::kGe};
inline constexpr db::CompareOp kStringOps[] = {db::CompareOp::kEq, db::CompareOp::kNe,
                                               db::CompareOp::kLike, db::CompareOp::kILike};
inline constexpr db::CompareOp kStringListOps[] = {db::CompareOp::kEq,   db::CompareOp::kNe,
                                                   db::CompareOp::kLike, db::CompareOp::kILike,
                                                   db::CompareOp::kIn,   db::CompareOp::kNotIn};

}  // namespace cairn::track
