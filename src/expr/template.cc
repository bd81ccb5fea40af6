// Template: a workflow string with `${{ }}` pieces. The closing `}}` is the first one outside
// a single-quoted string; a value that is one `${{ }}` alone keeps the expression's kind,
// anything else becomes text (GitHub's format() rewrite). Immutable after Parse; thread-safe.
#include <string>

#include "expr/internal.h"

namespace cairn::expr {

namespace {

// Finds the `}}` closing an expression that starts at `from`; npos when unclosed.
size_t FindClose(std::string_view text, size_t from) {
  bool in_string = false;
  for (size_t i = from; i < text.size(); ++i) {
    if (text[i] == '\'') {
      in_string = !in_string;
    } else if (!in_string && text[i] == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      return i;
    }
  }
  return std::string_view::npos;
}

}  // namespace

Result<Template> Template::Parse(std::string_view text, const Allowed& allowed) {
  Template t;
  t.text_ = std::string(text);
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t open = text.find("${{", pos);
    if (open == std::string_view::npos) {
      if (pos < text.size() || t.pieces_.empty()) {
        t.pieces_.push_back(Piece{std::string(text.substr(pos)), std::nullopt});
      }
      break;
    }
    size_t close = FindClose(text, open + 3);
    if (close == std::string_view::npos) {
      return internal::MakeError(
          ErrorKind::kParsing,
          "The expression is not closed. An unescaped ${{ sequence was found, but the closing "
          "}} sequence was not found.");
    }
    std::string_view inner = internal::TrimJs(text.substr(open + 3, close - open - 3));
    CAIRN_ASSIGN_OR_RETURN(Expression e, Expression::Parse(inner, allowed));
    t.pieces_.push_back(Piece{std::string(text.substr(pos, open - pos)), std::move(e)});
    pos = close + 2;
  }
  // One expression with only whitespace around it keeps its value's kind.
  size_t exprs = 0;
  bool only_space = true;
  for (const Piece& p : t.pieces_) {
    if (p.expr) ++exprs;
    if (!internal::TrimJs(p.literal).empty()) only_space = false;
  }
  t.single_expression_ = exprs == 1 && only_space;
  return t;
}

Result<Value> Template::Evaluate(const EvalOptions& options) const {
  if (single_expression_) {
    for (const Piece& p : pieces_) {
      if (p.expr) return p.expr->Evaluate(options);
    }
  }
  std::string out;
  for (const Piece& p : pieces_) {
    out += p.literal;
    if (p.expr) {
      CAIRN_ASSIGN_OR_RETURN(Value v, p.expr->Evaluate(options));
      out += v.ToString();
    }
  }
  return Value::String(std::move(out));
}

Result<std::string> Template::EvaluateString(const EvalOptions& options) const {
  CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(options));
  return v.ToString();
}

bool Template::is_literal() const {
  for (const Piece& p : pieces_) {
    if (p.expr) return false;
  }
  return true;
}

const std::string& Template::text() const { return text_; }

std::vector<std::string> Template::ContextsUsed() const {
  std::vector<std::string> out;
  for (const Piece& p : pieces_) {
    if (!p.expr) continue;
    for (std::string& name : p.expr->ContextsUsed()) {
      bool seen = false;
      for (const std::string& s : out) seen = seen || s == name;
      if (!seen) out.push_back(std::move(name));
    }
  }
  return out;
}

}  // namespace cairn::expr
