// Module-private: the state one running job shares between its steps (job_run.cc) and the
// StepHost each step runs through (step_run.cc).
//
// JobState lives on the job's thread for the job's duration; only `stop` (a stop_source) is
// touched from other threads (the run's stop callback and the job timeout watcher).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/mask.h"
#include "core/result.h"
#include "expr/expr.h"
#include "sys/subprocess.h"
#include "workflow/actions.h"
#include "workflow/job_run.h"
#include "workflow/step_io.h"

namespace cairn::workflow {

/// How a job finds the Action of a `uses:` step (ResolveAction, or a test's).
using ActionResolver = std::function<core::Result<std::unique_ptr<Action>>(
    const UsesRef& uses, std::string_view workspace)>;

/// RunJob with another resolver (RunJob passes ResolveAction).
core::Result<JobResult> RunJobWith(const JobContext& job, RunObserver& observer,
                                   const ActionResolver& resolve);

namespace job_internal {

/// The `steps` context of one scope: the job's, or a composite action's.
struct StepsScope {
  std::vector<std::pair<std::string, expr::Value>> entries;  // id -> {outputs, outcome, ...}
  bool failed = false;                                       // an earlier step concluded failure
  std::optional<expr::Value> inputs;  // a composite action's `inputs` context
  bool nested = false;                // a composite action's steps (log into the parent step)
  std::string action_path;            // a local action's directory (github.action_path)
  /// A composite's steps: the env: of the step running the action (under their own env:).
  std::map<std::string, std::string> parent_env;

  expr::Value ToValue() const;
  void Record(const std::string& id, const StepResult& result);
};

/// An action's post step waiting for the job's end.
struct PendingPost {
  std::unique_ptr<Action> action;
  std::string display_name;  // "Post Checkout"
  std::string post_if;       // condition text ("always()")
  std::string step_id;
  std::map<std::string, std::string> inputs;
  std::map<std::string, std::string> state;  // GITHUB_STATE / SaveState of its main step
  std::map<std::string, std::string> step_env;
};

struct JobState {
  JobState(const JobContext& ctx, RunObserver& observer, const ActionResolver& resolve)
      : ctx(ctx), observer(observer), resolve(resolve) {}

  const JobContext& ctx;
  RunObserver& observer;
  const ActionResolver& resolve;
  std::shared_ptr<core::SecretMasker> masker;  // never null
  /// ctx.contexts with github.workspace and github.event_path set (what job keys see).
  expr::Contexts contexts;
  std::string workspace;
  std::string runner_temp;
  std::map<std::string, std::string> base_env;      // options.base_env, CI, CAIRN
  std::map<std::string, std::string> github_env;    // GITHUB_*, RUNNER_* (win over the layers)
  std::map<std::string, std::string> workflow_env;  // evaluated
  std::map<std::string, std::string> job_env;       // evaluated
  std::map<std::string, std::string> exported;      // GITHUB_ENV and ExportEnv
  std::vector<std::string> path_additions;          // most recent first
  std::string summary;                              // GITHUB_STEP_SUMMARY, unmasked
  int next_index = 0;                               // the observer's next step index
  int file_counter = 0;
  expr::Value runner_context;
  std::stop_source stop;  // the run's stop or the job's timeout
  std::atomic<bool> timed_out{false};
  double job_timeout_minutes = 0;
  /// How long a step may run once the job is cancelled (cancel-timeout-minutes, default 5).
  double cancel_timeout_minutes = 5;
  std::vector<PendingPost> posts;
  /// Processes steps left running in the background, ended when the job ends.
  std::vector<std::unique_ptr<sys::Subprocess>> leftovers;
  std::string first_failure;  // "step 'Train' failed: exited with code 1"

  bool cancelled() const { return stop.stop_requested(); }
  /// Masks `line` and hands it to the observer.
  void Line(int index, LineKind kind, std::string_view line);
  /// A fresh path under runner_temp: "<prefix>_<n><ext>".
  std::string NextFile(std::string_view prefix, std::string_view ext = "");
  /// workflow < job < exported (< `step_env`), as strings.
  std::map<std::string, std::string> EnvLayers(
      const std::map<std::string, std::string>& step_env) const;
};

/// The StepHost of one step (or one post step, or one step of a composite action).
class StepRunner : public StepHost, public CommandSink {
 public:
  /// `index`: the observer's step index lines go to. `env`: the env layers (workflow < job <
  /// exported < step). `allow_cancel`: the job's stop cancels this step's processes (false for
  /// steps that run because their condition holds after cancellation).
  StepRunner(JobState& job, int index, std::string step_id, std::map<std::string, std::string> env,
             std::chrono::milliseconds timeout, bool allow_cancel);
  ~StepRunner() override;

  // StepHost
  const std::string& workspace() const override { return job_.workspace; }
  const std::string& runner_temp() const override { return job_.runner_temp; }
  const RunOptions& options() const override { return *job_.ctx.options; }
  const Event& event() const override { return *job_.ctx.event; }
  const JobRef& job() const override { return job_.ctx.ref; }
  const std::map<std::string, std::string>& env() const override { return process_env_; }
  std::stop_token stop() const override;
  void Log(LineKind kind, std::string_view line) override { Emit(kind, line); }
  void SetOutput(std::string_view name, std::string_view value) override;
  void ExportEnv(std::string_view name, std::string_view value) override;
  void AddPath(std::string_view dir) override;
  void SaveState(std::string_view name, std::string_view value) override;
  void AddMask(std::string_view value) override;
  void AppendSummary(std::string_view markdown) override;
  core::Result<Conclusion> RunProcess(const ScriptSpec& spec) override;
  core::Result<Conclusion> RunSteps(const std::vector<Step>& steps,
                                    const std::map<std::string, std::string>& inputs,
                                    const TemplateMap& output_templates,
                                    std::map<std::string, std::string>* outputs) override;

  // CommandSink (Log and the setters above)
  void Emit(LineKind kind, std::string_view line) override;

  /// Runs a `run:` step's script (already evaluated) with `shell` ("" for the default) in
  /// `working_directory` (absolute).
  core::Result<Conclusion> RunScript(std::string_view script, std::string_view shell,
                                     const std::string& working_directory);

  /// Extra variables for this step's processes (STATE_x for post steps, INPUT_x...).
  void AddProcessEnv(std::string_view name, std::string_view value);

  std::map<std::string, std::string>& outputs() { return outputs_; }
  std::map<std::string, std::string>& state() { return state_; }
  /// Why the step failed or was cancelled ("" when it did not).
  const std::string& reason() const { return reason_; }
  void set_reason(std::string reason) {
    if (reason_.empty()) reason_ = std::move(reason);
  }
  /// A local action's directory: GITHUB_ACTION_PATH here and in a composite's steps.
  void set_action_path(std::string path) {
    action_path_ = std::move(path);
    AddProcessEnv("GITHUB_ACTION_PATH", action_path_);
  }
  /// The step's own env: (with a composite parent's), passed down to a composite's steps.
  void set_step_env(std::map<std::string, std::string> env) { step_env_ = std::move(env); }
  /// Whether a process of this step timed out (the step's own timeout).
  bool timed_out() const { return timed_out_; }

 private:
  void RebuildProcessEnv();
  core::Status ReadFileCommands();

  JobState& job_;
  int index_;
  std::string step_id_;
  std::map<std::string, std::string> layers_;  // workflow < job < exported < step
  std::map<std::string, std::string> extra_;   // AddProcessEnv
  std::map<std::string, std::string> process_env_;
  std::chrono::milliseconds timeout_;
  std::chrono::steady_clock::time_point started_;
  bool allow_cancel_;
  std::string env_file_, output_file_, path_file_, state_file_, summary_file_;
  std::map<std::string, std::string> outputs_;
  std::map<std::string, std::string> state_;
  std::string reason_;
  std::string action_path_;
  std::map<std::string, std::string> step_env_;
  bool timed_out_ = false;
};

/// `object` (an object, or null for none) with `overrides` set, replacing same-named members.
expr::Value WithMembers(const expr::Value* object,
                        std::vector<std::pair<std::string, expr::Value>> overrides);

/// The contexts a step's keys see: the job's, with github (workspace, action), env (`env`),
/// steps (of `scope`), job, runner, and a composite's inputs.
expr::Contexts StepContexts(JobState& job, const StepsScope& scope,
                            const std::map<std::string, std::string>& env,
                            std::string_view step_id);
/// Step-level status functions (gha.md 5.4) over `scope`, and hashFiles() in the workspace.
expr::Runtime StepRuntime(JobState& job, const StepsScope& scope);

/// Runs one step of `scope` (see step_list.cc); nested steps log into `parent_index`.
StepResult RunOneStep(JobState& job, StepsScope& scope, const Step& step, int parent_index);

/// RunOneStep for each of `steps`, in order; their results appended to `results`.
void RunStepList(JobState& job, StepsScope& scope, const std::vector<Step>& steps, int parent_index,
                 std::vector<StepResult>* results);

}  // namespace job_internal
}  // namespace cairn::workflow
