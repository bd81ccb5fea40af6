// RunHistory (history.h): the runs.db schema and its queries, interrupted-run detection,
// pruning. Every method takes mu_: one connection, one caller at a time.
#include "workflow/history.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>
#include <set>
#include <sstream>

#include "core/json.h"
#include "core/path.h"
#include "core/strings.h"
#include "core/value.h"

namespace cairn::workflow {
namespace {

// Times are milliseconds since the Unix epoch. Conclusions are GitHub's words (runner.h's
// ConclusionName); NULL while unknown.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,  -- GITHUB_RUN_ID: never reused, pruned ones included
  run_number INTEGER NOT NULL,
  workflow_file TEXT NOT NULL,
  workflow_name TEXT NOT NULL DEFAULT '',
  event TEXT NOT NULL,
  ref TEXT NOT NULL DEFAULT '',
  sha TEXT NOT NULL DEFAULT '',
  actor TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('queued', 'in_progress', 'completed')),
  conclusion TEXT,
  reason TEXT NOT NULL DEFAULT '',
  started_ms INTEGER NOT NULL,
  finished_ms INTEGER,
  event_options TEXT NOT NULL DEFAULT '{}',  -- JSON object: the command line's event options
  only_jobs TEXT NOT NULL DEFAULT '[]',      -- JSON array of job ids (--job)
  worktree INTEGER NOT NULL DEFAULT 0,       -- --worktree
  pid INTEGER NOT NULL,                      -- the process running it, and that process's
  pid_start INTEGER NOT NULL DEFAULT 0,      -- start time (so a reused pid is not it)
  UNIQUE (workflow_file, run_number)
);
CREATE INDEX runs_by_status ON runs (status);

-- The last run number given per workflow file (kept when its runs are pruned).
CREATE TABLE run_numbers (
  workflow_file TEXT PRIMARY KEY,
  last INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE jobs (
  job_key INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  job_id TEXT NOT NULL,
  display_name TEXT NOT NULL,
  conclusion TEXT,
  reason TEXT NOT NULL DEFAULT '',
  started_ms INTEGER NOT NULL,
  finished_ms INTEGER,
  outputs TEXT NOT NULL DEFAULT '{}',  -- JSON object
  log_file TEXT NOT NULL,
  has_summary INTEGER NOT NULL DEFAULT 0,
  UNIQUE (run_id, display_name)
);

CREATE TABLE steps (
  job_key INTEGER NOT NULL REFERENCES jobs (job_key) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  step_id TEXT NOT NULL DEFAULT '',
  display_name TEXT NOT NULL,
  outcome TEXT NOT NULL,
  conclusion TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  started_ms INTEGER NOT NULL,
  finished_ms INTEGER NOT NULL,
  PRIMARY KEY (job_key, idx)
) WITHOUT ROWID;
)sql";

constexpr std::array kMigrations = {db::Migration{1, kV1}};

constexpr std::string_view kRunColumns =
    "id, run_number, workflow_file, workflow_name, event, ref, sha, actor, status, conclusion, "
    "reason, started_ms, finished_ms, event_options, only_jobs, worktree, pid";

RunStatus ParseRunStatus(std::string_view s) {
  if (s == "queued") return RunStatus::kQueued;
  if (s == "completed") return RunStatus::kCompleted;
  return RunStatus::kInProgress;
}

std::string OnlyJobsJson(const std::vector<std::string>& jobs) {
  core::Value v = core::Value::Sequence();
  for (const std::string& j : jobs) v.Append(core::Value::String(j));
  return core::ToJson(v);
}

std::vector<std::string> ParseOnlyJobs(std::string_view json) {
  std::vector<std::string> jobs;
  auto v = core::ParseJson(json, "runs.only_jobs");
  if (!v.ok() || !v->is_sequence()) return jobs;
  for (const core::Value& item : v->items()) {
    if (item.is_string()) jobs.push_back(item.AsString());
  }
  return jobs;
}

std::map<std::string, std::string> ParseOutputs(std::string_view json) {
  std::map<std::string, std::string> outputs;
  auto v = core::ParseJson(json, "jobs.outputs");
  if (!v.ok() || !v->is_mapping()) return outputs;
  for (const core::Member& m : v->members()) {
    if (m.value.is_string()) outputs[m.key] = m.value.AsString();
  }
  return outputs;
}

RunRecord ReadRun(const db::Statement& s) {
  RunRecord r;
  r.id = s.ColumnInt(0);
  r.run_number = s.ColumnInt(1);
  r.request.workflow_file = s.ColumnText(2);
  r.request.workflow_name = s.ColumnText(3);
  r.request.event_name = s.ColumnText(4);
  r.request.ref = s.ColumnText(5);
  r.request.sha = s.ColumnText(6);
  r.request.actor = s.ColumnText(7);
  r.status = ParseRunStatus(s.ColumnText(8));
  r.conclusion = s.ColumnText(9);
  r.reason = s.ColumnText(10);
  r.started_ms = s.ColumnInt(11);
  r.finished_ms = s.ColumnOptionalInt(12);
  r.request.event_options_json = s.ColumnText(13);
  r.request.only_jobs = ParseOnlyJobs(s.ColumnText(14));
  r.request.worktree = s.ColumnInt(15) != 0;
  r.pid = s.ColumnInt(16);
  return r;
}

// The start time of process `pid` in clock ticks after boot (/proc/<pid>/stat field 22), or 0
// when it cannot be read (no such process, or no /proc).
int64_t ProcessStartTicks(int64_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  if (!in) return 0;
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && (fields >> field); ++i) {
    if (i == 22) return core::ParseInt64(field).value_or(0);
  }
  return 0;
}

// True while the process that began a run still runs: `pid` exists and, when its start time
// was recorded, started then.
bool ProcessAlive(int64_t pid, int64_t start_ticks) {
  if (pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return false;
  if (start_ticks == 0) return true;
  int64_t now = ProcessStartTicks(pid);
  return now == 0 || now == start_ticks;
}

bool MatchesWorkflow(const RunRecord& r, std::string_view filter) {
  const std::string& file = r.request.workflow_file;
  std::string base(core::Basename(file));
  std::string stem = base.substr(0, base.rfind('.'));
  return file == filter || base == filter || stem == filter || r.request.workflow_name == filter;
}

}  // namespace

std::string_view RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kQueued:
      return "queued";
    case RunStatus::kInProgress:
      return "in_progress";
    case RunStatus::kCompleted:
      return "completed";
  }
  return "in_progress";
}

std::string SanitizeLogName(std::string_view name) {
  std::string out;
  bool replaced = false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (ok) {
      out += c;
      replaced = false;
    } else if (!replaced) {
      out += '_';
      replaced = true;
    }
  }
  if (out.empty() || out == "." || out == "..") out = "job" + out;
  return out;
}

RunHistory::RunHistory(sys::Env& env, std::string cairn_dir, std::unique_ptr<db::Connection> conn)
    : env_(env),
      cairn_dir_(std::move(cairn_dir)),
      db_path_(cairn_dir_ + "/runs.db"),
      conn_(std::move(conn)) {}

RunHistory::~RunHistory() = default;

core::Result<std::unique_ptr<RunHistory>> RunHistory::Open(std::string_view cairn_dir,
                                                           sys::Env& env) {
  std::string dir(cairn_dir);
  CAIRN_RETURN_IF_ERROR(env.CreateDirs(dir + "/runs"));
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, db::OpenSqlite(dir + "/runs.db"));
  CAIRN_RETURN_IF_ERROR(db::Migrate(*conn, "workflow_history", kMigrations).status());
  return std::unique_ptr<RunHistory>(new RunHistory(env, std::move(dir), std::move(conn)));
}

int64_t RunHistory::NowMs() const { return env_.NowMicros() / 1000; }

std::string RunHistory::RunDir(int64_t id) const {
  return fmt::format("{}/runs/{}", cairn_dir_, id);
}

core::Status RunHistory::MarkInterruptedLocked() {
  std::vector<int64_t> gone;
  {
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement s,
        conn_->Prepare("SELECT id, pid, pid_start FROM runs WHERE status != 'completed'"));
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      if (!ProcessAlive(s.ColumnInt(1), s.ColumnInt(2))) gone.push_back(s.ColumnInt(0));
    }
  }
  if (gone.empty()) return core::Status::Ok();
  int64_t now = NowMs();
  return db::InTransaction(*conn_, [&]() -> core::Status {
    for (int64_t id : gone) {
      CAIRN_ASSIGN_OR_RETURN(
          db::Statement run,
          conn_->Prepare("UPDATE runs SET status = 'completed', conclusion = 'cancelled', "
                         "reason = 'interrupted: its process (pid ' || pid || ') ended before "
                         "the run finished', finished_ms = ? WHERE id = ? AND status != "
                         "'completed'"));
      CAIRN_RETURN_IF_ERROR(run.Bind(1, now).Bind(2, id).Run());
      CAIRN_ASSIGN_OR_RETURN(
          db::Statement jobs,
          conn_->Prepare("UPDATE jobs SET conclusion = 'cancelled', reason = 'interrupted', "
                         "finished_ms = ? WHERE run_id = ? AND conclusion IS NULL"));
      CAIRN_RETURN_IF_ERROR(jobs.Bind(1, now).Bind(2, id).Run());
    }
    return core::Status::Ok();
  });
}

core::Result<BegunRun> RunHistory::BeginRun(const RunRequest& request) {
  std::lock_guard lock(mu_);
  CAIRN_RETURN_IF_ERROR(MarkInterruptedLocked());
  BegunRun begun;
  int64_t pid = ::getpid();
  CAIRN_RETURN_IF_ERROR(db::InTransaction(*conn_, [&]() -> core::Status {
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement number,
        conn_->Prepare("INSERT INTO run_numbers (workflow_file, last) VALUES (?, 1) "
                       "ON CONFLICT (workflow_file) DO UPDATE SET last = last + 1 "
                       "RETURNING last"));
    number.Bind(1, std::string_view(request.workflow_file));
    CAIRN_ASSIGN_OR_RETURN(bool row, number.Step());
    if (!row) return core::Status::Internal(db_path_ + ": no run number returned");
    begun.run_number = number.ColumnInt(0);
    CAIRN_RETURN_IF_ERROR(number.Run());  // finish the statement
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement insert,
        conn_->Prepare("INSERT INTO runs (run_number, workflow_file, workflow_name, event, ref, "
                       "sha, actor, status, started_ms, event_options, only_jobs, worktree, pid, "
                       "pid_start) VALUES (?, ?, ?, ?, ?, ?, ?, 'in_progress', ?, ?, ?, ?, ?, ?)"));
    insert.Bind(1, begun.run_number)
        .Bind(2, std::string_view(request.workflow_file))
        .Bind(3, std::string_view(request.workflow_name))
        .Bind(4, std::string_view(request.event_name))
        .Bind(5, std::string_view(request.ref))
        .Bind(6, std::string_view(request.sha))
        .Bind(7, std::string_view(request.actor))
        .Bind(8, NowMs())
        .Bind(9, request.event_options_json.empty() ? std::string_view("{}")
                                                    : std::string_view(request.event_options_json))
        .Bind(10, std::string_view(OnlyJobsJson(request.only_jobs)))
        .Bind(11, int64_t{request.worktree ? 1 : 0})
        .Bind(12, pid)
        .Bind(13, ProcessStartTicks(pid));
    CAIRN_RETURN_IF_ERROR(insert.Run());
    begun.id = conn_->LastInsertRowId();
    return core::Status::Ok();
  }));
  begun.dir = RunDir(begun.id);
  // A directory left by a run whose row was lost (a crash before the commit of an old
  // database) must not mix its logs in: ids are never reused, so this only clears debris.
  CAIRN_RETURN_IF_ERROR(env_.RemoveAll(begun.dir));
  CAIRN_RETURN_IF_ERROR(env_.CreateDirs(begun.dir));
  return begun;
}

core::Status RunHistory::FinishRun(int64_t id, Conclusion conclusion, std::string_view reason) {
  std::lock_guard lock(mu_);
  int64_t now = NowMs();
  std::string name(ConclusionName(conclusion));
  return db::InTransaction(*conn_, [&]() -> core::Status {
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement run,
        conn_->Prepare("UPDATE runs SET status = 'completed', conclusion = ?, reason = ?, "
                       "finished_ms = ? WHERE id = ?"));
    CAIRN_RETURN_IF_ERROR(
        run.Bind(1, std::string_view(name)).Bind(2, reason).Bind(3, now).Bind(4, id).Run());
    if (run.changes() == 0) {
      return core::Status::NotFound(fmt::format("{}: no run {}", db_path_, id));
    }
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement jobs,
        conn_->Prepare("UPDATE jobs SET conclusion = ?, finished_ms = ? WHERE run_id = ? AND "
                       "conclusion IS NULL"));
    return jobs.Bind(1, std::string_view(name)).Bind(2, now).Bind(3, id).Run();
  });
}

core::Status RunHistory::JobStartedLocked(int64_t run, const JobRecord& job) {
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement s,
      conn_->Prepare("INSERT INTO jobs (run_id, job_id, display_name, started_ms, log_file) "
                     "VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, display_name) DO NOTHING"));
  return s.Bind(1, run)
      .Bind(2, std::string_view(job.job_id))
      .Bind(3, std::string_view(job.display_name))
      .Bind(4, job.started_ms)
      .Bind(5, std::string_view(job.log_file))
      .Run();
}

core::Status RunHistory::JobFinishedLocked(int64_t run, const JobRecord& job) {
  core::Value outputs = core::Value::Mapping();
  for (const auto& [k, v] : job.outputs) outputs.Set(k, core::Value::String(v));
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement s,
      conn_->Prepare(
          "INSERT INTO jobs (run_id, job_id, display_name, started_ms, log_file, conclusion, "
          "reason, finished_ms, outputs, has_summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (run_id, display_name) DO UPDATE SET conclusion = excluded.conclusion, "
          "reason = excluded.reason, finished_ms = excluded.finished_ms, outputs = "
          "excluded.outputs, has_summary = excluded.has_summary"));
  return s.Bind(1, run)
      .Bind(2, std::string_view(job.job_id))
      .Bind(3, std::string_view(job.display_name))
      .Bind(4, job.started_ms)
      .Bind(5, std::string_view(job.log_file))
      .Bind(6, std::string_view(job.conclusion))
      .Bind(7, std::string_view(job.reason))
      .Bind(8, job.finished_ms)
      .Bind(9, std::string_view(core::ToJson(outputs)))
      .Bind(10, int64_t{job.has_summary ? 1 : 0})
      .Run();
}

core::Status RunHistory::StepFinishedLocked(int64_t run, std::string_view job,
                                            const StepRecord& step) {
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement s,
      conn_->Prepare(
          "INSERT OR REPLACE INTO steps (job_key, idx, step_id, display_name, outcome, "
          "conclusion, reason, started_ms, finished_ms) SELECT job_key, ?, ?, ?, ?, ?, ?, ?, ? "
          "FROM jobs WHERE run_id = ? AND display_name = ?"));
  s.Bind(1, step.index)
      .Bind(2, std::string_view(step.id))
      .Bind(3, std::string_view(step.display_name))
      .Bind(4, std::string_view(step.outcome))
      .Bind(5, std::string_view(step.conclusion))
      .Bind(6, std::string_view(step.reason))
      .Bind(7, step.started_ms)
      .Bind(8, step.finished_ms)
      .Bind(9, run)
      .Bind(10, job);
  CAIRN_RETURN_IF_ERROR(s.Run());
  if (s.changes() == 0) {
    return core::Status::NotFound(
        fmt::format("{}: run {} has no job '{}' to record a step of", db_path_, run, job));
  }
  return core::Status::Ok();
}

core::Result<std::vector<RunRecord>> RunHistory::List(std::string_view workflow, int limit) {
  std::lock_guard lock(mu_);
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement s,
      conn_->Prepare(fmt::format("SELECT {} FROM runs ORDER BY id DESC", kRunColumns)));
  std::vector<RunRecord> runs;
  while (limit <= 0 || static_cast<int>(runs.size()) < limit) {
    CAIRN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    RunRecord r = ReadRun(s);
    if (!workflow.empty() && !MatchesWorkflow(r, workflow)) continue;
    r.dir = RunDir(r.id);
    runs.push_back(std::move(r));
  }
  return runs;
}

core::Result<std::vector<JobRecord>> RunHistory::JobsLocked(int64_t run) {
  std::vector<JobRecord> jobs;
  std::vector<int64_t> keys;
  {
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement s,
        conn_->Prepare("SELECT job_key, job_id, display_name, conclusion, reason, started_ms, "
                       "finished_ms, outputs, log_file, has_summary FROM jobs WHERE run_id = ? "
                       "ORDER BY started_ms, job_key"));
    s.Bind(1, run);
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      JobRecord j;
      keys.push_back(s.ColumnInt(0));
      j.job_id = s.ColumnText(1);
      j.display_name = s.ColumnText(2);
      j.conclusion = s.ColumnText(3);
      j.reason = s.ColumnText(4);
      j.started_ms = s.ColumnInt(5);
      j.finished_ms = s.ColumnOptionalInt(6);
      j.outputs = ParseOutputs(s.ColumnText(7));
      j.log_file = s.ColumnText(8);
      j.has_summary = s.ColumnInt(9) != 0;
      jobs.push_back(std::move(j));
    }
  }
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement steps,
      conn_->Prepare("SELECT idx, step_id, display_name, outcome, conclusion, reason, "
                     "started_ms, finished_ms FROM steps WHERE job_key = ? ORDER BY idx"));
  for (size_t i = 0; i < jobs.size(); ++i) {
    steps.Bind(1, keys[i]);
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool row, steps.Step());
      if (!row) break;
      StepRecord st;
      st.index = static_cast<int>(steps.ColumnInt(0));
      st.id = steps.ColumnText(1);
      st.display_name = steps.ColumnText(2);
      st.outcome = steps.ColumnText(3);
      st.conclusion = steps.ColumnText(4);
      st.reason = steps.ColumnText(5);
      st.started_ms = steps.ColumnInt(6);
      st.finished_ms = steps.ColumnInt(7);
      jobs[i].steps.push_back(std::move(st));
    }
  }
  return jobs;
}

core::Result<RunRecord> RunHistory::Get(int64_t id) {
  std::lock_guard lock(mu_);
  RunRecord r;
  {
    CAIRN_ASSIGN_OR_RETURN(db::Statement s, conn_->Prepare(fmt::format(
                                                "SELECT {} FROM runs WHERE id = ?", kRunColumns)));
    s.Bind(1, id);
    CAIRN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) {
      return core::Status::NotFound(
          fmt::format("no run {} in {} (`cairn run list` shows the runs)", id, db_path_));
    }
    r = ReadRun(s);
  }
  CAIRN_ASSIGN_OR_RETURN(r.jobs, JobsLocked(id));
  r.dir = RunDir(id);
  return r;
}

core::Result<std::vector<LogLine>> RunHistory::ReadJobLog(int64_t id, std::string_view job) {
  CAIRN_ASSIGN_OR_RETURN(RunRecord run, Get(id));
  const JobRecord* found = nullptr;
  int by_id = 0;
  for (const JobRecord& j : run.jobs) {
    if (j.display_name == job) {
      found = &j;
      by_id = 1;
      break;
    }
    if (j.job_id == job) {
      if (by_id++ == 0) found = &j;
    }
  }
  if (found == nullptr || by_id > 1) {
    std::vector<std::string> names;
    for (const JobRecord& j : run.jobs) names.push_back("'" + j.display_name + "'");
    return core::Status::NotFound(fmt::format("run {} has {} job '{}'; its jobs: {}", id,
                                              found == nullptr ? "no" : "more than one", job,
                                              names.empty() ? "none" : core::Join(names, ", ")));
  }
  std::string path = run.dir + "/" + found->log_file;
  std::vector<LogLine> lines;
  if (!env_.Exists(path)) return lines;  // the job printed nothing
  CAIRN_ASSIGN_OR_RETURN(std::string text, env_.ReadFile(path));
  for (std::string_view line : core::SplitLines(text)) {
    LogLine l;
    // "[3] text" or "[-] text"; anything else (a line cut by a crash) is kept whole.
    size_t close = line.find("] ");
    if (line.starts_with("[") && close != std::string_view::npos) {
      std::string_view index = line.substr(1, close - 1);
      if (index == "-") {
        l.text = std::string(line.substr(close + 2));
        lines.push_back(std::move(l));
        continue;
      }
      if (auto n = core::ParseInt64(index)) {
        l.step = static_cast<int>(*n);
        l.text = std::string(line.substr(close + 2));
        lines.push_back(std::move(l));
        continue;
      }
    }
    l.text = std::string(line);
    lines.push_back(std::move(l));
  }
  return lines;
}

core::Result<std::vector<int64_t>> RunHistory::Prune(const PruneOptions& options) {
  std::lock_guard lock(mu_);
  CAIRN_RETURN_IF_ERROR(MarkInterruptedLocked());
  std::vector<int64_t> removed;
  std::set<int64_t> kept;
  int64_t max_id = 0;  // a directory of a higher id belongs to a run begun since: keep it
  {
    int64_t cutoff = options.days ? NowMs() - int64_t{*options.days} * 86'400'000 : INT64_MIN;
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement s,
        conn_->Prepare("SELECT id, started_ms, status FROM runs ORDER BY id DESC"));
    int completed = 0;
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      int64_t id = s.ColumnInt(0);
      max_id = std::max(max_id, id);
      if (s.ColumnText(2) != "completed") {
        kept.insert(id);
        continue;
      }
      ++completed;
      bool too_old = options.days && s.ColumnInt(1) < cutoff;
      bool too_many = options.keep && completed > *options.keep;
      if (too_old || too_many) {
        removed.push_back(id);
      } else {
        kept.insert(id);
      }
    }
  }
  std::sort(removed.begin(), removed.end());
  CAIRN_RETURN_IF_ERROR(db::InTransaction(*conn_, [&]() -> core::Status {
    CAIRN_ASSIGN_OR_RETURN(db::Statement del, conn_->Prepare("DELETE FROM runs WHERE id = ?"));
    for (int64_t id : removed) CAIRN_RETURN_IF_ERROR(del.Bind(1, id).Run());
    return core::Status::Ok();
  }));
  // The directories of removed runs, and any no row names (left by a crash between a commit
  // and the removal); a directory of a run still in progress is never touched.
  std::string runs_dir = cairn_dir_ + "/runs";
  CAIRN_ASSIGN_OR_RETURN(std::vector<sys::DirEntry> entries, env_.ListDir(runs_dir));
  for (const sys::DirEntry& e : entries) {
    std::optional<int64_t> id = core::ParseInt64(e.name);
    if (!id || *id > max_id || e.type != sys::FileType::kDirectory || kept.count(*id) != 0) {
      continue;
    }
    CAIRN_RETURN_IF_ERROR(env_.RemoveAll(runs_dir + "/" + e.name));
  }
  return removed;
}

}  // namespace cairn::workflow
