// run_eval: evaluating the model's values for the runner (templates, LiteralOr keys, YAML
// values with `${{ }}` inside, such as a matrix or runs-on). Pure functions: thread-safe.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "workflow/run_internal.h"

namespace cairn::workflow::internal {

const expr::Allowed& AnyKeyAllowed() {
  static const std::string_view kEntries[] = {"github",
                                              "needs",
                                              "strategy",
                                              "matrix",
                                              "secrets",
                                              "steps",
                                              "job",
                                              "jobs",
                                              "runner",
                                              "env",
                                              "vars",
                                              "inputs",
                                              "always(0,0)",
                                              "failure(0,MAX)",
                                              "cancelled(0,0)",
                                              "success(0,MAX)",
                                              "hashFiles(1,255)"};
  static const expr::Allowed allowed = expr::Allowed::FromSchema(kEntries);
  return allowed;
}

std::string AtLocation(const core::Location& location, std::string_view message) {
  std::string where = location.ToString();
  if (where.empty()) return std::string(message);
  return where + ": " + std::string(message);
}

core::Result<expr::Value> EvalTemplate(const TemplateValue& value, const expr::Contexts& contexts) {
  core::Result<expr::Value> v = value.value.Evaluate({.contexts = &contexts});
  if (!v.ok())
    return core::Status(v.status().code(), AtLocation(value.location, v.status().message()));
  return v;
}

core::Result<bool> EvalBool(const std::optional<LiteralOr<bool>>& value, bool fallback,
                            const expr::Contexts& contexts) {
  if (!value) return fallback;
  if (value->is_literal()) return value->literal();
  core::Result<expr::Value> v = value->expression().Evaluate({.contexts = &contexts});
  if (!v.ok())
    return core::Status(v.status().code(), AtLocation(value->location, v.status().message()));
  if (v->kind() == expr::Kind::kString) {
    std::string s = core::ToLower(v->AsString());
    if (s == "true") return true;
    if (s == "false" || s.empty()) return false;
  }
  return v->Truthy();
}

core::Result<double> EvalNumber(const std::optional<LiteralOr<double>>& value, double fallback,
                                const expr::Contexts& contexts) {
  if (!value) return fallback;
  if (value->is_literal()) return value->literal();
  core::Result<expr::Value> v = value->expression().Evaluate({.contexts = &contexts});
  if (!v.ok())
    return core::Status(v.status().code(), AtLocation(value->location, v.status().message()));
  return v->ToNumber();
}

core::Result<core::Value> EvalYaml(const core::Value& value, const expr::Contexts& contexts) {
  if (value.is_string()) {
    if (value.AsString().find("${{") == std::string::npos) return value;
    core::Result<expr::Template> t = expr::Template::Parse(value.AsString(), AnyKeyAllowed());
    if (!t.ok()) return value.location().Error(t.status().message());
    core::Result<expr::Value> v = t->Evaluate({.contexts = &contexts});
    if (!v.ok()) return value.location().Error(v.status().message());
    core::Value out = v->ToCore();
    out.set_location(value.location());
    return out;
  }
  if (value.is_sequence()) {
    core::Value out = value;
    for (core::Value& item : out.mutable_items()) {
      CAIRN_ASSIGN_OR_RETURN(item, EvalYaml(item, contexts));
    }
    return out;
  }
  if (value.is_mapping()) {
    core::Value out = value;
    for (core::Member& m : out.mutable_members()) {
      CAIRN_ASSIGN_OR_RETURN(m.value, EvalYaml(m.value, contexts));
    }
    return out;
  }
  return value;
}

expr::Value WithMembers(const expr::Value& object,
                        std::vector<std::pair<std::string, expr::Value>> members) {
  std::vector<std::pair<std::string, expr::Value>> all;
  if (object.kind() == expr::Kind::kObject) all = object.AsObject();
  for (auto& m : members) all.push_back(std::move(m));
  return expr::Value::Object(std::move(all));  // a later duplicate replaces the earlier value
}

}  // namespace cairn::workflow::internal
