// Error construction and KindOf. A Status carries no payload, so the kind of every error this
// module creates is remembered by message in a bounded registry (guarded by a mutex, so
// thread-safe); a positioned message that is no longer remembered is classified by lexing the
// expression it quotes again.
#include <mutex>
#include <string>
#include <unordered_map>

#include "expr/internal.h"

namespace cairn::expr {

namespace {

constexpr size_t kRegistryLimit = 1 << 16;

struct Registry {
  std::mutex mu;
  std::unordered_map<std::string, ErrorKind> kinds;
};

Registry& GetRegistry() {
  static Registry* registry = new Registry();
  return *registry;
}

constexpr std::string_view kLocated = ". Located at position ";
constexpr std::string_view kWithin = " within expression: ";

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
  if (status.ok() || !status.IsInvalidArgument()) return std::nullopt;
  const std::string& message = status.message();
  {
    Registry& r = GetRegistry();
    std::lock_guard<std::mutex> lock(r.mu);
    auto it = r.kinds.find(message);
    if (it != r.kinds.end()) return it->second;
  }
  size_t located = message.find(kLocated);
  if (located == std::string::npos) return std::nullopt;
  size_t within = message.find(kWithin, located);
  if (within == std::string::npos) return std::nullopt;
  std::string_view expr = std::string_view(message).substr(within + kWithin.size());
  return internal::Lex(expr).ok() ? ErrorKind::kParsing : ErrorKind::kLexing;
}

namespace internal {

Status MakeError(ErrorKind kind, std::string message) {
  Registry& r = GetRegistry();
  {
    std::lock_guard<std::mutex> lock(r.mu);
    if (r.kinds.size() >= kRegistryLimit) r.kinds.clear();
    r.kinds[message] = kind;
  }
  return Status::InvalidArgument(std::move(message));
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
