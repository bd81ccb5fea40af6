// Local actions (`uses: ./path`): action.yml (or action.yaml) in a directory of the workspace,
// read with file:line:col errors: `inputs` (default, required), `outputs`, and `runs`:
//   using: composite   the steps (parsed as a workflow's steps are; `run:` steps need
//                      `shell:`) run by the host in a nested scope; outputs are their `value:`
//                      templates evaluated over that scope
//   using: node20/24   `node <main>` with INPUT_<NAME> variables (the installed node, from
//                      PATH); `pre:` runs just before main (when `pre-if` is absent or
//                      always()), `post:` as the post step (post-if, default always())
// Input defaults written with `${{ }}` are evaluated over the `github` context of the event.
//
// A LocalAction is made for one step and used on the job's thread.
#include <memory>
#include <string>
#include <vector>

#include "core/path.h"
#include "core/strings.h"
#include "core/value.h"
#include "core/yaml.h"
#include "sys/env.h"
#include "workflow/action_support.h"
#include "workflow/build.h"
#include "workflow/github_context.h"
#include "workflow/reader.h"

namespace cairn::workflow {
namespace {

const expr::Allowed& OutputAllowed() {
  static const std::string_view kEntries[] = {"github", "inputs",          "steps", "env",
                                              "job",    "runner",          "vars",  "strategy",
                                              "matrix", "hashFiles(1,255)"};
  static const expr::Allowed allowed = expr::Allowed::FromSchema(kEntries);
  return allowed;
}

const expr::Allowed& DefaultAllowed() {
  static const std::string_view kEntries[] = {"github", "strategy", "matrix", "job",
                                              "runner", "env",      "vars"};
  static const expr::Allowed allowed = expr::Allowed::FromSchema(kEntries);
  return allowed;
}

struct ActionDefinition {
  std::string dir;   // absolute
  std::string file;  // action.yml's path
  std::string name;
  std::vector<ActionInput> inputs;
  std::vector<std::string> default_expressions;  // names of inputs whose default has ${{ }}
  std::string using_;                            // "composite", "node20"...
  // composite
  std::vector<Step> steps;
  TemplateMap outputs;
  // node
  std::string main, pre, pre_if, post, post_if;
};

std::string Scalar(const core::Value* v) {
  if (v == nullptr || v->is_null()) return "";
  return v->is_scalar() ? v->raw() : "";
}

core::Status ParseInputs(const core::Value& node, ActionDefinition* def) {
  if (!node.is_mapping()) return node.location().Error("'inputs' must be a mapping");
  for (const core::Member& m : node.members()) {
    ActionInput input;
    input.name = m.key;
    if (m.value.is_mapping()) {
      input.default_value = Scalar(m.value.Find("default"));
      std::string required = core::ToLower(Scalar(m.value.Find("required")));
      input.required = required == "true";
    } else if (!m.value.is_null()) {
      return m.value.location().Error("input '" + m.key +
                                      "' must be a mapping (description, required, default)");
    }
    if (input.default_value.find("${{") != std::string::npos) {
      def->default_expressions.push_back(input.name);
    }
    def->inputs.push_back(std::move(input));
  }
  return core::Status::Ok();
}

core::Status ParseCompositeSteps(const core::Value& runs, ActionDefinition* def) {
  const core::Value* steps = runs.Find("steps");
  if (steps == nullptr || !steps->is_sequence()) {
    return runs.location().Error("a composite action needs 'runs.steps', a sequence of steps");
  }
  ErrorList errors;
  Reader reader(&errors, false);
  reader.Read(*steps, "steps");
  ParseOptions options;
  ParseState state;
  Builder builder(reader, &errors, options, 1, &state);
  def->steps = builder.BuildSteps(*steps);
  for (size_t i = 0; i < steps->items().size() && i < def->steps.size(); ++i) {
    const core::Value& item = steps->items()[i];
    if (item.is_mapping() && item.Find("run") != nullptr && item.Find("shell") == nullptr) {
      errors.Add(item.location(),
                 "Required property is missing: shell (a composite action's run steps must "
                 "say which shell runs them, e.g. 'shell: bash')");
    }
  }
  if (!errors.empty()) {
    std::vector<std::string> lines;
    for (const ParseError& e : errors.errors()) lines.push_back(e.ToString());
    return core::Status::InvalidArgument(core::Join(lines, "\n"));
  }
  return core::Status::Ok();
}

core::Result<ActionDefinition> LoadDefinition(const UsesRef& uses, std::string_view workspace) {
  std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
  ActionDefinition def;
  def.dir = core::NormalizePath(core::JoinPath(workspace, uses.path));
  for (const char* name : {"action.yml", "action.yaml"}) {
    std::string candidate = core::JoinPath(def.dir, name);
    if (env->Exists(candidate)) {
      def.file = candidate;
      break;
    }
  }
  if (def.file.empty()) {
    return uses.location.Error("'uses: " + uses.text + "': no action.yml or action.yaml in " +
                               def.dir +
                               " (a local action's path is relative to the workspace: check out "
                               "the repository with actions/checkout before using it)");
  }
  CAIRN_ASSIGN_OR_RETURN(std::string text, env->ReadFile(def.file));
  CAIRN_ASSIGN_OR_RETURN(core::Value root, core::ParseYaml(text, def.file));
  if (!root.is_mapping()) return root.location().Error("an action.yml must be a mapping");
  def.name = Scalar(root.Find("name"));
  if (const core::Value* inputs = root.Find("inputs"); inputs != nullptr && !inputs->is_null()) {
    CAIRN_RETURN_IF_ERROR(ParseInputs(*inputs, &def));
  }
  const core::Value* runs = root.Find("runs");
  if (runs == nullptr || !runs->is_mapping()) {
    return root.location().Error("an action.yml needs 'runs' (using: composite, node20 or node24)");
  }
  const core::Value* using_node = runs->Find("using");
  def.using_ = core::ToLower(Scalar(using_node));
  if (def.using_ == "composite") {
    CAIRN_RETURN_IF_ERROR(ParseCompositeSteps(*runs, &def));
    if (const core::Value* outputs = root.Find("outputs");
        outputs != nullptr && outputs->is_mapping()) {
      for (const core::Member& m : outputs->members()) {
        const core::Value* value = m.value.is_mapping() ? m.value.Find("value") : nullptr;
        if (value == nullptr) {
          return m.value.location().Error("output '" + m.key +
                                          "' of a composite action needs 'value'");
        }
        auto parsed = expr::Template::Parse(Scalar(value), OutputAllowed());
        if (!parsed.ok()) return value->location().Error(parsed.status().message());
        def.outputs.push_back({m.key, m.key_location, {std::move(*parsed), value->location()}});
      }
    }
  } else if (def.using_ == "node12" || def.using_ == "node16" || def.using_ == "node20" ||
             def.using_ == "node24") {
    def.main = Scalar(runs->Find("main"));
    if (def.main.empty()) {
      return runs->location().Error("a node action needs 'runs.main' (the script node runs)");
    }
    def.pre = Scalar(runs->Find("pre"));
    def.pre_if = Scalar(runs->Find("pre-if"));
    def.post = Scalar(runs->Find("post"));
    def.post_if = Scalar(runs->Find("post-if"));
  } else {
    const core::Location& where = using_node != nullptr ? using_node->location() : runs->location();
    return where.Error("runs.using '" + Scalar(using_node) +
                       "' is not supported: cairn runs composite and node20/node24 actions "
                       "(Docker actions need Docker, which cairn does not use)");
  }
  return def;
}

class LocalAction : public Action {
 public:
  explicit LocalAction(ActionDefinition def) : def_(std::move(def)) {}

  core::Result<Conclusion> Main(StepHost& host, const InputMap& given) override {
    CAIRN_ASSIGN_OR_RETURN(InputMap inputs, Inputs(host, given));
    if (def_.using_ == "composite") {
      std::map<std::string, std::string> outputs;
      CAIRN_ASSIGN_OR_RETURN(Conclusion c,
                             host.RunSteps(def_.steps, inputs, def_.outputs, &outputs));
      for (const auto& [name, value] : outputs) host.SetOutput(name, value);
      return c;
    }
    if (!def_.pre.empty()) {
      std::string pre_if = core::ToLower(core::Trim(def_.pre_if));
      if (pre_if.empty() || pre_if == "always()" || pre_if == "success()") {
        CAIRN_ASSIGN_OR_RETURN(Conclusion c, RunNode(host, def_.pre, inputs));
        if (c != Conclusion::kSuccess) return c;
      } else {
        host.Log(LineKind::kAnnotation,
                 "Warning: pre-if '" + def_.pre_if + "' is not evaluated by cairn: pre skipped");
      }
    }
    return RunNode(host, def_.main, inputs);
  }

  std::optional<std::string> PostIf() const override {
    if (def_.post.empty()) return std::nullopt;
    return def_.post_if.empty() ? std::string("always()") : def_.post_if;
  }

  core::Result<Conclusion> Post(StepHost& host, const InputMap& given) override {
    if (def_.post.empty()) return Conclusion::kSuccess;
    CAIRN_ASSIGN_OR_RETURN(InputMap inputs, Inputs(host, given));
    return RunNode(host, def_.post, inputs);
  }

 private:
  core::Result<InputMap> Inputs(StepHost& host, const InputMap& given) {
    CAIRN_ASSIGN_OR_RETURN(InputMap inputs, MergeInputs(host, def_.inputs, given));
    if (def_.default_expressions.empty()) return inputs;
    expr::Contexts contexts;
    contexts.Set("github",
                 GithubContext(host.event(), {.repository = host.options().repository_name,
                                              .actor = host.options().actor,
                                              .workflow = "",
                                              .workspace = host.workspace()}));
    expr::EvalOptions eval{.contexts = &contexts, .runtime = nullptr};
    for (const std::string& name : def_.default_expressions) {
      bool given_here = false;
      for (const auto& [k, v] : given) given_here |= core::EqualsIgnoreCase(k, name);
      if (given_here) continue;
      auto parsed = expr::Template::Parse(inputs[name], DefaultAllowed());
      if (!parsed.ok()) {
        return core::Status::InvalidArgument(def_.file + ": default of input '" + name +
                                             "': " + parsed.status().message());
      }
      CAIRN_ASSIGN_OR_RETURN(inputs[name], parsed->EvaluateString(eval));
    }
    return inputs;
  }

  core::Result<Conclusion> RunNode(StepHost& host, const std::string& script,
                                   const InputMap& inputs) {
    std::string node = FindOnPath("node", host.env());
    if (node.empty()) {
      return core::Status::NotFound("the node action " + def_.dir + " (" + def_.using_ +
                                    ") needs Node.js: no 'node' on PATH (install Node.js 20 or "
                                    "later, or add it to PATH)");
    }
    ScriptSpec spec;
    spec.argv = {node, core::JoinPath(def_.dir, script)};
    for (const auto& [name, value] : inputs) {
      spec.env["INPUT_" + core::ReplaceAll(core::ToUpper(name), " ", "_")] = value;
    }
    spec.env["GITHUB_ACTION_PATH"] = def_.dir;
    return host.RunProcess(spec);
  }

  ActionDefinition def_;
};

}  // namespace

core::Result<std::unique_ptr<Action>> LoadLocalAction(const UsesRef& uses,
                                                      std::string_view workspace) {
  CAIRN_ASSIGN_OR_RETURN(ActionDefinition def, LoadDefinition(uses, workspace));
  return std::unique_ptr<Action>(std::make_unique<LocalAction>(std::move(def)));
}

}  // namespace cairn::workflow
