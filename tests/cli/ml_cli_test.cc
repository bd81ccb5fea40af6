// The ML steps through the CLI as a workflow's steps run them, against a sqlite:/// tracking
// store in a temp directory (artifacts under its ./mlruns): split, train (run, params, tags,
// the logged model directory, RUN_ID handed to $GITHUB_ENV), evaluate (metrics.json, PNGs,
// metrics on the run), gate (pass, fail with the value and the bar, against the champion),
// register (stage, alias, lineage tags), predict through models:/, report, and the errors a
// user meets.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "core/hash.h"
#include "core/json.h"
#include "core/strings.h"
#include "testing/paths.h"
#include "testing/shell.h"
#include "testing/values.h"

namespace cairn {
namespace {

struct CmdResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

using testing::At;

// The value of tag `key` in a [{key, value}...] array.
std::string TagValue(const core::Value& tags, std::string_view key) {
  if (!tags.is_sequence()) return "";
  for (const core::Value& t : tags.items()) {
    if (At(t, {"key"}).AsString() == key) return At(t, {"value"}).AsString();
  }
  return "";
}

class MlCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "cairn-ml-cli-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ASSERT_EQ(std::system(("rm -rf '" + dir_ + "' && mkdir -p '" + dir_ + "'").c_str()), 0);
    env_ = "MLFLOW_TRACKING_URI=sqlite:///" + dir_ + "/mlflow.db";
    data_ = testing::SourceDir() + "/examples/spam-filter/data/spambase.csv";
  }

  // Runs `cairn <args>` in the temp dir with the runner's and MLflow's variables cleared, then
  // the fixture's and `env` set.
  CmdResult Run(const std::string& args, const std::string& env = "") {
    std::string cmd = "cd '" + dir_ +
                      "' && env -u MLFLOW_TRACKING_URI -u MLFLOW_REGISTRY_URI -u RUN_ID "
                      "-u GITHUB_ENV -u GITHUB_OUTPUT -u GITHUB_STEP_SUMMARY -u GITHUB_ACTIONS "
                      "-u GITHUB_SHA -u GITHUB_REF -u GITHUB_RUN_ID -u GITHUB_WORKFLOW "
                      "-u GITHUB_HEAD_REF CI=true " +
                      env_ + " " + env + " " + testing::BinaryDir() + "/src/cli/cairn " + args +
                      " 2>&1";
    testing::ShellResult r = testing::Shell(cmd);
    return {r.exit_code, std::move(r.output)};
  }
  std::string Ok(const std::string& args, const std::string& env = "") {
    CmdResult r = Run(args, env);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.output;
    return r.output;
  }
  core::Value Json(const std::string& args) {
    std::string out = Ok(args + " --json");
    core::Result<core::Value> v = core::ParseJson(out, args);
    EXPECT_TRUE(v.ok()) << v.status().ToString() << "\n" << out;
    return v.ok() ? *v : core::Value::Mapping();
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // Splits the example's data and trains a small model; returns the run id.
  std::string SplitAndTrain(const std::string& env = "") {
    Ok("ml split --input " + data_ + " --train train.csv --test test.csv");
    Write("params.yaml", "train:\n  n_estimators: 40\n  max_depth: 4\n  learning_rate: 0.3\n");
    Write("github_env", "");
    std::string out =
        Ok("ml train --data-path train.csv --model-output models/model.json "
           "--experiment-name spam",
           "GITHUB_ENV=" + Path("github_env") + " " + env);
    std::string github_env = ReadAll(Path("github_env"));
    EXPECT_TRUE(github_env.starts_with("RUN_ID=")) << github_env;
    return std::string(core::Trim(github_env.substr(7)));
  }

  std::string dir_;
  std::string env_;
  std::string data_;
};

constexpr const char* kLineage =
    "GITHUB_SHA=0123456789abcdef0123456789abcdef01234567 GITHUB_REF=refs/heads/main "
    "GITHUB_RUN_ID=17 GITHUB_WORKFLOW=Train";

TEST_F(MlCliTest, TrainLogsTheRunWithLineageAndTheModelDirectory) {
  std::string out = Ok("ml split --input " + data_ + " --train train.csv --test test.csv");
  EXPECT_NE(out.find("3680 to train.csv, 921 to test.csv"), std::string::npos) << out;
  std::string run_id = SplitAndTrain(kLineage);
  ASSERT_EQ(run_id.size(), 32u);

  core::Value run = Json("track runs get " + run_id);
  const core::Value& tags = At(run, {"run", "data", "tags"});
  EXPECT_EQ(TagValue(tags, "github.sha"), "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(TagValue(tags, "mlflow.source.git.commit"), "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(TagValue(tags, "mlflow.source.git.branch"), "main");
  EXPECT_EQ(TagValue(tags, "github.ref"), "refs/heads/main");
  EXPECT_EQ(TagValue(tags, "github.run_id"), "17");
  EXPECT_EQ(TagValue(tags, "github.workflow"), "Train");
  EXPECT_EQ(TagValue(tags, "cairn.data.md5"), core::Md5Hex(ReadAll(Path("train.csv"))));
  EXPECT_NE(TagValue(tags, "mlflow.log-model.history").find("\"xgboost\""), std::string::npos);
  EXPECT_EQ(At(run, {"run", "info", "status"}).AsString(), "FINISHED");

  std::string params = core::ToJson(At(run, {"run", "data", "params"}));
  EXPECT_NE(params.find("\"n_estimators\""), std::string::npos) << params;
  // The loss per round, as metric steps: 40 rounds.
  std::string history = Ok("track runs get " + run_id + " --json");
  EXPECT_NE(history.find("validation-logloss"), std::string::npos);

  std::string artifacts = At(run, {"run", "info", "artifact_uri"}).AsString();
  std::string mlmodel = ReadAll(artifacts + "/model/MLmodel");
  EXPECT_NE(mlmodel.find("loader_module: mlflow.xgboost"), std::string::npos) << mlmodel;
  EXPECT_NE(mlmodel.find("run_id: " + run_id), std::string::npos) << mlmodel;
  EXPECT_FALSE(ReadAll(artifacts + "/model/model.json").empty());
}

TEST_F(MlCliTest, EvaluateGateRegisterPredictReport) {
  std::string run_id = SplitAndTrain();
  Ok("ml evaluate --model-path models/model.json --test-path test.csv --run-id " + run_id);
  core::Result<core::Value> metrics = core::ParseJson(ReadAll(Path("metrics.json")), "m");
  ASSERT_TRUE(metrics.ok());
  double accuracy = At(*metrics, {"accuracy"}).AsDouble();
  EXPECT_GE(accuracy, 0.93);
  EXPECT_EQ(At(*metrics, {"n"}).AsDouble(), 921);
  for (const char* png : {"confusion_matrix.png", "roc.png"}) {
    EXPECT_TRUE(ReadAll(Path(png)).starts_with("\x89PNG\r\n")) << png;
  }
  core::Value run = Json("track runs get " + run_id);
  std::string logged = core::ToJson(At(run, {"run", "data", "metrics"}));
  EXPECT_NE(logged.find("\"roc_auc\""), std::string::npos) << logged;
  std::string artifacts = At(run, {"run", "info", "artifact_uri"}).AsString();
  EXPECT_FALSE(ReadAll(artifacts + "/confusion_matrix.png").empty());

  // The seed's get_metric.py, outside a DVC repository.
  EXPECT_DOUBLE_EQ(std::stod(Ok("metrics get accuracy --file metrics.json")), accuracy);

  // The seed's threshold, passing and failing.
  Ok("gate 'accuracy >= 0.85'");
  CmdResult failed = Run("gate 'accuracy >= 0.99' 'f1 >= 0.5'", "GITHUB_ACTIONS=true");
  EXPECT_EQ(failed.exit_code, 1) << failed.output;
  EXPECT_NE(failed.output.find("needs >= 0.99"), std::string::npos) << failed.output;
  EXPECT_NE(failed.output.find("::error title=Metric gate::accuracy = 0.9"), std::string::npos)
      << failed.output;
  // No champion yet: the comparison passes, saying so.
  std::string first =
      Ok("gate 'accuracy >= 0.85' --against models:/spam@champion --test-path test.csv");
  EXPECT_NE(first.find("No champion yet"), std::string::npos) << first;

  Ok("model register --model-uri runs:/" + run_id +
         "/model --name spam --stage Production --alias champion --archive-existing",
     kLineage);
  core::Value version = Json("model get spam 1");
  EXPECT_EQ(At(version, {"model_version", "current_stage"}).AsString(), "Production");
  EXPECT_EQ(core::ToJson(At(version, {"model_version", "aliases"})), "[\"champion\"]");
  const core::Value& vtags = At(version, {"model_version", "tags"});
  EXPECT_EQ(TagValue(vtags, "github.sha"), "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(TagValue(vtags, "github.ref"), "refs/heads/main");
  EXPECT_EQ(TagValue(vtags, "github.run_id"), "17");
  EXPECT_EQ(TagValue(vtags, "cairn.data.md5"), core::Md5Hex(ReadAll(Path("train.csv"))));

  // The champion reproduces the evaluated accuracy.
  std::string predicted =
      Ok("ml predict --model-uri models:/spam@champion --data test.csv --output preds.csv");
  EXPECT_NE(predicted.find("version 1"), std::string::npos) << predicted;
  size_t at = predicted.find("accuracy ");
  ASSERT_NE(at, std::string::npos) << predicted;
  EXPECT_DOUBLE_EQ(std::stod(predicted.substr(at + 9)), accuracy) << predicted;
  std::string preds = ReadAll(Path("preds.csv"));
  EXPECT_EQ(core::SplitLines(preds).size(), 922u);

  // The same model against itself: no gain, which --min-delta 0.01 refuses.
  Ok("gate 'accuracy >= 0.85' --against models:/spam@champion --test-path test.csv");
  CmdResult worse =
      Run("gate 'accuracy >= 0.85' --against models:/spam@champion --test-path test.csv "
          "--min-delta 0.01");
  EXPECT_EQ(worse.exit_code, 1) << worse.output;
  EXPECT_NE(worse.output.find("champion"), std::string::npos) << worse.output;

  Write("summary.md", "");
  Ok("report --against models:/spam/Production --test-path test.csv",
     "GITHUB_STEP_SUMMARY=" + Path("summary.md"));
  std::string summary = ReadAll(Path("summary.md"));
  EXPECT_NE(summary.find("| accuracy |"), std::string::npos) << summary;
  EXPECT_NE(summary.find("Champion: models:/spam/Production (version 1"), std::string::npos)
      << summary;
  EXPECT_NE(summary.find("`confusion_matrix.png`"), std::string::npos) << summary;
}

TEST_F(MlCliTest, ErrorsNameTheFileTheFieldAndWhatWasExpected) {
  Write("bad.csv", "a,b,label\n1,2,0\n3,x,1\n");
  CmdResult r = Run("ml train --data-path bad.csv --model-output m.json --experiment-name e");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("bad.csv:3:3"), std::string::npos) << r.output;
  EXPECT_FALSE(std::ifstream(Path("m.json")).good());

  Write("params.yaml", "train:\n  n_estimator: 10\n");
  Write("good.csv", "a,label\n1,0\n2,1\n3,0\n4,1\n");
  r = Run("ml train --data-path good.csv --model-output m.json --experiment-name e");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("params.yaml:2:3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("n_estimator"), std::string::npos) << r.output;

  Write("metrics.json", "{\"accuracy\": 0.9}\n");
  r = Run("gate 'accuracy >> 0.85'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = Run("gate 'acc >= 0.85'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("accuracy"), std::string::npos) << r.output;  // names what there is

  r = Run("model register --model-uri runs:/0123/model");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--name"), std::string::npos) << r.output;
  r = Run("ml predict --model-uri models:/nothing@champion --data good.csv");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("nothing"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace cairn
