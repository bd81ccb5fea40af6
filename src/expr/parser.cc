// The parser: recursive descent over the tokens, with GitHub's precedence (|| < && < == != <
// < <= > >= < ! < index/property/call), its depth limit (50, counted as GitHub counts it) and
// its messages. Recursion is bounded by the depth limit (operator chains loop). Thread-safe.
#include <algorithm>
#include <string>

#include "expr/internal.h"

namespace cairn::expr::internal {

namespace {

constexpr int kMaxDepth = 50;

enum class ErrorType {
  kUnexpectedSymbol,
  kUnexpectedEnd,
  kUnrecognizedNamedValue,
  kExceededMaxDepth,
  kTooFewParameters,
  kTooManyParameters,
  kEvenParameters,
  kUnrecognizedFunction,
};

std::string Description(ErrorType type) {
  switch (type) {
    case ErrorType::kUnexpectedSymbol:
      return "Unexpected symbol";
    case ErrorType::kUnexpectedEnd:
      return "Unexpected end of expression";
    case ErrorType::kUnrecognizedNamedValue:
      return "Unrecognized named-value";
    case ErrorType::kExceededMaxDepth:
      return "Exceeded max expression depth " + std::to_string(kMaxDepth);
    case ErrorType::kTooFewParameters:
      return "Too few parameters supplied";
    case ErrorType::kTooManyParameters:
      return "Too many parameters supplied";
    case ErrorType::kEvenParameters:
      return "Even number of parameters supplied, requires an odd number of parameters";
    case ErrorType::kUnrecognizedFunction:
      return "Unrecognized function";
  }
  return "Unknown error";
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::shared_ptr<Node> Make(NodeType type, std::vector<NodePtr> kids = {}) {
  auto n = std::make_shared<Node>();
  n->type = type;
  n->kids = std::move(kids);
  return n;
}

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens, const Allowed& allowed)
      : text_(text), tokens_(std::move(tokens)), allowed_(allowed) {}

  Result<NodePtr> Run() {
    if (AtEnd()) return NodePtr();
    CAIRN_ASSIGN_OR_RETURN(NodePtr root, Expression());
    if (!AtEnd()) return Error(ErrorType::kUnexpectedSymbol, Peek());
    return root;
  }

 private:
  Status Error(ErrorType type, const Token& token) {
    std::string shown;
    switch (token.type) {
      case TokenType::kEof:
        shown = "EOF";
        break;
      case TokenType::kString:
        shown = token.text;
        break;
      default:
        shown = token.lexeme;
    }
    return LocatedError(ErrorKind::kParsing, Description(type), shown, token.start, text_);
  }

  Status IncrDepth() {
    if (++depth_ > kMaxDepth) return Error(ErrorType::kExceededMaxDepth, Peek());
    return Status::Ok();
  }

  Result<NodePtr> Expression() {
    CAIRN_RETURN_IF_ERROR(IncrDepth());
    auto r = LogicalOr();
    --depth_;
    return r;
  }

  Result<NodePtr> Logical(TokenType op, NodeType type, bool or_level) {
    CAIRN_ASSIGN_OR_RETURN(NodePtr expr, or_level ? LogicalAnd() : Equality());
    if (!Check(op)) return expr;
    CAIRN_RETURN_IF_ERROR(IncrDepth());
    std::vector<NodePtr> args{expr};
    while (Match(op)) {
      auto right = or_level ? LogicalAnd() : Equality();
      if (!right.ok()) return right.status();
      args.push_back(std::move(*right));
    }
    --depth_;
    return Make(type, std::move(args));
  }

  Result<NodePtr> LogicalOr() { return Logical(TokenType::kOr, NodeType::kOr, true); }
  Result<NodePtr> LogicalAnd() { return Logical(TokenType::kAnd, NodeType::kAnd, false); }

  Result<NodePtr> Equality() {
    CAIRN_ASSIGN_OR_RETURN(NodePtr expr, Comparison());
    while (Match(TokenType::kBangEqual) || Match(TokenType::kEqualEqual)) {
      TokenType op = Previous().type;
      CAIRN_ASSIGN_OR_RETURN(NodePtr right, Comparison());
      auto n = Make(NodeType::kBinary, {expr, right});
      n->op = op;
      expr = n;
    }
    return expr;
  }

  Result<NodePtr> Comparison() {
    CAIRN_ASSIGN_OR_RETURN(NodePtr expr, Unary());
    while (Match(TokenType::kGreater) || Match(TokenType::kGreaterEqual) ||
           Match(TokenType::kLess) || Match(TokenType::kLessEqual)) {
      TokenType op = Previous().type;
      CAIRN_ASSIGN_OR_RETURN(NodePtr right, Unary());
      auto n = Make(NodeType::kBinary, {expr, right});
      n->op = op;
      expr = n;
    }
    return expr;
  }

  Result<NodePtr> Unary() {
    if (Match(TokenType::kBang)) {
      CAIRN_RETURN_IF_ERROR(IncrDepth());
      CAIRN_ASSIGN_OR_RETURN(NodePtr operand, Unary());
      --depth_;
      return Make(NodeType::kNot, {operand});
    }
    return Index();
  }

  Result<NodePtr> Index() {
    bool accessible = false;
    CAIRN_ASSIGN_OR_RETURN(NodePtr expr, Call(accessible));
    if (!accessible) return expr;
    int increased = 0;
    for (;;) {
      if (Match(TokenType::kLeftBracket)) {
        NodePtr index;
        bool star = Match(TokenType::kStar);
        if (!star) {
          CAIRN_ASSIGN_OR_RETURN(index, Expression());
        }
        if (!Check(TokenType::kRightBracket)) return Error(ErrorType::kUnexpectedSymbol, Peek());
        Next();
        ++increased;
        CAIRN_RETURN_IF_ERROR(IncrDepth());
        auto n = Make(NodeType::kIndex,
                      star ? std::vector<NodePtr>{expr} : std::vector<NodePtr>{expr, index});
        n->star = star;
        expr = n;
      } else if (Match(TokenType::kDot)) {
        ++increased;
        CAIRN_RETURN_IF_ERROR(IncrDepth());
        if (Match(TokenType::kIdentifier)) {
          auto key = Make(NodeType::kLiteral);
          key->literal = Value::String(Previous().lexeme);
          expr = Make(NodeType::kIndex, {expr, NodePtr(key)});
        } else if (Match(TokenType::kStar)) {
          auto n = Make(NodeType::kIndex, {expr});
          n->star = true;
          expr = n;
        } else {
          return Error(ErrorType::kUnexpectedSymbol, Peek());
        }
      } else {
        break;
      }
    }
    depth_ -= increased;
    return expr;
  }

  bool ContextAllowed(std::string_view name) const {
    return std::any_of(allowed_.contexts.begin(), allowed_.contexts.end(),
                       [&](const std::string& c) { return EqualsIgnoreCase(c, name); });
  }

  Result<NodePtr> Call(bool& accessible) {
    if (!Check(TokenType::kIdentifier)) return Primary(accessible);
    const Token& identifier = Next();
    if (!Match(TokenType::kLeftParen)) {
      if (!ContextAllowed(identifier.lexeme)) {
        return Error(ErrorType::kUnrecognizedNamedValue, identifier);
      }
      accessible = true;
      auto n = Make(NodeType::kContext);
      n->name = identifier.lexeme;
      return NodePtr(n);
    }
    std::vector<NodePtr> args;
    while (!Match(TokenType::kRightParen)) {
      CAIRN_ASSIGN_OR_RETURN(NodePtr arg, Expression());
      args.push_back(std::move(arg));
      if (!Check(TokenType::kRightParen)) {
        if (!Check(TokenType::kComma)) return Error(ErrorType::kUnexpectedSymbol, Peek());
        Next();
      }
    }
    std::string name = Lower(identifier.lexeme);
    int min_args = 0, max_args = 0;
    if (!BuiltinArity(name, min_args, max_args)) {
      auto it = std::find_if(allowed_.functions.begin(), allowed_.functions.end(),
                             [&](const FunctionSpec& f) { return EqualsIgnoreCase(f.name, name); });
      if (it == allowed_.functions.end()) {
        return Error(ErrorType::kUnrecognizedFunction, identifier);
      }
      min_args = it->min_args;
      max_args = it->max_args;
    }
    int count = static_cast<int>(args.size());
    if (count < min_args) return Error(ErrorType::kTooFewParameters, identifier);
    if (count > max_args) return Error(ErrorType::kTooManyParameters, identifier);
    if (name == "case" && count % 2 == 0) return Error(ErrorType::kEvenParameters, identifier);
    accessible = true;
    auto n = Make(NodeType::kCall, std::move(args));
    n->name = std::move(name);
    return NodePtr(n);
  }

  Result<NodePtr> Primary(bool& accessible) {
    auto literal = [&](Value v) {
      auto n = Make(NodeType::kLiteral);
      n->literal = std::move(v);
      return NodePtr(n);
    };
    if (Match(TokenType::kFalse)) return literal(Value::Boolean(false));
    if (Match(TokenType::kTrue)) return literal(Value::Boolean(true));
    if (Match(TokenType::kNull)) return literal(Value::Null());
    if (Match(TokenType::kNumber)) return literal(Value::Number(Previous().number));
    if (Match(TokenType::kString)) return literal(Value::String(Previous().text));
    if (Match(TokenType::kLeftParen)) {
      CAIRN_ASSIGN_OR_RETURN(NodePtr inner, Expression());
      if (AtEnd()) return Error(ErrorType::kUnexpectedEnd, Previous());
      if (!Check(TokenType::kRightParen)) return Error(ErrorType::kUnexpectedSymbol, Peek());
      Next();
      accessible = true;
      return Make(NodeType::kGroup, {inner});
    }
    if (AtEnd()) return Error(ErrorType::kUnexpectedEnd, Previous());
    return Error(ErrorType::kUnexpectedSymbol, Peek());
  }

  bool AtEnd() const { return tokens_[offset_].type == TokenType::kEof; }
  bool Check(TokenType type) const { return !AtEnd() && tokens_[offset_].type == type; }
  bool Match(TokenType type) {
    if (!Check(type)) return false;
    ++offset_;
    return true;
  }
  const Token& Next() {
    if (!AtEnd()) ++offset_;
    return Previous();
  }
  const Token& Peek() const { return tokens_[offset_]; }
  const Token& Previous() const { return tokens_[offset_ == 0 ? 0 : offset_ - 1]; }

  std::string_view text_;
  std::vector<Token> tokens_;
  const Allowed& allowed_;
  size_t offset_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<NodePtr> ParseTree(std::string_view text, const Allowed& allowed) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(text));
  return Parser(text, std::move(tokens), allowed).Run();
}

}  // namespace cairn::expr::internal
