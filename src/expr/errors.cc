// Error construction and KindOf. The kind of an error is its Status code: lexing errors are
// MALFORMED_REQUEST, parsing errors INVALID_PARAMETER_VALUE, evaluation errors BAD_REQUEST (all
// three are "bad input" to the CLI, exit 2). Stateless, so thread-safe.
#include <string>

#include "expr/internal.h"

namespace cairn::expr {

namespace {

constexpr std::string_view kLocated = ". Located at position ";
constexpr std::string_view kWithin = " within expression: ";

// Parse errors without a position (GitHub's wording).
constexpr std::string_view kUnpositionedParseErrors[] = {
    "Exceeded max expression length ",
    "The expression is not closed.",
};

}  // namespace
std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kLexing:
      return "lexing";
    case ErrorKind::kParsing:
      return "parsing";
    case ErrorKind::kEvaluation:
      return "evaluation";
  }
  return "evaluation";
}

std::optional<ErrorKind> KindOf(const Status& status) {
  switch (status.code()) {
    case core::Code::kMalformedRequest:
      return ErrorKind::kLexing;
    case core::Code::kBadRequest:
      return ErrorKind::kEvaluation;
    case core::Code::kInvalidParameterValue:
      break;
    default:
      return std::nullopt;
  }
  const std::string& message = status.message();
  if (message.find(kLocated) != std::string::npos) return ErrorKind::kParsing;
  for (std::string_view prefix : kUnpositionedParseErrors) {
    if (message.starts_with(prefix)) return ErrorKind::kParsing;
  }
  return std::nullopt;
}

namespace internal {

Status MakeError(ErrorKind kind, std::string message) {
  switch (kind) {
    case ErrorKind::kLexing:
      return Status(core::Code::kMalformedRequest, std::move(message));
    case ErrorKind::kParsing:
      return Status::InvalidArgument(std::move(message));
    case ErrorKind::kEvaluation:
      break;
  }
  return Status(core::Code::kBadRequest, std::move(message));
}

Status LocatedError(ErrorKind kind, std::string_view what, std::string_view token,
                    size_t byte_offset, std::string_view expr) {
  std::string message(what);
  message += ": '";
  message += token;
  message += "'";
  message += kLocated;
  message += std::to_string(Position(expr, byte_offset));
  message += kWithin;
  message += expr;
  return MakeError(kind, std::move(message));
}

}  // namespace internal
}  // namespace cairn::expr
