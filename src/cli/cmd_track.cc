// `cairn track ...`: experiments, runs and run data in an MLflow tracking store (a sqlite:///
// database, or a `cairn server` / MLflow server over http(s)), read and written as MLflow's
// client does. Lines and tables by default, MLflow's JSON with --json.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <map>
#include <memory>
#include <set>

#include "cli/command.h"
#include "cli/data_output.h"
#include "cli/mlflow_stores.h"
#include "core/strings.h"

namespace cairn::cli {
namespace {

using core::Value;

void Print(Context& ctx, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), ctx.out);
}

std::string JoinTags(const std::vector<track::Tag>& tags, std::string_view indent) {
  std::string text;
  for (const track::Tag& t : tags) text += fmt::format("{}{}: {}\n", indent, t.key, t.value);
  return text;
}

// Every page of a search, `search(page_token)` giving one.
template <class T, class F>
core::Result<std::vector<T>> AllPages(F search) {
  std::vector<T> items;
  std::string token;
  do {
    CAIRN_ASSIGN_OR_RETURN(track::Page<T> page, search(token));
    for (T& item : page.items) items.push_back(std::move(item));
    token = std::move(page.next_page_token);
  } while (!token.empty());
  return items;
}

core::Result<track::ViewType> ParseView(std::string_view view) {
  core::Result<track::ViewType> parsed = track::ParseViewType(view, "--view");
  if (!parsed.ok()) {
    return UsageError(fmt::format("--view: '{}' is not a view", view),
                      "one of active_only, deleted_only, all");
  }
  return parsed;
}

// --- experiments ---

struct ExperimentOptions : MlflowFlags {
  std::string name;  // or the id
  std::string artifact_location;
  std::string view = "active_only";
};

core::Status RunExperimentsCreate(Context& ctx, const ExperimentOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenTracking(ctx, o));
  CAIRN_ASSIGN_OR_RETURN(std::string id, store->CreateExperiment(o.name, o.artifact_location, {}));
  Print(ctx, o.json ? JsonText(JsonWith("experiment_id", Value::String(id)))
                    : fmt::format("Created experiment '{}' with id {}\n", o.name, id));
  return core::Status::Ok();
}

core::Status RunExperimentsList(Context& ctx, const ExperimentOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(track::ViewType view, ParseView(o.view));
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenTracking(ctx, o));
  CAIRN_ASSIGN_OR_RETURN(std::vector<track::Experiment> experiments,
                         AllPages<track::Experiment>([&](const std::string& token) {
                           track::SearchExperimentsRequest request;
                           request.view = view;
                           request.page_token = token;
                           return store->SearchExperiments(request);
                         }));
  if (o.json) {
    Value list = Value::Sequence();
    for (const track::Experiment& e : experiments) list.Append(ExperimentJson(e));
    Print(ctx, JsonText(JsonWith("experiments", std::move(list))));
    return core::Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const track::Experiment& e : experiments) {
    rows.push_back({e.experiment_id, e.name,
                    std::string(track::LifecycleStageName(e.lifecycle_stage)),
                    e.artifact_location});
  }
  Print(ctx, Table({"experiment_id", "name", "lifecycle_stage", "artifact_location"}, rows));
  return core::Status::Ok();
}

// By id when `id_or_name` is a number and such an experiment exists, else by name.
core::Result<track::Experiment> FindExperiment(track::TrackingStore& store,
                                               std::string_view id_or_name) {
  if (core::ParseInt64(id_or_name)) {
    core::Result<track::Experiment> by_id = store.GetExperiment(id_or_name);
    if (by_id.ok() || !by_id.status().IsNotFound()) return by_id;
  }
  core::Result<track::Experiment> by_name = store.GetExperimentByName(id_or_name);
  if (by_name.ok() || !by_name.status().IsNotFound()) return by_name;
  return core::Status::NotFound(fmt::format("no experiment with id or name '{}'", id_or_name));
}

core::Status RunExperimentsGet(Context& ctx, const ExperimentOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenTracking(ctx, o));
  CAIRN_ASSIGN_OR_RETURN(track::Experiment e, FindExperiment(*store, o.name));
  if (o.json) {
    Print(ctx, JsonText(JsonWith("experiment", ExperimentJson(e))));
    return core::Status::Ok();
  }
  std::string text =
      FieldLines({{"experiment_id", e.experiment_id},
                  {"name", e.name},
                  {"artifact_location", e.artifact_location},
                  {"lifecycle_stage", std::string(track::LifecycleStageName(e.lifecycle_stage))},
                  {"creation_time", FormatMillis(e.creation_time)},
                  {"last_update_time", FormatMillis(e.last_update_time)}});
  if (!e.tags.empty()) text += "tags:\n" + JoinTags(e.tags, "  ");
  Print(ctx, text);
  return core::Status::Ok();
}

core::Status RunExperimentsDelete(Context& ctx, const ExperimentOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenTracking(ctx, o));
  CAIRN_RETURN_IF_ERROR(store->DeleteExperiment(o.name));
  Print(ctx, o.json ? JsonText(Value::Mapping()) : fmt::format("Deleted experiment {}\n", o.name));
  return core::Status::Ok();
}

// --- runs ---

struct RunsOptions : MlflowFlags {
  std::vector<std::string> experiment_ids;
  std::string run_id;
  std::string run_name;
  std::string status = "FINISHED";
  std::string filter;
  std::vector<std::string> order_by;
  int64_t max_results = 1000;
  std::string page_token;
  std::string view = "active_only";
};

// A table of runs: the run's attributes, then one column per metric and per param any run has.
std::string RunsTable(const std::vector<track::Run>& runs) {
  std::set<std::string> metric_keys;
  std::set<std::string> param_keys;
  for (const track::Run& run : runs) {
    for (const track::Metric& m : run.data.metrics) metric_keys.insert(m.key);
    for (const track::Param& p : run.data.params) param_keys.insert(p.key);
  }
  std::vector<std::string> headers = {"run_id", "run_name", "status", "start_time"};
  for (const std::string& k : metric_keys) headers.push_back("metrics." + k);
  for (const std::string& k : param_keys) headers.push_back("params." + k);
  std::vector<std::vector<std::string>> rows;
  for (const track::Run& run : runs) {
    std::vector<std::string> row = {run.info.run_id, run.info.run_name,
                                    std::string(track::RunStatusName(run.info.status)),
                                    FormatMillis(run.info.start_time)};
    std::map<std::string, std::string> values;
    for (const track::Metric& m : run.data.metrics) values["m" + m.key] = FormatMetric(m.value);
    for (const track::Param& p : run.data.params) values["p" + p.key] = p.value;
    for (const std::string& k : metric_keys) row.push_back(values["m" + k]);
    for (const std::string& k : param_keys) row.push_back(values["p" + k]);
    rows.push_back(std::move(row));
  }
  return Table(headers, rows);
}

Value RunsJson(const std::vector<track::Run>& runs, std::string_view next_page_token) {
  Value list = Value::Sequence();
  for (const track::Run& run : runs) list.Append(RunJson(run));
  Value out = Value::Mapping();
  if (!runs.empty()) out.Set("runs", std::move(list));
  if (!next_page_token.empty()) {
    out.Set("next_page_token", Value::String(std::string(next_page_token)));
  }
  return out;
}

core::Status RunRunsList(Context& ctx, const RunsOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(track::ViewType view, ParseView(o.view));
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenTracking(ctx, o));
  CAIRN_ASSIGN_OR_RETURN(std::vector<track::Run> runs,
                         AllPages<track::Run>([&](const std::string& token) {
                           track::SearchRunsRequest request;
                           request.experiment_ids = o.experiment_ids;
                           request.view = view;
                           request.page_token = token;
                           return store->SearchRuns(request);
                         }));
  Print(ctx, o.json ? JsonText(RunsJson(runs, "")) : RunsTable(runs));
  return core::Status::Ok();
}

core::Status RunRunsSearch(Context& ctx, const RunsOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(track::ViewType view, ParseView(o.view));
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenTracking(ctx, o));
  track::SearchRunsRequest request;
  request.experiment_ids = o.experiment_ids;
  request.filter = o.filter;
  request.order_by = o.order_by;
  request.max_results = o.max_results;
  request.page_token = o.page_token;
  request.view = view;
  CAIRN_ASSIGN_OR_RETURN(track::Page<track::Run> page, store->SearchRuns(request));
  if (o.json) {
    Print(ctx, JsonText(RunsJson(page.items, page.next_page_token)));
    return core::Status::Ok();
  }
  std::string text = RunsTable(page.items);
  if (!page.next_page_token.empty()) {
    text += fmt::format("(more runs: --page-token {})\n", page.next_page_token);
  }
  Print(ctx, text);
  return core::Status::Ok();
}

core::Status RunRunsCreate(Context& ctx, const RunsOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenTracking(ctx, o));
  track::CreateRunRequest request;
  request.experiment_id = o.experiment_ids.empty() ? "0" : o.experiment_ids.front();
  request.run_name = o.run_name;
  request.start_time = ctx.env.NowMicros() / 1000;
  if (std::optional<std::string> user = ctx.env.GetVar("USER")) {
    request.user_id = *user;
    request.tags.push_back({"mlflow.user", *user});
  }
  CAIRN_ASSIGN_OR_RETURN(track::Run run, store->CreateRun(request));
  Print(ctx,
        o.json ? JsonText(JsonWith("run", RunJson(run)))
               : fmt::format("Created run '{}' with id {}\n", run.info.run_name, run.info.run_id));
  return core::Status::Ok();
}

core::Status RunRunsEnd(Context& ctx, const RunsOptions& o) {
  core::Result<track::RunStatus> status = track::ParseRunStatus(core::ToUpper(o.status));
  if (!status.ok()) {
    return UsageError(fmt::format("--status: '{}' is not a run status", o.status),
                      "one of FINISHED, FAILED, KILLED, RUNNING, SCHEDULED");
  }
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenTracking(ctx, o));
  track::UpdateRunRequest request;
  request.run_id = o.run_id;
  request.status = *status;
  request.end_time = ctx.env.NowMicros() / 1000;
  CAIRN_ASSIGN_OR_RETURN(track::RunInfo info, store->UpdateRun(request));
  Print(ctx, o.json
                 ? JsonText(JsonWith("run_info", RunInfoJson(info)))
                 : fmt::format("Run {} is {}\n", info.run_id, track::RunStatusName(info.status)));
  return core::Status::Ok();
}

core::Status RunRunsGet(Context& ctx, const RunsOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenTracking(ctx, o));
  CAIRN_ASSIGN_OR_RETURN(track::Run run, store->GetRun(o.run_id));
  if (o.json) {
    Print(ctx, JsonText(JsonWith("run", RunJson(run))));
    return core::Status::Ok();
  }
  const track::RunInfo& i = run.info;
  std::string text =
      FieldLines({{"run_id", i.run_id},
                  {"run_name", i.run_name},
                  {"experiment_id", i.experiment_id},
                  {"user_id", i.user_id},
                  {"status", std::string(track::RunStatusName(i.status))},
                  {"lifecycle_stage", std::string(track::LifecycleStageName(i.lifecycle_stage))},
                  {"start_time", FormatMillis(i.start_time)},
                  {"end_time", i.end_time ? FormatMillis(*i.end_time) : ""},
                  {"artifact_uri", i.artifact_uri}});
  if (!run.data.metrics.empty()) {
    text += "metrics:\n";
    for (const track::Metric& m : run.data.metrics) {
      text += fmt::format("  {}: {} (step {})\n", m.key, FormatMetric(m.value), m.step);
    }
  }
  if (!run.data.params.empty()) {
    text += "params:\n";
    for (const track::Param& p : run.data.params) text += fmt::format("  {}: {}\n", p.key, p.value);
  }
  if (!run.data.tags.empty()) text += "tags:\n" + JoinTags(run.data.tags, "  ");
  Print(ctx, text);
  return core::Status::Ok();
}

// --- log-metric, log-param, set-tag ---

struct LogOptions : MlflowFlags {
  std::string run_id;
  std::string key;
  std::string value;
  int64_t step = 0;
  std::optional<int64_t> timestamp;
};

core::Result<double> ParseMetricValue(std::string_view text) {
  std::optional<double> value = core::ParseDouble(text);  // "nan", "NaN", "inf", "Infinity"...
  if (!value) return UsageError(fmt::format("VALUE: '{}' is not a number", text));
  return *value;
}

core::Status Logged(Context& ctx, const LogOptions& o) {
  if (o.json) Print(ctx, JsonText(Value::Mapping()));
  return core::Status::Ok();
}

core::Status RunLogMetric(Context& ctx, const LogOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(double value, ParseMetricValue(o.value));
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenTracking(ctx, o));
  track::Metric metric;
  metric.key = o.key;
  metric.value = value;
  metric.step = o.step;
  metric.timestamp = o.timestamp ? *o.timestamp : ctx.env.NowMicros() / 1000;
  CAIRN_RETURN_IF_ERROR(store->LogMetric(o.run_id, metric));
  return Logged(ctx, o);
}

core::Status RunLogParam(Context& ctx, const LogOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenTracking(ctx, o));
  CAIRN_RETURN_IF_ERROR(store->LogParam(o.run_id, {o.key, o.value}));
  return Logged(ctx, o);
}

core::Status RunSetTag(Context& ctx, const LogOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenTracking(ctx, o));
  CAIRN_RETURN_IF_ERROR(store->SetTag(o.run_id, {o.key, o.value}));
  return Logged(ctx, o);
}

void AddExperimentCommands(CLI::App& track, Context& ctx) {
  CLI::App* experiments = track.add_subcommand("experiments", "Create, list, show and delete");
  experiments->require_subcommand(1);
  auto sub = [&](const char* name, const char* help,
                 core::Status (*run)(Context&, const ExperimentOptions&)) {
    auto o = std::make_shared<ExperimentOptions>();
    CLI::App* cmd = experiments->add_subcommand(name, help);
    AddMlflowFlags(cmd, *o, false);
    cmd->callback([&ctx, o, run] { ctx.status = run(ctx, *o); });
    return std::make_pair(cmd, o);
  };
  {
    auto [cmd, o] = sub("create", "Create an experiment; prints its id", RunExperimentsCreate);
    cmd->add_option("name", o->name, "Its name")->required();
    cmd->add_option("--artifact-location", o->artifact_location,
                    "Where its runs' artifacts go (default: the store's root + /<id>)");
  }
  {
    auto [cmd, o] = sub("list", "List experiments", RunExperimentsList);
    cmd->add_option("--view", o->view, "active_only (default), deleted_only or all");
  }
  {
    auto [cmd, o] = sub("get", "Show an experiment", RunExperimentsGet);
    cmd->add_option("id_or_name", o->name, "Its id or name")->required();
  }
  {
    auto [cmd, o] =
        sub("delete", "Delete an experiment (and its runs; restorable)", RunExperimentsDelete);
    cmd->add_option("id", o->name, "Its id")->required();
  }
}

void AddRunCommands(CLI::App& track, Context& ctx) {
  CLI::App* runs = track.add_subcommand("runs", "Start, end, list, show and search runs");
  runs->require_subcommand(1);
  auto sub = [&](const char* name, const char* help,
                 core::Status (*run)(Context&, const RunsOptions&)) {
    auto o = std::make_shared<RunsOptions>();
    CLI::App* cmd = runs->add_subcommand(name, help);
    AddMlflowFlags(cmd, *o, false);
    cmd->callback([&ctx, o, run] { ctx.status = run(ctx, *o); });
    return std::make_pair(cmd, o);
  };
  {
    auto [cmd, o] = sub("list", "List every run of experiments", RunRunsList);
    cmd->add_option("--experiment-id", o->experiment_ids, "Experiment ids")->required();
    cmd->add_option("--view", o->view, "active_only (default), deleted_only or all");
  }
  {
    auto [cmd, o] = sub("create", "Start a run; prints its id", RunRunsCreate);
    cmd->add_option("--experiment-id", o->experiment_ids, "The experiment (default 0, Default)")
        ->expected(1);
    cmd->add_option("--run-name", o->run_name, "Its name (default: generated)");
  }
  {
    auto [cmd, o] = sub("end", "End a run: set its status and end time", RunRunsEnd);
    cmd->add_option("run_id", o->run_id, "The run's id")->required();
    cmd->add_option("--status", o->status, "FINISHED (default), FAILED or KILLED");
  }
  {
    auto [cmd, o] = sub("get", "Show a run: attributes, latest metrics, params, tags", RunRunsGet);
    cmd->add_option("run_id", o->run_id, "The run's id")->required();
  }
  {
    auto [cmd, o] = sub("search", "Search runs with MLflow's filter syntax", RunRunsSearch);
    cmd->add_option("--experiment-id", o->experiment_ids, "Experiment ids")->required();
    cmd->add_option("--filter", o->filter, "e.g. \"metrics.acc > 0.9 and params.lr = '0.1'\"");
    cmd->add_option("--order-by", o->order_by, "e.g. \"metrics.acc DESC\" (repeatable)");
    cmd->add_option("--max-results", o->max_results, "At most this many runs (default 1000)")
        ->check(CLI::Range(int64_t{1}, track::kMaxSearchResults));
    cmd->add_option("--page-token", o->page_token, "Continue a previous search");
    cmd->add_option("--view", o->view, "active_only (default), deleted_only or all");
  }
}

void AddLogCommands(CLI::App& track, Context& ctx) {
  struct Log {
    const char* name;
    const char* help;
    core::Status (*run)(Context&, const LogOptions&);
  };
  for (const Log& l : {Log{"log-metric", "Log a metric value to a run", RunLogMetric},
                       Log{"log-param", "Log a param to a run (params never change)", RunLogParam},
                       Log{"set-tag", "Set a tag of a run", RunSetTag}}) {
    auto o = std::make_shared<LogOptions>();
    CLI::App* cmd = track.add_subcommand(l.name, l.help);
    AddMlflowFlags(cmd, *o, false);
    cmd->add_option("run_id", o->run_id, "The run's id")->required();
    cmd->add_option("key", o->key, "The key")->required();
    cmd->add_option("value", o->value, "The value")->required();
    if (std::string_view(l.name) == "log-metric") {
      cmd->add_option("--step", o->step, "The step (default 0)");
      cmd->add_option("--timestamp", o->timestamp, "Milliseconds since the epoch (default: now)");
    }
    auto run = l.run;
    cmd->callback([&ctx, o, run] { ctx.status = run(ctx, *o); });
  }
}

}  // namespace

void RegisterTrackCommands(CLI::App& app, Context& ctx) {
  CLI::App* track = app.add_subcommand(
      "track", "MLflow tracking: experiments, runs, metrics, params, tags (`cairn track --help`)");
  track->require_subcommand(1);
  AddExperimentCommands(*track, ctx);
  AddRunCommands(*track, ctx);
  AddLogCommands(*track, ctx);
}

}  // namespace cairn::cli
