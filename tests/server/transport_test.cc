// What applies to every endpoint (../shared/reference/mlflow-api.md section 1): /health and
// /version, both prefixes, unknown routes and wrong methods, Content-Type rules, double-encoded
// and empty bodies, and basic authentication.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "net/server.h"
#include "server/api_server.h"

namespace cairn::server_test {
namespace {

TEST(TransportTest, HealthAndVersion) {
  ApiServer& api = ApiServer::Shared();
  Reply reply = api.Send("GET", "/health");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "OK");
  EXPECT_EQ(reply.Header("content-type").substr(0, 10), "text/plain");
  reply = api.Send("GET", "/version");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, server::Version());
  EXPECT_FALSE(reply.body.empty());
}

TEST(TransportTest, BothPrefixesBehaveAlike) {
  ApiServer& api = ApiServer::Shared();
  std::string name = UniqueName();
  Reply reply = api.Send("POST", "/ajax-api/2.0/mlflow/experiments/create",
                         fmt::format(R"({{"name": {}}})", Q(name)), ApiServer::JsonHeaders());
  ASSERT_EQ(reply.status, 200) << reply;
  std::string id = reply.Str("experiment_id");
  for (std::string_view prefix : {"/api/2.0", "/ajax-api/2.0"}) {
    reply = api.Send("GET", std::string(prefix) + "/mlflow/experiments/get?experiment_id=" + id);
    EXPECT_EQ(reply.status, 200) << prefix;
    EXPECT_EQ(reply.Str("experiment.name"), name) << prefix;
    reply = api.Send("GET", std::string(prefix) + "/mlflow/experiments/get?experiment_id=424242");
    EXPECT_EQ(reply.status, 404) << prefix;
    EXPECT_EQ(reply.error_code(), "RESOURCE_DOES_NOT_EXIST") << prefix;
  }
  // MLflow 3's endpoints are under /api/3.0 too; the 2.x ones are not.
  reply =
      api.Send("POST", "/ajax-api/3.0/mlflow/logged-models/search", "{}", ApiServer::JsonHeaders());
  EXPECT_EQ(reply.status, 200) << reply;
  reply = api.Send("GET", "/api/3.0/mlflow/experiments/get?experiment_id=0");
  EXPECT_EQ(reply.status, 404) << reply;
}

TEST(TransportTest, UnknownRouteIs404AndWrongMethodIs405) {
  ApiServer& api = ApiServer::Shared();
  EXPECT_EQ(api.Send("GET", "/api/2.0/mlflow/no/such/endpoint").status, 404);
  EXPECT_EQ(api.Send("GET", "/api/2.0/mlflow/experiments/list").status, 404);  // removed in 2.0
  EXPECT_EQ(api.Send("GET", "/nothing-here").status, 404);
  EXPECT_EQ(api.Send("GET", "/api/2.0/mlflow/runs/create").status, 405);
  EXPECT_EQ(api.Send("POST", "/api/2.0/mlflow/runs/get", "{}", ApiServer::JsonHeaders()).status,
            405);
  EXPECT_EQ(api.Send("GET", "/api/2.0/mlflow/runs/search").status, 405);
}

TEST(TransportTest, PostNeedsJsonContentType) {
  ApiServer& api = ApiServer::Shared();
  std::string body = fmt::format(R"({{"name": {}}})", Q(UniqueName()));
  Reply reply = api.Send("POST", "/api/2.0/mlflow/experiments/create", body,
                         {{"Content-Type", "text/plain"}});
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_EQ(reply.error_code(), "INVALID_PARAMETER_VALUE");
  reply = api.Send("POST", "/api/2.0/mlflow/experiments/create", body,
                   {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(reply.status, 400) << reply;
  // Parameters are fine.
  reply = api.Send("POST", "/api/2.0/mlflow/experiments/create", body,
                   {{"Content-Type", "application/json; charset=utf-8"}});
  EXPECT_EQ(reply.status, 200) << reply;
}

TEST(TransportTest, DoubleEncodedAndEmptyBodies) {
  ApiServer& api = ApiServer::Shared();
  // The message as a JSON string holding JSON, as ancient clients send it.
  std::string inner = fmt::format(R"({{"name": {}}})", Q(UniqueName()));
  Reply reply = api.Post("/mlflow/experiments/create", Q(inner));
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(api.Get("/mlflow/experiments/get?experiment_id=" + reply.Str("experiment_id"))
                .Str("experiment.name"),
            UniqueName());
  // An empty body is {}: here a missing required field.
  reply = api.Post("/mlflow/experiments/create", "");
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_EQ(reply.error_code(), "INVALID_PARAMETER_VALUE");
  // Unknown fields are ignored.
  reply = api.Post("/mlflow/experiments/create",
                   fmt::format(R"({{"name": {}, "flavor": "vanilla"}})", Q(UniqueName("2"))));
  EXPECT_EQ(reply.status, 200) << reply;
}

TEST(TransportTest, BasicAuthentication) {
  std::string auth_file;
  ApiServer api([&auth_file](server::ServerConfig& config) {
    auth_file = config.artifacts_destination + ".htpasswd";
    ASSERT_TRUE(net::HtpasswdSetUser(auth_file, "ann", "s3cret", 4).ok());
    config.auth_file = auth_file;
  });
  ASSERT_TRUE(api.ok());
  EXPECT_EQ(api.Send("GET", "/health").status, 200);  // open
  Reply reply = api.Send("GET", "/api/2.0/mlflow/experiments/search");
  EXPECT_EQ(reply.status, 401) << reply;
  EXPECT_FALSE(reply.Header("www-authenticate").empty());
  reply = api.Send("GET", "/api/2.0/mlflow/experiments/search", "",
                   {{"Authorization", "Basic " + core::Base64Encode("ann:wrong")}});
  EXPECT_EQ(reply.status, 401) << reply;
  net::Headers good = {{"Authorization", "Basic " + core::Base64Encode("ann:s3cret")}};
  reply = api.Send("GET", "/api/2.0/mlflow/experiments/search", "", good);
  EXPECT_EQ(reply.status, 200) << reply;
  // The authenticated user owns the runs it creates.
  good.emplace_back("Content-Type", "application/json");
  reply = api.Send("POST", "/api/2.0/mlflow/runs/create", "{}", good);
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("run.info.user_id"), "ann");
  reply = api.Send("PUT", "/api/2.0/mlflow-artifacts/artifacts/x.txt", "x");
  EXPECT_EQ(reply.status, 401) << reply;
}

TEST(TransportTest, StartFailsClearlyOnABadStoreOrAuthFile) {
  server::ServerConfig config;
  config.port = 0;
  config.backend_store_uri = "/plain/path/store";
  core::Result<std::unique_ptr<server::Server>> started = server::StartServer(config);
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.status().message().find("/plain/path/store"), std::string::npos)
      << started.status().ToString();

  ApiServer& api = ApiServer::Shared();
  config = api.config();
  config.auth_file = api.Path("no-such.htpasswd");
  started = server::StartServer(config);
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.status().message().find("auth file"), std::string::npos)
      << started.status().ToString();
}

}  // namespace
}  // namespace cairn::server_test
