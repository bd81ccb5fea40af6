// Metric gates: parsing "accuracy >= 0.85" and checking conditions against a metrics map
// (ParseCondition, CheckConditions in ml.h). Pure functions, thread-safe.

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/strings.h"
#include "ml/ml.h"

namespace cairn::ml {
namespace {

constexpr std::string_view kOperators = ">=, >, <=, <, ==, !=";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-' || c == '/';
}

std::string_view OpText(CompareOp op) {
  switch (op) {
    case CompareOp::kGe:
      return ">=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kEq:
      return "==";
    case CompareOp::kNe:
      return "!=";
  }
  return "?";
}

bool Compare(double value, CompareOp op, double bar) {
  switch (op) {
    case CompareOp::kGe:
      return value >= bar;
    case CompareOp::kGt:
      return value > bar;
    case CompareOp::kLe:
      return value <= bar;
    case CompareOp::kLt:
      return value < bar;
    case CompareOp::kEq:
      return value == bar;
    case CompareOp::kNe:
      return value != bar;
  }
  return false;
}

// Parses one condition, keeping the position for messages (columns are 1-based).
class ConditionParser {
 public:
  explicit ConditionParser(std::string_view text) : text_(text) {}

  Result<Condition> Parse() {
    Condition c;
    SkipSpaces();
    size_t start = pos_;
    while (pos_ < text_.size() && IsKeyChar(text_[pos_])) ++pos_;
    if (pos_ == start) {
      return Expected(start, "a metric name (letters, digits, '_', '.', '-', '/')");
    }
    c.metric = std::string(text_.substr(start, pos_ - start));
    SkipSpaces();

    size_t op_start = pos_;
    std::string_view rest = text_.substr(pos_);
    auto take = [&](std::string_view spelling, CompareOp op) {
      if (rest.substr(0, spelling.size()) != spelling) return false;
      c.op = op;
      pos_ += spelling.size();
      return true;
    };
    if (!(take(">=", CompareOp::kGe) || take("<=", CompareOp::kLe) || take("==", CompareOp::kEq) ||
          take("!=", CompareOp::kNe) || take(">", CompareOp::kGt) || take("<", CompareOp::kLt))) {
      std::string hint;
      std::string_view got = TokenAt(op_start);
      if (got.substr(0, 2) == "=>" || got.substr(0, 2) == "=<") {
        hint = fmt::format(" (did you mean '{}{}'?)", got[1], got[0]);
      } else if (!got.empty() && got[0] == '=') {
        hint = " (use == to compare for equality)";
      }
      return Expected(op_start, fmt::format("an operator ({})", kOperators), hint);
    }
    // "accuracy >== 0.85", "f1 <> 0.8": a second operator character is a typo, not a number.
    if (pos_ < text_.size() && (text_[pos_] == '=' || text_[pos_] == '>' || text_[pos_] == '<')) {
      return Expected(op_start, fmt::format("an operator ({})", kOperators));
    }
    SkipSpaces();

    size_t number_start = pos_;
    std::string_view number = TokenAt(number_start);
    std::optional<double> bar = core::ParseDouble(number);
    if (number.empty() || !bar) return Expected(number_start, "a number");
    if (!std::isfinite(*bar)) return Expected(number_start, "a finite number");
    c.bar = *bar;
    pos_ += number.size();
    SkipSpaces();
    if (pos_ < text_.size()) {
      return Expected(pos_, "the end of the condition",
                      " (give each condition as its own argument: 'accuracy >= 0.85' 'f1 >= 0.8')");
    }
    c.text = fmt::format("{} {} {}", c.metric, OpText(c.op), number);
    return c;
  }

 private:
  void SkipSpaces() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  }

  // The text from `at` up to the next space (or the end).
  std::string_view TokenAt(size_t at) const {
    size_t end = at;
    while (end < text_.size() && !IsSpace(text_[end])) ++end;
    return text_.substr(at, end - at);
  }

  Status Expected(size_t at, std::string_view what, std::string_view hint = "") const {
    std::string_view got = TokenAt(at);
    std::string got_text =
        at >= text_.size() ? std::string("the end of the text") : fmt::format("'{}'", got);
    return Status::InvalidArgument(fmt::format("condition '{}', column {}: expected {}, got {}{}",
                                               text_, at + 1, what, got_text, hint));
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// `value` with 4 decimals at most (trailing zeros dropped), or as many more as it takes to
// show how the value compares with the bar: a failing 0.84999 against ">= 0.85" must not print
// as 0.85, nor a passing 0.8500001 against "> 0.85" as 0.85.
std::string FormatValue(double value, CompareOp op, double bar) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  bool truth = Compare(value, op, bar);
  for (int decimals = 4; decimals <= 17; ++decimals) {
    std::string s = fmt::format("{:.{}f}", value, decimals);
    if (s.find('.') != std::string::npos) {
      while (s.back() == '0') s.pop_back();
      if (s.back() == '.') s.pop_back();
    }
    if (s == "-0") s = "0";
    if (value != 0 && s == "0") continue;  // a tiny value: show its first digits
    double shown = std::strtod(s.c_str(), nullptr);
    if (Compare(shown, op, bar) == truth) return s;
  }
  return core::FormatDouble(value);  // round-trip exact: compares as the value does
}

std::string FailureReason(double value, CompareOp op, double bar) {
  if (std::isnan(value)) return "is not a number, so it cannot pass";
  switch (op) {
    case CompareOp::kGe:
    case CompareOp::kGt:
      return value == bar ? "is equal to the bar, not above it" : "is below the bar";
    case CompareOp::kLe:
    case CompareOp::kLt:
      return value == bar ? "is equal to the bar, not below it" : "is above the bar";
    case CompareOp::kEq:
      return "is not equal to the bar";
    case CompareOp::kNe:
      return "is equal to the bar";
  }
  return "fails";
}

}  // namespace

Result<Condition> ParseCondition(std::string_view text) { return ConditionParser(text).Parse(); }

std::vector<ConditionResult> CheckConditions(const std::vector<Condition>& conditions,
                                             const std::map<std::string, double>& metrics) {
  std::vector<ConditionResult> results;
  results.reserve(conditions.size());
  for (const Condition& c : conditions) {
    ConditionResult r;
    r.condition = c;
    std::string bar = core::FormatDouble(c.bar);
    auto it = metrics.find(c.metric);
    if (it == metrics.end()) {
      std::vector<std::string_view> names;
      for (const auto& [name, value] : metrics) names.push_back(name);
      std::string there =
          names.empty() ? "there are none" : "there are: " + core::Join(names, ", ");
      r.message = fmt::format("no metric '{}' in the metrics ({})", c.metric, there);
      results.push_back(std::move(r));
      continue;
    }
    double value = it->second;
    r.value = value;
    // NaN (roc_auc with one class) passes nothing, not even "!=": a gate must not pass on an
    // undefined metric.
    r.passed = !std::isnan(value) && Compare(value, c.op, c.bar);
    std::string shown = FormatValue(value, c.op, c.bar);
    if (r.passed) {
      r.message = fmt::format("{} = {} {} {}: passed", c.metric, shown, OpText(c.op), bar);
    } else {
      r.message = fmt::format("{} = {} {}: needs {} {}", c.metric, shown,
                              FailureReason(value, c.op, c.bar), OpText(c.op), bar);
    }
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace cairn::ml
