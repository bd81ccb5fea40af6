// The model registry endpoints over HTTP (../shared/reference/mlflow-api.md section 5):
// registered models, versions (their `version` a JSON string), stages, tags and aliases;
// DELETEs with a JSON body and with a query string; GET arrays as repeated keys.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "server/api_server.h"

namespace cairn::server_test {
namespace {

Reply CreateModel(ApiServer& api, std::string_view name) {
  Reply reply = api.Post("/mlflow/registered-models/create",
                         fmt::format(R"({{"name": {}, "description": "d", )"
                                     R"("tags": [{{"key": "team", "value": "ml"}}]}})",
                                     Q(name)));
  EXPECT_EQ(reply.status, 200) << reply;
  return reply;
}

Reply CreateVersion(ApiServer& api, std::string_view name,
                    std::string_view source = "runs:/abc/model") {
  Reply reply = api.Post("/mlflow/model-versions/create",
                         fmt::format(R"({{"name": {}, "source": {}}})", Q(name), Q(source)));
  EXPECT_EQ(reply.status, 200) << reply;
  return reply;
}

std::string NameVersion(std::string_view name, std::string_view version) {
  return fmt::format(R"("name": {}, "version": {})", Q(name), Q(version));
}

TEST(RegistryApiTest, CreateGetRenameUpdateDeleteModel) {
  ApiServer& api = ApiServer::Shared();
  std::string name = UniqueName();
  Reply reply = CreateModel(api, name);
  EXPECT_EQ(reply.Str("registered_model.name"), name);
  EXPECT_EQ(reply.Str("registered_model.description"), "d");
  EXPECT_GT(reply.Int("registered_model.creation_timestamp"), 0);
  EXPECT_GT(reply.Int("registered_model.last_updated_timestamp"), 0);
  EXPECT_EQ(reply.Str("registered_model.tags[0].key"), "team");
  EXPECT_FALSE(reply.Has("registered_model.latest_versions"));
  EXPECT_FALSE(reply.Has("registered_model.aliases"));

  reply = api.Post("/mlflow/registered-models/create", fmt::format(R"({{"name": {}}})", Q(name)));
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_EQ(reply.error_code(), "RESOURCE_ALREADY_EXISTS");

  reply = api.Get("/mlflow/registered-models/get?name=" + core::PercentEncode(name));
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("registered_model.name"), name);

  reply = api.Patch("/mlflow/registered-models/update",
                    fmt::format(R"({{"name": {}, "description": "new"}})", Q(name)));
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("registered_model.description"), "new");

  std::string renamed = name + "-renamed";
  reply = api.Post("/mlflow/registered-models/rename",
                   fmt::format(R"({{"name": {}, "new_name": {}}})", Q(name), Q(renamed)));
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("registered_model.name"), renamed);
  EXPECT_EQ(api.Get("/mlflow/registered-models/get?name=" + core::PercentEncode(name)).status, 404);

  reply =
      api.Delete("/mlflow/registered-models/delete", fmt::format(R"({{"name": {}}})", Q(renamed)));
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.body, "{}");
  reply = api.Get("/mlflow/registered-models/get?name=" + core::PercentEncode(renamed));
  EXPECT_EQ(reply.status, 404) << reply;
  EXPECT_EQ(reply.error_code(), "RESOURCE_DOES_NOT_EXIST");
  reply =
      api.Delete("/mlflow/registered-models/delete", fmt::format(R"({{"name": {}}})", Q(renamed)));
  EXPECT_EQ(reply.status, 404) << reply;

  reply = api.Post("/mlflow/registered-models/create", "{}");
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_EQ(reply.error_code(), "INVALID_PARAMETER_VALUE");
}

TEST(RegistryApiTest, SearchRegisteredModels) {
  ApiServer& api = ApiServer::Shared();
  CreateModel(api, UniqueName("-a"));
  CreateModel(api, UniqueName("-b"));
  std::string filter = core::PercentEncode(fmt::format("name LIKE '{}%'", UniqueName()));
  Reply reply = api.Get("/mlflow/registered-models/search?filter=" + filter + "&max_results=1");
  ASSERT_EQ(reply.status, 200) << reply;
  ASSERT_EQ(reply.Size("registered_models"), 1u) << reply;
  EXPECT_EQ(reply.Str("registered_models[0].name"), UniqueName("-a"));
  std::string token = reply.Str("next_page_token");
  ASSERT_FALSE(token.empty());
  reply = api.Get("/mlflow/registered-models/search?filter=" + filter +
                  "&max_results=1&page_token=" + core::PercentEncode(token));
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("registered_models[0].name"), UniqueName("-b"));
  reply = api.Get("/mlflow/registered-models/search?max_results=1001");
  EXPECT_EQ(reply.status, 400) << reply;
}

TEST(RegistryApiTest, ModelVersionsAsMlflowWritesThem) {
  ApiServer& api = ApiServer::Shared();
  std::string name = UniqueName();
  CreateModel(api, name);
  Reply reply =
      api.Post("/mlflow/model-versions/create",
               fmt::format(R"({{"name": {}, "source": "runs:/abc/model", "run_id": "abc", )"
                           R"("description": "first", "tags": [{{"key": "k", "value": "v"}}]}})",
                           Q(name)));
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("model_version.name"), name);
  EXPECT_EQ(reply.Str("model_version.version"), "1");  // a string
  EXPECT_EQ(reply.Str("model_version.current_stage"), "None");
  EXPECT_EQ(reply.Str("model_version.status"), "READY");
  EXPECT_EQ(reply.Str("model_version.source"), "runs:/abc/model");
  EXPECT_EQ(reply.Str("model_version.run_id"), "abc");
  EXPECT_EQ(reply.Str("model_version.description"), "first");
  EXPECT_EQ(reply.Str("model_version.tags[0].key"), "k");
  EXPECT_GT(reply.Int("model_version.creation_timestamp"), 0);
  EXPECT_GT(reply.Int("model_version.last_updated_timestamp"), 0);
  EXPECT_FALSE(reply.Has("model_version.aliases"));
  EXPECT_FALSE(reply.Has("model_version.status_message"));

  EXPECT_EQ(CreateVersion(api, name).Str("model_version.version"), "2");

  reply = api.Get("/mlflow/model-versions/get?name=" + core::PercentEncode(name) + "&version=2");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("model_version.version"), "2");
  reply = api.Get("/mlflow/model-versions/get?name=" + core::PercentEncode(name) + "&version=abc");
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_EQ(reply.error_code(), "INVALID_PARAMETER_VALUE");
  reply = api.Get("/mlflow/model-versions/get?name=" + core::PercentEncode(name) + "&version=9");
  EXPECT_EQ(reply.status, 404) << reply;

  reply = api.Patch("/mlflow/model-versions/update",
                    "{" + NameVersion(name, "1") + R"(, "description": "changed"})");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("model_version.description"), "changed");

  reply = api.Get("/mlflow/model-versions/get-download-uri?name=" + core::PercentEncode(name) +
                  "&version=1");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("artifact_uri"), "runs:/abc/model");

  // `version` as a JSON number is taken too.
  reply =
      api.Post("/mlflow/model-versions/set-tag",
               fmt::format(R"({{"name": {}, "version": 1, "key": "x", "value": "y"}})", Q(name)));
  ASSERT_EQ(reply.status, 200) << reply;
  reply = api.Get("/mlflow/model-versions/search?filter=" +
                  core::PercentEncode(fmt::format("name = '{}'", name)));
  ASSERT_EQ(reply.status, 200) << reply;
  ASSERT_EQ(reply.Size("model_versions"), 2u) << reply;

  reply = api.Delete("/mlflow/model-versions/delete", "{" + NameVersion(name, "2") + "}");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(
      api.Get("/mlflow/model-versions/get?name=" + core::PercentEncode(name) + "&version=2").status,
      404);
  EXPECT_EQ(CreateVersion(api, name).Str("model_version.version"), "3");  // never reused

  reply = api.Post("/mlflow/model-versions/create",
                   R"({"name": "no-such-model", "source": "s3://b/x"})");
  EXPECT_EQ(reply.status, 404) << reply;
  reply = api.Post("/mlflow/model-versions/create", fmt::format(R"({{"name": {}}})", Q(name)));
  EXPECT_EQ(reply.status, 400) << reply;
}

TEST(RegistryApiTest, StagesAndLatestVersions) {
  ApiServer& api = ApiServer::Shared();
  std::string name = UniqueName();
  CreateModel(api, name);
  CreateVersion(api, name);
  CreateVersion(api, name);
  Reply reply = api.Post("/mlflow/model-versions/transition-stage",
                         "{" + NameVersion(name, "1") +
                             R"(, "stage": "production", "archive_existing_versions": false})");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("model_version.current_stage"), "Production");
  reply = api.Post("/mlflow/model-versions/transition-stage",
                   "{" + NameVersion(name, "2") +
                       R"(, "stage": "Production", "archive_existing_versions": true})");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(api.Get("/mlflow/model-versions/get?name=" + core::PercentEncode(name) + "&version=1")
                .Str("model_version.current_stage"),
            "Archived");
  reply = api.Post(
      "/mlflow/model-versions/transition-stage",
      "{" + NameVersion(name, "1") + R"(, "stage": "Prod", "archive_existing_versions": false})");
  EXPECT_EQ(reply.status, 400) << reply;
  reply = api.Post("/mlflow/model-versions/transition-stage",
                   "{" + NameVersion(name, "1") + R"(, "stage": "Staging"})");
  EXPECT_EQ(reply.status, 400) << reply;  // archive_existing_versions is required
  reply = api.Post("/mlflow/model-versions/transition-stage",
                   "{" + NameVersion(name, "1") +
                       R"(, "stage": "Archived", "archive_existing_versions": true})");
  EXPECT_EQ(reply.status, 400) << reply;  // MLflow answers 500 here

  // POST with a JSON list, GET with repeated keys.
  reply = api.Post("/mlflow/registered-models/get-latest-versions",
                   fmt::format(R"({{"name": {}, "stages": ["Production"]}})", Q(name)));
  ASSERT_EQ(reply.status, 200) << reply;
  ASSERT_EQ(reply.Size("model_versions"), 1u) << reply;
  EXPECT_EQ(reply.Str("model_versions[0].version"), "2");
  reply =
      api.Get("/mlflow/registered-models/get-latest-versions?name=" + core::PercentEncode(name) +
              "&stages=Production&stages=Archived");
  ASSERT_EQ(reply.status, 200) << reply;
  ASSERT_EQ(reply.Size("model_versions"), 2u) << reply;
  reply = api.Get("/mlflow/registered-models/get?name=" + core::PercentEncode(name));
  EXPECT_EQ(reply.Size("registered_model.latest_versions"), 2u) << reply;
}

TEST(RegistryApiTest, TagsDeletedByBodyOrByQuery) {
  ApiServer& api = ApiServer::Shared();
  std::string name = UniqueName();
  CreateModel(api, name);
  CreateVersion(api, name);
  Reply reply = api.Post("/mlflow/registered-models/set-tag",
                         fmt::format(R"({{"name": {}, "key": "a", "value": "1"}})", Q(name)));
  ASSERT_EQ(reply.status, 200) << reply;
  reply = api.Post("/mlflow/model-versions/set-tag",
                   "{" + NameVersion(name, "1") + R"(, "key": "b", "value": "2"})");
  ASSERT_EQ(reply.status, 200) << reply;

  reply = api.Delete("/mlflow/registered-models/delete-tag",
                     fmt::format(R"({{"name": {}, "key": "a"}})", Q(name)));
  ASSERT_EQ(reply.status, 200) << reply;
  reply = api.Delete("/mlflow/model-versions/delete-tag?name=" + core::PercentEncode(name) +
                     "&version=1&key=b");
  ASSERT_EQ(reply.status, 200) << reply;
  reply = api.Get("/mlflow/model-versions/get?name=" + core::PercentEncode(name) + "&version=1");
  EXPECT_FALSE(reply.Has("model_version.tags")) << reply;
  reply = api.Get("/mlflow/registered-models/get?name=" + core::PercentEncode(name));
  ASSERT_EQ(reply.Size("registered_model.tags"), 1u) << reply;  // "team" is left
  // Deleting a tag that is not there is fine.
  reply = api.Delete("/mlflow/registered-models/delete-tag",
                     fmt::format(R"({{"name": {}, "key": "a"}})", Q(name)));
  EXPECT_EQ(reply.status, 200) << reply;
  reply =
      api.Delete("/mlflow/registered-models/delete-tag", fmt::format(R"({{"name": {}}})", Q(name)));
  EXPECT_EQ(reply.status, 400) << reply;
}

TEST(RegistryApiTest, Aliases) {
  ApiServer& api = ApiServer::Shared();
  std::string name = UniqueName();
  CreateModel(api, name);
  CreateVersion(api, name);
  CreateVersion(api, name);
  std::string alias = fmt::format(R"("name": {}, "alias": "champion")", Q(name));
  Reply reply = api.Post("/mlflow/registered-models/alias", "{" + alias + R"(, "version": "1"})");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.body, "{}");
  reply = api.Get("/mlflow/registered-models/alias?name=" + core::PercentEncode(name) +
                  "&alias=champion");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("model_version.version"), "1");
  EXPECT_EQ(reply.Str("model_version.aliases[0]"), "champion");

  // Re-pointing moves it.
  ASSERT_EQ(
      api.Post("/mlflow/registered-models/alias", "{" + alias + R"(, "version": "2"})").status,
      200);
  reply = api.Get("/mlflow/registered-models/get?name=" + core::PercentEncode(name));
  ASSERT_EQ(reply.Size("registered_model.aliases"), 1u) << reply;
  EXPECT_EQ(reply.Str("registered_model.aliases[0].alias"), "champion");
  EXPECT_EQ(reply.Str("registered_model.aliases[0].version"), "2");

  reply = api.Post("/mlflow/registered-models/alias",
                   fmt::format(R"({{"name": {}, "alias": "latest", "version": "1"}})", Q(name)));
  EXPECT_EQ(reply.status, 400) << reply;
  reply = api.Post("/mlflow/registered-models/alias", "{" + alias + R"(, "version": "7"})");
  EXPECT_EQ(reply.status, 404) << reply;

  ASSERT_EQ(api.Delete("/mlflow/registered-models/alias", "{" + alias + "}").status, 200);
  reply = api.Get("/mlflow/registered-models/alias?name=" + core::PercentEncode(name) +
                  "&alias=champion");
  EXPECT_EQ(reply.status, 404) << reply;
  EXPECT_EQ(reply.error_code(), "RESOURCE_DOES_NOT_EXIST");
}

TEST(RegistryApiTest, LocalSourcesOnlyFromInsideTheRunsArtifacts) {
  ApiServer& api = ApiServer::Shared();
  std::string name = UniqueName();
  CreateModel(api, name);
  std::string dir = api.Path(UniqueName());
  Reply reply =
      api.Post("/mlflow/experiments/create",
               fmt::format(R"({{"name": {}, "artifact_location": {}}})", Q(UniqueName()), Q(dir)));
  std::string exp = reply.Str("experiment_id");
  reply = api.Post("/mlflow/runs/create", fmt::format(R"({{"experiment_id": {}}})", Q(exp)));
  std::string run_id = reply.Str("run.info.run_id");
  std::string inside = dir + "/" + run_id + "/artifacts/model";

  auto create = [&](std::string_view source, std::string_view run) {
    return api.Post(
        "/mlflow/model-versions/create",
        fmt::format(R"({{"name": {}, "source": {}, "run_id": {}}})", Q(name), Q(source), Q(run)));
  };
  EXPECT_EQ(create(inside, run_id).status, 200);
  EXPECT_EQ(create("file://" + inside, run_id).status, 200);
  for (const std::string& source : {std::string("/etc"), api.Path("mlflow.db"), inside}) {
    reply = create(source, source == inside ? "" : run_id);
    EXPECT_EQ(reply.status, 400) << source << ": " << reply;
    EXPECT_EQ(reply.error_code(), "INVALID_PARAMETER_VALUE");
  }
  reply = create("file:///etc/passwd", run_id);
  EXPECT_EQ(reply.status, 400) << reply;
  reply = create("s3://bucket/../../x", "");
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_EQ(create("s3://bucket/model", "").status, 200);
}

TEST(RegistryApiTest, LoggedModelSourceDownloadsFromTheModelsArtifacts) {
  ApiServer& api = ApiServer::Shared();
  std::string name = UniqueName();
  CreateModel(api, name);
  Reply reply =
      api.Post("/mlflow/experiments/create", fmt::format(R"({{"name": {}}})", Q(UniqueName())));
  std::string exp = reply.Str("experiment_id");
  reply = api.Post("/mlflow/logged-models", fmt::format(R"({{"experiment_id": {}}})", Q(exp)));
  std::string model_id = reply.Str("model.info.model_id");
  std::string artifact_uri = reply.Str("model.info.artifact_uri");
  reply = api.Post("/mlflow/model-versions/create",
                   fmt::format(R"({{"name": {}, "source": {}, "model_id": {}}})", Q(name),
                               Q("models:/" + model_id), Q(model_id)));
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("model_version.source"), "models:/" + model_id);
  EXPECT_EQ(reply.Str("model_version.model_id"), model_id);
  reply = api.Get("/mlflow/model-versions/get-download-uri?name=" + core::PercentEncode(name) +
                  "&version=1");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("artifact_uri"), artifact_uri);
}

}  // namespace
}  // namespace cairn::server_test
