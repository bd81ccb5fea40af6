// Module-private: what every command of the `cairn` binary shares.
//
// Commands are grouped, one file per group (cmd_<group>.cc); each group adds its
// subcommands to the CLI11 app in its Register function, listed in kCommandGroups (cli.cc).
// A command's callback does its work and leaves its outcome in Context::status; Main turns
// that into the message on stderr and the exit code.
#pragma once

#include <cstdio>
#include <string>

#include "core/status.h"
#include "sys/env.h"

namespace CLI {
class App;
}

namespace cairn::cli {

struct Context {
  sys::Env& env;
  FILE* out = stdout;
  FILE* err = stderr;
  /// The outcome of the command that ran; OK unless it failed.
  core::Status status;
  /// Set by a command whose exit code is not its status's (`status -q`: 1 when changed).
  int exit_code = -1;
  /// Invoked under the name `dvc`: DVC's command line, messages and exit codes.
  bool dvc = false;
  /// The working directory, absolute.
  std::string cwd;
};

struct CommandGroup {
  const char* name;  // for the table; the group registers its own subcommand names
  void (*Register)(CLI::App& app, Context& ctx);
};

// One per cmd_<group>.cc.
void RegisterHashCommands(CLI::App& app, Context& ctx);
void RegisterDataCommands(CLI::App& app, Context& ctx);
void RegisterPipelineCommands(CLI::App& app, Context& ctx);
void RegisterTrackCommands(CLI::App& app, Context& ctx);
void RegisterModelCommands(CLI::App& app, Context& ctx);
void RegisterServerCommands(CLI::App& app, Context& ctx);
void RegisterWorkflowCommands(CLI::App& app, Context& ctx);
void RegisterRunCommands(CLI::App& app, Context& ctx);
void RegisterSetupCommands(CLI::App& app, Context& ctx);  // init, hooks, schedule
void RegisterMlCommands(CLI::App& app, Context& ctx);
void RegisterGateCommands(CLI::App& app, Context& ctx);  // gate, report

/// repro, params, metrics: top-level commands of both `cairn` and `dvc`.
void AddPipelineSubcommands(CLI::App& parent, Context& ctx);

/// The data commands (init, add, status, ...) as subcommands of `parent`: `cairn data` has
/// them, and so does the root of the `dvc` personality.
void AddDataSubcommands(CLI::App& parent, Context& ctx);

/// `dvc ...`: the binary invoked under the name `dvc`.
int DvcMain(int argc, char** argv);

/// A usage or input error: exit code 2. `hint`, when given, is printed on its own line.
core::Status UsageError(std::string what, std::string hint = "");

}  // namespace cairn::cli
