// MLflow's JSON shapes of cairn's entities: int64 as numbers, enums by name, empty fields left
// out, a model version's `version` as a string, doubles in shortest round-trip form with NaN
// and infinities as proto3 JSON strings.
#include "server/wire.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/json.h"

namespace cairn::server {
namespace {

std::string Json(const core::Value& value) { return core::ToJson(value); }

TEST(WireTest, Doubles) {
  EXPECT_EQ(Json(DoubleJson(0.1)), "0.1");
  EXPECT_EQ(Json(DoubleJson(1.0)), "1.0");
  EXPECT_EQ(Json(DoubleJson(1e-7)), "1e-07");
  EXPECT_EQ(Json(DoubleJson(0.30000000000000004)), "0.30000000000000004");
  EXPECT_EQ(Json(DoubleJson(std::nan(""))), "\"NaN\"");
  EXPECT_EQ(Json(DoubleJson(HUGE_VAL)), "\"Infinity\"");
  EXPECT_EQ(Json(DoubleJson(-HUGE_VAL)), "\"-Infinity\"");
}

TEST(WireTest, ExperimentLeavesOutEmptyTags) {
  track::Experiment experiment;
  experiment.experiment_id = "3";
  experiment.name = "e";
  experiment.artifact_location = "mlflow-artifacts:/3";
  experiment.creation_time = 1700000000123;
  experiment.last_update_time = 1700000000456;
  EXPECT_EQ(Json(ExperimentJson(experiment)),
            R"({"experiment_id":"3","name":"e","artifact_location":"mlflow-artifacts:/3",)"
            R"("lifecycle_stage":"active","last_update_time":1700000000456,)"
            R"("creation_time":1700000000123})");
  experiment.tags.push_back({"k", ""});
  experiment.lifecycle_stage = track::LifecycleStage::kDeleted;
  std::string json = Json(ExperimentJson(experiment));
  EXPECT_NE(json.find(R"("lifecycle_stage":"deleted")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("tags":[{"key":"k","value":""}])"), std::string::npos) << json;
}

TEST(WireTest, RunInfoOmitsUnsetEndTime) {
  track::RunInfo info;
  info.run_id = "abc";
  info.experiment_id = "1";
  info.start_time = 5;
  EXPECT_EQ(Json(RunInfoJson(info)),
            R"({"run_uuid":"abc","experiment_id":"1","status":"RUNNING","start_time":5,)"
            R"("lifecycle_stage":"active","run_id":"abc"})");
  info.end_time = 0;  // set, even to 0: written
  info.status = track::RunStatus::kKilled;
  std::string json = Json(RunInfoJson(info));
  EXPECT_NE(json.find(R"("end_time":0)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("status":"KILLED")"), std::string::npos) << json;
}

TEST(WireTest, RunWithoutDataHasEmptyObjects) {
  track::Run run;
  run.info.run_id = "r";
  std::string json = Json(RunJson(run));
  EXPECT_NE(json.find(R"("data":{})"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("inputs":{})"), std::string::npos) << json;
  EXPECT_EQ(json.find("outputs"), std::string::npos) << json;
  run.data.metrics.push_back({"m", 2.5, 10, 0, "", "", ""});
  json = Json(RunJson(run));
  EXPECT_NE(json.find(R"("metrics":[{"key":"m","value":2.5,"timestamp":10,"step":0}])"),
            std::string::npos)
      << json;
}

TEST(WireTest, ModelVersionNumberIsAString) {
  registry::ModelVersion version;
  version.name = "m";
  version.version = 12;
  version.creation_timestamp = 1;
  version.last_updated_timestamp = 2;
  version.source = "runs:/r/model";
  version.aliases = {"champion"};
  EXPECT_EQ(Json(ModelVersionJson(version)),
            R"({"name":"m","version":"12","creation_timestamp":1,"last_updated_timestamp":2,)"
            R"("current_stage":"None","source":"runs:/r/model","status":"READY",)"
            R"("aliases":["champion"]})");
}

TEST(WireTest, LoggedModelCreatorIdIsANumberOrAbsent) {
  track::LoggedModel model;
  model.model_id = "m-1";
  model.creator_id = "42";
  EXPECT_NE(Json(LoggedModelJson(model)).find(R"("creator_id":42)"), std::string::npos);
  model.creator_id = "ann";
  EXPECT_EQ(Json(LoggedModelJson(model)).find("creator_id"), std::string::npos);
}

TEST(WireTest, FileInfoSizeOnlyForFiles) {
  EXPECT_EQ(Json(FileInfoJson("a/b", false, 7)), R"({"path":"a/b","is_dir":false,"file_size":7})");
  EXPECT_EQ(Json(FileInfoJson("a", true, 0)), R"({"path":"a","is_dir":true})");
}

}  // namespace
}  // namespace cairn::server
