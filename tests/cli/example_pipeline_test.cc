// The README's main job as a test: scripts/pipeline-demo.sh runs the example project
// (examples/spam-filter) through its workflow three times (a pull request from `tune`, the
// push to main merging it, a push to main whose params fail the gate) against `cairn server`
// with basic auth; then what the issue's "Done when" asks is checked on what it left: the
// registry, the runs' tags and metrics, the plots, where dvc.lock went, the logs (no secret),
// and the champion's predictions.
//
// The demo runs once for the suite (SetUpTestSuite); each test checks one promise.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/strings.h"
#include "core/value.h"
#include "sys/temp_dir.h"
#include "testing/paths.h"
#include "testing/shell.h"

namespace cairn::testing {
namespace {

struct Ran {
  int rc = -1;
  std::string out;  // stdout and stderr
};

std::string Quote(std::string_view s) { return "'" + core::ReplaceAll(s, "'", "'\\''") + "'"; }

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The tags of an MLflow JSON list ([{key, value}]) as a map.
std::map<std::string, std::string> Tags(const core::Value* list) {
  std::map<std::string, std::string> tags;
  if (list == nullptr) return tags;
  for (const core::Value& t : list->items()) {
    const core::Value* k = t.Find("key");
    const core::Value* v = t.Find("value");
    if (k != nullptr && v != nullptr) tags[k->AsString()] = v->AsString();
  }
  return tags;
}

// PNG: the signature, then the IHDR chunk's width and height (big-endian).
bool PngSize(const std::string& bytes, uint32_t* width, uint32_t* height) {
  static const std::string kSignature = "\x89PNG\r\n\x1a\n";
  if (bytes.size() < 24 || bytes.compare(0, 8, kSignature) != 0) return false;
  if (bytes.compare(12, 4, "IHDR") != 0) return false;
  auto u32 = [&](size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    return v;
  };
  *width = u32(16);
  *height = u32(20);
  return true;
}

class ExamplePipelineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto dir = sys::TempDir::Create("cairn-example-pipeline-");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    scratch_ = new sys::TempDir(std::move(*dir));
    demo_dir_ = new std::string(scratch_->Path("demo"));
    auto start = std::chrono::steady_clock::now();
    demo_ = new Ran(Sh(Quote(SourceDir() + "/scripts/pipeline-demo.sh") + " " +
                       Quote(BinaryDir() + "/src/cli/cairn") + " " + Quote(*demo_dir_)));
    demo_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  static void TearDownTestSuite() {
    delete demo_;
    delete demo_dir_;
    delete scratch_;
    demo_ = nullptr;
    demo_dir_ = nullptr;
    scratch_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(demo_, nullptr);
    ASSERT_EQ(demo_->rc, 0) << "scripts/pipeline-demo.sh failed:\n" << Tail(demo_->out);
  }

  // Runs `script` with sh in `dir` (default: the demo's repository), stdout and stderr
  // together, with HOME in the scratch directory (no global git or DVC configuration).
  static Ran Sh(const std::string& script, std::string dir = "") {
    if (dir.empty()) dir = ::access(Repo().c_str(), F_OK) == 0 ? Repo() : scratch_->path();
    std::string cmd =
        "cd " + Quote(dir) + " && HOME=" + Quote(scratch_->path()) +
        " LC_ALL=C.UTF-8 GIT_CONFIG_NOSYSTEM=1 PATH=" + Quote(BinaryDir() + "/src/cli") +
        ":\"$PATH\" sh -c " + Quote(script) + " 2>&1";
    testing::ShellResult r = testing::Shell(cmd);
    return Ran{r.exit_code, std::move(r.output)};
  }

  static std::string Tail(const std::string& text, size_t lines = 60) {
    std::vector<std::string_view> all = core::SplitLines(text);
    size_t from = all.size() > lines ? all.size() - lines : 0;
    std::string out;
    for (size_t i = from; i < all.size(); ++i) out += std::string(all[i]) + "\n";
    return out;
  }

  static std::string Repo() { return *demo_dir_ + "/repo"; }
  static std::string Origin() { return *demo_dir_ + "/origin.git"; }
  static std::string Db() { return "sqlite:///" + *demo_dir_ + "/server/mlflow.db"; }

  // A cairn command's JSON output (the command gets --json).
  static core::Value Json(const std::string& command) {
    Ran ran = Sh(command + " --json");
    EXPECT_EQ(ran.rc, 0) << command << ":\n" << ran.out;
    auto value = core::ParseJson(ran.out, command);
    EXPECT_TRUE(value.ok()) << command << ": " << value.status().ToString() << "\n" << ran.out;
    return value.ok() ? *value : core::Value();
  }

  // The workflow run `id` (1: the pull request, 2: the push to main, 3: the failing push).
  static core::Value WorkflowRun(int id) { return Json("cairn run view " + std::to_string(id)); }

  static const core::Value* FindJob(const core::Value& run, std::string_view job) {
    const core::Value* jobs = run.Find("jobs");
    if (jobs == nullptr) return nullptr;
    for (const core::Value& j : jobs->items()) {
      if (j.Find("job_id") != nullptr && j.Find("job_id")->AsString() == job) return &j;
    }
    return nullptr;
  }

  static std::string JobConclusion(int run, std::string_view job) {
    core::Value v = WorkflowRun(run);
    const core::Value* j = FindJob(v, job);
    return j == nullptr ? "(no job " + std::string(job) + ")" : j->Find("conclusion")->AsString();
  }

  // The MLflow run the train job of workflow run `id` logged (its output run_id).
  static std::string MlflowRunId(int id) {
    core::Value v = WorkflowRun(id);
    const core::Value* train = FindJob(v, "train");
    if (train == nullptr || train->Find("outputs") == nullptr) return "";
    const core::Value* run_id = train->Find("outputs")->Find("run_id");
    return run_id == nullptr ? "" : run_id->AsString();
  }

  static std::string Sha(int id) {
    core::Value v = WorkflowRun(id);
    return v.Find("sha") == nullptr ? "" : v.Find("sha")->AsString();
  }

  // A file of the artifact `name` the workflow run `id` uploaded.
  static std::string ArtifactFile(int id, std::string_view name, std::string_view file) {
    return Repo() + "/.cairn/artifacts/" + std::to_string(id) + "/" + std::string(name) +
           "/files/" + std::string(file);
  }

  static std::map<std::string, double> Metrics(int id) {
    std::string path = ArtifactFile(id, "test-results", "metrics.json");
    std::map<std::string, double> metrics;
    auto value = core::ParseJson(Read(path), path);
    EXPECT_TRUE(value.ok()) << path << ": " << value.status().ToString();
    if (!value.ok()) return metrics;
    for (const char* key : {"accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "n"}) {
      const core::Value* v = value->Find(key);
      EXPECT_TRUE(v != nullptr && v->is_number()) << path << " has no number '" << key << "'";
      if (v != nullptr && v->is_number()) metrics[key] = v->AsDouble();
    }
    return metrics;
  }

  // md5 of `path` in dvc.lock at git revision `rev` of the bare origin ("" when absent).
  static std::string LockedMd5(const std::string& rev, const std::string& path) {
    Ran ran = Sh("git -C " + Quote(Origin()) + " show " + Quote(rev + ":dvc.lock") +
                 " | grep -A2 -e '- path: " + path + "$' | sed -n 's/^ *md5: //p' | head -1");
    return std::string(core::Trim(ran.out));
  }

  static std::string Secret(std::string_view name) {
    std::string text = Read(Repo() + "/.cairn/secrets.env");
    for (std::string_view line : core::SplitLines(text)) {
      if (line.starts_with(std::string(name) + "=")) {
        return std::string(line.substr(name.size() + 1));
      }
    }
    return "";
  }

  static sys::TempDir* scratch_;
  static std::string* demo_dir_;
  static Ran* demo_;
  static double demo_seconds_;
};

sys::TempDir* ExamplePipelineTest::scratch_ = nullptr;
std::string* ExamplePipelineTest::demo_dir_ = nullptr;
Ran* ExamplePipelineTest::demo_ = nullptr;
double ExamplePipelineTest::demo_seconds_ = 0;

TEST_F(ExamplePipelineTest, TheThreeRunsEndAsTheIssueSays) {
  std::cout << "pipeline-demo.sh took " << demo_seconds_ << " s\n";
  core::Value list = Json("cairn run list");
  ASSERT_EQ(list.items().size(), 3u) << demo_->out;
  // Newest first.
  EXPECT_EQ(list.items()[2].Find("event")->AsString(), "pull_request");
  EXPECT_EQ(list.items()[2].Find("conclusion")->AsString(), "success");
  EXPECT_EQ(list.items()[1].Find("event")->AsString(), "push");
  EXPECT_EQ(list.items()[1].Find("ref")->AsString(), "refs/heads/main");
  EXPECT_EQ(list.items()[1].Find("conclusion")->AsString(), "success");
  EXPECT_EQ(list.items()[0].Find("event")->AsString(), "push");
  EXPECT_EQ(list.items()[0].Find("conclusion")->AsString(), "failure");

  EXPECT_EQ(JobConclusion(1, "train"), "success");
  EXPECT_EQ(JobConclusion(1, "register"), "skipped");
  EXPECT_EQ(JobConclusion(2, "train"), "success");
  EXPECT_EQ(JobConclusion(2, "register"), "success");
  EXPECT_EQ(JobConclusion(3, "train"), "failure");
  EXPECT_EQ(JobConclusion(3, "register"), "skipped");

  // The third run failed at the gate, and says why: the metric, its value and the bar.
  core::Value third = WorkflowRun(3);
  const core::Value* train = FindJob(third, "train");
  ASSERT_NE(train, nullptr);
  std::string failed_step;
  for (const core::Value& step : train->Find("steps")->items()) {
    if (step.Find("conclusion")->AsString() == "failure") {
      failed_step = step.Find("name")->AsString();
      break;
    }
  }
  EXPECT_EQ(failed_step, "Check validation thresholds") << core::ToJson(third);
  std::string log = Read(Repo() + "/.cairn/runs/3/train.log");
  EXPECT_NE(log.find("is below the bar: needs >= 0.85"), std::string::npos) << log;
  EXPECT_NE(demo_->out.find("is below the bar"), std::string::npos) << Tail(demo_->out);
  // The demo ends with the history, the registry and where things are.
  EXPECT_NE(demo_->out.find("tracking server"), std::string::npos);
  EXPECT_NE(demo_->out.find("pipeline-demo: done in"), std::string::npos);
}

TEST_F(ExamplePipelineTest, TheRegistryHoldsOneProductionChampionFromThePushToMain) {
  std::string store = " --tracking-uri " + Quote(Db());
  core::Value v = Json("cairn model get spam-filter 1" + store);
  const core::Value* version = v.Find("model_version");
  ASSERT_NE(version, nullptr) << core::ToJson(v);
  EXPECT_EQ(version->Find("current_stage")->AsString(), "Production");
  const core::Value* aliases = version->Find("aliases");
  ASSERT_NE(aliases, nullptr) << core::ToJson(v);
  ASSERT_EQ(aliases->items().size(), 1u) << core::ToJson(v);
  EXPECT_EQ(aliases->items()[0].AsString(), "champion");
  std::string run_id = MlflowRunId(2);
  ASSERT_FALSE(run_id.empty());
  EXPECT_EQ(version->Find("run_id")->AsString(), run_id);
  EXPECT_EQ(version->Find("source")->AsString(), "runs:/" + run_id + "/model");

  std::map<std::string, std::string> tags = Tags(version->Find("tags"));
  EXPECT_EQ(tags["github.sha"], Sha(2));
  EXPECT_EQ(tags["github.ref"], "refs/heads/main");
  EXPECT_EQ(tags["github.run_id"], "2");
  // The training data: data/train.csv as the committed dvc.lock records it.
  std::string train_md5 = LockedMd5("main", "data/train.csv");
  ASSERT_EQ(train_md5.size(), 32u) << train_md5;
  EXPECT_EQ(tags["cairn.data.md5"], train_md5);

  // Nothing from the pull request or the failing push: no version 2.
  Ran second = Sh("cairn model get spam-filter 2" + store);
  EXPECT_NE(second.rc, 0) << second.out;
  core::Value model = Json("cairn model get spam-filter" + store);
  std::string text = core::ToJson(model);
  EXPECT_EQ(text.find("\"version\":\"2\""), std::string::npos) << text;
}

TEST_F(ExamplePipelineTest, EveryRunIsTaggedWithItsCommitRefAndData) {
  std::string store = " --tracking-uri " + Quote(Db());
  struct Want {
    int run;
    std::string ref;
    std::string branch;
  };
  for (const Want& want : {Want{1, "refs/pull/1/merge", "tune"}, Want{2, "refs/heads/main", "main"},
                           Want{3, "refs/heads/main", "main"}}) {
    SCOPED_TRACE("workflow run " + std::to_string(want.run));
    std::string run_id = MlflowRunId(want.run);
    ASSERT_EQ(run_id.size(), 32u) << run_id;
    core::Value v = Json("cairn track runs get " + run_id + store);
    const core::Value* run = v.Find("run");
    ASSERT_NE(run, nullptr) << core::ToJson(v);
    std::map<std::string, std::string> tags = Tags(run->Find("data")->Find("tags"));
    std::string sha = Sha(want.run);
    EXPECT_EQ(tags["mlflow.source.git.commit"], sha);
    EXPECT_EQ(tags["mlflow.source.git.branch"], want.branch);
    EXPECT_EQ(tags["github.sha"], sha);
    EXPECT_EQ(tags["github.ref"], want.ref);
    EXPECT_EQ(tags["github.run_id"], std::to_string(want.run));
    EXPECT_EQ(tags["github.workflow"], "Train and Register Model");
    EXPECT_EQ(tags["cairn.data.md5"].size(), 32u);
    // The evaluation's metrics were logged to the run, as metrics.json has them.
    std::map<std::string, double> file = Metrics(want.run);
    const core::Value* metrics = run->Find("data")->Find("metrics");
    ASSERT_NE(metrics, nullptr) << core::ToJson(v);
    bool found = false;
    for (const core::Value& m : metrics->items()) {
      if (m.Find("key")->AsString() != "accuracy") continue;
      found = true;
      EXPECT_DOUBLE_EQ(m.Find("value")->AsDouble(), file["accuracy"]);
    }
    EXPECT_TRUE(found) << core::ToJson(v);
  }
}

TEST_F(ExamplePipelineTest, MetricsAreInTheExpectedBand) {
  size_t test_rows =
      core::SplitLines(Read(ArtifactFile(2, "pipeline-outputs", "data/test.csv"))).size() - 1;
  EXPECT_NEAR(static_cast<double>(test_rows), 4601 * 0.2, 2);
  for (int run : {1, 2}) {
    SCOPED_TRACE("workflow run " + std::to_string(run));
    std::map<std::string, double> m = Metrics(run);
    EXPECT_GE(m["accuracy"], 0.93);
    EXPECT_LE(m["accuracy"], 1.0);
    EXPECT_GE(m["precision"], 0.88);
    EXPECT_GE(m["recall"], 0.85);
    EXPECT_GE(m["f1"], 0.88);
    EXPECT_GE(m["roc_auc"], 0.97);
    EXPECT_GT(m["log_loss"], 0.0);
    EXPECT_LT(m["log_loss"], 0.25);
    EXPECT_EQ(m["n"], static_cast<double>(test_rows));
  }
  std::map<std::string, double> bad = Metrics(3);
  EXPECT_LT(bad["accuracy"], 0.85);
  EXPECT_GT(bad["accuracy"], 0.5);
}

TEST_F(ExamplePipelineTest, PlotsArePngFilesOf640x480) {
  for (int run : {1, 2, 3}) {
    for (const char* plot : {"confusion_matrix.png", "roc.png"}) {
      SCOPED_TRACE("workflow run " + std::to_string(run) + ": " + plot);
      uint32_t width = 0;
      uint32_t height = 0;
      ASSERT_TRUE(PngSize(Read(ArtifactFile(run, "test-results", plot)), &width, &height));
      EXPECT_EQ(width, 640u);
      EXPECT_EQ(height, 480u);
    }
  }
  // ...and the same files were logged to the MLflow run of the push to main.
  std::string run_id = MlflowRunId(2);
  Ran logged = Sh("find " + Quote(*demo_dir_ + "/server/artifacts") + " -path '*" + run_id +
                  "*' -name '*.png' | sort");
  EXPECT_NE(logged.out.find("confusion_matrix.png"), std::string::npos) << logged.out;
  EXPECT_NE(logged.out.find("roc.png"), std::string::npos) << logged.out;
}

TEST_F(ExamplePipelineTest, DvcLockIsCommittedOnlyByThePushToMainAndReachesTheOrigin) {
  std::string git = "git -C " + Quote(Origin()) + " ";
  Ran subjects = Sh(git + "log --format=%s main");
  ASSERT_EQ(subjects.rc, 0) << subjects.out;
  size_t locks = 0;
  for (std::string_view s : core::SplitLines(subjects.out)) {
    locks += s == "[ci] Update DVC lock after training";
  }
  EXPECT_EQ(locks, 1u) << subjects.out;
  // The lock commit sits right on the push to main's commit, and the failing push came after.
  Ran lock = Sh(git + "log --format=%H --grep='Update DVC lock' main");
  std::string lock_sha(core::Trim(lock.out));
  EXPECT_EQ(std::string(core::Trim(Sh(git + "rev-parse " + lock_sha + "^").out)), Sha(2));
  EXPECT_EQ(std::string(core::Trim(Sh(git + "rev-parse " + Sha(3) + "^").out)), lock_sha);
  EXPECT_EQ(std::string(core::Trim(Sh(git + "rev-parse main").out)), Sha(3));
  // Neither the branch of the pull request nor the commit before the lock has a dvc.lock.
  EXPECT_NE(Sh(git + "cat-file -e tune:dvc.lock").rc, 0);
  EXPECT_NE(Sh(git + "cat-file -e " + Sha(2) + ":dvc.lock").rc, 0);
  // The outputs dvc.lock names are on the DVC remote.
  for (const char* path : {"data/train.csv", "data/test.csv", "models/model.xgb"}) {
    std::string md5 = LockedMd5("main", path);
    ASSERT_EQ(md5.size(), 32u) << path << ": " << md5;
    std::string object =
        *demo_dir_ + "/dvc-remote/files/md5/" + md5.substr(0, 2) + "/" + md5.substr(2);
    EXPECT_EQ(::access(object.c_str(), F_OK), 0) << path << ": " << object;
  }
}

TEST_F(ExamplePipelineTest, NoSecretValueIsInAnyLog) {
  std::string password = Secret("MLFLOW_TRACKING_PASSWORD");
  std::string user = Secret("MLFLOW_TRACKING_USERNAME");
  ASSERT_GE(password.size(), 16u);
  ASSERT_FALSE(user.empty());
  for (const std::string& secret : {password, user}) {
    Ran grep = Sh("grep -rlF -e " + Quote(secret) + " .cairn/runs .cairn/runs.db* || true");
    EXPECT_EQ(grep.out, "") << "a secret is in " << grep.out;
  }
  EXPECT_EQ(demo_->out.find(password), std::string::npos);
  EXPECT_EQ(Read(*demo_dir_ + "/server/server.log").find(password), std::string::npos);
  // The logs are there, and show where the secrets were used, masked.
  EXPECT_NE(Read(Repo() + "/.cairn/runs/2/register.log").find("MLFLOW_TRACKING_PASSWORD: ***"),
            std::string::npos);
}

TEST_F(ExamplePipelineTest, PredictWithTheChampionReproducesTheEvaluatedAccuracy) {
  // The server again, on the demo's store, for models:/ and its artifact proxy.
  std::string server = *demo_dir_ + "/server";
  Ran started = Sh("cairn server --backend-store-uri " + Quote(Db()) + " --artifacts-destination " +
                   Quote(server + "/artifacts") + " --auth-file " + Quote(server + "/htpasswd") +
                   " --port 0 > " + Quote(scratch_->Path("server.log")) + " 2>&1 & echo $!");
  std::string pid(core::Trim(started.out));
  ASSERT_FALSE(pid.empty());
  std::string url;
  for (int i = 0; i < 100 && url.empty(); ++i) {
    std::string log = Read(scratch_->Path("server.log"));
    size_t at = log.find("listening on ");
    if (at != std::string::npos) {
      size_t end = log.find_first_of(" \n", at + 13);
      url = log.substr(at + 13, end == std::string::npos ? std::string::npos : end - at - 13);
    } else {
      ::usleep(100'000);
    }
  }
  std::string test_csv = ArtifactFile(2, "pipeline-outputs", "data/test.csv");
  Ran predict;
  if (!url.empty()) {
    predict = Sh("MLFLOW_TRACKING_URI=" + Quote(url) +
                 " MLFLOW_TRACKING_USERNAME=" + Quote(Secret("MLFLOW_TRACKING_USERNAME")) +
                 " MLFLOW_TRACKING_PASSWORD=" + Quote(Secret("MLFLOW_TRACKING_PASSWORD")) +
                 " cairn ml predict --model-uri models:/spam-filter@champion --data " +
                 Quote(test_csv) + " --output " + Quote(scratch_->Path("predictions.csv")));
  }
  Sh("kill -TERM " + pid + "; while kill -0 " + pid + " 2>/dev/null; do sleep 0.05; done");
  ASSERT_FALSE(url.empty()) << Read(scratch_->Path("server.log"));
  ASSERT_EQ(predict.rc, 0) << predict.out;

  // Predictions against the labels (the last column of the test CSV).
  std::string predictions_text = Read(scratch_->Path("predictions.csv"));
  std::vector<std::string_view> predictions = core::SplitLines(predictions_text);
  std::string test_text = Read(test_csv);
  std::vector<std::string_view> rows = core::SplitLines(test_text);
  ASSERT_GT(rows.size(), 1u);
  ASSERT_EQ(predictions.size(), rows.size()) << "a header and one line per row";
  EXPECT_EQ(predictions[0], "probability,prediction");
  size_t correct = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    std::string_view label = rows[i].substr(rows[i].rfind(',') + 1);
    std::string_view predicted = predictions[i].substr(predictions[i].rfind(',') + 1);
    correct += label == predicted;
  }
  double accuracy = static_cast<double>(correct) / static_cast<double>(rows.size() - 1);
  EXPECT_DOUBLE_EQ(accuracy, Metrics(2)["accuracy"]);
}

}  // namespace
}  // namespace cairn::testing
