// shell: the command lines GitHub's runner builds for a `run:` step's shell (gha.md 7.1;
// actions/runner's ScriptHandler), declared in step_io.h. Pure functions (FindOnPath reads the
// file system): thread-safe.
#include <fmt/format.h>
#include <unistd.h>

#include "core/strings.h"
#include "workflow/step_io.h"

namespace cairn::workflow {
namespace {

using core::Status;

// Splits a custom shell's argument string into words: whitespace separates; '...' and "..."
// quote (as .NET's command-line splitting does for the common cases).
core::Result<std::vector<std::string>> SplitWords(std::string_view text, std::string_view shell) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : text) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0) {
    return Status::InvalidArgument(fmt::format("shell '{}': unterminated {} quote", shell,
                                               quote == '"' ? "double" : "single"));
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

}  // namespace

std::string ScriptExtension(std::string_view shell) {
  std::string_view trimmed = core::Trim(shell);
  std::string_view first = trimmed.substr(0, trimmed.find_first_of(" \t"));
  first = first.substr(first.rfind('/') == std::string_view::npos ? 0 : first.rfind('/') + 1);
  if (first.empty() || first == "bash" || first == "sh") return ".sh";
  if (first == "python" || first == "python3") return ".py";
  if (first == "pwsh" || first == "powershell") return ".ps1";
  if (first == "cmd") return ".cmd";
  return "";
}

std::string FindOnPath(std::string_view program, std::string_view path) {
  if (program.find('/') != std::string_view::npos) {
    return access(std::string(program).c_str(), X_OK) == 0 ? std::string(program) : "";
  }
  for (std::string_view dir : core::Split(path, ':')) {
    if (dir.empty()) continue;
    std::string candidate = fmt::format("{}/{}", dir, program);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

core::Result<ShellCommand> BuildShellCommand(std::string_view shell, std::string_view path,
                                             std::string_view script) {
  std::string_view trimmed = core::Trim(shell);
  std::string program;
  std::string args;  // with {0}
  ShellCommand out;
  out.extension = ScriptExtension(trimmed);
  if (trimmed.empty()) {
    program = FindOnPath("bash", path).empty() ? "sh" : "bash";
    args = "-e {0}";
  } else if (trimmed == "bash") {
    program = "bash";
    args = "--noprofile --norc -e -o pipefail {0}";
  } else if (trimmed == "sh") {
    program = "sh";
    args = "-e {0}";
  } else if (trimmed == "python") {
    program = "python";
    args = "{0}";
  } else if (trimmed == "pwsh" || trimmed == "powershell") {
    program = std::string(trimmed);
    args = "-command \". '{0}'\"";
    out.prologue = "$ErrorActionPreference = 'stop'\n";
    out.epilogue =
        "\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }\n";
  } else if (trimmed == "cmd") {
    return Status::InvalidArgument(
        "shell 'cmd' runs only on Windows runners; use bash, sh, "
        "python, pwsh or a command with {0}");
  } else {
    size_t space = trimmed.find_first_of(" \t");
    program = std::string(trimmed.substr(0, space));
    args = space == std::string_view::npos ? "" : std::string(core::Trim(trimmed.substr(space)));
    if (args.find("{0}") == std::string::npos) {
      return Status::InvalidArgument(fmt::format(
          "shell '{}': a custom shell must contain '{{0}}' where the script's path goes (e.g. "
          "'perl {{0}}'); built-in shells are bash, sh, python, pwsh, powershell",
          trimmed));
    }
  }
  std::string resolved = FindOnPath(program, path);
  if (resolved.empty()) {
    return Status::NotFound(fmt::format("shell '{}': '{}' was not found on PATH ({})",
                                        trimmed.empty() ? program : std::string(trimmed), program,
                                        path));
  }
  out.display = args.empty() ? resolved : fmt::format("{} {}", resolved, args);
  CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> words, SplitWords(args, trimmed));
  out.argv.push_back(resolved);
  for (std::string& word : words) out.argv.push_back(core::ReplaceAll(word, "{0}", script));
  return out;
}

}  // namespace cairn::workflow
