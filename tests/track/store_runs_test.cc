// TrackingStore suite: runs (create, update, get, delete, restore) and their names.
#include <chrono>
#include <set>

#include "core/strings.h"

#include "store_suite.h"

namespace cairn::track::testing {
namespace {

// The tag's value, or "<none>" when the run has no such tag.
std::string TagValue(const std::vector<Tag>& tags, const std::string& key) {
  for (const Tag& tag : tags) {
    if (tag.key == key) return tag.value;
  }
  return "<none>";
}

TEST_P(StoreTest, CreateRunStartsARunningActiveRun) {
  std::string exp = NewExperiment();
  CreateRunRequest request;
  request.experiment_id = exp;
  request.user_id = "alice";
  request.start_time = 1234;
  request.tags = {{"mlflow.source.name", "train.py"}, {"b", "2"}};
  Result<track::Run> run = store().CreateRun(request);
  ASSERT_OK(run);
  const RunInfo& info = run->info;
  EXPECT_TRUE(IsHexId(info.run_id)) << info.run_id;
  EXPECT_EQ(info.experiment_id, exp);
  EXPECT_EQ(info.user_id, "alice");
  EXPECT_EQ(info.status, RunStatus::kRunning);
  EXPECT_EQ(info.start_time, 1234);
  EXPECT_FALSE(info.end_time.has_value());
  EXPECT_EQ(info.lifecycle_stage, LifecycleStage::kActive);
  Result<Experiment> e = store().GetExperiment(exp);
  ASSERT_OK(e);
  EXPECT_EQ(info.artifact_uri, e->artifact_location + "/" + info.run_id + "/artifacts");
  // A generated name, mirrored in the mlflow.runName tag.
  std::vector<std::string_view> words = core::Split(info.run_name, '-');  // adjective-noun-NNN
  ASSERT_EQ(words.size(), 3u) << info.run_name;
  EXPECT_FALSE(words[0].empty());
  EXPECT_FALSE(words[1].empty());
  std::optional<int64_t> number = core::ParseInt64(words[2]);
  ASSERT_TRUE(number.has_value()) << info.run_name;
  EXPECT_GE(*number, 0);
  EXPECT_LT(*number, 1000);
  EXPECT_EQ(TagValue(run->data.tags, "mlflow.runName"), info.run_name);

  track::Run got = MustGetRun(info.run_id);
  EXPECT_EQ(got.info.run_id, info.run_id);
  EXPECT_EQ(got.info.run_name, info.run_name);
  EXPECT_EQ(got.info.artifact_uri, info.artifact_uri);
  ASSERT_EQ(got.data.tags.size(), 3u);
  EXPECT_EQ(got.data.tags[0].key, "b");  // sorted by key
  EXPECT_EQ(got.data.tags[1].key, "mlflow.runName");
  EXPECT_EQ(got.data.tags[2], (Tag{"mlflow.source.name", "train.py"}));
  EXPECT_TRUE(got.data.metrics.empty());
  EXPECT_TRUE(got.data.params.empty());
}

TEST_P(StoreTest, CreateRunTakesTheStartTimeNowWhenNoneIsGiven) {
  const int64_t before = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  RunInfo run = NewRun("0");
  EXPECT_GE(run.start_time, before);
  EXPECT_LT(run.start_time, before + 60'000);
  EXPECT_EQ(run.experiment_id, "0");
}

TEST_P(StoreTest, RunIdsAreUnique) {
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) ids.insert(NewRun("0").run_id);
  EXPECT_EQ(ids.size(), 50u);
}

TEST_P(StoreTest, RunNameAndRunNameTagAgree) {
  std::string exp = NewExperiment();
  CreateRunRequest request;
  request.experiment_id = exp;
  request.run_name = "given";
  Result<track::Run> named = store().CreateRun(request);
  ASSERT_OK(named);
  EXPECT_EQ(named->info.run_name, "given");
  EXPECT_EQ(TagValue(MustGetRun(named->info.run_id).data.tags, "mlflow.runName"), "given");

  request.run_name = "";
  request.tags = {{"mlflow.runName", "from-tag"}};
  Result<track::Run> tagged = store().CreateRun(request);
  ASSERT_OK(tagged);
  EXPECT_EQ(tagged->info.run_name, "from-tag");

  request.run_name = "from-tag";  // the same: fine
  EXPECT_OK(store().CreateRun(request));
  request.run_name = "different";
  EXPECT_CODE(store().CreateRun(request), kInvalidParameterValue);

  // An empty mlflow.runName tag counts as none: a name is made up and the tag carries it.
  request.run_name = "";
  request.tags = {{"mlflow.runName", ""}};
  Result<track::Run> unnamed = store().CreateRun(request);
  ASSERT_OK(unnamed);
  EXPECT_FALSE(unnamed->info.run_name.empty());
  track::Run got = MustGetRun(unnamed->info.run_id);
  EXPECT_EQ(TagValue(got.data.tags, "mlflow.runName"), unnamed->info.run_name);
  // ...and setting it empty later changes nothing.
  ASSERT_OK(store().SetTag(unnamed->info.run_id, {"mlflow.runName", ""}));
  got = MustGetRun(unnamed->info.run_id);
  EXPECT_EQ(got.info.run_name, unnamed->info.run_name);
  EXPECT_EQ(TagValue(got.data.tags, "mlflow.runName"), unnamed->info.run_name);
}

TEST_P(StoreTest, CreateRunRefusesUnknownExperimentsAndBadTags) {
  CreateRunRequest request;
  request.experiment_id = "424242";
  EXPECT_CODE(store().CreateRun(request), kResourceDoesNotExist);
  request.experiment_id = "0";
  request.tags = {{"bad/../key", "v"}};
  EXPECT_CODE(store().CreateRun(request), kInvalidParameterValue);
  request.tags = {{"k", std::string(8001, 'v')}};
  EXPECT_CODE(store().CreateRun(request), kInvalidParameterValue);
}

TEST_P(StoreTest, UpdateRunChangesOnlyWhatIsGiven) {
  RunInfo run = NewRun("0", 100, "first");
  UpdateRunRequest request;
  request.run_id = run.run_id;
  request.status = RunStatus::kFinished;
  request.end_time = 200;
  Result<RunInfo> updated = store().UpdateRun(request);
  ASSERT_OK(updated);
  EXPECT_EQ(updated->status, RunStatus::kFinished);
  EXPECT_EQ(updated->end_time, 200);
  EXPECT_EQ(updated->run_name, "first");

  // No state machine: any status at any time; an unset end_time stays.
  UpdateRunRequest again;
  again.run_id = run.run_id;
  again.status = RunStatus::kRunning;
  ASSERT_OK(store().UpdateRun(again));
  track::Run got = MustGetRun(run.run_id);
  EXPECT_EQ(got.info.status, RunStatus::kRunning);
  EXPECT_EQ(got.info.end_time, 200);
  EXPECT_EQ(got.info.start_time, 100);

  UpdateRunRequest rename;
  rename.run_id = run.run_id;
  rename.run_name = "second";
  Result<RunInfo> renamed = store().UpdateRun(rename);
  ASSERT_OK(renamed);
  EXPECT_EQ(renamed->run_name, "second");
  got = MustGetRun(run.run_id);
  EXPECT_EQ(got.info.run_name, "second");
  EXPECT_EQ(TagValue(got.data.tags, "mlflow.runName"), "second");
}

TEST_P(StoreTest, UpdateRunNeedsAnExistingActiveRun) {
  UpdateRunRequest request;
  request.run_id = "0123456789abcdef0123456789abcdef";
  request.status = RunStatus::kFailed;
  EXPECT_CODE(store().UpdateRun(request), kResourceDoesNotExist);
  RunInfo run = NewRun("0");
  ASSERT_OK(store().DeleteRun(run.run_id));
  request.run_id = run.run_id;
  EXPECT_CODE(store().UpdateRun(request), kInvalidParameterValue);
}

TEST_P(StoreTest, GetUnknownRunIsNotFound) {
  Result<track::Run> run = store().GetRun("nope");
  EXPECT_CODE(run, kResourceDoesNotExist);
  EXPECT_EQ(run.status().message(), "Run with id=nope not found");
  EXPECT_CODE(store().DeleteRun("nope"), kResourceDoesNotExist);
  EXPECT_CODE(store().RestoreRun("nope"), kResourceDoesNotExist);
}

TEST_P(StoreTest, DeleteAndRestoreRun) {
  RunInfo run = NewRun("0");
  ASSERT_OK(store().LogParam(run.run_id, {"p", "v"}));
  ASSERT_OK(store().DeleteRun(run.run_id));
  // Reads still work, and the data stays.
  track::Run deleted = MustGetRun(run.run_id);
  EXPECT_EQ(deleted.info.lifecycle_stage, LifecycleStage::kDeleted);
  ASSERT_EQ(deleted.data.params.size(), 1u);
  EXPECT_CODE(store().LogMetric(run.run_id, MakeMetric("m", 1)), kInvalidParameterValue);
  ASSERT_OK(store().RestoreRun(run.run_id));
  EXPECT_EQ(MustGetRun(run.run_id).info.lifecycle_stage, LifecycleStage::kActive);
  EXPECT_OK(store().LogMetric(run.run_id, MakeMetric("m", 1)));
}

TEST_P(StoreTest, SettingTheRunNameTagRenamesTheRun) {
  RunInfo run = NewRun("0", 0, "old");
  ASSERT_OK(store().SetTag(run.run_id, {"mlflow.runName", "new"}));
  track::Run got = MustGetRun(run.run_id);
  EXPECT_EQ(got.info.run_name, "new");
  EXPECT_EQ(TagValue(got.data.tags, "mlflow.runName"), "new");
  ASSERT_OK(store().LogBatch(run.run_id, {}, {}, {{"mlflow.runName", "batched"}}));
  EXPECT_EQ(MustGetRun(run.run_id).info.run_name, "batched");
}

TEST_P(StoreTest, SetAndDeleteRunTags) {
  RunInfo run = NewRun("0");
  ASSERT_OK(store().SetTag(run.run_id, {"k", "v1"}));
  ASSERT_OK(store().SetTag(run.run_id, {"k", "v2"}));
  EXPECT_EQ(TagValue(MustGetRun(run.run_id).data.tags, "k"), "v2");
  ASSERT_OK(store().DeleteTag(run.run_id, "k"));
  EXPECT_EQ(TagValue(MustGetRun(run.run_id).data.tags, "k"), "<none>");
  EXPECT_CODE(store().DeleteTag(run.run_id, "k"), kResourceDoesNotExist);
  EXPECT_CODE(store().DeleteTag("nope", "k"), kResourceDoesNotExist);
  EXPECT_CODE(store().SetTag("nope", {"k", "v"}), kResourceDoesNotExist);
  ASSERT_OK(store().SetTag(run.run_id, {"k", "v3"}));
  ASSERT_OK(store().DeleteRun(run.run_id));
  EXPECT_CODE(store().DeleteTag(run.run_id, "k"), kInvalidParameterValue);
  EXPECT_CODE(store().SetTag(run.run_id, {"k", "v"}), kInvalidParameterValue);
}

}  // namespace
}  // namespace cairn::track::testing
