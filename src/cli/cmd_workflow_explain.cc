// `cairn workflow explain FILE <event options>`: whether the event triggers the workflow and
// why (each filter that matched or failed, on which changed path), then the plan: jobs in
// order, their needs, matrix legs and conditions, with the conditions the event decides
// evaluated (a register step's `github.ref == 'refs/heads/main'`).
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <memory>
#include <string>

#include "cli/workflow_commands.h"
#include "cli/workflow_event_options.h"
#include "core/json.h"
#include "core/path.h"
#include "core/strings.h"
#include "core/value.h"
#include "workflow/github_context.h"
#include "workflow/parse.h"
#include "workflow/plan.h"
#include "workflow/trigger_match.h"

namespace cairn::cli {
namespace {

struct ExplainOptions {
  std::string file;
  workflow::EventOptions event;
  bool json = false;
};

// "push refs/heads/main at 1a2b3c4"; pull requests name base and head.
std::string DescribeEvent(const workflow::Event& e) {
  std::string text = fmt::format("{} {} at {}", e.name, e.ref, e.sha.substr(0, 7));
  if (!e.base_ref.empty()) text += fmt::format(" (merging {} into {})", e.head_ref, e.base_ref);
  if (!e.action.empty()) text += fmt::format(", action {}", e.action);
  return text;
}

core::Status RunExplain(Context& ctx, const ExplainOptions& o) {
  std::string path = core::JoinPath(ctx.cwd, o.file);
  CAIRN_ASSIGN_OR_RETURN(workflow::Workflow wf, workflow::LoadWorkflowFile(path));
  CAIRN_ASSIGN_OR_RETURN(workflow::Event event, workflow::BuildEvent(o.event, ctx.cwd));
  workflow::TriggerDecision decision = workflow::Match(wf.triggers, event);

  workflow::GithubContextOptions github;
  github.workflow = wf.name ? wf.name->value.text() : o.file;
  if (const char* user = std::getenv("USER")) github.actor = user;
  CAIRN_ASSIGN_OR_RETURN(expr::Contexts contexts,
                         workflow::EventContexts(wf.triggers, event, github));
  CAIRN_ASSIGN_OR_RETURN(workflow::Plan plan, workflow::MakePlan(wf, {.event = &contexts}));

  if (o.json) {
    core::Value out = core::Value::Mapping();
    out.Set("file", core::Value::String(o.file));
    core::Value ev = core::Value::Mapping();
    ev.Set("name", core::Value::String(event.name));
    ev.Set("ref", core::Value::String(event.ref));
    ev.Set("sha", core::Value::String(event.sha));
    core::Value changed = core::Value::Sequence();
    for (const std::string& p : event.changed_paths) changed.Append(core::Value::String(p));
    ev.Set("changed_paths", event.changed_paths_known ? std::move(changed) : core::Value::Null());
    ev.Set("changed_paths_from", core::Value::String(event.changed_paths_from));
    out.Set("event", std::move(ev));
    out.Set("runs", core::Value::Bool(decision.runs));
    core::Value reasons = core::Value::Sequence();
    for (const std::string& r : decision.reasons) reasons.Append(core::Value::String(r));
    out.Set("reasons", std::move(reasons));
    out.Set("plan", plan.ToJson());
    fmt::print(ctx.out, "{}\n", core::ToPrettyJson(out));
    return core::Status::Ok();
  }

  fmt::print(ctx.out, "event: {}\n", DescribeEvent(event));
  if (event.changed_paths_known) {
    fmt::print(
        ctx.out, "changed paths ({}): {}\n", event.changed_paths_from,
        event.changed_paths.empty() ? std::string("none") : core::Join(event.changed_paths, ", "));
  } else {
    fmt::print(ctx.out, "changed paths: unknown ({})\n", event.changed_paths_from);
  }
  fmt::print(ctx.out, "{}: {}\n", o.file,
             decision.runs ? "runs for this event" : "does not run for this event");
  for (const std::string& reason : decision.reasons) fmt::print(ctx.out, "  {}\n", reason);
  if (!decision.runs) return core::Status::Ok();
  fmt::print(ctx.out, "\n{}", plan.ToText());
  return core::Status::Ok();
}

}  // namespace

void AddWorkflowExplainCommand(CLI::App& workflow, Context& ctx) {
  auto o = std::make_shared<ExplainOptions>();
  CLI::App* cmd = workflow.add_subcommand(
      "explain", "Whether an event triggers a workflow and why, then its job plan");
  cmd->add_option("file", o->file, "The workflow file")->required();
  AddEventOptions(*cmd, o->event);
  cmd->add_flag("--json", o->json, "The event, the decision, its reasons and the plan as JSON");
  cmd->callback([&ctx, o] { ctx.status = RunExplain(ctx, *o); });
}

}  // namespace cairn::cli
