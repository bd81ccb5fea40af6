// `cairn workflow`: GitHub Actions workflow files: list, check (parse, validate, lint), explain
// (does an event trigger it, and the job plan), eval (one expression), run.
#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/workflow_commands.h"

namespace cairn::cli {

void RegisterWorkflowCommands(CLI::App& app, Context& ctx) {
  CLI::App* workflow = app.add_subcommand(
      "workflow", "GitHub Actions workflows: run, check, explain, eval (`cairn workflow --help`)");
  workflow->require_subcommand(1);
  AddWorkflowEvalCommand(*workflow, ctx);
  AddWorkflowCheckCommand(*workflow, ctx);
  AddWorkflowListCommand(*workflow, ctx);
  AddWorkflowExplainCommand(*workflow, ctx);
  AddWorkflowRunCommand(*workflow, ctx);
}

}  // namespace cairn::cli
