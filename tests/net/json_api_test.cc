// JsonApiClient against a scripted server: how requests go on the wire (query strings, JSON
// bodies, auth headers, path prefixes), how failures come back (MLflow error JSON, plain HTTP
// errors, retries, refused connections), and that no credential reaches a message.
#include "net/json_api.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cmath>

#include "core/json.h"
#include "core/strings.h"
#include "net/fake_http_server.h"

namespace cairn::net {
namespace {

using Reply = testing::FakeHttpServer::Reply;
using Received = testing::FakeHttpServer::Received;

JsonApiOptions Fast(JsonApiOptions options = {}) {
  options.retry.max_attempts = 3;
  options.retry.sleep = [](std::chrono::milliseconds) {};
  return options;
}

std::unique_ptr<JsonApiClient> Client(const std::string& url, JsonApiOptions options = {}) {
  Result<core::Uri> uri = core::Uri::Parse(url);
  EXPECT_TRUE(uri.ok()) << uri.status().ToString();
  Result<std::unique_ptr<JsonApiClient>> client = JsonApiClient::Open(*uri, Fast(options));
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(client).value();
}

Reply Json(int status, std::string body) {
  Reply reply;
  reply.status = status;
  reply.headers.emplace_back("Content-Type", "application/json");
  reply.body = std::move(body);
  return reply;
}

// A loopback port nobody listens on.
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(JsonApiTest, GetSendsFieldsInTheQueryWithRepeatedNamesForArrays) {
  testing::FakeHttpServer server([](const Received&) { return Json(200, R"({"a": 1})"); });
  auto client = Client(server.Url(""));
  Result<core::Value> answer = client->Get(
      "/api/2.0/mlflow/x", {{"name", "a b&c=d/é"}, {"stages", "Staging"}, {"stages", "None"}});
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->Find("a")->AsInt64(), 1);
  std::vector<Received> got = server.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].method, "GET");
  EXPECT_EQ(got[0].target,
            "/api/2.0/mlflow/x?name=a%20b%26c%3Dd%2F%C3%A9&stages=Staging&stages=None");
  EXPECT_EQ(got[0].Header("authorization"), "");
}

TEST(JsonApiTest, PostSendsAJsonBodyAndAnEmptyAnswerIsAnEmptyObject) {
  testing::FakeHttpServer server([](const Received&) { return Reply{}; });
  auto client = Client(server.Url(""));
  core::Value body = core::Value::Mapping();
  body.Set("name", core::Value::String("exp"));
  body.Set("max_results", core::Value::Int(5));
  Result<core::Value> answer = client->Send("POST", "/api/2.0/mlflow/experiments/create", body);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_TRUE(answer->is_mapping());
  EXPECT_EQ(answer->size(), 0u);
  std::vector<Received> got = server.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].target, "/api/2.0/mlflow/experiments/create");
  EXPECT_EQ(got[0].Header("content-type"), "application/json");
  EXPECT_EQ(got[0].body, R"({"name":"exp","max_results":5})");
}

TEST(JsonApiTest, PathPrefixOfTheUriIsKept) {
  testing::FakeHttpServer server([](const Received&) { return Json(200, "{}"); });
  auto client = Client(server.Url("/mlflow/"));
  EXPECT_EQ(client->base_url(), server.Url("/mlflow"));
  ASSERT_TRUE(client->Get("/api/2.0/mlflow/runs/get", {{"run_id", "r"}}).ok());
  ASSERT_TRUE(
      client->Send("DELETE", "/api/2.0/mlflow/registered-models/delete", core::Value::Mapping())
          .ok());
  std::vector<Received> got = server.requests();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].target, "/mlflow/api/2.0/mlflow/runs/get?run_id=r");
  EXPECT_EQ(got[1].method, "DELETE");
  EXPECT_EQ(got[1].body, "{}");
}

TEST(JsonApiTest, MlflowErrorBodyGivesItsCodeAndMessage) {
  testing::FakeHttpServer server([](const Received&) {
    return Json(404, R"({"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Run with id=nope )"
                     R"(not found"})");
  });
  auto client = Client(server.Url(""));
  Result<core::Value> answer = client->Get("/api/2.0/mlflow/runs/get", {{"run_id", "nope"}});
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), core::Code::kResourceDoesNotExist);
  EXPECT_EQ(answer.status().message(), "Run with id=nope not found");
  // A 400 RESOURCE_ALREADY_EXISTS keeps its code (not BAD_REQUEST from the status).
  testing::FakeHttpServer exists([](const Received&) {
    return Json(400, R"({"error_code": "RESOURCE_ALREADY_EXISTS", "message": "taken"})");
  });
  answer = Client(exists.Url(""))->Send("POST", "/x", core::Value::Mapping());
  EXPECT_EQ(answer.status().code(), core::Code::kResourceAlreadyExists);
  EXPECT_EQ(exists.requests().size(), 1u) << "400 is not retried";
}

TEST(JsonApiTest, HtmlNotFoundIsEndpointNotFoundNamingMethodUrlAndStatus) {
  testing::FakeHttpServer server([](const Received&) {
    Reply reply;
    reply.status = 404;
    reply.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
    reply.body = "<!doctype html>\n<html><title>404 Not Found</title><h1>Not Found</h1></html>";
    return reply;
  });
  auto client = Client(server.Url(""));
  Result<core::Value> answer = client->Get("/api/2.0/mlflow/nothing", {{"q", "secret-query"}});
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), core::Code::kEndpointNotFound);
  EXPECT_EQ(answer.status().message(), "GET " + server.Url("/api/2.0/mlflow/nothing") +
                                           ": HTTP 404 Not Found; is " + server.Url("") +
                                           " an MLflow server?");
}

TEST(JsonApiTest, NonJsonErrorsMapByStatus) {
  EXPECT_EQ(CodeFromHttpStatus(400), core::Code::kBadRequest);
  EXPECT_EQ(CodeFromHttpStatus(401), core::Code::kUnauthenticated);
  EXPECT_EQ(CodeFromHttpStatus(403), core::Code::kPermissionDenied);
  EXPECT_EQ(CodeFromHttpStatus(404), core::Code::kEndpointNotFound);
  EXPECT_EQ(CodeFromHttpStatus(429), core::Code::kRequestLimitExceeded);
  EXPECT_EQ(CodeFromHttpStatus(501), core::Code::kNotImplemented);
  EXPECT_EQ(CodeFromHttpStatus(503), core::Code::kTemporarilyUnavailable);
  EXPECT_EQ(CodeFromHttpStatus(418), core::Code::kInternalError);
  Response response;
  response.status = 401;
  response.headers.emplace_back("content-type", "text/plain");
  response.body = "You are not authenticated.\nSecond line";
  core::Status status = ErrorFromResponse("GET http://h/x", response);
  EXPECT_EQ(status.code(), core::Code::kUnauthenticated);
  EXPECT_EQ(status.message(), "GET http://h/x: HTTP 401 Unauthorized: You are not authenticated.");
}

TEST(JsonApiTest, ServerErrorIsRetriedThenReported) {
  std::atomic<int> calls{0};
  testing::FakeHttpServer server([&](const Received&) {
    ++calls;
    Reply reply;
    reply.status = 500;
    reply.headers.emplace_back("Content-Type", "text/plain");
    reply.body = "boom";
    return reply;
  });
  auto client = Client(server.Url(""));
  Result<core::Value> answer = client->Get("/api/2.0/mlflow/experiments/get");
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(answer.status().code(), core::Code::kInternalError);
  EXPECT_EQ(answer.status().message(),
            "GET " + server.Url("/api/2.0/mlflow/experiments/get") +
                ": HTTP 500 Internal Server Error: boom (gave up after 3 attempts)");
}

TEST(JsonApiTest, TransientErrorThenSuccessSucceeds) {
  std::atomic<int> calls{0};
  testing::FakeHttpServer server([&](const Received&) {
    return ++calls < 3 ? Json(503, R"({"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"})")
                       : Json(200, R"({"ok": true})");
  });
  Result<core::Value> answer =
      Client(server.Url(""))
          ->Send("POST", "/api/2.0/mlflow/runs/log-batch", core::Value::Mapping());
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(server.requests()[2].body, "{}") << "the body is sent again";
}

TEST(JsonApiTest, ConnectionRefusedNamesHostAndPort) {
  int port = ClosedPort();
  auto client = Client("http://127.0.0.1:" + std::to_string(port));
  Result<core::Value> answer = client->Get("/api/2.0/mlflow/experiments/get");
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), core::Code::kTemporarilyUnavailable);
  EXPECT_NE(answer.status().message().find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << answer.status().message();
  EXPECT_NE(answer.status().message().find("gave up after 3 attempts"), std::string::npos)
      << answer.status().message();
}

TEST(JsonApiTest, NonJsonSuccessIsAnErrorAskingWhetherItIsAnMlflowServer) {
  testing::FakeHttpServer server([](const Received&) {
    Reply reply;
    reply.body = "<html>hello</html>";
    return reply;
  });
  Result<core::Value> answer = Client(server.Url(""))->Get("/api/2.0/mlflow/runs/get");
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), core::Code::kInternalError);
  EXPECT_NE(answer.status().message().find("is not JSON"), std::string::npos);
  EXPECT_NE(answer.status().message().find("an MLflow server?"), std::string::npos);
}

TEST(JsonApiTest, BasicAuthFromOptions) {
  testing::FakeHttpServer server([](const Received&) { return Json(200, "{}"); });
  JsonApiOptions options;
  options.username = "alice";
  options.password = "pa:ss";
  options.token = "ignored-when-a-user-is-set";
  ASSERT_TRUE(Client(server.Url(""), options)->Get("/x").ok());
  EXPECT_EQ(server.requests()[0].Header("authorization"),
            "Basic " + core::Base64Encode("alice:pa:ss"));
}

TEST(JsonApiTest, BearerTokenFromOptions) {
  testing::FakeHttpServer server([](const Received&) { return Json(200, "{}"); });
  JsonApiOptions options;
  options.token = "tok123";
  ASSERT_TRUE(Client(server.Url(""), options)->Send("POST", "/x", core::Value::Mapping()).ok());
  EXPECT_EQ(server.requests()[0].Header("authorization"), "Bearer tok123");
}

TEST(JsonApiTest, UserinfoBecomesBasicAuthAndNeverReachesAMessage) {
  std::atomic<int> status{200};
  testing::FakeHttpServer server([&](const Received&) {
    Reply reply;
    reply.status = status.load();
    reply.body = status.load() == 200 ? "{}" : "nope";
    return reply;
  });
  std::string url = "http://bob:hunter2@127.0.0.1:" + std::to_string(server.port()) + "/p";
  auto client = Client(url);
  EXPECT_EQ(client->base_url(), server.Url("/p"));
  ASSERT_TRUE(client->Get("/x").ok());
  EXPECT_EQ(server.requests()[0].Header("authorization"),
            "Basic " + core::Base64Encode("bob:hunter2"));
  status = 403;
  Result<core::Value> answer = client->Get("/x", {{"token", "hunter2"}});
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), core::Code::kPermissionDenied);
  EXPECT_EQ(answer.status().message().find("hunter2"), std::string::npos)
      << answer.status().message();
  EXPECT_NE(answer.status().message().find(server.Url("/p/x")), std::string::npos);

  // Nor when the connection fails, with a password in options as well as in the URL.
  JsonApiOptions options;
  options.username = "carol";
  options.password = "s3cret-pw";
  options.token = "s3cret-token";
  auto refused =
      Client("http://carol:s3cret-pw@127.0.0.1:" + std::to_string(ClosedPort()) + "/", options);
  answer = refused->Get("/x", {{"q", "s3cret-pw"}});
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().message().find("s3cret"), std::string::npos)
      << answer.status().message();
}

TEST(JsonApiTest, OpenRefusesOtherSchemes) {
  Result<core::Uri> uri = core::Uri::Parse("sqlite:///x.db");
  ASSERT_TRUE(uri.ok());
  Result<std::unique_ptr<JsonApiClient>> client = JsonApiClient::Open(*uri, {});
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), core::Code::kInvalidParameterValue);
}

TEST(FieldReaderTest, ReadsLenientlyWithDefaultsForAbsentFields) {
  Result<core::Value> v = core::ParseJson(
      R"({"id": 7, "big": "1700000000123", "s": "x", "n": 12, "nan": "NaN", "inf": "-Infinity",
          "f": 0.25, "flt_int": 5.0, "b": true, "null": null,
          "child": {"k": "v"}, "list": [{"key": "a"}, {"key": "b"}], "names": ["x", "y"]})",
      "t");
  ASSERT_TRUE(v.ok());
  FieldReader r(*v, "GET /x");
  EXPECT_EQ(r.Int64("id"), 7);
  EXPECT_EQ(r.Int64("big"), 1700000000123);
  EXPECT_EQ(r.Int64("flt_int"), 5);
  EXPECT_EQ(r.String("s"), "x");
  EXPECT_EQ(r.String("n"), "12");
  EXPECT_TRUE(std::isnan(r.Double("nan")));
  EXPECT_EQ(r.Double("inf"), -INFINITY);
  EXPECT_EQ(r.Double("f"), 0.25);
  EXPECT_TRUE(r.Bool("b"));
  EXPECT_EQ(r.String("absent"), "");
  EXPECT_EQ(r.Int64("null"), 0);
  EXPECT_FALSE(r.OptionalInt64("absent").has_value());
  EXPECT_FALSE(r.Has("null"));
  EXPECT_EQ(r.Child("child").String("k"), "v");
  EXPECT_EQ(r.Child("absent").String("k"), "");
  std::vector<FieldReader> items = r.Items("list");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].String("key"), "b");
  EXPECT_EQ(r.Strings("names"), (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(r.status().ok()) << r.status().ToString();
}

TEST(FieldReaderTest, WrongKindNamesTheFieldPath) {
  Result<core::Value> v = core::ParseJson(R"({"run": {"info": {"start_time": {"x": 1}}}})", "t");
  ASSERT_TRUE(v.ok());
  FieldReader r(*v, "GET http://h/api/2.0/mlflow/runs/get");
  EXPECT_EQ(r.Child("run").Child("info").Int64("start_time"), 0);
  EXPECT_EQ(r.status().code(), core::Code::kInternalError);
  EXPECT_EQ(r.status().message(),
            "unexpected answer to GET http://h/api/2.0/mlflow/runs/get: run.info.start_time: "
            "expected an integer, got a mapping (...)");
}

}  // namespace
}  // namespace cairn::net
