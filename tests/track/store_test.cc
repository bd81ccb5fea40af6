// The backends the TrackingStore suite (store_suite.h) runs on, and its experiment tests.
#include <atomic>
#include <thread>

#include "store_suite.h"
#include "sys/temp_dir.h"
#include "track/sql_store.h"

namespace cairn::track::testing {

#ifdef CAIRN_REST_STORE_SUITE
// rest_store_suites_test (tests/rest_store_suites.cmake): the suite over HTTP, each store a
// RestTrackingStore talking to a `cairn server` of its own (tests/server/rest_store_suites.cc).
std::unique_ptr<TrackingStore> NewRestStoreForSuite();
std::vector<StoreBackend> StoreBackends() { return {{"Rest", NewRestStoreForSuite}}; }
#else
// Add a backend here and every TEST_P of StoreTest runs on it.
std::vector<StoreBackend> StoreBackends() {
  return {
      {"SqliteMemory",
       [] {
         SqlTrackingStore::Config config;
         config.path = ":memory:";
         config.default_artifact_root = "mlflow-artifacts:";
         auto store = SqlTrackingStore::Open(std::move(config));
         EXPECT_TRUE(store.ok()) << store.status().ToString();
         return store.ok() ? std::unique_ptr<TrackingStore>(std::move(*store)) : nullptr;
       }},
      {"SqliteFile",
       [] {
         // One directory for the whole test binary, removed when it exits.
         static sys::TempDir dir = *sys::TempDir::Create("cairn-track-", DatabaseTempParent());
         static std::atomic<int> n{0};
         SqlTrackingStore::Config config;
         config.path = dir.Path("store-" + std::to_string(++n) + ".db");
         config.default_artifact_root = dir.Path("artifacts");
         auto store = SqlTrackingStore::Open(std::move(config));
         EXPECT_TRUE(store.ok()) << store.status().ToString();
         return store.ok() ? std::unique_ptr<TrackingStore>(std::move(*store)) : nullptr;
       }},
  };
}
#endif

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::ValuesIn(StoreBackends()),
                         [](const ::testing::TestParamInfo<StoreBackend>& info) {
                           return info.param.name;
                         });

namespace {

TEST_P(StoreTest, DefaultExperimentExistsFromTheStart) {
  Result<Experiment> e = store().GetExperiment("0");
  ASSERT_OK(e);
  EXPECT_EQ(e->experiment_id, "0");
  EXPECT_EQ(e->name, "Default");
  EXPECT_EQ(e->lifecycle_stage, LifecycleStage::kActive);
  EXPECT_TRUE(e->artifact_location.ends_with("/0")) << e->artifact_location;
  EXPECT_GT(e->creation_time, 0);
  Result<Experiment> by_name = store().GetExperimentByName("Default");
  ASSERT_OK(by_name);
  EXPECT_EQ(by_name->experiment_id, "0");
}

TEST_P(StoreTest, CreateExperimentThenGetItByIdAndName) {
  Result<std::string> id =
      store().CreateExperiment("fraud", "s3://bucket/fraud", {{"team", "risk"}, {"a", "1"}});
  ASSERT_OK(id);
  EXPECT_NE(*id, "0");
  Result<Experiment> e = store().GetExperiment(*id);
  ASSERT_OK(e);
  EXPECT_EQ(e->name, "fraud");
  EXPECT_EQ(e->artifact_location, "s3://bucket/fraud");
  EXPECT_EQ(e->lifecycle_stage, LifecycleStage::kActive);
  EXPECT_EQ(e->creation_time, e->last_update_time);
  ASSERT_EQ(e->tags.size(), 2u);
  EXPECT_EQ(e->tags[0], (Tag{"a", "1"}));  // sorted by key
  EXPECT_EQ(e->tags[1], (Tag{"team", "risk"}));
  Result<Experiment> by_name = store().GetExperimentByName("fraud");
  ASSERT_OK(by_name);
  EXPECT_EQ(by_name->experiment_id, *id);
}

TEST_P(StoreTest, ExperimentIdsAreNewDecimalNumbers) {
  std::string a = NewExperiment();
  std::string b = NewExperiment();
  EXPECT_NE(a, b);
  EXPECT_GT(std::stoll(b), std::stoll(a));
}

TEST_P(StoreTest, DefaultArtifactLocationIsTheRootAndTheId) {
  std::string id = NewExperiment();
  Result<Experiment> e = store().GetExperiment(id);
  ASSERT_OK(e);
  Result<Experiment> zero = store().GetExperiment("0");
  ASSERT_OK(zero);
  // Same root as experiment 0's, the id in place of "0".
  std::string root = zero->artifact_location.substr(0, zero->artifact_location.size() - 1);
  EXPECT_EQ(e->artifact_location, root + id);
}

TEST_P(StoreTest, CreateExperimentRefusesBadInput) {
  EXPECT_CODE(store().CreateExperiment("", "", {}), kInvalidParameterValue);
  EXPECT_CODE(store().CreateExperiment(std::string(501, 'x'), "", {}), kInvalidParameterValue);
  EXPECT_OK(store().CreateExperiment(std::string(500, 'y'), "", {}));
  EXPECT_CODE(store().CreateExperiment("e1", "runs:/abc/model", {}), kInvalidParameterValue);
  EXPECT_CODE(store().CreateExperiment("e2", "s3://b/p?x=1", {}), kInvalidParameterValue);
  EXPECT_CODE(store().CreateExperiment("e3", "", {{"../up", "v"}}), kInvalidParameterValue);
  EXPECT_CODE(store().CreateExperiment("e4", "", {{"k", std::string(5001, 'v')}}),
              kInvalidParameterValue);
  // Nothing was created by the refused calls.
  EXPECT_CODE(store().GetExperimentByName("e3"), kResourceDoesNotExist);
}

TEST_P(StoreTest, ExperimentNamesStayTakenWhileDeleted) {
  Result<std::string> id = store().CreateExperiment("taken", "", {});
  ASSERT_OK(id);
  Result<std::string> again = store().CreateExperiment("taken", "", {});
  EXPECT_CODE(again, kResourceAlreadyExists);
  EXPECT_EQ(again.status().message(), "Experiment(name=taken) already exists.");
  ASSERT_OK(store().DeleteExperiment(*id));
  EXPECT_CODE(store().CreateExperiment("taken", "", {}), kResourceAlreadyExists);
  // Deleted experiments are still found by name and id.
  Result<Experiment> e = store().GetExperimentByName("taken");
  ASSERT_OK(e);
  EXPECT_EQ(e->lifecycle_stage, LifecycleStage::kDeleted);
}

TEST_P(StoreTest, UnknownExperimentsAreNotFound) {
  Result<Experiment> e = store().GetExperiment("987654");
  EXPECT_CODE(e, kResourceDoesNotExist);
  EXPECT_EQ(e.status().message(), "No Experiment with id=987654 exists");
  EXPECT_CODE(store().GetExperiment("abc"), kResourceDoesNotExist);
  EXPECT_CODE(store().GetExperimentByName("nope"), kResourceDoesNotExist);
  EXPECT_CODE(store().DeleteExperiment("987654"), kResourceDoesNotExist);
  EXPECT_CODE(store().RestoreExperiment("987654"), kResourceDoesNotExist);
  EXPECT_CODE(store().RenameExperiment("987654", "x"), kResourceDoesNotExist);
  EXPECT_CODE(store().SetExperimentTag("987654", {"k", "v"}), kResourceDoesNotExist);
  EXPECT_CODE(store().DeleteExperimentTag("987654", "k"), kResourceDoesNotExist);
}

TEST_P(StoreTest, RenameExperiment) {
  std::string id = NewExperiment();
  ASSERT_OK(store().CreateExperiment("other", "", {}));
  Result<Experiment> before = store().GetExperiment(id);
  ASSERT_OK(before);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_OK(store().RenameExperiment(id, "renamed"));
  Result<Experiment> after = store().GetExperiment(id);
  ASSERT_OK(after);
  EXPECT_EQ(after->name, "renamed");
  EXPECT_GT(after->last_update_time, before->last_update_time);
  EXPECT_CODE(store().GetExperimentByName(before->name), kResourceDoesNotExist);
  EXPECT_CODE(store().RenameExperiment(id, "other"), kResourceAlreadyExists);
  EXPECT_CODE(store().RenameExperiment(id, ""), kInvalidParameterValue);
  ASSERT_OK(store().DeleteExperiment(id));
  EXPECT_CODE(store().RenameExperiment(id, "again"), kInvalidParameterValue);
}

TEST_P(StoreTest, ExperimentTags) {
  std::string id = NewExperiment();
  ASSERT_OK(store().SetExperimentTag(id, {"mlflow.note.content", "hello"}));
  ASSERT_OK(store().SetExperimentTag(id, {"mlflow.note.content", "updated"}));
  ASSERT_OK(store().SetExperimentTag(id, {"b", ""}));
  Result<Experiment> e = store().GetExperiment(id);
  ASSERT_OK(e);
  ASSERT_EQ(e->tags.size(), 2u);
  EXPECT_EQ(e->tags[0], (Tag{"b", ""}));
  EXPECT_EQ(e->tags[1], (Tag{"mlflow.note.content", "updated"}));
  ASSERT_OK(store().DeleteExperimentTag(id, "b"));
  EXPECT_CODE(store().DeleteExperimentTag(id, "b"), kResourceDoesNotExist);
  EXPECT_CODE(store().SetExperimentTag(id, {"", "v"}), kInvalidParameterValue);
  EXPECT_CODE(store().SetExperimentTag(id, {"k", std::string(5001, 'v')}), kInvalidParameterValue);
  ASSERT_OK(store().DeleteExperiment(id));
  EXPECT_CODE(store().SetExperimentTag(id, {"k", "v"}), kInvalidParameterValue);
  EXPECT_CODE(store().DeleteExperimentTag(id, "mlflow.note.content"), kInvalidParameterValue);
}

TEST_P(StoreTest, DeletingAnExperimentDeletesItsRunsAndRestoreBringsThemBack) {
  std::string id = NewExperiment();
  RunInfo kept = NewRun(id);
  RunInfo deleted_before = NewRun(id);
  ASSERT_OK(store().DeleteRun(deleted_before.run_id));

  ASSERT_OK(store().DeleteExperiment(id));
  Result<Experiment> e = store().GetExperiment(id);
  ASSERT_OK(e);
  EXPECT_EQ(e->lifecycle_stage, LifecycleStage::kDeleted);
  EXPECT_EQ(MustGetRun(kept.run_id).info.lifecycle_stage, LifecycleStage::kDeleted);
  // Its runs take no more writes, and it takes no new runs.
  Status write = store().LogParam(kept.run_id, {"p", "1"});
  EXPECT_CODE(write, kInvalidParameterValue);
  EXPECT_EQ(write.message(),
            "The run " + kept.run_id + " must be in the 'active' state. Current state is deleted.");
  CreateRunRequest request;
  request.experiment_id = id;
  EXPECT_CODE(store().CreateRun(request), kInvalidParameterValue);
  EXPECT_CODE(store().DeleteExperiment(id), kResourceDoesNotExist);

  ASSERT_OK(store().RestoreExperiment(id));
  EXPECT_EQ(store().GetExperiment(id)->lifecycle_stage, LifecycleStage::kActive);
  EXPECT_EQ(MustGetRun(kept.run_id).info.lifecycle_stage, LifecycleStage::kActive);
  // A run deleted on its own before stays deleted.
  EXPECT_EQ(MustGetRun(deleted_before.run_id).info.lifecycle_stage, LifecycleStage::kDeleted);
  EXPECT_OK(store().LogParam(kept.run_id, {"p", "1"}));
  EXPECT_CODE(store().RestoreExperiment(id), kResourceDoesNotExist);
}

TEST_P(StoreTest, SearchExperimentsByNameTagsAndTimes) {
  ASSERT_OK(store().CreateExperiment("alpha-one", "", {{"team", "red"}}));
  ASSERT_OK(store().CreateExperiment("Alpha-two", "", {{"team", "blue"}}));
  ASSERT_OK(store().CreateExperiment("beta", "", {{"team", "red"}, {"x", "1"}}));
  auto names = [&](const std::string& filter, ViewType view = ViewType::kActiveOnly,
                   std::vector<std::string> order = {"name ASC"}) {
    SearchExperimentsRequest request;
    request.filter = filter;
    request.view = view;
    request.order_by = std::move(order);
    Result<Page<Experiment>> page = store().SearchExperiments(request);
    EXPECT_TRUE(page.ok()) << filter << ": " << page.status().ToString();
    std::vector<std::string> out;
    if (page.ok()) {
      for (const Experiment& e : page->items) out.push_back(e.name);
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names("name = 'beta'"), V({"beta"}));
  EXPECT_EQ(names("attribute.name != 'beta'"), V({"Alpha-two", "Default", "alpha-one"}));
  EXPECT_EQ(names("name LIKE 'alpha%'"), V({"alpha-one"}));
  EXPECT_EQ(names("name ILIKE 'alpha%'"), V({"Alpha-two", "alpha-one"}));
  EXPECT_EQ(names("tags.team = 'red'"), V({"alpha-one", "beta"}));
  EXPECT_EQ(names("tags.team = 'red' AND tags.x = '1'"), V({"beta"}));
  EXPECT_EQ(names("tags.team ILIKE 'BL%'"), V({"Alpha-two"}));
  EXPECT_EQ(names("creation_time > 0 AND name LIKE '%two'"), V({"Alpha-two"}));
  EXPECT_EQ(names("creation_time < 0"), V({}));
  EXPECT_EQ(names("", ViewType::kAll, {"name DESC"}),
            V({"beta", "alpha-one", "Default", "Alpha-two"}));

  Result<Experiment> beta = store().GetExperimentByName("beta");
  ASSERT_OK(beta);
  ASSERT_OK(store().DeleteExperiment(beta->experiment_id));
  EXPECT_EQ(names("", ViewType::kDeletedOnly), V({"beta"}));
  EXPECT_EQ(names(""), V({"Alpha-two", "Default", "alpha-one"}));
  EXPECT_EQ(names("", ViewType::kAll).size(), 4u);
}

TEST_P(StoreTest, SearchExperimentsDefaultOrderIsNewestFirst) {
  std::this_thread::sleep_for(std::chrono::milliseconds(2));  // after experiment 0's time
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(NewExperiment());
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  Result<Page<Experiment>> page = store().SearchExperiments({});
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 4u);
  EXPECT_EQ(page->items[0].experiment_id, ids[2]);
  EXPECT_EQ(page->items[1].experiment_id, ids[1]);
  EXPECT_EQ(page->items[2].experiment_id, ids[0]);
  EXPECT_EQ(page->items[3].experiment_id, "0");
  EXPECT_TRUE(page->next_page_token.empty());

  SearchExperimentsRequest by_id;
  by_id.order_by = {"experiment_id DESC"};
  Result<Page<Experiment>> desc = store().SearchExperiments(by_id);
  ASSERT_OK(desc);
  EXPECT_EQ(desc->items.front().experiment_id, ids[2]);
  EXPECT_EQ(desc->items.back().experiment_id, "0");
}

TEST_P(StoreTest, SearchExperimentsPages) {
  for (int i = 0; i < 4; ++i) NewExperiment();
  SearchExperimentsRequest request;
  request.max_results = 2;
  request.order_by = {"experiment_id ASC"};
  std::vector<std::string> seen;
  int pages = 0;
  do {
    Result<Page<Experiment>> page = store().SearchExperiments(request);
    ASSERT_OK(page);
    ++pages;
    for (const Experiment& e : page->items) seen.push_back(e.experiment_id);
    request.page_token = page->next_page_token;
  } while (!request.page_token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);  // 2 + 2 + 1 (experiment 0 included)
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen.front(), "0");
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_LT(std::stoll(seen[i - 1]), std::stoll(seen[i]));
}

TEST_P(StoreTest, SearchExperimentsRefusesBadRequests) {
  auto code = [&](const std::string& filter, std::vector<std::string> order = {},
                  int64_t max_results = 1000, const std::string& token = "") {
    SearchExperimentsRequest request;
    request.filter = filter;
    request.order_by = std::move(order);
    request.max_results = max_results;
    request.page_token = token;
    return store().SearchExperiments(request).status().code();
  };
  using core::Code;
  EXPECT_EQ(code("name = 'a' OR name = 'b'"), Code::kInvalidParameterValue);
  EXPECT_EQ(code("name > 'a'"), Code::kInvalidParameterValue);
  EXPECT_EQ(code("creation_time = 'x'"), Code::kInvalidParameterValue);
  EXPECT_EQ(code("metrics.acc > 1"), Code::kInvalidParameterValue);
  EXPECT_EQ(code("lifecycle_stage = 'active'"), Code::kInvalidParameterValue);
  EXPECT_EQ(code("", {"artifact_location"}), Code::kInvalidParameterValue);
  EXPECT_EQ(code("", {"tags.x"}), Code::kInvalidParameterValue);
  EXPECT_EQ(code("", {}, 0), Code::kInvalidParameterValue);
  EXPECT_EQ(code("", {}, 50001), Code::kInvalidParameterValue);
  EXPECT_EQ(code("", {}, 50000), Code::kOk);
  EXPECT_EQ(code("", {}, 1000, "not a token"), Code::kInvalidParameterValue);
}

}  // namespace
}  // namespace cairn::track::testing
