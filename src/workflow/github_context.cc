// The `github` and `inputs` contexts of an event (see github_context.h).
#include "workflow/github_context.h"

#include <fmt/format.h>

#include <string>
#include <utility>
#include <vector>

#include "core/strings.h"

namespace cairn::workflow {
namespace {

using expr::Value;

std::string PayloadString(const core::Value& payload, std::string_view object,
                          std::string_view key) {
  const core::Value* o = payload.Find(object);
  const core::Value* v = o ? o->Find(key) : nullptr;
  return v && v->is_string() ? v->AsString() : std::string();
}

// The input's value for the `inputs` context, from the text given on the command line.
core::Result<Value> TypedInput(const InputSpec& spec, std::string_view given) {
  switch (spec.type) {
    case InputType::kBoolean:
      if (given == "true") return Value::Boolean(true);
      if (given == "false") return Value::Boolean(false);
      return core::Status::InvalidArgument(
          fmt::format("input '{}' is a boolean: expected true or false, got '{}'", spec.id, given));
    case InputType::kNumber: {
      std::optional<double> d = core::ParseDouble(core::Trim(given));
      if (!d) {
        return core::Status::InvalidArgument(
            fmt::format("input '{}' is a number: expected a number, got '{}'", spec.id, given));
      }
      return Value::Number(*d);
    }
    case InputType::kChoice:
      for (const std::string& option : spec.options) {
        if (option == given) return Value::String(std::string(given));
      }
      return core::Status::InvalidArgument(
          fmt::format("input '{}' is a choice: expected one of {}, got '{}'", spec.id,
                      core::Join(spec.options, ", "), given));
    case InputType::kString:
    case InputType::kEnvironment:
      break;
  }
  return Value::String(std::string(given));
}

// A default as written in YAML, as the `inputs` context holds it.
Value DefaultValue(const InputSpec& spec, const core::Value& written) {
  if (spec.type == InputType::kBoolean && written.is_bool())
    return Value::Boolean(written.AsBool());
  if (spec.type == InputType::kNumber && written.is_number()) {
    return Value::Number(written.AsDouble());
  }
  if (written.is_null()) return Value::String("");
  return Value::String(written.is_scalar() ? written.raw() : std::string());
}

}  // namespace

Value GithubContext(const Event& event, const GithubContextOptions& options) {
  std::string repository = options.repository;
  if (repository.empty()) repository = PayloadString(event.payload, "repository", "full_name");
  std::string owner = repository.substr(0, repository.find('/'));
  std::string ref_type = event.IsBranch() ? "branch" : event.IsTag() ? "tag" : "";
  std::vector<std::pair<std::string, Value>> m = {
      {"event_name", Value::String(event.name)},
      {"event", Value::FromCore(event.payload)},
      {"sha", Value::String(event.sha)},
      {"ref", Value::String(event.ref)},
      {"ref_name",
       Value::String(event.name.starts_with("pull_request") ? fmt::format("{}/merge", event.number)
                                                            : event.RefName())},
      {"ref_type", Value::String(ref_type)},
      {"head_ref", Value::String(event.head_ref)},
      {"base_ref", Value::String(event.base_ref)},
      {"repository", Value::String(repository)},
      {"repository_owner", Value::String(owner)},
      {"actor", Value::String(options.actor.empty() ? "cairn" : options.actor)},
      {"triggering_actor", Value::String(options.actor.empty() ? "cairn" : options.actor)},
      {"workflow", Value::String(options.workflow)},
      {"workspace", Value::String(options.workspace)},
      {"server_url", Value::String("https://github.com")},
      {"api_url", Value::String("https://api.github.com")},
      {"graphql_url", Value::String("https://api.github.com/graphql")},
  };
  return Value::Object(std::move(m));
}

core::Result<Value> InputsContext(const Triggers& triggers, const Event& event) {
  const EventTrigger* dispatch = triggers.Find("workflow_dispatch");
  std::vector<std::pair<std::string, Value>> members;
  const std::vector<InputSpec> none;
  const std::vector<InputSpec>& specs =
      dispatch && dispatch->workflow_dispatch ? dispatch->workflow_dispatch->inputs : none;
  for (const auto& [name, given] : event.inputs) {
    bool known = false;
    for (const InputSpec& spec : specs) known = known || spec.id == name;
    if (!known && event.name == "workflow_dispatch") {
      return core::Status::InvalidArgument(fmt::format(
          "--input {}: the workflow declares no input '{}' (on.workflow_dispatch."
          "inputs has {})",
          name, name, specs.empty() ? std::string("none") : [&] {
            std::vector<std::string> ids;
            for (const InputSpec& s : specs) ids.push_back(s.id);
            return core::Join(ids, ", ");
          }()));
    }
  }
  if (event.name != "workflow_dispatch") return Value::Object(std::move(members));
  for (const InputSpec& spec : specs) {
    const std::string* given = nullptr;
    for (const auto& [name, value] : event.inputs) {
      if (name == spec.id) given = &value;
    }
    if (given) {
      CAIRN_ASSIGN_OR_RETURN(Value v, TypedInput(spec, *given));
      members.emplace_back(spec.id, std::move(v));
    } else if (spec.default_value) {
      members.emplace_back(spec.id, DefaultValue(spec, *spec.default_value));
    } else if (spec.required) {
      return core::Status::InvalidArgument(fmt::format(
          "input '{}' is required (on.workflow_dispatch.inputs.{} at {}): give --input {}=VALUE",
          spec.id, spec.id, spec.location.ToString(), spec.id));
    } else {
      members.emplace_back(
          spec.id, spec.type == InputType::kBoolean ? Value::Boolean(false) : Value::String(""));
    }
  }
  return Value::Object(std::move(members));
}

core::Result<expr::Contexts> EventContexts(const Triggers& triggers, const Event& event,
                                           const GithubContextOptions& options) {
  expr::Contexts contexts;
  contexts.Set("github", GithubContext(event, options));
  CAIRN_ASSIGN_OR_RETURN(Value inputs, InputsContext(triggers, event));
  contexts.Set("inputs", std::move(inputs));
  contexts.Set("vars", Value::Object({}));
  return contexts;
}

}  // namespace cairn::workflow
