#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

#include "net/fake_http_server.h"
#include "net/net.h"

namespace cairn::net {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// A policy that records its waits instead of sleeping.
RetryPolicy Recording(std::vector<milliseconds>* waits, int max_attempts = 5) {
  RetryPolicy policy;
  policy.max_attempts = max_attempts;
  policy.initial_backoff = 100ms;
  policy.max_backoff = 1000ms;
  policy.sleep = [waits](milliseconds d) { waits->push_back(d); };
  return policy;
}

Response WithStatus(int status) {
  Response response;
  response.status = status;
  return response;
}

TEST(RetryTest, TransientStatuses) {
  for (int status : {408, 429, 500, 502, 503, 504}) EXPECT_TRUE(IsTransientHttpStatus(status));
  for (int status : {200, 204, 301, 400, 401, 403, 404, 409, 412, 501}) {
    EXPECT_FALSE(IsTransientHttpStatus(status)) << status;
  }
}

TEST(RetryTest, BackoffDoublesWithJitterUpToTheCap) {
  RetryPolicy policy;
  policy.initial_backoff = 100ms;
  policy.max_backoff = 1000ms;
  EXPECT_EQ(BackoffDelay(policy, 1, 0.0), 50ms);
  EXPECT_EQ(BackoffDelay(policy, 1, 0.999999), 99ms);
  EXPECT_EQ(BackoffDelay(policy, 2, 0.0), 100ms);
  EXPECT_EQ(BackoffDelay(policy, 3, 0.5), 300ms);
  EXPECT_EQ(BackoffDelay(policy, 4, 0.0), 400ms);
  EXPECT_EQ(BackoffDelay(policy, 5, 0.0), 500ms) << "capped at max_backoff";
  EXPECT_EQ(BackoffDelay(policy, 60, 1.0), 1000ms) << "no overflow";
}

TEST(RetryTest, RetriesTransientResponsesThenReturnsTheSuccess) {
  std::vector<milliseconds> waits;
  int calls = 0;
  int attempts = 0;
  Result<Response> result = WithRetries(
      Recording(&waits),
      [&](int n) -> Result<Response> {
        EXPECT_EQ(n, ++calls);
        return WithStatus(n < 3 ? 503 : 200);
      },
      &attempts);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(attempts, 3);
  ASSERT_EQ(waits.size(), 2u);
  EXPECT_GE(waits[0], 50ms);
  EXPECT_LE(waits[0], 100ms);
  EXPECT_GE(waits[1], 100ms);
  EXPECT_LE(waits[1], 200ms);
}

TEST(RetryTest, GivesUpAfterMaxAttemptsReturningTheLastResponse) {
  std::vector<milliseconds> waits;
  int attempts = 0;
  Result<Response> result = WithRetries(
      Recording(&waits, 3), [&](int) -> Result<Response> { return WithStatus(500); }, &attempts);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 500);
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(waits.size(), 2u);
}

TEST(RetryTest, DoesNotRetryAnswersThatWillNotChange) {
  std::vector<milliseconds> waits;
  int calls = 0;
  Result<Response> result = WithRetries(Recording(&waits), [&](int) -> Result<Response> {
    ++calls;
    return WithStatus(404);
  });
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(waits.empty());

  calls = 0;
  result = WithRetries(Recording(&waits), [&](int) -> Result<Response> {
    ++calls;
    return Status::PermissionDenied("no");
  });
  EXPECT_EQ(result.status(), Status::PermissionDenied("no"));
  EXPECT_EQ(calls, 1);
}

TEST(RetryTest, RetriesUnavailableAndSaysHowOftenItTried) {
  std::vector<milliseconds> waits;
  Result<Response> result = WithRetries(Recording(&waits, 4), [&](int) -> Result<Response> {
    return Status::Unavailable("cannot connect to h:1");
  });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), core::Code::kTemporarilyUnavailable);
  EXPECT_EQ(result.status().message(), "cannot connect to h:1 (gave up after 4 attempts)");
  EXPECT_EQ(waits.size(), 3u);

  // One attempt only: the message stays as it was.
  result = WithRetries(Recording(&waits, 1), [&](int) -> Result<Response> {
    return Status::Unavailable("cannot connect to h:1");
  });
  EXPECT_EQ(result.status().message(), "cannot connect to h:1");
}

TEST(RetryTest, HonorsRetryAfterUpToTheCap) {
  std::vector<milliseconds> waits;
  Result<Response> result = WithRetries(Recording(&waits), [&](int n) -> Result<Response> {
    Response response = WithStatus(n == 1 ? 429 : n == 2 ? 503 : 200);
    response.headers = {{"retry-after", n == 1 ? "0" : "60"}};
    return response;
  });
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(waits.size(), 2u);
  EXPECT_LE(waits[0], 100ms) << "a shorter Retry-After does not shorten the backoff";
  EXPECT_EQ(waits[1], 1000ms) << "a longer one is followed, up to max_backoff";
}

TEST(RetryTest, CustomTransientPredicate) {
  std::vector<milliseconds> waits;
  RetryPolicy policy = Recording(&waits);
  policy.retry_on = [](const Response& r) { return r.status == 400 && r.body == "RequestTimeout"; };
  int calls = 0;
  Result<Response> result = WithRetries(policy, [&](int) -> Result<Response> {
    Response response = WithStatus(++calls == 1 ? 400 : 503);
    response.body = "RequestTimeout";
    return response;
  });
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, 503) << "503 is not transient under this predicate";
  EXPECT_EQ(calls, 2);
}

TEST(RetryTest, SendWithRetriesAgainstAServer) {
  std::atomic<int> n{0};
  testing::FakeHttpServer server([&](const testing::FakeHttpServer::Received&) {
    testing::FakeHttpServer::Reply reply;
    reply.status = ++n < 3 ? 502 : 200;
    reply.body = "try " + std::to_string(n);
    return reply;
  });
  Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient();
  ASSERT_TRUE(client.ok());
  Request request;
  request.url = server.Url("/flaky");
  RetryPolicy policy;
  policy.initial_backoff = 1ms;
  Result<Response> response = SendWithRetries(**client, request, policy);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "try 3");
}

}  // namespace
}  // namespace cairn::net
