// run_legs: one job of a run once its `if:` holds: its matrix legs (the matrix evaluated now,
// so `${{ fromJSON(needs.x.outputs.m) }}` sees the need's outputs), strategy (fail-fast,
// max-parallel), continue-on-error, and for each leg: environment protection and secrets,
// job-level concurrency, a run slot, runs-on, then the JobRunner or a reusable workflow call.
//
// Thread-safe: legs run on threads of their own; what they share (the merged outputs, the
// finish order) is guarded by a mutex local to RunLegs.
#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "workflow/matrix.h"
#include "workflow/run_internal.h"

namespace cairn::workflow::internal {

namespace {

// Forwards to the run's observer and, right after the leg's JobStarted, adds the runner's own
// notes (so they appear inside the job).
class LegObserver : public RunObserver {
 public:
  LegObserver(RunShared& shared, std::vector<std::string> notes)
      : shared_(shared), notes_(std::move(notes)) {}
  void RunStarted(const Workflow& w, const Event& e) override {
    shared_.observer->RunStarted(w, e);
  }
  void JobStarted(const JobRef& job) override {
    shared_.observer->JobStarted(job);
    for (const std::string& note : notes_) shared_.Note(job, note);
  }
  void StepStarted(const JobRef& job, int index, std::string_view name) override {
    shared_.observer->StepStarted(job, index, name);
  }
  void Line(const JobRef& job, int step, LineKind kind, std::string_view line) override {
    shared_.observer->Line(job, step, kind, line);
  }
  void StepFinished(const JobRef& job, int index, const StepResult& result) override {
    shared_.observer->StepFinished(job, index, result);
  }
  void JobFinished(const JobRef& job, const JobResult& result, std::string_view summary) override {
    shared_.observer->JobFinished(job, result, summary);
  }
  void RunFinished(const RunResult& result) override { shared_.observer->RunFinished(result); }

 private:
  RunShared& shared_;
  std::vector<std::string> notes_;
};

bool RunsHere(std::string_view label) {
  std::string l = core::ToLower(label);
  return l.starts_with("ubuntu-") || l == "ubuntu" || l == "self-hosted" || l == "linux";
}

// The labels of an evaluated runs-on (string, sequence, or {group, labels}).
std::vector<std::string> Labels(const core::Value& runs_on) {
  std::vector<std::string> out;
  if (runs_on.is_scalar() && !runs_on.is_null()) {
    out.push_back(runs_on.is_string() ? runs_on.AsString() : runs_on.raw());
  }
  for (const core::Value& item : runs_on.items()) {
    for (std::string& s : Labels(item)) out.push_back(std::move(s));
  }
  if (runs_on.is_mapping()) {
    if (const core::Value* labels = runs_on.Find("labels")) {
      for (std::string& s : Labels(*labels)) out.push_back(std::move(s));
    }
  }
  return out;
}

expr::Value SecretsContext(const std::map<std::string, std::string>& secrets) {
  std::vector<std::pair<std::string, expr::Value>> members;
  for (const auto& [k, v] : secrets) members.emplace_back(k, expr::Value::String(v));
  return expr::Value::Object(std::move(members));
}

}  // namespace

struct WorkflowRun::Leg {
  JobRef ref;
  expr::Contexts contexts;  // github, needs, vars, inputs, matrix, strategy
  bool continue_on_error = false;
  std::stop_source stop;  // this leg: requested by the run (unless it started after a
                          // cancel), by fail-fast, and by the job calling this workflow
  std::mutex stop_mu;     // guards replacing `stop` against the links requesting it
  std::vector<std::unique_ptr<std::stop_callback<std::function<void()>>>> links;
  std::stop_source* matrix_stop = nullptr;
  bool fail_fast = false;         // a failure (not continue-on-error) requests matrix_stop
  Slots* max_parallel = nullptr;  // null: unlimited
  std::function<bool()> holds;    // the job's `if:` now (see RunLegs in run_internal.h)
  // Records that the leg finished (for "the last leg to finish wins" of outputs); called once,
  // by RunLeg while it still holds its slots, so a queued leg that takes a freed slot cannot
  // finish first; by RunLegs for a leg that never ran.
  std::function<void()> finished;
  bool recorded = false;
  JobResult result;
};

JobOutcome WorkflowRun::RunLegs(const Job& job, const expr::Contexts& base, bool after_cancel,
                                std::function<bool()> holds) {
  const std::string plain_name =
      job.name && job.name->value.is_literal() ? job.name->value.text() : job.id;
  auto fail_job = [&](std::string reason) {
    JobResult r;
    r.conclusion = Conclusion::kFailure;
    r.reason = reason;
    shared_.NeverStarted({job.id, prefix_ + plain_name}, r);
    JobOutcome o;
    o.done = true;
    o.conclusion = Conclusion::kFailure;
    o.reason = std::move(reason);
    return o;
  };

  // The matrix, evaluated now with github, needs, vars and inputs.
  std::vector<MatrixLeg> legs;
  bool fail_fast = true;
  double max_parallel = 0;
  if (job.strategy) {
    core::Value matrix;
    if (job.strategy->matrix_expression) {
      core::Result<expr::Value> v = job.strategy->matrix_expression->Evaluate({.contexts = &base});
      if (!v.ok()) return fail_job(AtLocation(job.strategy->location, v.status().message()));
      matrix = v->ToCore();
      matrix.set_location(job.strategy->location);
    } else if (!job.strategy->matrix.is_null()) {
      core::Result<core::Value> v = EvalYaml(job.strategy->matrix, base);
      if (!v.ok()) return fail_job(v.status().message());
      matrix = std::move(*v);
    }
    if (!matrix.is_null()) {
      core::Result<Matrix> expanded = ExpandMatrix(matrix);
      if (!expanded.ok()) return fail_job(expanded.status().message());
      legs = std::move(expanded->legs);
    }
    core::Result<bool> ff = EvalBool(job.strategy->fail_fast, true, base);
    if (!ff.ok()) return fail_job(ff.status().message());
    fail_fast = *ff;
    core::Result<double> mp = EvalNumber(job.strategy->max_parallel, 0, base);
    if (!mp.ok()) return fail_job(mp.status().message());
    max_parallel = *mp;
  }
  const bool has_matrix = !legs.empty();
  const size_t total = has_matrix ? legs.size() : 1;

  std::stop_source matrix_stop;
  std::unique_ptr<Slots> max_slots;
  if (max_parallel >= 1 && static_cast<size_t>(max_parallel) < total) {
    max_slots = std::make_unique<Slots>(static_cast<int>(max_parallel));
  }

  std::vector<std::unique_ptr<Leg>> all;
  for (size_t i = 0; i < total; ++i) {
    auto leg = std::make_unique<Leg>();
    leg->contexts = base;
    leg->contexts.Set("matrix",
                      has_matrix ? expr::Value::FromCore(legs[i].values) : expr::Value::Object({}));
    leg->contexts.Set("strategy",
                      expr::Value::Object(
                          {{"fail-fast", expr::Value::Boolean(fail_fast)},
                           {"job-index", expr::Value::Number(static_cast<double>(i))},
                           {"job-total", expr::Value::Number(static_cast<double>(total))},
                           {"max-parallel",
                            expr::Value::Number(max_parallel >= 1 ? max_parallel
                                                                  : static_cast<double>(total))}}));
    std::string name = plain_name;
    if (job.name && !job.name->value.is_literal()) {
      core::Result<std::string> n = job.name->value.EvaluateString({.contexts = &leg->contexts});
      name = n.ok() ? *n : job.name->value.text();
    } else if (has_matrix) {
      name = legs[i].DisplayName(plain_name);
    }
    leg->ref = {job.id, prefix_ + name};
    leg->matrix_stop = &matrix_stop;
    leg->fail_fast = fail_fast && has_matrix;
    leg->holds = holds;
    leg->max_parallel = max_slots.get();
    Leg* own = leg.get();
    auto link = [own](std::stop_token token) {
      own->links.push_back(
          std::make_unique<std::stop_callback<std::function<void()>>>(std::move(token), [own] {
            std::lock_guard lock(own->stop_mu);
            own->stop.request_stop();
          }));
    };
    link(matrix_stop.get_token());
    if (!after_cancel) link(shared_.run_stop.get_token());
    if (outer_stop_.stop_possible()) link(outer_stop_);
    all.push_back(std::move(leg));
  }

  // Run the legs; record the order they finish in (the last writer of an output wins).
  std::mutex mu;
  std::vector<size_t> finish_order;
  for (size_t i = 0; i < all.size(); ++i) {
    Leg& leg = *all[i];
    leg.finished = [&mu, &finish_order, &leg, i] {
      std::lock_guard lock(mu);
      leg.recorded = true;
      finish_order.push_back(i);
    };
  }
  auto run_one = [&](size_t i) {
    Leg& leg = *all[i];
    core::Result<bool> coe = EvalBool(job.continue_on_error, false, leg.contexts);
    if (!coe.ok()) {
      leg.result.conclusion = Conclusion::kFailure;
      leg.result.reason = coe.status().message();
      shared_.NeverStarted(leg.ref, leg.result);
    } else {
      leg.continue_on_error = *coe;
      RunLeg(job, leg);
    }
    if (leg.result.conclusion == Conclusion::kFailure && !leg.continue_on_error && leg.fail_fast) {
      matrix_stop.request_stop();
    }
    if (!leg.recorded) leg.finished();
  };
  if (total == 1) {
    run_one(0);
  } else {
    std::vector<std::jthread> threads;
    threads.reserve(total);
    for (size_t i = 0; i < total; ++i) threads.emplace_back(run_one, i);
  }

  JobOutcome outcome;
  outcome.done = true;
  bool failed = false;
  bool cancelled = false;
  for (size_t i : finish_order) {
    const Leg& leg = *all[i];
    for (const auto& [k, v] : leg.result.outputs) outcome.outputs[k] = v;
    if (leg.result.conclusion == Conclusion::kFailure && !leg.continue_on_error) {
      if (!failed) {
        outcome.reason = has_matrix ? "'" + leg.ref.display_name + "' failed: " + leg.result.reason
                                    : leg.result.reason;
      }
      failed = true;
    } else if (leg.result.conclusion == Conclusion::kCancelled) {
      if (!cancelled && !failed) outcome.reason = leg.result.reason;
      cancelled = true;
    }
  }
  outcome.conclusion = failed      ? Conclusion::kFailure
                       : cancelled ? Conclusion::kCancelled
                                   : Conclusion::kSuccess;
  return outcome;
}

void WorkflowRun::RunLeg(const Job& job, Leg& leg) {
  auto never_started = [&](Conclusion c, std::string reason) {
    leg.result = JobResult{};
    leg.result.conclusion = c;
    leg.result.reason = std::move(reason);
    shared_.NeverStarted(leg.ref, leg.result);
  };
  auto cancel_reason = [&] {
    if (leg.matrix_stop != nullptr && leg.matrix_stop->stop_requested()) {
      return std::string("cancelled: another leg of '") + job.id + "' failed (fail-fast)";
    }
    return std::string("cancelled: the run was cancelled");
  };

  // Environment protection, and the environment's secrets over the repository's.
  std::map<std::string, std::string> secrets = secrets_;
  if (job.environment) {
    core::Result<expr::Value> name = EvalTemplate(job.environment->name, leg.contexts);
    if (!name.ok()) return never_started(Conclusion::kFailure, name.status().message());
    const std::string env_name = name->ToString();
    if (shared_.options->environments != nullptr) {
      core::Status allowed = shared_.options->environments->Check(env_name, *shared_.event);
      if (!allowed.ok()) return never_started(Conclusion::kFailure, allowed.message());
      for (auto& [k, v] : shared_.options->environments->Secrets(env_name)) {
        shared_.options->masker->Add(v);
        secrets[k] = v;
      }
    }
  }
  leg.contexts.Set("secrets", SecretsContext(secrets));

  // Job-level concurrency.
  std::optional<ConcurrencyGroups::Hold> group_hold;
  if (job.concurrency) {
    core::Result<expr::Value> group = EvalTemplate(job.concurrency->group, leg.contexts);
    if (!group.ok()) return never_started(Conclusion::kFailure, group.status().message());
    core::Result<bool> cancel = EvalBool(job.concurrency->cancel_in_progress, false, leg.contexts);
    if (!cancel.ok()) return never_started(Conclusion::kFailure, cancel.status().message());
    core::Result<ConcurrencyGroups::Hold> hold =
        shared_.groups->Enter(group->ToString(), *cancel, leg.stop, leg.stop.get_token());
    if (!hold.ok()) {
      if (hold.status().code() == core::Code::kCancelled) {
        return never_started(Conclusion::kCancelled, "cancelled: " + hold.status().message());
      }
      return never_started(Conclusion::kFailure, hold.status().message());
    }
    group_hold.emplace(std::move(*hold));
  }

  if (job.is_reusable_call()) {
    // Its nested jobs take run slots of their own; the caller holds none.
    if (leg.stop.stop_requested()) return never_started(Conclusion::kCancelled, cancel_reason());
    leg.result = RunCall(job, leg.ref, leg.contexts, secrets, leg.stop.get_token());
    return;
  }

  // A run slot (and one of the job's max-parallel slots).
  SlotHold max_hold;
  if (leg.max_parallel != nullptr) {
    if (!leg.max_parallel->Acquire(leg.stop.get_token())) {
      return never_started(Conclusion::kCancelled, cancel_reason());
    }
    max_hold = SlotHold(leg.max_parallel);
  }
  bool got_slot = shared_.slots->Acquire(leg.stop.get_token());
  if (!got_slot && !leg.matrix_stop->stop_requested() && shared_.cancelled() && leg.holds &&
      leg.holds()) {
    // The run was cancelled while this leg was queued, but its `if:` (always(), cancelled())
    // still holds: it runs, no longer tied to the run's stop (only fail-fast stops it).
    {
      std::lock_guard lock(leg.stop_mu);
      leg.stop = std::stop_source();
      if (leg.matrix_stop->stop_requested() || outer_stop_.stop_requested()) {
        leg.stop.request_stop();
      }
    }
    got_slot = shared_.slots->Acquire(leg.stop.get_token());
  }
  if (!got_slot) return never_started(Conclusion::kCancelled, cancel_reason());
  SlotHold run_hold(shared_.slots.get());
  if (leg.stop.stop_requested()) return never_started(Conclusion::kCancelled, cancel_reason());

  // runs-on: shown, but every label runs on this host.
  std::vector<std::string> notes;
  core::Result<core::Value> runs_on = EvalYaml(job.runs_on, leg.contexts);
  if (!runs_on.ok()) return never_started(Conclusion::kFailure, runs_on.status().message());
  std::vector<std::string> labels = Labels(*runs_on);
  if (!labels.empty()) {
    bool here =
        std::all_of(labels.begin(), labels.end(), [](const std::string& l) { return RunsHere(l); });
    if (!here) {
      notes.push_back("runs-on: " + core::Join(labels, ", ") +
                      ": cairn runs every job on this host (Linux)");
    }
  }

  JobContext context;
  context.workflow = &workflow_;
  context.job = &job;
  context.ref = leg.ref;
  context.event = shared_.event;
  context.options = shared_.options;
  context.contexts = leg.contexts;
  context.secrets = secrets;
  context.event_path = shared_.event_path;
  context.stop = leg.stop.get_token();
  LegObserver observer(shared_, std::move(notes));
  core::Result<JobResult> result = shared_.runner(context, observer);
  if (!result.ok()) {
    return never_started(Conclusion::kFailure, "runner error: " + result.status().message());
  }
  leg.result = std::move(*result);
  if (leg.result.conclusion == Conclusion::kFailure && !leg.continue_on_error && leg.fail_fast) {
    leg.matrix_stop->request_stop();  // before this leg's slots free up for a queued leg
  }
  if (leg.result.display_name.empty()) leg.result.display_name = leg.ref.display_name;
  if (leg.result.job_id.empty()) leg.result.job_id = job.id;
  shared_.Finished(leg.result);
  if (leg.finished) leg.finished();  // before this leg's slots free up for a queued leg
}

}  // namespace cairn::workflow::internal
