// step_io: file commands, workflow commands and shell command lines (see step_io.h).
#include "workflow/step_io.h"

#include <fmt/format.h>

#include <array>

#include "core/strings.h"

namespace cairn::workflow {
namespace {

using core::Status;

// One line of `text` from `*index` (without its "\n" or "\r\n"); nullopt at the end.
// `*had_newline` says whether the line ended with a newline (false for the file's last line).
std::optional<std::string_view> ReadLine(std::string_view text, size_t* index, bool* had_newline,
                                         size_t* newline_size) {
  if (*index >= text.size()) return std::nullopt;
  size_t end = text.find('\n', *index);
  std::string_view line;
  if (end == std::string_view::npos) {
    line = text.substr(*index);
    *index = text.size();
    *had_newline = false;
    *newline_size = 0;
    return line;
  }
  line = text.substr(*index, end - *index);
  *index = end + 1;
  *had_newline = true;
  *newline_size = 1;
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
    *newline_size = 2;
  }
  return line;
}

constexpr std::array<std::string_view, 15> kCommands = {
    "add-mask",      "add-matcher", "remove-matcher", "debug",    "notice",
    "warning",       "error",       "group",          "endgroup", "echo",
    "stop-commands", "set-output",  "save-state",     "set-env",  "add-path"};

bool IsCommandName(std::string_view name) {
  for (std::string_view known : kCommands) {
    if (core::EqualsIgnoreCase(known, name)) return true;
  }
  return false;
}

constexpr std::string_view kDeprecatedOutput =
    "The `{}` command is deprecated and will be disabled soon. Please upgrade to using "
    "Environment Files. For more information see: "
    "https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-"
    "output-commands/";
constexpr std::string_view kUnsecureDisabled =
    "The `{}` command is disabled. Please upgrade to using Environment Files or opt into "
    "unsecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_COMMANDS` environment "
    "variable to `true`. For more information see: "
    "https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-"
    "commands/";

// Emits `text` as lines of `kind`; the first prefixed with `prefix`.
void EmitLines(CommandSink& sink, LineKind kind, std::string_view text) {
  size_t start = 0;
  while (true) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    sink.Emit(kind, line);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
}

}  // namespace

core::Result<std::vector<std::pair<std::string, std::string>>> ParseFileCommand(
    std::string_view content, std::string_view file) {
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t index = 0;
  bool newline = false;
  size_t newline_size = 0;
  while (std::optional<std::string_view> line =
             ReadLine(content, &index, &newline, &newline_size)) {
    if (line->empty()) continue;
    size_t equals = line->find('=');
    size_t heredoc = line->find("<<");
    if (equals != std::string_view::npos &&
        (heredoc == std::string_view::npos || equals < heredoc)) {
      std::string_view name = line->substr(0, equals);
      if (name.empty()) {
        return Status::InvalidArgument(
            fmt::format("{}: invalid line '{}': the name must not be empty", file, *line));
      }
      pairs.emplace_back(std::string(name), std::string(line->substr(equals + 1)));
      continue;
    }
    if (heredoc == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format(
          "{}: invalid line '{}': expected NAME=VALUE or NAME<<DELIMITER", file, *line));
    }
    std::string_view name = line->substr(0, heredoc);
    std::string_view delimiter = line->substr(heredoc + 2);
    if (name.empty() || delimiter.empty()) {
      return Status::InvalidArgument(fmt::format(
          "{}: invalid line '{}': the name and the delimiter must not be empty", file, *line));
    }
    size_t start = index;
    size_t end = index;
    while (true) {
      std::optional<std::string_view> value_line =
          ReadLine(content, &index, &newline, &newline_size);
      if (!value_line) {
        return Status::InvalidArgument(
            fmt::format("{}: the value of '{}' has no line '{}' ending it", file, name, delimiter));
      }
      if (*value_line == delimiter) break;
      if (!newline) {
        return Status::InvalidArgument(fmt::format(
            "{}: the value of '{}' ends the file without a newline (expected a line '{}')", file,
            name, delimiter));
      }
      end = index - newline_size;
    }
    pairs.emplace_back(std::string(name),
                       end > start ? std::string(content.substr(start, end - start)) : "");
  }
  return pairs;
}

std::vector<std::string> ParsePathFile(std::string_view content) {
  std::vector<std::string> dirs;
  size_t index = 0;
  bool newline = false;
  size_t newline_size = 0;
  while (std::optional<std::string_view> line =
             ReadLine(content, &index, &newline, &newline_size)) {
    if (!line->empty()) dirs.emplace_back(*line);
  }
  return dirs;
}

std::string UnescapeCommandData(std::string_view text) {
  std::string out = core::ReplaceAll(text, "%0D", "\r");
  out = core::ReplaceAll(out, "%0A", "\n");
  return core::ReplaceAll(out, "%25", "%");
}

std::string UnescapeCommandProperty(std::string_view text) {
  std::string out = core::ReplaceAll(text, "%0D", "\r");
  out = core::ReplaceAll(out, "%0A", "\n");
  out = core::ReplaceAll(out, "%3A", ":");
  out = core::ReplaceAll(out, "%2C", ",");
  return core::ReplaceAll(out, "%25", "%");
}

namespace {

// The legacy form `##[name key=value;key=value]message`, anywhere in the line
// (ActionCommand.TryParse).
std::optional<WorkflowCommand> ParseLegacyCommand(std::string_view line) {
  size_t prefix = line.find("##[");
  if (prefix == std::string_view::npos) return std::nullopt;
  size_t close = line.find(']', prefix);
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view info = line.substr(prefix + 3, close - prefix - 3);
  size_t space = info.find(' ');
  std::string_view name = space == std::string_view::npos ? info : info.substr(0, space);
  if (name.empty()) return std::nullopt;
  auto unescape = [](std::string_view text) {
    std::string out = core::ReplaceAll(text, "%3B", ";");
    out = core::ReplaceAll(out, "%0D", "\r");
    out = core::ReplaceAll(out, "%0A", "\n");
    out = core::ReplaceAll(out, "%5D", "]");
    return core::ReplaceAll(out, "%25", "%");
  };
  WorkflowCommand command;
  command.name = core::ToLower(name);
  if (space != std::string_view::npos) {
    for (std::string_view property : core::Split(info.substr(space + 1), ';')) {
      size_t equals = property.find('=');
      if (equals == std::string_view::npos || equals == 0 || equals + 1 == property.size()) {
        continue;
      }
      command.properties[std::string(property.substr(0, equals))] =
          unescape(property.substr(equals + 1));
    }
  }
  command.message = unescape(line.substr(close + 1));
  return command;
}

}  // namespace

std::optional<WorkflowCommand> ParseWorkflowCommand(std::string_view line) {
  std::string_view original = line;
  line = core::TrimLeft(line);
  if (!line.starts_with("::")) {
    std::optional<WorkflowCommand> legacy = ParseLegacyCommand(original);
    if (legacy && IsCommandName(legacy->name)) return legacy;
    return std::nullopt;
  }
  size_t end = line.find("::", 2);
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view info = line.substr(2, end - 2);
  size_t space = info.find(' ');
  std::string_view name = space == std::string_view::npos ? info : info.substr(0, space);
  if (name.empty()) return std::nullopt;
  WorkflowCommand command;
  command.name = core::ToLower(name);
  if (space != std::string_view::npos) {
    for (std::string_view property : core::Split(core::Trim(info.substr(space + 1)), ',')) {
      size_t equals = property.find('=');
      if (equals == std::string_view::npos || equals == 0 || equals + 1 == property.size()) {
        continue;
      }
      command.properties[std::string(property.substr(0, equals))] =
          UnescapeCommandProperty(property.substr(equals + 1));
    }
  }
  command.message = UnescapeCommandData(line.substr(end + 2));
  return command;
}

std::string RenderAnnotation(const WorkflowCommand& command) {
  std::string out = command.name == "error"     ? "Error: "
                    : command.name == "warning" ? "Warning: "
                                                : "Notice: ";
  auto property = [&](const char* key) -> std::string {
    auto it = command.properties.find(key);
    return it == command.properties.end() ? "" : it->second;
  };
  std::string file = property("file");
  if (!file.empty()) {
    out += file;
    std::string line = property("line");
    if (!line.empty()) {
      out += ":" + line;
      std::string col = property("col");
      if (!col.empty()) out += ":" + col;
    }
    out += ": ";
  }
  std::string title = property("title");
  if (!title.empty()) out += title + ": ";
  out += command.message;
  return out;
}

void CommandProcessor::Fail(std::string message, CommandSink& sink) {
  EmitLines(sink, LineKind::kAnnotation, "Error: " + message);
  if (failure_.empty()) failure_ = std::move(message);
}

void CommandProcessor::ProcessLine(std::string_view line, CommandSink& sink) {
  std::optional<WorkflowCommand> command = ParseWorkflowCommand(line);
  if (!stop_token_.empty()) {
    if (command && command->name == core::ToLower(stop_token_)) {
      sink.Emit(LineKind::kCommand, line);
      stop_token_.clear();
    } else {
      sink.Emit(LineKind::kOutput, line);
    }
    return;
  }
  if (!command || !IsCommandName(command->name)) {
    sink.Emit(LineKind::kOutput, line);
    return;
  }
  const std::string& name = command->name;
  if (echo_ && name != "add-mask") sink.Emit(LineKind::kCommand, line);
  auto property = [&](const char* key) -> std::string {
    auto it = command->properties.find(key);
    return it == command->properties.end() ? "" : it->second;
  };
  if (name == "add-mask") {
    if (core::Trim(command->message).empty()) {
      sink.Emit(LineKind::kAnnotation,
                "Warning: Can't add secret mask for empty string in ##[add-mask] command.");
    } else {
      sink.AddMask(command->message);
    }
  } else if (name == "error" || name == "warning" || name == "notice") {
    EmitLines(sink, LineKind::kAnnotation, RenderAnnotation(*command));
  } else if (name == "debug") {
    EmitLines(sink, LineKind::kDebug, command->message);
  } else if (name == "group") {
    sink.Emit(LineKind::kCommand, "##[group]" + command->message);
  } else if (name == "endgroup") {
    sink.Emit(LineKind::kCommand, "##[endgroup]");
  } else if (name == "echo") {
    std::string mode = core::ToLower(core::Trim(command->message));
    if (mode == "on") {
      echo_ = true;
    } else if (mode == "off") {
      echo_ = false;
    } else {
      Fail(fmt::format("Invalid echo command value. Possible values can be: 'on', 'off'. "
                       "Current value is: '{}'.",
                       command->message),
           sink);
    }
  } else if (name == "stop-commands") {
    std::string token = command->message;
    if (token.empty() || IsCommandName(token) || token == "pause-logging") {
      Fail(fmt::format("::stop-commands:: needs a token that is not empty and not a command "
                       "name (got '{}'); use a random one, e.g. $(uuidgen)",
                       token),
           sink);
    } else {
      if (!echo_) sink.Emit(LineKind::kCommand, line);
      stop_token_ = token;
    }
  } else if (name == "set-output" || name == "save-state") {
    sink.Emit(LineKind::kAnnotation,
              "Warning: " + fmt::format(fmt::runtime(kDeprecatedOutput), name));
    std::string key = property("name");
    if (key.empty()) {
      Fail(fmt::format("::{}:: needs a property 'name' (::{} name=KEY::VALUE)", name, name), sink);
    } else if (name == "set-output") {
      sink.SetOutput(key, command->message);
    } else {
      sink.SaveState(key, command->message);
    }
  } else if (name == "set-env" || name == "add-path") {
    if (!allow_unsecure_) {
      Fail(fmt::format(fmt::runtime(kUnsecureDisabled), name), sink);
    } else if (name == "add-path") {
      sink.AddPath(command->message);
    } else if (property("name").empty()) {
      Fail("::set-env:: needs a property 'name' (::set-env name=KEY::VALUE)", sink);
    } else if (core::EqualsIgnoreCase(property("name"), "NODE_OPTIONS")) {
      sink.Emit(LineKind::kAnnotation,
                "Warning: Can't store NODE_OPTIONS output parameter using '::set-env' command.");
    } else {
      sink.ExportEnv(property("name"), command->message);
    }
  }
  // add-matcher / remove-matcher: problem matchers are not supported; the line is consumed.
}

}  // namespace cairn::workflow
