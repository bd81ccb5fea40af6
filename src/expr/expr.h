// expr: GitHub Actions' expression language (`${{ ... }}`, `if:` conditions), with exactly
// GitHub's meaning: its literals, operators and coercions, its functions, its number printing
// (.NET "G15"), its error messages ("... Located at position N within expression: EXPR"), and
// the rules that decide which contexts and functions a workflow key may use.
//
//   Allowed allowed{.contexts = {"github", "needs"}, .functions = {{"success", 0, 1}}};
//   CAIRN_ASSIGN_OR_RETURN(Condition cond, ParseCondition("github.ref == 'refs/heads/main'",
//                                                         allowed));
//   cond.text();                       // "success() && (github.ref == 'refs/heads/main')"
//   Contexts contexts;
//   contexts.Set("github", Value::FromJson(...));
//   CAIRN_ASSIGN_OR_RETURN(Value v, cond.expression().Evaluate({.contexts = &contexts}));
//   v.Truthy();
//
// Thread safety: parsed Expression/Template/Condition objects are immutable and may be
// evaluated from several threads at once. A Value is immutable once built; copies share their
// containers (so arrays and objects compare by reference, as GitHub's `==` does).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "core/value.h"

namespace cairn::expr {

using core::Result;
using core::Status;

// ---------------------------------------------------------------------------------------------
// Values

enum class Kind : uint8_t { kNull, kBoolean, kNumber, kString, kArray, kObject };

namespace internal {
struct Access;  // the evaluator's view of Value internals (expr/internal.h)
}

/// "Null", "Boolean", "Number", "String", "Array", "Object" (the names of the official vectors).
std::string_view KindName(Kind kind);

/// A value of the expression language. Objects keep their members in insertion order and look
/// keys up case-insensitively (ordinal, ASCII). Copies are cheap: containers are shared.
class Value {
 public:
  Value();  // null
  static Value Null();
  static Value Boolean(bool b);
  static Value Number(double d);
  static Value String(std::string s);
  static Value Array(std::vector<Value> items);
  /// Members in order; a later duplicate key (compared case-insensitively) replaces the earlier
  /// value in place.
  static Value Object(std::vector<std::pair<std::string, Value>> members);
  /// A JSON/YAML tree: numbers become doubles, sequences arrays, mappings objects.
  static Value FromCore(const core::Value& value);

  Kind kind() const;
  bool is_null() const { return kind() == Kind::kNull; }

  // Typed access; calling one on another kind is a bug (aborts).
  bool AsBool() const;
  double AsNumber() const;
  const std::string& AsString() const;
  const std::vector<Value>& AsArray() const;
  const std::vector<std::pair<std::string, Value>>& AsObject() const;

  /// A member of an object, by case-insensitive key; null when absent or not an object.
  const Value* Get(std::string_view key) const;

  /// GitHub's coercions: falsy are false, 0, -0, NaN, '' and null.
  bool Truthy() const;
  /// null 0, booleans 1/0, strings trimmed then decimal/exponent/hex/Infinity ('' is 0, else
  /// NaN), arrays and objects NaN.
  double ToNumber() const;
  /// null '', 'true'/'false', numbers as GitHub prints them (G15: "1E+20", "0.84551240822557"),
  /// strings as they are, 'Array', 'Object'.
  std::string ToString() const;
  /// toJSON(): 2-space indented JSON, as GitHub prints it.
  std::string ToJson() const;
  /// Back to a JSON tree (for printing with core's JSON writer).
  core::Value ToCore() const;

  /// True when both share the same container (GitHub's `==` for arrays and objects).
  bool SameContainer(const Value& other) const;

 private:
  friend struct internal::Access;
  struct Rep;
  std::shared_ptr<const Rep> rep_;
};

/// How GitHub prints a number when converting it to a string ("1E+20", "-0" is "0", "NaN",
/// "Infinity", "-Infinity", integers without a fraction).
std::string FormatNumber(double d);

/// GitHub's `==` (loose: strings case-insensitive, mixed kinds compared as numbers).
bool LooseEquals(const Value& a, const Value& b);

// ---------------------------------------------------------------------------------------------
// What a key may use

/// A function a key may call beyond the always-available ones (contains, startsWith, endsWith,
/// format, join, toJSON, fromJSON, case): success, failure, cancelled, always, hashFiles.
struct FunctionSpec {
  std::string name;  // as written in GitHub's schema ("hashFiles"); matched case-insensitively
  int min_args = 0;
  int max_args = 0;  // kUnlimited for "MAX"
  static constexpr int kUnlimited = 1 << 30;
};

/// The named values (contexts) and extra functions an expression may use. Any other name is a
/// parse error ("Unrecognized named-value: 'secrets'", "Unrecognized function: 'foo'").
struct Allowed {
  std::vector<std::string> contexts;  // matched case-insensitively
  std::vector<FunctionSpec> functions;

  /// Parses the context list of GitHub's workflow schema: names ("github", "needs") and function
  /// specs ("hashFiles(1,255)", "success(0,MAX)").
  static Allowed FromSchema(std::span<const std::string_view> entries);
};

// ---------------------------------------------------------------------------------------------
// Errors

enum class ErrorKind : uint8_t { kLexing, kParsing, kEvaluation };

/// "lexing", "parsing", "evaluation" (as in the official vectors).
std::string_view ErrorKindName(ErrorKind kind);

/// The kind of an error Status returned by this module (parse errors are lexing or parsing,
/// Evaluate's are evaluation); nullopt for a Status that did not come from here. The kind is
/// the code: lexing MALFORMED_REQUEST, parsing INVALID_PARAMETER_VALUE, evaluation BAD_REQUEST.
/// Messages read "<what>. Located at position <1-based column> within expression: <expr>".
std::optional<ErrorKind> KindOf(const Status& status);

// ---------------------------------------------------------------------------------------------
// Evaluation

/// The contexts an evaluation sees, by case-insensitive name.
class Contexts {
 public:
  void Set(std::string name, Value value);
  /// Null when absent.
  const Value* Find(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, Value>> values_;
};

/// Runtime functions, provided by whoever runs the expression (the runner). When one is absent
/// and the expression calls it, Evaluate fails with an evaluation error naming the function.
struct Runtime {
  /// success(), failure(), cancelled(), always(): `args` are the job ids given (job level).
  std::function<Result<bool>(std::string_view function, std::span<const Value> args)> status;
  /// hashFiles(patterns...): the hex digest, or '' when nothing matches.
  std::function<Result<std::string>(std::span<const std::string> patterns)> hash_files;
};

struct EvalOptions {
  const Contexts* contexts = nullptr;  // null: no context has a value (every name reads null)
  const Runtime* runtime = nullptr;
};

/// A parsed expression. Cheap to copy (the tree is shared).
class Expression {
 public:
  /// Parses `text` (the inside of `${{ }}`, without the braces). Errors are lexing or parsing
  /// errors with GitHub's messages and the 1-based position.
  static Result<Expression> Parse(std::string_view text, const Allowed& allowed);

  Result<Value> Evaluate(const EvalOptions& options) const;

  /// The text as parsed.
  const std::string& text() const;
  /// Calls success(), failure(), cancelled() or always() anywhere in the tree (not in strings).
  bool UsesStatusFunction() const;
  /// The context names it reads, lower-cased, in first-use order (for lints and `explain`).
  std::vector<std::string> ContextsUsed() const;

 private:
  struct Tree;
  std::shared_ptr<const Tree> tree_;
  std::string text_;
};

/// A string value of a workflow key: literal text with `${{ }}` pieces. A value that is exactly
/// one `${{ x }}` (surrounding whitespace allowed) evaluates to x's value of any kind; anything
/// else evaluates to a string, as GitHub's rewrite to format('text {0}', x) does.
class Template {
 public:
  /// An unclosed `${{` is a parsing error; each piece's errors are reported with its position.
  static Result<Template> Parse(std::string_view text, const Allowed& allowed);

  Result<Value> Evaluate(const EvalOptions& options) const;
  /// Evaluate() converted with ToString() (what env and run see).
  Result<std::string> EvaluateString(const EvalOptions& options) const;

  /// No `${{ }}` at all: Evaluate gives the text.
  bool is_literal() const;
  const std::string& text() const;
  std::vector<std::string> ContextsUsed() const;

 private:
  struct Piece {
    std::string literal;             // text before the expression
    std::optional<Expression> expr;  // absent for trailing text
  };
  std::vector<Piece> pieces_;
  std::string text_;
  bool single_expression_ = false;
};

/// An `if:` condition: `text` with or without `${{ }}` is an expression; a value that is not a
/// single `${{ }}` but contains one becomes format(...) (always truthy when non-empty, as on
/// GitHub); without a status function it is rewritten to `success() && (<expr>)`.
class Condition {
 public:
  /// Empty text means `success()`.
  static Result<Condition> Parse(std::string_view text, const Allowed& allowed);

  const Expression& expression() const { return expr_; }
  /// The rewritten text GitHub shows ("success() && (github.ref == 'refs/heads/main')").
  const std::string& text() const { return expr_.text(); }
  /// Evaluates and returns Truthy().
  Result<bool> Evaluate(const EvalOptions& options) const;

 private:
  Expression expr_;
};

}  // namespace cairn::expr
