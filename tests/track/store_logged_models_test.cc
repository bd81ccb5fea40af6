// TrackingStore suite: MLflow 3 logged models.
#include <thread>

#include "store_suite.h"

namespace cairn::track::testing {
namespace {

LoggedModel MustCreateModel(TrackingStore& store, const std::string& experiment_id,
                            const std::string& name, std::vector<Tag> tags = {},
                            std::vector<Param> params = {}, const std::string& source_run = "") {
  CreateLoggedModelRequest request;
  request.experiment_id = experiment_id;
  request.name = name;
  request.model_type = "sklearn";
  request.source_run_id = source_run;
  request.tags = std::move(tags);
  request.params = std::move(params);
  Result<LoggedModel> model = store.CreateLoggedModel(request);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? *model : LoggedModel{};
}

std::vector<std::string> ModelNames(const Result<Page<LoggedModel>>& page) {
  EXPECT_TRUE(page.ok()) << page.status().ToString();
  std::vector<std::string> names;
  if (page.ok()) {
    for (const LoggedModel& m : page->items) names.push_back(m.name);
  }
  return names;
}

TEST_P(StoreTest, CreateAndGetLoggedModel) {
  std::string exp = NewExperiment();
  RunInfo run = NewRun(exp);
  LoggedModel model =
      MustCreateModel(store(), exp, "classifier", {{"k", "v"}}, {{"alpha", "0.5"}}, run.run_id);
  EXPECT_TRUE(model.model_id.starts_with("m-") && IsHexId(model.model_id.substr(2)))
      << model.model_id;
  EXPECT_EQ(model.experiment_id, exp);
  EXPECT_EQ(model.name, "classifier");
  EXPECT_EQ(model.status, LoggedModelStatus::kPending);
  EXPECT_EQ(model.model_type, "sklearn");
  EXPECT_EQ(model.source_run_id, run.run_id);
  EXPECT_GT(model.creation_timestamp_ms, 0);
  Result<Experiment> e = store().GetExperiment(exp);
  ASSERT_OK(e);
  EXPECT_EQ(model.artifact_uri, e->artifact_location + "/models/" + model.model_id + "/artifacts");
  ASSERT_EQ(model.tags.size(), 1u);
  EXPECT_EQ(model.tags[0], (Tag{"k", "v"}));
  ASSERT_EQ(model.params.size(), 1u);
  EXPECT_EQ(model.params[0], (Param{"alpha", "0.5"}));

  Result<LoggedModel> got = store().GetLoggedModel(model.model_id);
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "classifier");
  EXPECT_EQ(got->artifact_uri, model.artifact_uri);

  // A name is made up when none is given.
  LoggedModel unnamed = MustCreateModel(store(), exp, "");
  EXPECT_FALSE(unnamed.name.empty());
}

TEST_P(StoreTest, CreateLoggedModelRefusesBadInput) {
  CreateLoggedModelRequest request;
  request.experiment_id = "424242";
  EXPECT_CODE(store().CreateLoggedModel(request), kResourceDoesNotExist);
  request.experiment_id = "";
  EXPECT_CODE(store().CreateLoggedModel(request), kInvalidParameterValue);
  request.experiment_id = "0";
  for (const char* bad : {"a/b", "a:b", "a.b", "50%", "it's"}) {
    request.name = bad;
    EXPECT_CODE(store().CreateLoggedModel(request), kInvalidParameterValue) << bad;
  }
  request.name = "ok";
  request.tags = {{"../k", "v"}};
  EXPECT_CODE(store().CreateLoggedModel(request), kInvalidParameterValue);
  std::string exp = NewExperiment();
  ASSERT_OK(store().DeleteExperiment(exp));
  request.tags.clear();
  request.experiment_id = exp;
  EXPECT_CODE(store().CreateLoggedModel(request), kInvalidParameterValue);
}

TEST_P(StoreTest, FinalizeAndDeleteLoggedModel) {
  LoggedModel model = MustCreateModel(store(), "0", "m");
  Result<LoggedModel> ready =
      store().FinalizeLoggedModel(model.model_id, LoggedModelStatus::kReady);
  ASSERT_OK(ready);
  EXPECT_EQ(ready->status, LoggedModelStatus::kReady);
  EXPECT_EQ(store().GetLoggedModel(model.model_id)->status, LoggedModelStatus::kReady);
  ASSERT_OK(store().DeleteLoggedModel(model.model_id));
  EXPECT_CODE(store().GetLoggedModel(model.model_id), kResourceDoesNotExist);
  EXPECT_CODE(store().DeleteLoggedModel(model.model_id), kResourceDoesNotExist);
  EXPECT_CODE(store().FinalizeLoggedModel(model.model_id, LoggedModelStatus::kReady),
              kResourceDoesNotExist);
  EXPECT_CODE(store().GetLoggedModel("m-00000000000000000000000000000000"), kResourceDoesNotExist);
}

TEST_P(StoreTest, LoggedModelTagsAndParams) {
  LoggedModel model = MustCreateModel(store(), "0", "m", {{"a", "1"}});
  Result<LoggedModel> tagged = store().SetLoggedModelTags(model.model_id, {{"a", "2"}, {"b", "3"}});
  ASSERT_OK(tagged);
  ASSERT_EQ(tagged->tags.size(), 2u);
  EXPECT_EQ(tagged->tags[0], (Tag{"a", "2"}));
  ASSERT_OK(store().DeleteLoggedModelTag(model.model_id, "a"));
  EXPECT_CODE(store().DeleteLoggedModelTag(model.model_id, "a"), kResourceDoesNotExist);
  EXPECT_EQ(store().GetLoggedModel(model.model_id)->tags.size(), 1u);
  ASSERT_OK(store().LogLoggedModelParams(model.model_id, {{"p", "1"}, {"q", "2"}}));
  EXPECT_OK(store().LogLoggedModelParams(model.model_id, {{"p", "1"}}));
  EXPECT_CODE(store().LogLoggedModelParams(model.model_id, {{"p", "9"}}), kInvalidParameterValue);
  EXPECT_EQ(store().GetLoggedModel(model.model_id)->params.size(), 2u);
  EXPECT_CODE(store().SetLoggedModelTags("m-nope", {{"a", "1"}}), kResourceDoesNotExist);
  EXPECT_CODE(store().LogLoggedModelParams("m-nope", {{"a", "1"}}), kResourceDoesNotExist);
  EXPECT_CODE(store().SetLoggedModelTags(model.model_id, {{"bad!", "1"}}), kInvalidParameterValue);
}

TEST_P(StoreTest, MetricsLoggedOnAModelBelongToIt) {
  RunInfo run = NewRun("0");
  LoggedModel model = MustCreateModel(store(), "0", "m", {}, {}, run.run_id);
  Metric metric = MakeMetric("accuracy", 0.93, 100, 1);
  metric.model_id = model.model_id;
  metric.dataset_name = "eval";
  metric.dataset_digest = "d2";
  ASSERT_OK(store().LogMetric(run.run_id, metric));
  Result<LoggedModel> got = store().GetLoggedModel(model.model_id);
  ASSERT_OK(got);
  ASSERT_EQ(got->metrics.size(), 1u);
  EXPECT_EQ(got->metrics[0].key, "accuracy");
  EXPECT_EQ(got->metrics[0].value, 0.93);
  EXPECT_EQ(got->metrics[0].dataset_name, "eval");
  MetricHistoryRequest history;
  history.run_id = run.run_id;
  history.metric_key = "accuracy";
  Result<Page<Metric>> points = store().GetMetricHistory(history);
  ASSERT_OK(points);
  ASSERT_EQ(points->items.size(), 1u);
  EXPECT_EQ(points->items[0].model_id, model.model_id);
  EXPECT_EQ(points->items[0].dataset_digest, "d2");
}

TEST_P(StoreTest, SearchLoggedModels) {
  std::string exp = NewExperiment();
  RunInfo run = NewRun(exp);
  MustCreateModel(store(), exp, "alpha", {{"stage", "dev"}}, {{"depth", "3"}}, run.run_id);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  LoggedModel beta = MustCreateModel(store(), exp, "beta", {{"stage", "prod"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  LoggedModel gamma = MustCreateModel(store(), exp, "gamma");
  MustCreateModel(store(), "0", "elsewhere");
  ASSERT_OK(store().FinalizeLoggedModel(beta.model_id, LoggedModelStatus::kReady));
  ASSERT_OK(store().DeleteLoggedModel(gamma.model_id));

  SearchLoggedModelsRequest request;
  request.experiment_ids = {exp};
  using Names = std::vector<std::string>;
  EXPECT_EQ(ModelNames(store().SearchLoggedModels(request)), Names({"beta", "alpha"}));
  auto with = [&](const std::string& filter) {
    SearchLoggedModelsRequest r = request;
    r.filter = filter;
    return ModelNames(store().SearchLoggedModels(r));
  };
  EXPECT_EQ(with("name = 'alpha'"), Names({"alpha"}));
  EXPECT_EQ(with("name LIKE '%a'"), Names({"beta", "alpha"}));
  EXPECT_EQ(with("status = 'LOGGED_MODEL_READY'"), Names({"beta"}));
  EXPECT_EQ(with("status = 'READY'"), Names({"beta"}));
  EXPECT_EQ(with("source_run_id = '" + run.run_id + "'"), Names({"alpha"}));
  EXPECT_EQ(with("tags.stage = 'prod'"), Names({"beta"}));
  EXPECT_EQ(with("params.depth = '3'"), Names({"alpha"}));
  EXPECT_EQ(with("creation_timestamp > 0 AND name != 'beta'"), Names({"alpha"}));
  SearchLoggedModelsRequest bad = request;
  bad.filter = "name = 'a' OR name = 'b'";
  EXPECT_CODE(store().SearchLoggedModels(bad), kInvalidParameterValue);
  bad.filter = "nope = 'a'";
  EXPECT_CODE(store().SearchLoggedModels(bad), kInvalidParameterValue);

  request.order_by = {{"name", true, "", ""}};
  EXPECT_EQ(ModelNames(store().SearchLoggedModels(request)), Names({"alpha", "beta"}));
  request.max_results = 1;
  Result<Page<LoggedModel>> first = store().SearchLoggedModels(request);
  EXPECT_EQ(ModelNames(first), Names({"alpha"}));
  ASSERT_FALSE(first->next_page_token.empty());
  request.page_token = first->next_page_token;
  Result<Page<LoggedModel>> second = store().SearchLoggedModels(request);
  EXPECT_EQ(ModelNames(second), Names({"beta"}));
  EXPECT_TRUE(second->next_page_token.empty());

  SearchLoggedModelsRequest none;
  EXPECT_EQ(ModelNames(store().SearchLoggedModels(none)), Names({}));
}

TEST_P(StoreTest, SearchLoggedModelsByMetric) {
  RunInfo run = NewRun("0");
  LoggedModel good = MustCreateModel(store(), "0", "good");
  LoggedModel bad = MustCreateModel(store(), "0", "bad");
  MustCreateModel(store(), "0", "unscored");
  for (auto [model, value] : {std::pair{good, 0.9}, std::pair{bad, 0.2}}) {
    Metric m = MakeMetric("acc", value);
    m.model_id = model.model_id;
    ASSERT_OK(store().LogMetric(run.run_id, m));
  }
  SearchLoggedModelsRequest request;
  request.experiment_ids = {"0"};
  request.filter = "metrics.acc > 0.5";
  EXPECT_EQ(ModelNames(store().SearchLoggedModels(request)), std::vector<std::string>({"good"}));
  request.filter = "";
  request.order_by = {{"metrics.acc", false, "", ""}};
  EXPECT_EQ(ModelNames(store().SearchLoggedModels(request)),
            std::vector<std::string>({"good", "bad", "unscored"}));
  request.order_by = {{"metrics.acc", true, "", ""}};
  EXPECT_EQ(ModelNames(store().SearchLoggedModels(request)),
            std::vector<std::string>({"bad", "good", "unscored"}));
}

}  // namespace
}  // namespace cairn::track::testing
