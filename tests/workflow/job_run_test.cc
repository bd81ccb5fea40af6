// RunJob end to end: real workflows (ParseWorkflow), real shells and processes, the observer's
// lines checked as a user would read them.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/hash.h"
#include "core/strings.h"
#include "sys/temp_dir.h"
#include "workflow/github_context.h"
#include "workflow/job_state.h"
#include "workflow/parsed.h"

extern char** environ;

namespace cairn::workflow {
namespace {

using testing::Parsed;

struct Line {
  int step;
  LineKind kind;
  std::string text;
};

class Recorder : public RunObserver {
 public:
  void JobStarted(const JobRef&) override { started_jobs++; }
  void StepStarted(const JobRef&, int index, std::string_view name) override {
    std::lock_guard lock(mu);
    started.emplace_back(index, std::string(name));
  }
  void Line(const JobRef&, int step, LineKind kind, std::string_view line) override {
    std::lock_guard lock(mu);
    lines.push_back({step, kind, std::string(line)});
  }
  void StepFinished(const JobRef&, int, const StepResult&) override { finished_steps++; }
  void JobFinished(const JobRef&, const JobResult&, std::string_view s) override {
    summary = std::string(s);
    finished_jobs++;
  }

  std::vector<std::string> Texts(LineKind kind) const {
    std::vector<std::string> out;
    for (const auto& l : lines) {
      if (l.kind == kind) out.push_back(l.text);
    }
    return out;
  }
  std::vector<std::string> Output() const { return Texts(LineKind::kOutput); }
  bool Has(LineKind kind, std::string_view text) const {
    for (const auto& l : lines) {
      if (l.kind == kind && l.text == text) return true;
    }
    return false;
  }
  std::string All() const {
    std::string out;
    for (const auto& l : lines) out += l.text + "\n";
    for (const auto& [i, name] : started) out += name + "\n";
    return out + summary;
  }

  std::mutex mu;
  std::vector<struct Line> lines;
  std::vector<std::pair<int, std::string>> started;
  int started_jobs = 0, finished_steps = 0, finished_jobs = 0;
  std::string summary;
};

class JobRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::Result<sys::TempDir> dir = sys::TempDir::Create("cairn-jobrun-");
    ASSERT_TRUE(dir.ok());
    root_ = std::make_unique<sys::TempDir>(std::move(*dir));
    for (char** e = environ; *e != nullptr; ++e) {
      std::string_view entry = *e;
      size_t eq = entry.find('=');
      if (eq != std::string_view::npos) {
        options_.base_env[std::string(entry.substr(0, eq))] = std::string(entry.substr(eq + 1));
      }
    }
    options_.dirs.temp_root = root_->Path("jobs");
    options_.dirs.tool_cache = root_->Path("tools");
    options_.repository_name = "octo/repo";
    options_.run_id = "77";
    options_.run_number = 5;
    options_.masker = std::make_shared<core::SecretMasker>();
    event_.name = "push";
    event_.ref = "refs/heads/main";
    event_.sha = "0123456789abcdef0123456789abcdef01234567";
  }

  JobResult Run(std::string_view yaml, Recorder& recorder,
                std::map<std::string, std::string> secrets = {},
                const ActionResolver& resolve = NoActions()) {
    workflow_ = Parsed(yaml);
    EXPECT_FALSE(workflow_.jobs.empty());
    if (workflow_.jobs.empty()) return {};
    JobContext ctx;
    ctx.workflow = &workflow_;
    ctx.job = &workflow_.jobs[0];
    ctx.ref = {workflow_.jobs[0].id, workflow_.jobs[0].id};
    ctx.event = &event_;
    ctx.options = &options_;
    ctx.contexts.Set("github", GithubContext(event_, {.repository = "octo/repo",
                                                      .actor = "mona",
                                                      .workflow = "CI",
                                                      .workspace = ""}));
    std::vector<std::pair<std::string, expr::Value>> secret_values;
    for (const auto& [k, v] : secrets) {
      options_.masker->Add(v);
      secret_values.emplace_back(k, expr::Value::String(v));
    }
    ctx.contexts.Set("secrets", expr::Value::Object(secret_values));
    ctx.contexts.Set("vars", expr::Value::Object({}));
    ctx.contexts.Set("inputs", expr::Value::Object({}));
    ctx.contexts.Set("needs", expr::Value::Object({}));
    ctx.contexts.Set("matrix", expr::Value::Object({}));
    ctx.secrets = secrets;
    ctx.event_path = root_->Path("event.json");
    ctx.stop = stop_.get_token();
    core::Result<JobResult> result =
        use_run_job_ ? RunJob(ctx, recorder) : RunJobWith(ctx, recorder, resolve);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : JobResult();
  }

  static ActionResolver NoActions() {
    return [](const UsesRef& uses, std::string_view) -> core::Result<std::unique_ptr<Action>> {
      return core::Status::InvalidArgument("no action " + uses.text + " in this test");
    };
  }

  std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::unique_ptr<sys::TempDir> root_;
  RunOptions options_;
  Event event_;
  Workflow workflow_;
  std::stop_source stop_;
  bool use_run_job_ = false;  // RunJob with the real actions instead of RunJobWith
};

const StepResult& StepNamed(const JobResult& r, std::string_view id) {
  for (const StepResult& s : r.steps) {
    if (s.id == id) return s;
  }
  static StepResult none;
  ADD_FAILURE() << "no step " << id;
  return none;
}

TEST_F(JobRunTest, EnvLayersAndGitHubVariables) {
  Recorder rec;
  JobResult r = Run(R"(
on: push
env: {A: wf, B: wf, C: wf, N: 0}
jobs:
  build:
    runs-on: ubuntu-latest
    env: {B: job, C: job, R: '${{ github.ref }}', BUILD: '${{ github.workspace }}/build'}
    steps:
      - env: {C: step}
        run: |
          echo "layers $A $B $C $N $R"
          echo "ci $CI $GITHUB_ACTIONS $CAIRN $RUNNER_OS"
          echo "ids $GITHUB_JOB $GITHUB_RUN_ID $GITHUB_RUN_NUMBER $GITHUB_RUN_ATTEMPT $GITHUB_REPOSITORY $GITHUB_REPOSITORY_OWNER $GITHUB_ACTOR"
          echo "refs $GITHUB_SHA $GITHUB_REF $GITHUB_REF_NAME $GITHUB_REF_TYPE $GITHUB_EVENT_NAME $GITHUB_WORKFLOW"
          test "$GITHUB_WORKSPACE" = "$PWD" && echo "cwd is workspace"
          test "$BUILD" = "$GITHUB_WORKSPACE/build" && echo "job env sees the workspace"
          test -d "$RUNNER_TEMP" && echo "temp exists"
          test -f "$GITHUB_OUTPUT" && test -f "$GITHUB_ENV" && echo "files exist"
          echo "ctx ${{ env.C }} ${{ runner.os }} ${{ github.workspace == env.GITHUB_WORKSPACE }}"
)",
                    rec);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess) << r.reason << rec.All();
  std::vector<std::string> out = rec.Output();
  EXPECT_EQ(out, (std::vector<std::string>{
                     "layers wf job step 0 refs/heads/main", "ci true true true Linux",
                     "ids build 77 5 1 octo/repo octo mona",
                     "refs 0123456789abcdef0123456789abcdef01234567 refs/heads/main main branch "
                     "push CI",
                     "cwd is workspace", "job env sees the workspace", "temp exists", "files exist",
                     "ctx step Linux false"}))
      << rec.All();
  // The runner's own lines: the script shown as GitHub shows it.
  EXPECT_TRUE(rec.Has(LineKind::kCommand, "Run echo \"layers $A $B $C $N $R\"")) << rec.All();
  EXPECT_TRUE(rec.Has(LineKind::kCommand, "  echo \"layers $A $B $C $N $R\""));
  ASSERT_EQ(rec.started.size(), 1u);
  EXPECT_EQ(rec.started[0].second, "Run echo \"layers $A $B $C $N $R\"");
  EXPECT_EQ(rec.started_jobs, 1);
  EXPECT_EQ(rec.finished_jobs, 1);
}

TEST_F(JobRunTest, ShellsRunAsOnGitHub) {
  Recorder rec;
  JobResult r = Run(R"(
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - id: default_shell
        run: |
          false | true
          echo "default: pipe failure ignored"
      - id: bash_shell
        shell: bash
        continue-on-error: true
        run: |
          false | true
          echo "not reached"
      - id: sh_shell
        shell: sh
        run: echo "sh ok"
      - id: python_shell
        shell: python
        run: |
          import sys
          print("python", sys.argv[0].endswith(".py"))
      - id: custom
        shell: perl {0}
        run: |
          print "perl ", ($0 =~ /\.pl$/ ? "pl" : "noext"), "\n";
      - id: custom_no_placeholder
        shell: perl -w
        continue-on-error: true
        run: print "x";
      - id: default_fails
        continue-on-error: true
        run: |
          false
          echo "not reached either"
)",
                    rec);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess) << r.reason << rec.All();
  EXPECT_EQ(rec.Output(), (std::vector<std::string>{"default: pipe failure ignored", "sh ok",
                                                    "python True", "perl noext"}))
      << rec.All();
  EXPECT_EQ(StepNamed(r, "bash_shell").outcome, Conclusion::kFailure);
  EXPECT_EQ(StepNamed(r, "bash_shell").reason, "exited with code 1");
  EXPECT_EQ(StepNamed(r, "custom_no_placeholder").outcome, Conclusion::kFailure);
  EXPECT_NE(StepNamed(r, "custom_no_placeholder").reason.find("{0}"), std::string::npos);
  EXPECT_EQ(StepNamed(r, "default_fails").outcome, Conclusion::kFailure);
  bool bash_line = false;
  for (const std::string& l : rec.Texts(LineKind::kCommand)) {
    if (l.starts_with("  shell: /") && l.ends_with("bash --noprofile --norc -e -o pipefail {0}")) {
      bash_line = true;
    }
  }
  EXPECT_TRUE(bash_line) << rec.All();
  EXPECT_TRUE(rec.Has(LineKind::kAnnotation, "Error: Process completed with exit code 1."));
}

TEST_F(JobRunTest, OutputsEnvAndPathFlowToLaterSteps) {
  Recorder rec;
  JobResult r = Run(R"(
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - id: produce
        run: |
          echo "single=one" >> "$GITHUB_OUTPUT"
          delim="EOF_$RANDOM"
          { echo "multi<<$delim"; echo "line1"; echo "line2"; echo "$delim"; } >> "$GITHUB_OUTPUT"
          echo "flag=no" >> "$GITHUB_OUTPUT"
          echo "FOO=bar baz" >> "$GITHUB_ENV"
          echo "NODE_OPTIONS=--inspect" >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin"
          printf '#!/bin/sh\necho tool ran\n' > "$RUNNER_TEMP/bin/mytool"
          chmod +x "$RUNNER_TEMP/bin/mytool"
          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
      - if: contains(steps.produce.outputs.multi, 'line2') && steps.produce.outputs.single == 'one'
        run: |
          echo "single ${{ steps.produce.outputs.single }}"
          echo "FOO=$FOO env=${{ env.FOO }} node=${NODE_OPTIONS:-unset}"
          mytool
      - id: skipped
        if: steps.produce.outputs.flag == 'yes'
        run: echo "must not run"
      - run: echo "skipped is ${{ steps.skipped.outcome }}"
)",
                    rec);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess) << r.reason << rec.All();
  EXPECT_EQ(rec.Output(),
            (std::vector<std::string>{"single one", "FOO=bar baz env=bar baz node=unset",
                                      "tool ran", "skipped is skipped"}))
      << rec.All();
  const StepResult& produce = StepNamed(r, "produce");
  EXPECT_EQ(produce.outputs.at("multi"), "line1\nline2");
  EXPECT_EQ(StepNamed(r, "skipped").outcome, Conclusion::kSkipped);
  EXPECT_TRUE(
      rec.Has(LineKind::kAnnotation,
              "Warning: Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command."));
}

TEST_F(JobRunTest, BadFileCommandFailsTheStep) {
  Recorder rec;
  JobResult r = Run(R"(
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: printf 'x<<EOF\nno end\n' >> "$GITHUB_OUTPUT"
)",
                    rec);
  EXPECT_EQ(r.conclusion, Conclusion::kFailure);
  EXPECT_NE(r.reason.find("GITHUB_OUTPUT"), std::string::npos) << r.reason;
  EXPECT_TRUE(rec.Has(LineKind::kAnnotation,
                      "Error: Unable to process file command 'output' successfully."));
}

TEST_F(JobRunTest, StatusFunctionsAfterAFailure) {
  Recorder rec;
  JobResult r = Run(R"(
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: Breaks
        run: exit 3
      - id: plain
        run: echo "plain ran"
      - id: wrapped_true
        if: true
        run: echo "if true ran"
      - if: failure()
        run: echo "failure ran"
      - if: always()
        run: echo "always ran ${{ job.status }}"
      - id: on_success
        if: success()
        run: echo "success ran"
      - if: ${{ !cancelled() }}
        run: echo "not cancelled ran"
)",
                    rec);
  EXPECT_EQ(r.conclusion, Conclusion::kFailure);
  EXPECT_EQ(r.reason, "step 'Breaks' failed: exited with code 3");
  EXPECT_EQ(rec.Output(),
            (std::vector<std::string>{"failure ran", "always ran failure", "not cancelled ran"}))
      << rec.All();
  EXPECT_EQ(StepNamed(r, "plain").outcome, Conclusion::kSkipped);
  EXPECT_EQ(StepNamed(r, "plain").reason, "condition false: success()");
  EXPECT_EQ(StepNamed(r, "wrapped_true").outcome, Conclusion::kSkipped);
  EXPECT_EQ(StepNamed(r, "on_success").outcome, Conclusion::kSkipped);
  EXPECT_EQ(r.steps.size(), 7u);
  EXPECT_EQ(rec.finished_steps, 7);
}

TEST_F(JobRunTest, ContinueOnErrorOutcomeAndConclusion) {
  Recorder rec;
  JobResult r = Run(R"(
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - id: flaky
        continue-on-error: ${{ github.event_name == 'push' }}
        run: exit 1
      - run: echo "${{ steps.flaky.outcome }} ${{ steps.flaky.conclusion }} ${{ job.status }}"
      - if: failure()
        run: echo "failure must not run"
)",
                    rec);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess) << r.reason;
  EXPECT_EQ(rec.Output(), std::vector<std::string>{"failure success success"}) << rec.All();
  EXPECT_EQ(StepNamed(r, "flaky").outcome, Conclusion::kFailure);
  EXPECT_EQ(StepNamed(r, "flaky").conclusion, Conclusion::kSuccess);
}

bool ProcessGone(pid_t pid) {
  // Gone, or a zombie waiting for init (it no longer runs).
  for (int i = 0; i < 100; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) return true;
    std::string content((std::istreambuf_iterator<char>(stat)), {});
    size_t paren = content.rfind(')');
    if (paren != std::string::npos && content.substr(paren + 2, 1) == "Z") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST_F(JobRunTest, StepTimeoutEndsTheProcessTree) {
  Recorder rec;
  std::string pid_file = root_->Path("pid");
  setenv("CAIRN_TEST_PID_FILE", pid_file.c_str(), 1);
  options_.base_env["CAIRN_TEST_PID_FILE"] = pid_file;
  auto start = std::chrono::steady_clock::now();
  JobResult r = Run(R"(
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - id: slow
        timeout-minutes: 0.02
        run: |
          sh -c 'sleep 30; echo never' &
          echo $! > "$CAIRN_TEST_PID_FILE"
          echo started
          wait
      - if: always()
        run: echo "after timeout"
)",
                    rec);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(8));
  EXPECT_EQ(r.conclusion, Conclusion::kFailure);
  EXPECT_EQ(StepNamed(r, "slow").outcome, Conclusion::kFailure);
  EXPECT_NE(StepNamed(r, "slow").reason.find("timed out"), std::string::npos)
      << StepNamed(r, "slow").reason;
  EXPECT_EQ(rec.Output(), (std::vector<std::string>{"started", "after timeout"}));
  pid_t pid = static_cast<pid_t>(std::atoi(ReadFile(pid_file).c_str()));
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(ProcessGone(pid)) << "pid " << pid << " still runs";
}

TEST_F(JobRunTest, BackgroundProcessesLiveUntilTheJobEnds) {
  Recorder rec;
  std::string pid_file = root_->Path("bg.pid");
  options_.base_env["CAIRN_TEST_PID_FILE"] = pid_file;
  JobResult r = Run(R"yaml(
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: |
          sleep 30 > /dev/null 2>&1 &
          echo $! > "$CAIRN_TEST_PID_FILE"
      - run: kill -0 "$(cat "$CAIRN_TEST_PID_FILE")" && echo "server still up"
)yaml",
                    rec);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess) << r.reason << rec.All();
  EXPECT_EQ(rec.Output(), std::vector<std::string>{"server still up"});
  pid_t pid = static_cast<pid_t>(std::atoi(ReadFile(pid_file).c_str()));
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(ProcessGone(pid)) << "pid " << pid << " outlived its job";
}

TEST_F(JobRunTest, JobTimeoutCancelsTheRunningStep) {
  Recorder rec;
  JobResult r = Run(R"(
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 0.02
    cancel-timeout-minutes: 0.02
    steps:
      - run: sleep 30
      - run: echo "skipped"
      - if: always()
        run: echo "cleanup ${{ job.status }}"
      - id: hangs
        if: always()
        run: sleep 30
)",
                    rec);
  EXPECT_EQ(r.conclusion, Conclusion::kFailure);
  // Steps that run after the cancel are bounded by cancel-timeout-minutes.
  EXPECT_EQ(StepNamed(r, "hangs").outcome, Conclusion::kFailure);
  EXPECT_LT(r.duration, std::chrono::seconds(8));
  EXPECT_NE(r.reason.find("maximum execution time"), std::string::npos) << r.reason;
  EXPECT_EQ(rec.Output(), std::vector<std::string>{"cleanup cancelled"}) << rec.All();
}

TEST_F(JobRunTest, CancellingTheRunStopsTheStepAndRunsAlwaysSteps) {
  Recorder rec;
  std::jthread canceller([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop_.request_stop();
  });
  JobResult r = Run(R"(
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - id: long
        run: sleep 30
      - run: echo "normal step"
      - if: cancelled()
        run: echo "cancelled() ran"
      - if: always()
        run: echo "always() ran"
      - if: failure()
        run: echo "failure() ran"
)",
                    rec);
  EXPECT_EQ(r.conclusion, Conclusion::kCancelled);
  EXPECT_EQ(StepNamed(r, "long").outcome, Conclusion::kCancelled);
  EXPECT_EQ(rec.Output(), (std::vector<std::string>{"cancelled() ran", "always() ran"}))
      << rec.All();
}

TEST_F(JobRunTest, SecretsAndMasksNeverReachTheObserver) {
  Recorder rec;
  const std::string secret = "p@ss word/x9";
  JobResult r = Run(R"(
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      plain: ${{ steps.s.outputs.plain }}
      leaky: ${{ steps.s.outputs.leaky }}
    steps:
      - id: s
        name: Use ${{ secrets.TOKEN }}
        env:
          TOKEN: ${{ secrets.TOKEN }}
        run: |
          echo "plain $TOKEN"
          printf '%s' "$TOKEN" | base64
          echo "b64 in text: xx$(printf 'ab%s' "$TOKEN" | base64)yy"
          echo "url p%40ss%20word%2Fx9"
          dyn="dyn-$((4700 + 11))-value"
          echo "::add-mask::$dyn"
          echo "dynamic $dyn"
          echo "::warning title=t::warned $dyn"
          echo "summary $TOKEN $dyn" >> "$GITHUB_STEP_SUMMARY"
          echo "plain=visible" >> "$GITHUB_OUTPUT"
          echo "leaky=x $TOKEN" >> "$GITHUB_OUTPUT"
)",
                    rec, {{"TOKEN", secret}});
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess) << r.reason;
  std::string all = rec.All();
  for (const std::string& form :
       {secret, core::Base64Encode(secret), std::string("p%40ss%20word%2Fx9"),
        std::string("dyn-4711-value"), core::Base64Encode("ab" + secret).substr(4, 8)}) {
    EXPECT_EQ(all.find(form), std::string::npos) << form << " leaked in:\n" << all;
  }
  EXPECT_TRUE(rec.Has(LineKind::kOutput, "plain ***")) << all;
  EXPECT_TRUE(rec.Has(LineKind::kOutput, "dynamic ***")) << all;
  EXPECT_EQ(rec.summary, "summary *** ***\n");
  EXPECT_EQ(rec.started[0].second, "Use ***");
  EXPECT_EQ(r.outputs, (std::map<std::string, std::string>{{"plain", "visible"}}));
  EXPECT_EQ(StepNamed(r, "s").outputs.at("leaky"), "x ***");  // what observers see
  EXPECT_TRUE(
      rec.Has(LineKind::kAnnotation, "Warning: Skip output 'leaky' since it may contain secret."));
  for (const auto& l : rec.lines) {
    EXPECT_NE(l.text, "::add-mask::***");
    EXPECT_NE(l.text.find("add-mask"), 0u);
  }
}

TEST_F(JobRunTest, WorkingDirectoryAndRunDefaults) {
  Recorder rec;
  JobResult r = Run(R"(
on: push
defaults:
  run:
    working-directory: sub
    shell: sh
jobs:
  build:
    runs-on: ubuntu-latest
    defaults:
      run:
        shell: bash
    steps:
      - working-directory: .
        run: mkdir -p sub/inner
      - id: in_sub
        continue-on-error: true
        run: |
          echo "${PWD#$GITHUB_WORKSPACE}"
          false | true
      - working-directory: sub/inner
        shell: sh
        run: echo "${PWD#$GITHUB_WORKSPACE}"
      - id: missing
        working-directory: nowhere
        continue-on-error: true
        run: echo "must not run"
)",
                    rec);
  EXPECT_EQ(rec.Output(), (std::vector<std::string>{"/sub", "/sub/inner"})) << rec.All();
  // The job's default shell (bash, with pipefail) beat the workflow's (sh).
  EXPECT_EQ(StepNamed(r, "in_sub").outcome, Conclusion::kFailure);
  EXPECT_EQ(StepNamed(r, "missing").outcome, Conclusion::kFailure);
  EXPECT_NE(StepNamed(r, "missing").reason.find("nowhere"), std::string::npos)
      << StepNamed(r, "missing").reason;
}

TEST_F(JobRunTest, WorkflowCommandsInOutput) {
  Recorder rec;
  JobResult r = Run(R"(
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "::group::Setup"
          echo "::error file=train.py,line=3::loss is NaN"
          echo "::debug::details"
          echo "::endgroup::"
          echo "::set-output name=old::style"
)",
                    rec);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess) << r.reason;
  EXPECT_TRUE(rec.Has(LineKind::kAnnotation, "Error: train.py:3: loss is NaN"));
  EXPECT_TRUE(rec.Has(LineKind::kDebug, "details"));
  EXPECT_TRUE(rec.Has(LineKind::kCommand, "##[group]Setup"));
  EXPECT_TRUE(rec.Has(LineKind::kCommand, "##[endgroup]"));
  EXPECT_EQ(r.steps[0].outputs.at("old"), "style");
  EXPECT_TRUE(rec.Output().empty()) << rec.All();
}

TEST_F(JobRunTest, WorkspaceIsRemovedUnlessKept) {
  for (bool keep : {false, true}) {
    Recorder rec;
    options_.keep_workspaces = keep;
    std::string file = root_->Path(keep ? "kept" : "removed");
    options_.base_env["CAIRN_TEST_OUT"] = file;
    JobResult r = Run(R"(
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: touch marker && echo "$GITHUB_WORKSPACE" > "$CAIRN_TEST_OUT"
)",
                      rec);
    ASSERT_EQ(r.conclusion, Conclusion::kSuccess) << r.reason;
    std::string workspace(core::TrimRight(ReadFile(file)));
    ASSERT_TRUE(workspace.starts_with(options_.dirs.temp_root + "/build-")) << workspace;
    struct stat st;
    EXPECT_EQ(stat((workspace + "/marker").c_str(), &st) == 0, keep) << workspace;
  }
}

TEST_F(JobRunTest, HashFilesInExpressions) {
  Recorder rec;
  JobResult r = Run(R"(
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: printf 'numpy==2.0\n' > requirements.txt
      - run: echo "key-${{ hashFiles('**/requirements.txt') }}-${{ hashFiles('none/*') }}-"
)",
                    rec);
  ASSERT_EQ(r.conclusion, Conclusion::kSuccess) << r.reason << rec.All();
  core::Digest outer(core::Digest::Algorithm::kSha256);
  outer.Update(core::Sha256("numpy==2.0\n"));
  EXPECT_EQ(rec.Output(), std::vector<std::string>{"key-" + outer.FinishHex() + "--"});
}

TEST_F(JobRunTest, LocalCompositeActionThroughRunJob) {
  std::string action = root_->Path("greet");
  ASSERT_EQ(mkdir(action.c_str(), 0755), 0);
  std::ofstream(action + "/data.txt") << "data next to the action\n";
  std::ofstream(action + "/action.yml") << R"yaml(name: Greet
inputs:
  who:
    required: true
  greeting:
    default: Hello
outputs:
  message:
    value: ${{ steps.say.outputs.message }}
runs:
  using: composite
  steps:
    - id: say
      shell: bash
      run: |
        echo "${{ inputs.greeting }}, ${{ inputs.who }} from $(basename "$GITHUB_ACTION_PATH")"
        echo "message=${{ inputs.greeting }} ${{ inputs.who }}" >> "$GITHUB_OUTPUT"
    - shell: bash
      run: cat "${{ github.action_path }}/data.txt"
    - shell: bash
      env:
        INNER: inner
      run: echo "mood ${{ env.MOOD }} $MOOD $INNER"
)yaml";
  options_.base_env["CAIRN_TEST_ACTION"] = action;
  use_run_job_ = true;
  Recorder rec;
  JobResult r = Run(R"(
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: mkdir -p .github/actions && cp -r "$CAIRN_TEST_ACTION" .github/actions/greet
      - id: greet
        uses: ./.github/actions/greet
        env:
          MOOD: happy
        with:
          who: ${{ github.actor }}
      - run: echo "output ${{ steps.greet.outputs.message }} mood=${MOOD:-unset}"
      - if: env.CAIRN
        run: echo "env.CAIRN holds"
      - id: remote
        uses: someone/unknown-action@v1
)",
                    rec);
  EXPECT_EQ(r.conclusion, Conclusion::kFailure);
  EXPECT_EQ(rec.Output(),
            (std::vector<std::string>{"Hello, mona from greet", "data next to the action",
                                      "mood happy happy inner", "output Hello mona mood=unset",
                                      "env.CAIRN holds"}))
      << rec.All();
  EXPECT_EQ(StepNamed(r, "greet").outputs.at("message"), "Hello mona");
  // Any other action: the error names the built-ins and how to vendor one.
  EXPECT_NE(StepNamed(r, "remote").reason.find("actions/checkout"), std::string::npos)
      << StepNamed(r, "remote").reason;
  EXPECT_NE(StepNamed(r, "remote").reason.find(".github/actions/"), std::string::npos);
}

// An action written for the test: runs a process, saves state, has a post step.
class TestAction : public Action {
 public:
  explicit TestAction(std::vector<Step> composite) : composite_(std::move(composite)) {}

  core::Result<Conclusion> Main(StepHost& host,
                                const std::map<std::string, std::string>& inputs) override {
    host.Log(LineKind::kCommand, "test action main");
    host.SaveState("greeting", "hello " + inputs.at("who"));
    host.SetOutput("direct", "set by host");
    if (!composite_.empty()) {
      TemplateMap outputs_map;  // none: outputs come from the nested steps
      std::map<std::string, std::string> outputs;
      CAIRN_ASSIGN_OR_RETURN(Conclusion c, host.RunSteps(composite_, {{"who", inputs.at("who")}},
                                                         outputs_map, &outputs));
      if (c != Conclusion::kSuccess) return c;
    }
    ScriptSpec spec;
    spec.argv = {"sh", "-c", "echo \"main sees INPUT=$X\"; echo from_process=1 >> $GITHUB_OUTPUT"};
    spec.env = {{"X", inputs.at("who")}};
    return host.RunProcess(spec);
  }
  std::optional<std::string> PostIf() const override { return "always()"; }
  core::Result<Conclusion> Post(StepHost& host,
                                const std::map<std::string, std::string>&) override {
    ScriptSpec spec;
    spec.argv = {"sh", "-c", "echo \"post sees $STATE_greeting\""};
    return host.RunProcess(spec);
  }

 private:
  std::vector<Step> composite_;
};

TEST_F(JobRunTest, UsesStepsThroughTheStepHost) {
  // Composite steps come from a parsed workflow (they may use `inputs`).
  Workflow composite = Parsed(R"(
on: push
jobs:
  c:
    runs-on: ubuntu-latest
    steps:
      - id: inner
        run: echo "composite says hi to ${{ inputs.who }}"
      - run: echo "inner outcome ${{ steps.inner.outcome }}"
)");
  std::vector<Step> steps = composite.jobs[0].steps;
  ActionResolver resolve = [&](const UsesRef& uses,
                               std::string_view) -> core::Result<std::unique_ptr<Action>> {
    if (uses.text == "./.github/actions/greet") {
      return std::unique_ptr<Action>(std::make_unique<TestAction>(steps));
    }
    return core::Status::InvalidArgument("unknown action " + uses.text);
  };
  Recorder rec;
  JobResult r = Run(R"(
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - id: greet
        uses: ./.github/actions/greet
        with:
          who: ${{ github.actor }}
      - run: echo "outputs ${{ steps.greet.outputs.direct }} ${{ steps.greet.outputs.from_process }}"
      - id: unknown
        uses: someone/else@v1
        continue-on-error: true
)",
                    rec, {}, resolve);
  EXPECT_EQ(r.conclusion, Conclusion::kSuccess) << r.reason << rec.All();
  EXPECT_EQ(rec.Output(),
            (std::vector<std::string>{"composite says hi to mona", "inner outcome success",
                                      "main sees INPUT=mona", "outputs set by host 1",
                                      "post sees hello mona"}))
      << rec.All();
  ASSERT_EQ(r.steps.size(), 4u);
  EXPECT_EQ(r.steps[0].display_name, "Run ./.github/actions/greet");
  EXPECT_EQ(r.steps[3].display_name, "Post Run ./.github/actions/greet");
  EXPECT_EQ(StepNamed(r, "unknown").outcome, Conclusion::kFailure);
  EXPECT_NE(StepNamed(r, "unknown").reason.find("unknown action someone/else@v1"),
            std::string::npos);
  ASSERT_EQ(rec.started.size(), 4u);
  EXPECT_EQ(rec.started[3], (std::pair<int, std::string>{3, "Post Run ./.github/actions/greet"}));
}

}  // namespace
}  // namespace cairn::workflow
