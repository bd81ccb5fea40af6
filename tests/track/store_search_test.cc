// TrackingStore suite: SearchRuns (filter grammar, entities and aliases, ordering, pages, view
// types).
#include <algorithm>
#include <cmath>
#include <set>

#include "store_suite.h"

namespace cairn::track::testing {
namespace {

using Ids = std::vector<std::string>;

// Three runs with known data in a fresh experiment:
//   a: start 100, acc 0.9, loss NaN, lr '0.1', model 'cnn',  tag team 'Red',  user alice
//   b: start 200, acc 0.5,           lr '0.01', model 'CNN-2', tag team 'blue', FINISHED, end 250
//   c: start 300,          loss 1,   lr '0.1',               tag team 'red'
class SearchTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    exp_ = NewExperiment("search");
    a_ = NewRun(exp_, 100, "run-a").run_id;
    b_ = NewRun(exp_, 200, "run-b").run_id;
    c_ = NewRun(exp_, 300, "Run C").run_id;
    ASSERT_OK(store().LogBatch(a_, {MakeMetric("acc", 0.9), MakeMetric("loss", std::nan(""))},
                               {{"lr", "0.1"}, {"model", "cnn"}}, {{"team", "Red"}}));
    ASSERT_OK(store().LogBatch(b_, {MakeMetric("acc", 0.5), MakeMetric("f1 score", 0.7)},
                               {{"lr", "0.01"}, {"model", "CNN-2"}}, {{"team", "blue"}}));
    ASSERT_OK(store().LogBatch(c_, {MakeMetric("loss", 1)}, {{"lr", "0.1"}}, {{"team", "red"}}));
    UpdateRunRequest finish;
    finish.run_id = b_;
    finish.status = RunStatus::kFinished;
    finish.end_time = 250;
    ASSERT_OK(store().UpdateRun(finish));
  }

  // The ids matching `filter`, in the default order (start_time DESC).
  Ids Find(const std::string& filter) { return SearchIds(exp_, filter); }
  core::Code CodeOf(const std::string& filter, std::vector<std::string> order = {}) {
    return SearchCode(exp_, filter, std::move(order));
  }
  Ids Order(std::vector<std::string> order, const std::string& filter = "") {
    return SearchIds(exp_, filter, std::move(order));
  }

  std::string exp_, a_, b_, c_;
};

INSTANTIATE_TEST_SUITE_P(Backends, SearchTest, ::testing::ValuesIn(StoreBackends()),
                         [](const ::testing::TestParamInfo<StoreBackend>& info) {
                           return info.param.name;
                         });

TEST_P(SearchTest, EmptyFilterFindsEveryRunNewestFirst) {
  EXPECT_EQ(Find(""), Ids({c_, b_, a_}));
  EXPECT_EQ(Find("   "), Ids({c_, b_, a_}));
}

TEST_P(SearchTest, SearchedRunsCarryTheirData) {
  SearchRunsRequest request;
  request.experiment_ids = {exp_};
  request.filter = "params.model = 'cnn'";
  Result<Page<track::Run>> page = store().SearchRuns(request);
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 1u);
  const track::Run& run = page->items[0];
  EXPECT_EQ(run.info.run_id, a_);
  EXPECT_EQ(run.info.run_name, "run-a");
  EXPECT_EQ(run.info.user_id, "alice");
  ASSERT_EQ(run.data.metrics.size(), 2u);
  EXPECT_EQ(run.data.metrics[0].key, "acc");
  EXPECT_EQ(run.data.metrics[0].value, 0.9);
  EXPECT_TRUE(std::isnan(run.data.metrics[1].value));
  EXPECT_EQ(run.data.params.size(), 2u);
  EXPECT_FALSE(run.data.tags.empty());
}

TEST_P(SearchTest, MetricComparisonsUseTheLatestValueAndNeedTheMetric) {
  EXPECT_EQ(Find("metrics.acc > 0.6"), Ids({a_}));
  EXPECT_EQ(Find("metrics.acc >= 0.5"), Ids({b_, a_}));
  EXPECT_EQ(Find("metrics.acc < 0.9"), Ids({b_}));
  EXPECT_EQ(Find("metrics.acc <= 0.9"), Ids({b_, a_}));
  EXPECT_EQ(Find("metrics.acc = 0.5"), Ids({b_}));
  EXPECT_EQ(Find("metrics.acc != 0.5"), Ids({a_}));  // c has no acc: never matches
  EXPECT_EQ(Find("metric.acc > 0"), Ids({b_, a_}));
  EXPECT_EQ(Find("metrics.acc > -1e3"), Ids({b_, a_}));
  EXPECT_EQ(Find("metrics.`f1 score` > 0.6"), Ids({b_}));
  EXPECT_EQ(Find("metrics.\"f1 score\" > 0.6"), Ids({b_}));
  // NaN compares false, except for !=.
  EXPECT_EQ(Find("metrics.loss > 0"), Ids({c_}));
  EXPECT_EQ(Find("metrics.loss <= 1"), Ids({c_}));
  EXPECT_EQ(Find("metrics.loss = 0"), Ids({}));
  EXPECT_EQ(Find("metrics.loss != 1"), Ids({a_}));
  // The latest value, not any value.
  ASSERT_OK(store().LogMetric(a_, MakeMetric("acc", 0.1, 5000, 9)));
  EXPECT_EQ(Find("metrics.acc > 0.6"), Ids({}));
  EXPECT_EQ(Find("metrics.acc < 0.2"), Ids({a_}));
}

TEST_P(SearchTest, ParamsAndTags) {
  EXPECT_EQ(Find("params.lr = '0.1'"), Ids({c_, a_}));
  EXPECT_EQ(Find("params.lr != '0.1'"), Ids({b_}));
  EXPECT_EQ(Find("params.model != 'cnn'"), Ids({b_}));  // c has no model param
  EXPECT_EQ(Find("params.model LIKE 'cnn%'"), Ids({a_}));
  EXPECT_EQ(Find("params.model LIKE 'CNN%'"), Ids({b_}));
  EXPECT_EQ(Find("params.model ILIKE 'cnn%'"), Ids({b_, a_}));
  EXPECT_EQ(Find("params.model LIKE 'c_n'"), Ids({a_}));
  EXPECT_EQ(Find("param.lr = \"0.01\""), Ids({b_}));
  EXPECT_EQ(Find("parameter.lr = '0.01'"), Ids({b_}));
  EXPECT_EQ(Find("parameters.lr = '0.01'"), Ids({b_}));
  EXPECT_EQ(Find("tags.team = 'red'"), Ids({c_}));
  EXPECT_EQ(Find("tags.team ILIKE 'red'"), Ids({c_, a_}));
  EXPECT_EQ(Find("tag.team LIKE '%e%'"), Ids({c_, b_, a_}));
  EXPECT_EQ(Find("tags.`mlflow.runName` = 'Run C'"), Ids({c_}));
  EXPECT_EQ(Find("tags.mlflow.runName = 'run-b'"), Ids({b_}));
  EXPECT_EQ(Find("params.lr = '0.1' AND tags.team = 'Red'"), Ids({a_}));
  EXPECT_EQ(Find("params.lr = '0.1' and metrics.loss > 0"), Ids({c_}));
}

TEST_P(SearchTest, Attributes) {
  EXPECT_EQ(Find("attributes.run_id = '" + a_ + "'"), Ids({a_}));
  EXPECT_EQ(Find("run_id IN ('" + a_ + "', '" + c_ + "')"), Ids({c_, a_}));
  EXPECT_EQ(Find("attribute.run_id NOT IN ('" + a_ + "')"), Ids({c_, b_}));
  EXPECT_EQ(Find("attr.run_name = 'run-b'"), Ids({b_}));
  EXPECT_EQ(Find("run.run_name LIKE 'run-%'"), Ids({b_, a_}));
  EXPECT_EQ(Find("attributes.`run name` ILIKE 'run c'"), Ids({c_}));
  EXPECT_EQ(Find("`Run Name` = 'Run C'"), Ids({c_}));
  EXPECT_EQ(Find("attributes.status = 'FINISHED'"), Ids({b_}));
  EXPECT_EQ(Find("status != 'FINISHED'"), Ids({c_, a_}));
  EXPECT_EQ(Find("user_id = 'alice'"), Ids({c_, b_, a_}));
  EXPECT_EQ(Find("artifact_uri LIKE '%" + b_ + "%'"), Ids({b_}));
  EXPECT_EQ(Find("attributes.start_time >= 200"), Ids({c_, b_}));
  EXPECT_EQ(Find("start_time < 200"), Ids({a_}));
  EXPECT_EQ(Find("created = 300"), Ids({c_}));
  EXPECT_EQ(Find("attributes.end_time > 0"), Ids({b_}));
  EXPECT_EQ(Find("end_time = 250"), Ids({b_}));
  EXPECT_EQ(Find("run_name = 'run-a' AND start_time = 100 AND metrics.acc > 0"), Ids({a_}));
}

TEST_P(SearchTest, RunIdListsDropUpperCaseIds) {
  std::string upper = a_;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  EXPECT_EQ(Find("run_id IN ('" + upper + "')"), Ids({}));
  EXPECT_EQ(Find("run_id NOT IN ('" + upper + "')"), Ids({c_, b_, a_}));
  EXPECT_EQ(Find("run_id IN ('" + upper + "', '" + b_ + "')"), Ids({b_}));
}

TEST_P(SearchTest, Datasets) {
  DatasetInput train;
  train.dataset = {"train", "d1", "local", "/data/train.csv", "", ""};
  train.tags = {{"mlflow.data.context", "training"}};
  DatasetInput eval;
  eval.dataset = {"eval", "d2", "local", "/data/eval.csv", "", ""};
  eval.tags = {{"mlflow.data.context", "eval"}};
  ASSERT_OK(store().LogInputs(a_, {train}, {}));
  ASSERT_OK(store().LogInputs(b_, {eval}, {}));
  EXPECT_EQ(Find("datasets.name = 'train'"), Ids({a_}));
  EXPECT_EQ(Find("dataset.digest = 'd2'"), Ids({b_}));
  EXPECT_EQ(Find("datasets.name IN ('train', 'eval')"), Ids({b_, a_}));
  EXPECT_EQ(Find("datasets.name NOT IN ('train')"), Ids({b_}));
  EXPECT_EQ(Find("datasets.context = 'training'"), Ids({a_}));
  EXPECT_EQ(Find("datasets.context LIKE 'ev%'"), Ids({b_}));
  EXPECT_EQ(Find("datasets.name = 'train' AND datasets.context = 'eval'"), Ids({}));
}

TEST_P(SearchTest, BadFiltersAreRefused) {
  for (const char* bad : {
           "metrics.acc > 0.5 OR metrics.acc < 0.1",  // no OR
           "(metrics.acc > 0.5)",                     // no grouping
           "metrics.acc > '0.5'",                     // metrics need numbers
           "metrics.acc LIKE '0%'",                   // no LIKE on metrics
           "params.lr > '0.1'",                       // no > on params
           "params.lr = 0.1",                         // params need strings
           "params.lr IN ('0.1')",                    // IN only for run_id
           "tags.team IN ('red')",
           "run_name IN ('run-a')",  // lists only for run_id
           "attributes.run_id = 5",
           "attributes.start_time = '100'",
           "attributes.start_time LIKE '1%'",
           "attributes.nope = 'x'",  // unknown attribute
           "lifecycle_stage = 'active'",
           "foo.bar = 'x'",          // unknown entity
           "datasets.source = 'x'",  // unknown dataset key
           "datasets.name > 'x'",
           "metrics.acc >",  // incomplete
           "metrics.acc > 0.5 AND",
       }) {
    EXPECT_EQ(CodeOf(bad), core::Code::kInvalidParameterValue) << bad;
  }
}

TEST_P(SearchTest, OrderByMetricPutsNaNAfterNumbersAndMissingLastBothWays) {
  ASSERT_OK(store().LogMetric(c_, MakeMetric("acc", std::nan(""))));
  std::string d = NewRun(exp_, 400, "d").run_id;  // no acc
  ASSERT_OK(store().LogMetric(d, MakeMetric("other", 1)));
  EXPECT_EQ(Order({"metrics.acc DESC"}), Ids({a_, b_, c_, d}));
  EXPECT_EQ(Order({"metrics.acc ASC"}), Ids({b_, a_, c_, d}));
  EXPECT_EQ(Order({"metrics.acc"}), Ids({b_, a_, c_, d}));
  EXPECT_EQ(Order({"metric.`acc` desc"}), Ids({a_, b_, c_, d}));
}

TEST_P(SearchTest, OrderByParamsTagsAndAttributes) {
  // Missing keys last, then the default order (start_time DESC) for ties.
  EXPECT_EQ(Order({"params.model ASC"}), Ids({b_, a_, c_}));  // 'CNN-2' < 'cnn'
  EXPECT_EQ(Order({"params.model DESC"}), Ids({a_, b_, c_}));
  EXPECT_EQ(Order({"params.lr ASC"}), Ids({b_, c_, a_}));  // '0.01'; then '0.1' ties by start
  EXPECT_EQ(Order({"tags.team DESC"}), Ids({c_, b_, a_}));
  EXPECT_EQ(Order({"attributes.start_time ASC"}), Ids({a_, b_, c_}));
  EXPECT_EQ(Order({"created DESC"}), Ids({c_, b_, a_}));
  EXPECT_EQ(Order({"run_name ASC"}), Ids({c_, a_, b_}));  // "Run C" < "run-a"
  EXPECT_EQ(Order({"attributes.`run name` DESC"}), Ids({b_, a_, c_}));
  EXPECT_EQ(Order({"end_time DESC"}), Ids({b_, c_, a_}));  // unfinished runs last
  EXPECT_EQ(Order({"end_time ASC"}), Ids({b_, c_, a_}));
  EXPECT_EQ(Order({"status ASC", "start_time ASC"}), Ids({b_, a_, c_}));
  EXPECT_EQ(Order({"params.lr DESC", "metrics.loss ASC"}), Ids({c_, a_, b_}));
}

TEST_P(SearchTest, EqualKeysFallBackToStartTimeThenRunId) {
  std::string x = NewRun(exp_, 500, "x").run_id;
  std::string y = NewRun(exp_, 500, "y").run_id;
  Ids expected = x < y ? Ids({x, y}) : Ids({y, x});
  Ids got = Order({}, "start_time = 500");
  EXPECT_EQ(got, expected);
}

TEST_P(SearchTest, BadOrderByIsRefused) {
  EXPECT_EQ(CodeOf("", {"metrics.acc DESC", "metric.acc ASC"}), core::Code::kInvalidParameterValue);
  EXPECT_EQ(CodeOf("", {"start_time", "created"}), core::Code::kInvalidParameterValue);
  EXPECT_EQ(CodeOf("", {"metrics.acc SIDEWAYS"}), core::Code::kInvalidParameterValue);
  EXPECT_EQ(CodeOf("", {"attributes.nope"}), core::Code::kInvalidParameterValue);
  EXPECT_EQ(CodeOf("", {"datasets.name"}), core::Code::kInvalidParameterValue);
  EXPECT_EQ(CodeOf("", {"foo.bar"}), core::Code::kInvalidParameterValue);
  EXPECT_EQ(CodeOf("", {"metrics.acc DESC", "params.lr"}), core::Code::kOk);
}

TEST_P(SearchTest, ViewTypes) {
  ASSERT_OK(store().DeleteRun(b_));
  EXPECT_EQ(SearchIds(exp_, "", {}, ViewType::kActiveOnly), Ids({c_, a_}));
  EXPECT_EQ(SearchIds(exp_, "", {}, ViewType::kDeletedOnly), Ids({b_}));
  EXPECT_EQ(SearchIds(exp_, "", {}, ViewType::kAll), Ids({c_, b_, a_}));
}

TEST_P(SearchTest, SeveralExperimentsOrNone) {
  std::string other = NewExperiment();
  std::string z = NewRun(other, 1000, "z").run_id;
  SearchRunsRequest request;
  request.experiment_ids = {exp_, other};
  Result<Page<track::Run>> both = store().SearchRuns(request);
  ASSERT_OK(both);
  ASSERT_EQ(both->items.size(), 4u);
  EXPECT_EQ(both->items[0].info.run_id, z);
  request.experiment_ids = {};
  Result<Page<track::Run>> none = store().SearchRuns(request);
  ASSERT_OK(none);
  EXPECT_TRUE(none->items.empty());
  EXPECT_TRUE(none->next_page_token.empty());
  request.filter = "metrics.acc LIKE 'x'";  // still validated
  EXPECT_CODE(store().SearchRuns(request), kInvalidParameterValue);
}

TEST_P(SearchTest, PagesCoverEveryRunOnce) {
  for (int i = 0; i < 8; ++i) NewRun(exp_, 1000 + i % 3);  // ties on start_time
  SearchRunsRequest request;
  request.experiment_ids = {exp_};
  request.max_results = 3;
  Ids seen;
  int pages = 0;
  do {
    Result<Page<track::Run>> page = store().SearchRuns(request);
    ASSERT_OK(page);
    ++pages;
    EXPECT_LE(page->items.size(), 3u);
    for (const track::Run& run : page->items) seen.push_back(run.info.run_id);
    request.page_token = page->next_page_token;
  } while (!request.page_token.empty() && pages < 20);
  EXPECT_EQ(pages, 4);  // 11 runs: 3 + 3 + 3 + 2, and no token after the last
  EXPECT_EQ(seen.size(), 11u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 11u);
  request.max_results = 1000;
  request.page_token = "";
  Result<Page<track::Run>> all = store().SearchRuns(request);
  ASSERT_OK(all);
  Ids in_one;
  for (const track::Run& run : all->items) in_one.push_back(run.info.run_id);
  EXPECT_EQ(in_one, seen);
  // Exactly a page's worth: no token.
  request.max_results = 11;
  Result<Page<track::Run>> exact = store().SearchRuns(request);
  ASSERT_OK(exact);
  EXPECT_EQ(exact->items.size(), 11u);
  EXPECT_TRUE(exact->next_page_token.empty());
}

TEST_P(SearchTest, MaxResultsAndTokensAreChecked) {
  SearchRunsRequest request;
  request.experiment_ids = {exp_};
  request.max_results = 0;
  EXPECT_CODE(store().SearchRuns(request), kInvalidParameterValue);
  request.max_results = 50001;
  EXPECT_CODE(store().SearchRuns(request), kInvalidParameterValue);
  request.max_results = 50000;
  EXPECT_OK(store().SearchRuns(request));
  request.page_token = "%%%";
  EXPECT_CODE(store().SearchRuns(request), kInvalidParameterValue);
}

}  // namespace
}  // namespace cairn::track::testing
