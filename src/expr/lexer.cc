// The lexer: GitHub's tokens, boundaries and "Unexpected symbol" lexing errors (numbers are
// read up to a boundary and must parse as JS Number(); identifiers allow letters, digits, '_'
// and '-'; strings are single-quoted with '' escapes). Pure function; thread-safe.
#include <cmath>
#include <string>

#include "expr/internal.h"

namespace cairn::expr::internal {

namespace {

constexpr size_t kMaxLength = 21000;

class Lexer {
 public:
  explicit Lexer(std::string_view input) : in_(input) {}

  Result<std::vector<Token>> Run() {
    if (Position(in_, in_.size()) - 1 > kMaxLength) {
      return MakeError(ErrorKind::kParsing,
                       "Exceeded max expression length " + std::to_string(kMaxLength));
    }
    while (offset_ < in_.size()) {
      start_ = offset_;
      char c = in_[offset_++];
      switch (c) {
        case '(':
          Add(TokenType::kLeftParen);
          break;
        case ')':
          Add(TokenType::kRightParen);
          break;
        case '[':
          Add(TokenType::kLeftBracket);
          break;
        case ']':
          Add(TokenType::kRightBracket);
          break;
        case ',':
          Add(TokenType::kComma);
          break;
        case '.': {
          TokenType p = Previous();
          if (p != TokenType::kIdentifier && p != TokenType::kRightBracket &&
              p != TokenType::kRightParen && p != TokenType::kStar) {
            CAIRN_RETURN_IF_ERROR(Number());
          } else {
            Add(TokenType::kDot);
          }
          break;
        }
        case '-':
        case '+':
          CAIRN_RETURN_IF_ERROR(Number());
          break;
        case '!':
          Add(Match('=') ? TokenType::kBangEqual : TokenType::kBang);
          break;
        case '=':
          if (!Match('=')) {
            CAIRN_RETURN_IF_ERROR(Identifier());
          } else {
            Add(TokenType::kEqualEqual);
          }
          break;
        case '<':
          Add(Match('=') ? TokenType::kLessEqual : TokenType::kLess);
          break;
        case '>':
          Add(Match('=') ? TokenType::kGreaterEqual : TokenType::kGreater);
          break;
        case '&':
          if (!Match('&')) {
            CAIRN_RETURN_IF_ERROR(Identifier());
          } else {
            Add(TokenType::kAnd);
          }
          break;
        case '|':
          if (!Match('|')) {
            CAIRN_RETURN_IF_ERROR(Identifier());
          } else {
            Add(TokenType::kOr);
          }
          break;
        case '*':
          Add(TokenType::kStar);
          break;
        case ' ':
        case '\r':
        case '\t':
        case '\n':
          break;
        case '\'':
          CAIRN_RETURN_IF_ERROR(String());
          break;
        default:
          if (c >= '0' && c <= '9') {
            CAIRN_RETURN_IF_ERROR(Number());
          } else {
            // A multi-byte character is one symbol: take its continuation bytes too.
            while (offset_ < in_.size() &&
                   (static_cast<unsigned char>(in_[offset_]) & 0xC0) == 0x80) {
              ++offset_;
            }
            CAIRN_RETURN_IF_ERROR(Identifier());
          }
      }
    }
    Token eof;
    eof.type = TokenType::kEof;
    eof.start = start_;
    tokens_.push_back(std::move(eof));
    return std::move(tokens_);
  }

 private:
  TokenType Previous() const { return tokens_.empty() ? TokenType::kEof : tokens_.back().type; }

  bool Match(char expected) {
    if (offset_ >= in_.size() || in_[offset_] != expected) return false;
    ++offset_;
    return true;
  }

  bool BoundaryAt(size_t i) const {
    switch (in_[i]) {
      case '(':
      case '[':
      case ')':
      case ']':
      case ',':
      case '.':
      case '!':
      case '>':
      case '<':
      case '=':
      case '&':
      case '|':
        return true;
      default:
        return WhitespaceAt(in_, i) > 0;
    }
  }

  Token& Add(TokenType type) {
    Token t;
    t.type = type;
    t.start = start_;
    t.lexeme = std::string(in_.substr(start_, offset_ - start_));
    tokens_.push_back(std::move(t));
    return tokens_.back();
  }

  Status Unexpected(std::string_view lexeme) {
    return LocatedError(ErrorKind::kLexing, "Unexpected symbol", lexeme, start_, in_);
  }

  Status Number() {
    while (offset_ < in_.size() && (!BoundaryAt(offset_) || in_[offset_] == '.')) ++offset_;
    std::string_view lexeme = in_.substr(start_, offset_ - start_);
    double value = JsNumber(lexeme);
    if (std::isnan(value)) return Unexpected(lexeme);
    Add(TokenType::kNumber).number = value;
    return Status::Ok();
  }

  Status String() {
    while (offset_ < in_.size() &&
           (in_[offset_] != '\'' || (offset_ + 1 < in_.size() && in_[offset_ + 1] == '\''))) {
      if (in_[offset_] == '\'') ++offset_;  // an escaped quote: take both
      ++offset_;
    }
    if (offset_ >= in_.size()) return Unexpected(in_.substr(start_));
    ++offset_;  // the closing quote
    std::string_view raw = in_.substr(start_ + 1, offset_ - start_ - 2);
    std::string value;
    value.reserve(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
      value += raw[i];
      if (raw[i] == '\'' && i + 1 < raw.size() && raw[i + 1] == '\'') ++i;
    }
    Add(TokenType::kString).text = std::move(value);
    return Status::Ok();
  }

  static bool Legal(std::string_view s) {
    if (s.empty()) return false;
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (!alpha(s[0]) && s[0] != '_') return false;
    for (char c : s.substr(1)) {
      if (!alpha(c) && !(c >= '0' && c <= '9') && c != '_' && c != '-') return false;
    }
    return true;
  }

  Status Identifier() {
    while (offset_ < in_.size() && !BoundaryAt(offset_)) ++offset_;
    std::string_view lexeme = in_.substr(start_, offset_ - start_);
    TokenType type = TokenType::kIdentifier;
    double number = 0;
    if (Previous() != TokenType::kDot) {
      if (lexeme == "true") {
        type = TokenType::kTrue;
      } else if (lexeme == "false") {
        type = TokenType::kFalse;
      } else if (lexeme == "null") {
        type = TokenType::kNull;
      } else if (lexeme == "NaN") {
        type = TokenType::kNumber;
        number = NAN;
      } else if (lexeme == "Infinity") {
        type = TokenType::kNumber;
        number = INFINITY;
      }
    }
    if (!Legal(lexeme)) return Unexpected(lexeme);
    Add(type).number = number;
    return Status::Ok();
  }

  std::string_view in_;
  size_t start_ = 0;
  size_t offset_ = 0;
  std::vector<Token> tokens_;
};

}  // namespace

Result<std::vector<Token>> Lex(std::string_view text) { return Lexer(text).Run(); }

}  // namespace cairn::expr::internal
