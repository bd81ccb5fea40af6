// workflow/schema.h (module-private): the shapes GitHub's workflow schema (workflow-v1.0) gives
// each key of a workflow file: its kind (string, number, boolean, null, sequence, mapping, or
// one of several), required and known properties, loose keys, constants, and the contexts and
// functions an expression in it may use (added to those of the enclosing keys).
//
// The table is immutable and built once; safe to use from any thread.
#pragma once

#include <string_view>
#include <vector>

namespace cairn::workflow::schema {

enum class Kind { kNull, kBoolean, kNumber, kString, kSequence, kMapping, kOneOf };

struct Property {
  std::string_view name;
  std::string_view type;
  bool required = false;
};

struct Definition {
  std::string_view name;
  Kind kind = Kind::kString;
  std::vector<std::string_view> context;  // contexts and "fn(min,max)" entries
  // kString: a constant (or one of `allowed_values`), or any non-empty string.
  std::string_view constant;
  std::vector<std::string_view> allowed_values;
  bool require_non_empty = false;
  // kSequence
  std::string_view item_type;
  // kMapping
  std::vector<Property> properties;
  std::string_view loose_key_type;
  std::string_view loose_value_type;
  // kOneOf
  std::vector<std::string_view> one_of;

  const Property* FindProperty(std::string_view key) const;
};

/// The definition named `name` (the built-ins "string", "number", "boolean", "null",
/// "sequence", "mapping", "any" included), or null.
const Definition* Find(std::string_view name);

}  // namespace cairn::workflow::schema
