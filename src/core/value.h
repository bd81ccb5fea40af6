// Value: a small document tree (null, bool, number, string, sequence, mapping) that JSON and
// YAML load into (core/json.h, core/yaml.h), with every node's source location.
//
// A Value owns its whole subtree; copies are deep, moves are cheap. Nodes loaded from one text
// share the file name (one std::shared_ptr per load). Mappings keep their members in the order
// written, as a vector; Find() is a linear scan, which is fast for the small mappings of config
// files. Scalars keep their raw source text, so YAML `3.10` stays "3.10" and integers beyond
// 2^53 stay exact (AsInt64(), and the JSON writers print them as written).
//
// A Value is not synchronized: share a const one between threads, or copy it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cairn::core {

/// Where a node was written. Lines and columns are 1-based; columns count code points (so an
/// "é" before a node moves it one column, not two). A programmatic node has no file and line 0.
struct Location {
  std::shared_ptr<const std::string> file;  // null when the node was not loaded from a text
  int line = 0;                             // 0: unknown
  int column = 0;                           // 0: unknown

  /// The file name, or "" when there is none.
  std::string_view file_name() const { return file ? std::string_view(*file) : std::string_view(); }
  bool known() const { return line > 0; }
  /// "path/to/file.yml:12:7"; without a file "12:7"; without a line just the file (or "").
  std::string ToString() const;
  /// InvalidArgument "<ToString()>: <message>" (just the message when ToString() is empty).
  Status Error(std::string_view message) const;
};

enum class ValueKind : uint8_t { kNull, kBool, kNumber, kString, kSequence, kMapping };

/// "null", "boolean", "number", "string", "sequence", "mapping".
std::string_view KindName(ValueKind kind);
/// The kind as it reads in a message: "null", "a boolean", "a number", "a string",
/// "a sequence", "a mapping" (so "expected a mapping, got a sequence").
std::string_view KindPhrase(ValueKind kind);

/// How a scalar was written. JSON strings are kDoubleQuoted; everything else in JSON, and every
/// programmatic node, is kPlain. kLiteral is YAML's `|`, kFolded its `>`.
enum class ScalarStyle : uint8_t { kPlain, kSingleQuoted, kDoubleQuoted, kLiteral, kFolded };

struct Member;

class Value {
 public:
  /// A null with no location.
  Value() = default;

  // Programmatic construction (for writing JSON). The nodes have no location.
  static Value Null() { return Value(); }
  /// A null written as `raw` ("~", "null", "" for an empty YAML node). For the loaders.
  static Value Null(std::string raw);
  static Value Bool(bool b);
  /// A boolean written as `raw` ("True"). For the loaders.
  static Value Bool(bool b, std::string raw);
  /// An integer: written as an integer, AsInt64() gives it back.
  static Value Int(int64_t i);
  /// A floating-point number: written in Python's repr form (1.0, 0.1, 1e-07).
  static Value Double(double d);
  /// A number with the literal text it was written as: `raw` decides whether it is an integer
  /// (decimal digits with an optional sign, YAML's 0x.. / 0o..) and keeps big integers exact.
  /// `value` is the nearest double. The loaders use this; `raw` must be a valid literal.
  static Value Number(double value, std::string raw);
  static Value String(std::string s);
  static Value Sequence();
  static Value Mapping();

  ValueKind kind() const { return kind_; }
  bool is_null() const { return kind_ == ValueKind::kNull; }
  bool is_bool() const { return kind_ == ValueKind::kBool; }
  bool is_number() const { return kind_ == ValueKind::kNumber; }
  bool is_string() const { return kind_ == ValueKind::kString; }
  bool is_sequence() const { return kind_ == ValueKind::kSequence; }
  bool is_mapping() const { return kind_ == ValueKind::kMapping; }
  bool is_scalar() const { return kind_ <= ValueKind::kString; }

  // Typed access. Calling one on a node of another kind is a bug: it aborts with a message.
  // Check kind() first, or use ExpectKind() to turn a mismatch into an error for the user.
  bool AsBool() const;
  /// The nearest double (±inf and NaN included).
  double AsDouble() const;
  const std::string& AsString() const;

  /// True for a number written as an integer literal (not `1.0`, not `1e3`).
  bool IsInteger() const;
  /// The integer, exactly, when this is an integer literal within int64; nullopt otherwise
  /// (for every non-number too). `1.0` and `1e3` are floats, so nullopt.
  std::optional<int64_t> AsInt64() const;
  /// As AsInt64() for non-negative integers within uint64.
  std::optional<uint64_t> AsUint64() const;

  /// The scalar as written, before typing: "3.10", "0x1F", "True", "~", "" for an empty YAML
  /// null; for a string its value (after unescaping). Programmatic numbers give their literal
  /// ("1", "0.1"). Empty for sequences and mappings.
  const std::string& raw() const { return text_; }

  /// Sequence elements, in order; empty for other kinds.
  const std::vector<Value>& items() const { return items_; }
  std::vector<Value>& mutable_items() { return items_; }
  /// Mapping members, in the order written; empty for other kinds.
  const std::vector<Member>& members() const { return members_; }
  std::vector<Member>& mutable_members() { return members_; }
  /// Elements of a sequence or members of a mapping; 0 for scalars.
  size_t size() const;

  /// The value of member `key`, or null when there is none (or this is not a mapping).
  const Value* Find(std::string_view key) const;
  Value* Find(std::string_view key);
  /// The member `key` (its key's location included), or null.
  const Member* FindMember(std::string_view key) const;

  /// Appends to a sequence. Precondition: is_sequence().
  Value& Append(Value item);
  /// Sets member `key` of a mapping: replaces the value of an existing member in place (keeping
  /// its position), otherwise appends. Precondition: is_mapping(). Linear in size().
  Value& Set(std::string key, Value value);
  /// Appends a member without looking for an existing one: the caller knows `key` is new.
  Value& AppendMember(std::string key, Value value, Location key_location = {});

  const Location& location() const { return location_; }
  void set_location(Location location) { location_ = std::move(location); }

  /// For scalars: how it was written. kPlain for containers.
  ScalarStyle style() const { return style_; }
  void set_style(ScalarStyle style) { style_ = style; }
  bool is_quoted() const {
    return style_ == ScalarStyle::kSingleQuoted || style_ == ScalarStyle::kDoubleQuoted;
  }
  /// YAML: the node carried an anchor (`&name`).
  bool anchored() const { return anchored_; }
  void set_anchored(bool anchored) { anchored_ = anchored; }
  /// YAML: the node came from an alias (`*name`). It holds a copy of the anchored node, whose
  /// inner nodes keep their own locations; this node's location is the alias's.
  bool alias() const { return alias_; }
  void set_alias(bool alias) { alias_ = alias; }

  /// OK when kind() == expected, else InvalidArgument
  /// "<location>: expected a mapping, got a sequence".
  Status ExpectKind(ValueKind expected) const;
  /// InvalidArgument "<location>: <message>", about this node.
  Status Error(std::string_view message) const { return location_.Error(message); }

  /// Deep equality of content: kinds, scalar values (integers by value, exactly; other numbers
  /// as doubles), sequence elements in order, mapping members regardless of order. Locations,
  /// styles, raw spellings and YAML flags are ignored.
  friend bool operator==(const Value& a, const Value& b);

 private:
  ValueKind kind_ = ValueKind::kNull;
  ScalarStyle style_ = ScalarStyle::kPlain;
  bool bool_ = false;            // kBool
  bool anchored_ = false;        // see anchored()
  bool alias_ = false;           // see alias()
  double number_ = 0;            // kNumber: the nearest double to text_
  std::string text_;             // kString: the value; other scalars: the raw text; containers: ""
  std::vector<Value> items_;     // kSequence only
  std::vector<Member> members_;  // kMapping only; keys are unique after loading
  Location location_;
};

/// One key: value pair of a mapping. Keys are strings (a YAML key is its scalar as written, so
/// `1:` is "1" and `~:` is "~").
struct Member {
  std::string key;
  Location key_location;
  Value value;
  /// YAML: the key carried an anchor, or was an alias (see Value::anchored(), Value::alias()).
  bool key_anchored = false;
  bool key_alias = false;
};

}  // namespace cairn::core
