// MLflow's search syntax, parsed: filter strings ("metrics.acc > 0.9 AND params.lr = '0.1'"),
// order_by clauses ("metrics.`f1 score` DESC") and page tokens. The grammar is shared by runs,
// experiments, registered models, model versions and logged models; which entities, keys and
// operators each search allows is the store's business (it validates the parsed Comparisons and
// turns them into SQL with bound parameters, never by pasting values into SQL).
//
// Grammar (MLflow's search_utils, without sqlparse):
//   filter     := "" | comparison ( AND comparison )*        AND is case-insensitive
//   comparison := identifier op value
//   identifier := [entity "."] key                             entity: letters/underscore,
//                 key: bare word ([A-Za-z0-9_.:-] may follow the first dot-separated part),
//                 or quoted with `backticks` or "double quotes" (then anything but the quote)
//   op         := = | != | <> | < | <= | > | >= | LIKE | ILIKE | IN | NOT IN   (case-insensitive)
//   value      := number | 'single' | "double" quoted string | ( quoted, ... )
//   number     := -?(digits[.digits] | .digits)([eE][+-]?digits)?
// No OR, no parentheses for grouping, no NOT except NOT IN; IN and NOT IN take a list and only
// they do. Inside quotes, a doubled quote or a backslash-escaped one does not end the text, and
// the text is kept as written (MLflow strips the outer quotes only: 'it''s' is "it''s").
// Errors are kInvalidParameterValue with MLflow's wording where it has one ("Invalid clause(s)
// in filter string: 'OR'"), followed by what was expected.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cairn::db {

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe, kLike, kILike, kIn, kNotIn };

/// "=", "!=", "<", "<=", ">", ">=", "LIKE", "ILIKE", "IN", "NOT IN".
std::string_view CompareOpName(CompareOp op);

enum class ValueKind { kNumber, kString, kList };

struct Comparison {
  /// The prefix before the first '.', lowercased, as written ("metrics", "metric", "tags",
  /// "attributes", "attr", ...); empty when there is none ("name = 'x'").
  std::string entity;
  /// The key, unquoted ("f1 score" for metrics.`f1 score`).
  std::string key;
  /// True when the key was quoted (so "run name" may be an attribute alias).
  bool key_quoted = false;
  CompareOp op = CompareOp::kEq;
  ValueKind value_kind = ValueKind::kString;
  /// kString: the unquoted string; kNumber: the literal as written ("0.9", "-1e3").
  std::string value;
  /// kNumber: its value.
  double number = 0;
  /// kList: the unquoted strings.
  std::vector<std::string> list;
};

/// The comparisons of `filter`, in order; empty for an empty or all-blank filter.
core::Result<std::vector<Comparison>> ParseFilter(std::string_view filter);

struct OrderBy {
  std::string entity;  // lowercased prefix, empty when none
  std::string key;     // unquoted
  bool key_quoted = false;
  bool ascending = true;
};

/// One order_by clause: identifier [ASC|DESC]. Errors: kInvalidParameterValue
/// "Invalid order_by clause '<clause>'. ...".
core::Result<OrderBy> ParseOrderBy(std::string_view clause);

/// MLflow's page token: base64 of {"offset": N}.
std::string EncodePageToken(int64_t offset);
/// The offset (a non-negative integer) in a token; empty token = 0. A token that is not one:
/// kInvalidParameterValue "Invalid page token, could not base64-decode" (or "...could not
/// parse offset").
core::Result<int64_t> DecodePageToken(std::string_view token);

/// SQL LIKE pattern matching with % and _ (no escape character; _ is one UTF-8 character, as in
/// SQLite), for filters evaluated in memory; `ignore_case` folds ASCII case (ILIKE).
bool SqlLikeMatch(std::string_view text, std::string_view pattern, bool ignore_case);

}  // namespace cairn::db
