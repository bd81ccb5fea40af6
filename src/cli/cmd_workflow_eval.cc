// `cairn workflow eval EXPR`: one GitHub Actions expression over contexts given as JSON.
#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "cli/workflow_commands.h"

namespace cairn::cli {

void AddWorkflowEvalCommand(CLI::App& workflow, Context& ctx) {
  auto text = std::make_shared<std::string>();
  CLI::App* cmd = workflow.add_subcommand("eval", "Evaluate one expression");
  cmd->add_option("expression", *text, "The expression, without ${{ }}")->required();
  cmd->callback([&ctx] { ctx.status = core::Status::NotImplemented("workflow eval"); });
}

}  // namespace cairn::cli
