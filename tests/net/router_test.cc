#include <gtest/gtest.h>

#include "core/json.h"
#include "net/server.h"

namespace cairn::net {
namespace {

ServerRequest MakeRequest(std::string method, std::string raw_path, std::string path = "") {
  ServerRequest request;
  request.method = std::move(method);
  request.path = path.empty() ? raw_path : std::move(path);
  request.raw_path = std::move(raw_path);
  return request;
}

// A handler that answers its name and the path parameters: "name|p1|p2".
Handler Named(std::string name) {
  return [name](const ServerRequest& request, ServerResponse& response) {
    std::string text = name;
    for (const std::string& p : request.path_params) text += "|" + p;
    response.SetText(200, text);
  };
}

ServerResponse Dispatch(const Router& router, ServerRequest request) {
  ServerResponse response;
  router.Dispatch(request, response);
  return response;
}

std::string ErrorCode(const ServerResponse& response) {
  Result<core::Value> json = core::ParseJson(response.body, "response");
  if (!json.ok() || json->Find("error_code") == nullptr) return "<not an error body>";
  return json->Find("error_code")->AsString();
}

TEST(RouterTest, LiteralAndPatternRoutes) {
  Router router;
  router.Add("GET", "/health", Named("health"));
  router.Add("GET", "/runs/{id}/metrics/{key}", Named("metric"));
  router.Add("GET", "/artifacts/{path...}", Named("artifact"));

  EXPECT_EQ(Dispatch(router, MakeRequest("GET", "/health")).body, "health");
  EXPECT_EQ(Dispatch(router, MakeRequest("GET", "/runs/r1/metrics/loss")).body, "metric|r1|loss");
  EXPECT_EQ(Dispatch(router, MakeRequest("GET", "/artifacts/a/b/c.txt")).body,
            "artifact|a/b/c.txt");

  // {name} is exactly one non-empty segment; {name...} at least one character.
  EXPECT_EQ(Dispatch(router, MakeRequest("GET", "/runs/r1/metrics")).status, 404);
  EXPECT_EQ(Dispatch(router, MakeRequest("GET", "/runs/r1/metrics/loss/x")).status, 404);
  EXPECT_EQ(Dispatch(router, MakeRequest("GET", "/runs//metrics/loss")).status, 404);
  EXPECT_EQ(Dispatch(router, MakeRequest("GET", "/artifacts/")).status, 404);
  EXPECT_EQ(Dispatch(router, MakeRequest("GET", "/artifacts")).status, 404);
  EXPECT_EQ(Dispatch(router, MakeRequest("GET", "/health/")).status, 404);
}

TEST(RouterTest, ParametersAreDecodedAndAnEncodedSlashStaysInItsSegment) {
  Router router;
  router.Add("GET", "/items/{id}", Named("item"));
  router.Add("GET", "/files/{path...}", Named("file"));
  EXPECT_EQ(Dispatch(router, MakeRequest("GET", "/items/a%2Fb", "/items/a/b")).body, "item|a/b");
  EXPECT_EQ(Dispatch(router, MakeRequest("GET", "/items/x%20y", "/items/x y")).body, "item|x y");
  EXPECT_EQ(Dispatch(router, MakeRequest("GET", "/files/d/%2e%2e/f", "/files/d/../f")).body,
            "file|d/../f");
  // A literal segment matches its encoded spelling too.
  EXPECT_EQ(Dispatch(router, MakeRequest("GET", "/%69tems/1", "/items/1")).body, "item|1");
}

TEST(RouterTest, LiteralsWinOverPatternsAndPatternsMatchInTheOrderAdded) {
  Router router;
  router.Add("GET", "/runs/{id}", Named("by-id"));
  router.Add("GET", "/runs/{other}", Named("never"));
  router.Add("GET", "/runs/search", Named("search"));
  EXPECT_EQ(Dispatch(router, MakeRequest("GET", "/runs/search")).body, "search");
  EXPECT_EQ(Dispatch(router, MakeRequest("GET", "/runs/42")).body, "by-id|42");
}

TEST(RouterTest, MethodsAreSeparateAndHeadFallsBackToGet) {
  Router router;
  router.Add("GET", "/x", Named("get"));
  router.Add("POST", "/x", Named("post"));
  router.Add("HEAD", "/y", Named("head-y"));
  router.Add("GET", "/y", Named("get-y"));
  router.Add("GET", "/p/{id}", Named("get-p"));
  EXPECT_EQ(Dispatch(router, MakeRequest("GET", "/x")).body, "get");
  EXPECT_EQ(Dispatch(router, MakeRequest("POST", "/x")).body, "post");
  EXPECT_EQ(Dispatch(router, MakeRequest("HEAD", "/x")).body, "get");
  EXPECT_EQ(Dispatch(router, MakeRequest("HEAD", "/y")).body, "head-y");
  EXPECT_EQ(Dispatch(router, MakeRequest("HEAD", "/p/1")).body, "get-p|1");
}

TEST(RouterTest, UnknownPathIs404AndOtherMethodIs405) {
  Router router;
  router.Add("GET", "/x", Named("get"));
  router.Add("POST", "/x", Named("post"));
  router.Add("PUT", "/items/{id}", Named("put"));

  ServerResponse missing = Dispatch(router, MakeRequest("GET", "/nope"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.content_type, "application/json");
  EXPECT_EQ(missing.body,
            R"({"error_code":"ENDPOINT_NOT_FOUND","message":"No route for GET /nope"})");

  ServerResponse wrong = Dispatch(router, MakeRequest("DELETE", "/x"));
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(ErrorCode(wrong), "ENDPOINT_NOT_FOUND");
  ASSERT_EQ(wrong.headers.size(), 1u);
  EXPECT_EQ(wrong.headers[0], (std::pair<std::string, std::string>("Allow", "GET, POST")));

  ServerResponse wrong_pattern = Dispatch(router, MakeRequest("GET", "/items/7"));
  EXPECT_EQ(wrong_pattern.status, 405);
  EXPECT_EQ(wrong_pattern.headers.at(0).second, "PUT");

  EXPECT_EQ(Dispatch(Router(), MakeRequest("GET", "/")).status, 404) << "an empty router";
}

TEST(RouterTest, ErrorMessagesAreEscapedJson) {
  Router router;
  ServerResponse response = Dispatch(router, MakeRequest("GET", "/a\"b\\c"));
  Result<core::Value> json = core::ParseJson(response.body, "response");
  ASSERT_TRUE(json.ok()) << json.status().ToString() << " in " << response.body;
  EXPECT_EQ(json->Find("message")->AsString(), "No route for GET /a\"b\\c");
}

TEST(RouterTest, CopiesDoNotSeeRoutesAddedLater) {
  Router router;
  router.Add("GET", "/a", Named("a"));
  Router copy = router;
  router.Add("GET", "/b", Named("b"));
  EXPECT_EQ(Dispatch(copy, MakeRequest("GET", "/a")).body, "a");
  EXPECT_EQ(Dispatch(copy, MakeRequest("GET", "/b")).status, 404);
  EXPECT_EQ(Dispatch(router, MakeRequest("GET", "/b")).body, "b");
}

TEST(RouterDeathTest, AddingARouteTwiceOrABadPatternIsABug) {
  Router router;
  router.Add("GET", "/a", Named("a"));
  router.Add("GET", "/p/{id}", Named("p"));
  EXPECT_DEATH(router.Add("GET", "/a", Named("again")), "bug: route GET /a: added twice");
  EXPECT_DEATH(router.Add("GET", "/p/{id}", Named("again")), "added twice");
  EXPECT_DEATH(router.Add("GET", "/q/x{id}", Named("bad")), "a whole segment");
  EXPECT_DEATH(router.Add("GET", "/q/{rest...}/x", Named("bad")), "must be the last");
  EXPECT_DEATH(router.Add("GET", "q", Named("bad")), "start with '/'");
}

TEST(ServerMessageTest, SetErrorUsesTheCodesHttpStatus) {
  ServerResponse response;
  response.body_file = "/some/file";
  response.SetError(Status::NotFound("Run 'abc' not found"));
  EXPECT_EQ(response.status, 404);
  EXPECT_FALSE(response.body_file.has_value()) << "an error replaces a file body";
  EXPECT_EQ(response.body,
            R"({"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Run 'abc' not found"})");
  response.SetError(Status(core::Code::kResourceAlreadyExists, "x"));
  EXPECT_EQ(response.status, 400);
  response.SetText(201, "made");
  EXPECT_EQ(response.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(response.status, 201);
}

TEST(ServerMessageTest, RequestAccessors) {
  ServerRequest request;
  request.headers = {{"content-type", "application/json"}, {"x-a", "1"}};
  request.query = {{"tag", "a"}, {"x", "1"}, {"tag", "b"}, {"empty", ""}};
  EXPECT_EQ(request.Header("Content-Type"), "application/json");
  EXPECT_FALSE(request.Header("x-b").has_value());
  EXPECT_EQ(request.Query("tag"), "a");
  EXPECT_EQ(request.Query("empty"), "");
  EXPECT_FALSE(request.Query("nope").has_value());
  EXPECT_EQ(request.QueryAll("tag"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(request.QueryAll("nope").empty());
}

}  // namespace
}  // namespace cairn::net
