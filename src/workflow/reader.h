// workflow/reader.h (module-private): checks a loaded YAML tree against the workflow schema
// (workflow/schema.h) as GitHub's template reader does: unknown and missing keys, wrong kinds,
// constants, `${{ }}` expressions (closed, parseable, using only the contexts and functions
// the key allows, and only where the key allows expressions). It records, for every node it
// visits, the contexts an expression there may use, for the model builder.
//
// A Reader is used by one thread; it borrows the tree, which must outlive it.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/value.h"
#include "expr/expr.h"
#include "workflow/parse.h"
#include "workflow/schema.h"

namespace cairn::workflow {

/// Errors collected while reading one or more files.
class ErrorList {
 public:
  void Add(const core::Location& location, std::string message);
  /// Each line of `status`'s message ("file:line:col: message" or just a message).
  void AddStatus(const core::Status& status);
  const std::vector<ParseError>& errors() const { return errors_; }
  size_t size() const { return errors_.size(); }
  bool empty() const { return errors_.empty(); }

 private:
  std::vector<ParseError> errors_;
};

/// The allowed contexts of a node, as the schema entries ("github", "hashFiles(1,255)").
using ContextList = std::vector<std::string_view>;

/// The text of a scalar as the schema reader sees it ("" for null, the raw text of numbers and
/// booleans).
std::string ScalarText(const core::Value& node);

/// Trims whitespace as JavaScript's trim() does (Unicode spaces included).
std::string_view TrimUnicode(std::string_view s);

/// expr::Allowed for a context list.
expr::Allowed ToAllowed(const ContextList& contexts);

/// One `${{ }}` piece of a string.
struct ExpressionPiece {
  std::string text;   // trimmed inside of the braces
  size_t offset = 0;  // where `${{` starts in the string
};

class Reader {
 public:
  Reader(ErrorList* errors, bool allow_background_steps)
      : errors_(errors), allow_background_steps_(allow_background_steps) {}

  /// Reads `node` as the definition `type` (for a whole file: "workflow-root").
  void Read(const core::Value& node, std::string_view type);

  /// The contexts recorded for `node` (empty when it was not visited or allows none).
  const ContextList& ContextsOf(const core::Value& node) const;

 private:
  struct Info {
    const schema::Definition* def = nullptr;
    ContextList contexts;
  };
  // What a scalar turned out to be.
  enum class ScalarKind { kLiteral, kExpression, kError };
  struct Scalar {
    ScalarKind kind = ScalarKind::kLiteral;
    std::string literal;  // kLiteral from a `${{ 'text' }}` string: the text
    bool from_expression = false;
  };

  Info Child(const Info& parent, std::string_view type) const;
  void ReadValue(const core::Value& node, const Info& info);
  Scalar ParseScalar(const core::Value& node, std::string_view text, const core::Location& location,
                     const Info& info);
  void Validate(const core::Value& node, const Scalar& scalar, const core::Location& location,
                const Info& info);
  void ValidateKey(std::string_view key, const core::Location& location, const Info& info);
  void ReadMapping(const core::Value& node, const Info& info,
                   std::vector<const schema::Definition*> defs);
  void ReadLooseMapping(const core::Value& node, const Info& info, const schema::Definition& def);
  bool IsExpressionKey(const core::Member& member, const Info& info, bool* error);

  ErrorList* errors_;
  bool allow_background_steps_;
  std::unordered_map<const core::Value*, ContextList> contexts_;
};

/// Splits a string into its `${{ }}` pieces as GitHub does (a `}}` inside a '...' literal does
/// not close). Returns false, with `error` set, for an unclosed expression.
bool SplitExpressions(std::string_view text, std::vector<ExpressionPiece>* pieces,
                      std::string* error);

/// GitHub's message for an unknown context or function (from expr), plus the contexts or
/// functions `allowed` here; other messages unchanged.
std::string WithAvailable(const std::string& message, const expr::Allowed& allowed);

}  // namespace cairn::workflow
