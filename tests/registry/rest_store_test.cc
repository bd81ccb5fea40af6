// RestRegistryStore against a scripted server answering as MLflow 2.17/3.x does: which endpoint
// and method each call uses, what goes in the query or the body, and how answers decode. The
// whole store suite also runs over HTTP against `cairn server` (tests/server/).
#include "registry/rest_store.h"

#include <gtest/gtest.h>

#include <mutex>

#include "net/fake_http_server.h"
#include "registry/registry.h"

namespace cairn::registry {
namespace {

using Reply = testing::FakeHttpServer::Reply;
using Received = testing::FakeHttpServer::Received;

Reply Json(int status, std::string body) {
  Reply reply;
  reply.status = status;
  reply.headers.emplace_back("Content-Type", "application/json");
  reply.body = std::move(body);
  return reply;
}

// A server that answers every request with `reply`, and the store pointed at it.
class RestRegistryTest : public ::testing::Test {
 protected:
  RestRegistryTest()
      : server_([this](const Received&) {
          std::lock_guard lock(mu_);
          return reply_;
        }) {
    Result<core::Uri> uri = core::Uri::Parse(server_.Url("/prefix"));
    net::JsonApiOptions options;
    options.retry.max_attempts = 2;
    options.retry.sleep = [](std::chrono::milliseconds) {};
    auto api = net::JsonApiClient::Open(*uri, options);
    store_ = std::make_unique<RestRegistryStore>(std::move(api).value());
  }

  void Answer(Reply reply) {
    std::lock_guard lock(mu_);
    reply_ = std::move(reply);
  }
  Received Last() {
    std::vector<Received> got = server_.requests();
    EXPECT_FALSE(got.empty());
    return got.empty() ? Received{} : got.back();
  }

  std::mutex mu_;
  Reply reply_ = Json(200, "{}");
  testing::FakeHttpServer server_;
  std::unique_ptr<RestRegistryStore> store_;
};

// An answer as MLflow writes it: version as a string, int64 as numbers, empty fields omitted.
constexpr char kVersion[] = R"({"model_version": {
  "name": "m x", "version": "3", "creation_timestamp": 1700000000123,
  "last_updated_timestamp": 1700000000456, "current_stage": "Production",
  "description": "d", "source": "runs:/abc/model", "run_id": "abc", "status": "READY",
  "tags": [{"key": "k", "value": "v"}], "run_link": "", "aliases": ["champ", "best"]}})";

TEST_F(RestRegistryTest, GetModelVersionIsAGetWithAQueryAndDecodesMlflowsShape) {
  Answer(Json(200, kVersion));
  Result<ModelVersion> v = store_->GetModelVersion("m x", "3");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  Received r = Last();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/prefix/api/2.0/mlflow/model-versions/get?name=m%20x&version=3");
  EXPECT_EQ(v->name, "m x");
  EXPECT_EQ(v->version, 3);
  EXPECT_EQ(v->creation_timestamp, 1700000000123);
  EXPECT_EQ(v->last_updated_timestamp, 1700000000456);
  EXPECT_EQ(v->current_stage, Stage::kProduction);
  EXPECT_EQ(v->status, VersionStatus::kReady);
  EXPECT_EQ(v->source, "runs:/abc/model");
  EXPECT_EQ(v->run_id, "abc");
  EXPECT_EQ(v->tags, (std::vector<Tag>{{"k", "v"}}));
  EXPECT_EQ(v->aliases, (std::vector<std::string>{"champ", "best"}));
  EXPECT_EQ(v->user_id, "") << "omitted fields are empty";
}

TEST_F(RestRegistryTest, TransitionSendsMlflowsBody) {
  Answer(Json(200, kVersion));
  ASSERT_TRUE(store_->TransitionModelVersionStage("m", "1", "staging", true).ok());
  Received r = Last();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/prefix/api/2.0/mlflow/model-versions/transition-stage");
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.body,
            R"({"name":"m","version":"1","stage":"staging","archive_existing_versions":true})");
}

TEST_F(RestRegistryTest, DeletesCarryAJsonBody) {
  ASSERT_TRUE(store_->DeleteModelVersion("m", "2").ok());
  Received r = Last();
  EXPECT_EQ(r.method, "DELETE");
  EXPECT_EQ(r.target, "/prefix/api/2.0/mlflow/model-versions/delete");
  EXPECT_EQ(r.body, R"({"name":"m","version":"2"})");
  ASSERT_TRUE(store_->DeleteAlias("m", "champ").ok());
  r = Last();
  EXPECT_EQ(r.method, "DELETE");
  EXPECT_EQ(r.target, "/prefix/api/2.0/mlflow/registered-models/alias");
  EXPECT_EQ(r.body, R"({"name":"m","alias":"champ"})");
}

TEST_F(RestRegistryTest, SearchRegisteredModelsRepeatsOrderByAndDecodesThePage) {
  Answer(Json(200, R"({"registered_models": [{"name": "a", "creation_timestamp": 5,
      "latest_versions": [{"name": "a", "version": "2", "current_stage": "None"}],
      "aliases": [{"alias": "champ", "version": "2"}], "tags": [{"key": "t", "value": "1"}]},
      {"name": "b"}], "next_page_token": "tok"})"));
  SearchRequest request;
  request.filter = "name LIKE 'a%'";
  request.max_results = 2;
  request.order_by = {"name DESC", "creation_timestamp"};
  Result<Page<RegisteredModel>> page = store_->SearchRegisteredModels(request);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(Last().target,
            "/prefix/api/2.0/mlflow/registered-models/search?filter=name%20LIKE%20%27a%25%27&"
            "max_results=2&order_by=name%20DESC&order_by=creation_timestamp");
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].name, "a");
  EXPECT_EQ(page->items[0].creation_timestamp, 5);
  ASSERT_EQ(page->items[0].latest_versions.size(), 1u);
  EXPECT_EQ(page->items[0].latest_versions[0].version, 2);
  ASSERT_EQ(page->items[0].aliases.size(), 1u);
  EXPECT_EQ(page->items[0].aliases[0].alias, "champ");
  EXPECT_EQ(page->items[0].aliases[0].version, "2");
  EXPECT_EQ(page->items[1].name, "b");
  EXPECT_EQ(page->next_page_token, "tok");
}

TEST_F(RestRegistryTest, GetLatestVersionsIsAPostWithStages) {
  Answer(Json(200, R"({"model_versions": [{"name": "m", "version": "4"}]})"));
  Result<std::vector<ModelVersion>> v = store_->GetLatestVersions("m", {"Staging", "None"});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_EQ(v->size(), 1u);
  EXPECT_EQ((*v)[0].version, 4);
  EXPECT_EQ(Last().method, "POST");
  EXPECT_EQ(Last().body, R"({"name":"m","stages":["Staging","None"]})");
}

TEST_F(RestRegistryTest, CreateModelVersionStoresTheSourceVerbatim) {
  Answer(Json(200, kVersion));
  CreateModelVersionRequest request;
  request.name = "m";
  request.source = "runs:/abc/model";
  request.run_id = "abc";
  ASSERT_TRUE(store_->CreateModelVersion(request).ok());
  EXPECT_EQ(Last().body, R"({"name":"m","source":"runs:/abc/model","run_id":"abc"})");
}

TEST_F(RestRegistryTest, DownloadUriAndAlias) {
  Answer(Json(200, R"({"artifact_uri": "runs:/abc/model"})"));
  Result<std::string> uri = store_->GetModelVersionDownloadUri("m", "1");
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(*uri, "runs:/abc/model");
  Answer(Json(200, kVersion));
  ASSERT_TRUE(store_->GetModelVersionByAlias("m", "champ").ok());
  EXPECT_EQ(Last().target, "/prefix/api/2.0/mlflow/registered-models/alias?name=m&alias=champ");
}

TEST_F(RestRegistryTest, ServerErrorsKeepTheirCodeAndMessage) {
  Answer(Json(404, R"({"error_code": "RESOURCE_DOES_NOT_EXIST",
                       "message": "Registered Model with name=nope not found"})"));
  Result<RegisteredModel> m = store_->GetRegisteredModel("nope");
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(m.status().IsNotFound());
  EXPECT_EQ(m.status().message(), "Registered Model with name=nope not found");
  Answer(Json(400, R"({"error_code": "RESOURCE_ALREADY_EXISTS", "message": "exists"})"));
  EXPECT_TRUE(store_->CreateRegisteredModel("a", {}, "").status().IsAlreadyExists());
}

TEST_F(RestRegistryTest, AnUnknownStageInAnAnswerIsAnError) {
  Answer(Json(200, R"({"model_version": {"name": "m", "version": "1", "current_stage": "Gold"}})"));
  Result<ModelVersion> v = store_->GetModelVersion("m", "1");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), core::Code::kInternalError);
  EXPECT_NE(v.status().message().find("model_version.current_stage"), std::string::npos)
      << v.status().message();
}

TEST(RestRegistryOpenTest, OpenRegistryStoreSendsTheBearerToken) {
  testing::FakeHttpServer server(
      [](const Received&) { return Json(200, R"({"registered_model": {"name": "m"}})"); });
  StoreOptions options;
  options.token = "tok-1";
  Result<std::unique_ptr<RegistryStore>> store =
      OpenRegistryStore(*core::Uri::Parse(server.Url("")), options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Result<RegisteredModel> m = (*store)->GetRegisteredModel("m");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->name, "m");
  EXPECT_EQ(server.requests()[0].Header("authorization"), "Bearer tok-1");
}

}  // namespace
}  // namespace cairn::registry
