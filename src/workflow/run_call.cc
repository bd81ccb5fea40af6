// run_call: a job calling a reusable workflow (`uses: ./.github/workflows/x.yml`): its inputs
// from `with:` (typed as the called workflow's on.workflow_call.inputs say, defaults applied),
// its secrets (`secrets: inherit` or the listed ones), the called workflow's jobs run as
// nested jobs ("caller / job"), and the caller's outputs from on.workflow_call.outputs
// evaluated over the `jobs` context.
//
// The caller itself is not a job the observer sees start: its nested jobs are. It reports a
// JobFinished of its own only when it fails before any nested job runs (a missing input).
//
// Thread-safe as WorkflowRun: the nested run has its own state.
#include <string>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "workflow/run_internal.h"

namespace cairn::workflow::internal {

namespace {

// GitHub's limit: a workflow and the workflows it calls, 4 levels deep in all (10 since
// 2025; the parser enforces the configured limit when loading).
constexpr int kMaxCallDepth = 10;

const NamedTemplate* FindWith(const TemplateMap& with, std::string_view name) {
  for (const NamedTemplate& t : with) {
    if (core::ToLower(t.name) == core::ToLower(name)) return &t;
  }
  return nullptr;
}

// A value converted to an input's declared type.
core::Result<expr::Value> Typed(const CallInput& input, const expr::Value& v) {
  if (input.type == "boolean") {
    if (v.kind() == expr::Kind::kBoolean) return v;
    std::string s = core::ToLower(v.ToString());
    if (s == "true") return expr::Value::Boolean(true);
    if (s == "false") return expr::Value::Boolean(false);
    return core::Status::InvalidArgument("input '" + input.name + "' is a boolean; got '" +
                                         v.ToString() + "', expected true or false");
  }
  if (input.type == "number") {
    if (v.kind() == expr::Kind::kNumber) return v;
    double d = v.ToNumber();
    if (d != d) {
      return core::Status::InvalidArgument("input '" + input.name + "' is a number; got '" +
                                           v.ToString() + "'");
    }
    return expr::Value::Number(d);
  }
  return expr::Value::String(v.ToString());
}

expr::Value ZeroOf(const CallInput& input) {
  if (input.type == "boolean") return expr::Value::Boolean(false);
  if (input.type == "number") return expr::Value::Number(0);
  return expr::Value::String("");
}

}  // namespace

JobResult WorkflowRun::RunCall(const Job& job, const JobRef& ref, const expr::Contexts& contexts,
                               const std::map<std::string, std::string>& secrets,
                               std::stop_token stop) {
  JobResult result;
  result.job_id = job.id;
  result.display_name = ref.display_name;
  auto fail = [&](std::string reason) {
    result.conclusion = Conclusion::kFailure;
    result.reason = std::move(reason);
    shared_.NeverStarted(ref, result);
    return result;
  };
  const Workflow* called = job.called.get();
  if (called == nullptr) {
    return fail(AtLocation(job.uses->location, "the workflow '" + job.uses->text +
                                                   "' was not loaded; cairn runs local reusable "
                                                   "workflows (uses: ./.github/workflows/x.yml)"));
  }
  if (depth_ + 1 >= kMaxCallDepth) {
    return fail(AtLocation(job.uses->location, "reusable workflows nest deeper than " +
                                                   std::to_string(kMaxCallDepth) + " levels"));
  }

  // inputs
  std::vector<std::pair<std::string, expr::Value>> inputs;
  if (called->workflow_call) {
    for (const CallInput& input : called->workflow_call->inputs) {
      expr::Value value;
      if (const NamedTemplate* given = FindWith(job.with, input.name)) {
        core::Result<expr::Value> v = EvalTemplate(given->value, contexts);
        if (!v.ok()) return fail(v.status().message());
        value = *v;
      } else if (!input.default_value.is_null()) {
        core::Result<core::Value> d = EvalYaml(input.default_value, contexts);
        if (!d.ok()) return fail(d.status().message());
        value = expr::Value::FromCore(*d);
      } else if (input.required) {
        return fail(AtLocation(job.location, "input '" + input.name + "' is required by " +
                                                 called->file + " but not given in `with:`"));
      } else {
        value = ZeroOf(input);
      }
      core::Result<expr::Value> typed = Typed(input, value);
      if (!typed.ok()) return fail(AtLocation(job.location, typed.status().message()));
      inputs.emplace_back(input.name, std::move(*typed));
    }
  }

  // secrets
  std::map<std::string, std::string> called_secrets;
  if (job.secrets && job.secrets->inherit) {
    called_secrets = secrets;
  } else if (job.secrets) {
    for (const NamedTemplate& s : job.secrets->values) {
      core::Result<expr::Value> v = EvalTemplate(s.value, contexts);
      if (!v.ok()) return fail(v.status().message());
      called_secrets[s.name] = v->ToString();
      shared_.options->masker->Add(called_secrets[s.name]);
    }
  }
  if (auto token = secrets.find("GITHUB_TOKEN"); token != secrets.end()) {
    called_secrets.try_emplace("GITHUB_TOKEN", token->second);
  }
  if (called->workflow_call) {
    for (const CallSecret& s : called->workflow_call->secrets) {
      if (s.required && called_secrets.count(s.name) == 0) {
        return fail(AtLocation(job.location, "secret '" + s.name + "' is required by " +
                                                 called->file + " but not passed in `secrets:`"));
      }
    }
  }

  // The nested jobs.
  expr::Value inputs_value = expr::Value::Object(inputs);
  WorkflowRun nested(shared_, *called, ref.display_name + " / ", depth_ + 1, inputs_value,
                     std::move(called_secrets), stop);
  core::Status status = nested.Run({});
  if (!status.ok()) return fail(status.message());
  std::map<std::string, JobOutcome> outcomes = nested.Outcomes();

  bool failed = false;
  bool cancelled = false;
  std::vector<std::pair<std::string, expr::Value>> jobs;
  for (const Job& j : called->jobs) {
    auto it = outcomes.find(j.id);
    if (it == outcomes.end()) continue;
    const JobOutcome& o = it->second;
    if (o.conclusion == Conclusion::kFailure) {
      if (!failed) result.reason = "'" + ref.display_name + " / " + j.id + "' failed: " + o.reason;
      failed = true;
    }
    if (o.conclusion == Conclusion::kCancelled) cancelled = true;
    std::vector<std::pair<std::string, expr::Value>> outputs;
    for (const auto& [k, v] : o.outputs) outputs.emplace_back(k, expr::Value::String(v));
    jobs.emplace_back(
        j.id, expr::Value::Object(
                  {{"result", expr::Value::String(std::string(ConclusionName(o.conclusion)))},
                   {"outputs", expr::Value::Object(std::move(outputs))}}));
  }
  result.conclusion = failed      ? Conclusion::kFailure
                      : cancelled ? Conclusion::kCancelled
                                  : Conclusion::kSuccess;

  // The caller's outputs.
  if (called->workflow_call) {
    expr::Contexts out_contexts;
    if (const expr::Value* github = contexts.Find("github")) out_contexts.Set("github", *github);
    out_contexts.Set("inputs", inputs_value);
    out_contexts.Set("vars", shared_.vars);
    out_contexts.Set("jobs", expr::Value::Object(std::move(jobs)));
    for (const CallOutput& output : called->workflow_call->outputs) {
      core::Result<expr::Value> v = EvalTemplate(output.value, out_contexts);
      if (!v.ok()) {
        result.conclusion = Conclusion::kFailure;
        result.reason = "output '" + output.name + "': " + v.status().message();
        break;
      }
      result.outputs[output.name] = v->ToString();
    }
  }
  return result;
}

}  // namespace cairn::workflow::internal
