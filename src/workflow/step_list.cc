// step_list: a list of steps in one scope (the job's, or a composite action's): each step's
// contexts and status functions, env layering, `if:`, continue-on-error, timeout-minutes,
// `run:` and `uses:`, and the `steps` context it leaves behind.
#include <fmt/format.h>

#include <chrono>

#include "core/path.h"
#include "core/strings.h"
#include "workflow/hash_files.h"
#include "workflow/job_state.h"

namespace cairn::workflow::job_internal {
namespace {

using core::Status;
using expr::Value;

Value StringMap(const std::map<std::string, std::string>& map) {
  std::vector<std::pair<std::string, Value>> members;
  members.reserve(map.size());
  for (const auto& [k, v] : map) members.emplace_back(k, Value::String(v));
  return Value::Object(std::move(members));
}

std::string Location(const core::Location& location) { return location.ToString(); }

std::string FirstLine(std::string_view text) {
  std::vector<std::string_view> lines = core::SplitLines(text);
  return lines.empty() ? "" : std::string(core::TrimRight(lines[0]));
}

// The `env` context: the env layers, plus CAIRN=true (as act adds ACT) so `if: env.CAIRN`
// can tell a local run; on GitHub it reads null.
Value EnvContext(const std::map<std::string, std::string>& env) {
  if (env.contains("CAIRN")) return StringMap(env);
  std::map<std::string, std::string> with = env;
  with["CAIRN"] = "true";
  return StringMap(with);
}

}  // namespace

Value WithMembers(const Value* object, std::vector<std::pair<std::string, Value>> overrides) {
  std::vector<std::pair<std::string, Value>> members;
  if (object != nullptr && object->kind() == expr::Kind::kObject) members = object->AsObject();
  for (auto& o : overrides) members.push_back(std::move(o));
  return Value::Object(std::move(members));  // a later duplicate replaces in place
}

Value StepsScope::ToValue() const {
  std::vector<std::pair<std::string, Value>> members(entries.begin(), entries.end());
  return Value::Object(std::move(members));
}

void StepsScope::Record(const std::string& id, const StepResult& result) {
  entries.emplace_back(
      id, Value::Object(
              {{"outputs", StringMap(result.outputs)},
               {"outcome", Value::String(std::string(ConclusionName(result.outcome)))},
               {"conclusion", Value::String(std::string(ConclusionName(result.conclusion)))}}));
}

expr::Contexts StepContexts(JobState& job, const StepsScope& scope,
                            const std::map<std::string, std::string>& env,
                            std::string_view step_id) {
  expr::Contexts contexts = job.contexts;
  contexts.Set("github", WithMembers(job.contexts.Find("github"),
                                     {{"action", Value::String(std::string(step_id))}}));
  contexts.Set("env", EnvContext(env));
  contexts.Set("steps", scope.ToValue());
  std::string status = job.cancelled() ? "cancelled" : scope.failed ? "failure" : "success";
  contexts.Set("job", Value::Object({{"status", Value::String(status)},
                                     {"container", Value::Object({})},
                                     {"services", Value::Object({})}}));
  contexts.Set("runner", job.runner_context);
  if (scope.inputs) contexts.Set("inputs", *scope.inputs);
  if (!scope.action_path.empty()) {
    contexts.Set("github", WithMembers(contexts.Find("github"),
                                       {{"action_path", Value::String(scope.action_path)}}));
  }
  return contexts;
}

expr::Runtime StepRuntime(JobState& job, const StepsScope& scope) {
  expr::Runtime runtime;
  runtime.status = [&job, &scope](std::string_view function,
                                  std::span<const Value>) -> core::Result<bool> {
    if (core::EqualsIgnoreCase(function, "always")) return true;
    if (core::EqualsIgnoreCase(function, "cancelled")) return job.cancelled();
    if (core::EqualsIgnoreCase(function, "failure")) return scope.failed && !job.cancelled();
    return !scope.failed && !job.cancelled();  // success()
  };
  runtime.hash_files = [&job](std::span<const std::string> patterns) {
    return HashFiles(job.workspace, patterns);
  };
  return runtime;
}

namespace {

// Evaluates an optional template of the step, else the job's defaults, else the workflow's.
core::Result<std::string> StepOrDefault(const std::optional<TemplateValue>& step_value,
                                        const std::optional<TemplateValue>& job_default,
                                        const std::optional<TemplateValue>& workflow_default,
                                        const expr::EvalOptions& eval) {
  for (const std::optional<TemplateValue>* v : {&step_value, &job_default, &workflow_default}) {
    if (*v) {
      core::Result<std::string> s = (*v)->value.EvaluateString(eval);
      if (!s.ok()) {
        return Status::InvalidArgument(
            fmt::format("{}: {}", Location((*v)->location), s.status().message()));
      }
      return s;
    }
  }
  return std::string();
}

template <typename T>
core::Result<std::optional<T>> EvalLiteralOr(const std::optional<LiteralOr<T>>& key,
                                             const expr::EvalOptions& eval) {
  if (!key) return std::optional<T>();
  if (key->is_literal()) return std::optional<T>(key->literal());
  core::Result<Value> v = key->expression().Evaluate(eval);
  if (!v.ok()) {
    return Status::InvalidArgument(
        fmt::format("{}: {}", Location(key->location), v.status().message()));
  }
  if constexpr (std::is_same_v<T, bool>) {
    return std::optional<T>(v->Truthy());
  } else {
    return std::optional<T>(v->ToNumber());
  }
}

// Runs one step whose condition held; returns its outcome.
Conclusion RunStepBody(JobState& job, StepsScope& scope, const Step& step, StepRunner& host,
                       const expr::EvalOptions& eval, const std::string& display,
                       const std::map<std::string, std::string>& layers) {
  if (step.run) {
    core::Result<std::string> script = step.run->value.EvaluateString(eval);
    if (!script.ok()) {
      host.set_reason(
          fmt::format("{}: {}", Location(step.run->location), script.status().message()));
      host.Log(LineKind::kAnnotation, "Error: " + host.reason());
      return Conclusion::kFailure;
    }
    const Workflow& workflow = *job.ctx.workflow;
    const Job& j = *job.ctx.job;
    bool in_composite = scope.nested;
    core::Result<std::string> shell =
        StepOrDefault(step.shell, in_composite ? std::nullopt : j.defaults.shell,
                      in_composite ? std::nullopt : workflow.defaults.shell, eval);
    core::Result<std::string> dir = StepOrDefault(
        step.working_directory, in_composite ? std::nullopt : j.defaults.working_directory,
        in_composite ? std::nullopt : workflow.defaults.working_directory, eval);
    if (!shell.ok() || !dir.ok()) {
      host.set_reason(!shell.ok() ? shell.status().message() : dir.status().message());
      host.Log(LineKind::kAnnotation, "Error: " + host.reason());
      return Conclusion::kFailure;
    }
    std::string cwd = dir->empty()            ? job.workspace
                      : dir->starts_with('/') ? *dir
                                              : job.workspace + "/" + *dir;
    core::Result<Conclusion> c = host.RunScript(*script, *shell, cwd);
    if (!c.ok()) {
      host.set_reason(c.status().message());
      return Conclusion::kFailure;
    }
    return *c;
  }
  // uses:
  const UsesRef& uses = *step.uses;
  host.Log(LineKind::kCommand, "Run " + uses.text);
  std::map<std::string, std::string> inputs;
  for (const NamedTemplate& w : step.with) {
    core::Result<std::string> v = w.value.value.EvaluateString(eval);
    if (!v.ok()) {
      host.set_reason(fmt::format("{}: {}", Location(w.value.location), v.status().message()));
      host.Log(LineKind::kAnnotation, "Error: " + host.reason());
      return Conclusion::kFailure;
    }
    inputs[w.name] = *v;
  }
  if (!inputs.empty()) {
    host.Log(LineKind::kCommand, "  with:");
    // A multi-line value (a `path: |` block) as one line per line, each under the key.
    for (const auto& [k, v] : inputs) {
      std::vector<std::string_view> lines = core::SplitLines(core::TrimRight(v));
      if (lines.size() <= 1) {
        host.Log(LineKind::kCommand, fmt::format("    {}: {}", k, v));
        continue;
      }
      host.Log(LineKind::kCommand, fmt::format("    {}: |", k));
      for (std::string_view line : lines)
        host.Log(LineKind::kCommand, fmt::format("      {}", line));
    }
  }
  core::Result<std::unique_ptr<Action>> action = job.resolve(uses, job.workspace);
  if (!action.ok()) {
    host.set_reason(action.status().message());
    host.Log(LineKind::kAnnotation, "Error: " + host.reason());
    return Conclusion::kFailure;
  }
  host.AddProcessEnv("GITHUB_ACTION_REPOSITORY",
                     uses.kind == UsesRef::Kind::kRepository ? uses.owner + "/" + uses.repo : "");
  if (uses.kind == UsesRef::Kind::kLocal) {
    host.set_action_path(core::NormalizePath(core::JoinPath(job.workspace, uses.path)));
  }
  core::Result<Conclusion> c = (*action)->Main(host, inputs);
  Conclusion outcome = Conclusion::kFailure;
  if (!c.ok()) {
    host.set_reason(c.status().message());
    host.Log(LineKind::kAnnotation, "Error: " + host.reason());
  } else {
    outcome = *c;
    if (outcome == Conclusion::kFailure) host.set_reason("the action failed");
  }
  if (std::optional<std::string> post_if = (*action)->PostIf()) {
    PendingPost post;
    post.post_if = *post_if;
    post.display_name = "Post " + display;
    post.step_env = layers;
    post.step_id = step.id;
    post.inputs = inputs;
    post.state = host.state();
    post.action = std::move(*action);
    job.posts.push_back(std::move(post));
  }
  return outcome;
}

}  // namespace

StepResult RunOneStep(JobState& job, StepsScope& scope, const Step& step, int parent_index) {
  auto start = std::chrono::steady_clock::now();
  StepResult result;
  result.id = step.id;
  int index = scope.nested ? parent_index : job.next_index++;
  expr::Runtime runtime = StepRuntime(job, scope);
  std::map<std::string, std::string> step_env = scope.parent_env;
  std::map<std::string, std::string> layers = job.EnvLayers(step_env);
  expr::Contexts contexts = StepContexts(job, scope, layers, step.id);
  expr::EvalOptions eval{.contexts = &contexts, .runtime = &runtime};

  std::string error;
  for (const NamedTemplate& e : step.env) {
    core::Result<std::string> v = e.value.value.EvaluateString(eval);
    if (!v.ok()) {
      error = fmt::format("{}: {}", Location(e.value.location), v.status().message());
      break;
    }
    step_env[e.name] = *v;
    layers[e.name] = *v;
  }
  contexts.Set("env", EnvContext(layers));

  std::string display;
  if (step.name) {
    core::Result<std::string> v = step.name->value.EvaluateString(eval);
    display = v.ok() ? *v : step.name->value.text();
  } else if (step.run) {
    display = "Run " + FirstLine(step.run->value.text());
  } else if (step.uses) {
    display = "Run " + step.uses->text;
  }
  result.display_name = job.masker->Mask(display);
  if (!scope.nested) job.observer.StepStarted(job.ctx.ref, index, result.display_name);

  bool run = false;
  if (error.empty()) {
    core::Result<bool> holds = step.if_.value.Evaluate(eval);
    if (!holds.ok()) {
      error = fmt::format("{}: if: {}", Location(step.if_.location), holds.status().message());
    } else {
      run = *holds;
    }
  }
  std::optional<bool> continue_on_error;
  std::optional<double> timeout_minutes;
  if (error.empty() && run) {
    core::Result<std::optional<bool>> coe = EvalLiteralOr(step.continue_on_error, eval);
    core::Result<std::optional<double>> tm = EvalLiteralOr(step.timeout_minutes, eval);
    if (!coe.ok()) error = coe.status().message();
    if (!tm.ok()) error = tm.status().message();
    if (error.empty()) {
      continue_on_error = *coe;
      timeout_minutes = *tm;
    }
  }

  if (!error.empty()) {
    job.Line(index, LineKind::kAnnotation, "Error: " + error);
    result.outcome = Conclusion::kFailure;
    result.reason = job.masker->Mask(error);
  } else if (!run) {
    result.outcome = Conclusion::kSkipped;
    result.reason = job.masker->Mask(job.cancelled() ? "the job was cancelled; condition false: " +
                                                           step.if_.value.text()
                                                     : "condition false: " + step.if_.value.text());
  } else {
    auto timeout = std::chrono::milliseconds(timeout_minutes && *timeout_minutes > 0
                                                 ? static_cast<int64_t>(*timeout_minutes * 60000.0)
                                                 : 0);
    if (job.cancelled()) {  // runs because its condition holds after cancellation: bounded
      auto bound =
          std::chrono::milliseconds(static_cast<int64_t>(job.cancel_timeout_minutes * 60000.0));
      if (timeout.count() == 0 || bound < timeout) timeout = bound;
    }
    StepRunner host(job, index, step.id, layers, timeout, !job.cancelled());
    if (!scope.action_path.empty()) host.set_action_path(scope.action_path);
    host.set_step_env(step_env);
    result.outcome = RunStepBody(job, scope, step, host, eval, display, layers);
    result.outputs = host.outputs();
    result.reason = job.masker->Mask(host.reason());
  }
  result.conclusion = result.outcome == Conclusion::kFailure && continue_on_error.value_or(false)
                          ? Conclusion::kSuccess
                          : result.outcome;
  if (result.conclusion == Conclusion::kFailure) {
    scope.failed = true;
    if (job.first_failure.empty()) {
      job.first_failure = fmt::format("step '{}' failed: {}", result.display_name, result.reason);
    }
  }
  if (!step.id_generated) scope.Record(step.id, result);
  // Later steps read the outputs as they are; what leaves the runner is masked.
  for (auto& [name, value] : result.outputs) value = job.masker->Mask(value);
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  if (!scope.nested) job.observer.StepFinished(job.ctx.ref, index, result);
  return result;
}

void RunStepList(JobState& job, StepsScope& scope, const std::vector<Step>& steps, int parent_index,
                 std::vector<StepResult>* results) {
  for (const Step& step : steps) {
    StepResult result = RunOneStep(job, scope, step, parent_index);
    if (results != nullptr) results->push_back(std::move(result));
  }
}

core::Result<Conclusion> StepRunner::RunSteps(const std::vector<Step>& steps,
                                              const std::map<std::string, std::string>& inputs,
                                              const TemplateMap& output_templates,
                                              std::map<std::string, std::string>* outputs) {
  StepsScope scope;
  scope.nested = true;
  scope.inputs = StringMap(inputs);
  scope.action_path = action_path_;
  scope.parent_env = step_env_;
  std::vector<StepResult> results;
  RunStepList(job_, scope, steps, index_, &results);
  expr::Runtime runtime = StepRuntime(job_, scope);
  expr::Contexts contexts = StepContexts(job_, scope, layers_, step_id_);
  expr::EvalOptions eval{.contexts = &contexts, .runtime = &runtime};
  for (const NamedTemplate& t : output_templates) {
    core::Result<std::string> v = t.value.value.EvaluateString(eval);
    if (!v.ok()) {
      return Status::InvalidArgument(fmt::format("{}: output '{}': {}", Location(t.value.location),
                                                 t.name, v.status().message()));
    }
    if (outputs != nullptr) (*outputs)[t.name] = *v;
  }
  for (const StepResult& r : results) {
    if (r.conclusion == Conclusion::kFailure) {
      set_reason(fmt::format("step '{}' failed: {}", r.display_name, r.reason));
      return Conclusion::kFailure;
    }
    if (r.outcome == Conclusion::kCancelled) {
      set_reason(r.reason);
      return Conclusion::kCancelled;
    }
  }
  return Conclusion::kSuccess;
}

}  // namespace cairn::workflow::job_internal
