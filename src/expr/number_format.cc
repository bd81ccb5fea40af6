// FormatNumber: numbers printed as GitHub prints them, .NET's "G15" with the invariant
// culture: 15 significant digits, trailing zeros dropped, scientific notation ("1E+20",
// "1.5E-05", exponent of at least two digits) when the exponent is <= -5 or >= 15. Pure.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "expr/expr.h"

namespace cairn::expr {

std::string FormatNumber(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.14e", d);  // [-]d.dddddddddddddde[+-]xx
  std::string s(buf);
  bool negative = s[0] == '-';
  if (negative) s.erase(0, 1);
  size_t e = s.find('e');
  int exponent = std::atoi(s.c_str() + e + 1);
  std::string digits = s.substr(0, 1) + s.substr(2, e - 2);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = negative ? "-" : "";
  if (exponent >= 15 || exponent <= -5) {
    out += digits[0];
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += exponent < 0 ? "E-" : "E+";
    int a = std::abs(exponent);
    if (a < 10) out += '0';
    out += std::to_string(a);
  } else if (exponent < 0) {
    out += "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  } else {
    size_t int_len = static_cast<size_t>(exponent) + 1;
    if (digits.size() <= int_len) {
      out += digits + std::string(int_len - digits.size(), '0');
    } else {
      out += digits.substr(0, int_len) + "." + digits.substr(int_len);
    }
  }
  return out;
}

}  // namespace cairn::expr
