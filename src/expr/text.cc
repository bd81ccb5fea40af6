// JS-compatible text helpers: whitespace as JS's /\s/, Number(string), ASCII case folding,
// and UTF-16 positions (GitHub counts columns in UTF-16 code units). Pure functions.
#include <cmath>
#include <cstdlib>
#include <string>

#include "core/utf8.h"
#include "expr/internal.h"

namespace cairn::expr::internal {

namespace {

// Decodes the code point at `i` (invalid bytes count as one unit); sets `len`.
uint32_t Decode(std::string_view s, size_t i, size_t& len) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    len = 1;
    return c;
  }
  int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (n == 1 || i + n > s.size()) {
    len = 1;
    return 0xFFFD;
  }
  uint32_t cp = c & (0x3F >> (n - 1));
  for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  len = n;
  return cp;
}

bool IsJsSpace(uint32_t cp) {
  switch (cp) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0xFEFF:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

double ParseRadix(std::string_view digits, int radix) {
  if (digits.empty()) return NAN;
  double v = 0;
  for (char c : digits) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'z') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'Z') {
      d = c - 'A' + 10;
    } else {
      return NAN;
    }
    if (d >= radix) return NAN;
    v = v * radix + d;
  }
  return v;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

size_t WhitespaceAt(std::string_view s, size_t i) {
  size_t len = 0;
  uint32_t cp = Decode(s, i, len);
  return IsJsSpace(cp) ? len : 0;
}

std::string_view TrimJs(std::string_view s) {
  size_t b = 0;
  while (b < s.size()) {
    size_t n = WhitespaceAt(s, b);
    if (n == 0) break;
    b += n;
  }
  size_t e = s.size();
  while (e > b) {
    // Step back to the start of the last code point.
    size_t k = e - 1;
    while (k > b && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
    size_t n = WhitespaceAt(s, k);
    if (n == 0 || k + n != e) break;
    e = k;
  }
  return s.substr(b, e - b);
}

double JsNumber(std::string_view in) {
  std::string_view s = TrimJs(in);
  if (s.empty()) return 0;
  if (s.size() > 2 && s[0] == '0') {
    char p = s[1];
    if (p == 'x' || p == 'X') return ParseRadix(s.substr(2), 16);
    if (p == 'o' || p == 'O') return ParseRadix(s.substr(2), 8);
    if (p == 'b' || p == 'B') return ParseRadix(s.substr(2), 2);
  }
  size_t i = 0;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    i = 1;
  }
  if (s.substr(i) == "Infinity") return negative ? -INFINITY : INFINITY;
  size_t digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return NAN;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return NAN;
  }
  if (i != s.size()) return NAN;
  std::string copy(s);
  return std::strtod(copy.c_str(), nullptr);
}

namespace {

// Simple (one-to-one) upper-case mapping for the scripts workflows use: Latin, Greek,
// Cyrillic, Armenian, Latin Extended Additional, fullwidth. The dotless ı stays as it is
// (GitHub's comparison keeps it).
uint32_t UpperCp(uint32_t c) {
  auto odd_down = [](uint32_t x) { return (x & 1) ? x - 1 : x; };
  auto even_down = [](uint32_t x) { return (x & 1) ? x : x - 1; };
  if (c < 0x80) return (c >= 'a' && c <= 'z') ? c - 32 : c;
  if (c == 0xB5) return 0x39C;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;
  if (c == 0xFF) return 0x178;
  if (c == 0x131) return c;
  if (c == 0x17F) return 'S';
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return odd_down(c);
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return even_down(c);
  if (c >= 0x1CD && c <= 0x1DC) return even_down(c);
  if ((c >= 0x1DE && c <= 0x1EF) || (c >= 0x1F8 && c <= 0x21F) || (c >= 0x222 && c <= 0x233) ||
      (c >= 0x246 && c <= 0x24F)) {
    return odd_down(c);
  }
  if (c == 0x3AC) return 0x386;
  if (c >= 0x3AD && c <= 0x3AF) return c - 37;
  if (c == 0x3C2) return 0x3A3;
  if (c >= 0x3B1 && c <= 0x3CB) return c - 32;
  if (c == 0x3CC) return 0x38C;
  if (c == 0x3CD || c == 0x3CE) return c - 63;
  if (c >= 0x3D8 && c <= 0x3EF) return odd_down(c);
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x52F)) {
    return odd_down(c);
  }
  if (c >= 0x4C1 && c <= 0x4CE) return even_down(c);
  if (c == 0x4CF) return 0x4C0;
  if (c >= 0x561 && c <= 0x586) return c - 48;
  if ((c >= 0x1E00 && c <= 0x1E95) || (c >= 0x1EA0 && c <= 0x1EFF)) return odd_down(c);
  if (c >= 0x2170 && c <= 0x217F) return c - 16;
  if (c >= 0x24D0 && c <= 0x24E9) return c - 26;
  if (c >= 0xFF41 && c <= 0xFF5A) return c - 32;
  return c;
}

void Encode(uint32_t cp, std::string& out) { core::AppendUtf8(static_cast<char32_t>(cp), &out); }

}  // namespace

std::string Upper(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      out += (b >= 'a' && b <= 'z') ? static_cast<char>(b - 32) : static_cast<char>(b);
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = Decode(s, i, len);
    if (cp == 0xFFFD && len == 1) {
      out += s[i];  // invalid byte: kept as is
    } else {
      Encode(UpperCp(cp), out);
    }
    i += len;
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  bool ascii = true;
  for (char c : a) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  for (char c : b) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (!ascii) return Upper(a) == Upper(b);
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

size_t Position(std::string_view text, size_t byte) {
  size_t units = 0;
  size_t i = 0;
  while (i < byte && i < text.size()) {
    size_t len = 0;
    uint32_t cp = Decode(text, i, len);
    units += cp >= 0x10000 ? 2 : 1;
    i += len;
  }
  return units + 1;
}

}  // namespace cairn::expr::internal
