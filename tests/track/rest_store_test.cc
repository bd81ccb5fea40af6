// RestTrackingStore against a scripted server answering as MLflow 2.17/3.x does: which endpoint
// and method each call uses, what goes in the query or the body, and how answers decode
// (int64 as numbers or strings, "NaN" metrics, omitted fields). The whole store suite also runs
// over HTTP against `cairn server` (tests/server/).
#include "track/rest_store.h"

#include <gtest/gtest.h>

#include <cmath>
#include <mutex>

#include "core/json.h"
#include "net/fake_http_server.h"
#include "track/track.h"

namespace cairn::track {
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

class RestTrackingTest : public ::testing::Test {
 protected:
  RestTrackingTest()
      : server_([this](const Received&) {
          std::lock_guard lock(mu_);
          return reply_;
        }) {
    Result<core::Uri> uri = core::Uri::Parse(server_.Url(""));
    net::JsonApiOptions options;
    options.retry.max_attempts = 2;
    options.retry.sleep = [](std::chrono::milliseconds) {};
    auto api = net::JsonApiClient::Open(*uri, options);
    store_ = std::make_unique<RestTrackingStore>(std::move(api).value());
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
  std::unique_ptr<RestTrackingStore> store_;
};

// runs/get as MLflow 2.17 answers it (int64 as numbers; a RUNNING run has no end_time),
// with a NaN metric and data in no particular order.
constexpr char kRun[] = R"({"run": {
  "info": {"run_uuid": "0123456789abcdef0123456789abcdef",
           "run_id": "0123456789abcdef0123456789abcdef", "run_name": "bold-owl-42",
           "experiment_id": "1", "user_id": "me", "status": "RUNNING",
           "start_time": 1700000000123, "artifact_uri": "mlflow-artifacts:/1/0123/artifacts",
           "lifecycle_stage": "active"},
  "data": {"metrics": [{"key": "loss", "value": "NaN", "timestamp": 1700000000200, "step": 3},
                       {"key": "acc", "value": 0.5, "timestamp": "1700000000201", "step": 0}],
           "params": [{"key": "lr", "value": "0.1"}],
           "tags": [{"key": "mlflow.runName", "value": "bold-owl-42"}, {"key": "a", "value": "b"}]},
  "inputs": {"dataset_inputs": [{"tags": [{"key": "mlflow.data.context", "value": "train"}],
             "dataset": {"name": "d", "digest": "abc", "source_type": "local", "source": "s"}}]}}})";

TEST_F(RestTrackingTest, GetRunIsAGetAndDecodesMlflowsShape) {
  Answer(Json(200, kRun));
  Result<track::Run> run = store_->GetRun("0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  Received r = Last();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/api/2.0/mlflow/runs/get?run_id=0123456789abcdef0123456789abcdef");
  EXPECT_EQ(run->info.run_id, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(run->info.run_name, "bold-owl-42");
  EXPECT_EQ(run->info.status, RunStatus::kRunning);
  EXPECT_EQ(run->info.start_time, 1700000000123);
  EXPECT_FALSE(run->info.end_time.has_value());
  EXPECT_EQ(run->info.lifecycle_stage, LifecycleStage::kActive);
  ASSERT_EQ(run->data.metrics.size(), 2u);
  EXPECT_EQ(run->data.metrics[0].key, "acc") << "sorted by key";
  EXPECT_EQ(run->data.metrics[0].timestamp, 1700000000201) << "int64 as a string";
  EXPECT_TRUE(std::isnan(run->data.metrics[1].value));
  EXPECT_EQ(run->data.metrics[1].step, 3);
  EXPECT_EQ(run->data.params, (std::vector<Param>{{"lr", "0.1"}}));
  EXPECT_EQ(run->data.tags, (std::vector<Tag>{{"a", "b"}, {"mlflow.runName", "bold-owl-42"}}));
  ASSERT_EQ(run->inputs.dataset_inputs.size(), 1u);
  EXPECT_EQ(run->inputs.dataset_inputs[0].dataset.digest, "abc");
}

TEST_F(RestTrackingTest, LogMetricSendsNonFiniteValuesAsStrings) {
  Metric m;
  m.key = "loss";
  m.value = NAN;
  m.timestamp = 1700000000000;
  m.step = 2;
  ASSERT_TRUE(store_->LogMetric("r1", m).ok());
  Received r = Last();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/api/2.0/mlflow/runs/log-metric");
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.body,
            R"({"key":"loss","value":"NaN","timestamp":1700000000000,"step":2,"run_id":"r1"})");
  m.value = -INFINITY;
  ASSERT_TRUE(store_->LogMetric("r1", m).ok());
  EXPECT_NE(Last().body.find(R"("value":"-Infinity")"), std::string::npos);
  m.value = 0.1;
  ASSERT_TRUE(store_->LogMetric("r1", m).ok());
  EXPECT_NE(Last().body.find(R"("value":0.1,)"), std::string::npos) << Last().body;
}

TEST_F(RestTrackingTest, LogBatchSendsAllThreeLists) {
  Metric m{"acc", 1.0, 5, 1, "", "", ""};
  ASSERT_TRUE(store_->LogBatch("r1", {m}, {{"lr", "0.1"}}, {{"t", "v"}}).ok());
  EXPECT_EQ(Last().body,
            R"({"run_id":"r1","metrics":[{"key":"acc","value":1.0,"timestamp":5,"step":1}],)"
            R"("params":[{"key":"lr","value":"0.1"}],"tags":[{"key":"t","value":"v"}]})");
}

TEST_F(RestTrackingTest, SearchRunsIsAPostWithMlflowsFields) {
  Answer(Json(200, R"({"runs": [{"info": {"run_id": "a", "status": "FINISHED",
                        "end_time": 9, "lifecycle_stage": "deleted"}}],
                        "next_page_token": "eyJvZmZzZXQiOiAxfQ=="})"));
  SearchRunsRequest request;
  request.experiment_ids = {"1", "2"};
  request.filter = "metrics.acc > 0.5";
  request.view = ViewType::kAll;
  request.max_results = 1;
  request.order_by = {"metrics.acc DESC"};
  Result<Page<track::Run>> page = store_->SearchRuns(request);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(Last().target, "/api/2.0/mlflow/runs/search");
  EXPECT_EQ(Last().body,
            R"({"experiment_ids":["1","2"],"filter":"metrics.acc > 0.5","run_view_type":"ALL",)"
            R"("max_results":1,"order_by":["metrics.acc DESC"]})");
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].info.status, RunStatus::kFinished);
  EXPECT_EQ(page->items[0].info.end_time, 9);
  EXPECT_EQ(page->items[0].info.lifecycle_stage, LifecycleStage::kDeleted);
  EXPECT_EQ(page->next_page_token, "eyJvZmZzZXQiOiAxfQ==");
}

TEST_F(RestTrackingTest, ExperimentsCreateGetByNameAndSearch) {
  Answer(Json(200, R"({"experiment_id": "7"})"));
  Result<std::string> id = store_->CreateExperiment("exp", "", {{"k", "v"}});
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "7");
  EXPECT_EQ(Last().body, R"({"name":"exp","tags":[{"key":"k","value":"v"}]})");

  Answer(Json(200, R"({"experiment": {"experiment_id": "7", "name": "my exp",
      "artifact_location": "mlflow-artifacts:/7", "lifecycle_stage": "active",
      "last_update_time": 2, "creation_time": 1, "tags": [{"key": "k", "value": "v"}]}})"));
  Result<Experiment> e = store_->GetExperimentByName("my exp");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(Last().target, "/api/2.0/mlflow/experiments/get-by-name?experiment_name=my%20exp");
  EXPECT_EQ(e->experiment_id, "7");
  EXPECT_EQ(e->artifact_location, "mlflow-artifacts:/7");
  EXPECT_EQ(e->creation_time, 1);
  EXPECT_EQ(e->last_update_time, 2);
  EXPECT_EQ(e->tags, (std::vector<Tag>{{"k", "v"}}));

  Answer(Json(200, "{}"));
  SearchExperimentsRequest search;
  search.view = ViewType::kDeletedOnly;
  Result<Page<Experiment>> page = store_->SearchExperiments(search);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty()) << "an empty answer is an empty page";
  EXPECT_EQ(Last().body, R"({"max_results":1000,"view_type":"DELETED_ONLY"})");
}

TEST_F(RestTrackingTest, CreateRunSendsAStartTimeWhenNoneIsGiven) {
  Answer(Json(200, kRun));
  CreateRunRequest request;
  request.experiment_id = "1";
  ASSERT_TRUE(store_->CreateRun(request).ok());
  Result<core::Value> body = core::ParseJson(Last().body, "body");
  ASSERT_TRUE(body.ok());
  std::optional<int64_t> start = body->Find("start_time")->AsInt64();
  ASSERT_TRUE(start.has_value());
  EXPECT_GT(*start, 1700000000000);
}

TEST_F(RestTrackingTest, MetricHistoryAndLoggedModelPaths) {
  Answer(Json(200, R"({"metrics": [{"key": "m", "value": "Infinity", "timestamp": 1}]})"));
  MetricHistoryRequest request;
  request.run_id = "r";
  request.metric_key = "a b";
  request.max_results = 10;
  Result<Page<Metric>> history = store_->GetMetricHistory(request);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(Last().target,
            "/api/2.0/mlflow/metrics/get-history?run_id=r&metric_key=a%20b&max_results=10");
  ASSERT_EQ(history->items.size(), 1u);
  EXPECT_EQ(history->items[0].value, INFINITY);

  Answer(Json(200, R"({"model": {"info": {"model_id": "m-1", "status": "LOGGED_MODEL_READY",
      "creation_timestamp_ms": 3, "tags": [{"key": "a", "value": "b"}]},
      "data": {"params": [{"key": "p", "value": "1"}]}}})"));
  Result<LoggedModel> model = store_->FinalizeLoggedModel("m-1", LoggedModelStatus::kReady);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(Last().method, "PATCH");
  EXPECT_EQ(Last().target, "/api/2.0/mlflow/logged-models/m-1");
  EXPECT_EQ(model->status, LoggedModelStatus::kReady);
  EXPECT_EQ(model->creation_timestamp_ms, 3);
  EXPECT_EQ(model->params, (std::vector<Param>{{"p", "1"}}));
  ASSERT_TRUE(store_->DeleteLoggedModelTag("m-1", "a/b").ok());
  EXPECT_EQ(Last().method, "DELETE");
  EXPECT_EQ(Last().target, "/api/2.0/mlflow/logged-models/m-1/tags/a%2Fb");
}

TEST_F(RestTrackingTest, ServerErrorsKeepTheirCodeAndMessage) {
  Answer(Json(400, R"({"error_code": "INVALID_PARAMETER_VALUE",
                       "message": "Changing param values is not allowed."})"));
  Status s = store_->LogParam("r", {"lr", "0.2"});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "Changing param values is not allowed.");
  EXPECT_EQ(server_.requests().size(), 1u) << "a 400 is not retried";
}

TEST_F(RestTrackingTest, AMalformedAnswerNamesTheFieldAndTheRequest) {
  Answer(Json(200, R"({"run": {"info": {"status": "SLEEPING"}}})"));
  Result<track::Run> run = store_->GetRun("r");
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().code(), core::Code::kInternalError);
  EXPECT_NE(run.status().message().find("GET " + server_.Url("/api/2.0/mlflow/runs/get")),
            std::string::npos)
      << run.status().message();
  EXPECT_NE(run.status().message().find("run.info.status"), std::string::npos);
}

TEST(RestTrackingOpenTest, OpenTrackingStoreSendsBasicAuthAndKeepsThePrefix) {
  testing::FakeHttpServer server(
      [](const Received&) { return Json(200, R"({"experiment": {"experiment_id": "0"}})"); });
  StoreOptions options;
  options.username = "u";
  options.password = "p";
  Result<std::unique_ptr<TrackingStore>> store =
      OpenTrackingStore(*core::Uri::Parse(server.Url("/mlflow")), options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->GetExperiment("0").ok());
  EXPECT_EQ(server.requests()[0].target, "/mlflow/api/2.0/mlflow/experiments/get?experiment_id=0");
  EXPECT_EQ(server.requests()[0].Header("authorization"), "Basic dTpw");
}

}  // namespace
}  // namespace cairn::track
