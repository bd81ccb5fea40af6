// `cairn repro` (and `dvc repro`): run the pipeline stages that changed.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cmath>
#include <memory>
#include <mutex>

#include "cli/command.h"
#include "cli/data_output.h"
#include "core/json.h"
#include "core/path.h"
#include "data/metrics.h"
#include "data/params.h"
#include "data/pipeline.h"

namespace cairn::cli {
namespace {

struct ReproCliOptions {
  std::vector<std::string> targets;
  bool force = false;
  bool quiet = false;
  bool verbose = false;
  int jobs = 1;
};

core::Status RunRepro(Context& ctx, const ReproCliOptions& o) {
  data::RepoOptions repo_options;
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<data::Repo> repo,
                         data::Repo::Open(ctx.env, ctx.cwd, repo_options));
  data::ReproOptions options;
  options.targets = o.targets;
  options.force = o.force;
  options.jobs = static_cast<size_t>(std::max(o.jobs, 1));
  std::mutex out_mu;
  data::ReproEvents events;
  events.message = [&](std::string_view line) {
    if (o.quiet) return;
    std::lock_guard lock(out_mu);
    fmt::print(ctx.out, "{}\n", line);
    std::fflush(ctx.out);
  };
  events.output = [&](std::string_view line, bool is_stderr) {
    std::lock_guard lock(out_mu);
    fmt::print(is_stderr ? ctx.err : ctx.out, "{}\n", line);
  };
  CAIRN_ASSIGN_OR_RETURN(data::ReproResult result, data::Repro(*repo, options, events));
  if (o.quiet) return core::Status::Ok();
  if (result.ran.empty()) {
    fmt::print(ctx.out, "Data and pipelines are up to date.\n");
    return core::Status::Ok();
  }
  std::vector<std::string> files;
  for (const std::string& f : result.git_files) files.push_back(repo->Display(f));
  fmt::print(ctx.out, "{}", GitAddHint(files, ctx.dvc));
  fmt::print(ctx.out, "Use `{}` to send your updates to remote storage.\n",
             ctx.dvc ? "dvc push" : "cairn data push");
  return core::Status::Ok();
}

// --- metrics and params ---

struct ReportOptions {
  std::vector<std::string> targets;  // metrics show/diff: files; diff: also the revisions
  std::string a_rev = "HEAD";
  std::string b_rev;  // empty: the workspace
  bool json = false;
  bool all = false;
  int precision = 5;
  std::string key;
  std::string file;
};

// A number rounded as DVC's tables round it (Python's round(x, precision)), else str().
std::string Cell(const std::optional<core::Value>& v, int precision) {
  if (!v) return "-";
  if (v->is_number() && !v->IsInteger()) {
    double x = v->AsDouble();
    double scale = std::pow(10.0, precision);
    double rounded = std::nearbyint(x * scale) / scale;
    return data::PythonStr(core::Value::Double(rounded));
  }
  return data::PythonStr(*v);
}

core::Value DiffJson(const std::vector<data::ParamDiff>& rows, bool with_diff) {
  core::Value out = core::Value::Mapping();
  for (const data::ParamDiff& d : rows) {
    core::Value file = out.Find(d.file) != nullptr ? *out.Find(d.file) : core::Value::Mapping();
    core::Value entry = core::Value::Mapping();
    entry.Set("old", d.old_value.value_or(core::Value::Null()));
    entry.Set("new", d.new_value.value_or(core::Value::Null()));
    if (with_diff && d.diff) entry.Set("diff", *d.diff);
    file.Set(d.name, std::move(entry));
    out.Set(d.file, std::move(file));
  }
  return out;
}

core::Result<std::unique_ptr<data::Repo>> OpenForReport(Context& ctx) {
  return data::Repo::Open(ctx.env, ctx.cwd, {});
}

core::Status RunMetricsShow(Context& ctx, const ReportOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<data::Repo> repo, OpenForReport(ctx));
  CAIRN_ASSIGN_OR_RETURN(std::vector<data::ReportFile> files,
                         data::LoadMetrics(*repo, o.targets, ""));
  if (o.json) {
    core::Value by_file = core::Value::Mapping();
    for (const data::ReportFile& f : files) {
      core::Value data = core::Value::Mapping();
      data.Set("data", f.data);
      by_file.Set(repo->Display(f.path), std::move(data));
    }
    core::Value rev = core::Value::Mapping();
    rev.Set("data", std::move(by_file));
    core::Value out = core::Value::Mapping();
    out.Set("", std::move(rev));
    fmt::print(ctx.out, "{}", DvcJson(out));
    return core::Status::Ok();
  }
  if (files.empty()) {
    return core::Status::NotFound(
        "no metrics files in this repository\nhint: declare them under `metrics:` in dvc.yaml");
  }
  std::vector<std::string> headers = {"Path"};
  std::vector<data::ParamValues> flat;
  for (const data::ReportFile& f : files) {
    CAIRN_ASSIGN_OR_RETURN(data::ParamValues values, data::FlattenParams(f.data));
    for (const auto& [name, value] : values) {
      if (std::find(headers.begin(), headers.end(), name) == headers.end()) headers.push_back(name);
    }
    flat.push_back(std::move(values));
  }
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < files.size(); ++i) {
    std::vector<std::string> row(headers.size(), "-");
    row[0] = repo->Display(files[i].path);
    for (const auto& [name, value] : flat[i]) {
      size_t c = std::find(headers.begin(), headers.end(), name) - headers.begin();
      row[c] = Cell(value, o.precision);
    }
    rows.push_back(std::move(row));
  }
  fmt::print(ctx.out, "{}", Table(headers, rows));
  return core::Status::Ok();
}

core::Status RunDiff(Context& ctx, const ReportOptions& o, bool metrics) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<data::Repo> repo, OpenForReport(ctx));
  auto load = [&](const std::string& rev) {
    return metrics ? data::LoadMetrics(*repo, o.targets, rev) : data::LoadTrackedParams(*repo, rev);
  };
  CAIRN_ASSIGN_OR_RETURN(std::vector<data::ReportFile> old_files, load(o.a_rev));
  CAIRN_ASSIGN_OR_RETURN(std::vector<data::ReportFile> new_files, load(o.b_rev));
  CAIRN_ASSIGN_OR_RETURN(std::vector<data::ParamDiff> rows,
                         data::DiffReports(old_files, new_files, o.all));
  for (data::ParamDiff& d : rows) d.file = repo->Display(d.file);
  if (o.json) {
    fmt::print(ctx.out, "{}", DvcJson(DiffJson(rows, true)));
    return core::Status::Ok();
  }
  if (rows.empty()) return core::Status::Ok();
  std::string new_name = o.b_rev.empty() ? "workspace" : o.b_rev;
  std::vector<std::string> headers = {"Path", metrics ? "Metric" : "Param", o.a_rev, new_name};
  if (metrics) headers.push_back("Change");
  std::vector<std::vector<std::string>> table;
  for (const data::ParamDiff& d : rows) {
    int precision = metrics ? o.precision : 17;
    std::vector<std::string> row = {d.file, d.name,
                                    metrics ? Cell(d.old_value, precision)
                                            : (d.old_value ? data::PythonStr(*d.old_value) : "-"),
                                    metrics ? Cell(d.new_value, precision)
                                            : (d.new_value ? data::PythonStr(*d.new_value) : "-")};
    if (metrics) row.push_back(d.diff ? Cell(d.diff, precision) : "-");
    table.push_back(std::move(row));
  }
  fmt::print(ctx.out, "{}", Table(headers, table));
  return core::Status::Ok();
}

// With --file it works outside a DVC repository too, as the seed's get_metric.py does.
core::Result<core::Value> MetricFromFile(Context& ctx, const ReportOptions& o) {
  std::string path = core::IsAbsolutePath(o.file) ? o.file : core::JoinPath(ctx.cwd, o.file);
  CAIRN_ASSIGN_OR_RETURN(core::Value root, data::LoadParamsFile(ctx.env, path));
  const core::Value* value = data::FindParam(root, o.key);
  if (value == nullptr) {
    return core::Status::NotFound(fmt::format("no metric '{}' in {}", o.key, o.file));
  }
  return *value;
}

core::Status RunMetricsGet(Context& ctx, const ReportOptions& o) {
  core::Result<std::unique_ptr<data::Repo>> repo = OpenForReport(ctx);
  if (!repo.ok() && o.file.empty()) return repo.status();
  CAIRN_ASSIGN_OR_RETURN(core::Value value, repo.ok() ? data::GetMetric(**repo, o.key, o.file)
                                                      : MetricFromFile(ctx, o));
  fmt::print(ctx.out, "{}\n", o.json ? core::ToJson(value) : data::PythonStr(value));
  return core::Status::Ok();
}

// `metrics diff [A_REV [B_REV]] [--targets FILE...]`: the positionals are revisions.
void AddRevisions(CLI::App* cmd, ReportOptions& o) {
  cmd->add_option("a_rev", o.a_rev, "Old revision (default HEAD)");
  cmd->add_option("b_rev", o.b_rev, "New revision (default: the workspace)");
  cmd->add_flag("--json", o.json, "As JSON");
  cmd->add_flag("-a,--all", o.all, "Unchanged ones too");
}

}  // namespace

void AddPipelineSubcommands(CLI::App& parent, Context& ctx) {
  {
    CLI::App* metrics = parent.add_subcommand("metrics", "Show, compare or read metrics");
    metrics->require_subcommand(1);
    auto show = std::make_shared<ReportOptions>();
    CLI::App* cmd = metrics->add_subcommand("show", "The metrics of the workspace, as a table");
    cmd->add_option("targets", show->targets, "Metrics files (default: those dvc.yaml declares)");
    cmd->add_flag("--json", show->json, "As JSON");
    cmd->add_option("--precision", show->precision, "Digits after the point (default 5)");
    cmd->callback([&ctx, show] { ctx.status = RunMetricsShow(ctx, *show); });

    auto diff = std::make_shared<ReportOptions>();
    cmd = metrics->add_subcommand("diff", "Metrics against a git revision (default HEAD)");
    AddRevisions(cmd, *diff);
    cmd->add_option("--targets", diff->targets, "Metrics files (default: those dvc.yaml declares)");
    cmd->add_option("--precision", diff->precision, "Digits after the point (default 5)");
    cmd->callback([&ctx, diff] { ctx.status = RunDiff(ctx, *diff, true); });

    auto get = std::make_shared<ReportOptions>();
    cmd = metrics->add_subcommand("get", "Print one metric's value: KEY (e.g. accuracy, test.n)");
    cmd->add_option("key", get->key, "Dotted name")->required();
    cmd->add_option("--file", get->file, "The metrics file (default: the one that has KEY)");
    cmd->add_flag("--json", get->json, "The value as JSON");
    cmd->callback([&ctx, get] { ctx.status = RunMetricsGet(ctx, *get); });
  }
  {
    CLI::App* params = parent.add_subcommand("params", "Compare the params stages use");
    params->require_subcommand(1);
    auto diff = std::make_shared<ReportOptions>();
    CLI::App* cmd = params->add_subcommand("diff", "Params against a git revision (default HEAD)");
    AddRevisions(cmd, *diff);
    cmd->callback([&ctx, diff] { ctx.status = RunDiff(ctx, *diff, false); });
  }
  auto o = std::make_shared<ReproCliOptions>();
  CLI::App* cmd = parent.add_subcommand(
      "repro", "Run the dvc.yaml stages whose command, deps, params or outs changed");
  cmd->add_option("targets", o->targets, "Stages (name, or dvc.yaml:name) or dvc.yaml files");
  cmd->add_flag("-f,--force", o->force, "Run every selected stage, changed or not");
  cmd->add_option("-j,--jobs", o->jobs, "Independent stages to run at once (default 1)")
      ->check(CLI::Range(1, 256));
  cmd->add_flag("-q,--quiet", o->quiet, "Print nothing but errors and the stages' output");
  cmd->add_flag("-v,--verbose", o->verbose, "Say more");
  cmd->callback([&ctx, o] { ctx.status = RunRepro(ctx, *o); });
}

void RegisterPipelineCommands(CLI::App& app, Context& ctx) { AddPipelineSubcommands(app, ctx); }

}  // namespace cairn::cli
