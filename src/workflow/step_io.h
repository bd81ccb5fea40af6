// Module-private: what a step says to the runner besides its exit code, as GitHub's runner
// reads it: the file commands (GITHUB_ENV, GITHUB_OUTPUT, GITHUB_STATE, GITHUB_PATH), the
// workflow commands on its output lines (::add-mask::, ::error::, ::group::, ...), and the
// shells' command lines (gha.md 7.1-7.3).
//
// Implemented in step_io.cc (file and workflow commands) and shell.cc (shells).
// The parsers are pure functions. A CommandProcessor holds one step's command state
// (stop-commands, echo) and is used by one thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "workflow/runner.h"

namespace cairn::workflow {

// ---------------------------------------------------------------------------------------------
// File commands

/// GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE contents: `NAME=VALUE` lines and `NAME<<DELIM`
/// heredocs (value = the lines up to one exactly DELIM, without the final newline), "\n" or
/// "\r\n", empty lines skipped. Pairs in file order. INVALID_PARAMETER_VALUE naming `file` (the
/// variable's name, "GITHUB_OUTPUT") and the line for: an empty name or delimiter, a line with
/// neither '=' nor '<<', a heredoc without its delimiter line, a value line ending the file
/// without a newline.
core::Result<std::vector<std::pair<std::string, std::string>>> ParseFileCommand(
    std::string_view content, std::string_view file);

/// GITHUB_PATH contents: one directory per line ("\n" or "\r\n"), empty lines skipped.
std::vector<std::string> ParsePathFile(std::string_view content);

// ---------------------------------------------------------------------------------------------
// Workflow commands

/// `::name key=value,key=value::message`, parsed as actions/runner's ActionCommand.TryParseV2
/// does (leading whitespace allowed; name lower-cased; properties and message unescaped).
struct WorkflowCommand {
  std::string name;
  std::map<std::string, std::string> properties;
  std::string message;
};

/// The command on `line`, or nullopt when the line is not one (`::` missing, an unknown name).
std::optional<WorkflowCommand> ParseWorkflowCommand(std::string_view line);

/// %25 -> %, %0D -> CR, %0A -> LF (messages).
std::string UnescapeCommandData(std::string_view text);
/// UnescapeCommandData plus %3A -> ':' and %2C -> ',' (property values).
std::string UnescapeCommandProperty(std::string_view text);

/// Where a CommandProcessor sends the effects of the commands it reads. Lines are unmasked:
/// the implementation masks them (after AddMask took effect).
class CommandSink {
 public:
  virtual ~CommandSink() = default;
  virtual void Emit(LineKind kind, std::string_view line) = 0;
  virtual void AddMask(std::string_view value) = 0;
  virtual void SetOutput(std::string_view name, std::string_view value) = 0;
  virtual void SaveState(std::string_view name, std::string_view value) = 0;
  virtual void ExportEnv(std::string_view name, std::string_view value) = 0;
  virtual void AddPath(std::string_view dir) = 0;
};

/// One step's output lines through the workflow commands, in order. A line that is not a
/// command is emitted as kOutput. Annotations are rendered "Error: file:line:col: title: msg"
/// (kAnnotation), debug messages as kDebug, groups as "##[group]title" / "##[endgroup]"
/// (kCommand). ::add-mask:: lines are never echoed; other commands only after ::echo::on.
class CommandProcessor {
 public:
  /// `allow_unsecure`: ACTIONS_ALLOW_UNSECURE_COMMANDS=true (enables ::set-env and ::add-path).
  explicit CommandProcessor(bool allow_unsecure = false) : allow_unsecure_(allow_unsecure) {}

  void ProcessLine(std::string_view line, CommandSink& sink);

  /// A command that could not be processed (a refused ::set-env, a bad stop token): the step
  /// fails, as on GitHub. The first such error, "" when none.
  const std::string& failure() const { return failure_; }

 private:
  void Fail(std::string message, CommandSink& sink);

  bool allow_unsecure_ = false;
  bool echo_ = false;
  std::string stop_token_;  // non-empty while commands are stopped
  std::string failure_;
};

/// An annotation as the log shows it: "Error: a.py:3:5: Title: message" (the location and
/// title parts only when given).
std::string RenderAnnotation(const WorkflowCommand& command);

// ---------------------------------------------------------------------------------------------
// Shells

/// How a `run:` script is run: the command line with `{0}` replaced by the script's path.
struct ShellCommand {
  std::vector<std::string> argv;  // "{0}" already replaced
  std::string display;            // as the log shows it: "/usr/bin/bash -e {0}"
  std::string extension;          // of the script file: ".sh", ".py", ".ps1", ".cmd", ""
  std::string prologue;           // text the runner puts before the script (pwsh)
  std::string epilogue;           // and after it
};

/// The command line for `shell` ("" when the step and the defaults give none) on Linux, as
/// actions/runner's ScriptHandler builds it (gha.md 7.1). `path` is the step's PATH (for the
/// no-shell default: bash when found on it, else sh); `script` the script file's path.
/// INVALID_PARAMETER_VALUE for a custom shell without {0} or an unterminated quote.
core::Result<ShellCommand> BuildShellCommand(std::string_view shell, std::string_view path,
                                             std::string_view script);

/// The script file's extension for `shell` (its first word): .sh, .py, .ps1, .cmd or "".
std::string ScriptExtension(std::string_view shell);

/// `program` (no '/') found on `path` (':'-separated) as an executable file, or "".
std::string FindOnPath(std::string_view program, std::string_view path);

}  // namespace cairn::workflow
