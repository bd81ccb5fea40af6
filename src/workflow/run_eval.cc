// run_eval: evaluating the model's values for the runner (templates, LiteralOr keys, YAML
// values with `${{ }}` inside, such as a matrix or runs-on). Pure functions: thread-safe.
#include <cmath>
#include <cstdint>
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

namespace {

// `${{ insert }}` as a whole key (the parser checked it stands alone and takes no parameters).
bool IsInsertKey(std::string_view key) {
  std::string_view t = core::Trim(key);
  if (t.size() < 5 || t.substr(0, 3) != "${{" || t.substr(t.size() - 2) != "}}") return false;
  return core::Trim(t.substr(3, t.size() - 5)) == "insert";
}

// An expression's value as a YAML node: numbers keep their kind (a whole number prints as an
// integer, as `3` would have been written), every node carries `location` (the expression's).
core::Value FromExpr(const expr::Value& v, const core::Location& location) {
  core::Value out;
  switch (v.kind()) {
    case expr::Kind::kNumber: {
      double d = v.AsNumber();
      if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9007199254740992.0) {
        out = core::Value::Int(static_cast<int64_t>(d));
      } else {
        out = core::Value::Double(d);
      }
      break;
    }
    case expr::Kind::kArray:
      out = core::Value::Sequence();
      for (const expr::Value& item : v.AsArray()) out.Append(FromExpr(item, location));
      break;
    case expr::Kind::kObject:
      out = core::Value::Mapping();
      for (const auto& [k, m] : v.AsObject()) out.AppendMember(k, FromExpr(m, location), location);
      break;
    default:
      out = v.ToCore();
      break;
  }
  out.set_location(location);
  return out;
}

bool HasExpression(const core::Value& value) {
  return value.is_string() && value.AsString().find("${{") != std::string::npos;
}

core::Result<expr::Value> EvalText(std::string_view text, const core::Location& location,
                                   const expr::Contexts& contexts) {
  core::Result<expr::Template> t = expr::Template::Parse(text, AnyKeyAllowed());
  if (!t.ok()) return location.Error(t.status().message());
  core::Result<expr::Value> v = t->Evaluate({.contexts = &contexts});
  if (!v.ok()) return location.Error(v.status().message());
  return v;
}

// Adds a member as GitHub's evaluator does: a key defined twice (case-insensitively, whether
// written, evaluated or inserted) is an error at the second key.
core::Status AddMember(core::Value& mapping, std::string key, const core::Location& key_location,
                       core::Value value) {
  const std::string upper = core::ToUpper(key);
  for (const core::Member& m : mapping.members()) {
    if (core::ToUpper(m.key) == upper)
      return key_location.Error("'" + key + "' is already defined");
  }
  mapping.AppendMember(std::move(key), std::move(value), key_location);
  return core::Status::Ok();
}

}  // namespace

core::Result<core::Value> EvalYaml(const core::Value& value, const expr::Contexts& contexts) {
  if (value.is_string()) {
    if (!HasExpression(value)) return value;
    CAIRN_ASSIGN_OR_RETURN(expr::Value v, EvalText(value.AsString(), value.location(), contexts));
    return FromExpr(v, value.location());
  }
  if (value.is_sequence()) {
    // An item that is an expression evaluating to an array is spliced in: its items take its
    // place.
    core::Value out = core::Value::Sequence();
    out.set_location(value.location());
    for (const core::Value& item : value.items()) {
      CAIRN_ASSIGN_OR_RETURN(core::Value v, EvalYaml(item, contexts));
      if (HasExpression(item) && v.is_sequence()) {
        for (core::Value& inner : v.mutable_items()) out.Append(std::move(inner));
      } else {
        out.Append(std::move(v));
      }
    }
    return out;
  }
  if (value.is_mapping()) {
    core::Value out = core::Value::Mapping();
    out.set_location(value.location());
    for (const core::Member& m : value.members()) {
      if (IsInsertKey(m.key)) {
        // `${{ insert }}: <mapping>`: the mapping's members join this one.
        CAIRN_ASSIGN_OR_RETURN(core::Value inserted, EvalYaml(m.value, contexts));
        if (!inserted.is_mapping()) {
          return m.value.location().Error(
              "the value of '${{ insert }}' must be a mapping (or an expression evaluating to an "
              "object), got " +
              std::string(core::KindPhrase(inserted.kind())));
        }
        for (core::Member& im : inserted.mutable_members()) {
          CAIRN_RETURN_IF_ERROR(AddMember(
              out, std::move(im.key), im.key_location.known() ? im.key_location : m.key_location,
              std::move(im.value)));
        }
        continue;
      }
      std::string key = m.key;
      if (m.key.find("${{") != std::string::npos) {
        // A key that is an expression is evaluated to a string key.
        CAIRN_ASSIGN_OR_RETURN(expr::Value k, EvalText(m.key, m.key_location, contexts));
        if (k.kind() == expr::Kind::kArray || k.kind() == expr::Kind::kObject) {
          return m.key_location.Error(
              "a mapping key expression must evaluate to a string, got " +
              std::string(k.kind() == expr::Kind::kArray ? "an array" : "an object"));
        }
        key = k.ToString();
        if (key.empty()) {
          return m.key_location.Error("the mapping key '" + m.key +
                                      "' evaluated to an empty string");
        }
      }
      CAIRN_ASSIGN_OR_RETURN(core::Value v, EvalYaml(m.value, contexts));
      CAIRN_RETURN_IF_ERROR(AddMember(out, std::move(key), m.key_location, std::move(v)));
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
