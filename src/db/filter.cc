// MLflow's search syntax (filter.h): a hand-written scanner over the filter text, page tokens
// and in-memory LIKE. Pure functions; thread-safe.
#include "db/filter.h"

#include <optional>

#include "core/strings.h"

namespace cairn::db {
namespace {

using core::Result;
using core::Status;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsNonAscii(char c) { return static_cast<unsigned char>(c) >= 0x80; }
// A word: keywords, entities, keys without a dot.
bool IsWordChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '_' || IsNonAscii(c); }
// What may follow the entity's dot in an unquoted key ("mlflow.runName", "lr:0", "val-loss").
bool IsKeyChar(char c) { return IsWordChar(c) || c == '.' || c == ':' || c == '-'; }

// A left-to-right reader over one filter or order_by clause.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  size_t pos() const { return pos_; }
  std::string_view Rest() const { return core::Trim(text_.substr(std::min(pos_, text_.size()))); }
  std::string_view From(size_t start) const { return core::Trim(text_.substr(start)); }
  std::string_view Slice(size_t start, size_t end) const {
    return text_.substr(start, end - start);
  }

  void SkipSpace() {
    while (!AtEnd() && IsSpace(text_[pos_])) ++pos_;
  }
  bool Consume(std::string_view s) {
    if (text_.substr(pos_, s.size()) != s) return false;
    pos_ += s.size();
    return true;
  }
  // The word at the cursor ([A-Za-z0-9_] and non-ASCII), without moving; empty when none.
  std::string_view PeekWord() const {
    size_t end = pos_;
    while (end < text_.size() && IsWordChar(text_[end])) ++end;
    return text_.substr(pos_, end - pos_);
  }
  std::string_view TakeWhile(bool (*pred)(char)) {
    size_t start = pos_;
    while (!AtEnd() && pred(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  // Consumes `keyword` (any case) when it is the whole word at the cursor.
  bool ConsumeKeyword(std::string_view keyword) {
    if (!core::EqualsIgnoreCase(PeekWord(), keyword)) return false;
    pos_ += keyword.size();
    return true;
  }
  // A quoted run opened by the quote at the cursor; the text between the quotes, verbatim (as
  // MLflow's _strip_quotes keeps it: a doubled or backslash-escaped quote does not close the
  // run and stays as written). nullopt when the closing quote is missing.
  std::optional<std::string_view> TakeQuoted() {
    const char quote = text_[pos_];
    for (size_t i = pos_ + 1; i < text_.size(); ++i) {
      if (text_[i] == '\\' && quote != '`' && i + 1 < text_.size()) {
        ++i;
      } else if (text_[i] == quote) {
        if (i + 1 < text_.size() && text_[i + 1] == quote) {
          ++i;
          continue;
        }
        std::string_view inner = text_.substr(pos_ + 1, i - pos_ - 1);
        pos_ = i + 1;
        return inner;
      }
    }
    return std::nullopt;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

bool IsKeyword(std::string_view word) {
  for (std::string_view keyword : {"AND", "OR", "NOT", "IN", "LIKE", "ILIKE"}) {
    if (core::EqualsIgnoreCase(word, keyword)) return true;
  }
  return false;
}

struct Identifier {
  std::string entity;
  std::string key;
  bool key_quoted = false;
};

// identifier := [entity "."] key. On failure, says what was wrong (for the caller's message).
Result<Identifier> ParseIdentifier(Scanner& in) {
  Identifier id;
  std::string_view first;
  bool first_quoted = false;
  const char c = in.Peek();
  if (c == '`' || c == '"') {
    std::optional<std::string_view> quoted = in.TakeQuoted();
    if (!quoted) return Status::InvalidArgument(std::string("unterminated ") + c + " quote");
    first = *quoted;
    first_quoted = true;
  } else if (IsAlpha(c) || c == '_' || IsNonAscii(c)) {
    first = in.TakeWhile(IsWordChar);
    if (IsKeyword(first)) {
      return Status::InvalidArgument("expected an identifier, found '" + std::string(first) + "'");
    }
  } else if (c == '(' || c == ')') {
    return Status::InvalidArgument("parentheses for grouping are not supported");
  } else if (in.AtEnd()) {
    return Status::InvalidArgument("expected an identifier");
  } else {
    return Status::InvalidArgument(std::string("expected an identifier, found '") + c + "'");
  }
  if (in.Peek() != '.') {
    id.key = std::string(first);
    id.key_quoted = first_quoted;
    return id;
  }
  in.Consume(".");
  id.entity = core::ToLower(first);
  const char k = in.Peek();
  if (k == '`' || k == '"') {
    std::optional<std::string_view> quoted = in.TakeQuoted();
    if (!quoted) return Status::InvalidArgument(std::string("unterminated ") + k + " quote");
    id.key = std::string(*quoted);
    id.key_quoted = true;
  } else {
    id.key = std::string(in.TakeWhile(IsKeyChar));
    if (id.key.empty()) {
      return Status::InvalidArgument("expected a key after '" + std::string(first) + ".'");
    }
  }
  return id;
}

std::optional<CompareOp> TakeOp(Scanner& in) {
  if (in.Consume("<=")) return CompareOp::kLe;
  if (in.Consume(">=")) return CompareOp::kGe;
  if (in.Consume("!=") || in.Consume("<>")) return CompareOp::kNe;
  if (in.Consume("<")) return CompareOp::kLt;
  if (in.Consume(">")) return CompareOp::kGt;
  if (in.Consume("=")) return in.Peek() == '=' ? std::nullopt : std::optional(CompareOp::kEq);
  if (in.ConsumeKeyword("LIKE")) return CompareOp::kLike;
  if (in.ConsumeKeyword("ILIKE")) return CompareOp::kILike;
  if (in.ConsumeKeyword("IN")) return CompareOp::kIn;
  if (in.ConsumeKeyword("NOT")) {
    in.SkipSpace();
    if (in.ConsumeKeyword("IN")) return CompareOp::kNotIn;
  }
  return std::nullopt;
}

// The operator at the cursor; nullopt (the cursor unmoved) when there is none.
std::optional<CompareOp> ParseOp(Scanner& in) {
  Scanner start = in;
  std::optional<CompareOp> op = TakeOp(in);
  if (!op) in = start;
  return op;
}

// A number as sqlparse reads one: -?(digits[.digits*] | .digits)([eE][+-]?digits)?
std::optional<std::string_view> TakeNumber(Scanner& in) {
  Scanner probe = in;
  size_t start = probe.pos();
  probe.Consume("-");
  std::string_view whole = probe.TakeWhile(IsDigit);
  std::string_view fraction;
  if (probe.Consume(".")) fraction = probe.TakeWhile(IsDigit);
  if (whole.empty() && fraction.empty()) return std::nullopt;
  if (probe.Peek() == 'e' || probe.Peek() == 'E') {
    Scanner exponent = probe;
    if (!exponent.Consume("e")) exponent.Consume("E");
    if (!exponent.Consume("+")) exponent.Consume("-");
    if (!exponent.TakeWhile(IsDigit).empty()) probe = exponent;
  }
  if (IsKeyChar(probe.Peek())) return std::nullopt;  // "1abc", "0.5.1"
  in = probe;
  return probe.Slice(start, probe.pos());
}

Status Invalid(std::string_view clause, std::string_view why) {
  std::string message = "Invalid clause(s) in filter string: '";
  message += clause;
  message += "'";
  if (!why.empty()) {
    message += ": ";
    message += why;
  }
  return Status::InvalidArgument(std::move(message));
}

// value := number | 'single' | "double" | ( quoted, ... ); fills `out`'s value fields.
Status ParseValue(Scanner& in, Comparison& out) {
  const char c = in.Peek();
  if (c == '\'' || c == '"') {
    std::optional<std::string_view> quoted = in.TakeQuoted();
    if (!quoted) return Status::InvalidArgument(std::string("unterminated ") + c + " quote");
    out.value_kind = ValueKind::kString;
    out.value = std::string(*quoted);
    return Status();
  }
  if (c == '(') {
    in.Consume("(");
    out.value_kind = ValueKind::kList;
    while (true) {
      in.SkipSpace();
      if (in.Consume(")")) return Status();
      const char q = in.Peek();
      if (q != '\'' && q != '"') {
        return Status::InvalidArgument("expected a list of quoted strings, like ('a', 'b')");
      }
      std::optional<std::string_view> quoted = in.TakeQuoted();
      if (!quoted) return Status::InvalidArgument(std::string("unterminated ") + q + " quote");
      out.list.emplace_back(*quoted);
      in.SkipSpace();
      if (in.Consume(")")) return Status();
      if (!in.Consume(",")) {
        return Status::InvalidArgument(in.AtEnd() ? "unterminated list: expected ')'"
                                                  : "expected ',' or ')' in the list");
      }
    }
  }
  if (std::optional<std::string_view> literal = TakeNumber(in)) {
    std::optional<double> number = core::ParseDouble(*literal);
    if (!number) return Status::InvalidArgument("bad number " + std::string(*literal));
    out.value_kind = ValueKind::kNumber;
    out.value = std::string(*literal);
    out.number = *number;
    return Status();
  }
  if (in.AtEnd()) return Status::InvalidArgument("expected a value");
  return Status::InvalidArgument(
      "expected a number, a quoted string or a list as the value, found '" +
      std::string(in.Rest().substr(0, 40)) + "'");
}

Result<Comparison> ParseComparison(Scanner& in) {
  Comparison out;
  CAIRN_ASSIGN_OR_RETURN(Identifier id, ParseIdentifier(in));
  out.entity = std::move(id.entity);
  out.key = std::move(id.key);
  out.key_quoted = id.key_quoted;
  in.SkipSpace();
  std::optional<CompareOp> op = ParseOp(in);
  if (!op) {
    return Status::InvalidArgument(
        in.AtEnd() ? std::string("expected a comparison operator")
                   : "unknown comparison operator at '" + std::string(in.Rest().substr(0, 20)) +
                         "'; expected one of =, !=, <>, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN");
  }
  out.op = *op;
  in.SkipSpace();
  CAIRN_RETURN_IF_ERROR(ParseValue(in, out));
  const bool wants_list = out.op == CompareOp::kIn || out.op == CompareOp::kNotIn;
  if (wants_list != (out.value_kind == ValueKind::kList)) {
    return Status::InvalidArgument(wants_list ? std::string(CompareOpName(out.op)) +
                                                    " takes a list, like ('a', 'b')"
                                              : "a list goes with IN or NOT IN only");
  }
  return out;
}

}  // namespace

std::string_view CompareOpName(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
    case CompareOp::kLike:
      return "LIKE";
    case CompareOp::kILike:
      return "ILIKE";
    case CompareOp::kIn:
      return "IN";
    case CompareOp::kNotIn:
      return "NOT IN";
  }
  return "?";
}

Result<std::vector<Comparison>> ParseFilter(std::string_view filter) {
  std::vector<Comparison> out;
  Scanner in(filter);
  in.SkipSpace();
  if (in.AtEnd()) return out;
  while (true) {
    const size_t start = in.pos();
    Result<Comparison> comparison = ParseComparison(in);
    if (!comparison.ok()) return Invalid(in.From(start), comparison.status().message());
    out.push_back(std::move(comparison).value());
    in.SkipSpace();
    if (in.AtEnd()) return out;
    const size_t and_at = in.pos();
    if (!in.ConsumeKeyword("AND")) {
      // MLflow names the stray token: "Invalid clause(s) in filter string: 'OR'".
      std::string_view word = in.PeekWord();
      if (core::EqualsIgnoreCase(word, "OR")) return Invalid(word, "");
      return Invalid(in.Rest(), "expected AND between comparisons");
    }
    in.SkipSpace();
    if (in.AtEnd()) return Invalid(in.From(and_at), "expected a comparison after AND");
  }
}

Result<OrderBy> ParseOrderBy(std::string_view clause) {
  auto invalid = [&] {
    return Status::InvalidArgument("Invalid order_by clause '" + std::string(clause) +
                                   "'. Could not be parsed.");
  };
  Scanner in(clause);
  in.SkipSpace();
  Result<Identifier> id = ParseIdentifier(in);
  if (!id.ok()) return invalid();
  if (id->entity.empty() && !id->key_quoted &&
      (core::EqualsIgnoreCase(id->key, "ASC") || core::EqualsIgnoreCase(id->key, "DESC"))) {
    return invalid();  // a direction without a key
  }
  OrderBy out;
  out.entity = std::move(id->entity);
  out.key = std::move(id->key);
  out.key_quoted = id->key_quoted;
  const size_t after_key = in.pos();
  in.SkipSpace();
  if (in.AtEnd()) return out;
  if (in.pos() == after_key) return invalid();  // "metrics.a>b"
  std::string_view direction = in.TakeWhile(IsWordChar);
  in.SkipSpace();
  if (direction.empty() || !in.AtEnd()) return invalid();
  if (core::EqualsIgnoreCase(direction, "ASC")) {
    out.ascending = true;
  } else if (core::EqualsIgnoreCase(direction, "DESC")) {
    out.ascending = false;
  } else {
    return Status::InvalidArgument("Invalid ordering key in order_by clause '" +
                                   std::string(clause) + "'.");
  }
  return out;
}

std::string EncodePageToken(int64_t offset) {
  // json.dumps({"offset": offset}): a space after the colon.
  return core::Base64Encode("{\"offset\": " + std::to_string(offset) + "}");
}

Result<int64_t> DecodePageToken(std::string_view token) {
  if (token.empty()) return int64_t{0};
  std::optional<std::string> json = core::Base64Decode(token);
  if (!json) return Status::InvalidArgument("Invalid page token, could not base64-decode");
  auto bad_offset = [] {
    return Status::InvalidArgument("Invalid page token, could not parse offset");
  };
  // Exactly one member, "offset", with a non-negative integer (any spacing json.loads takes).
  Scanner in(*json);
  in.SkipSpace();
  if (!in.Consume("{")) return bad_offset();
  in.SkipSpace();
  if (!in.Consume("\"offset\"")) return bad_offset();
  in.SkipSpace();
  if (!in.Consume(":")) return bad_offset();
  in.SkipSpace();
  std::optional<int64_t> offset = core::ParseInt64(in.TakeWhile(IsDigit));
  in.SkipSpace();
  if (!offset || !in.Consume("}")) return bad_offset();
  in.SkipSpace();
  if (!in.AtEnd()) return bad_offset();
  return *offset;
}

bool SqlLikeMatch(std::string_view text, std::string_view pattern, bool ignore_case) {
  auto fold = [ignore_case](char c) {
    return ignore_case && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  };
  // One character of UTF-8 (so '_' matches "é" as SQLite does): its byte length at `i`.
  auto char_len = [&text](size_t i) {
    size_t n = 1;
    while (i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) ++n;
    return n;
  };
  // Greedy with backtracking to the last '%': linear in practice, O(n*m) at worst.
  size_t t = 0;
  size_t p = 0;
  size_t star_p = std::string_view::npos;
  size_t star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      star_p = ++p;
      star_t = t;
    } else if (p < pattern.size() && pattern[p] == '_') {
      t += char_len(t);
      ++p;
    } else if (p < pattern.size() && fold(pattern[p]) == fold(text[t])) {
      ++t;
      ++p;
    } else if (star_p != std::string_view::npos) {
      star_t += char_len(star_t);
      t = star_t;
      p = star_p;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

}  // namespace cairn::db
