// `cairn run list|view|prune` as a user runs them, on a history recorded through the API
// (RunHistory + HistoryRecorder, as `cairn workflow run` records it) in a repository's .cairn/.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "cli/dvc_sandbox.h"
#include "core/json.h"
#include "sys/env.h"
#include "workflow/history.h"

namespace cairn::testing {
namespace {

using workflow::Conclusion;
using workflow::HistoryRecorder;
using workflow::JobRef;
using workflow::LineKind;
using workflow::RunHistory;

class RunCliTest : public DvcSandbox {
 protected:
  void SetUp() override {
    DvcSandbox::SetUp();
    env_ = sys::NewPosixEnv();
    auto h = RunHistory::Open(repo_ + "/.cairn", *env_);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    history_ = std::move(*h);
  }

  // A completed run of `file`: job build (steps Checkout and Run make, `fail` failing the
  // second) and job lint (one step).
  int64_t Record(const std::string& file, const std::string& sha, bool fail) {
    workflow::RunRequest request;
    request.workflow_file = file;
    request.event_name = "push";
    request.ref = "refs/heads/main";
    request.sha = sha;
    request.event_options_json = R"({"event":"push"})";
    auto begun = history_->BeginRun(request);
    EXPECT_TRUE(begun.ok()) << begun.status().ToString();
    if (!begun.ok()) return 0;
    HistoryRecorder recorder(*history_, begun->id);
    for (const char* name : {"build", "lint"}) {
      JobRef job{name, name};
      bool is_build = std::string(name) == "build";
      recorder.JobStarted(job);
      workflow::JobResult result;
      result.conclusion = fail && is_build ? Conclusion::kFailure : Conclusion::kSuccess;
      int steps = is_build ? 2 : 1;
      for (int i = 0; i < steps; ++i) {
        std::string step_name = i == 0 ? "Checkout" : "Run make";
        recorder.StepStarted(job, i, step_name);
        recorder.Line(job, i, LineKind::kOutput,
                      std::string(name) + " output of step " + step_name);
        workflow::StepResult step;
        step.id = i == 0 ? "checkout" : "make";
        step.display_name = step_name;
        bool failed = fail && is_build && i == 1;
        step.outcome = step.conclusion = failed ? Conclusion::kFailure : Conclusion::kSuccess;
        if (failed) step.reason = "exited with code 2";
        recorder.StepFinished(job, i, step);
      }
      if (fail && is_build) result.reason = "step 'Run make' failed: exited with code 2";
      recorder.JobFinished(job, result, "");
    }
    workflow::RunResult run;
    run.conclusion = fail ? Conclusion::kFailure : Conclusion::kSuccess;
    recorder.RunFinished(run);
    EXPECT_TRUE(recorder.status().ok()) << recorder.status().ToString();
    return begun->id;
  }

  core::Value Json(const std::string& command) {
    Ran r = Sh(command);
    EXPECT_EQ(r.rc, 0) << command << "\n" << r.out;
    auto v = core::ParseJson(r.out, command);
    EXPECT_TRUE(v.ok()) << v.status().ToString() << "\n" << r.out;
    return v.ok() ? *v : core::Value::Null();
  }

  std::unique_ptr<sys::Env> env_;
  std::unique_ptr<RunHistory> history_;
};

TEST_F(RunCliTest, ListShowsRunsNewestFirstAndFilters) {
  Record(".github/workflows/train.yml", "aaaaaaa1111111111111111111111111111111111", false);
  Record(".github/workflows/deploy.yml", "bbbbbbb2222222222222222222222222222222222", true);
  Record(".github/workflows/train.yml", "ccccccc3333333333333333333333333333333333", false);

  Ran table = Sh("cairn run list", "", true);
  ASSERT_EQ(table.rc, 0) << table.out;
  std::vector<std::string_view> lines = core::SplitLines(table.out);
  ASSERT_EQ(lines.size(), 4u) << table.out;
  EXPECT_TRUE(lines[0].starts_with("ID")) << table.out;
  for (const char* column : {"WORKFLOW", "EVENT", "REF", "SHA", "CONCLUSION", "DURATION", "AGE"}) {
    EXPECT_NE(lines[0].find(column), std::string::npos) << column;
  }
  EXPECT_TRUE(lines[1].starts_with("3 ")) << table.out;
  EXPECT_NE(lines[1].find("train.yml"), std::string::npos) << table.out;
  EXPECT_NE(lines[1].find(" ccccccc "), std::string::npos) << table.out;  // the sha, 7 chars
  EXPECT_EQ(lines[1].find("ccccccc3"), std::string::npos) << table.out;
  EXPECT_NE(lines[1].find(" main "), std::string::npos) << table.out;
  EXPECT_NE(lines[2].find("failure"), std::string::npos) << table.out;
  EXPECT_NE(lines[3].find("success"), std::string::npos) << table.out;

  core::Value deploy = Json("cairn run list --workflow deploy.yml --json");
  ASSERT_TRUE(deploy.is_sequence());
  ASSERT_EQ(deploy.size(), 1u);
  EXPECT_EQ(deploy.items()[0].Find("id")->AsInt64(), 2);
  EXPECT_EQ(deploy.items()[0].Find("conclusion")->AsString(), "failure");
  EXPECT_EQ(deploy.items()[0].Find("event_options")->Find("event")->AsString(), "push");

  core::Value train = Json("cairn run list --workflow train --limit 1 --json");
  ASSERT_EQ(train.size(), 1u);
  EXPECT_EQ(train.items()[0].Find("id")->AsInt64(), 3);
  EXPECT_EQ(train.items()[0].Find("run_number")->AsInt64(), 2);

  // From a subdirectory, the repository's .cairn/ is found.
  Ran sub = Sh("mkdir -p src/deep && cd src/deep && cairn run list --json");
  ASSERT_EQ(sub.rc, 0) << sub.out;
  auto parsed = core::ParseJson(sub.out, "sub");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->size(), 3u);
}

TEST_F(RunCliTest, ViewShowsJobsStepsReasonsAndLogs) {
  int64_t id =
      Record(".github/workflows/ci.yml", "ddddddd4444444444444444444444444444444444", true);
  std::string view = "cairn run view " + std::to_string(id);

  Ran text = Sh(view, "", true);
  ASSERT_EQ(text.rc, 0) << text.out;
  for (const char* want :
       {"failure", "job build: failure", "step 'Run make' failed", "step 1 Run make: failure",
        "exited with code 2", "job lint: success", "ddddddd"}) {
    EXPECT_NE(text.out.find(want), std::string::npos) << want << "\n" << text.out;
  }
  EXPECT_EQ(text.out.find("output of step"), std::string::npos) << text.out;  // no --log

  Ran log = Sh(view + " --log --job build", "", true);
  ASSERT_EQ(log.rc, 0) << log.out;
  EXPECT_NE(log.out.find("build output of step Run make"), std::string::npos) << log.out;
  EXPECT_NE(log.out.find("-- step 1: Run make"), std::string::npos) << log.out;
  EXPECT_EQ(log.out.find("lint"), std::string::npos) << log.out;

  core::Value json = Json(view + " --json --log");
  EXPECT_EQ(json.Find("conclusion")->AsString(), "failure");
  const core::Value* jobs = json.Find("jobs");
  ASSERT_NE(jobs, nullptr);
  ASSERT_EQ(jobs->size(), 2u);
  const core::Value& build = jobs->items()[0];
  EXPECT_EQ(build.Find("name")->AsString(), "build");
  ASSERT_EQ(build.Find("steps")->size(), 2u);
  EXPECT_EQ(build.Find("steps")->items()[1].Find("reason")->AsString(), "exited with code 2");
  const core::Value* lines = build.Find("log");
  ASSERT_NE(lines, nullptr);
  ASSERT_EQ(lines->size(), 4u);  // two step markers, two lines
  EXPECT_EQ(lines->items()[3].Find("step")->AsInt64(), 1);
  EXPECT_EQ(lines->items()[3].Find("text")->AsString(), "build output of step Run make");

  Ran missing = Sh("cairn run view 99", "", true);
  EXPECT_EQ(missing.rc, 1) << missing.out;
  EXPECT_NE(missing.out.find("no run 99"), std::string::npos) << missing.out;
  Ran no_job = Sh(view + " --job deploy", "", true);
  EXPECT_EQ(no_job.rc, 2) << no_job.out;
  EXPECT_NE(no_job.out.find("'build', 'lint'"), std::string::npos) << no_job.out;
}

TEST_F(RunCliTest, PruneRemovesOldRunsAndTheirLogs) {
  for (int i = 0; i < 3; ++i) {
    Record(".github/workflows/ci.yml", "eeeeeee5555555555555555555555555555555555", false);
  }
  Ran nothing = Sh("cairn run prune", "", true);
  ASSERT_EQ(nothing.rc, 0) << nothing.out;
  EXPECT_NE(nothing.out.find("no run to remove"), std::string::npos) << nothing.out;

  Ran pruned = Sh("cairn run prune --keep 1", "", true);
  ASSERT_EQ(pruned.rc, 0) << pruned.out;
  EXPECT_NE(pruned.out.find("removed 2 runs (1, 2)"), std::string::npos) << pruned.out;
  EXPECT_FALSE(std::filesystem::exists(repo_ + "/.cairn/runs/1"));
  EXPECT_TRUE(std::filesystem::exists(repo_ + "/.cairn/runs/3/build.log"));
  core::Value left = Json("cairn run list --json");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left.items()[0].Find("id")->AsInt64(), 3);
}

TEST_F(RunCliTest, OutsideARepositoryWithCairnItSaysToInit) {
  Ran r = Sh("mkdir -p elsewhere && cd elsewhere && cairn run list", scratch_->path(), true);
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_NE(r.out.find("no .cairn directory in"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("run `cairn init`"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace cairn::testing
