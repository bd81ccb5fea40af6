// Module-private: the fields of a request message, read as MLflow's server reads them
// (reference section 1). A POST, PUT or PATCH carries a JSON object (POST and PUT must say
// Content-Type: application/json); a GET takes its fields from the query string, a repeated
// key giving every element of an array field; a DELETE takes either. A body that is a JSON
// string is decoded a second time; an empty body is {}.
//
// Accessors check each field's type as the proto's JSON parser does and coerce query-string
// text (numbers, booleans true/false in any case, enum names or numbers). Errors are
// kInvalidParameterValue naming the field: "Missing value for required parameter 'key'. ..."
// for an absent (or empty) required field. Unknown fields are ignored. `experiment_id`,
// `experiment_ids` and `version` take JSON numbers too (old clients send them).
//
// A Params is a cheap handle on a parsed document; nested messages share it. Immutable, so
// safe to read from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/value.h"
#include "net/server.h"

namespace cairn::server {

using core::Result;
using core::Status;

/// kInvalidParameterValue "Missing value for required parameter '<name>'. See the API docs
/// for more information about request parameters."
Status MissingParameter(std::string_view name);

class Params {
 public:
  /// The request's message (see the header comment).
  static Result<Params> Parse(const net::ServerRequest& request);
  /// A message given as JSON text (tests, nested documents).
  static Result<Params> FromJson(std::string_view json);

  /// Whether the field is present (and not null).
  bool Has(std::string_view name) const;

  /// A string field; nullopt when absent.
  Result<std::optional<std::string>> OptString(std::string_view name) const;
  /// A string field; "" when absent.
  Result<std::string> String(std::string_view name) const;
  /// A required string: absent or empty is MissingParameter.
  Result<std::string> RequiredString(std::string_view name) const;
  /// A string that must be present but may be empty (tag values).
  Result<std::string> PresentString(std::string_view name) const;

  Result<std::optional<int64_t>> OptInt64(std::string_view name) const;
  Result<int64_t> RequiredInt64(std::string_view name) const;
  /// Numbers, numeric strings, and "NaN", "Infinity", "-Infinity".
  Result<std::optional<double>> OptDouble(std::string_view name) const;
  Result<double> RequiredDouble(std::string_view name) const;
  Result<std::optional<bool>> OptBool(std::string_view name) const;
  Result<bool> RequiredBool(std::string_view name) const;
  /// An enum field given by name or by number; `names[n]` is the name of number n ("" for
  /// numbers the enum lacks). Returns the name as given (the caller parses it, so case rules
  /// stay the store's) or the name of the number.
  Result<std::optional<std::string>> OptEnum(std::string_view name,
                                             std::span<const std::string_view> names) const;

  /// A repeated string field (a single string counts as one element).
  Result<std::vector<std::string>> StringList(std::string_view name) const;
  /// A repeated message field: one Params per element.
  Result<std::vector<Params>> MessageList(std::string_view name) const;
  /// A message field; nullopt when absent.
  Result<std::optional<Params>> Message(std::string_view name) const;

  /// `run_id`, else the legacy `run_uuid`; MissingParameter('run_id') when neither is set.
  Result<std::string> RunId() const;

 private:
  Params(std::shared_ptr<const core::Value> root, const core::Value* node, std::string prefix,
         bool from_query)
      : root_(std::move(root)), node_(node), prefix_(std::move(prefix)), from_query_(from_query) {}

  /// The field's value: for query strings its first occurrence. Null when absent.
  const core::Value* Field(std::string_view name) const;
  /// The field's name as messages show it ("metrics[2].value").
  std::string FullName(std::string_view name) const;
  Status TypeError(std::string_view name, const core::Value& value,
                   std::string_view expected) const;

  std::shared_ptr<const core::Value> root_;  // keeps `node_` alive
  const core::Value* node_;                  // a mapping
  std::string prefix_;                       // "" at the top, "metrics[2]." inside
  bool from_query_;                          // fields are sequences of the query's strings
};

}  // namespace cairn::server
