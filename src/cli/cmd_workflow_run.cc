// `cairn workflow run [FILE|NAME] <event options>`: runs a workflow on this machine as a GitHub
// hosted runner would (workflow/runner.h), with the repository's .cairn/ settings: secrets and
// vars, environment protection, the run recorded in .cairn/runs.db with its logs, a webhook
// notice when configured. Exit 0 only when the run succeeded.
//
// Ctrl-C (SIGINT) or SIGTERM cancels the run: running steps get SIGTERM then SIGKILL, steps
// and jobs with always() still run, and the run is recorded as cancelled.
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "cli/run_printer.h"
#include "cli/terminal.h"
#include "cli/workflow_commands.h"
#include "cli/workflow_event_options.h"
#include "cli/workflow_files.h"
#include "core/json.h"
#include "core/path.h"
#include "core/strings.h"
#include "net/net.h"
#include "sys/git.h"
#include "workflow/history.h"
#include "workflow/notify.h"
#include "workflow/parse.h"
#include "workflow/runner.h"
#include "workflow/settings.h"
#include "workflow/trigger_match.h"

extern char** environ;

namespace cairn::cli {
namespace {

struct RunCmdOptions {
  std::string target;  // a file, or a workflow's file name / `name:`
  workflow::EventOptions event;
  std::vector<std::string> secrets;
  std::vector<std::string> secret_files;
  std::vector<std::string> vars;
  std::vector<std::string> jobs;
  bool worktree = false;
  bool keep = false;
  bool force = false;
  bool all_matching = false;
  bool verbose = false;
  int parallel = 0;
};

// The event options as JSON, for `cairn run rerun`.
core::Value EventOptionsJson(const workflow::EventOptions& e) {
  core::Value v = core::Value::Mapping();
  auto str = [&v](const char* key, const std::string& s) {
    if (!s.empty()) v.Set(key, core::Value::String(s));
  };
  str("event", e.name);
  str("ref", e.ref);
  str("sha", e.sha);
  str("before", e.before);
  str("base", e.base);
  str("head", e.head);
  if (e.number != 0) v.Set("number", core::Value::Int(e.number));
  str("type", e.action);
  str("event_path", e.event_path);
  core::Value inputs = core::Value::Sequence();
  for (const std::string& i : e.inputs) inputs.Append(core::Value::String(i));
  if (!e.inputs.empty()) v.Set("inputs", std::move(inputs));
  if (e.changed_files_given) {
    core::Value files = core::Value::Sequence();
    for (const std::string& f : e.changed_files) files.Append(core::Value::String(f));
    v.Set("changed_files", std::move(files));
  }
  return v;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  // Variables of an outer run must not leak into this one (cairn run inside a step).
  for (auto it = env.begin(); it != env.end();) {
    bool runner_var = it->first.starts_with("GITHUB_") || it->first.starts_with("RUNNER_") ||
                      it->first.starts_with("INPUT_") || it->first.starts_with("STATE_");
    it = runner_var ? env.erase(it) : std::next(it);
  }
  return env;
}

// Takes SIGINT and SIGTERM on a thread of its own and turns them into a stop request. The
// signals are blocked in every thread started after construction (the runner's), so they
// reach only sigwait here. Restores the mask on destruction.
class StopOnSignal {
 public:
  StopOnSignal() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    sigaddset(&signals_, SIGUSR1);  // wakes the thread at the end
    pthread_sigmask(SIG_BLOCK, &signals_, &previous_);
    thread_ = std::thread([this] {
      int sig = 0;
      sigwait(&signals_, &sig);
      if (sig != SIGUSR1) source_.request_stop();
    });
  }
  ~StopOnSignal() {
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  std::stop_token token() const { return source_.get_token(); }
  bool stopped() const { return source_.stop_requested(); }

 private:
  sigset_t signals_;
  sigset_t previous_;
  std::stop_source source_;
  std::thread thread_;
};

// The workflow files the target names: a path, or a file of .github/workflows by its base
// name (with or without extension) or its `name:`.
core::Result<std::vector<std::string>> ResolveTargets(const RunCmdOptions& o,
                                                      const std::string& cwd) {
  if (!o.target.empty() && !o.all_matching) {
    std::string path = core::JoinPath(cwd, o.target);
    if (::access(path.c_str(), R_OK) == 0) return std::vector<std::string>{path};
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> all, WorkflowFiles({}, cwd));
  if (o.all_matching || o.target.empty()) {
    if (o.all_matching) return all;
    if (all.size() == 1) return all;
    return UsageError(
        fmt::format("{} workflows in .github/workflows: name the one to run", all.size()),
        "cairn workflow list shows them; --all-matching runs every one the "
        "event triggers");
  }
  for (const std::string& file : all) {
    std::string base(core::Basename(file));
    std::string stem = base.substr(0, base.rfind('.'));
    if (base == o.target || stem == o.target) return std::vector<std::string>{file};
  }
  std::vector<std::string> unreadable;
  for (const std::string& file : all) {
    auto wf = workflow::LoadWorkflowFile(file);
    if (!wf.ok()) unreadable.push_back(file);
    if (wf.ok() && wf->name && wf->name->value.text() == o.target) {
      return std::vector<std::string>{file};
    }
  }
  std::string also;
  if (!unreadable.empty()) {
    also = fmt::format(" (and {} could not be parsed: `cairn workflow check` says why)",
                       core::Join(unreadable, ", "));
  }
  return UsageError(fmt::format("no workflow file or name '{}'{}", o.target, also),
                    "cairn workflow list shows the workflows of this repository");
}

struct Prepared {
  workflow::CairnLayout layout;
  workflow::RunnerConfig config;
  std::unique_ptr<workflow::EnvironmentRules> environments;
  std::map<std::string, std::string> secrets;
  std::map<std::string, std::string> vars;
};

core::Result<Prepared> PrepareSettings(Context& ctx, const RunCmdOptions& o,
                                       const std::string& root) {
  Prepared p;
  auto found = workflow::FindCairnDir(ctx.cwd);
  bool has_cairn_dir = found.ok();
  p.layout = has_cairn_dir ? *found : workflow::LayoutAt(root);
  if (!has_cairn_dir) {
    fmt::print(ctx.err,
               "cairn: no .cairn/ in this repository: running with the default settings "
               "(`cairn init` adds config, environments and secrets files)\n");
  }
  CAIRN_ASSIGN_OR_RETURN(p.config, workflow::LoadRunnerConfig(ctx.env, p.layout));
  CAIRN_ASSIGN_OR_RETURN(p.environments, workflow::EnvironmentRules::Load(ctx.env, p.layout));
  CAIRN_ASSIGN_OR_RETURN(p.secrets,
                         workflow::LoadSecrets(ctx.env, &p.layout, o.secret_files, o.secrets));
  CAIRN_ASSIGN_OR_RETURN(p.vars, workflow::LoadVars(ctx.env, &p.layout, o.vars));
  return p;
}

// Runs one workflow file; its conclusion, or the reason it could not run.
core::Result<workflow::Conclusion> RunOne(Context& ctx, const RunCmdOptions& o,
                                          const std::string& file, const std::string& root,
                                          Prepared& settings, workflow::RunHistory& history,
                                          const StopOnSignal& stop, bool quiet_when_skipped) {
  workflow::ParseOptions parse;
  parse.repository_root = root;  // `uses: ./.github/workflows/x.yml` resolves from the root
  CAIRN_ASSIGN_OR_RETURN(workflow::Workflow wf, workflow::LoadWorkflowFile(file, parse));
  CAIRN_ASSIGN_OR_RETURN(workflow::Event event, workflow::BuildEvent(o.event, root));
  std::string shown = file.starts_with(root + "/") ? file.substr(root.size() + 1) : file;
  workflow::TriggerDecision decision = workflow::Match(wf.triggers, event);
  if (!decision.runs && !o.force) {
    if (quiet_when_skipped) {
      fmt::print(
          ctx.out, "{}: not triggered by this {} ({})\n", shown, event.name,
          decision.reasons.empty() ? std::string("no matching trigger") : decision.reasons.back());
      return workflow::Conclusion::kSkipped;
    }
    std::string why = core::Join(decision.reasons, "\n  ");
    return UsageError(fmt::format("{} does not run for this {} event:\n  {}", shown, event.name,
                                  why.empty() ? std::string("no trigger matches") : why),
                      "--force runs it anyway; `cairn workflow explain` shows the plan");
  }

  auto masker = std::make_shared<core::SecretMasker>();
  for (const auto& [name, value] : settings.secrets) masker->Add(value);

  workflow::RunRequest request;
  request.workflow_file = shown;
  request.workflow_name = wf.name ? wf.name->value.text() : "";
  request.event_name = event.name;
  request.ref = event.ref;
  request.sha = event.sha;
  const char* user = std::getenv("USER");
  request.actor = user != nullptr ? user : "cairn";
  request.event_options_json = core::ToJson(EventOptionsJson(o.event));
  request.only_jobs = o.jobs;
  request.worktree = o.worktree;
  CAIRN_ASSIGN_OR_RETURN(workflow::BegunRun begun, history.BeginRun(request));

  workflow::RunOptions options;
  options.run_id = std::to_string(begun.id);
  options.run_number = begun.run_number;
  const core::Value* repo = event.payload.Find("repository");
  const core::Value* full_name = repo ? repo->Find("full_name") : nullptr;
  options.repository_name = full_name && full_name->is_string() ? full_name->AsString() : "";
  options.actor = request.actor;
  options.dirs = workflow::MakeRunDirectories(settings.layout, settings.config);
  options.secrets = settings.secrets;
  options.vars = settings.vars;
  options.masker = masker;
  options.environments = settings.environments.get();
  options.only_jobs = o.jobs;
  options.parallelism = o.parallel > 0 ? o.parallel : settings.config.EffectiveParallelJobs();
  options.worktree = o.worktree;
  options.keep_workspaces = o.keep;
  options.default_job_timeout = settings.config.default_job_timeout;
  options.base_env = ProcessEnvironment();
  options.stop = stop.token();

  RunPrinter printer(ctx.out, UseColor(ctx.out, ctx.env), o.verbose);
  workflow::HistoryRecorder recorder(history, begun.id, masker);
  workflow::FanOutObserver observers;
  observers.Add(&printer);
  observers.Add(&recorder);
  std::unique_ptr<net::HttpClient> http;
  std::unique_ptr<workflow::NotifyObserver> notifier;
  if (settings.config.notification.enabled()) {
    auto url = workflow::WebhookUrl(settings.config.notification, settings.secrets);
    auto client = net::NewCurlHttpClient();
    if (url.ok() && client.ok()) {
      http = std::move(*client);
      notifier = std::make_unique<workflow::NotifyObserver>(
          *http, settings.config.notification, *url, options.run_id, masker,
          [&ctx](std::string_view warning) { fmt::print(ctx.err, "cairn: {}\n", warning); });
      observers.Add(notifier.get());
    } else {
      fmt::print(ctx.err, "cairn: notification not sent: {}\n",
                 masker->Mask(url.ok() ? client.status().message() : url.status().message()));
    }
  }

  core::Result<workflow::RunResult> result = workflow::RunWorkflow(wf, event, options, observers);
  if (!result.ok()) {
    std::string reason = masker->Mask(result.status().message());
    (void)history.FinishRun(begun.id, workflow::Conclusion::kFailure, reason);
    return core::Status(result.status().code(), reason);
  }
  if (!recorder.status().ok()) {
    fmt::print(ctx.err, "cairn: warning: the run history is incomplete: {}\n",
               recorder.status().message());
  }
  fmt::print(ctx.out, "run {} {}: cairn run view {}{}\n", begun.id,
             workflow::ConclusionName(result->conclusion), begun.id,
             result->conclusion == workflow::Conclusion::kSuccess ? "" : " --log");
  return result->conclusion;
}

core::Status RunWorkflowCommand(Context& ctx, const RunCmdOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<sys::GitRepo> git, sys::GitRepo::Open(ctx.cwd));
  std::string root = git->work_tree();
  if (root.empty()) return UsageError("cairn workflow run needs a git work tree, not a bare one");
  CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> files, ResolveTargets(o, ctx.cwd));
  CAIRN_ASSIGN_OR_RETURN(Prepared settings, PrepareSettings(ctx, o, root));
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<workflow::RunHistory> history,
                         workflow::RunHistory::Open(settings.layout.dir, ctx.env));

  StopOnSignal stop;
  bool failed = false;
  int ran = 0;
  for (const std::string& file : files) {
    if (stop.stopped()) break;
    CAIRN_ASSIGN_OR_RETURN(workflow::Conclusion c,
                           RunOne(ctx, o, file, root, settings, *history, stop, o.all_matching));
    if (c == workflow::Conclusion::kSkipped) continue;
    ++ran;
    failed = failed || c != workflow::Conclusion::kSuccess;
  }
  if (o.all_matching && ran == 0) fmt::print(ctx.out, "no workflow runs for this event\n");
  ctx.exit_code = failed ? 1 : 0;
  return core::Status::Ok();
}

struct RerunOptions {
  int64_t id = 0;
  bool failed = false;
};

// The event options a run was started with (EventOptionsJson's form).
workflow::EventOptions EventOptionsFromJson(const core::Value& v) {
  workflow::EventOptions e;
  auto str = [&v](const char* key, std::string* out) {
    const core::Value* f = v.Find(key);
    if (f != nullptr && f->is_string()) *out = f->AsString();
  };
  str("event", &e.name);
  str("ref", &e.ref);
  str("sha", &e.sha);
  str("before", &e.before);
  str("base", &e.base);
  str("head", &e.head);
  str("type", &e.action);
  str("event_path", &e.event_path);
  if (const core::Value* n = v.Find("number"); n != nullptr && n->AsInt64())
    e.number = *n->AsInt64();
  if (const core::Value* inputs = v.Find("inputs")) {
    for (const core::Value& i : inputs->items()) e.inputs.push_back(i.AsString());
  }
  if (const core::Value* files = v.Find("changed_files")) {
    e.changed_files_given = true;
    for (const core::Value& f : files->items()) e.changed_files.push_back(f.AsString());
  }
  return e;
}

// `cairn run rerun ID [--failed]`: the same workflow, event and options again (a push at the
// same commit); --failed runs only the jobs that failed (and what they need).
core::Status Rerun(Context& ctx, const RerunOptions& r) {
  CAIRN_ASSIGN_OR_RETURN(workflow::CairnLayout layout, workflow::FindCairnDir(ctx.cwd));
  workflow::RunRecord record;
  {
    CAIRN_ASSIGN_OR_RETURN(auto history, workflow::RunHistory::Open(layout.dir, ctx.env));
    CAIRN_ASSIGN_OR_RETURN(record, history->Get(r.id));
  }
  RunCmdOptions o;
  o.target = core::JoinPath(layout.root, record.request.workflow_file);
  CAIRN_ASSIGN_OR_RETURN(core::Value event,
                         core::ParseJson(record.request.event_options_json, "run's event"));
  o.event = EventOptionsFromJson(event);
  if (o.event.name == "push" && o.event.sha.empty()) o.event.sha = record.request.sha;
  if (o.event.name == "push" && o.event.ref.empty()) o.event.ref = record.request.ref;
  o.jobs = record.request.only_jobs;
  o.worktree = record.request.worktree;
  o.force = true;  // it ran before; the trigger is not asked again
  if (r.failed) {
    std::vector<std::string> failed;
    for (const workflow::JobRecord& job : record.jobs) {
      bool is_failed = job.conclusion == "failure" || job.conclusion == "cancelled";
      std::string id = job.job_id.substr(0, job.job_id.find(" / "));  // a called workflow's caller
      if (is_failed && std::find(failed.begin(), failed.end(), id) == failed.end()) {
        failed.push_back(id);
      }
    }
    if (failed.empty()) {
      fmt::print(ctx.out, "run {} has no failed job: nothing to run again\n", r.id);
      return core::Status::Ok();
    }
    o.jobs = failed;
  }
  fmt::print(ctx.out, "running run {} again ({}{})\n", r.id, record.request.workflow_file,
             o.jobs.empty() ? "" : ", jobs " + core::Join(o.jobs, ", "));
  return RunWorkflowCommand(ctx, o);
}

}  // namespace

void AddWorkflowRunCommand(CLI::App& workflow, Context& ctx) {
  auto o = std::make_shared<RunCmdOptions>();
  CLI::App* cmd = workflow.add_subcommand(
      "run", "Run a workflow here as GitHub's runner would (no Docker); exit 0 when it succeeded");
  cmd->add_option("workflow", o->target,
                  "A workflow file, or its name in .github/workflows (train, train.yml, or its "
                  "`name:`); default: the only one");
  AddEventOptions(*cmd, o->event);
  cmd->add_option("--secret", o->secrets,
                  "A secret NAME=value, or NAME to take it from the environment (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--secret-file", o->secret_files, "A dotenv file of secrets (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--var", o->vars, "A configuration variable NAME=value (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--job,-J", o->jobs, "Run only this job and what it needs (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("-j,--parallel", o->parallel,
                  "Jobs running at once (default: .cairn/config.yaml, else the cores)");
  cmd->add_flag("--worktree", o->worktree,
                "Run on the working tree as it is, uncommitted changes included");
  cmd->add_flag("--keep", o->keep, "Keep the job workspaces after the run");
  cmd->add_flag("--force", o->force, "Run even when the event does not trigger the workflow");
  cmd->add_flag("--all-matching", o->all_matching,
                "Run every workflow of .github/workflows that the event triggers");
  cmd->add_flag("-v,--verbose", o->verbose, "Show ::debug:: lines");
  cmd->callback([&ctx, o] { ctx.status = RunWorkflowCommand(ctx, *o); });
}

}  // namespace cairn::cli

namespace cairn::cli {

void AddRunRerunCommand(CLI::App& run, Context& ctx) {
  auto r = std::make_shared<RerunOptions>();
  CLI::App* cmd = run.add_subcommand("rerun", "Run a recorded run's workflow again, same event");
  cmd->add_option("id", r->id, "The run's id (`cairn run list`)")->required();
  cmd->add_flag("--failed", r->failed, "Only the jobs that failed or were cancelled");
  cmd->callback([&ctx, r] { ctx.status = Rerun(ctx, *r); });
}

}  // namespace cairn::cli
