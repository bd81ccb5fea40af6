// runner: runs a workflow on this machine the way a GitHub hosted runner would, without Docker:
// jobs as soon as their needs finish (dag::Execute, parallel up to a limit), matrix legs,
// reusable workflows, each job in a fresh workspace, steps as GitHub's shells run them, with
// the file commands (GITHUB_ENV, GITHUB_OUTPUT, GITHUB_PATH, GITHUB_STATE,
// GITHUB_STEP_SUMMARY), the workflow commands (::add-mask::, ::error::, ::group::...),
// outputs, conditions with status functions, continue-on-error, timeouts and cancellation.
//
// The pieces and who owns them:
//   RunWorkflow (run.cc)          the run: plan, dag, matrix legs, reusable workflows,
//                                 concurrency, fail-fast, the run's directories and event file
//   RunJob (job_run.cc)           one job (one matrix leg): workspace, env, steps in order
//   RunStep (step_run.cc)         one `run:` step: script file, shell, Subprocess, output lines
//   step_io.h                     file commands and workflow commands (pure parsers)
//   actions.h                     `uses:` steps: built-in actions and local actions
//   RunObserver                   where progress and (masked) output lines go: the console
//                                 printer and the history recorder implement it
//
// Every line handed to a RunObserver has already been masked with the run's SecretMasker
// (secrets, their encoded forms, ::add-mask:: values). Nothing unmasked leaves the runner.
//
// Thread safety: RunWorkflow runs jobs on several threads; observers are called from those
// threads concurrently and must be thread-safe. Everything else here is a plain value.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/mask.h"
#include "core/result.h"
#include "expr/expr.h"
#include "workflow/event.h"
#include "workflow/model.h"

namespace cairn::workflow {

// ---------------------------------------------------------------------------------------------
// Results

/// GitHub's result values: needs.<id>.result, steps.<id>.outcome / conclusion, job.status.
enum class Conclusion { kSuccess, kFailure, kCancelled, kSkipped };

/// "success", "failure", "cancelled", "skipped".
std::string_view ConclusionName(Conclusion c);

struct StepResult {
  std::string id;            // the step's id (generated ones too: "__run_2")
  std::string display_name;  // "Run python train.py", "Checkout code"
  /// Before continue-on-error (steps.<id>.outcome) and after it (steps.<id>.conclusion).
  Conclusion outcome = Conclusion::kSuccess;
  Conclusion conclusion = Conclusion::kSuccess;
  std::map<std::string, std::string> outputs;  // steps.<id>.outputs
  std::string reason;  // why it failed or was skipped: "exited with code 1", "timed out after
                       // 5 min", "condition false: success() && (...)"
  std::chrono::milliseconds duration{0};
};

struct JobResult {
  std::string job_id;        // the job's id ("train")
  std::string display_name;  // "train", "build (ubuntu-latest, 3.11)"
  Conclusion conclusion = Conclusion::kSuccess;
  std::map<std::string, std::string> outputs;  // needs.<id>.outputs (secrets dropped)
  std::vector<StepResult> steps;
  std::string reason;  // "step 'Train model' failed: exited with code 1", "needs 'a', which
                       // failed", "environment 'ml-prod' does not allow refs/heads/tune"
  std::chrono::milliseconds duration{0};
};

struct RunResult {
  Conclusion conclusion = Conclusion::kSuccess;  // success unless a job failed or was cancelled
  std::vector<JobResult> jobs;                   // in the order they finished
  std::chrono::milliseconds duration{0};
};

// ---------------------------------------------------------------------------------------------
// Observing a run

/// Identifies a job (one matrix leg) in observer calls.
struct JobRef {
  std::string job_id;        // "build"
  std::string display_name;  // "build (ubuntu-latest, 3.11)"; unique within the run
};

enum class LineKind {
  kOutput,      // a line the step printed (stdout and stderr merged)
  kCommand,     // the runner's own line: "Run python train.py", the script echo, group markers
  kAnnotation,  // ::error::/::warning::/::notice:: rendered ("Error: file.py:3: message")
  kDebug,       // ::debug:: (shown with --verbose)
};

/// Receives a run's progress. Called concurrently from job threads: implementations must be
/// thread-safe. Lines are already masked.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void RunStarted(const Workflow& /*workflow*/, const Event& /*event*/) {}
  virtual void JobStarted(const JobRef& /*job*/) {}
  /// `index` counts the job's steps from 0 (pre/post steps of actions included, in run order).
  virtual void StepStarted(const JobRef& /*job*/, int /*index*/,
                           std::string_view /*display_name*/) {}
  virtual void Line(const JobRef& /*job*/, int /*step_index*/, LineKind /*kind*/,
                    std::string_view /*line*/) {}
  virtual void StepFinished(const JobRef& /*job*/, int /*index*/, const StepResult& /*result*/) {}
  /// `summary`: the job's GITHUB_STEP_SUMMARY markdown (masked), "" when none.
  virtual void JobFinished(const JobRef& /*job*/, const JobResult& /*result*/,
                           std::string_view /*summary*/) {}
  virtual void RunFinished(const RunResult& /*result*/) {}
};

/// Forwards every call to each of several observers, in order.
class FanOutObserver : public RunObserver {
 public:
  void Add(RunObserver* observer) { observers_.push_back(observer); }
  void RunStarted(const Workflow& w, const Event& e) override;
  void JobStarted(const JobRef& job) override;
  void StepStarted(const JobRef& job, int index, std::string_view name) override;
  void Line(const JobRef& job, int step, LineKind kind, std::string_view line) override;
  void StepFinished(const JobRef& job, int index, const StepResult& result) override;
  void JobFinished(const JobRef& job, const JobResult& result, std::string_view summary) override;
  void RunFinished(const RunResult& result) override;

 private:
  std::vector<RunObserver*> observers_;
};

// ---------------------------------------------------------------------------------------------
// Services the runner needs from outside (implemented in actions/, settings, or by tests)

/// Where a run's files live (all absolute). The CLI fills it from .cairn/ (see settings.h).
struct RunDirectories {
  std::string repository;  // the git repository the run was started from (checkout's origin)
  std::string temp_root;   // fresh job workspaces and RUNNER_TEMP dirs are made under it
  std::string artifacts;   // .cairn/artifacts: upload-artifact / download-artifact store
  std::string cache;       // .cairn/cache: actions/cache and setup-python's pip cache
  std::string tool_cache;  // RUNNER_TOOL_CACHE
};

/// `environment:` protection: whether a job of this ref may use the environment, and the
/// environment's own secrets. Implemented over .cairn/environments.yaml (settings.h).
class EnvironmentPolicy {
 public:
  virtual ~EnvironmentPolicy() = default;
  /// OK, or PERMISSION_DENIED naming the rule broken ("environment 'ml-prod' allows branches
  /// main; refs/heads/tune is not one of them (.cairn/environments.yaml:3:5)").
  virtual core::Status Check(std::string_view environment, const Event& event) const = 0;
  /// The environment's own secrets (they override the repository's for that job).
  virtual std::map<std::string, std::string> Secrets(std::string_view environment) const = 0;
};

// ---------------------------------------------------------------------------------------------
// Running

struct RunOptions {
  /// The run's identity: GITHUB_RUN_ID, GITHUB_RUN_NUMBER, GITHUB_RUN_ATTEMPT.
  std::string run_id = "1";
  int64_t run_number = 1;
  int run_attempt = 1;
  std::string repository_name;  // GITHUB_REPOSITORY ("owner/name")
  std::string actor;            // GITHUB_ACTOR

  RunDirectories dirs;
  /// Secrets by name (the `secrets` context; GITHUB_TOKEN is added, empty, when absent) and
  /// configuration variables (`vars`). Every secret value is registered with `masker`.
  std::map<std::string, std::string> secrets;
  std::map<std::string, std::string> vars;
  /// Masks every line the observers see. Shared with the caller (which masks its own output
  /// with it too); the runner adds secrets and ::add-mask:: values to it.
  std::shared_ptr<core::SecretMasker> masker;
  const EnvironmentPolicy* environments = nullptr;  // null: every environment is allowed

  /// Only these jobs (and what they need, transitively); empty: all.
  std::vector<std::string> only_jobs;
  int parallelism = 4;  // jobs (matrix legs included) running at once
  /// Run on the repository's working tree as it is (checkout copies it, uncommitted changes
  /// included) instead of a clean checkout of the event's sha.
  bool worktree = false;
  bool keep_workspaces = false;  // leave job workspaces under dirs.temp_root after the run
  std::chrono::minutes default_job_timeout{360};  // GitHub's default

  /// Environment variables every step starts from (PATH, HOME, LANG...): the runner's own.
  std::map<std::string, std::string> base_env;
  /// Cancels the run: running steps get SIGTERM then SIGKILL, the run ends as cancelled;
  /// steps and jobs whose `if:` holds always() or cancelled() still run.
  std::stop_token stop;
};

/// Runs `workflow` for `event`. The Status fails only when the run could not be attempted (a
/// bad matrix, an unreadable file...); a failing job is a RunResult with conclusion kFailure.
core::Result<RunResult> RunWorkflow(const Workflow& workflow, const Event& event,
                                    const RunOptions& options, RunObserver& observer);

}  // namespace cairn::workflow
