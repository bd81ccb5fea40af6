// MLflow 3's logged-model endpoints over HTTP (../shared/reference/mlflow-api.md section 4.3),
// under /api/2.0 and /api/3.0.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "server/api_server.h"

namespace cairn::server_test {
namespace {

std::string NewExperiment(ApiServer& api) {
  Reply reply = api.Post("/mlflow/experiments/create",
                         fmt::format(R"({{"name": {}}})", Q(UniqueName(".exp"))));
  EXPECT_EQ(reply.status, 200) << reply;
  return reply.Str("experiment_id");
}

TEST(LoggedModelApiTest, CreateGetFinalizeDelete) {
  ApiServer& api = ApiServer::Shared();
  std::string exp = NewExperiment(api);
  Reply reply =
      api.Post("/mlflow/logged-models",
               fmt::format(R"({{"experiment_id": {}, "name": "clf", "model_type": "sklearn", )"
                           R"("params": [{{"key": "alpha", "value": "0.1"}}], )"
                           R"("tags": [{{"key": "t", "value": "1"}}]}})",
                           Q(exp)));
  ASSERT_EQ(reply.status, 200) << reply;
  std::string id = reply.Str("model.info.model_id");
  ASSERT_EQ(id.size(), 34u) << reply;
  EXPECT_EQ(id.substr(0, 2), "m-");
  EXPECT_EQ(reply.Str("model.info.experiment_id"), exp);
  EXPECT_EQ(reply.Str("model.info.name"), "clf");
  EXPECT_EQ(reply.Str("model.info.model_type"), "sklearn");
  EXPECT_EQ(reply.Str("model.info.status"), "LOGGED_MODEL_PENDING");
  EXPECT_EQ(reply.Str("model.info.artifact_uri"),
            fmt::format("mlflow-artifacts:/{}/models/{}/artifacts", exp, id));
  EXPECT_GT(reply.Int("model.info.creation_timestamp_ms"), 0);
  EXPECT_GT(reply.Int("model.info.last_updated_timestamp_ms"), 0);
  EXPECT_EQ(reply.Str("model.info.tags[0].key"), "t");
  EXPECT_EQ(reply.Str("model.data.params[0].key"), "alpha");
  EXPECT_FALSE(reply.Has("model.info.source_run_id"));

  reply = api.Patch("/mlflow/logged-models/" + id, R"({"status": "LOGGED_MODEL_READY"})");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("model.info.status"), "LOGGED_MODEL_READY");
  reply = api.Patch("/mlflow/logged-models/" + id, R"({"status": 3})");  // by number
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("model.info.status"), "LOGGED_MODEL_UPLOAD_FAILED");
  reply = api.Patch("/mlflow/logged-models/" + id, "{}");
  EXPECT_EQ(reply.status, 400) << reply;

  reply = api.Send("GET", "/api/3.0/mlflow/logged-models/" + id);
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("model.info.model_id"), id);

  reply = api.Delete("/mlflow/logged-models/" + id);
  ASSERT_EQ(reply.status, 200) << reply;
  reply = api.Get("/mlflow/logged-models/" + id);
  EXPECT_EQ(reply.status, 404) << reply;
  EXPECT_EQ(reply.error_code(), "RESOURCE_DOES_NOT_EXIST");

  reply = api.Post("/mlflow/logged-models", R"({"name": "x"})");
  EXPECT_EQ(reply.status, 400) << reply;
}

TEST(LoggedModelApiTest, TagsAndParams) {
  ApiServer& api = ApiServer::Shared();
  std::string exp = NewExperiment(api);
  std::string id =
      api.Post("/mlflow/logged-models", fmt::format(R"({{"experiment_id": {}}})", Q(exp)))
          .Str("model.info.model_id");
  Reply reply =
      api.Patch("/mlflow/logged-models/" + id + "/tags",
                R"({"tags": [{"key": "a", "value": "1"}, {"key": "b/c", "value": "2"}]})");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Size("model.info.tags"), 2u) << reply;
  reply = api.Delete("/mlflow/logged-models/" + id + "/tags/b%2Fc");
  ASSERT_EQ(reply.status, 200) << reply;
  reply = api.Post("/mlflow/logged-models/" + id + "/params",
                   R"({"params": [{"key": "depth", "value": "3"}]})");
  ASSERT_EQ(reply.status, 200) << reply;
  reply = api.Get("/mlflow/logged-models/" + id);
  ASSERT_EQ(reply.Size("model.info.tags"), 1u) << reply;
  EXPECT_EQ(reply.Str("model.info.tags[0].key"), "a");
  EXPECT_EQ(reply.Str("model.data.params[0].key"), "depth");
}

TEST(LoggedModelApiTest, SearchUnderBothVersions) {
  ApiServer& api = ApiServer::Shared();
  std::string exp = NewExperiment(api);
  Reply reply = api.Post("/mlflow/logged-models/search",
                         fmt::format(R"({{"experiment_ids": [{}]}})", Q(exp)));
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.body, "{}");  // none yet: what a 3.x client sees for plain tracking

  std::string id = api.Post("/mlflow/logged-models",
                            fmt::format(R"({{"experiment_id": {}, "name": "clf"}})", Q(exp)))
                       .Str("model.info.model_id");
  reply = api.Send(
      "POST", "/api/3.0/mlflow/logged-models/search",
      fmt::format(R"({{"experiment_ids": [{}], "filter": "name = 'clf'", )"
                  R"("order_by": [{{"field_name": "creation_timestamp", "ascending": false}}]}})",
                  Q(exp)),
      ApiServer::JsonHeaders());
  ASSERT_EQ(reply.status, 200) << reply;
  ASSERT_EQ(reply.Size("models"), 1u) << reply;
  EXPECT_EQ(reply.Str("models[0].info.model_id"), id);
  reply = api.Post(
      "/mlflow/logged-models/search",
      fmt::format(R"({{"experiment_ids": [{}], "order_by": [{{"ascending": true}}]}})", Q(exp)));
  EXPECT_EQ(reply.status, 400) << reply;
}

TEST(LoggedModelApiTest, ArtifactDirectories) {
  ApiServer& api = ApiServer::Shared();
  std::string exp = NewExperiment(api);
  std::string id =
      api.Post("/mlflow/logged-models", fmt::format(R"({{"experiment_id": {}}})", Q(exp)))
          .Str("model.info.model_id");
  std::string root =
      fmt::format("/api/2.0/mlflow-artifacts/artifacts/{}/models/{}/artifacts", exp, id);
  ASSERT_EQ(api.Send("PUT", root + "/MLmodel", "flavors: {}\n").status, 200);
  ASSERT_EQ(api.Send("PUT", root + "/data/model.pkl", "bytes").status, 200);

  Reply reply = api.Get("/mlflow/logged-models/" + id + "/artifacts/directories");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("root_uri"),
            fmt::format("mlflow-artifacts:/{}/models/{}/artifacts", exp, id));
  ASSERT_EQ(reply.Size("files"), 2u) << reply;
  EXPECT_EQ(reply.Str("files[0].path"), "MLmodel");
  EXPECT_EQ(reply.Int("files[0].file_size"), 12);
  EXPECT_EQ(reply.Str("files[1].path"), "data");
  reply = api.Get("/mlflow/logged-models/" + id +
                  "/artifacts/directories?artifact_directory_path=data");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("files[0].path"), "data/model.pkl");
  reply = api.Get("/mlflow/logged-models/" + id +
                  "/artifacts/directories?artifact_directory_path=..%2F..");
  EXPECT_EQ(reply.status, 400) << reply;
}

}  // namespace
}  // namespace cairn::server_test
