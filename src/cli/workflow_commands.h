// Module-private: the subcommands of `cairn workflow`, one file each (cmd_workflow_<name>.cc).
#pragma once

#include "cli/command.h"

namespace cairn::cli {

// Each adds its subcommand to `workflow`.
void AddWorkflowEvalCommand(CLI::App& workflow, Context& ctx);
void AddWorkflowCheckCommand(CLI::App& workflow, Context& ctx);
void AddWorkflowListCommand(CLI::App& workflow, Context& ctx);
void AddWorkflowExplainCommand(CLI::App& workflow, Context& ctx);
void AddWorkflowRunCommand(CLI::App& workflow, Context& ctx);

/// `cairn run rerun ID [--failed]`, added to `cairn run` (it runs workflows as `workflow run`).
void AddRunRerunCommand(CLI::App& run, Context& ctx);

}  // namespace cairn::cli
