// WithRetries: exponential backoff with jitter for transient failures and responses.
#include <algorithm>
#include <random>
#include <thread>

#include "core/strings.h"
#include "net/net.h"

namespace cairn::net {
namespace {

// Jitter only spreads clients apart; it needs no seeding from Env.
double Random01() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// Retry-After in seconds (the HTTP-date form is not used by the servers we talk to).
std::optional<std::chrono::milliseconds> RetryAfter(const Response& response) {
  std::optional<std::string_view> value = response.Header("retry-after");
  if (!value) return std::nullopt;
  std::optional<int64_t> seconds = core::ParseInt64(core::Trim(*value));
  if (!seconds || *seconds < 0 || *seconds > 24 * 3600) return std::nullopt;
  return std::chrono::milliseconds(*seconds * 1000);
}

}  // namespace

bool IsTransientHttpStatus(int status) {
  switch (status) {
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return true;
    default:
      return false;
  }
}

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt, double random01) {
  double cap = static_cast<double>(policy.max_backoff.count());
  double delay = static_cast<double>(policy.initial_backoff.count());
  for (int i = 1; i < attempt && delay < cap; ++i) delay *= 2;
  delay = std::min(delay, cap);
  random01 = std::clamp(random01, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(delay / 2 + random01 * delay / 2));
}

Result<Response> WithRetries(const RetryPolicy& policy,
                             const std::function<Result<Response>(int attempt)>& attempt,
                             int* attempts) {
  int max_attempts = std::max(1, policy.max_attempts);
  for (int n = 1;; ++n) {
    Result<Response> outcome = attempt(n);
    if (attempts != nullptr) *attempts = n;
    bool transient;
    std::optional<std::chrono::milliseconds> retry_after;
    if (outcome.ok()) {
      transient =
          policy.retry_on ? policy.retry_on(*outcome) : IsTransientHttpStatus(outcome->status);
      if (transient) retry_after = RetryAfter(*outcome);
    } else {
      transient = outcome.status().code() == core::Code::kTemporarilyUnavailable;
    }
    if (!transient) return outcome;
    if (n >= max_attempts) {
      if (outcome.ok() || n == 1) return outcome;
      return Status(outcome.status().code(), outcome.status().message() + " (gave up after " +
                                                 std::to_string(n) + " attempts)");
    }
    std::chrono::milliseconds delay = BackoffDelay(policy, n, Random01());
    if (retry_after) delay = std::min(std::max(delay, *retry_after), policy.max_backoff);
    if (policy.sleep) {
      policy.sleep(delay);
    } else {
      std::this_thread::sleep_for(delay);
    }
  }
}

Result<Response> SendWithRetries(HttpClient& client, const Request& request,
                                 const RetryPolicy& policy) {
  return WithRetries(policy, [&](int) { return client.Send(request); });
}

}  // namespace cairn::net
