// Allowed::FromSchema: the context lists of GitHub's workflow schema, where plain entries are
// context names and "name(min,max)" entries are functions ("MAX" meaning no limit). Pure.
#include <charconv>
#include <string>

#include "expr/internal.h"

namespace cairn::expr {

namespace {

int ParseBound(std::string_view s) {
  s = internal::TrimJs(s);
  if (s == "MAX") return FunctionSpec::kUnlimited;
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

}  // namespace

Allowed Allowed::FromSchema(std::span<const std::string_view> entries) {
  Allowed allowed;
  for (std::string_view entry : entries) {
    size_t paren = entry.find('(');
    if (paren == std::string_view::npos || entry.back() != ')') {
      allowed.contexts.emplace_back(entry);
      continue;
    }
    FunctionSpec f;
    f.name = std::string(entry.substr(0, paren));
    std::string_view inside = entry.substr(paren + 1, entry.size() - paren - 2);
    size_t comma = inside.find(',');
    f.min_args = ParseBound(inside.substr(0, comma));
    f.max_args =
        comma == std::string_view::npos ? f.min_args : ParseBound(inside.substr(comma + 1));
    allowed.functions.push_back(std::move(f));
  }
  return allowed;
}

}  // namespace cairn::expr
