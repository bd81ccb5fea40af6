// run_graph: WorkflowRun, one workflow's job graph (`needs`) driven by dag::Execute. Every job
// gets a thread of its own (waiting there for a run slot: matrix legs count against
// RunOptions::parallelism, so the limit is applied per leg in run_legs.cc, not by Execute).
// A job decides for itself, when its needs are done, whether it runs: GitHub's rules for the
// job-level `if:` and its status functions (run_internal.h, gha.md 5.4):
//   success()  every need, transitively, succeeded and the run is not cancelled
//              (success(a, b): those jobs succeeded);
//   failure()  some need, transitively, failed (failure(a): that job failed);
//   cancelled() the run is cancelled;  always() true.
// A job whose need failed, was skipped or cancelled is skipped unless its `if:` calls a status
// function; the skip then propagates to its own dependents the same way.
//
// Thread-safe: outcomes_ are guarded by mu_; everything else is fixed before Execute starts.
#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "workflow/run_internal.h"

namespace cairn::workflow::internal {

namespace {

// Whether the `if:` as written (not as rewritten to `success() && (...)`) calls a status
// function: only then may the job run after a need that did not succeed.
bool WrittenWithStatusFunction(const ConditionValue& condition) {
  std::string_view text = core::Trim(condition.written);
  if (text.empty()) return false;
  if (text.starts_with("${{") && text.ends_with("}}")) {
    std::string_view inner = text.substr(3, text.size() - 5);
    if (inner.find("${{") == std::string_view::npos) text = inner;
  }
  if (text.find("${{") != std::string_view::npos) return false;  // format(): a string
  core::Result<expr::Expression> e = expr::Expression::Parse(text, AnyKeyAllowed());
  return e.ok() && e->UsesStatusFunction();
}

}  // namespace

WorkflowRun::WorkflowRun(RunShared& shared, const Workflow& workflow, std::string prefix, int depth,
                         expr::Value inputs, std::map<std::string, std::string> secrets,
                         std::stop_token outer_stop)
    : shared_(shared),
      workflow_(workflow),
      prefix_(std::move(prefix)),
      depth_(depth),
      inputs_(std::move(inputs)),
      secrets_(std::move(secrets)),
      outer_stop_(std::move(outer_stop)) {}

core::Status WorkflowRun::Run(const std::vector<std::string>& only_jobs) {
  // The jobs selected, and what they need, transitively.
  std::set<std::string> selected;
  if (only_jobs.empty()) {
    for (const Job& job : workflow_.jobs) selected.insert(job.id);
  } else {
    std::vector<std::string> todo;
    for (const std::string& id : only_jobs) {
      if (workflow_.FindJob(id) == nullptr) {
        std::vector<std::string> ids;
        for (const Job& job : workflow_.jobs) ids.push_back(job.id);
        return core::Status::InvalidArgument("--job '" + id + "': " + workflow_.file +
                                             " has no such job; expected one of " +
                                             core::Join(ids, ", "));
      }
      todo.push_back(id);
    }
    while (!todo.empty()) {
      std::string id = std::move(todo.back());
      todo.pop_back();
      if (!selected.insert(id).second) continue;
      const Job* job = workflow_.FindJob(id);
      if (job == nullptr) continue;
      for (const Need& need : job->needs) todo.push_back(need.id);
    }
  }

  for (const Job& job : workflow_.jobs) {
    if (selected.count(job.id) == 0) continue;
    CAIRN_RETURN_IF_ERROR(graph_.AddNode(job.id).status());
    jobs_.push_back(&job);
  }
  for (const Job* job : jobs_) {
    for (const Need& need : job->needs) {
      if (!graph_.Find(need.id)) {
        return need.location.Error("job '" + job->id + "' needs unknown job '" + need.id + "'");
      }
      CAIRN_RETURN_IF_ERROR(graph_.AddEdge(need.id, job->id));
    }
  }
  CAIRN_RETURN_IF_ERROR(graph_.Verify());

  // Transitive needs of each job, in topological order.
  CAIRN_ASSIGN_OR_RETURN(std::vector<dag::NodeId> order, graph_.TopologicalOrder());
  above_.assign(graph_.size(), {});
  for (dag::NodeId node : order) {
    std::set<dag::NodeId> all;
    for (dag::NodeId in : graph_.inputs(node)) {
      all.insert(in);
      all.insert(above_[in].begin(), above_[in].end());
    }
    above_[node].assign(all.begin(), all.end());
  }
  outcomes_.assign(graph_.size(), {});
  if (graph_.empty()) return core::Status::Ok();

  // Every job decides for itself in RunNode (it must report its skip to the observer).
  CAIRN_ASSIGN_OR_RETURN(dag::Plan plan, dag::Plan::Create(graph_, [](const dag::DecisionContext&) {
                           return dag::Decision::Run();
                         }));
  return dag::Execute(plan, {.parallelism = graph_.size()},
                      [this](dag::NodeId node) { return RunNode(node); });
}

std::map<std::string, JobOutcome> WorkflowRun::Outcomes() const {
  std::lock_guard lock(mu_);
  std::map<std::string, JobOutcome> out;
  for (size_t i = 0; i < jobs_.size(); ++i) out[jobs_[i]->id] = outcomes_[i];
  return out;
}

expr::Value WorkflowRun::NeedsContext(const Job& job) const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, expr::Value>> needs;
  for (const Need& need : job.needs) {
    std::optional<dag::NodeId> node = graph_.Find(need.id);
    if (!node) continue;
    const JobOutcome& o = outcomes_[*node];
    std::vector<std::pair<std::string, expr::Value>> outputs;
    for (const auto& [k, v] : o.outputs) outputs.emplace_back(k, expr::Value::String(v));
    needs.emplace_back(
        need.id, expr::Value::Object(
                     {{"result", expr::Value::String(std::string(ConclusionName(o.conclusion)))},
                      {"outputs", expr::Value::Object(std::move(outputs))}}));
  }
  return expr::Value::Object(std::move(needs));
}

expr::Runtime WorkflowRun::StatusRuntime(dag::NodeId node) const {
  expr::Runtime runtime;
  runtime.status = [this, node](std::string_view function,
                                std::span<const expr::Value> args) -> core::Result<bool> {
    std::string name = core::ToLower(function);
    if (name == "always") return true;
    if (name == "cancelled") return shared_.cancelled();
    std::lock_guard lock(mu_);
    std::vector<dag::NodeId> subjects;
    if (args.empty()) {
      subjects = above_[node];
    } else {
      for (const expr::Value& arg : args) {
        std::optional<dag::NodeId> n = graph_.Find(arg.ToString());
        if (!n) {
          // GitHub accepts only job ids the job needs; an unknown one never succeeded.
          if (name == "success") return false;
          continue;
        }
        subjects.push_back(*n);
      }
    }
    if (name == "success") {
      if (args.empty() && shared_.cancelled()) return false;
      for (dag::NodeId n : subjects) {
        if (outcomes_[n].conclusion != Conclusion::kSuccess) return false;
      }
      return true;
    }
    if (name == "failure") {
      for (dag::NodeId n : subjects) {
        if (outcomes_[n].conclusion == Conclusion::kFailure) return true;
      }
      return false;
    }
    return core::Status::InvalidArgument("unknown status function " + std::string(function));
  };
  return runtime;
}

std::string WorkflowRun::FirstUnsuccessfulNeed(dag::NodeId node) const {
  std::lock_guard lock(mu_);
  auto describe = [&](dag::NodeId in) {
    Conclusion c = outcomes_[in].conclusion;
    std::string what = c == Conclusion::kFailure   ? "failed"
                       : c == Conclusion::kSkipped ? "was skipped"
                                                   : "was cancelled";
    return "needs '" + graph_.name(in) + "', which " + what;
  };
  for (dag::NodeId in : graph_.inputs(node)) {
    if (outcomes_[in].conclusion != Conclusion::kSuccess) return describe(in);
  }
  for (dag::NodeId in : above_[node]) {
    if (outcomes_[in].conclusion != Conclusion::kSuccess) return describe(in);
  }
  return "";
}

dag::NodeResult WorkflowRun::RunNode(dag::NodeId node) {
  const Job& job = *jobs_[node];
  const std::string display =
      prefix_ + (job.name && job.name->value.is_literal() ? job.name->value.text() : job.id);
  JobRef ref{job.id, display};

  auto finish = [&](JobOutcome outcome) {
    outcome.done = true;
    Conclusion c = outcome.conclusion;
    std::string reason = outcome.reason;
    {
      std::lock_guard lock(mu_);
      outcomes_[node] = std::move(outcome);
    }
    switch (c) {
      case Conclusion::kSuccess:
        return dag::NodeResult::Succeeded();
      case Conclusion::kFailure:
        return dag::NodeResult::Failed(reason);
      case Conclusion::kCancelled:
      case Conclusion::kSkipped:
        return dag::NodeResult::Skipped(reason.empty() ? std::string(ConclusionName(c)) : reason);
    }
    return dag::NodeResult::Failed(reason);
  };
  auto never_started = [&](Conclusion c, std::string reason) {
    JobResult r;
    r.conclusion = c;
    r.reason = reason;
    shared_.NeverStarted(ref, r);
    JobOutcome o;
    o.conclusion = c;
    o.reason = std::move(reason);
    return finish(std::move(o));
  };

  const bool uses_status = WrittenWithStatusFunction(job.if_);
  if (!uses_status) {
    // A need that did not succeed skips the job (GitHub's implicit success()).
    std::string reason = FirstUnsuccessfulNeed(node);
    if (!reason.empty()) {
      if (shared_.cancelled())
        return never_started(Conclusion::kCancelled, "the run was cancelled");
      return never_started(Conclusion::kSkipped, reason);
    }
  }

  // The job's `if:` with github, needs, vars, inputs and the status functions.
  expr::Contexts contexts;
  contexts.Set("github", WithMembers(shared_.github, {{"job", expr::Value::String(job.id)}}));
  contexts.Set("needs", NeedsContext(job));
  contexts.Set("vars", shared_.vars);
  contexts.Set("inputs", inputs_);
  expr::Runtime runtime = StatusRuntime(node);
  const bool cancelled_before = shared_.cancelled();
  core::Result<bool> run = job.if_.value.Evaluate({.contexts = &contexts, .runtime = &runtime});
  if (!run.ok()) {
    return never_started(Conclusion::kFailure,
                         AtLocation(job.if_.location, "if: " + run.status().message()));
  }
  if (!*run) {
    if (cancelled_before) return never_started(Conclusion::kCancelled, "the run was cancelled");
    return never_started(Conclusion::kSkipped, "condition false: " + job.if_.value.text());
  }
  auto holds = [&job, &contexts, &runtime] {
    core::Result<bool> v = job.if_.value.Evaluate({.contexts = &contexts, .runtime = &runtime});
    return v.ok() && *v;
  };
  return finish(RunLegs(job, contexts, cancelled_before, holds));
}

}  // namespace cairn::workflow::internal
