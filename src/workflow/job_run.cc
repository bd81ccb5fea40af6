// job_run: RunJob: one job (one matrix leg) from its workspace to its outputs (see job_run.h).
#include "workflow/job_run.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/strings.h"
#include "sys/env.h"
#include "sys/temp_dir.h"
#include "workflow/job_state.h"

namespace cairn::workflow {
namespace job_internal {

void JobState::Line(int index, LineKind kind, std::string_view line) {
  observer.Line(ctx.ref, index, kind, masker->Mask(line));
}

std::string JobState::NextFile(std::string_view prefix, std::string_view ext) {
  return fmt::format("{}/{}_{}{}", runner_temp, prefix, ++file_counter, ext);
}

std::map<std::string, std::string> JobState::EnvLayers(
    const std::map<std::string, std::string>& step_env) const {
  std::map<std::string, std::string> env = workflow_env;
  for (const auto& layer : {&job_env, &exported, &step_env}) {
    for (const auto& [k, v] : *layer) env[k] = v;
  }
  return env;
}

}  // namespace job_internal

namespace {

using core::Status;
using expr::Value;
using job_internal::JobState;
using job_internal::StepsScope;

std::string RunnerArch() {
  utsname u{};
  if (uname(&u) != 0) return "X64";
  std::string_view machine = u.machine;
  if (machine == "x86_64" || machine == "amd64") return "X64";
  if (machine == "aarch64" || machine == "arm64") return "ARM64";
  if (machine.starts_with("arm")) return "ARM";
  if (machine.starts_with("i") && machine.ends_with("86")) return "X86";
  return std::string(machine);
}

core::Result<std::map<std::string, std::string>> EvalEnv(const TemplateMap& env,
                                                         const expr::EvalOptions& eval) {
  std::map<std::string, std::string> out;
  for (const NamedTemplate& e : env) {
    core::Result<std::string> v = e.value.value.EvaluateString(eval);
    if (!v.ok()) {
      return Status::InvalidArgument(
          fmt::format("{}: env.{}: {}", e.value.location.ToString(), e.name, v.status().message()));
    }
    out[e.name] = *v;
  }
  return out;
}

void SetDefaults(JobState& job) {
  const JobContext& ctx = job.ctx;
  const RunOptions& options = *ctx.options;
  const Value* github = ctx.contexts.Find("github");
  auto gh = [&](std::string_view key) -> std::string {
    const Value* v = github != nullptr ? github->Get(key) : nullptr;
    return v != nullptr && !v->is_null() ? v->ToString() : "";
  };
  auto or_else = [](std::string a, std::string b) { return a.empty() ? b : a; };
  const Event& event = *ctx.event;
  job.base_env = options.base_env;
  job.base_env["CI"] = "true";
  job.base_env["CAIRN"] = "true";
  std::string repository = or_else(options.repository_name, gh("repository"));
  std::string arch = RunnerArch();
  std::map<std::string, std::string>& e = job.github_env;
  e["GITHUB_ACTIONS"] = "true";
  e["GITHUB_WORKSPACE"] = job.workspace;
  e["GITHUB_SHA"] = or_else(event.sha, gh("sha"));
  e["GITHUB_REF"] = or_else(event.ref, gh("ref"));
  e["GITHUB_REF_NAME"] = or_else(gh("ref_name"), event.RefName());
  e["GITHUB_REF_TYPE"] = or_else(gh("ref_type"), event.IsTag() ? "tag" : "branch");
  e["GITHUB_REF_PROTECTED"] = "false";
  e["GITHUB_BASE_REF"] = event.base_ref;
  e["GITHUB_HEAD_REF"] = event.head_ref;
  e["GITHUB_EVENT_NAME"] = event.name;
  e["GITHUB_EVENT_PATH"] = ctx.event_path;
  e["GITHUB_REPOSITORY"] = repository;
  e["GITHUB_REPOSITORY_OWNER"] =
      or_else(gh("repository_owner"), repository.substr(0, repository.find('/')));
  e["GITHUB_RUN_ID"] = options.run_id;
  e["GITHUB_RUN_NUMBER"] = std::to_string(options.run_number);
  e["GITHUB_RUN_ATTEMPT"] = std::to_string(options.run_attempt);
  e["GITHUB_ACTOR"] = or_else(options.actor, or_else(gh("actor"), "cairn"));
  e["GITHUB_TRIGGERING_ACTOR"] = e["GITHUB_ACTOR"];
  e["GITHUB_JOB"] = ctx.job->id;
  e["GITHUB_WORKFLOW"] = or_else(gh("workflow"), ctx.workflow->file);
  e["GITHUB_SERVER_URL"] = or_else(gh("server_url"), "https://github.com");
  e["GITHUB_API_URL"] = or_else(gh("api_url"), "https://api.github.com");
  e["GITHUB_GRAPHQL_URL"] = or_else(gh("graphql_url"), "https://api.github.com/graphql");
  e["RUNNER_OS"] = "Linux";
  e["RUNNER_ARCH"] = arch;
  e["RUNNER_NAME"] = "cairn";
  e["RUNNER_ENVIRONMENT"] = "self-hosted";
  e["RUNNER_TEMP"] = job.runner_temp;
  e["RUNNER_TOOL_CACHE"] = options.dirs.tool_cache;
  job.runner_context = Value::Object({{"name", Value::String("cairn")},
                                      {"os", Value::String("Linux")},
                                      {"arch", Value::String(arch)},
                                      {"temp", Value::String(job.runner_temp)},
                                      {"tool_cache", Value::String(options.dirs.tool_cache)},
                                      {"debug", Value::String("")},
                                      {"environment", Value::String("self-hosted")}});
}

const expr::Allowed& PostIfAllowed() {
  static const expr::Allowed kAllowed{.contexts = {"github", "inputs", "vars", "needs", "strategy",
                                                   "matrix", "steps", "job", "runner", "env"},
                                      .functions = {{"always", 0, 0},
                                                    {"failure", 0, 0},
                                                    {"cancelled", 0, 0},
                                                    {"success", 0, 0},
                                                    {"hashFiles", 1, 255}}};
  return kAllowed;
}

StepResult RunPost(JobState& job, StepsScope& scope, job_internal::PendingPost& post) {
  auto start = std::chrono::steady_clock::now();
  StepResult result;
  result.id = post.step_id;
  result.display_name = job.masker->Mask(post.display_name);
  int index = job.next_index++;
  job.observer.StepStarted(job.ctx.ref, index, result.display_name);
  expr::Runtime runtime = job_internal::StepRuntime(job, scope);
  expr::Contexts contexts = job_internal::StepContexts(job, scope, post.step_env, post.step_id);
  expr::EvalOptions eval{.contexts = &contexts, .runtime = &runtime};
  core::Result<expr::Condition> condition = expr::Condition::Parse(post.post_if, PostIfAllowed());
  core::Result<bool> holds =
      condition.ok() ? condition->Evaluate(eval) : core::Result<bool>(condition.status());
  if (!holds.ok()) {
    result.outcome = Conclusion::kFailure;
    result.reason = job.masker->Mask("post-if: " + holds.status().message());
    job.Line(index, LineKind::kAnnotation, "Error: " + result.reason);
  } else if (!*holds) {
    result.outcome = Conclusion::kSkipped;
    result.reason = "condition false: " + condition->text();
  } else {
    auto timeout = std::chrono::milliseconds(
        job.cancelled() ? static_cast<int64_t>(job.cancel_timeout_minutes * 60000.0) : 0);
    job_internal::StepRunner host(job, index, post.step_id, post.step_env, timeout,
                                  !job.cancelled());
    for (const auto& [k, v] : post.state) host.AddProcessEnv("STATE_" + k, v);
    core::Result<Conclusion> c = post.action->Post(host, post.inputs);
    if (!c.ok()) {
      host.set_reason(c.status().message());
      job.Line(index, LineKind::kAnnotation, "Error: " + c.status().message());
    } else if (*c == Conclusion::kFailure) {
      host.set_reason("the action's post step failed");
    }
    result.outcome = c.ok() ? *c : Conclusion::kFailure;
    result.reason = job.masker->Mask(host.reason());
  }
  result.conclusion = result.outcome;
  if (result.conclusion == Conclusion::kFailure) {
    scope.failed = true;
    if (job.first_failure.empty()) {
      job.first_failure = fmt::format("step '{}' failed: {}", result.display_name, result.reason);
    }
  }
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  job.observer.StepFinished(job.ctx.ref, index, result);
  return result;
}

std::map<std::string, std::string> JobOutputs(JobState& job, const StepsScope& scope) {
  std::map<std::string, std::string> outputs;
  expr::Runtime runtime = job_internal::StepRuntime(job, scope);
  expr::Contexts contexts = job_internal::StepContexts(job, scope, job.EnvLayers({}), "");
  expr::EvalOptions eval{.contexts = &contexts, .runtime = &runtime};
  for (const NamedTemplate& o : job.ctx.job->outputs) {
    core::Result<std::string> v = o.value.value.EvaluateString(eval);
    if (!v.ok()) {
      job.Line(-1, LineKind::kAnnotation,
               fmt::format("Warning: {}: output '{}': {}", o.value.location.ToString(), o.name,
                           v.status().message()));
      continue;
    }
    if (job.masker->Mask(*v) != *v) {
      job.Line(-1, LineKind::kAnnotation,
               fmt::format("Warning: Skip output '{}' since it may contain secret.", o.name));
      continue;
    }
    outputs[o.name] = *v;
  }
  return outputs;
}

}  // namespace

core::Result<JobResult> RunJobWith(const JobContext& ctx, RunObserver& observer,
                                   const ActionResolver& resolve) {
  if (ctx.workflow == nullptr || ctx.job == nullptr || ctx.event == nullptr ||
      ctx.options == nullptr) {
    return Status::InvalidArgument(
        "RunJob: the JobContext lacks its workflow, job, event or "
        "options");
  }
  auto start = std::chrono::steady_clock::now();
  const RunOptions& options = *ctx.options;
  JobState job(ctx, observer, resolve);
  job.masker = options.masker ? options.masker : std::make_shared<core::SecretMasker>();
  for (const auto& [name, value] : ctx.secrets) job.masker->Add(value);  // idempotent

  std::string temp_root = options.dirs.temp_root.empty() ? "/tmp" : options.dirs.temp_root;
  CAIRN_RETURN_IF_ERROR(sys::NewPosixEnv()->CreateDirs(temp_root));
  CAIRN_ASSIGN_OR_RETURN(sys::TempDir dir,
                         sys::TempDir::Create(fmt::format("{}-", ctx.job->id), temp_root));
  if (options.keep_workspaces) dir.Keep();
  job.workspace = dir.Path("work");
  job.runner_temp = dir.Path("temp");
  CAIRN_RETURN_IF_ERROR(sys::NewPosixEnv()->CreateDirs(job.workspace));
  CAIRN_RETURN_IF_ERROR(sys::NewPosixEnv()->CreateDirs(job.runner_temp));
  SetDefaults(job);
  job.contexts = ctx.contexts;
  job.contexts.Set("github",
                   job_internal::WithMembers(ctx.contexts.Find("github"),
                                             {{"workspace", Value::String(job.workspace)},
                                              {"event_path", Value::String(ctx.event_path)}}));

  JobResult result;
  result.job_id = ctx.job->id;
  result.display_name = ctx.ref.display_name;
  observer.JobStarted(ctx.ref);

  expr::EvalOptions job_eval{.contexts = &job.contexts};
  std::string setup_error;
  double minutes = static_cast<double>(options.default_job_timeout.count());
  if (ctx.job->timeout_minutes) {
    if (ctx.job->timeout_minutes->is_literal()) {
      minutes = ctx.job->timeout_minutes->literal();
    } else if (core::Result<Value> v = ctx.job->timeout_minutes->expression().Evaluate(job_eval);
               v.ok()) {
      minutes = v->ToNumber();
    } else {
      setup_error =
          fmt::format("{}: timeout-minutes: {}", ctx.job->timeout_minutes->location.ToString(),
                      v.status().message());
    }
  }
  if (!(minutes > 0)) minutes = static_cast<double>(options.default_job_timeout.count());
  job.job_timeout_minutes = minutes;
  if (ctx.job->cancel_timeout_minutes) {
    if (ctx.job->cancel_timeout_minutes->is_literal()) {
      job.cancel_timeout_minutes = ctx.job->cancel_timeout_minutes->literal();
    } else if (core::Result<Value> v =
                   ctx.job->cancel_timeout_minutes->expression().Evaluate(job_eval);
               v.ok() && v->ToNumber() > 0) {
      job.cancel_timeout_minutes = v->ToNumber();
    }
  }
  std::stop_callback on_run_stop(ctx.stop, [&job] { job.stop.request_stop(); });
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double, std::milli>(minutes * 60000.0));
  std::jthread watcher([&job, deadline](std::stop_token st) {
    std::mutex mu;
    std::condition_variable_any cv;
    std::unique_lock lock(mu);
    cv.wait_until(lock, st, deadline, [] { return false; });
    if (!st.stop_requested()) {
      job.timed_out = true;
      job.stop.request_stop();
    }
  });

  if (setup_error.empty()) {
    core::Result<std::map<std::string, std::string>> wf_env = EvalEnv(ctx.workflow->env, job_eval);
    core::Result<std::map<std::string, std::string>> job_env = EvalEnv(ctx.job->env, job_eval);
    if (!wf_env.ok() || !job_env.ok()) {
      setup_error = (!wf_env.ok() ? wf_env : job_env).status().message();
    } else {
      job.workflow_env = *wf_env;
      job.job_env = *job_env;
    }
  }

  StepsScope scope;
  if (setup_error.empty()) {
    job_internal::RunStepList(job, scope, ctx.job->steps, -1, &result.steps);
    for (auto it = job.posts.rbegin(); it != job.posts.rend(); ++it) {
      result.steps.push_back(RunPost(job, scope, *it));
    }
  } else {
    job.Line(-1, LineKind::kAnnotation, "Error: " + setup_error);
  }

  result.outputs = JobOutputs(job, scope);
  if (!job.leftovers.empty()) {
    job.leftovers.clear();  // ends whatever steps left running in the background
  }
  watcher.request_stop();
  if (!setup_error.empty()) {
    result.conclusion = Conclusion::kFailure;
    result.reason = job.masker->Mask(setup_error);
  } else if (job.timed_out) {
    std::string why = fmt::format("the job exceeded its maximum execution time of {} min",
                                  core::FormatDouble(minutes));
    job.Line(-1, LineKind::kAnnotation, "Error: " + why);
    result.conclusion = Conclusion::kFailure;
    result.reason = why;
  } else if (ctx.stop.stop_requested()) {
    result.conclusion = Conclusion::kCancelled;
    result.reason = "cancelled";
  } else if (scope.failed) {
    result.conclusion = Conclusion::kFailure;
    result.reason = job.masker->Mask(job.first_failure);
  }
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  observer.JobFinished(ctx.ref, result, job.masker->Mask(job.summary));
  return result;
}

}  // namespace cairn::workflow
