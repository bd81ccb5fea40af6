// Module-private: the commands that set a repository up for local CI, registered together by
// RegisterSetupCommands (cmd_init.cc): `cairn init` (cmd_init.cc), `cairn hooks`
// (cmd_hooks.cc), `cairn schedule` (cmd_schedule.cc).
#pragma once

#include <string>

#include "cli/command.h"
#include "core/result.h"

namespace CLI {
class App;
}

namespace cairn::cli {

void AddHooksCommands(CLI::App& app, Context& ctx);
void AddScheduleCommand(CLI::App& app, Context& ctx);

/// The root of the git work tree containing `cwd`, or `cwd` itself outside a repository.
std::string RepositoryRoot(const std::string& cwd);

/// The absolute path of the running cairn binary (/proc/self/exe); "cairn" when unknown.
std::string SelfExecutable();

}  // namespace cairn::cli
