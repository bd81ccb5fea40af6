// plan: MakePlan (graph, order, matrices, conditions, output wiring) and its printing.
#include "workflow/plan.h"

#include <algorithm>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/strings.h"

namespace cairn::workflow {
namespace {

using core::Result;
using core::Status;

// The contexts an event fixes: a condition reading only these is decided ahead of time.
constexpr std::string_view kEventContexts[] = {"github", "inputs", "vars"};

bool IsEventContext(std::string_view name) {
  return std::find(std::begin(kEventContexts), std::end(kEventContexts), name) !=
         std::end(kEventContexts);
}

bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// Reads one property accessor at `*pos` (`.name` or `['name']`), skipping spaces around the
// brackets; advances `*pos` past it.
std::optional<std::string> ReadAccessor(std::string_view text, size_t* pos) {
  size_t i = *pos;
  if (i < text.size() && text[i] == '.') {
    size_t start = ++i;
    while (i < text.size() && IsIdentChar(text[i])) ++i;
    if (i == start) return std::nullopt;
    *pos = i;
    return std::string(text.substr(start, i - start));
  }
  if (i < text.size() && text[i] == '[') {
    ++i;
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size() || text[i] != '\'') return std::nullopt;
    size_t start = ++i;
    size_t end = text.find('\'', start);
    if (end == std::string_view::npos) return std::nullopt;
    i = end + 1;
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size() || text[i] != ']') return std::nullopt;
    *pos = i + 1;
    return std::string(text.substr(start, end - start));
  }
  return std::nullopt;
}

// The insides of the `${{ }}` pieces of a template's text.
std::vector<std::string_view> ExpressionPieces(std::string_view text) {
  std::vector<std::string_view> pieces;
  size_t pos = 0;
  while ((pos = text.find("${{", pos)) != std::string_view::npos) {
    size_t end = text.find("}}", pos + 3);
    if (end == std::string_view::npos) break;
    pieces.push_back(text.substr(pos + 3, end - pos - 3));
    pos = end + 2;
  }
  return pieces;
}

// One text that may reference outputs, with where its key is.
struct Site {
  std::string_view text;
  core::Location location;
  bool is_condition = false;  // the whole text is an expression when it has no `${{`
};

void AddTemplate(const TemplateValue& t, std::vector<Site>* sites) {
  sites->push_back({t.value.text(), t.location});
}
void AddMap(const TemplateMap& map, std::vector<Site>* sites) {
  for (const NamedTemplate& n : map) AddTemplate(n.value, sites);
}
void AddValueStrings(const core::Value& v, std::vector<Site>* sites) {
  if (v.is_string()) sites->push_back({v.AsString(), v.location()});
  for (const core::Value& item : v.items()) AddValueStrings(item, sites);
  for (const core::Member& m : v.members()) AddValueStrings(m.value, sites);
}
template <typename T>
void AddLiteralOr(const std::optional<LiteralOr<T>>& v, std::vector<Site>* sites) {
  if (v && !v->is_literal()) sites->push_back({v->expression().text(), v->location});
}

std::vector<Site> JobSites(const Job& job) {
  std::vector<Site> sites;
  if (job.name) AddTemplate(*job.name, &sites);
  sites.push_back({job.if_.written, job.if_.location, true});
  AddValueStrings(job.runs_on, &sites);
  AddLiteralOr(job.timeout_minutes, &sites);
  AddLiteralOr(job.continue_on_error, &sites);
  if (job.environment) {
    AddTemplate(job.environment->name, &sites);
    if (job.environment->url) AddTemplate(*job.environment->url, &sites);
  }
  AddMap(job.env, &sites);
  if (job.strategy) {
    AddValueStrings(job.strategy->matrix, &sites);
    AddLiteralOr(job.strategy->fail_fast, &sites);
    AddLiteralOr(job.strategy->max_parallel, &sites);
  }
  AddMap(job.outputs, &sites);
  if (job.container) {
    AddTemplate(job.container->image, &sites);
    AddMap(job.container->env, &sites);
  }
  for (const Container& s : job.services) {
    AddTemplate(s.image, &sites);
    AddMap(s.env, &sites);
  }
  if (job.concurrency) AddTemplate(job.concurrency->group, &sites);
  AddMap(job.with, &sites);
  for (const Step& step : job.steps) {
    if (step.name) AddTemplate(*step.name, &sites);
    sites.push_back({step.if_.written, step.if_.location, true});
    if (step.run) AddTemplate(*step.run, &sites);
    AddMap(step.with, &sites);
    AddMap(step.env, &sites);
    if (step.shell) AddTemplate(*step.shell, &sites);
    if (step.working_directory) AddTemplate(*step.working_directory, &sites);
    AddLiteralOr(step.continue_on_error, &sites);
    AddLiteralOr(step.timeout_minutes, &sites);
  }
  return sites;
}

bool ContainsExpression(const core::Value& v) {
  if (v.is_string()) return v.AsString().find("${{") != std::string::npos;
  for (const core::Value& item : v.items()) {
    if (ContainsExpression(item)) return true;
  }
  for (const core::Member& m : v.members()) {
    if (ContainsExpression(m.value)) return true;
  }
  return false;
}

std::string FirstExpression(const core::Value& v) {
  if (v.is_string() && v.AsString().find("${{") != std::string::npos) return v.AsString();
  for (const core::Value& item : v.items()) {
    std::string s = FirstExpression(item);
    if (!s.empty()) return s;
  }
  for (const core::Member& m : v.members()) {
    std::string s = FirstExpression(m.value);
    if (!s.empty()) return s;
  }
  return "";
}

// Status functions as they stand when everything before succeeded and nothing was cancelled.
const expr::Runtime& AssumeSuccess() {
  static const expr::Runtime runtime{
      .status = [](std::string_view function, std::span<const expr::Value>) -> Result<bool> {
        std::string f = core::ToLower(function);
        return f == "success" || f == "always";
      },
      .hash_files = nullptr,
  };
  return runtime;
}

ConditionPlan PlanCondition(const ConditionValue& c, const PlanOptions& options) {
  ConditionPlan plan;
  plan.written = c.written;
  plan.text = c.value.text();
  plan.location = c.location;
  for (const std::string& context : c.value.expression().ContextsUsed()) {
    if (!IsEventContext(context)) {
      plan.run_time_reason = "reads " + context;
      return plan;
    }
  }
  if (options.event == nullptr) {
    plan.run_time_reason = "no event given";
    return plan;
  }
  Result<bool> value = c.value.Evaluate({.contexts = options.event, .runtime = &AssumeSuccess()});
  if (value.ok()) {
    plan.value = *value;
  } else {
    plan.run_time_reason = value.status().message();
  }
  return plan;
}

std::string FirstLine(std::string_view text) {
  for (std::string_view line : core::SplitLines(text)) {
    std::string_view t = core::Trim(line);
    if (!t.empty()) return std::string(t);
  }
  return "";
}

std::string StepDisplayName(const Step& step) {
  if (step.name) return step.name->value.text();
  if (step.run) return "Run " + FirstLine(step.run->value.text());
  if (step.uses) return "Run " + step.uses->text;
  return step.id;
}

// A name with expressions, evaluated for one leg when it reads only matrix and the event.
std::string EvaluatedName(const expr::Template& name, const MatrixLeg& leg,
                          const PlanOptions& options) {
  for (const std::string& context : name.ContextsUsed()) {
    if (context != "matrix" && !IsEventContext(context)) return name.text();
  }
  expr::Contexts contexts = options.event != nullptr ? *options.event : expr::Contexts();
  contexts.Set("matrix", expr::Value::FromCore(leg.values));
  Result<std::string> s = name.EvaluateString({.contexts = &contexts});
  return s.ok() ? *s : name.text();
}

Status PlanStrategy(const Job& job, const PlanOptions& options, JobPlan* plan) {
  if (!job.strategy) return Status::Ok();
  const Strategy& strategy = *job.strategy;
  if (strategy.fail_fast) {
    if (strategy.fail_fast->is_literal()) {
      plan->fail_fast = strategy.fail_fast->literal();
    } else {
      plan->fail_fast.reset();
      plan->fail_fast_expression = strategy.fail_fast->expression().text();
    }
  }
  if (strategy.max_parallel) {
    if (strategy.max_parallel->is_literal()) {
      plan->max_parallel = strategy.max_parallel->literal();
    } else {
      plan->max_parallel_expression = strategy.max_parallel->expression().text();
    }
  }
  if (strategy.matrix_expression) {
    plan->matrix_kind = JobPlan::MatrixKind::kRunTime;
    plan->matrix_expression = strategy.matrix_expression->text();
    return Status::Ok();
  }
  if (strategy.matrix.is_null()) return Status::Ok();
  if (ContainsExpression(strategy.matrix)) {
    plan->matrix_kind = JobPlan::MatrixKind::kRunTime;
    plan->matrix_expression = FirstExpression(strategy.matrix);
    return Status::Ok();
  }
  CAIRN_ASSIGN_OR_RETURN(plan->matrix, ExpandMatrix(strategy.matrix));
  plan->matrix_kind = JobPlan::MatrixKind::kStatic;
  for (const MatrixLeg& leg : plan->matrix.legs) {
    if (job.name && !job.name->value.is_literal()) {
      plan->leg_names.push_back(EvaluatedName(job.name->value, leg, options));
    } else {
      plan->leg_names.push_back(leg.DisplayName(plan->name));
    }
  }
  return Status::Ok();
}

std::string JobList(const Workflow& workflow) {
  std::vector<std::string_view> ids;
  for (const Job& job : workflow.jobs) ids.push_back(job.id);
  return core::Join(ids, ", ");
}

Status BuildGraph(const Workflow& workflow, Plan* plan) {
  for (const Job& job : workflow.jobs) {
    Result<dag::NodeId> id = plan->graph.AddNode(job.id);
    if (!id.ok()) return job.id_location.Error(id.status().message());
  }
  for (const Job& job : workflow.jobs) {
    for (const Need& need : job.needs) {
      if (!plan->graph.Find(need.id)) {
        return need.location.Error("job '" + job.id + "' needs unknown job '" + need.id +
                                   "'; expected one of: " + JobList(workflow));
      }
      CAIRN_RETURN_IF_ERROR(plan->graph.AddEdge(need.id, job.id));
    }
  }
  std::vector<dag::NodeId> cycle = plan->graph.FindCycle();
  if (!cycle.empty()) {
    // The need that closes the cycle: the first node's need of the last one.
    const Job& first = workflow.jobs[cycle.front()];
    const std::string& last = plan->graph.name(cycle.back());
    core::Location where = first.id_location;
    for (const Need& need : first.needs) {
      if (need.id == last) where = need.location;
    }
    return where.Error("jobs depend on each other in a cycle: " + plan->graph.FormatCycle(cycle) +
                       "; expected needs without cycles");
  }
  return Status::Ok();
}

void WireOutputs(const Workflow& workflow, Plan* plan) {
  for (const Job& job : workflow.jobs) {
    for (const Site& site : JobSites(job)) {
      std::vector<std::string_view> texts = ExpressionPieces(site.text);
      if (texts.empty() && site.is_condition) texts.push_back(site.text);
      for (std::string_view text : texts) {
        for (auto& [need, output] : FindOutputReferences(text)) {
          OutputUse use{.job = job.id, .need = need, .output = output, .location = site.location};
          for (const Need& n : job.needs) {
            if (n.id == need) use.need_listed = true;
          }
          if (const Job* needed = workflow.FindJob(need)) {
            for (const NamedTemplate& o : needed->outputs) {
              if (core::EqualsIgnoreCase(o.name, output)) use.declared = true;
            }
          }
          std::string ref = "needs." + need + ".outputs." + output;
          if (!use.need_listed) {
            plan->warnings.push_back({site.location, "job '" + job.id + "' reads " + ref +
                                                         " but does not need '" + need +
                                                         "', so it reads as ''; add '" + need +
                                                         "' to its needs"});
          } else if (!use.declared) {
            plan->warnings.push_back(
                {site.location, "job '" + job.id + "' reads " + ref + " but job '" + need +
                                    "' declares no output '" + output +
                                    "', so it reads as ''; declare it under jobs." + need +
                                    ".outputs"});
          }
          plan->outputs.push_back(std::move(use));
        }
      }
    }
  }
}

core::Value StringList(const std::vector<std::string>& items) {
  core::Value list = core::Value::Sequence();
  for (const std::string& s : items) list.Append(core::Value::String(s));
  return list;
}

core::Value ConditionJson(const ConditionPlan& c) {
  core::Value v = core::Value::Mapping();
  v.Set("written", core::Value::String(c.written));
  v.Set("text", core::Value::String(c.text));
  v.Set("value", c.value ? core::Value::Bool(*c.value) : core::Value::Null());
  v.Set("run_time_reason", core::Value::String(c.run_time_reason));
  return v;
}

std::string ConditionPhrase(const ConditionPlan& c) {
  std::string phrase = c.value ? (*c.value ? "condition true" : "condition false")
                               : "condition decided at run time (" + c.run_time_reason + ")";
  return phrase + ": " + c.text;
}

std::string FormatCount(double d) { return expr::FormatNumber(d); }

}  // namespace

std::vector<std::pair<std::string, std::string>> FindOutputReferences(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> refs;
  size_t pos = 0;
  while (pos + 5 <= text.size()) {
    bool boundary = pos == 0 || (!IsIdentChar(text[pos - 1]) && text[pos - 1] != '.');
    if (!boundary || !core::EqualsIgnoreCase(text.substr(pos, 5), "needs")) {
      ++pos;
      continue;
    }
    size_t i = pos + 5;
    std::optional<std::string> need = ReadAccessor(text, &i);
    std::optional<std::string> outputs = need ? ReadAccessor(text, &i) : std::nullopt;
    std::optional<std::string> name = outputs && core::EqualsIgnoreCase(*outputs, "outputs")
                                          ? ReadAccessor(text, &i)
                                          : std::nullopt;
    if (name) {
      refs.emplace_back(*need, *name);
      pos = i;
    } else {
      pos += 5;
    }
  }
  return refs;
}

std::string PlanWarning::ToString() const {
  std::string where = location.ToString();
  return (where.empty() ? "" : where + ": ") + "warning: " + message;
}

const JobPlan* Plan::FindJob(std::string_view id) const {
  for (const JobPlan& job : jobs) {
    if (job.id == id) return &job;
  }
  return nullptr;
}

Result<Plan> MakePlan(const Workflow& workflow, const PlanOptions& options) {
  Plan plan;
  plan.file = workflow.file;
  plan.name = workflow.name ? workflow.name->value.text() : workflow.file;
  CAIRN_RETURN_IF_ERROR(BuildGraph(workflow, &plan));
  CAIRN_ASSIGN_OR_RETURN(std::vector<dag::NodeId> order, plan.graph.TopologicalOrder());
  for (dag::NodeId id : order) plan.order.push_back(plan.graph.name(id));

  for (const Job& job : workflow.jobs) {
    JobPlan jp;
    jp.id = job.id;
    jp.name = job.name ? job.name->value.text() : job.id;
    jp.job = &job;
    for (const Need& need : job.needs) jp.needs.push_back(need.id);
    jp.condition = PlanCondition(job.if_, options);
    CAIRN_RETURN_IF_ERROR(PlanStrategy(job, options, &jp));
    for (const Step& step : job.steps) {
      jp.steps.push_back({.id = step.id,
                          .display_name = StepDisplayName(step),
                          .condition = PlanCondition(step.if_, options),
                          .location = step.location});
    }
    plan.jobs.push_back(std::move(jp));
  }
  WireOutputs(workflow, &plan);
  return plan;
}

std::string Plan::ToText() const {
  std::string out = "workflow " + name + " (" + file + ")\n";
  out += "order: " + core::Join(order, ", ") + "\n";
  for (const std::string& id : order) {
    const JobPlan& job = *FindJob(id);
    out += "\njob " + job.id;
    if (job.name != job.id) out += " (" + job.name + ")";
    out += "\n";
    out +=
        "  needs: " + (job.needs.empty() ? std::string("nothing") : core::Join(job.needs, ", ")) +
        "\n";
    if (job.condition.written.empty()) {
      out +=
          job.needs.empty() ? "  if: none (runs)\n" : "  if: none (runs when its needs succeed)\n";
    } else {
      out += "  if: " + ConditionPhrase(job.condition) + "\n";
    }
    switch (job.matrix_kind) {
      case JobPlan::MatrixKind::kNone:
        break;
      case JobPlan::MatrixKind::kRunTime:
        out += "  matrix: expanded at run time from " + job.matrix_expression + "\n";
        break;
      case JobPlan::MatrixKind::kStatic:
        out += "  matrix: " + std::to_string(job.matrix.legs.size()) + " legs\n";
        for (const std::string& leg : job.leg_names) out += "    " + leg + "\n";
        break;
    }
    if (job.matrix_kind != JobPlan::MatrixKind::kNone) {
      out += "  fail-fast: " + (job.fail_fast ? std::string(*job.fail_fast ? "true" : "false")
                                              : "at run time (" + job.fail_fast_expression + ")");
      out += ", max-parallel: " + (job.max_parallel ? FormatCount(*job.max_parallel)
                                   : job.max_parallel_expression.empty()
                                       ? std::string("unlimited")
                                       : "at run time (" + job.max_parallel_expression + ")");
      out += "\n";
    }
    std::vector<std::string> fed;
    for (const OutputUse& use : outputs) {
      if (use.need == job.id) fed.push_back(use.output + " -> " + use.job);
    }
    if (!fed.empty()) out += "  outputs read: " + core::Join(fed, ", ") + "\n";
    if (!job.steps.empty()) out += "  steps:\n";
    for (size_t i = 0; i < job.steps.size(); ++i) {
      const StepPlan& step = job.steps[i];
      out += "    " + std::to_string(i + 1) + ". " + step.display_name;
      if (!step.condition.written.empty()) out += ": " + ConditionPhrase(step.condition);
      out += "\n";
    }
  }
  if (!warnings.empty()) out += "\n";
  for (const PlanWarning& w : warnings) out += w.ToString() + "\n";
  return out;
}

core::Value Plan::ToJson() const {
  core::Value root = core::Value::Mapping();
  root.Set("file", core::Value::String(file));
  root.Set("name", core::Value::String(name));
  root.Set("order", StringList(order));
  core::Value jobs_json = core::Value::Sequence();
  for (const JobPlan& job : jobs) {
    core::Value j = core::Value::Mapping();
    j.Set("id", core::Value::String(job.id));
    j.Set("name", core::Value::String(job.name));
    j.Set("needs", StringList(job.needs));
    j.Set("if", ConditionJson(job.condition));
    core::Value matrix = core::Value::Mapping();
    static constexpr std::string_view kKinds[] = {"none", "static", "run-time"};
    matrix.Set("kind", core::Value::String(std::string(kKinds[static_cast<int>(job.matrix_kind)])));
    if (job.matrix_kind == JobPlan::MatrixKind::kRunTime) {
      matrix.Set("expression", core::Value::String(job.matrix_expression));
    }
    if (job.matrix_kind == JobPlan::MatrixKind::kStatic) {
      core::Value legs = core::Value::Sequence();
      for (size_t i = 0; i < job.matrix.legs.size(); ++i) {
        core::Value leg = core::Value::Mapping();
        leg.Set("name", core::Value::String(job.leg_names[i]));
        leg.Set("matrix", job.matrix.legs[i].values);
        legs.Append(std::move(leg));
      }
      matrix.Set("legs", std::move(legs));
    }
    if (job.matrix_kind != JobPlan::MatrixKind::kNone) {
      matrix.Set("fail_fast", job.fail_fast ? core::Value::Bool(*job.fail_fast)
                                            : core::Value::String(job.fail_fast_expression));
      matrix.Set("max_parallel", job.max_parallel ? core::Value::Double(*job.max_parallel)
                                 : job.max_parallel_expression.empty()
                                     ? core::Value::Null()
                                     : core::Value::String(job.max_parallel_expression));
    }
    j.Set("matrix", std::move(matrix));
    core::Value steps = core::Value::Sequence();
    for (const StepPlan& step : job.steps) {
      core::Value s = core::Value::Mapping();
      s.Set("id", core::Value::String(step.id));
      s.Set("name", core::Value::String(step.display_name));
      s.Set("if", ConditionJson(step.condition));
      steps.Append(std::move(s));
    }
    j.Set("steps", std::move(steps));
    jobs_json.Append(std::move(j));
  }
  root.Set("jobs", std::move(jobs_json));
  core::Value outs = core::Value::Sequence();
  for (const OutputUse& use : outputs) {
    core::Value o = core::Value::Mapping();
    o.Set("job", core::Value::String(use.job));
    o.Set("need", core::Value::String(use.need));
    o.Set("output", core::Value::String(use.output));
    o.Set("location", core::Value::String(use.location.ToString()));
    o.Set("need_listed", core::Value::Bool(use.need_listed));
    o.Set("declared", core::Value::Bool(use.declared));
    outs.Append(std::move(o));
  }
  root.Set("outputs", std::move(outs));
  core::Value warns = core::Value::Sequence();
  for (const PlanWarning& w : warnings) warns.Append(core::Value::String(w.ToString()));
  root.Set("warnings", std::move(warns));
  return root;
}

}  // namespace cairn::workflow
