// The model builder: the workflow level and the pieces shared by jobs and steps.
#include "workflow/build.h"

#include <cctype>
#include <string>
#include <utility>

#include "core/strings.h"
#include "workflow/schema.h"
#include "workflow/trigger.h"

namespace cairn::workflow {
namespace {

ContextList SchemaContexts(std::string_view type) {
  ContextList out;
  if (const schema::Definition* d = schema::Find(type)) out = d->context;
  return out;
}

bool HasExpression(const core::Value& node) {
  return node.is_string() && node.AsString().find("${{") != std::string::npos;
}

}  // namespace

TemplateValue Builder::Tpl(const core::Value& node) {
  TemplateValue out;
  out.location = node.location();
  expr::Allowed allowed = ToAllowed(reader_.ContextsOf(node));
  auto parsed = expr::Template::Parse(ScalarText(node), allowed);
  if (parsed.ok()) {
    out.value = std::move(*parsed);
  } else {
    errors_->Add(node.location(), WithAvailable(parsed.status().message(), allowed));
  }
  return out;
}

std::optional<TemplateValue> Builder::OptTpl(const core::Value* node) {
  if (node == nullptr) return std::nullopt;
  return Tpl(*node);
}

ConditionValue Builder::Cond(const core::Value* node, std::string_view type) {
  ConditionValue out;
  ContextList contexts = node != nullptr ? reader_.ContextsOf(*node) : SchemaContexts(type);
  if (contexts.empty()) contexts = SchemaContexts(type);
  if (node != nullptr) {
    out.written = ScalarText(*node);
    out.location = node->location();
  }
  expr::Allowed allowed = ToAllowed(contexts);
  auto parsed = expr::Condition::Parse(core::Trim(out.written), allowed);
  if (parsed.ok()) {
    out.value = std::move(*parsed);
  } else {
    errors_->Add(out.location, WithAvailable(parsed.status().message(), allowed));
  }
  return out;
}

TemplateMap Builder::Map(const core::Value* node) {
  TemplateMap out;
  if (node == nullptr || !node->is_mapping()) return out;
  for (const core::Member& m : node->members()) {
    out.push_back(NamedTemplate{m.key, m.key_location, Tpl(m.value)});
  }
  return out;
}

std::optional<LiteralOr<bool>> Builder::Bool(const core::Value* node) {
  if (node == nullptr) return std::nullopt;
  LiteralOr<bool> out;
  out.location = node->location();
  if (node->is_bool()) {
    out.value = node->AsBool();
  } else if (HasExpression(*node)) {
    out.value = Tpl(*node).value;
  } else {
    out.value = false;
  }
  return out;
}

std::optional<LiteralOr<double>> Builder::Number(const core::Value* node) {
  if (node == nullptr) return std::nullopt;
  LiteralOr<double> out;
  out.location = node->location();
  if (node->is_number()) {
    out.value = node->AsDouble();
  } else if (HasExpression(*node)) {
    out.value = Tpl(*node).value;
  } else {
    out.value = 0.0;
  }
  return out;
}

RunDefaults Builder::Defaults(const core::Value* node) {
  RunDefaults out;
  if (node == nullptr || !node->is_mapping()) return out;
  const core::Value* run = node->Find("run");
  if (run == nullptr || !run->is_mapping()) return out;
  out.shell = OptTpl(run->Find("shell"));
  out.working_directory = OptTpl(run->Find("working-directory"));
  return out;
}

std::optional<Concurrency> Builder::BuildConcurrency(const core::Value* node) {
  if (node == nullptr) return std::nullopt;
  Concurrency out;
  out.location = node->location();
  if (node->is_mapping()) {
    if (const core::Value* group = node->Find("group")) out.group = Tpl(*group);
    out.cancel_in_progress = Bool(node->Find("cancel-in-progress"));
  } else {
    out.group = Tpl(*node);
  }
  return out;
}

void Builder::BuildWorkflow(const core::Value& root, Workflow* workflow) {
  if (!root.is_mapping()) return;
  const core::Value* jobs_node = nullptr;
  bool has_on = false;
  for (const core::Member& m : root.members()) {
    const core::Value& v = m.value;
    if (m.key == "name") {
      workflow->name = Tpl(v);
    } else if (m.key == "run-name") {
      workflow->run_name = Tpl(v);
    } else if (m.key == "on") {
      has_on = true;
      auto triggers = ParseTriggers(v);
      if (triggers.ok()) {
        workflow->triggers = std::move(*triggers);
      } else {
        errors_->AddStatus(triggers.status());
      }
      workflow->workflow_call = BuildWorkflowCall(v);
    } else if (m.key == "env") {
      workflow->env = Map(&v);
    } else if (m.key == "defaults") {
      workflow->defaults = Defaults(&v);
    } else if (m.key == "permissions") {
      workflow->permissions = Permissions{v};
    } else if (m.key == "concurrency") {
      workflow->concurrency = BuildConcurrency(&v);
    } else if (m.key == "jobs") {
      jobs_node = &v;
    }
  }
  if (!has_on) errors_->Add(root.location(), "Required property is missing: on");
  if (jobs_node == nullptr || !jobs_node->is_mapping()) return;
  for (const core::Member& m : jobs_node->members()) {
    workflow->jobs.push_back(BuildJob(m));
  }
  CheckNeeds(*jobs_node, workflow->jobs);
  for (Job& job : workflow->jobs) {
    if (job.uses) LoadCalled(&job);
  }
}

std::optional<WorkflowCall> Builder::BuildWorkflowCall(const core::Value& on) {
  const core::Value* call = nullptr;
  if (on.is_mapping()) {
    const core::Member* member = on.FindMember("workflow_call");
    if (member == nullptr) return std::nullopt;
    call = &member->value;
  } else if (on.is_string()) {
    if (on.AsString() != "workflow_call") return std::nullopt;
  } else if (on.is_sequence()) {
    bool found = false;
    for (const core::Value& item : on.items()) {
      if (item.is_string() && item.AsString() == "workflow_call") found = true;
    }
    if (!found) return std::nullopt;
  }
  WorkflowCall out;
  out.location = call != nullptr ? call->location() : on.location();
  if (call == nullptr || !call->is_mapping()) return out;
  if (const core::Value* inputs = call->Find("inputs"); inputs && inputs->is_mapping()) {
    for (const core::Member& m : inputs->members()) {
      CallInput input;
      input.name = m.key;
      input.location = m.key_location;
      if (const core::Value* type = m.value.Find("type"); type && type->is_string()) {
        input.type = type->AsString();
      }
      if (const core::Value* required = m.value.Find("required"); required && required->is_bool()) {
        input.required = required->AsBool();
      }
      if (const core::Value* def = m.value.Find("default")) input.default_value = *def;
      out.inputs.push_back(std::move(input));
    }
  }
  if (const core::Value* secrets = call->Find("secrets"); secrets && secrets->is_mapping()) {
    for (const core::Member& m : secrets->members()) {
      CallSecret secret;
      secret.name = m.key;
      secret.location = m.key_location;
      if (const core::Value* required = m.value.Find("required"); required && required->is_bool()) {
        secret.required = required->AsBool();
      }
      out.secrets.push_back(std::move(secret));
    }
  }
  if (const core::Value* outputs = call->Find("outputs"); outputs && outputs->is_mapping()) {
    for (const core::Member& m : outputs->members()) {
      if (const core::Value* value = m.value.Find("value")) {
        out.outputs.push_back(CallOutput{m.key, Tpl(*value)});
      }
    }
  }
  return out;
}

}  // namespace cairn::workflow
