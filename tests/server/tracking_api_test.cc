// The tracking endpoints over HTTP, answers checked field by field against MLflow's shapes
// (../shared/reference/mlflow-api.md sections 4.1, 4.2 and 7).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "server/api_server.h"

namespace cairn::server_test {
namespace {

// Creates an experiment; its id.
std::string CreateExperiment(ApiServer& api, std::string_view name, std::string extra = "") {
  Reply reply =
      api.Post("/mlflow/experiments/create", fmt::format(R"({{"name": {}{}}})", Q(name), extra));
  EXPECT_EQ(reply.status, 200) << reply;
  return reply.Str("experiment_id");
}

// Creates a run in a fresh experiment; the run's id.
std::string CreateRun(ApiServer& api, std::string* experiment_id = nullptr) {
  std::string exp = CreateExperiment(api, UniqueName(".exp"));
  if (experiment_id != nullptr) *experiment_id = exp;
  Reply reply = api.Post("/mlflow/runs/create",
                         fmt::format(R"({{"experiment_id": {}, "start_time": 1000}})", Q(exp)));
  EXPECT_EQ(reply.status, 200) << reply;
  return reply.Str("run.info.run_id");
}

TEST(TrackingApiTest, DefaultExperimentExists) {
  ApiServer& api = ApiServer::Shared();
  Reply reply = api.Get("/mlflow/experiments/get?experiment_id=0");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("experiment.experiment_id"), "0");
  EXPECT_EQ(reply.Str("experiment.name"), "Default");
  EXPECT_EQ(reply.Str("experiment.lifecycle_stage"), "active");
  EXPECT_EQ(reply.Str("experiment.artifact_location"), "mlflow-artifacts:/0");
}

TEST(TrackingApiTest, CreateAndGetExperiment) {
  ApiServer& api = ApiServer::Shared();
  std::string id = CreateExperiment(api, UniqueName());
  ASSERT_FALSE(id.empty());
  EXPECT_NE(id.find_first_not_of("0123456789"), 0u) << id;

  Reply reply = api.Get("/mlflow/experiments/get?experiment_id=" + id);
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Header("content-type").substr(0, 16), "application/json");
  EXPECT_EQ(reply.Str("experiment.experiment_id"), id);
  EXPECT_EQ(reply.Str("experiment.name"), UniqueName());
  EXPECT_EQ(reply.Str("experiment.artifact_location"), "mlflow-artifacts:/" + id);
  EXPECT_EQ(reply.Str("experiment.lifecycle_stage"), "active");
  EXPECT_GT(reply.Int("experiment.creation_time"), 0);  // a JSON number, not a string
  EXPECT_GT(reply.Int("experiment.last_update_time"), 0);
  EXPECT_FALSE(reply.Has("experiment.tags"));  // empty lists are left out

  reply = api.Get("/mlflow/experiments/get-by-name?experiment_name=" +
                  core::PercentEncode(UniqueName()));
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("experiment.experiment_id"), id);
}

TEST(TrackingApiTest, CreateExperimentWithTagsAndLocation) {
  ApiServer& api = ApiServer::Shared();
  std::string id = CreateExperiment(
      api, UniqueName(),
      R"(, "artifact_location": "/tmp/somewhere", "tags": [{"key": "team", "value": "ml"}])");
  Reply reply = api.Get("/mlflow/experiments/get?experiment_id=" + id);
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("experiment.artifact_location"), "/tmp/somewhere");
  ASSERT_EQ(reply.Size("experiment.tags"), 1u) << reply;
  EXPECT_EQ(reply.Str("experiment.tags[0].key"), "team");
  EXPECT_EQ(reply.Str("experiment.tags[0].value"), "ml");

  reply = api.Post(
      "/mlflow/experiments/create",
      fmt::format(R"({{"name": {}, "artifact_location": "runs:/abc/x"}})", Q(UniqueName("2"))));
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_EQ(reply.error_code(), "INVALID_PARAMETER_VALUE");
}

TEST(TrackingApiTest, DuplicateExperimentIs400AlreadyExists) {
  ApiServer& api = ApiServer::Shared();
  CreateExperiment(api, UniqueName());
  Reply reply =
      api.Post("/mlflow/experiments/create", fmt::format(R"({{"name": {}}})", Q(UniqueName())));
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_EQ(reply.error_code(), "RESOURCE_ALREADY_EXISTS");
  EXPECT_TRUE(reply.Has("message"));
}

TEST(TrackingApiTest, UnknownExperimentIs404) {
  ApiServer& api = ApiServer::Shared();
  Reply reply = api.Get("/mlflow/experiments/get-by-name?experiment_name=no-such-experiment");
  EXPECT_EQ(reply.status, 404) << reply;
  EXPECT_EQ(reply.error_code(), "RESOURCE_DOES_NOT_EXIST");
  reply = api.Get("/mlflow/experiments/get?experiment_id=987654");
  EXPECT_EQ(reply.status, 404) << reply;
  EXPECT_EQ(reply.error_code(), "RESOURCE_DOES_NOT_EXIST");
}

TEST(TrackingApiTest, MissingAndMistypedFieldsAre400) {
  ApiServer& api = ApiServer::Shared();
  Reply reply = api.Post("/mlflow/experiments/create", "{}");
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_EQ(reply.error_code(), "INVALID_PARAMETER_VALUE");
  EXPECT_EQ(reply.Str("message"),
            "Missing value for required parameter 'name'. See the API docs for more information "
            "about request parameters.");

  reply = api.Post("/mlflow/experiments/create", R"({"name": 5})");
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_EQ(reply.error_code(), "INVALID_PARAMETER_VALUE");
  reply = api.Post("/mlflow/experiments/create", R"({"name": "x", "tags": "not-a-list"})");
  EXPECT_EQ(reply.status, 400) << reply;
  reply = api.Post("/mlflow/experiments/create", R"({"name": "x", "tags": [{"value": "v"}]})");
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_NE(reply.Str("message").find("'tags[0].key'"), std::string::npos) << reply;
  reply = api.Post("/mlflow/experiments/create", "{not json");
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_EQ(reply.error_code(), "INVALID_PARAMETER_VALUE");
  reply = api.Post("/mlflow/experiments/create", "[1, 2]");
  EXPECT_EQ(reply.status, 400) << reply;
  reply = api.Get("/mlflow/experiments/search?max_results=lots");
  EXPECT_EQ(reply.status, 400) << reply;
  reply = api.Get("/mlflow/experiments/get");
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_EQ(reply.error_code(), "INVALID_PARAMETER_VALUE");
}

TEST(TrackingApiTest, SearchExperimentsByPostAndGet) {
  ApiServer& api = ApiServer::Shared();
  std::string a = CreateExperiment(api, UniqueName("-a"));
  std::string b = CreateExperiment(api, UniqueName("-b"));
  std::string filter = fmt::format("name LIKE '{}%'", UniqueName());
  Reply reply = api.Post(
      "/mlflow/experiments/search",
      fmt::format(R"({{"filter": {}, "max_results": 1, "order_by": ["name"]}})", Q(filter)));
  ASSERT_EQ(reply.status, 200) << reply;
  ASSERT_EQ(reply.Size("experiments"), 1u) << reply;
  EXPECT_EQ(reply.Str("experiments[0].experiment_id"), a);
  std::string token = reply.Str("next_page_token");
  ASSERT_FALSE(token.empty());

  // GET: numbers as strings, the page token back, view_type by name.
  reply = api.Get(
      "/mlflow/experiments/search?filter=" + core::PercentEncode(filter) +
      "&max_results=1&order_by=name&view_type=ALL&page_token=" + core::PercentEncode(token));
  ASSERT_EQ(reply.status, 200) << reply;
  ASSERT_EQ(reply.Size("experiments"), 1u) << reply;
  EXPECT_EQ(reply.Str("experiments[0].experiment_id"), b);

  reply = api.Get("/mlflow/experiments/search?filter=" + core::PercentEncode(filter) +
                  "&order_by=name+DESC");
  ASSERT_EQ(reply.status, 200) << reply;
  ASSERT_EQ(reply.Size("experiments"), 2u) << reply;
  EXPECT_EQ(reply.Str("experiments[0].experiment_id"), b);
  EXPECT_FALSE(reply.Has("next_page_token"));

  reply = api.Get("/mlflow/experiments/search?view_type=SOMETIMES");
  EXPECT_EQ(reply.status, 400) << reply;
  reply = api.Get("/mlflow/experiments/search?max_results=50001");
  EXPECT_EQ(reply.status, 400) << reply;
}

TEST(TrackingApiTest, DeleteRestoreRenameAndTagExperiment) {
  ApiServer& api = ApiServer::Shared();
  std::string id = CreateExperiment(api, UniqueName());
  std::string exp = fmt::format(R"("experiment_id": {})", Q(id));
  Reply reply = api.Post("/mlflow/experiments/set-experiment-tag",
                         "{" + exp + R"(, "key": "mlflow.note.content", "value": "hi"})");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.body, "{}");
  reply = api.Post("/mlflow/experiments/set-experiment-tag", "{" + exp + R"(, "key": "k"})");
  EXPECT_EQ(reply.status, 400) << reply;  // value is required

  reply = api.Post("/mlflow/experiments/update",
                   "{" + exp + ", \"new_name\": " + Q(UniqueName("-renamed")) + "}");
  ASSERT_EQ(reply.status, 200) << reply;
  reply = api.Get("/mlflow/experiments/get?experiment_id=" + id);
  EXPECT_EQ(reply.Str("experiment.name"), UniqueName("-renamed"));
  EXPECT_EQ(reply.Str("experiment.tags[0].key"), "mlflow.note.content");

  reply = api.Post("/mlflow/experiments/delete-experiment-tag",
                   "{" + exp + R"(, "key": "mlflow.note.content"})");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_FALSE(api.Get("/mlflow/experiments/get?experiment_id=" + id).Has("experiment.tags"));

  ASSERT_EQ(api.Post("/mlflow/experiments/delete", "{" + exp + "}").status, 200);
  reply = api.Get("/mlflow/experiments/get?experiment_id=" + id);
  ASSERT_EQ(reply.status, 200) << reply;  // deleted experiments are still returned
  EXPECT_EQ(reply.Str("experiment.lifecycle_stage"), "deleted");
  // The name stays taken.
  reply = api.Post("/mlflow/experiments/create",
                   fmt::format(R"({{"name": {}}})", Q(UniqueName("-renamed"))));
  EXPECT_EQ(reply.error_code(), "RESOURCE_ALREADY_EXISTS") << reply;

  ASSERT_EQ(api.Post("/mlflow/experiments/restore", "{" + exp + "}").status, 200);
  EXPECT_EQ(
      api.Get("/mlflow/experiments/get?experiment_id=" + id).Str("experiment.lifecycle_stage"),
      "active");
}

TEST(TrackingApiTest, CreateRunAnswersAFullRun) {
  ApiServer& api = ApiServer::Shared();
  std::string exp = CreateExperiment(api, UniqueName());
  Reply reply = api.Post(
      "/mlflow/runs/create",
      fmt::format(R"({{"experiment_id": {}, "user_id": "ann", "run_name": "first", )"
                  R"("start_time": 1700000000000, "tags": [{{"key": "t", "value": "1"}}]}})",
                  Q(exp)));
  ASSERT_EQ(reply.status, 200) << reply;
  std::string run_id = reply.Str("run.info.run_id");
  EXPECT_EQ(run_id.size(), 32u);
  EXPECT_EQ(run_id.find_first_not_of("0123456789abcdef"), std::string::npos) << run_id;
  EXPECT_EQ(reply.Str("run.info.run_uuid"), run_id);
  EXPECT_EQ(reply.Str("run.info.experiment_id"), exp);
  EXPECT_EQ(reply.Str("run.info.run_name"), "first");
  EXPECT_EQ(reply.Str("run.info.user_id"), "ann");
  EXPECT_EQ(reply.Str("run.info.status"), "RUNNING");
  EXPECT_EQ(reply.Int("run.info.start_time"), 1700000000000);
  EXPECT_FALSE(reply.Has("run.info.end_time"));
  EXPECT_EQ(reply.Str("run.info.artifact_uri"),
            fmt::format("mlflow-artifacts:/{}/{}/artifacts", exp, run_id));
  EXPECT_EQ(reply.Str("run.info.lifecycle_stage"), "active");
  EXPECT_TRUE(reply.Find("run.data") != nullptr && reply.Find("run.data")->is_mapping());
  EXPECT_FALSE(reply.Has("run.data.metrics"));
  EXPECT_FALSE(reply.Has("run.data.params"));
  bool saw_run_name = false;
  for (size_t i = 0; i < reply.Size("run.data.tags"); ++i) {
    if (reply.Str(fmt::format("run.data.tags[{}].key", i)) == "mlflow.runName") {
      saw_run_name = true;
      EXPECT_EQ(reply.Str(fmt::format("run.data.tags[{}].value", i)), "first");
    }
  }
  EXPECT_TRUE(saw_run_name) << reply;
  EXPECT_FALSE(reply.Has("run.outputs"));

  // experiment_id as a JSON number, as old clients send it.
  reply = api.Post("/mlflow/runs/create", fmt::format(R"({{"experiment_id": {}}})", exp));
  EXPECT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("run.info.experiment_id"), exp);
  EXPECT_FALSE(reply.Str("run.info.run_name").empty());  // generated

  reply = api.Post("/mlflow/runs/create", R"({"experiment_id": "123456789"})");
  EXPECT_EQ(reply.status, 404) << reply;
  EXPECT_EQ(reply.error_code(), "RESOURCE_DOES_NOT_EXIST");
}

TEST(TrackingApiTest, LogAndReadMetricsParamsTags) {
  ApiServer& api = ApiServer::Shared();
  std::string run_id = CreateRun(api);
  std::string run = fmt::format(R"("run_id": {})", Q(run_id));
  auto post = [&](std::string_view path, std::string fields) {
    Reply reply = api.Post(path, "{" + run + ", " + fields + "}");
    EXPECT_EQ(reply.status, 200) << path << " " << fields << ": " << reply;
    EXPECT_EQ(reply.body, "{}");
  };
  post("/mlflow/runs/log-metric", R"("key": "loss", "value": 0.5, "timestamp": 10, "step": 1)");
  post("/mlflow/runs/log-metric", R"("key": "loss", "value": 0.25, "timestamp": 20, "step": 2)");
  post("/mlflow/runs/log-metric", R"("key": "acc", "value": "1.5", "timestamp": "30")");
  post("/mlflow/runs/log-metric", R"("key": "nan", "value": "NaN", "timestamp": 1)");
  post("/mlflow/runs/log-metric", R"("key": "inf", "value": "-Infinity", "timestamp": 1)");
  post("/mlflow/runs/log-parameter", R"("key": "lr", "value": "0.1")");
  post("/mlflow/runs/log-parameter", R"("key": "lr", "value": "0.1")");  // same value: fine
  post("/mlflow/runs/set-tag", R"("key": "color", "value": "")");

  Reply reply = api.Get("/mlflow/runs/get?run_id=" + run_id);
  ASSERT_EQ(reply.status, 200) << reply;
  ASSERT_EQ(reply.Size("run.data.metrics"), 4u) << reply;
  // Sorted by key: acc, inf, loss, nan.
  EXPECT_EQ(reply.Str("run.data.metrics[0].key"), "acc");
  EXPECT_EQ(reply.Num("run.data.metrics[0].value"), 1.5);
  EXPECT_EQ(reply.Int("run.data.metrics[0].timestamp"), 30);
  EXPECT_EQ(reply.Int("run.data.metrics[0].step"), 0);
  EXPECT_EQ(reply.Str("run.data.metrics[1].value"), "-Infinity");
  EXPECT_EQ(reply.Str("run.data.metrics[2].key"), "loss");
  EXPECT_EQ(reply.Num("run.data.metrics[2].value"), 0.25);  // latest step
  EXPECT_EQ(reply.Int("run.data.metrics[2].step"), 2);
  EXPECT_EQ(reply.Str("run.data.metrics[3].value"), "NaN");
  ASSERT_EQ(reply.Size("run.data.params"), 1u);
  EXPECT_EQ(reply.Str("run.data.params[0].key"), "lr");
  EXPECT_EQ(reply.Str("run.data.params[0].value"), "0.1");

  // Changing a param is refused; a missing value names the field.
  reply = api.Post("/mlflow/runs/log-parameter", "{" + run + R"(, "key": "lr", "value": "0.2"})");
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_EQ(reply.error_code(), "INVALID_PARAMETER_VALUE");
  reply = api.Post("/mlflow/runs/log-metric", "{" + run + R"(, "key": "m", "timestamp": 1})");
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_EQ(reply.Str("message"),
            "Missing value for required parameter 'value'. See the API docs for more information "
            "about request parameters.");
  reply = api.Post("/mlflow/runs/log-metric", "{" + run + R"(, "key": "m", "value": 1})");
  EXPECT_EQ(reply.status, 400) << reply;  // timestamp is required
  reply = api.Post("/mlflow/runs/log-metric",
                   "{" + run + R"(, "key": "m", "value": "lots", "timestamp": 1})");
  EXPECT_EQ(reply.status, 400) << reply;
  reply = api.Post("/mlflow/runs/log-metric",
                   R"({"run_id": "nope", "key": "m", "value": 1, "timestamp": 1})");
  EXPECT_EQ(reply.status, 404) << reply;
  EXPECT_EQ(reply.error_code(), "RESOURCE_DOES_NOT_EXIST");

  // Tags: delete, and a missing one is 404.
  post("/mlflow/runs/delete-tag", R"("key": "color")");
  reply = api.Post("/mlflow/runs/delete-tag", "{" + run + R"(, "key": "color"})");
  EXPECT_EQ(reply.status, 404) << reply;
}

TEST(TrackingApiTest, RunUuidIsAcceptedForRunId) {
  ApiServer& api = ApiServer::Shared();
  std::string run_id = CreateRun(api);
  Reply reply = api.Post(
      "/mlflow/runs/log-metric",
      fmt::format(R"({{"run_uuid": {}, "key": "m", "value": 2, "timestamp": 5}})", Q(run_id)));
  ASSERT_EQ(reply.status, 200) << reply;
  reply = api.Get("/mlflow/runs/get?run_uuid=" + run_id);
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("run.data.metrics[0].key"), "m");
  reply = api.Get("/mlflow/runs/get");
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_NE(reply.Str("message").find("'run_id'"), std::string::npos);
}

TEST(TrackingApiTest, UpdateDeleteRestoreRun) {
  ApiServer& api = ApiServer::Shared();
  std::string run_id = CreateRun(api);
  Reply reply = api.Post("/mlflow/runs/update",
                         fmt::format(R"({{"run_id": {}, "status": "FINISHED", "end_time": 5000, )"
                                     R"("run_name": "renamed"}})",
                                     Q(run_id)));
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("run_info.run_id"), run_id);
  EXPECT_EQ(reply.Str("run_info.status"), "FINISHED");
  EXPECT_EQ(reply.Int("run_info.end_time"), 5000);
  EXPECT_EQ(reply.Str("run_info.run_name"), "renamed");
  EXPECT_FALSE(reply.Has("run_info.data"));

  reply = api.Post("/mlflow/runs/update",
                   fmt::format(R"({{"run_id": {}, "status": "DONE"}})", Q(run_id)));
  EXPECT_EQ(reply.status, 400) << reply;

  std::string run = fmt::format(R"({{"run_id": {}}})", Q(run_id));
  ASSERT_EQ(api.Post("/mlflow/runs/delete", run).status, 200);
  reply = api.Get("/mlflow/runs/get?run_id=" + run_id);
  ASSERT_EQ(reply.status, 200) << reply;  // deleted runs are still returned
  EXPECT_EQ(reply.Str("run.info.lifecycle_stage"), "deleted");
  reply = api.Post(
      "/mlflow/runs/log-metric",
      fmt::format(R"({{"run_id": {}, "key": "m", "value": 1, "timestamp": 1}})", Q(run_id)));
  EXPECT_EQ(reply.status, 400) << reply;  // logging to a deleted run
  EXPECT_EQ(reply.error_code(), "INVALID_PARAMETER_VALUE");
  ASSERT_EQ(api.Post("/mlflow/runs/restore", run).status, 200);
  EXPECT_EQ(api.Get("/mlflow/runs/get?run_id=" + run_id).Str("run.info.lifecycle_stage"), "active");
}

TEST(TrackingApiTest, LogBatchAndItsLimits) {
  ApiServer& api = ApiServer::Shared();
  std::string run_id = CreateRun(api);
  Reply reply = api.Post(
      "/mlflow/runs/log-batch",
      fmt::format(
          R"({{"run_id": {}, "metrics": [{{"key": "a", "value": 1, "timestamp": 1}}, )"
          R"({{"key": "a", "value": 3, "timestamp": 2, "step": 1}}], )"
          R"("params": [{{"key": "p", "value": "v"}}], "tags": [{{"key": "t", "value": "w"}}]}})",
          Q(run_id)));
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.body, "{}");
  reply = api.Get("/mlflow/runs/get?run_id=" + run_id);
  EXPECT_EQ(reply.Num("run.data.metrics[0].value"), 3);
  EXPECT_EQ(reply.Str("run.data.params[0].value"), "v");

  // A metric without a value names it by position.
  reply = api.Post(
      "/mlflow/runs/log-batch",
      fmt::format(R"({{"run_id": {}, "metrics": [{{"key": "a", "timestamp": 1}}]}})", Q(run_id)));
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_NE(reply.Str("message").find("'metrics[0].value'"), std::string::npos) << reply;

  // 1001 metrics: over the limit.
  std::string metrics;
  for (int i = 0; i < 1001; ++i) {
    if (i > 0) metrics += ",";
    metrics += fmt::format(R"({{"key": "k{}", "value": 1, "timestamp": 1}})", i);
  }
  reply = api.Post("/mlflow/runs/log-batch",
                   fmt::format(R"({{"run_id": {}, "metrics": [{}]}})", Q(run_id), metrics));
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_EQ(reply.error_code(), "INVALID_PARAMETER_VALUE");

  // Over 1,000,000 bytes of request: refused before it is read.
  std::string big_value(1'000'001, 'x');
  reply = api.Post("/mlflow/runs/log-batch",
                   fmt::format(R"({{"run_id": {}, "tags": [{{"key": "big", "value": "{}"}}]}})",
                               Q(run_id), big_value));
  EXPECT_EQ(reply.status, 400) << reply.status;
  EXPECT_EQ(reply.error_code(), "INVALID_PARAMETER_VALUE");
}

TEST(TrackingApiTest, MetricHistoryAndBulkInterval) {
  ApiServer& api = ApiServer::Shared();
  std::string run_id = CreateRun(api);
  for (int step = 0; step < 3; ++step) {
    Reply reply = api.Post("/mlflow/runs/log-metric",
                           fmt::format(R"({{"run_id": {}, "key": "loss", "value": {}, )"
                                       R"("timestamp": {}, "step": {}}})",
                                       Q(run_id), 1.0 / (step + 1), 100 + step, step));
    ASSERT_EQ(reply.status, 200) << reply;
  }
  Reply reply = api.Get("/mlflow/metrics/get-history?run_id=" + run_id + "&metric_key=loss");
  ASSERT_EQ(reply.status, 200) << reply;
  ASSERT_EQ(reply.Size("metrics"), 3u) << reply;
  EXPECT_EQ(reply.Str("metrics[0].key"), "loss");
  EXPECT_EQ(reply.Num("metrics[0].value"), 1.0);
  EXPECT_EQ(reply.Int("metrics[2].timestamp"), 102);
  EXPECT_EQ(reply.Int("metrics[2].step"), 2);
  EXPECT_FALSE(reply.Has("next_page_token"));

  reply = api.Get("/mlflow/metrics/get-history?run_id=" + run_id);
  EXPECT_EQ(reply.status, 400) << reply;

  reply = api.Get("/mlflow/metrics/get-history-bulk-interval?run_ids=" + run_id +
                  "&metric_key=loss&max_results=10");
  ASSERT_EQ(reply.status, 200) << reply;
  ASSERT_EQ(reply.Size("metrics"), 3u) << reply;
  EXPECT_EQ(reply.Str("metrics[0].run_id"), run_id);
  EXPECT_EQ(reply.Int("metrics[1].step"), 1);
}

TEST(TrackingApiTest, SearchRuns) {
  ApiServer& api = ApiServer::Shared();
  std::string exp;
  std::string run_a = CreateRun(api, &exp);
  Reply reply = api.Post("/mlflow/runs/create",
                         fmt::format(R"({{"experiment_id": {}, "start_time": 2000}})", Q(exp)));
  std::string run_b = reply.Str("run.info.run_id");
  ASSERT_EQ(api.Post("/mlflow/runs/log-metric",
                     fmt::format(R"({{"run_id": {}, "key": "acc", "value": 0.9, "timestamp": 1}})",
                                 Q(run_b)))
                .status,
            200);

  reply = api.Post("/mlflow/runs/search", fmt::format(R"({{"experiment_ids": [{}]}})", Q(exp)));
  ASSERT_EQ(reply.status, 200) << reply;
  ASSERT_EQ(reply.Size("runs"), 2u) << reply;
  EXPECT_EQ(reply.Str("runs[0].info.run_id"), run_b);  // start_time DESC
  EXPECT_EQ(reply.Str("runs[1].info.run_id"), run_a);
  EXPECT_EQ(reply.Str("runs[0].data.metrics[0].key"), "acc");

  reply = api.Post("/mlflow/runs/search",
                   fmt::format(R"({{"experiment_ids": [{}], "filter": "metrics.acc > 0.5", )"
                               R"("max_results": 10}})",
                               exp));  // the id as a JSON number
  ASSERT_EQ(reply.status, 200) << reply;
  ASSERT_EQ(reply.Size("runs"), 1u) << reply;
  EXPECT_EQ(reply.Str("runs[0].info.run_id"), run_b);

  reply = api.Post("/mlflow/runs/search",
                   fmt::format(R"({{"experiment_ids": [{}], "max_results": 1}})", Q(exp)));
  ASSERT_EQ(reply.Size("runs"), 1u) << reply;
  EXPECT_FALSE(reply.Str("next_page_token").empty());

  reply =
      api.Post("/mlflow/runs/search",
               fmt::format(R"({{"experiment_ids": [{}], "filter": "a = 1 OR b = 2"}})", Q(exp)));
  EXPECT_EQ(reply.status, 400) << reply;
  EXPECT_EQ(reply.error_code(), "INVALID_PARAMETER_VALUE");

  reply = api.Post("/mlflow/runs/search", "{}");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.body, "{}");  // no experiments, no runs
}

TEST(TrackingApiTest, LogModelInputsAndOutputs) {
  ApiServer& api = ApiServer::Shared();
  std::string exp;
  std::string run_id = CreateRun(api, &exp);
  std::string run = fmt::format(R"("run_id": {})", Q(run_id));
  std::string model_json = fmt::format(
      R"({{"artifact_path": "m", "run_id": "{}", "utc_time_created": "2024-01-01 00:00:00.000000", )"
      R"("flavors": {{"python_function": {{}}}}}})",
      run_id);
  Reply reply =
      api.Post("/mlflow/runs/log-model", "{" + run + ", \"model_json\": " + Q(model_json) + "}");
  ASSERT_EQ(reply.status, 200) << reply;
  reply = api.Post("/mlflow/runs/log-model", "{" + run + "}");
  EXPECT_EQ(reply.status, 400) << reply;

  reply =
      api.Post("/mlflow/runs/log-inputs",
               "{" + run +
                   R"(, "datasets": [{"tags": [{"key": "mlflow.data.context", "value": "train"}],)"
                   R"( "dataset": {"name": "d", "digest": "abc", "source_type": "local",)"
                   R"( "source": "{}"}}]})");
  ASSERT_EQ(reply.status, 200) << reply;
  reply = api.Post("/mlflow/runs/log-inputs",
                   "{" + run + R"(, "datasets": [{"dataset": {"name": "d"}}]})");
  EXPECT_EQ(reply.status, 400) << reply;

  reply = api.Get("/mlflow/runs/get?run_id=" + run_id);
  ASSERT_EQ(reply.status, 200) << reply;
  bool saw_history = false;
  for (size_t i = 0; i < reply.Size("run.data.tags"); ++i) {
    saw_history |= reply.Str(fmt::format("run.data.tags[{}].key", i)) == "mlflow.log-model.history";
  }
  EXPECT_TRUE(saw_history) << reply;
  ASSERT_EQ(reply.Size("run.inputs.dataset_inputs"), 1u) << reply;
  EXPECT_EQ(reply.Str("run.inputs.dataset_inputs[0].dataset.name"), "d");
  EXPECT_EQ(reply.Str("run.inputs.dataset_inputs[0].dataset.digest"), "abc");
  EXPECT_EQ(reply.Str("run.inputs.dataset_inputs[0].tags[0].value"), "train");

  reply = api.Post("/mlflow/logged-models",
                   fmt::format(R"({{"experiment_id": {}, "name": "m"}})", Q(exp)));
  ASSERT_EQ(reply.status, 200) << reply;
  std::string model_id = reply.Str("model.info.model_id");
  reply = api.Post("/mlflow/runs/outputs",
                   "{" + run + R"(, "models": [{"model_id": )" + Q(model_id) + R"(, "step": 3}]})");
  ASSERT_EQ(reply.status, 200) << reply;
  reply = api.Get("/mlflow/runs/get?run_id=" + run_id);
  EXPECT_EQ(reply.Str("run.outputs.model_outputs[0].model_id"), model_id) << reply;
  EXPECT_EQ(reply.Int("run.outputs.model_outputs[0].step"), 3);
  reply = api.Post("/mlflow/runs/outputs", "{" + run + R"(, "models": [{"step": 3}]})");
  EXPECT_EQ(reply.status, 400) << reply;
}

}  // namespace
}  // namespace cairn::server_test
