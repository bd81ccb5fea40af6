// Condition: an `if:` value. With or without `${{ }}` it is an expression; a value with
// `${{ }}` in part becomes format('...', ...) (a non-empty string: truthy); without a status
// function call (found on the tree, not in the text) it becomes `success() && (<expr>)`.
// Immutable after Parse; thread-safe.
#include <string>

#include "expr/internal.h"

namespace cairn::expr {

namespace {

bool HasFunction(const Allowed& allowed, std::string_view name) {
  for (const FunctionSpec& f : allowed.functions) {
    if (internal::EqualsIgnoreCase(f.name, name)) return true;
  }
  return false;
}

// The format() text for a value with `${{ }}` in part: literal text quoted ('' for ', {{ and
// }} for braces), each expression an argument.
Result<std::string> FormatRewrite(std::string_view text, const Allowed& allowed) {
  CAIRN_ASSIGN_OR_RETURN(Template t, Template::Parse(text, allowed));
  (void)t;  // validates the pieces; the text is rebuilt below from the same split
  std::string fmt, args;
  size_t pos = 0;
  int n = 0;
  while (pos < text.size()) {
    size_t open = text.find("${{", pos);
    std::string_view literal =
        text.substr(pos, open == std::string_view::npos ? std::string_view::npos : open - pos);
    for (char c : literal) {
      if (c == '\'') {
        fmt += "''";
      } else if (c == '{') {
        fmt += "{{";
      } else if (c == '}') {
        fmt += "}}";
      } else {
        fmt += c;
      }
    }
    if (open == std::string_view::npos) break;
    bool in_string = false;
    size_t close = open + 3;
    for (; close < text.size(); ++close) {
      if (text[close] == '\'') {
        in_string = !in_string;
      } else if (!in_string && text[close] == '}' && close + 1 < text.size() &&
                 text[close + 1] == '}') {
        break;
      }
    }
    fmt += "{" + std::to_string(n++) + "}";
    args += ", ";
    args += internal::TrimJs(text.substr(open + 3, close - open - 3));
    pos = close + 2;
  }
  return "format('" + fmt + "'" + args + ")";
}

}  // namespace

Result<Condition> Condition::Parse(std::string_view text, const Allowed& allowed) {
  std::string_view trimmed = internal::TrimJs(text);
  std::string expr_text;
  if (trimmed.empty()) {
    expr_text = "success()";
  } else if (trimmed.find("${{") == std::string_view::npos) {
    expr_text = std::string(trimmed);
  } else {
    size_t close = std::string_view::npos;
    if (trimmed.starts_with("${{") && trimmed.ends_with("}}")) {
      // One `${{ ... }}` around the whole value?
      bool in_string = false;
      for (size_t i = 3; i + 1 < trimmed.size(); ++i) {
        if (trimmed[i] == '\'') {
          in_string = !in_string;
        } else if (!in_string && trimmed[i] == '}' && trimmed[i + 1] == '}') {
          close = i;
          break;
        }
      }
    }
    if (close != std::string_view::npos && close + 2 == trimmed.size()) {
      expr_text = std::string(internal::TrimJs(trimmed.substr(3, close - 3)));
      if (expr_text.empty()) expr_text = "success()";
    } else {
      CAIRN_ASSIGN_OR_RETURN(expr_text, FormatRewrite(trimmed, allowed));
    }
  }
  Allowed with_success = allowed;
  if (!HasFunction(allowed, "success")) with_success.functions.push_back({"success", 0, 0});
  CAIRN_ASSIGN_OR_RETURN(Expression parsed, Expression::Parse(expr_text, with_success));
  Condition c;
  if (parsed.UsesStatusFunction()) {
    c.expr_ = std::move(parsed);
  } else {
    CAIRN_ASSIGN_OR_RETURN(c.expr_,
                           Expression::Parse("success() && (" + expr_text + ")", with_success));
  }
  return c;
}

Result<bool> Condition::Evaluate(const EvalOptions& options) const {
  CAIRN_ASSIGN_OR_RETURN(Value v, expr_.Evaluate(options));
  return v.Truthy();
}

}  // namespace cairn::expr
