// The model builder: jobs, their `needs` graph, strategy, runs-on, containers, and the
// reusable workflows they call.
#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "core/path.h"
#include "core/strings.h"
#include "dag/dag.h"
#include "workflow/build.h"

namespace cairn::workflow {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool HasExpression(const core::Value& node) {
  return node.is_string() && node.AsString().find("${{") != std::string::npos;
}

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

std::optional<std::string> CheckIdentifier(std::string_view id) {
  bool valid = !id.empty() && id.size() < 100 && (IsAlpha(id[0]) || id[0] == '_');
  for (char c : id) {
    if (!IsAlpha(c) && !IsDigit(c) && c != '_' && c != '-') valid = false;
  }
  if (!valid) {
    return "The identifier '" + std::string(id) +
           "' is invalid. IDs may only contain alphanumeric characters, '_', and '-'. IDs must "
           "start with a letter or '_' and and must be less than 100 characters.";
  }
  if (id.substr(0, 2) == "__") {
    return "The identifier '" + std::string(id) +
           "' is invalid. IDs starting with '__' are reserved.";
  }
  return std::nullopt;
}

Job Builder::BuildJob(const core::Member& member) {
  Job job;
  job.id = member.key;
  job.id_location = member.key_location;
  const core::Value& v = member.value;
  job.location = v.location();
  if (auto error = CheckIdentifier(job.id)) errors_->Add(member.key_location, *error);
  if (!v.is_mapping()) return job;
  for (const core::Member& m : v.members()) {
    const core::Value& value = m.value;
    const std::string& key = m.key;
    if (key == "name") {
      job.name = Tpl(value);
    } else if (key == "needs") {
      if (value.is_string()) {
        job.needs.push_back(Need{value.AsString(), value.location()});
      } else {
        for (const core::Value& item : value.items()) {
          if (item.is_string()) job.needs.push_back(Need{item.AsString(), item.location()});
        }
      }
    } else if (key == "runs-on") {
      job.runs_on = value;
      CheckRunsOn(value);
    } else if (key == "timeout-minutes") {
      job.timeout_minutes = Number(&value);
    } else if (key == "cancel-timeout-minutes") {
      job.cancel_timeout_minutes = Number(&value);
    } else if (key == "continue-on-error") {
      job.continue_on_error = Bool(&value);
    } else if (key == "container") {
      job.container = BuildContainer(value, "");
    } else if (key == "services") {
      for (const core::Member& s : value.members()) {
        if (auto c = BuildContainer(s.value, s.key)) job.services.push_back(std::move(*c));
      }
    } else if (key == "env") {
      job.env = Map(&value);
    } else if (key == "environment") {
      Environment env;
      env.location = value.location();
      if (value.is_mapping()) {
        if (const core::Value* name = value.Find("name")) env.name = Tpl(*name);
        env.url = OptTpl(value.Find("url"));
      } else {
        env.name = Tpl(value);
      }
      job.environment = std::move(env);
    } else if (key == "permissions") {
      job.permissions = Permissions{value};
    } else if (key == "concurrency") {
      job.concurrency = BuildConcurrency(&value);
    } else if (key == "outputs") {
      job.outputs = Map(&value);
    } else if (key == "defaults") {
      job.defaults = Defaults(&value);
    } else if (key == "steps") {
      job.steps = BuildSteps(value);
    } else if (key == "strategy") {
      Strategy strategy;
      strategy.location = value.location();
      if (value.is_mapping()) {
        if (const core::Value* matrix = value.Find("matrix")) {
          strategy.matrix = *matrix;
          if (HasExpression(*matrix)) {
            strategy.matrix_expression = Tpl(*matrix).value;
          } else {
            CheckMatrix(*matrix);
          }
        }
        strategy.fail_fast = Bool(value.Find("fail-fast"));
        strategy.max_parallel = Number(value.Find("max-parallel"));
      } else if (HasExpression(value)) {
        strategy.matrix_expression = Tpl(value).value;
      }
      job.strategy = std::move(strategy);
    } else if (key == "uses") {
      job.uses = ParseUses(value, true, errors_);
    } else if (key == "with") {
      job.with = Map(&value);
      with_nodes_[job.id] = &value;
    } else if (key == "secrets") {
      CallerSecrets secrets;
      secrets.location = value.location();
      if (value.is_string() && value.AsString() == "inherit") {
        secrets.inherit = true;
      } else {
        secrets.values = Map(&value);
      }
      job.secrets = std::move(secrets);
    }
  }
  job.if_ = Cond(v.Find("if"), "job-if");
  return job;
}

void Builder::CheckRunsOn(const core::Value& node) {
  if (!node.is_mapping()) return;
  const core::Value* group = node.Find("group");
  if (group == nullptr || !group->is_string() || HasExpression(*group)) return;
  const std::string& name = group->AsString();
  std::vector<std::string_view> parts = core::Split(name, '/');
  std::string prefix_error = "Invalid runs-on group name '" + name +
                             "'. Please use 'organization/' or 'enterprise/' prefix to target a "
                             "single runner group.";
  if (parts.size() == 2) {
    static const std::vector<std::string_view> kPrefixes = {"org", "organization", "ent",
                                                            "enterprise"};
    if (std::find(kPrefixes.begin(), kPrefixes.end(), parts[0]) == kPrefixes.end()) {
      errors_->Add(group->location(), prefix_error);
    } else if (parts[1].empty()) {
      errors_->Add(group->location(), "Invalid runs-on group name '" + name + "'.");
    }
  } else if (parts.size() > 2) {
    errors_->Add(group->location(), prefix_error);
  }
}

void Builder::CheckMatrix(const core::Value& matrix) {
  if (!matrix.is_mapping()) return;
  for (const core::Member& m : matrix.members()) {
    if (m.key == "include" || m.key == "exclude") continue;
    if (m.key.find("${{") != std::string::npos) continue;
    if (m.value.is_sequence() && m.value.items().empty()) {
      errors_->Add(m.value.location(), "Matrix vector '" + m.key + "' does not contain any values");
    }
  }
}

std::optional<Container> Builder::BuildContainer(const core::Value& node, std::string id) {
  Container out;
  out.id = std::move(id);
  out.raw = node;
  out.location = node.location();
  if (HasExpression(node)) {
    out.image = Tpl(node);
    return out;
  }
  if (node.is_string()) {
    if (node.AsString().empty()) {
      errors_->Add(node.location(), "Container image cannot be empty");
      return std::nullopt;
    }
    out.image = Tpl(node);
    return out;
  }
  if (!node.is_mapping()) return std::nullopt;
  const core::Value* image = node.Find("image");
  if (image == nullptr || (image->is_string() && image->AsString().empty())) {
    errors_->Add(node.location(), "Container image cannot be empty");
    return std::nullopt;
  }
  out.image = Tpl(*image);
  out.options = OptTpl(node.Find("options"));
  out.env = Map(node.Find("env"));
  if (const core::Value* ports = node.Find("ports")) {
    for (const core::Value& p : ports->items()) out.ports.push_back(Tpl(p));
  }
  if (const core::Value* volumes = node.Find("volumes")) {
    for (const core::Value& p : volumes->items()) out.volumes.push_back(Tpl(p));
  }
  if (const core::Value* credentials = node.Find("credentials");
      credentials && credentials->is_mapping()) {
    out.username = OptTpl(credentials->Find("username"));
    out.password = OptTpl(credentials->Find("password"));
  }
  return out;
}

void Builder::CheckNeeds(const core::Value& jobs_node, const std::vector<Job>& jobs) {
  bool any_root =
      std::any_of(jobs.begin(), jobs.end(), [](const Job& j) { return j.needs.empty(); });
  if (!any_root) {
    errors_->Add(jobs_node.location(),
                 "The workflow must contain at least one job with no dependencies.");
    return;
  }
  dag::Graph graph;
  for (const Job& job : jobs) (void)graph.AddNode(job.id);
  for (const Job& job : jobs) {
    for (const Need& need : job.needs) {
      if (!graph.Find(need.id)) {
        errors_->Add(need.location,
                     "Job '" + job.id + "' depends on unknown job '" + need.id + "'.");
        continue;
      }
      (void)graph.AddEdge(need.id, job.id);
    }
  }
  std::vector<dag::NodeId> cycle = graph.FindCycle();
  if (cycle.empty()) return;
  // The edge into the first node of the cycle: cycle[last] is needed by cycle[0]... report the
  // need of the cycle's second node on its first (each node is needed by the next).
  const std::string& needed = graph.name(cycle[0]);
  const std::string& needer = graph.name(cycle[cycle.size() > 1 ? 1 : 0]);
  core::Location where;
  for (const Job& job : jobs) {
    if (job.id != needer) continue;
    for (const Need& need : job.needs) {
      if (need.id == needed) where = need.location;
    }
  }
  errors_->Add(where,
               "Job '" + needer + "' depends on job '" + needed +
                   "' which creates a cycle in the dependency graph: " + graph.FormatCycle(cycle));
}

void Builder::LoadCalled(Job* job) {
  const UsesRef& uses = *job->uses;
  std::string text;
  auto it = options_.workflows.find(uses.text);
  if (it != options_.workflows.end()) {
    text = it->second;
  } else if (uses.kind == UsesRef::Kind::kLocal && !options_.repository_root.empty()) {
    std::string path = core::JoinPath(options_.repository_root, uses.path);
    std::optional<std::string> read = ReadWholeFile(path);
    if (!read) {
      errors_->Add(uses.location, "Unable to find reusable workflow '" + uses.text +
                                      "'; expected the file " + path);
      return;
    }
    text = std::move(*read);
  } else {
    return;  // a remote workflow: accepted without loading
  }
  if (depth_ > options_.max_nesting) {
    errors_->Add(uses.location, "Nested reusable workflow depth exceeded " +
                                    std::to_string(options_.max_nesting) + ".");
    return;
  }
  size_t before = errors_->size();
  Workflow called = ParseAtDepth(text, uses.text, options_, depth_ + 1, state_, errors_);
  if (state_->result_too_large) {
    state_->result_too_large = false;
    errors_->Add(uses.location,
                 "Error from called workflow " + uses.text + ": Maximum object size exceeded");
    return;
  }
  if (errors_->size() > before) return;
  if (!called.workflow_call) {
    errors_->Add(uses.location, "workflow_call key is not defined in the referenced workflow.");
    return;
  }
  const WorkflowCall& call = *called.workflow_call;
  auto has_with = [&](std::string_view name) {
    return std::any_of(job->with.begin(), job->with.end(), [&](const NamedTemplate& t) {
      return core::EqualsIgnoreCase(t.name, name);
    });
  };
  for (const CallInput& input : call.inputs) {
    if (input.required && !has_with(input.name)) {
      errors_->Add(uses.location,
                   "Input " + input.name + " is required, but not provided while calling.");
    }
  }
  for (const NamedTemplate& with : job->with) {
    auto def = std::find_if(call.inputs.begin(), call.inputs.end(), [&](const CallInput& i) {
      return core::EqualsIgnoreCase(i.name, with.name);
    });
    if (def == call.inputs.end()) {
      errors_->Add(with.value.location,
                   "Invalid input, " + with.name + " is not defined in the referenced workflow.");
      continue;
    }
    // A literal must have the input's type (strings take any scalar).
    const core::Value* raw = nullptr;
    if (auto node = with_nodes_.find(job->id); node != with_nodes_.end()) {
      raw = node->second->Find(with.name);
    }
    if (raw == nullptr || !with.value.value.is_literal()) continue;
    bool fits = def->type == "number"    ? raw->is_number()
                : def->type == "boolean" ? raw->is_bool()
                                         : true;
    if (!fits) errors_->Add(raw->location(), "Unexpected value '" + ScalarText(*raw) + "'");
  }
  if (job->secrets && job->secrets->inherit) {
    job->called = std::make_shared<Workflow>(std::move(called));
    return;
  }
  const TemplateMap* secrets = job->secrets ? &job->secrets->values : nullptr;
  for (const CallSecret& secret : call.secrets) {
    bool given = secrets != nullptr &&
                 std::any_of(secrets->begin(), secrets->end(), [&](const NamedTemplate& t) {
                   return core::EqualsIgnoreCase(t.name, secret.name);
                 });
    if (secret.required && !given) {
      errors_->Add(uses.location,
                   "Secret " + secret.name + " is required, but not provided while calling.");
    }
  }
  if (secrets != nullptr) {
    for (const NamedTemplate& s : *secrets) {
      bool defined =
          std::any_of(call.secrets.begin(), call.secrets.end(),
                      [&](const CallSecret& d) { return core::EqualsIgnoreCase(d.name, s.name); });
      if (!defined) {
        errors_->Add(s.value.location,
                     "Invalid secret, " + s.name + " is not defined in the referenced workflow.");
      }
    }
  }
  job->called = std::make_shared<Workflow>(std::move(called));
}

}  // namespace cairn::workflow
