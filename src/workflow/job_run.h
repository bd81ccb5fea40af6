// Module-private: one job (one matrix leg) of a run, as RunWorkflow hands it to RunJob.
//
// RunWorkflow (run.cc) decides whether the job runs at all (needs, the job's `if:` with the
// status of its needs, environment protection, concurrency) and prepares everything the job
// can see; RunJob (job_run.cc) does the rest: a fresh workspace and RUNNER_TEMP under
// dirs.temp_root, the job's env and defaults, timeout-minutes, the steps in order (their `if:`,
// env layering workflow < job < step, shells, file and workflow commands, outputs,
// continue-on-error, post steps of actions in reverse order), then the job's `outputs:`.
#pragma once

#include <map>
#include <stop_token>
#include <string>

#include "core/result.h"
#include "expr/expr.h"
#include "workflow/model.h"
#include "workflow/runner.h"

namespace cairn::workflow {

struct JobContext {
  const Workflow* workflow = nullptr;  // the file the job is in (a called workflow's, for
                                       // jobs of a reusable workflow)
  const Job* job = nullptr;
  JobRef ref;
  const Event* event = nullptr;
  const RunOptions* options = nullptr;
  /// github (with job, run_id, workspace... filled), needs, inputs, vars, secrets (the
  /// job's effective ones: repository's, then its environment's), matrix, strategy. RunJob adds
  /// env, steps, job and runner.
  expr::Contexts contexts;
  /// The job's effective secrets (already registered with options->masker).
  std::map<std::string, std::string> secrets;
  /// GITHUB_EVENT_PATH: the event payload as a JSON file, written once per run.
  std::string event_path;
  /// Cancels the job (the run's stop token, or fail-fast of its matrix).
  std::stop_token stop;
};

/// Runs the job's steps (see the file comment). The Status fails only for a runner fault (no
/// temp dir); a failing step gives a JobResult with conclusion kFailure and the reason.
/// Calls observer.JobStarted first and observer.JobFinished (with the job's masked
/// GITHUB_STEP_SUMMARY) last (neither when it returns an error Status); job-level lines use
/// step index -1.
core::Result<JobResult> RunJob(const JobContext& job, RunObserver& observer);

}  // namespace cairn::workflow
