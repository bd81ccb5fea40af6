// UTF-8 decoding and encoding, strict: overlong forms, UTF-16 surrogates and code points
// above U+10FFFF are not well-formed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cairn::core {

/// The length (1-4) of the well-formed UTF-8 sequence starting at s[i], with its code point
/// in *cp; 0 when the bytes there are not well-formed UTF-8. Requires i < s.size().
size_t DecodeUtf8(std::string_view s, size_t i, char32_t* cp);
/// Appends the UTF-8 encoding of `cp` (at most U+10FFFF) to `out`.
void AppendUtf8(char32_t cp, std::string* out);
/// The offset of the first byte of `s` that does not start a well-formed sequence, or npos.
size_t FindInvalidUtf8(std::string_view s);

}  // namespace cairn::core
