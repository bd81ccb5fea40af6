// Module-private: the pieces of RunWorkflow (run.cc) shared by its files.
//
//   run.cc              RunWorkflow: the run's secrets, event file, workflow-level concurrency,
//                       the top-level WorkflowRun, the RunResult; FanOutObserver
//   run_graph.cc        WorkflowRun: one workflow's job graph on dag::Execute, job `if:` with
//                       GitHub's status functions, skips, needs context
//   run_legs.cc         one job: matrix legs, fail-fast, max-parallel, environment, job-level
//                       concurrency, runs-on, then the JobRunner (or a reusable workflow call)
//   run_call.cc         a job calling a reusable workflow: inputs, secrets, nested jobs, outputs
//   run_concurrency.cc  concurrency groups (in this process and across processes)
//   run_eval.cc         evaluating model values (templates, LiteralOr, YAML with expressions)
//
// Who reports what: a JobRunner (RunJob, or a test's fake) calls JobStarted and JobFinished for
// the jobs it runs (only it knows the step summary); RunWorkflow calls JobFinished alone for a
// job (leg) that never reached the JobRunner: skipped, refused by its environment, cancelled
// while queued, or failed before starting (a bad matrix).
//
// Thread safety: RunShared is shared by every job thread of a run: its members are either
// immutable after setup or guarded as noted. A WorkflowRun is driven by one Run() call; its
// per-job state is guarded by its mutex.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "dag/dag.h"
#include "expr/expr.h"
#include "sys/file_lock.h"
#include "workflow/job_run.h"
#include "workflow/model.h"
#include "workflow/runner.h"

namespace cairn::workflow::internal {

/// Runs one job (one matrix leg); RunJob in production, a fake in tests.
using JobRunner = std::function<core::Result<JobResult>(const JobContext&, RunObserver&)>;

/// RunWorkflow with the job runner given.
core::Result<RunResult> RunWorkflowWith(const Workflow& workflow, const Event& event,
                                        const RunOptions& options, RunObserver& observer,
                                        JobRunner runner);

// ---------------------------------------------------------------------------------------------
// Evaluation helpers (run_eval.cc)

/// Every context and runtime function a workflow key may use (the model was validated by the
/// parser already; this only parses the expressions found inside YAML values).
const expr::Allowed& AnyKeyAllowed();

core::Result<expr::Value> EvalTemplate(const TemplateValue& value, const expr::Contexts& contexts);
core::Result<bool> EvalBool(const std::optional<LiteralOr<bool>>& value, bool fallback,
                            const expr::Contexts& contexts);
core::Result<double> EvalNumber(const std::optional<LiteralOr<double>>& value, double fallback,
                                const expr::Contexts& contexts);
/// `value` with every string holding `${{ }}` replaced by the expression's value, as GitHub's
/// template evaluator does: a key holding `${{ }}` is evaluated to a string key; `${{ insert }}:
/// <mapping or object expression>` merges that mapping's members into the enclosing one; a
/// sequence item that is an expression evaluating to an array is replaced by its items. A key
/// defined twice (case-insensitively) is an error. Whole numbers stay integers. Errors name the
/// file:line:col of the value or key.
core::Result<core::Value> EvalYaml(const core::Value& value, const expr::Contexts& contexts);
/// An object with `members` set (replacing members of the same name, adding the others).
expr::Value WithMembers(const expr::Value& object,
                        std::vector<std::pair<std::string, expr::Value>> members);
/// "file:line:col: message" for an error about a value at `location`.
std::string AtLocation(const core::Location& location, std::string_view message);

// ---------------------------------------------------------------------------------------------
// Slots: how many jobs run at once (RunOptions::parallelism, strategy.max-parallel)

class Slots {
 public:
  explicit Slots(int count) : free_(count > 0 ? count : 1) {}
  /// Waits for a free slot; false when `stop` was requested first.
  bool Acquire(std::stop_token stop);
  void Release();

 private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  int free_;
};

/// Holds a slot until destroyed.
class SlotHold {
 public:
  SlotHold() = default;
  explicit SlotHold(Slots* slots) : slots_(slots) {}
  SlotHold(SlotHold&& o) noexcept : slots_(std::exchange(o.slots_, nullptr)) {}
  SlotHold& operator=(SlotHold&& o) noexcept {
    if (this != &o) {
      if (slots_ != nullptr) slots_->Release();
      slots_ = std::exchange(o.slots_, nullptr);
    }
    return *this;
  }
  ~SlotHold() {
    if (slots_ != nullptr) slots_->Release();
  }

 private:
  Slots* slots_ = nullptr;
};

// ---------------------------------------------------------------------------------------------
// Concurrency groups (run_concurrency.cc)

/// GitHub's rule per group: at most one running and one pending; a newer pending replaces an
/// older pending one (which ends cancelled); cancel-in-progress cancels the running one. Within
/// this process a group is a mutex-guarded record; across processes a lock file per group
/// under `lock_dir` (sys::FileLock), and a `<lock>.cancel` file naming the holder's pid asks
/// the holder to cancel (the holder polls for it).
class ConcurrencyGroups {
 public:
  explicit ConcurrencyGroups(std::string lock_dir) : lock_dir_(std::move(lock_dir)) {}
  ~ConcurrencyGroups();

  /// A held group; leaves it when destroyed.
  class Hold {
   public:
    Hold() = default;
    Hold(Hold&&) noexcept;
    Hold& operator=(Hold&&) noexcept;
    ~Hold();

   private:
    friend class ConcurrencyGroups;
    struct State;
    std::unique_ptr<State> state_;
  };

  /// Enters `group` (case-insensitive), waiting for the running holder. `holder` is requested
  /// to stop when a later entrant cancels in progress. CANCELLED with the reason when replaced
  /// by a newer pending entrant, or when `wait_stop` is requested while waiting.
  core::Result<Hold> Enter(std::string_view group, bool cancel_in_progress, std::stop_source holder,
                           std::stop_token wait_stop);

 private:
  struct Group {
    uint64_t running = 0;
    std::stop_source running_stop;
    uint64_t pending = 0;
  };
  void Leave(const std::string& key, uint64_t ticket);

  std::string lock_dir_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::map<std::string, Group> groups_;
  uint64_t next_ticket_ = 0;
};

// ---------------------------------------------------------------------------------------------
// The run

/// What every job of a run shares.
struct RunShared {
  const Event* event = nullptr;
  const RunOptions* options = nullptr;  // with a masker (never null)
  RunObserver* observer = nullptr;
  JobRunner runner;
  std::stop_source run_stop;  // the run is cancelled (options.stop, or concurrency)
  std::string event_path;
  expr::Value github;  // the event's github context with the run's fields (no job yet)
  expr::Value vars;    // the `vars` context
  std::map<std::string, std::string> secrets;  // the repository's, GITHUB_TOKEN included
  std::unique_ptr<Slots> slots;
  std::unique_ptr<ConcurrencyGroups> groups;

  bool cancelled() const { return run_stop.stop_requested(); }
  /// Records a finished job (leg) for RunResult::jobs.
  void Finished(const JobResult& result);
  /// A job (leg) that never reached the JobRunner: JobFinished, then Finished().
  void NeverStarted(const JobRef& ref, JobResult result);
  /// The runner's own line (masked) for `ref`.
  void Note(const JobRef& ref, std::string_view line);
  std::vector<JobResult> TakeFinished();

 private:
  std::mutex mu_;
  std::vector<JobResult> finished_;
};

/// A job's result over all its legs, as `needs.<id>` and `jobs.<id>` see it.
struct JobOutcome {
  bool done = false;
  /// kFailure only for a failure that counts (continue-on-error legs aside).
  Conclusion conclusion = Conclusion::kSuccess;
  std::map<std::string, std::string> outputs;
  std::string reason;
};

/// One workflow's jobs (the run's, or a called workflow's nested in a caller job).
class WorkflowRun {
 public:
  /// `prefix`: "" at the top, "caller / " for a called workflow's jobs.
  /// `outer_stop`: the calling job's stop token, for a called workflow (its jobs stop with it).
  WorkflowRun(RunShared& shared, const Workflow& workflow, std::string prefix, int depth,
              expr::Value inputs, std::map<std::string, std::string> secrets,
              std::stop_token outer_stop = {});

  /// Runs the jobs in `only_jobs` (and what they need) or all. Errors: an unknown job id, a
  /// cycle. Job failures are outcomes.
  core::Status Run(const std::vector<std::string>& only_jobs);

  /// After Run(): each job's outcome, by job id (jobs not selected are absent).
  std::map<std::string, JobOutcome> Outcomes() const;

 private:
  dag::NodeResult RunNode(dag::NodeId node);
  /// "needs 'x', which failed" for the first need (direct, then transitive) that did not
  /// succeed; "" when all did.
  std::string FirstUnsuccessfulNeed(dag::NodeId node) const;
  /// The `needs` context of `job`.
  expr::Value NeedsContext(const Job& job) const;
  /// The status functions for `node`'s `if:`, with the run cancelled or not.
  expr::Runtime StatusRuntime(dag::NodeId node) const;
  /// Runs every leg of `job` (run_legs.cc). `holds` re-evaluates the job's `if:` (for a leg
  /// still queued when the run is cancelled: it runs anyway when `if:` holds, as always() does).
  JobOutcome RunLegs(const Job& job, const expr::Contexts& contexts, bool after_cancel,
                     std::function<bool()> holds);
  /// One leg: environment, concurrency, slot, then the runner or the call.
  struct Leg;
  void RunLeg(const Job& job, Leg& leg);
  /// A job that calls a reusable workflow, for one leg (run_call.cc).
  JobResult RunCall(const Job& job, const JobRef& ref, const expr::Contexts& contexts,
                    const std::map<std::string, std::string>& secrets, std::stop_token stop);
  std::string DisplayPrefix() const { return prefix_; }

  RunShared& shared_;
  const Workflow& workflow_;
  std::string prefix_;
  int depth_;
  expr::Value inputs_;
  std::map<std::string, std::string> secrets_;
  std::stop_token outer_stop_;

  dag::Graph graph_;
  std::vector<const Job*> jobs_;                 // by node
  std::vector<std::vector<dag::NodeId>> above_;  // by node: transitive needs
  mutable std::mutex mu_;
  std::vector<JobOutcome> outcomes_;  // by node; guarded by mu_
};

}  // namespace cairn::workflow::internal
