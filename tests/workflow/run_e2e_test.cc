// End-to-end tests of RunWorkflow with the real RunJob (RunJobWith, without actions): real `run:`
// steps in bash, outputs through $GITHUB_OUTPUT into needs, a matrix of real commands, a local
// reusable workflow.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "parsed.h"
#include "sys/temp_dir.h"
#include "workflow/job_state.h"
#include "workflow/parse.h"
#include "workflow/run_internal.h"
#include "workflow/runner.h"

namespace cairn::workflow {
namespace {

class Lines : public RunObserver {
 public:
  void Line(const JobRef& job, int, LineKind kind, std::string_view line) override {
    if (kind != LineKind::kOutput) return;
    std::lock_guard lock(mu_);
    lines_[job.display_name].push_back(std::string(line));
  }
  std::vector<std::string> Of(const std::string& job) {
    std::lock_guard lock(mu_);
    return lines_[job];
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::vector<std::string>> lines_;
};

class RunE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::Result<sys::TempDir> dir = sys::TempDir::Create("run-e2e-");
    ASSERT_TRUE(dir.ok());
    temp_.emplace(std::move(*dir));
    options_.dirs.temp_root = temp_->Path("tmp");
    options_.dirs.repository = temp_->path();
    options_.masker = std::make_shared<core::SecretMasker>();
    for (const char* name : {"PATH", "HOME", "LANG"}) {
      if (const char* v = std::getenv(name)) options_.base_env[name] = v;
    }
    event_.name = "push";
    event_.ref = "refs/heads/main";
    event_.sha = "0123456789abcdef0123456789abcdef01234567";
    event_.payload = core::Value::Mapping();
  }
  RunResult Run(const Workflow& wf) {
    // RunJob's own steps, without the built-in actions (none of these workflows uses one).
    internal::JobRunner runner = [](const JobContext& job, RunObserver& observer) {
      return RunJobWith(job, observer, [](const UsesRef& uses, std::string_view) {
        return core::Result<std::unique_ptr<Action>>(
            core::Status::InvalidArgument("no actions here: " + uses.text));
      });
    };
    core::Result<RunResult> r =
        internal::RunWorkflowWith(wf, event_, options_, lines_, std::move(runner));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RunResult{};
  }
  std::optional<sys::TempDir> temp_;
  RunOptions options_;
  Event event_;
  Lines lines_;
};

TEST_F(RunE2eTest, NeedsOutputsThroughGithubOutput) {
  Workflow wf = testing::Parsed(R"Y(on: push
jobs:
  produce:
    runs-on: ubuntu-latest
    outputs: {x: "${{ steps.s.outputs.x }}"}
    steps:
      - id: s
        run: echo x=1 >> "$GITHUB_OUTPUT"
  consume:
    needs: produce
    if: needs.produce.outputs.x == '1'
    runs-on: ubuntu-latest
    steps:
      - run: echo "got ${{ needs.produce.outputs.x }} from $GITHUB_JOB"
)Y");
  RunResult r = Run(wf);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess);
  ASSERT_EQ(r.jobs.size(), 2u);
  EXPECT_EQ(r.jobs[0].outputs.at("x"), "1");
  std::vector<std::string> out = lines_.Of("consume");
  EXPECT_NE(std::find(out.begin(), out.end(), "got 1 from consume"), out.end());
}

TEST_F(RunE2eTest, MatrixOfFourLegsRunsRealCommands) {
  Workflow wf = testing::Parsed(R"Y(on: push
jobs:
  leg:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix: {a: [1, 2], b: [x, y]}
    steps:
      - run: |
          echo "leg ${{ matrix.a }}${{ matrix.b }} ${{ strategy.job-index }}"
          test "${{ matrix.a }}${{ matrix.b }}" != 2y
)Y");
  RunResult r = Run(wf);
  EXPECT_EQ(r.conclusion, Conclusion::kFailure);
  ASSERT_EQ(r.jobs.size(), 4u);
  int failed = 0;
  for (const JobResult& j : r.jobs) {
    if (j.conclusion == Conclusion::kFailure) {
      ++failed;
      EXPECT_EQ(j.display_name, "leg (2, y)");
    }
  }
  EXPECT_EQ(failed, 1);
  std::vector<std::string> out = lines_.Of("leg (1, y)");
  EXPECT_NE(std::find(out.begin(), out.end(), "leg 1y 1"), out.end());
}

TEST_F(RunE2eTest, LocalReusableWorkflow) {
  ParseOptions parse;
  parse.workflows["./.github/workflows/greet.yml"] = R"Y(
on:
  workflow_call:
    inputs:
      who: {type: string, required: true}
    outputs:
      said: {value: "${{ jobs.say.outputs.said }}"}
jobs:
  say:
    runs-on: ubuntu-latest
    outputs: {said: "${{ steps.s.outputs.said }}"}
    steps:
      - id: s
        run: echo "said=hello ${{ inputs.who }}" >> "$GITHUB_OUTPUT"
)Y";
  core::Result<Workflow> wf = ParseWorkflow(R"Y(on: push
jobs:
  greet:
    uses: ./.github/workflows/greet.yml
    with: {who: cairn}
  echo:
    needs: greet
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ needs.greet.outputs.said }}"
)Y",
                                            "ci.yml", parse);
  ASSERT_TRUE(wf.ok()) << wf.status().ToString();
  RunResult r = Run(*wf);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess);
  std::vector<std::string> out = lines_.Of("echo");
  EXPECT_NE(std::find(out.begin(), out.end(), "hello cairn"), out.end());
  ASSERT_FALSE(r.jobs.empty());
  EXPECT_EQ(r.jobs[0].display_name, "greet / say");
}

}  // namespace
}  // namespace cairn::workflow
