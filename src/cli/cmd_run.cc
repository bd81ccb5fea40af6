// `cairn run`: the history of workflow runs on this machine (.cairn/runs.db, .cairn/runs/<id>/):
//   cairn run list [--workflow W] [--limit N] [--json]   a table, newest first
//   cairn run view ID [--log] [--job J] [--json]         jobs and steps with conclusions and
//                                                        reasons; --log prints the logs
//   cairn run prune [--days N] [--keep N]                removes old runs and their logs
// The repository is the nearest directory holding .cairn/, from the working directory up.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <time.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/workflow_commands.h"
#include "core/json.h"
#include "core/strings.h"
#include "core/value.h"
#include "workflow/artifacts.h"
#include "workflow/history.h"
#include "workflow/settings.h"

namespace cairn::cli {
namespace {

using workflow::JobRecord;
using workflow::RunHistory;
using workflow::RunRecord;
using workflow::StepRecord;

core::Result<std::unique_ptr<RunHistory>> OpenHistory(Context& ctx) {
  CAIRN_ASSIGN_OR_RETURN(workflow::CairnLayout layout, workflow::FindCairnDir(ctx.cwd));
  return RunHistory::Open(layout.dir, ctx.env);
}

// "850ms", "12s", "3m 05s", "2h 01m".
std::string FormatDuration(int64_t ms) {
  if (ms < 0) ms = 0;
  if (ms < 1000) return fmt::format("{}ms", ms);
  int64_t s = ms / 1000;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m {:02}s", s / 60, s % 60);
  return fmt::format("{}h {:02}m", s / 3600, s / 60 % 60);
}

// "just now", "42s ago", "5m ago", "3h ago", "12d ago".
std::string FormatAge(int64_t ms) {
  int64_t s = ms / 1000;
  if (s < 1) return "just now";
  if (s < 60) return fmt::format("{}s ago", s);
  if (s < 3600) return fmt::format("{}m ago", s / 60);
  if (s < 86400) return fmt::format("{}h ago", s / 3600);
  return fmt::format("{}d ago", s / 86400);
}

// "2024-05-01T12:34:56Z".
std::string FormatTime(int64_t ms) {
  time_t t = static_cast<time_t>(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string ShortRef(std::string_view ref) {
  for (std::string_view prefix : {"refs/heads/", "refs/tags/"}) {
    if (ref.starts_with(prefix)) return std::string(ref.substr(prefix.size()));
  }
  return std::string(ref);
}

std::string WorkflowLabel(const RunRecord& r) {
  return std::filesystem::path(r.request.workflow_file).filename().string();
}

// The conclusion, or the status while there is none ("in_progress").
std::string State(const RunRecord& r) {
  return r.conclusion.empty() ? std::string(workflow::RunStatusName(r.status)) : r.conclusion;
}

int64_t Duration(const RunRecord& r, int64_t now_ms) {
  return r.finished_ms.value_or(now_ms) - r.started_ms;
}

core::Value Text(std::string_view s) { return core::Value::String(std::string(s)); }
core::Value OptionalText(std::string_view s) {
  return s.empty() ? core::Value::Null() : core::Value::String(std::string(s));
}
core::Value OptionalTime(const std::optional<int64_t>& ms) {
  return ms ? core::Value::String(FormatTime(*ms)) : core::Value::Null();
}

core::Value RunJson(const RunRecord& r, int64_t now_ms) {
  core::Value v = core::Value::Mapping();
  v.Set("id", core::Value::Int(r.id));
  v.Set("run_number", core::Value::Int(r.run_number));
  v.Set("workflow_file", Text(r.request.workflow_file));
  v.Set("workflow_name", Text(r.request.workflow_name));
  v.Set("event", Text(r.request.event_name));
  v.Set("ref", Text(r.request.ref));
  v.Set("sha", Text(r.request.sha));
  v.Set("actor", Text(r.request.actor));
  v.Set("status", Text(workflow::RunStatusName(r.status)));
  v.Set("conclusion", OptionalText(r.conclusion));
  v.Set("reason", Text(r.reason));
  v.Set("started_at", core::Value::String(FormatTime(r.started_ms)));
  v.Set("finished_at", OptionalTime(r.finished_ms));
  v.Set("duration_ms", core::Value::Int(Duration(r, now_ms)));
  auto options = core::ParseJson(r.request.event_options_json, "event_options");
  v.Set("event_options", options.ok() ? *options : core::Value::Mapping());
  core::Value only = core::Value::Sequence();
  for (const std::string& j : r.request.only_jobs) only.Append(Text(j));
  v.Set("only_jobs", std::move(only));
  v.Set("worktree", core::Value::Bool(r.request.worktree));
  v.Set("pid", core::Value::Int(r.pid));
  return v;
}

core::Value StepJson(const StepRecord& s) {
  core::Value v = core::Value::Mapping();
  v.Set("index", core::Value::Int(s.index));
  v.Set("id", Text(s.id));
  v.Set("name", Text(s.display_name));
  v.Set("outcome", Text(s.outcome));
  v.Set("conclusion", Text(s.conclusion));
  v.Set("reason", Text(s.reason));
  v.Set("started_at", core::Value::String(FormatTime(s.started_ms)));
  v.Set("duration_ms", core::Value::Int(s.finished_ms - s.started_ms));
  return v;
}

// ---------------------------------------------------------------------------------------------
// list

struct ListOptions {
  std::string workflow;
  int limit = 20;
  bool json = false;
};

void RunList(Context& ctx, const ListOptions& o) {
  auto history = OpenHistory(ctx);
  if (!history.ok()) {
    ctx.status = history.status();
    return;
  }
  auto runs = (*history)->List(o.workflow, o.limit);
  if (!runs.ok()) {
    ctx.status = runs.status();
    return;
  }
  int64_t now = ctx.env.NowMicros() / 1000;
  if (o.json) {
    core::Value all = core::Value::Sequence();
    for (const RunRecord& r : *runs) all.Append(RunJson(r, now));
    fmt::print(ctx.out, "{}\n", core::ToPrettyJson(all));
    return;
  }
  if (runs->empty()) {
    fmt::print(ctx.out, "no runs{}\n",
               o.workflow.empty() ? "" : fmt::format(" of workflow '{}'", o.workflow));
    return;
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "WORKFLOW", "EVENT", "REF", "SHA", "CONCLUSION", "DURATION", "AGE"}};
  for (const RunRecord& r : *runs) {
    rows.push_back({std::to_string(r.id), WorkflowLabel(r), r.request.event_name,
                    ShortRef(r.request.ref), r.request.sha.substr(0, 7), State(r),
                    FormatDuration(Duration(r, now)), FormatAge(now - r.started_ms)});
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += i + 1 == row.size() ? row[i] : fmt::format("{:<{}}  ", row[i], widths[i]);
    }
    fmt::print(ctx.out, "{}\n", core::TrimRight(line));
  }
}

// ---------------------------------------------------------------------------------------------
// view

struct ViewOptions {
  int64_t id = 0;
  bool log = false;
  std::string job;
  bool json = false;
};

bool JobSelected(const JobRecord& j, const std::string& filter) {
  return filter.empty() || j.display_name == filter || j.job_id == filter;
}

void PrintLog(Context& ctx, RunHistory& history, const RunRecord& r, const JobRecord& j) {
  auto lines = history.ReadJobLog(r.id, j.display_name);
  if (!lines.ok()) {
    ctx.status = lines.status();
    return;
  }
  for (const workflow::LogLine& line : *lines) {
    if (line.text.starts_with("##[step] ")) {
      fmt::print(ctx.out, "  -- step {}: {}\n", line.step, std::string_view(line.text).substr(9));
    } else {
      fmt::print(ctx.out, "  {}\n", line.text);
    }
  }
}

void RunView(Context& ctx, const ViewOptions& o) {
  auto history = OpenHistory(ctx);
  if (!history.ok()) {
    ctx.status = history.status();
    return;
  }
  RunHistory& h = **history;
  auto run = h.Get(o.id);
  if (!run.ok()) {
    ctx.status = run.status();
    return;
  }
  const RunRecord& r = *run;
  std::vector<const JobRecord*> jobs;
  for (const JobRecord& j : r.jobs) {
    if (JobSelected(j, o.job)) jobs.push_back(&j);
  }
  if (!o.job.empty() && jobs.empty()) {
    std::vector<std::string> names;
    for (const JobRecord& j : r.jobs) names.push_back("'" + j.display_name + "'");
    ctx.status = UsageError(fmt::format("--job {}: run {} has no such job; its jobs: {}", o.job,
                                        r.id, names.empty() ? "none" : core::Join(names, ", ")));
    return;
  }
  int64_t now = ctx.env.NowMicros() / 1000;

  if (o.json) {
    core::Value v = RunJson(r, now);
    core::Value jobs_json = core::Value::Sequence();
    for (const JobRecord* j : jobs) {
      core::Value jv = core::Value::Mapping();
      jv.Set("job_id", Text(j->job_id));
      jv.Set("name", Text(j->display_name));
      jv.Set("conclusion", OptionalText(j->conclusion));
      jv.Set("reason", Text(j->reason));
      jv.Set("started_at", core::Value::String(FormatTime(j->started_ms)));
      jv.Set("finished_at", OptionalTime(j->finished_ms));
      jv.Set("duration_ms", core::Value::Int(j->finished_ms.value_or(now) - j->started_ms));
      core::Value outputs = core::Value::Mapping();
      for (const auto& [k, val] : j->outputs) outputs.Set(k, Text(val));
      jv.Set("outputs", std::move(outputs));
      jv.Set("log_file", Text(r.dir + "/" + j->log_file));
      core::Value steps = core::Value::Sequence();
      for (const StepRecord& s : j->steps) steps.Append(StepJson(s));
      jv.Set("steps", std::move(steps));
      if (o.log) {
        auto lines = h.ReadJobLog(r.id, j->display_name);
        if (!lines.ok()) {
          ctx.status = lines.status();
          return;
        }
        core::Value log = core::Value::Sequence();
        for (const workflow::LogLine& line : *lines) {
          core::Value lv = core::Value::Mapping();
          lv.Set("step", line.step < 0 ? core::Value::Null() : core::Value::Int(line.step));
          lv.Set("text", Text(line.text));
          log.Append(std::move(lv));
        }
        jv.Set("log", std::move(log));
      }
      jobs_json.Append(std::move(jv));
    }
    v.Set("jobs", std::move(jobs_json));
    fmt::print(ctx.out, "{}\n", core::ToPrettyJson(v));
    return;
  }

  std::string title =
      r.request.workflow_name.empty()
          ? r.request.workflow_file
          : fmt::format("{} ({})", r.request.workflow_name, r.request.workflow_file);
  fmt::print(ctx.out, "run {}: {} #{}\n", r.id, title, r.run_number);
  fmt::print(ctx.out, "  {} on {} at {}{}\n", r.request.event_name, r.request.ref,
             r.request.sha.substr(0, 7),
             r.request.actor.empty() ? "" : fmt::format(" by {}", r.request.actor));
  fmt::print(ctx.out, "  {} after {}, started {} ({})\n", State(r),
             FormatDuration(Duration(r, now)), FormatTime(r.started_ms),
             FormatAge(now - r.started_ms));
  if (!r.reason.empty()) fmt::print(ctx.out, "  {}\n", r.reason);
  for (const JobRecord* j : jobs) {
    std::string state = j->conclusion.empty() ? "in_progress" : j->conclusion;
    fmt::print(ctx.out, "\njob {}: {} ({}){}\n", j->display_name, state,
               FormatDuration(j->finished_ms.value_or(now) - j->started_ms),
               j->reason.empty() ? "" : ": " + j->reason);
    for (const StepRecord& s : j->steps) {
      std::string outcome =
          s.outcome != s.conclusion ? fmt::format(" (outcome {})", s.outcome) : std::string();
      fmt::print(ctx.out, "  step {} {}: {}{} ({}){}\n", s.index, s.display_name, s.conclusion,
                 outcome, FormatDuration(s.finished_ms - s.started_ms),
                 s.reason.empty() ? "" : ": " + s.reason);
    }
    if (o.log) {
      fmt::print(ctx.out, "log of {} ({}):\n", j->display_name, r.dir + "/" + j->log_file);
      PrintLog(ctx, h, r, *j);
      if (!ctx.status.ok()) return;
    }
  }
  if (!o.log && !jobs.empty()) {
    fmt::print(ctx.out, "\nlogs: cairn run view {} --log{}\n", r.id,
               o.job.empty() ? "" : fmt::format(" --job '{}'", o.job));
  }
}

// ---------------------------------------------------------------------------------------------
// prune

struct PruneCliOptions {
  std::optional<int> days;
  std::optional<int> keep;
};

void RunPrune(Context& ctx, const PruneCliOptions& o) {
  ctx.status = [&]() -> core::Status {
    CAIRN_ASSIGN_OR_RETURN(workflow::CairnLayout layout, workflow::FindCairnDir(ctx.cwd));
    CAIRN_ASSIGN_OR_RETURN(workflow::RunnerConfig config,
                           workflow::LoadRunnerConfig(ctx.env, layout));
    CAIRN_ASSIGN_OR_RETURN(auto history, RunHistory::Open(layout.dir, ctx.env));
    workflow::PruneOptions options;
    options.days = o.days.value_or(config.artifact_retention_days);
    options.keep = o.keep;
    if (!options.keep && config.history_keep > 0) options.keep = config.history_keep;
    CAIRN_ASSIGN_OR_RETURN(std::vector<int64_t> removed, history->Prune(options));
    std::vector<std::string> ids;
    for (int64_t id : removed) ids.push_back(std::to_string(id));
    if (ids.empty()) {
      fmt::print(ctx.out, "no run to remove\n");
    } else {
      fmt::print(ctx.out, "removed {} run{} ({})\n", ids.size(), ids.size() == 1 ? "" : "s",
                 core::Join(ids, ", "));
    }
    // Artifacts expire by their own retention-days.
    CAIRN_ASSIGN_OR_RETURN(int expired, workflow::PruneArtifacts(layout.Artifacts(),
                                                                 std::chrono::system_clock::now()));
    if (expired > 0) {
      fmt::print(ctx.out, "removed {} expired artifact{}\n", expired, expired == 1 ? "" : "s");
    }
    return core::Status::Ok();
  }();
}

}  // namespace

void RegisterRunCommands(CLI::App& app, Context& ctx) {
  CLI::App* run = app.add_subcommand(
      "run", "The history of workflow runs: list, view, rerun, prune (`cairn run --help`)");
  run->require_subcommand(1);

  auto lo = std::make_shared<ListOptions>();
  CLI::App* list = run->add_subcommand("list", "Recorded runs, newest first");
  list->add_option("--workflow", lo->workflow,
                   "Only runs of this workflow (file, file name, or `name:`)");
  list->add_option("--limit", lo->limit, "At most this many runs (0: all)")
      ->default_val(20)
      ->check(CLI::NonNegativeNumber);
  list->add_flag("--json", lo->json, "[{id, run_number, workflow_file, event, ref, sha, ...}]");
  list->callback([&ctx, lo] { RunList(ctx, *lo); });

  auto vo = std::make_shared<ViewOptions>();
  CLI::App* view = run->add_subcommand("view", "A run's jobs and steps, with their logs (--log)");
  view->add_option("id", vo->id, "The run's id (`cairn run list`)")->required();
  view->add_flag("--log", vo->log, "Print each job's log");
  view->add_option("--job", vo->job, "Only this job (its name, or its id)");
  view->add_flag("--json", vo->json, "The run as JSON, with jobs, steps (and log with --log)");
  view->callback([&ctx, vo] { RunView(ctx, *vo); });

  auto po = std::make_shared<PruneCliOptions>();
  CLI::App* prune = run->add_subcommand("prune", "Remove old runs and their logs");
  prune
      ->add_option(
          "--days", po->days,
          "Remove runs older than this many days (default: .cairn/config.yaml's retention, 90)")
      ->check(CLI::NonNegativeNumber);
  prune->add_option("--keep", po->keep, "Keep only this many of the newest runs")
      ->check(CLI::NonNegativeNumber);
  prune->callback([&ctx, po] { RunPrune(ctx, *po); });
  AddRunRerunCommand(*run, ctx);
}

}  // namespace cairn::cli
