// RunHistory: the record of workflow runs on this machine, in `.cairn/runs.db` (SQLite: runs,
// their jobs and steps, with conclusions, reasons, times, and what is needed to run them
// again) and `.cairn/runs/<id>/` (one log file per job, `<job>.log`, and its step summary,
// `<job>.summary.md`). HistoryRecorder is the RunObserver that fills both while a run goes.
//
//   CAIRN_ASSIGN_OR_RETURN(auto history, RunHistory::Open(repo + "/.cairn", env));
//   CAIRN_ASSIGN_OR_RETURN(BegunRun begun, history->BeginRun(request));
//   options.run_id = std::to_string(begun.id);  options.run_number = begun.run_number;
//   HistoryRecorder recorder(*history, begun.id, options.masker);
//   ... RunWorkflow(workflow, event, options, fan_out_holding_recorder) ...
//   // the recorder's RunFinished completes the run; when RunWorkflow returned an error:
//   history->FinishRun(begun.id, Conclusion::kFailure, status.message());
//
// A job's log holds the lines the recorder was given (already masked by the runner: the
// recorder writes them as they are and nothing else of the run's output), each prefixed by
// the index of the step that printed it, "[3] text", with "[-] " for the job's own lines; a
// step starts with the line "[3] ##[step] <display name>". ReadJobLog parses it back.
//
// A run whose process dies (a crash, SIGKILL) stays in_progress; BeginRun and Prune mark every
// in_progress run whose process (pid + start time, so a reused pid does not count) is gone
// as completed/cancelled with the reason "interrupted".
//
// Thread safety: RunHistory and HistoryRecorder are thread-safe (each serializes its calls
// with a mutex); every multi-row change is one transaction. Several processes may use one
// runs.db at once (SQLite's locking; the busy timeout waits).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/mask.h"
#include "core/result.h"
#include "db/db.h"
#include "sys/env.h"
#include "workflow/runner.h"

namespace cairn::workflow {

/// What starts a run, as given to BeginRun: enough to show it and to run it again.
struct RunRequest {
  std::string workflow_file;  // as the user sees it: ".github/workflows/train.yml"
  std::string workflow_name;  // the file's `name:` ("" when none)
  std::string event_name;     // "push"
  std::string ref;            // "refs/heads/main"
  std::string sha;            // full sha
  std::string actor;
  /// The command line's event options, for `cairn run rerun` (a JSON object, as the CLI
  /// chooses: {"event": "push", "ref": "...", "inputs": [...]...}). Secrets never go here.
  std::string event_options_json = "{}";
  std::vector<std::string> only_jobs;  // --job
  bool worktree = false;               // --worktree
};

/// GitHub's run status.
enum class RunStatus { kQueued, kInProgress, kCompleted };
/// "queued", "in_progress", "completed".
std::string_view RunStatusName(RunStatus status);

struct StepRecord {
  int index = 0;             // the job's step index (StepStarted's)
  std::string id;            // steps.<id>
  std::string display_name;  // "Run python train.py"
  std::string outcome;       // "success", "failure", "cancelled", "skipped"
  std::string conclusion;
  std::string reason;
  int64_t started_ms = 0;  // milliseconds since the Unix epoch
  int64_t finished_ms = 0;
};

struct JobRecord {
  std::string job_id;        // "build"
  std::string display_name;  // "build (ubuntu-latest, 3.11)": unique within the run
  /// "" while the job runs; then "success", "failure", "cancelled", "skipped".
  std::string conclusion;
  std::string reason;
  int64_t started_ms = 0;
  std::optional<int64_t> finished_ms;
  std::map<std::string, std::string> outputs;
  std::string log_file;           // the log's file name in the run's directory: "build_3.11_.log"
  bool has_summary = false;       // `<log_file without .log>.summary.md` exists
  std::vector<StepRecord> steps;  // by index
};

struct RunRecord {
  int64_t id = 0;          // GITHUB_RUN_ID
  int64_t run_number = 0;  // GITHUB_RUN_NUMBER: counts the runs of one workflow file from 1
  RunRequest request;
  RunStatus status = RunStatus::kInProgress;
  std::string conclusion;  // "" until completed
  std::string reason;      // why the run failed to run or was cancelled ("interrupted: ...")
  int64_t started_ms = 0;
  std::optional<int64_t> finished_ms;
  int64_t pid = 0;              // the process that ran it
  std::vector<JobRecord> jobs;  // Get only (List leaves it empty), in the order they began
  std::string dir;              // the run's directory of logs (absolute)
};

struct BegunRun {
  int64_t id = 0;
  int64_t run_number = 0;
  std::string dir;  // `.cairn/runs/<id>`, created
};

/// One line of a job's log (ReadJobLog).
struct LogLine {
  int step = -1;  // the step index; -1 for the job's own lines
  std::string text;
};

struct PruneOptions {
  /// Remove completed runs that started more than this many days ago; nullopt: no age limit.
  std::optional<int> days;
  /// Keep only the newest `keep` completed runs; nullopt: no count limit.
  std::optional<int> keep;
};

class RunHistory {
 public:
  /// Opens (creating it and its schema, or migrating it) `<cairn_dir>/runs.db`; logs go under
  /// `<cairn_dir>/runs/`. `env` (clock, files) must outlive the history.
  static core::Result<std::unique_ptr<RunHistory>> Open(std::string_view cairn_dir, sys::Env& env);
  ~RunHistory();

  /// Records a new in_progress run of this process: the next id (greater than every id
  /// before, pruned ones too) and the workflow file's next run number. Marks interrupted runs
  /// first (see the top of this file).
  core::Result<BegunRun> BeginRun(const RunRequest& request);
  /// Completes the run: conclusion and reason, the finish time; jobs still without a
  /// conclusion get `conclusion` too. `reason` is stored as given (mask it first).
  core::Status FinishRun(int64_t id, Conclusion conclusion, std::string_view reason = "");

  /// Runs, newest first; `workflow` (when not empty) matches the file as recorded, its base
  /// name ("train.yml"), its name without extension ("train") or the workflow's name.
  core::Result<std::vector<RunRecord>> List(std::string_view workflow = "", int limit = 20);
  /// A run with its jobs and steps; kResourceDoesNotExist when there is none.
  core::Result<RunRecord> Get(int64_t id);
  /// The lines of a job's log (`job`: its display name or, when unique, its job id).
  core::Result<std::vector<LogLine>> ReadJobLog(int64_t id, std::string_view job);

  /// Marks interrupted runs, then removes the completed runs `options` select (rows in one
  /// transaction, then their directories) and directories under runs/ no row names. Returns
  /// the ids removed, ascending.
  core::Result<std::vector<int64_t>> Prune(const PruneOptions& options);

  /// The directory of run `id` (`<cairn_dir>/runs/<id>`).
  std::string RunDir(int64_t id) const;
  const std::string& db_path() const { return db_path_; }

 private:
  friend class HistoryRecorder;
  RunHistory(sys::Env& env, std::string cairn_dir, std::unique_ptr<db::Connection> conn);
  int64_t NowMs() const;
  core::Status MarkInterruptedLocked();
  core::Status JobStartedLocked(int64_t run, const JobRecord& job);
  core::Status JobFinishedLocked(int64_t run, const JobRecord& job);
  core::Status StepFinishedLocked(int64_t run, std::string_view job, const StepRecord& step);
  core::Result<std::vector<JobRecord>> JobsLocked(int64_t run);

  sys::Env& env_;
  std::string cairn_dir_;
  std::string db_path_;
  std::mutex mu_;
  std::unique_ptr<db::Connection> conn_;  // guarded by mu_
};

/// Records a run into a RunHistory as it goes: job and step rows as they start and finish,
/// every Line into the job's log, the job's summary, the run's completion. A failure to record
/// does not stop the run: the first one is kept (status()) and later writes are still tried.
/// Thread-safe.
class HistoryRecorder : public RunObserver {
 public:
  /// `masker` (may be null) masks what the recorder stores besides lines and summaries, which
  /// come masked: reasons, outputs, names.
  HistoryRecorder(RunHistory& history, int64_t run_id,
                  std::shared_ptr<const core::SecretMasker> masker = nullptr);
  ~HistoryRecorder() override;

  void JobStarted(const JobRef& job) override;
  void StepStarted(const JobRef& job, int index, std::string_view display_name) override;
  void Line(const JobRef& job, int step_index, LineKind kind, std::string_view line) override;
  void StepFinished(const JobRef& job, int index, const StepResult& result) override;
  void JobFinished(const JobRef& job, const JobResult& result, std::string_view summary) override;
  void RunFinished(const RunResult& result) override;

  /// OK, or the first error met while recording.
  core::Status status() const;

 private:
  struct JobState {
    std::string log_file;  // file name in the run's directory
    int fd = -1;           // the log, open for appending
    int64_t started_ms = 0;
    std::map<int, int64_t> step_started_ms;
  };
  JobState& StateLocked(const JobRef& job);
  void WriteLocked(JobState& state, std::string_view text);
  void NoteLocked(core::Status status);
  std::string Masked(std::string_view text) const;

  RunHistory& history_;
  int64_t run_id_;
  std::string dir_;
  std::shared_ptr<const core::SecretMasker> masker_;
  mutable std::mutex mu_;
  std::map<std::string, JobState> jobs_;  // by display name; guarded by mu_
  std::map<std::string, int> log_names_;  // sanitized name -> uses; guarded by mu_
  core::Status status_;                   // guarded by mu_
};

/// `name` as a file name: characters other than [A-Za-z0-9._-] become '_' ("build (3.11)" ->
/// "build_3.11_"); never empty, never "." or "..".
std::string SanitizeLogName(std::string_view name);

}  // namespace cairn::workflow
