// run: RunWorkflow, the run as a whole: the run's secrets (masked), its event file, the github
// context it shares with every job, workflow-level concurrency, the top-level WorkflowRun and
// the RunResult. Also ConclusionName and FanOutObserver. See run_internal.h for the pieces.
//
// Thread-safe: RunWorkflow may be called from several threads (each run has its own state);
// FanOutObserver forwards to observers that must be thread-safe themselves.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/strings.h"
#include "sys/env.h"
#include "sys/temp_dir.h"
#include "workflow/github_context.h"
#include "workflow/run_internal.h"

namespace cairn::workflow {

void FanOutObserver::RunStarted(const Workflow& w, const Event& e) {
  for (RunObserver* o : observers_) o->RunStarted(w, e);
}
void FanOutObserver::JobStarted(const JobRef& job) {
  for (RunObserver* o : observers_) o->JobStarted(job);
}
void FanOutObserver::StepStarted(const JobRef& job, int index, std::string_view name) {
  for (RunObserver* o : observers_) o->StepStarted(job, index, name);
}
void FanOutObserver::Line(const JobRef& job, int step, LineKind kind, std::string_view line) {
  for (RunObserver* o : observers_) o->Line(job, step, kind, line);
}
void FanOutObserver::StepFinished(const JobRef& job, int index, const StepResult& result) {
  for (RunObserver* o : observers_) o->StepFinished(job, index, result);
}
void FanOutObserver::JobFinished(const JobRef& job, const JobResult& result,
                                 std::string_view summary) {
  for (RunObserver* o : observers_) o->JobFinished(job, result, summary);
}
void FanOutObserver::RunFinished(const RunResult& result) {
  for (RunObserver* o : observers_) o->RunFinished(result);
}

namespace internal {

void RunShared::Finished(const JobResult& result) {
  std::lock_guard lock(mu_);
  finished_.push_back(result);
}

void RunShared::NeverStarted(const JobRef& ref, JobResult result) {
  result.job_id = ref.job_id;
  result.display_name = ref.display_name;
  result.reason = options->masker->Mask(result.reason);
  observer->JobFinished(ref, result, "");
  Finished(result);
}

void RunShared::Note(const JobRef& ref, std::string_view line) {
  observer->Line(ref, -1, LineKind::kCommand, options->masker->Mask(line));
}

std::vector<JobResult> RunShared::TakeFinished() {
  std::lock_guard lock(mu_);
  return std::move(finished_);
}

namespace {

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

core::Result<RunResult> RunWorkflowWith(const Workflow& workflow, const Event& event,
                                        const RunOptions& given, RunObserver& observer,
                                        JobRunner runner) {
  const int64_t start = NowMillis();
  RunOptions options = given;
  if (!options.masker) options.masker = std::make_shared<core::SecretMasker>();

  RunShared shared;
  shared.event = &event;
  shared.options = &options;
  shared.observer = &observer;
  shared.runner = std::move(runner);
  shared.slots = std::make_unique<Slots>(options.parallelism);
  shared.groups = std::make_unique<ConcurrencyGroups>(options.dirs.temp_root);
  std::stop_callback on_stop(options.stop, [&shared] { shared.run_stop.request_stop(); });

  shared.secrets = options.secrets;
  shared.secrets.try_emplace("GITHUB_TOKEN", "");
  for (const auto& [name, value] : shared.secrets) options.masker->Add(value);

  // The event file, once per run.
  std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
  if (!options.dirs.temp_root.empty()) {
    CAIRN_RETURN_IF_ERROR(env->CreateDirs(options.dirs.temp_root));
  }
  CAIRN_ASSIGN_OR_RETURN(sys::TempDir run_dir, sys::TempDir::Create("run-" + options.run_id + "-",
                                                                    options.dirs.temp_root));
  if (options.keep_workspaces) run_dir.Keep();
  shared.event_path = run_dir.Path("event.json");
  core::Value payload = event.payload.is_mapping() ? event.payload : core::Value::Mapping();
  CAIRN_RETURN_IF_ERROR(env->WriteFile(shared.event_path, core::ToJson(payload)));

  // The github context every job starts from.
  GithubContextOptions gh;
  gh.repository = options.repository_name;
  gh.actor = options.actor;
  if (workflow.name && workflow.name->value.is_literal()) {
    gh.workflow = workflow.name->value.text();
  } else {
    gh.workflow = workflow.file;
  }
  auto token = shared.secrets.find("GITHUB_TOKEN");
  shared.github =
      WithMembers(GithubContext(event, gh),
                  {{"run_id", expr::Value::String(options.run_id)},
                   {"run_number", expr::Value::String(std::to_string(options.run_number))},
                   {"run_attempt", expr::Value::String(std::to_string(options.run_attempt))},
                   {"event_path", expr::Value::String(shared.event_path)},
                   {"action", expr::Value::String("")},
                   {"token", expr::Value::String(token->second)},
                   {"retention_days", expr::Value::String("90")}});

  std::vector<std::pair<std::string, expr::Value>> vars;
  for (const auto& [k, v] : options.vars) vars.emplace_back(k, expr::Value::String(v));
  shared.vars = expr::Value::Object(std::move(vars));

  core::Result<expr::Contexts> event_contexts = EventContexts(workflow.triggers, event, gh);
  if (!event_contexts.ok()) return event_contexts.status();
  expr::Value inputs = expr::Value::Object({});
  if (const expr::Value* given = event_contexts->Find("inputs")) inputs = *given;

  // What can be refused before the run starts: --job names, the workflow's concurrency keys.
  for (const std::string& id : options.only_jobs) {
    if (workflow.FindJob(id) == nullptr) {
      std::vector<std::string> ids;
      for (const Job& job : workflow.jobs) ids.push_back(job.id);
      return core::Status::InvalidArgument("--job '" + id + "': " + workflow.file +
                                           " has no such job; expected one of " +
                                           core::Join(ids, ", "));
    }
  }
  std::optional<std::string> run_group_name;
  bool run_group_cancels = false;
  if (workflow.concurrency) {
    expr::Contexts contexts;
    contexts.Set("github", shared.github);
    contexts.Set("inputs", inputs);
    contexts.Set("vars", shared.vars);
    CAIRN_ASSIGN_OR_RETURN(expr::Value group, EvalTemplate(workflow.concurrency->group, contexts));
    CAIRN_ASSIGN_OR_RETURN(run_group_cancels,
                           EvalBool(workflow.concurrency->cancel_in_progress, false, contexts));
    run_group_name = group.ToString();
  }

  observer.RunStarted(workflow, event);
  RunResult result;

  // Workflow-level concurrency: the whole run waits for (or cancels) the group's holder.
  std::optional<ConcurrencyGroups::Hold> run_group;
  bool run_refused = false;
  if (run_group_name) {
    core::Result<ConcurrencyGroups::Hold> hold = shared.groups->Enter(
        *run_group_name, run_group_cancels, shared.run_stop, shared.run_stop.get_token());
    if (hold.ok()) {
      run_group.emplace(std::move(*hold));
    } else if (hold.status().code() == core::Code::kCancelled) {
      run_refused = true;
      shared.run_stop.request_stop();
    } else {
      return hold.status();
    }
  }

  std::map<std::string, JobOutcome> outcomes;
  if (!run_refused) {
    WorkflowRun run(shared, workflow, "", 0, inputs, shared.secrets);
    CAIRN_RETURN_IF_ERROR(run.Run(options.only_jobs));
    outcomes = run.Outcomes();
  }
  run_group.reset();

  result.jobs = shared.TakeFinished();
  bool failed = false;
  for (const auto& [id, outcome] : outcomes) {
    if (outcome.conclusion == Conclusion::kFailure) failed = true;
  }
  if (shared.cancelled()) {
    result.conclusion = Conclusion::kCancelled;
  } else if (failed) {
    result.conclusion = Conclusion::kFailure;
  } else {
    result.conclusion = Conclusion::kSuccess;
  }
  result.duration = std::chrono::milliseconds(NowMillis() - start);
  observer.RunFinished(result);
  return result;
}

}  // namespace internal

}  // namespace cairn::workflow
