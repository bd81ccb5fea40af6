// Module-private pieces of expr shared by its files: tokens, the syntax tree, error
// construction (the kind is the Status code, see errors.cc), JS-compatible text helpers.
// Everything here is immutable after construction or a pure function; thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "expr/expr.h"

namespace cairn::expr {
namespace internal {

// ---- text helpers (text.cc)

/// The byte length of a JS whitespace character (/\s/) at `i`, or 0.
size_t WhitespaceAt(std::string_view s, size_t i);
/// JS String.prototype.trim.
std::string_view TrimJs(std::string_view s);
/// JS Number(string): trimmed, '' is 0, decimal/exponent, 0x/0o/0b, [+-]Infinity, else NaN.
double JsNumber(std::string_view s);
/// ASCII upper-casing (GitHub compares ordinal ignoring case).
std::string Upper(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
/// The 1-based position, in UTF-16 code units (as GitHub counts), of byte offset `byte`.
size_t Position(std::string_view text, size_t byte);

// ---- errors (errors.cc)

/// An error of `kind` (its Status code says which, for KindOf) with `message`.
Status MakeError(ErrorKind kind, std::string message);
/// "<what>: '<token>'. Located at position <pos> within expression: <expr>"
Status LocatedError(ErrorKind kind, std::string_view what, std::string_view token,
                    size_t byte_offset, std::string_view expr);

// ---- tokens (lexer.cc)

enum class TokenType : uint8_t {
  kLeftParen,
  kRightParen,
  kLeftBracket,
  kRightBracket,
  kComma,
  kDot,
  kBang,
  kBangEqual,
  kEqualEqual,
  kGreater,
  kGreaterEqual,
  kLess,
  kLessEqual,
  kAnd,
  kOr,
  kStar,
  kNumber,
  kString,
  kIdentifier,
  kTrue,
  kFalse,
  kNull,
  kEof,
};

struct Token {
  TokenType type = TokenType::kEof;
  size_t start = 0;    // byte offset
  std::string lexeme;  // as written
  double number = 0;   // kNumber
  std::string text;    // kString: the value, quotes removed and '' unescaped
};

Result<std::vector<Token>> Lex(std::string_view text);

// ---- tree (parser.cc, evaluate.cc)

enum class NodeType : uint8_t {
  kLiteral,
  kContext,
  kIndex,
  kCall,
  kNot,
  kBinary,
  kAnd,
  kOr,
  kGroup,
};

struct Node {
  NodeType type = NodeType::kLiteral;
  Value literal;                                  // kLiteral
  std::string name;                               // kContext: as written; kCall: lower-case
  TokenType op = TokenType::kEof;                 // kBinary
  bool star = false;                              // kIndex: `[*]` / `.*` (children[1] absent)
  std::vector<std::shared_ptr<const Node>> kids;  // operands, arguments, [object, index]
};

using NodePtr = std::shared_ptr<const Node>;

/// Parses the whole text (empty text gives a null tree: evaluates to null).
Result<NodePtr> ParseTree(std::string_view text, const Allowed& allowed);

Result<Value> EvaluateTree(const Node* root, const EvalOptions& options);

// ---- values (value.cc)

/// Access to Value internals the evaluator needs (the `*` filter's arrays).
struct Access {
  static Value FilteredArray(std::vector<Value> items);
  static bool IsFiltered(const Value& v);
  static bool IsPrimitive(const Value& v) { return v.kind() <= Kind::kString; }
};

bool GreaterThan(const Value& a, const Value& b);
bool LessThan(const Value& a, const Value& b);

// ---- functions (functions.cc)

/// Calls a built-in (lower-case `name`) or runtime function on evaluated arguments.
/// `memory` counts bytes of strings built so far (GitHub's 1 MB evaluation limit).
Result<Value> CallFunction(std::string_view name, std::span<const Value> args,
                           const EvalOptions& options, size_t& memory);

/// Built-ins: true and the arity when `lower_name` is one.
bool BuiltinArity(std::string_view lower_name, int& min_args, int& max_args);

bool IsStatusFunction(std::string_view name);

}  // namespace internal

struct Expression::Tree {
  internal::NodePtr root;  // null for the empty expression
};

}  // namespace cairn::expr
