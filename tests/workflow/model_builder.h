// Test helper: builds the Workflow model (workflow/model.h) from YAML for the plan tests,
// reading only the keys MakePlan reads, with the locations the parser gives (a job at its key, a
// step at its mapping, a need at its value). It validates nothing, unlike ParseWorkflow (see
// parsed.h), so short snippets need no `on:` or `runs-on:`, and MakePlan's own checks (unknown
// needs, cycles) can be reached with models the parser would refuse.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/yaml.h"
#include "expr/expr.h"
#include "workflow/model.h"
#include "workflow/trigger.h"

namespace cairn::workflow::testing {

inline const expr::Allowed& JobIfAllowed() {
  static const std::string_view kEntries[] = {"github",         "needs",         "vars",
                                              "inputs",         "always(0,0)",   "failure(0,MAX)",
                                              "cancelled(0,0)", "success(0,MAX)"};
  static const expr::Allowed allowed = expr::Allowed::FromSchema(kEntries);
  return allowed;
}

inline const expr::Allowed& StepAllowed() {
  static const std::string_view kEntries[] = {
      "github",       "needs",          "strategy",     "matrix",
      "secrets",      "steps",          "job",          "runner",
      "env",          "vars",           "inputs",       "always(0,0)",
      "failure(0,0)", "cancelled(0,0)", "success(0,0)", "hashFiles(1,255)"};
  static const expr::Allowed allowed = expr::Allowed::FromSchema(kEntries);
  return allowed;
}

inline std::string ScalarText(const core::Value& v) {
  return v.is_string() ? v.AsString() : v.raw();
}

inline TemplateValue Tmpl(const core::Value& v) {
  core::Result<expr::Template> t = expr::Template::Parse(ScalarText(v), StepAllowed());
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return TemplateValue{t.ok() ? *t : *expr::Template::Parse("", StepAllowed()), v.location()};
}

inline ConditionValue Cond(const core::Value* v, const core::Location& fallback,
                           const expr::Allowed& allowed) {
  std::string text = v != nullptr ? ScalarText(*v) : "";
  core::Result<expr::Condition> c = expr::Condition::Parse(text, allowed);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return ConditionValue{c.ok() ? *c : *expr::Condition::Parse("", allowed), text,
                        v != nullptr ? v->location() : fallback};
}

inline TemplateMap Map(const core::Value* v) {
  TemplateMap map;
  if (v == nullptr) return map;
  for (const core::Member& m : v->members()) map.push_back({m.key, m.key_location, Tmpl(m.value)});
  return map;
}

template <typename T>
std::optional<LiteralOr<T>> Lit(const core::Value* v) {
  if (v == nullptr) return std::nullopt;
  LiteralOr<T> out{.value = T{}, .location = v->location()};
  if (v->is_string()) {
    out.value = Tmpl(*v).value;
  } else if constexpr (std::is_same_v<T, bool>) {
    out.value = v->AsBool();
  } else {
    out.value = v->AsDouble();
  }
  return out;
}

inline UsesRef Uses(const core::Value& v) {
  UsesRef ref;
  ref.text = v.AsString();
  ref.location = v.location();
  std::string_view s = ref.text;
  size_t at = s.find('@');
  std::string_view path = s.substr(0, at);
  if (at != std::string_view::npos) ref.ref = std::string(s.substr(at + 1));
  size_t slash = path.find('/');
  ref.owner = std::string(path.substr(0, slash));
  if (slash != std::string_view::npos) {
    std::string_view rest = path.substr(slash + 1);
    size_t slash2 = rest.find('/');
    ref.repo = std::string(rest.substr(0, slash2));
    if (slash2 != std::string_view::npos) ref.path = std::string(rest.substr(slash2 + 1));
  }
  return ref;
}

inline Step BuildStep(const core::Value& v, size_t index) {
  Step step;
  step.location = v.location();
  if (const core::Value* id = v.Find("id")) {
    step.id = id->AsString();
  } else {
    step.id = "__step" + std::to_string(index);
    step.id_generated = true;
  }
  if (const core::Value* name = v.Find("name")) step.name = Tmpl(*name);
  step.if_ = Cond(v.Find("if"), v.location(), StepAllowed());
  if (const core::Value* run = v.Find("run")) step.run = Tmpl(*run);
  if (const core::Value* uses = v.Find("uses")) step.uses = Uses(*uses);
  step.with = Map(v.Find("with"));
  step.env = Map(v.Find("env"));
  return step;
}

inline Job BuildJob(const core::Member& m) {
  Job job;
  const core::Value& v = m.value;
  job.id = m.key;
  job.id_location = m.key_location;
  job.location = v.location();
  if (const core::Value* name = v.Find("name")) job.name = Tmpl(*name);
  if (const core::Value* needs = v.Find("needs")) {
    if (needs->is_string()) job.needs.push_back({needs->AsString(), needs->location()});
    for (const core::Value& n : needs->items()) job.needs.push_back({n.AsString(), n.location()});
  }
  job.if_ = Cond(v.Find("if"), v.location(), JobIfAllowed());
  if (const core::Value* runs_on = v.Find("runs-on")) job.runs_on = *runs_on;
  job.timeout_minutes = Lit<double>(v.Find("timeout-minutes"));
  if (const core::Value* env = v.Find("environment")) {
    const core::Value* name = env->is_mapping() ? env->Find("name") : env;
    job.environment = Environment{Tmpl(*name), std::nullopt, env->location()};
  }
  job.env = Map(v.Find("env"));
  job.outputs = Map(v.Find("outputs"));
  if (const core::Value* s = v.Find("strategy")) {
    Strategy strategy;
    strategy.location = s->location();
    if (const core::Value* matrix = s->Find("matrix")) {
      if (matrix->is_string()) {
        strategy.matrix_expression = Tmpl(*matrix).value;
      } else {
        strategy.matrix = *matrix;
      }
    }
    strategy.fail_fast = Lit<bool>(s->Find("fail-fast"));
    strategy.max_parallel = Lit<double>(s->Find("max-parallel"));
    job.strategy = std::move(strategy);
  }
  if (const core::Value* uses = v.Find("uses")) job.uses = Uses(*uses);
  if (const core::Value* steps = v.Find("steps")) {
    for (size_t i = 0; i < steps->items().size(); ++i) {
      job.steps.push_back(BuildStep(steps->items()[i], i));
    }
  }
  return job;
}

/// The Workflow `text` describes; fails the test (and returns an empty one) on bad YAML.
inline Workflow BuildWorkflow(std::string_view text, std::string_view file = "ci.yml") {
  Workflow wf;
  wf.file = std::string(file);
  core::Result<core::Value> doc = core::ParseYaml(text, file);
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  if (!doc.ok()) return wf;
  if (const core::Value* name = doc->Find("name")) wf.name = Tmpl(*name);
  if (const core::Value* on = doc->Find("on")) {
    core::Result<Triggers> triggers = ParseTriggers(*on);
    EXPECT_TRUE(triggers.ok()) << triggers.status().ToString();
    if (triggers.ok()) wf.triggers = *triggers;
  }
  if (const core::Value* jobs = doc->Find("jobs")) {
    for (const core::Member& m : jobs->members()) wf.jobs.push_back(BuildJob(m));
  }
  return wf;
}

}  // namespace cairn::workflow::testing
