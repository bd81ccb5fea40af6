// Tests of RunWorkflow's orchestration (run.cc and friends) with a fake job runner: the needs
// graph and its parallelism, status functions, skips, --job, matrix legs, fail-fast,
// max-parallel, outputs, reusable workflows, environments, concurrency and cancellation.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/json.h"
#include "parsed.h"
#include "sys/temp_dir.h"
#include "workflow/parse.h"
#include "workflow/run_internal.h"
#include "workflow/runner.h"

namespace cairn::workflow {
namespace {

using internal::JobRunner;
using internal::RunWorkflowWith;
using namespace std::chrono_literals;

// Records what the observer sees, in order, as short strings.
class Recorder : public RunObserver {
 public:
  void RunStarted(const Workflow&, const Event&) override { Add("run-started"); }
  void JobStarted(const JobRef& job) override { Add("started " + job.display_name); }
  void Line(const JobRef& job, int, LineKind kind, std::string_view line) override {
    if (kind == LineKind::kCommand) Add("line " + job.display_name + ": " + std::string(line));
  }
  void JobFinished(const JobRef& job, const JobResult& result, std::string_view) override {
    Add("finished " + job.display_name + " " + std::string(ConclusionName(result.conclusion)) +
        (result.reason.empty() ? "" : " (" + result.reason + ")"));
  }
  void RunFinished(const RunResult& result) override {
    Add("run-finished " + std::string(ConclusionName(result.conclusion)));
  }
  std::vector<std::string> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  bool Has(std::string_view prefix) {
    for (const std::string& e : events()) {
      if (e.starts_with(prefix)) return true;
    }
    return false;
  }

 private:
  void Add(std::string e) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
  }
  std::mutex mu_;
  std::vector<std::string> events_;
};

// Evaluates `text` (an expression) with the contexts a job was given.
std::string Eval(const JobContext& ctx, std::string_view text) {
  core::Result<expr::Expression> e = expr::Expression::Parse(text, internal::AnyKeyAllowed());
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  if (!e.ok()) return "<bad>";
  core::Result<expr::Value> v = e->Evaluate({.contexts = &ctx.contexts});
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? v->ToString() : "<error>";
}

// A fake job runner: `behave` decides each job's result (default: success); it reports
// JobStarted/JobFinished as RunJob does and counts how many jobs run at once.
struct Fake {
  std::function<JobResult(const JobContext&)> behave;
  std::mutex mu;
  std::vector<std::string> ran;             // display names, in start order
  std::map<std::string, std::string> seen;  // display name -> whatever `behave` noted
  int running = 0;
  int max_running = 0;

  JobRunner Runner() {
    return [this](const JobContext& ctx, RunObserver& observer) -> core::Result<JobResult> {
      observer.JobStarted(ctx.ref);
      {
        std::lock_guard lock(mu);
        ran.push_back(ctx.ref.display_name);
        max_running = std::max(max_running, ++running);
      }
      JobResult r;
      if (behave) r = behave(ctx);
      {
        std::lock_guard lock(mu);
        --running;
      }
      r.job_id = ctx.ref.job_id;
      r.display_name = ctx.ref.display_name;
      observer.JobFinished(ctx.ref, r, "");
      return r;
    };
  }
  void Note(const std::string& name, const std::string& what) {
    std::lock_guard lock(mu);
    seen[name] = what;
  }
  bool Ran(std::string_view name) {
    std::lock_guard lock(mu);
    return std::find(ran.begin(), ran.end(), name) != ran.end();
  }
};

JobResult Failed(std::string reason = "exited with code 1") {
  JobResult r;
  r.conclusion = Conclusion::kFailure;
  r.reason = std::move(reason);
  return r;
}

// Waits for the job's stop token (up to `limit`): cancelled when stopped, else success.
JobResult WaitForStop(const JobContext& ctx, std::chrono::milliseconds limit = 10s) {
  std::mutex m;
  std::condition_variable_any cv;
  std::unique_lock lock(m);
  bool stopped =
      cv.wait_for(lock, ctx.stop, limit, [] { return false; }) || ctx.stop.stop_requested();
  JobResult r;
  if (stopped) {
    r.conclusion = Conclusion::kCancelled;
    r.reason = "cancelled";
  }
  return r;
}

class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::Result<sys::TempDir> dir = sys::TempDir::Create("run-test-");
    ASSERT_TRUE(dir.ok());
    temp_.emplace(std::move(*dir));
    options_.dirs.temp_root = temp_->Path("tmp");
    options_.masker = std::make_shared<core::SecretMasker>();
    event_.name = "push";
    event_.ref = "refs/heads/main";
    event_.sha = "0123456789abcdef0123456789abcdef01234567";
    event_.payload = core::Value::Mapping();
    event_.payload.Set("ref", core::Value::String(event_.ref));
  }

  RunResult Run(const Workflow& wf, Fake& fake) {
    core::Result<RunResult> r = RunWorkflowWith(wf, event_, options_, recorder_, fake.Runner());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RunResult{};
  }

  static const JobResult* Find(const RunResult& r, std::string_view name) {
    for (const JobResult& j : r.jobs) {
      if (j.display_name == name) return &j;
    }
    return nullptr;
  }
  static Conclusion Of(const RunResult& r, std::string_view name) {
    const JobResult* j = Find(r, name);
    EXPECT_NE(j, nullptr) << "no job " << name;
    return j != nullptr ? j->conclusion : Conclusion::kSkipped;
  }

  std::optional<sys::TempDir> temp_;
  RunOptions options_;
  Event event_;
  Recorder recorder_;
};

constexpr std::string_view kHead = "on: push\njobs:\n";

Workflow Wf(std::string_view jobs) {
  return testing::Parsed(std::string(kHead) + std::string(jobs));
}

TEST_F(RunTest, IndependentJobsOverlapAndNeedsWait) {
  Workflow wf = Wf(R"Y(
  a: {runs-on: ubuntu-latest, steps: [{run: x}]}
  b: {runs-on: ubuntu-latest, steps: [{run: x}]}
  c: {needs: [a, b], runs-on: ubuntu-latest, steps: [{run: x}]}
)Y");
  // a and b wait for each other: they finish only if they run at the same time.
  std::mutex m;
  std::condition_variable cv;
  int arrived = 0;
  Fake fake;
  fake.behave = [&](const JobContext& ctx) {
    if (ctx.ref.job_id == "c") return JobResult{};
    std::unique_lock lock(m);
    ++arrived;
    cv.notify_all();
    if (!cv.wait_for(lock, 5s, [&] { return arrived >= 2; })) return Failed("no overlap");
    return JobResult{};
  };
  RunResult r = Run(wf, fake);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess);
  ASSERT_EQ(r.jobs.size(), 3u);
  EXPECT_EQ(r.jobs[2].display_name, "c");
  EXPECT_EQ(fake.max_running, 2);
  EXPECT_EQ(recorder_.events().front(), "run-started");
  EXPECT_EQ(recorder_.events().back(), "run-finished success");
}

TEST_F(RunTest, FailureSkipsDependentsButNotStatusFunctionJobs) {
  Workflow wf = Wf(R"Y(
  a: {runs-on: ubuntu-latest, steps: [{run: x}]}
  b: {needs: a, runs-on: ubuntu-latest, steps: [{run: x}]}
  c: {needs: b, runs-on: ubuntu-latest, steps: [{run: x}]}
  on-failure: {needs: a, if: failure(), runs-on: ubuntu-latest, steps: [{run: x}]}
  report: {needs: [a, b], if: always(), runs-on: ubuntu-latest, steps: [{run: x}]}
  after-report: {needs: report, runs-on: ubuntu-latest, steps: [{run: x}]}
  only-ok: {needs: a, if: success(), runs-on: ubuntu-latest, steps: [{run: x}]}
  named: {needs: [a, b], if: "failure('a')", runs-on: ubuntu-latest, steps: [{run: x}]}
  results:
    needs: [a, b]
    if: "always() && needs.a.result == 'failure' && needs.b.result == 'skipped'"
    runs-on: ubuntu-latest
    steps: [{run: x}]
)Y");
  Fake fake;
  fake.behave = [](const JobContext& ctx) {
    return ctx.ref.job_id == "a" ? Failed() : JobResult{};
  };
  RunResult r = Run(wf, fake);
  EXPECT_EQ(r.conclusion, Conclusion::kFailure);
  EXPECT_EQ(Of(r, "a"), Conclusion::kFailure);
  EXPECT_EQ(Of(r, "b"), Conclusion::kSkipped);
  EXPECT_EQ(Find(r, "b")->reason, "needs 'a', which failed");
  EXPECT_EQ(Of(r, "c"), Conclusion::kSkipped);
  EXPECT_EQ(Find(r, "c")->reason, "needs 'b', which was skipped");
  EXPECT_EQ(Of(r, "on-failure"), Conclusion::kSuccess);
  EXPECT_EQ(Of(r, "report"), Conclusion::kSuccess);
  // report succeeded, but a need above it failed: the implicit success() is false.
  EXPECT_EQ(Of(r, "after-report"), Conclusion::kSkipped);
  EXPECT_EQ(Of(r, "only-ok"), Conclusion::kSkipped);
  EXPECT_EQ(Find(r, "only-ok")->reason, "condition false: success()");
  EXPECT_EQ(Of(r, "named"), Conclusion::kSuccess);
  EXPECT_EQ(Of(r, "results"), Conclusion::kSuccess);
  // A skipped job reports only JobFinished.
  EXPECT_FALSE(recorder_.Has("started b"));
  EXPECT_TRUE(recorder_.Has("finished b skipped (needs 'a', which failed)"));
  EXPECT_FALSE(fake.Ran("b"));
}

TEST_F(RunTest, SucceedingRunSkipsFailureJobs) {
  Workflow wf = Wf(R"Y(
  a: {runs-on: ubuntu-latest, steps: [{run: x}]}
  on-failure: {needs: a, if: failure(), runs-on: ubuntu-latest, steps: [{run: x}]}
  gated: {needs: a, if: "github.ref == 'refs/heads/other'", runs-on: ubuntu-latest, steps: [{run: x}]}
)Y");
  Fake fake;
  RunResult r = Run(wf, fake);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess);
  EXPECT_EQ(Of(r, "on-failure"), Conclusion::kSkipped);
  EXPECT_EQ(Of(r, "gated"), Conclusion::kSkipped);
  EXPECT_EQ(Find(r, "gated")->reason,
            "condition false: success() && (github.ref == 'refs/heads/other')");
}

TEST_F(RunTest, ContinueOnErrorJobDoesNotFailTheRun) {
  Workflow wf = Wf(R"Y(
  flaky: {runs-on: ubuntu-latest, continue-on-error: true, steps: [{run: x}]}
  next: {needs: flaky, runs-on: ubuntu-latest, steps: [{run: x}]}
)Y");
  Fake fake;
  fake.behave = [&](const JobContext& ctx) {
    if (ctx.ref.job_id == "next") fake.Note("next", Eval(ctx, "needs.flaky.result"));
    return ctx.ref.job_id == "flaky" ? Failed() : JobResult{};
  };
  RunResult r = Run(wf, fake);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess);
  EXPECT_EQ(Of(r, "flaky"), Conclusion::kFailure);
  EXPECT_EQ(Of(r, "next"), Conclusion::kSuccess);
  EXPECT_EQ(fake.seen["next"], "success");
}

TEST_F(RunTest, OnlyJobsRunsWhatTheyNeed) {
  Workflow wf = Wf(R"Y(
  a: {runs-on: ubuntu-latest, steps: [{run: x}]}
  b: {needs: a, runs-on: ubuntu-latest, steps: [{run: x}]}
  c: {needs: b, runs-on: ubuntu-latest, steps: [{run: x}]}
  d: {runs-on: ubuntu-latest, steps: [{run: x}]}
)Y");
  options_.only_jobs = {"b"};
  Fake fake;
  RunResult r = Run(wf, fake);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess);
  ASSERT_EQ(r.jobs.size(), 2u);
  EXPECT_EQ(r.jobs[0].display_name, "a");
  EXPECT_EQ(r.jobs[1].display_name, "b");

  options_.only_jobs = {"nope"};
  core::Result<RunResult> bad = RunWorkflowWith(wf, event_, options_, recorder_, fake.Runner());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'nope'"), std::string::npos);
  EXPECT_NE(bad.status().message().find("a, b, c, d"), std::string::npos);
}

TEST_F(RunTest, MatrixLegsWithIncludeExcludeAndContexts) {
  Workflow wf = Wf(R"Y(
  build:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        os: [x, y]
        py: [1, 2]
        exclude: [{os: y, py: 2}]
        include: [{os: z, py: 3}, {os: x, extra: yes}]
    steps: [{run: x}]
)Y");
  Fake fake;
  fake.behave = [&](const JobContext& ctx) {
    fake.Note(ctx.ref.display_name,
              Eval(ctx,
                   "format('{0}/{1}/{2} {3} of {4} ff={5} mp={6}', matrix.os, matrix.py, "
                   "matrix.extra, strategy.job-index, strategy.job-total, "
                   "strategy.fail-fast, strategy.max-parallel)"));
    return JobResult{};
  };
  RunResult r = Run(wf, fake);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess);
  ASSERT_EQ(r.jobs.size(), 4u);
  EXPECT_EQ(fake.seen["build (x, 1)"], "x/1/yes 0 of 4 ff=true mp=4");
  EXPECT_EQ(fake.seen["build (x, 2)"], "x/2/yes 1 of 4 ff=true mp=4");
  EXPECT_EQ(fake.seen["build (y, 1)"], "y/1/ 2 of 4 ff=true mp=4");
  EXPECT_EQ(fake.seen["build (z, 3)"], "z/3/ 3 of 4 ff=true mp=4");
}

TEST_F(RunTest, FailFastCancelsRunningAndQueuedLegs) {
  Workflow wf = Wf(R"Y(
  build:
    runs-on: ubuntu-latest
    strategy:
      max-parallel: 2
      matrix: {n: [1, 2, 3, 4, 5]}
    steps: [{run: x}]
)Y");
  std::atomic<int> calls{0};
  Fake fake;
  fake.behave = [&](const JobContext& ctx) {
    // The first leg to start waits until a second one runs, then fails.
    if (calls.fetch_add(1) == 0) {
      std::this_thread::sleep_for(50ms);
      return Failed();
    }
    return WaitForStop(ctx);
  };
  auto start = std::chrono::steady_clock::now();
  RunResult r = Run(wf, fake);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(r.conclusion, Conclusion::kFailure);
  ASSERT_EQ(r.jobs.size(), 5u);
  int failed = 0, cancelled = 0;
  for (const JobResult& j : r.jobs) {
    if (j.conclusion == Conclusion::kFailure) ++failed;
    if (j.conclusion == Conclusion::kCancelled) ++cancelled;
  }
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(cancelled, 4);
  EXPECT_LE(calls.load(), 2);  // the queued legs never started
  EXPECT_TRUE(recorder_.Has("finished build ("));
}

TEST_F(RunTest, FailFastFalseRunsEveryLeg) {
  Workflow wf = Wf(R"Y(
  build:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix: {n: [1, 2, 3]}
    steps: [{run: x}]
)Y");
  Fake fake;
  fake.behave = [](const JobContext& ctx) {
    return ctx.ref.display_name == "build (1)" ? Failed() : JobResult{};
  };
  RunResult r = Run(wf, fake);
  EXPECT_EQ(r.conclusion, Conclusion::kFailure);
  EXPECT_EQ(Of(r, "build (1)"), Conclusion::kFailure);
  EXPECT_EQ(Of(r, "build (2)"), Conclusion::kSuccess);
  EXPECT_EQ(Of(r, "build (3)"), Conclusion::kSuccess);
}

TEST_F(RunTest, MaxParallelAndParallelismLimitLegs) {
  Workflow wf = Wf(R"Y(
  build:
    runs-on: ubuntu-latest
    strategy:
      max-parallel: 2
      matrix: {n: [1, 2, 3, 4, 5, 6]}
    steps: [{run: x}]
)Y");
  Fake fake;
  fake.behave = [](const JobContext&) {
    std::this_thread::sleep_for(30ms);
    return JobResult{};
  };
  RunResult r = Run(wf, fake);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess);
  EXPECT_EQ(r.jobs.size(), 6u);
  EXPECT_EQ(fake.max_running, 2);

  Workflow wide = Wf(R"Y(
  build:
    runs-on: ubuntu-latest
    strategy: {matrix: {n: [1, 2, 3, 4, 5, 6]}}
    steps: [{run: x}]
  other: {runs-on: ubuntu-latest, steps: [{run: x}]}
)Y");
  options_.parallelism = 3;
  Fake fake2;
  fake2.behave = fake.behave;
  r = Run(wide, fake2);
  EXPECT_EQ(r.jobs.size(), 7u);
  EXPECT_EQ(fake2.max_running, 3);
}

TEST_F(RunTest, OutputsFlowIntoNeedsAndDynamicMatrix) {
  Workflow wf = Wf(R"Y(
  a:
    runs-on: ubuntu-latest
    outputs: {x: "${{ steps.s.outputs.x }}", list: "${{ steps.s.outputs.list }}"}
    steps: [{id: s, run: x}]
  b:
    needs: a
    if: needs.a.outputs.x == '1'
    runs-on: ubuntu-latest
    steps: [{run: x}]
  fan:
    needs: a
    runs-on: ubuntu-latest
    strategy:
      matrix: ${{ fromJSON(needs.a.outputs.list) }}
    steps: [{run: x}]
)Y");
  Fake fake;
  fake.behave = [&](const JobContext& ctx) {
    JobResult r;
    if (ctx.ref.job_id == "a") {
      r.outputs = {{"x", "1"}, {"list", "{\"v\": [7, 8, 9]}"}};
    } else if (ctx.ref.job_id == "b") {
      fake.Note("b", Eval(ctx, "format('{0} {1}', needs.a.result, needs.a.outputs.x)"));
    }
    return r;
  };
  RunResult r = Run(wf, fake);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess);
  EXPECT_EQ(fake.seen["b"], "success 1");
  EXPECT_EQ(Of(r, "fan (7)"), Conclusion::kSuccess);
  EXPECT_EQ(Of(r, "fan (8)"), Conclusion::kSuccess);
  EXPECT_EQ(Of(r, "fan (9)"), Conclusion::kSuccess);
}

TEST_F(RunTest, MatrixOutputsLastFinishingLegWins) {
  Workflow wf = Wf(R"Y(
  build:
    runs-on: ubuntu-latest
    strategy: {max-parallel: 1, matrix: {n: [1, 2]}}
    outputs: {v: x}
    steps: [{run: x}]
  use: {needs: build, runs-on: ubuntu-latest, steps: [{run: x}]}
)Y");
  Fake fake;
  std::atomic<int> order{0};
  fake.behave = [&](const JobContext& ctx) {
    JobResult r;
    if (ctx.ref.job_id == "build") {
      r.outputs["v"] = "leg" + std::to_string(order.fetch_add(1));
    } else {
      fake.Note("use", Eval(ctx, "needs.build.outputs.v"));
    }
    return r;
  };
  Run(wf, fake);
  EXPECT_EQ(fake.seen["use"], "leg1");
}

class AllowOnly : public EnvironmentPolicy {
 public:
  core::Status Check(std::string_view environment, const Event& event) const override {
    if (environment == "prod") {
      return core::Status(core::Code::kPermissionDenied,
                          "environment 'prod' allows branches release; " + event.ref +
                              " is not one of them (.cairn/environments.yaml:3:5)");
    }
    return core::Status::Ok();
  }
  std::map<std::string, std::string> Secrets(std::string_view environment) const override {
    if (environment == "staging")
      return {{"DEPLOY_KEY", "stage-s3cr3t"}, {"SHARED", "env-shared-value"}};
    return {};
  }
};

TEST_F(RunTest, EnvironmentRefusesOrAddsSecrets) {
  Workflow wf = Wf(R"Y(
  deploy: {runs-on: ubuntu-latest, environment: prod, steps: [{run: x}]}
  stage: {runs-on: ubuntu-latest, environment: {name: staging}, steps: [{run: x}]}
)Y");
  AllowOnly policy;
  options_.environments = &policy;
  options_.secrets = {{"SHARED", "repo-shared-value"}, {"REPO_ONLY", "repo-only-value"}};
  Fake fake;
  fake.behave = [&](const JobContext& ctx) {
    fake.Note(ctx.ref.job_id, Eval(ctx,
                                   "format('{0} {1} {2}', secrets.DEPLOY_KEY, secrets.SHARED, "
                                   "secrets.REPO_ONLY)") +
                                  " " + ctx.secrets.at("DEPLOY_KEY"));
    return JobResult{};
  };
  RunResult r = Run(wf, fake);
  EXPECT_EQ(r.conclusion, Conclusion::kFailure);
  EXPECT_EQ(Of(r, "deploy"), Conclusion::kFailure);
  EXPECT_NE(Find(r, "deploy")->reason.find("environments.yaml:3:5"), std::string::npos)
      << Find(r, "deploy")->reason;
  EXPECT_FALSE(fake.Ran("deploy"));
  EXPECT_FALSE(recorder_.Has("started deploy"));
  EXPECT_EQ(fake.seen["stage"], "stage-s3cr3t env-shared-value repo-only-value stage-s3cr3t");
  EXPECT_EQ(options_.masker->Mask("key=stage-s3cr3t"), "key=***");
}

TEST_F(RunTest, RunsOnIsShownAndEveryLabelRunsHere) {
  Workflow wf = Wf(R"Y(
  mac: {runs-on: macos-latest, steps: [{run: x}]}
  linux: {runs-on: ubuntu-22.04, steps: [{run: x}]}
)Y");
  Fake fake;
  RunResult r = Run(wf, fake);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess);
  EXPECT_TRUE(recorder_.Has("line mac: runs-on: macos-latest: cairn runs every job on this host"));
  EXPECT_FALSE(recorder_.Has("line linux:"));
}

TEST_F(RunTest, GithubContextAndEventFile) {
  Workflow wf = Wf(R"Y(
  a: {runs-on: ubuntu-latest, steps: [{run: x}]}
)Y");
  options_.run_id = "42";
  options_.run_number = 7;
  options_.secrets = {{"GITHUB_TOKEN", "tok-123"}};
  Fake fake;
  fake.behave = [&](const JobContext& ctx) {
    std::ifstream in(ctx.event_path);
    std::stringstream text;
    text << in.rdbuf();
    fake.Note("a", Eval(ctx,
                        "format('{0} {1} {2} {3} {4} {5}', github.job, github.run_id, "
                        "github.run_number, github.event_name, github.token, "
                        "github.event_path == '" +
                            ctx.event_path + "')") +
                       " " + text.str());
    return JobResult{};
  };
  Run(wf, fake);
  EXPECT_EQ(fake.seen["a"], "a 42 7 push tok-123 true {\"ref\":\"refs/heads/main\"}");
}

TEST_F(RunTest, ReusableWorkflowWithInputsSecretsAndOutputs) {
  ParseOptions parse;
  parse.workflows["./.github/workflows/called.yml"] = R"Y(
on:
  workflow_call:
    inputs:
      who: {type: string, required: true}
      count: {type: number}
      flag: {type: boolean, default: true}
    secrets:
      token: {required: true}
    outputs:
      greeting: {value: "${{ jobs.inner.outputs.v }}"}
jobs:
  inner:
    runs-on: ubuntu-latest
    outputs: {v: "${{ steps.s.outputs.v }}"}
    steps: [{id: s, run: x}]
)Y";
  core::Result<Workflow> wf = ParseWorkflow(R"Y(on: push
jobs:
  call:
    uses: ./.github/workflows/called.yml
    with: {who: world, count: 3}
    secrets: {token: "${{ secrets.MINE }}"}
  after:
    needs: call
    runs-on: ubuntu-latest
    steps: [{run: x}]
)Y",
                                            "ci.yml", parse);
  ASSERT_TRUE(wf.ok()) << wf.status().ToString();
  options_.secrets = {{"MINE", "very-secret"}, {"OTHER", "no"}};
  Fake fake;
  fake.behave = [&](const JobContext& ctx) {
    JobResult r;
    if (ctx.ref.job_id == "inner") {
      fake.Note("inner", Eval(ctx,
                              "format('{0} {1} {2} {3} {4}', inputs.who, inputs.count == 3, "
                              "inputs.flag == true, secrets.token, secrets.OTHER)"));
      r.outputs["v"] = "hello " + Eval(ctx, "inputs.who");
    } else {
      fake.Note("after", Eval(ctx, "needs.call.outputs.greeting"));
    }
    return r;
  };
  RunResult r = Run(*wf, fake);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess);
  EXPECT_EQ(Of(r, "call / inner"), Conclusion::kSuccess);
  EXPECT_EQ(fake.seen["inner"], "world true true very-secret ");
  EXPECT_EQ(fake.seen["after"], "hello world");
  EXPECT_TRUE(recorder_.Has("started call / inner"));
}

TEST_F(RunTest, ReusableWorkflowInheritsSecretsAndFailsTheCaller) {
  ParseOptions parse;
  parse.workflows["./.github/workflows/called.yml"] = R"Y(
on: workflow_call
jobs:
  inner: {runs-on: ubuntu-latest, steps: [{run: x}]}
)Y";
  core::Result<Workflow> wf = ParseWorkflow(R"Y(on: push
jobs:
  call:
    uses: ./.github/workflows/called.yml
    secrets: inherit
  after: {needs: call, runs-on: ubuntu-latest, steps: [{run: x}]}
)Y",
                                            "ci.yml", parse);
  ASSERT_TRUE(wf.ok()) << wf.status().ToString();
  options_.secrets = {{"OTHER", "inherited"}};
  Fake fake;
  fake.behave = [&](const JobContext& ctx) {
    fake.Note(ctx.ref.job_id, Eval(ctx, "secrets.OTHER"));
    return Failed();
  };
  RunResult r = Run(*wf, fake);
  EXPECT_EQ(r.conclusion, Conclusion::kFailure);
  EXPECT_EQ(fake.seen["inner"], "inherited");
  EXPECT_EQ(Of(r, "after"), Conclusion::kSkipped);
  EXPECT_EQ(Find(r, "after")->reason, "needs 'call', which failed");
}

TEST_F(RunTest, ConcurrencyCancelInProgress) {
  Workflow wf = Wf(R"Y(
  a: {runs-on: ubuntu-latest, concurrency: {group: deploy, cancel-in-progress: true}, steps: [{run: x}]}
  b: {runs-on: ubuntu-latest, concurrency: {group: DEPLOY, cancel-in-progress: true}, steps: [{run: x}]}
)Y");
  Fake fake;
  fake.behave = [](const JobContext& ctx) { return WaitForStop(ctx, 300ms); };
  RunResult r = Run(wf, fake);
  ASSERT_EQ(r.jobs.size(), 2u);
  // The first to enter is cancelled by the second, which then runs to its end.
  EXPECT_EQ(r.jobs[0].conclusion, Conclusion::kCancelled);
  EXPECT_EQ(r.jobs[1].conclusion, Conclusion::kSuccess);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess);
}

TEST_F(RunTest, ConcurrencyNewerPendingReplacesOlderPending) {
  Workflow wf = Wf(R"Y(
  a: {runs-on: ubuntu-latest, concurrency: g, steps: [{run: x}]}
  b: {runs-on: ubuntu-latest, concurrency: g, steps: [{run: x}]}
  c: {runs-on: ubuntu-latest, concurrency: g, steps: [{run: x}]}
)Y");
  Fake fake;
  fake.behave = [](const JobContext&) {
    std::this_thread::sleep_for(200ms);
    return JobResult{};
  };
  RunResult r = Run(wf, fake);
  ASSERT_EQ(r.jobs.size(), 3u);
  int cancelled = 0;
  for (const JobResult& j : r.jobs) {
    if (j.conclusion == Conclusion::kCancelled) {
      ++cancelled;
      EXPECT_NE(j.reason.find("a newer job is pending in concurrency group 'g'"),
                std::string::npos);
    }
  }
  EXPECT_EQ(cancelled, 1);
  EXPECT_EQ(fake.ran.size(), 2u);
  EXPECT_EQ(fake.max_running, 1);
}

TEST_F(RunTest, ConcurrencyGroupSerializesJobs) {
  Workflow wf = Wf(R"Y(
  a: {runs-on: ubuntu-latest, concurrency: one, steps: [{run: x}]}
  b: {runs-on: ubuntu-latest, concurrency: one, steps: [{run: x}]}
)Y");
  Fake fake;
  fake.behave = [](const JobContext&) {
    std::this_thread::sleep_for(30ms);
    return JobResult{};
  };
  RunResult r = Run(wf, fake);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess);
  EXPECT_EQ(fake.max_running, 1);
}

TEST_F(RunTest, WorkflowConcurrencyAcrossRunsUsesALockFile) {
  Workflow wf = testing::Parsed(R"Y(on: push
concurrency: ci-${{ github.ref }}
jobs:
  a: {runs-on: ubuntu-latest, steps: [{run: x}]}
)Y");
  std::atomic<int> running{0};
  std::atomic<int> max_running{0};
  auto runner = [&](const JobContext&, RunObserver&) -> core::Result<JobResult> {
    int now = ++running;
    int prev = max_running.load();
    while (now > prev && !max_running.compare_exchange_weak(prev, now)) {
    }
    std::this_thread::sleep_for(100ms);
    --running;
    return JobResult{};
  };
  // Two runs, each with its own in-process state: only the lock file keeps them apart.
  auto one = [&] {
    Recorder rec;
    core::Result<RunResult> r = RunWorkflowWith(wf, event_, options_, rec, runner);
    EXPECT_TRUE(r.ok());
  };
  std::thread t1(one), t2(one);
  t1.join();
  t2.join();
  EXPECT_EQ(max_running.load(), 1);
}

TEST_F(RunTest, WorkflowConcurrencyCancelInProgressCancelsTheOtherRun) {
  Workflow wf = testing::Parsed(R"Y(on: push
concurrency: {group: deploy, cancel-in-progress: true}
jobs:
  a: {runs-on: ubuntu-latest, steps: [{run: x}]}
)Y");
  std::atomic<int> calls{0};
  std::atomic<bool> first_started{false};
  auto runner = [&](const JobContext& ctx, RunObserver&) -> core::Result<JobResult> {
    if (calls.fetch_add(1) == 0) {
      first_started = true;
      return WaitForStop(ctx, 5s);
    }
    return JobResult{};
  };
  std::optional<core::Result<RunResult>> first, second;
  std::thread t1([&] {
    Recorder rec;
    first.emplace(RunWorkflowWith(wf, event_, options_, rec, runner));
  });
  while (!first_started) std::this_thread::sleep_for(5ms);
  auto start = std::chrono::steady_clock::now();
  std::thread t2([&] {
    Recorder rec;
    second.emplace(RunWorkflowWith(wf, event_, options_, rec, runner));
  });
  t1.join();
  t2.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  ASSERT_TRUE(first && first->ok() && second && second->ok());
  EXPECT_EQ((*first)->conclusion, Conclusion::kCancelled);
  EXPECT_EQ((*second)->conclusion, Conclusion::kSuccess);
}

TEST_F(RunTest, FailFastOfACallingMatrixStopsTheCalledJobs) {
  ParseOptions parse;
  parse.workflows["./.github/workflows/called.yml"] = R"Y(
on:
  workflow_call:
    inputs: {n: {type: number, required: true}}
jobs:
  inner: {runs-on: ubuntu-latest, steps: [{run: x}]}
)Y";
  core::Result<Workflow> wf = ParseWorkflow(R"Y(on: push
jobs:
  call:
    strategy: {matrix: {n: [1, 2]}}
    uses: ./.github/workflows/called.yml
    with: {n: "${{ matrix.n }}"}
)Y",
                                            "ci.yml", parse);
  ASSERT_TRUE(wf.ok()) << wf.status().ToString();
  Fake fake;
  fake.behave = [&](const JobContext& ctx) {
    if (Eval(ctx, "inputs.n") == "1") {
      std::this_thread::sleep_for(50ms);
      return Failed();
    }
    return WaitForStop(ctx, 5s);
  };
  auto start = std::chrono::steady_clock::now();
  RunResult r = Run(*wf, fake);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_EQ(r.conclusion, Conclusion::kFailure);
  EXPECT_EQ(Of(r, "call (1) / inner"), Conclusion::kFailure);
  EXPECT_EQ(Of(r, "call (2) / inner"), Conclusion::kCancelled);
}

TEST_F(RunTest, StopCancelsRunningAndQueuedJobsButRunsAlwaysJobs) {
  Workflow wf = Wf(R"Y(
  a: {runs-on: ubuntu-latest, steps: [{run: x}]}
  b: {needs: a, runs-on: ubuntu-latest, steps: [{run: x}]}
  cleanup: {needs: a, if: always(), runs-on: ubuntu-latest, steps: [{run: x}]}
  notify: {needs: a, if: cancelled(), runs-on: ubuntu-latest, steps: [{run: x}]}
)Y");
  std::stop_source stop;
  options_.stop = stop.get_token();
  Fake fake;
  fake.behave = [&](const JobContext& ctx) {
    if (ctx.ref.job_id == "a") {
      stop.request_stop();
      return WaitForStop(ctx);
    }
    return JobResult{};
  };
  auto start = std::chrono::steady_clock::now();
  RunResult r = Run(wf, fake);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(r.conclusion, Conclusion::kCancelled);
  EXPECT_EQ(Of(r, "a"), Conclusion::kCancelled);
  EXPECT_EQ(Of(r, "b"), Conclusion::kCancelled);
  EXPECT_EQ(Of(r, "cleanup"), Conclusion::kSuccess);
  EXPECT_EQ(Of(r, "notify"), Conclusion::kSuccess);
  EXPECT_EQ(recorder_.events().back(), "run-finished cancelled");
}

TEST_F(RunTest, AlwaysJobQueuedWhenTheRunIsCancelledStillRuns) {
  Workflow wf = Wf(R"Y(
  a: {runs-on: ubuntu-latest, steps: [{run: x}]}
  z: {if: always(), runs-on: ubuntu-latest, steps: [{run: x}]}
)Y");
  std::stop_source stop;
  options_.stop = stop.get_token();
  options_.parallelism = 1;  // whichever job waits for the slot is queued when a cancels
  Fake fake;
  fake.behave = [&](const JobContext& ctx) {
    if (ctx.ref.job_id == "a") {
      stop.request_stop();
      return WaitForStop(ctx);
    }
    return JobResult{};
  };
  RunResult r = Run(wf, fake);
  EXPECT_EQ(r.conclusion, Conclusion::kCancelled);
  EXPECT_EQ(Of(r, "a"), Conclusion::kCancelled);
  EXPECT_EQ(Of(r, "z"), Conclusion::kSuccess);
}

TEST(FanOutObserverTest, ForwardsToEachInOrder) {
  Recorder a, b;
  FanOutObserver fan;
  fan.Add(&a);
  fan.Add(&b);
  JobRef ref{"j", "j"};
  fan.JobStarted(ref);
  JobResult result;
  fan.JobFinished(ref, result, "");
  EXPECT_EQ(a.events(), (std::vector<std::string>{"started j", "finished j success"}));
  EXPECT_EQ(b.events(), a.events());
}

TEST(ConclusionNameTest, Names) {
  EXPECT_EQ(ConclusionName(Conclusion::kSuccess), "success");
  EXPECT_EQ(ConclusionName(Conclusion::kFailure), "failure");
  EXPECT_EQ(ConclusionName(Conclusion::kCancelled), "cancelled");
  EXPECT_EQ(ConclusionName(Conclusion::kSkipped), "skipped");
}

}  // namespace
}  // namespace cairn::workflow
