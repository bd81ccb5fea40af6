// TrackingStore suite: a run's metrics, params, tags, batches, logged-model history, inputs,
// outputs and metric history.
#include <cmath>
#include <limits>

#include "core/json.h"
#include "store_suite.h"

namespace cairn::track::testing {
namespace {

const Metric* FindMetric(const std::vector<Metric>& metrics, const std::string& key) {
  for (const Metric& m : metrics) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

std::vector<Metric> History(TrackingStore& store, const std::string& run_id,
                            const std::string& key) {
  MetricHistoryRequest request;
  request.run_id = run_id;
  request.metric_key = key;
  Result<Page<Metric>> page = store.GetMetricHistory(request);
  EXPECT_TRUE(page.ok()) << page.status().ToString();
  return page.ok() ? page->items : std::vector<Metric>{};
}

TEST_P(StoreTest, ParamsAreWriteOnce) {
  RunInfo run = NewRun("0");
  ASSERT_OK(store().LogParam(run.run_id, {"lr", "0.1"}));
  EXPECT_OK(store().LogParam(run.run_id, {"lr", "0.1"}));  // the same value again: fine
  Status changed = store().LogParam(run.run_id, {"lr", "0.2"});
  EXPECT_CODE(changed, kInvalidParameterValue);
  EXPECT_EQ(changed.message(),
            "Changing param values is not allowed. Param with key='lr' was already logged with "
            "value='0.1' for run ID='" +
                run.run_id + "'. Attempted logging new value '0.2'.");
  track::Run got = MustGetRun(run.run_id);
  ASSERT_EQ(got.data.params.size(), 1u);
  EXPECT_EQ(got.data.params[0], (Param{"lr", "0.1"}));
  // An empty value is a value.
  ASSERT_OK(store().LogParam(run.run_id, {"empty", ""}));
  EXPECT_CODE(store().LogParam(run.run_id, {"empty", "x"}), kInvalidParameterValue);
}

TEST_P(StoreTest, LatestMetricIsTheGreatestByStepTimestampValueNotTheLastWritten) {
  RunInfo run = NewRun("0");
  ASSERT_OK(store().LogMetric(run.run_id, MakeMetric("loss", 1.0, /*ts=*/10, /*step=*/2)));
  ASSERT_OK(store().LogMetric(run.run_id, MakeMetric("loss", 9.0, 50, 1)));  // older step
  ASSERT_OK(store().LogMetric(run.run_id, MakeMetric("loss", 0.5, 10, 2)));  // smaller value
  auto latest = [&]() {
    track::Run got = MustGetRun(run.run_id);
    const Metric* m = FindMetric(got.data.metrics, "loss");
    EXPECT_NE(m, nullptr);
    return m ? *m : Metric{};
  };
  EXPECT_EQ(latest().value, 1.0);
  EXPECT_EQ(latest().step, 2);
  EXPECT_EQ(latest().timestamp, 10);
  ASSERT_OK(store().LogMetric(run.run_id, MakeMetric("loss", 0.1, 11, 2)));  // later timestamp
  EXPECT_EQ(latest().value, 0.1);
  ASSERT_OK(store().LogMetric(run.run_id, MakeMetric("loss", 7.0, 1, 3)));  // greater step
  EXPECT_EQ(latest().value, 7.0);
  EXPECT_EQ(latest().step, 3);
  EXPECT_EQ(History(store(), run.run_id, "loss").size(), 5u);
}

TEST_P(StoreTest, MetricHistoryIsAppendOnlyAndDropsExactDuplicates) {
  RunInfo run = NewRun("0");
  ASSERT_OK(store().LogMetric(run.run_id, MakeMetric("acc", 0.5, 100, 1)));
  ASSERT_OK(store().LogMetric(run.run_id, MakeMetric("acc", 0.5, 100, 1)));  // exact duplicate
  ASSERT_OK(store().LogMetric(run.run_id, MakeMetric("acc", 0.6, 100, 1)));  // another value
  ASSERT_OK(store().LogMetric(run.run_id, MakeMetric("acc", 0.4, 50, 2)));
  std::vector<Metric> history = History(store(), run.run_id, "acc");
  ASSERT_EQ(history.size(), 3u);
  // Ordered by timestamp, then step.
  EXPECT_EQ(history[0].timestamp, 50);
  EXPECT_EQ(history[1].timestamp, 100);
  EXPECT_EQ(history[2].timestamp, 100);
  EXPECT_EQ(history[0].key, "acc");
  EXPECT_TRUE(History(store(), run.run_id, "other").empty());
}

TEST_P(StoreTest, MetricsKeepNaNAndInfinities) {
  RunInfo run = NewRun("0");
  const double inf = std::numeric_limits<double>::infinity();
  ASSERT_OK(store().LogMetric(run.run_id, MakeMetric("nan", std::nan(""))));
  ASSERT_OK(store().LogMetric(run.run_id, MakeMetric("pinf", inf)));
  ASSERT_OK(store().LogMetric(run.run_id, MakeMetric("ninf", -inf)));
  track::Run got = MustGetRun(run.run_id);
  ASSERT_EQ(got.data.metrics.size(), 3u);
  EXPECT_TRUE(std::isnan(FindMetric(got.data.metrics, "nan")->value));
  EXPECT_EQ(FindMetric(got.data.metrics, "pinf")->value, inf);
  EXPECT_EQ(FindMetric(got.data.metrics, "ninf")->value, -inf);
  std::vector<Metric> history = History(store(), run.run_id, "nan");
  ASSERT_EQ(history.size(), 1u);
  EXPECT_TRUE(std::isnan(history[0].value));
  // A NaN point logged twice is a duplicate too.
  ASSERT_OK(store().LogMetric(run.run_id, MakeMetric("nan", std::nan(""))));
  EXPECT_EQ(History(store(), run.run_id, "nan").size(), 1u);
}

TEST_P(StoreTest, RunDataIsSortedByKey) {
  RunInfo run = NewRun("0");
  ASSERT_OK(store().LogBatch(run.run_id, {MakeMetric("b", 1), MakeMetric("a", 2)},
                             {{"z", "1"}, {"y", "2"}}, {}));
  track::Run got = MustGetRun(run.run_id);
  ASSERT_EQ(got.data.metrics.size(), 2u);
  EXPECT_EQ(got.data.metrics[0].key, "a");
  EXPECT_EQ(got.data.params[0].key, "y");
}

TEST_P(StoreTest, KeyNamesMustBePathLike) {
  RunInfo run = NewRun("0");
  for (const char* good : {"acc", "f1 score", "val/acc", "a.b-c_d", "epoch:1", "métrique"}) {
    EXPECT_OK(store().LogMetric(run.run_id, MakeMetric(good, 1))) << good;
    EXPECT_OK(store().LogParam(run.run_id, {good, "v"})) << good;
    EXPECT_OK(store().SetTag(run.run_id, {good, "v"})) << good;
  }
  for (const char* bad : {"", "a/../b", "../a", "/abs", "a//b", "a/", "./a", ".", "a/.", "bad!key",
                          "tab\tkey", "semi;colon", "q'uote"}) {
    EXPECT_CODE(store().LogMetric(run.run_id, MakeMetric(bad, 1)), kInvalidParameterValue);
    EXPECT_CODE(store().LogParam(run.run_id, {bad, "v"}), kInvalidParameterValue);
    EXPECT_CODE(store().SetTag(run.run_id, {bad, "v"}), kInvalidParameterValue);
  }
  Status message = store().LogMetric(run.run_id, MakeMetric("a/../b", 1));
  EXPECT_NE(message.message().find("Invalid metric name: 'a/../b'"), std::string::npos)
      << message.ToString();
}

TEST_P(StoreTest, LengthLimits) {
  RunInfo run = NewRun("0");
  EXPECT_OK(store().LogMetric(run.run_id, MakeMetric(std::string(250, 'k'), 1)));
  EXPECT_CODE(store().LogMetric(run.run_id, MakeMetric(std::string(251, 'k'), 1)),
              kInvalidParameterValue);
  EXPECT_OK(store().LogParam(run.run_id, {"p", std::string(6000, 'v')}));
  EXPECT_CODE(store().LogParam(run.run_id, {"q", std::string(6001, 'v')}), kInvalidParameterValue);
  EXPECT_CODE(store().LogParam(run.run_id, {std::string(251, 'k'), "v"}), kInvalidParameterValue);
  EXPECT_OK(store().SetTag(run.run_id, {"t", std::string(8000, 'v')}));
  EXPECT_CODE(store().SetTag(run.run_id, {"t", std::string(8001, 'v')}), kInvalidParameterValue);
  // Characters, not bytes: 6000 two-byte characters fit.
  std::string wide;
  for (int i = 0; i < 6000; ++i) wide += "é";
  EXPECT_OK(store().LogParam(run.run_id, {"wide", wide}));
  EXPECT_CODE(store().LogMetric(run.run_id, MakeMetric("m", 1, /*timestamp=*/-1)),
              kInvalidParameterValue);
}

TEST_P(StoreTest, WritesNeedAnExistingActiveRun) {
  const std::string missing = "0123456789abcdef0123456789abcdef";
  EXPECT_CODE(store().LogMetric(missing, MakeMetric("m", 1)), kResourceDoesNotExist);
  EXPECT_CODE(store().LogParam(missing, {"p", "v"}), kResourceDoesNotExist);
  EXPECT_CODE(store().LogBatch(missing, {MakeMetric("m", 1)}, {}, {}), kResourceDoesNotExist);
  EXPECT_CODE(store().LogInputs(missing, {}, {}), kResourceDoesNotExist);
  EXPECT_CODE(store().LogOutputs(missing, {}), kResourceDoesNotExist);

  RunInfo run = NewRun("0");
  ASSERT_OK(store().DeleteRun(run.run_id));
  const std::string model_json =
      R"({"artifact_path": "model", "flavors": {}, "run_id": "x", "utc_time_created": "t"})";
  EXPECT_CODE(store().LogMetric(run.run_id, MakeMetric("m", 1)), kInvalidParameterValue);
  EXPECT_CODE(store().LogParam(run.run_id, {"p", "v"}), kInvalidParameterValue);
  EXPECT_CODE(store().SetTag(run.run_id, {"t", "v"}), kInvalidParameterValue);
  EXPECT_CODE(store().LogBatch(run.run_id, {MakeMetric("m", 1)}, {}, {}), kInvalidParameterValue);
  EXPECT_CODE(store().LogModel(run.run_id, model_json), kInvalidParameterValue);
  EXPECT_CODE(store().LogInputs(run.run_id, {}, {"m-1"}), kInvalidParameterValue);
  EXPECT_CODE(store().LogOutputs(run.run_id, {{"m-1", 0}}), kInvalidParameterValue);
  track::Run got = MustGetRun(run.run_id);
  EXPECT_TRUE(got.data.metrics.empty());
  EXPECT_TRUE(got.data.params.empty());
}

TEST_P(StoreTest, LogBatchWritesMetricsParamsAndTags) {
  RunInfo run = NewRun("0");
  ASSERT_OK(store().LogBatch(run.run_id, {MakeMetric("m", 1, 10, 0), MakeMetric("m", 2, 20, 1)},
                             {{"p", "1"}, {"p", "1"}, {"q", "2"}}, {{"t", "x"}, {"t", "y"}}));
  track::Run got = MustGetRun(run.run_id);
  EXPECT_EQ(FindMetric(got.data.metrics, "m")->value, 2);
  EXPECT_EQ(History(store(), run.run_id, "m").size(), 2u);
  ASSERT_EQ(got.data.params.size(), 2u);
  bool found = false;
  for (const Tag& tag : got.data.tags) {
    if (tag.key == "t") {
      EXPECT_EQ(tag.value, "y");  // the last value of a key wins
      found = true;
    }
  }
  EXPECT_TRUE(found);
  // A param already logged with the same value is fine.
  EXPECT_OK(store().LogBatch(run.run_id, {}, {{"p", "1"}}, {}));
}

TEST_P(StoreTest, LogBatchLimits) {
  RunInfo run = NewRun("0");
  std::vector<Metric> metrics;
  for (int i = 0; i < 1001; ++i) metrics.push_back(MakeMetric("m" + std::to_string(i), i));
  std::vector<Param> params;
  for (int i = 0; i < 101; ++i) params.push_back({"p" + std::to_string(i), "v"});
  std::vector<Tag> tags;
  for (int i = 0; i < 101; ++i) tags.push_back({"t" + std::to_string(i), "v"});
  EXPECT_CODE(store().LogBatch(run.run_id, metrics, {}, {}), kInvalidParameterValue);
  EXPECT_CODE(store().LogBatch(run.run_id, {}, params, {}), kInvalidParameterValue);
  EXPECT_CODE(store().LogBatch(run.run_id, {}, {}, tags), kInvalidParameterValue);
  metrics.resize(1000);
  params.resize(100);
  tags.resize(100);
  EXPECT_CODE(store().LogBatch(run.run_id, metrics, params, {}), kInvalidParameterValue);
  metrics.resize(900);
  EXPECT_OK(store().LogBatch(run.run_id, metrics, params, {}));
  EXPECT_EQ(MustGetRun(run.run_id).data.metrics.size(), 900u);
}

TEST_P(StoreTest, LogBatchRefusesOneKeyWithTwoValues) {
  RunInfo run = NewRun("0");
  EXPECT_CODE(store().LogBatch(run.run_id, {}, {{"p", "1"}, {"p", "2"}}, {}),
              kInvalidParameterValue);
  EXPECT_TRUE(MustGetRun(run.run_id).data.params.empty());
}

TEST_P(StoreTest, LogBatchIsAllOrNothing) {
  RunInfo run = NewRun("0");
  ASSERT_OK(store().LogParam(run.run_id, {"fixed", "a"}));
  // The param change fails the batch: none of its metrics, params or tags stay.
  Status status = store().LogBatch(run.run_id, {MakeMetric("m", 1)}, {{"new", "x"}, {"fixed", "b"}},
                                   {{"t", "v"}});
  EXPECT_CODE(status, kInvalidParameterValue);
  EXPECT_NE(status.message().find("Changing param values is not allowed"), std::string::npos);
  track::Run got = MustGetRun(run.run_id);
  EXPECT_TRUE(got.data.metrics.empty());
  ASSERT_EQ(got.data.params.size(), 1u);
  EXPECT_EQ(got.data.params[0], (Param{"fixed", "a"}));
  for (const Tag& tag : got.data.tags) EXPECT_NE(tag.key, "t");
  EXPECT_TRUE(History(store(), run.run_id, "m").empty());
  // A bad key anywhere fails the whole batch too.
  EXPECT_CODE(
      store().LogBatch(run.run_id, {MakeMetric("ok", 1), MakeMetric("bad/../k", 1)}, {}, {}),
      kInvalidParameterValue);
  EXPECT_TRUE(MustGetRun(run.run_id).data.metrics.empty());
}

TEST_P(StoreTest, LogModelAppendsToTheHistoryTag) {
  RunInfo run = NewRun("0");
  const std::string model =
      R"({"artifact_path": "model", "run_id": ")" + run.run_id +
      R"(", "utc_time_created": "2024-01-01 00:00:00.000000", "model_uuid": "abc",
          "flavors": {"sklearn": {"sklearn_version": "1.3", "config": {"x": 1}},
                      "python_function": {"loader_module": "mlflow.sklearn"}},
          "signature": {"inputs": "[]"}})";
  ASSERT_OK(store().LogModel(run.run_id, model));
  ASSERT_OK(store().LogModel(run.run_id, model));
  std::string history;
  for (const Tag& tag : MustGetRun(run.run_id).data.tags) {
    if (tag.key == "mlflow.log-model.history") history = tag.value;
  }
  Result<core::Value> parsed = core::ParseJson(history, "history");
  ASSERT_OK(parsed);
  ASSERT_TRUE(parsed->is_sequence());
  ASSERT_EQ(parsed->size(), 2u);
  const core::Value& entry = parsed->items()[0];
  EXPECT_EQ(entry.Find("artifact_path")->AsString(), "model");
  EXPECT_EQ(entry.Find("run_id")->AsString(), run.run_id);
  EXPECT_EQ(entry.Find("model_uuid")->AsString(), "abc");
  EXPECT_EQ(entry.Find("signature"), nullptr);  // MLflow keeps only the summary
  const core::Value* sklearn = entry.Find("flavors")->Find("sklearn");
  ASSERT_NE(sklearn, nullptr);
  EXPECT_EQ(sklearn->Find("sklearn_version")->AsString(), "1.3");
  EXPECT_EQ(sklearn->Find("config"), nullptr);

  EXPECT_CODE(store().LogModel(run.run_id, "not json"), kInvalidParameterValue);
  EXPECT_CODE(store().LogModel(run.run_id, R"({"artifact_path": "m"})"), kInvalidParameterValue);
  EXPECT_CODE(store().LogModel(run.run_id, ""), kInvalidParameterValue);
  EXPECT_CODE(store().LogModel("nope", model), kResourceDoesNotExist);
}

TEST_P(StoreTest, LogInputsAndOutputs) {
  RunInfo run = NewRun("0");
  DatasetInput train;
  train.dataset = {"train", "d1", "local", "/data/train.csv", R"({"mlflow_colspec": []})", ""};
  train.tags = {{"mlflow.data.context", "training"}};
  DatasetInput eval;
  eval.dataset = {"eval", "d2", "local", "/data/eval.csv", "", ""};
  ASSERT_OK(store().LogInputs(run.run_id, {train, eval, train}, {"m-0123"}));
  ASSERT_OK(store().LogInputs(run.run_id, {train}, {}));  // already an input: no duplicate
  ASSERT_OK(store().LogOutputs(run.run_id, {{"m-0123", 3}, {"m-0456", 5}}));
  track::Run got = MustGetRun(run.run_id);
  ASSERT_EQ(got.inputs.dataset_inputs.size(), 2u);
  const DatasetInput& first = got.inputs.dataset_inputs[0];
  EXPECT_EQ(first.dataset.name, "train");
  EXPECT_EQ(first.dataset.digest, "d1");
  EXPECT_EQ(first.dataset.source_type, "local");
  EXPECT_EQ(first.dataset.source, "/data/train.csv");
  EXPECT_EQ(first.dataset.schema, R"({"mlflow_colspec": []})");
  ASSERT_EQ(first.tags.size(), 1u);
  EXPECT_EQ(first.tags[0], (Tag{"mlflow.data.context", "training"}));
  EXPECT_EQ(got.inputs.dataset_inputs[1].dataset.name, "eval");
  EXPECT_TRUE(got.inputs.dataset_inputs[1].tags.empty());
  ASSERT_EQ(got.inputs.model_inputs.size(), 1u);
  EXPECT_EQ(got.inputs.model_inputs[0], "m-0123");
  ASSERT_EQ(got.outputs.model_outputs.size(), 2u);
  EXPECT_EQ(got.outputs.model_outputs[0].model_id, "m-0123");
  EXPECT_EQ(got.outputs.model_outputs[0].step, 3);

  DatasetInput bad = train;
  bad.dataset.digest = "";
  EXPECT_CODE(store().LogInputs(run.run_id, {bad}, {}), kInvalidParameterValue);
  bad = train;
  bad.dataset.digest = std::string(37, 'd');
  EXPECT_CODE(store().LogInputs(run.run_id, {bad}, {}), kInvalidParameterValue);
  EXPECT_CODE(store().LogOutputs(run.run_id, {{"", 1}}), kInvalidParameterValue);
}

TEST_P(StoreTest, MetricHistoryPages) {
  RunInfo run = NewRun("0");
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(store().LogMetric(run.run_id, MakeMetric("m", i, 100 + i, i)));
  }
  MetricHistoryRequest request;
  request.run_id = run.run_id;
  request.metric_key = "m";
  request.max_results = 2;
  std::vector<int64_t> steps;
  int pages = 0;
  do {
    Result<Page<Metric>> page = store().GetMetricHistory(request);
    ASSERT_OK(page);
    ++pages;
    for (const Metric& m : page->items) steps.push_back(m.step);
    request.page_token = page->next_page_token;
  } while (!request.page_token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(steps, (std::vector<int64_t>{0, 1, 2, 3, 4}));
  request.page_token = "garbage!";
  EXPECT_CODE(store().GetMetricHistory(request), kInvalidParameterValue);
  request.page_token = "";
  request.max_results = 0;
  EXPECT_CODE(store().GetMetricHistory(request), kInvalidParameterValue);
}

TEST_P(StoreTest, BulkIntervalSamplesStepsKeepingEachRunsEnds) {
  RunInfo a = NewRun("0");
  RunInfo b = NewRun("0");
  for (int step = 0; step < 100; ++step) {
    ASSERT_OK(store().LogMetric(a.run_id, MakeMetric("loss", step, 1000 + step, step)));
  }
  for (int step = 10; step < 20; ++step) {
    ASSERT_OK(store().LogMetric(b.run_id, MakeMetric("loss", step, 1000 + step, step)));
  }
  BulkIntervalRequest request;
  request.run_ids = {a.run_id, b.run_id};
  request.metric_key = "loss";
  request.max_results = 10;
  Result<std::vector<MetricWithRunId>> points = store().GetMetricHistoryBulkInterval(request);
  ASSERT_OK(points);
  std::vector<int64_t> a_steps;
  std::vector<int64_t> b_steps;
  for (const MetricWithRunId& p : *points) {
    (p.run_id == a.run_id ? a_steps : b_steps).push_back(p.metric.step);
  }
  ASSERT_FALSE(a_steps.empty());
  EXPECT_EQ(a_steps.front(), 0);
  EXPECT_EQ(a_steps.back(), 99);
  EXPECT_LE(a_steps.size(), 13u);  // 10 sampled + each run's first and last
  EXPECT_TRUE(std::is_sorted(a_steps.begin(), a_steps.end()));
  ASSERT_FALSE(b_steps.empty());
  EXPECT_EQ(b_steps.front(), 10);
  EXPECT_EQ(b_steps.back(), 19);

  request.start_step = 20;
  request.end_step = 29;
  points = store().GetMetricHistoryBulkInterval(request);
  ASSERT_OK(points);
  ASSERT_EQ(points->size(), 10u);  // all of a's steps 20..29 fit
  for (const MetricWithRunId& p : *points) {
    EXPECT_EQ(p.run_id, a.run_id);
    EXPECT_GE(p.metric.step, 20);
    EXPECT_LE(p.metric.step, 29);
  }

  BulkIntervalRequest bad = request;
  bad.start_step = 30;
  bad.end_step = 20;
  EXPECT_CODE(store().GetMetricHistoryBulkInterval(bad), kInvalidParameterValue);
  bad = request;
  bad.end_step.reset();
  EXPECT_CODE(store().GetMetricHistoryBulkInterval(bad), kInvalidParameterValue);
  bad = request;
  bad.run_ids.clear();
  EXPECT_CODE(store().GetMetricHistoryBulkInterval(bad), kInvalidParameterValue);
  bad.run_ids.assign(101, a.run_id);
  EXPECT_CODE(store().GetMetricHistoryBulkInterval(bad), kInvalidParameterValue);
  bad = request;
  bad.max_results = 0;
  EXPECT_CODE(store().GetMetricHistoryBulkInterval(bad), kInvalidParameterValue);
  bad.max_results = 2501;
  EXPECT_CODE(store().GetMetricHistoryBulkInterval(bad), kInvalidParameterValue);
}

}  // namespace
}  // namespace cairn::track::testing
