// String helpers used across cairn. All take std::string_view and never allocate more than
// their result needs. Parsing helpers are strict: the whole input must be consumed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::core {

/// Splits on every `sep`, keeping empty pieces: Split("a,,b", ',') -> {"a", "", "b"};
/// Split("", ',') -> {""}.
std::vector<std::string_view> Split(std::string_view s, char sep);
/// Splits text into lines on "\n" (a "\r" before it is dropped); a final newline does not
/// start another line, so "a\nb\n" -> {"a", "b"} and "" -> {}.
std::vector<std::string_view> SplitLines(std::string_view text);

template <typename Range>
std::string Join(const Range& parts, std::string_view sep) {
  std::string out;
  bool first = true;
  for (const auto& part : parts) {
    if (!first) out += sep;
    out += part;
    first = false;
  }
  return out;
}

/// Removes ASCII whitespace (space, \t, \n, \r, \f, \v) from both ends.
std::string_view Trim(std::string_view s);
std::string_view TrimLeft(std::string_view s);
std::string_view TrimRight(std::string_view s);

std::string ToLower(std::string_view s);                        // ASCII only
std::string ToUpper(std::string_view s);                        // ASCII only
bool EqualsIgnoreCase(std::string_view a, std::string_view b);  // ASCII case folding
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);

/// Every occurrence of `from` (non-empty) replaced by `to`, scanning left to right.
std::string ReplaceAll(std::string_view s, std::string_view from, std::string_view to);

/// A decimal integer with an optional sign; nullopt on anything else or overflow.
std::optional<int64_t> ParseInt64(std::string_view s);
/// A decimal floating-point number as strtod reads it in the C locale ("1e3", "-0.5",
/// "inf", "nan" included); nullopt when not all of `s` is a number.
std::optional<double> ParseDouble(std::string_view s);
/// The shortest text that reads back as the same double ("0.1", "1e+16", "3").
std::string FormatDouble(double value);

/// Lowercase hex of the bytes.
std::string HexEncode(std::string_view bytes);
/// Bytes of a hex string (either case); nullopt on odd length or a non-hex digit.
std::optional<std::string> HexDecode(std::string_view hex);

/// Standard base64 with padding (RFC 4648 section 4).
std::string Base64Encode(std::string_view bytes);
/// Decodes standard base64, padding optional; nullopt on invalid input.
std::optional<std::string> Base64Decode(std::string_view text);

/// Percent-encodes every byte outside RFC 3986's unreserved set (A-Z a-z 0-9 - . _ ~),
/// plus those in `keep` (e.g. "/" for paths).
std::string PercentEncode(std::string_view s, std::string_view keep = "");
/// Decodes %XX escapes (and '+' as space when `plus_is_space`); nullopt on a bad escape.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space = false);

/// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool IsValidUtf8(std::string_view s);

/// Levenshtein distance, for "did you mean" hints.
size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace cairn::core
