// JSON: a strict RFC 8259 reader into core::Value (every node with its file:line:col), and
// writers, one of which reproduces Python's json.dumps(obj, sort_keys=True) byte for byte
// (DVC hashes those bytes).
//
// The reader is hand-written because the point of core::Value is per-node locations. It accepts
// exactly RFC 8259: no comments, no trailing commas, no single quotes; strings must be valid
// UTF-8 and their \u escapes must pair surrogates correctly. Numbers keep their literal text, so
// integers of any size survive a read and a write unchanged. When a mapping repeats a key, the
// last value wins and the member stays where the key was first written (Python's json.loads
// does the same). Errors are InvalidArgument "<file>:<line>:<col>: <what was expected>".
//
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/value.h"

namespace cairn::core {

struct JsonParseOptions {
  /// Accept Python's NaN, Infinity and -Infinity (what json.dumps writes for non-finite floats,
  /// so they appear in MLflow and DVC metrics files). They are numbers; raw() keeps the spelling.
  bool allow_nan = false;
  /// Sequences and mappings nested deeper than this are an error (the reader recurses).
  int max_depth = 512;
};

/// Parses one JSON value (surrounded by optional whitespace) from `text`. `filename` is only
/// used for locations and messages. A leading UTF-8 byte order mark is skipped.
Result<Value> ParseJson(std::string_view text, std::string_view filename,
                        const JsonParseOptions& options = {});

/// The knobs of Python's json.dumps.
struct JsonWriteOptions {
  /// < 0: everything on one line. >= 0: one element per line, each level indented by this many
  /// spaces (Python's indent=). Empty containers stay "[]" and "{}".
  int indent = -1;
  /// Write mapping members sorted by key (by code point, i.e. UTF-8 byte order), not as stored.
  bool sort_keys = false;
  /// Escape every character outside 0x20-0x7E as \uXXXX (astral ones as surrogate pairs).
  /// Otherwise UTF-8 is written as is and only '"', '\' and control characters are escaped.
  bool ensure_ascii = false;
  /// Between elements, and between a key and its value.
  std::string_view item_separator = ",";
  std::string_view key_separator = ":";
};

/// Writes `value` as JSON, without a trailing newline. Integers (by their literal) are written
/// as integers, exactly and in canonical decimal; other numbers as Python's repr writes floats
/// (see FormatPythonFloat), and NaN/inf as Python's NaN, Infinity, -Infinity. Invalid UTF-8 in
/// a string is written as U+FFFD. Defaults: compact, {"a":1,"b":[true,null]}.
std::string ToJson(const Value& value, const JsonWriteOptions& options = {});

/// Indented, members in stored order, UTF-8 as is: Python's json.dumps(obj, indent=indent).
std::string ToPrettyJson(const Value& value, int indent = 2);

/// Exactly Python's json.dumps(obj, sort_keys=True): separators ", " and ": ", ensure_ascii,
/// keys sorted. E.g. [{"md5": "401b30e3b8b5d629635a5c613cdb7919", "relpath": "1"}].
std::string ToPythonJson(const Value& value);

/// Python's repr() of a float: shortest round-trip digits; exponent form when the decimal
/// exponent is < -4 or >= 16 ("1e-07", "1e+16", "1.5e+300"), otherwise positional with ".0" on
/// integral values ("1.0", "0.1", "1000000000000000.0"); "nan", "inf", "-inf".
std::string FormatPythonFloat(double d);

}  // namespace cairn::core
