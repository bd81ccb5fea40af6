// step_run: the StepHost of one step: its processes (Subprocess, output lines through the
// workflow commands and the masker), its file commands, and `run:` scripts.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/strings.h"
#include "workflow/job_state.h"

namespace cairn::workflow::job_internal {
namespace {

using core::Status;

constexpr size_t kMaxSummaryBytes = 1024 * 1024;  // GitHub's limit per step

Status WriteWholeFile(const std::string& path, std::string_view data, mode_t mode = 0644) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::IoError(fmt::format("cannot write {}: {}", path, strerror(errno)));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return Status::IoError(fmt::format("cannot write {}: {}", path, strerror(err)));
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0) {
    return Status::IoError(fmt::format("cannot write {}: {}", path, strerror(errno)));
  }
  return Status::Ok();
}

core::Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(fmt::format("cannot read {}", path));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Minutes(std::chrono::milliseconds ms) {
  return core::FormatDouble(static_cast<double>(ms.count()) / 60000.0);
}

}  // namespace

StepRunner::StepRunner(JobState& job, int index, std::string step_id,
                       std::map<std::string, std::string> env, std::chrono::milliseconds timeout,
                       bool allow_cancel)
    : job_(job),
      index_(index),
      step_id_(std::move(step_id)),
      layers_(std::move(env)),
      timeout_(timeout),
      started_(std::chrono::steady_clock::now()),
      allow_cancel_(allow_cancel) {
  std::string dir = job_.runner_temp + "/_runner_file_commands";
  mkdir(dir.c_str(), 0755);
  int n = ++job_.file_counter;
  env_file_ = fmt::format("{}/set_env_{}", dir, n);
  output_file_ = fmt::format("{}/set_output_{}", dir, n);
  path_file_ = fmt::format("{}/add_path_{}", dir, n);
  state_file_ = fmt::format("{}/save_state_{}", dir, n);
  summary_file_ = fmt::format("{}/step_summary_{}", dir, n);
  for (const std::string* file :
       {&env_file_, &output_file_, &path_file_, &state_file_, &summary_file_}) {
    (void)WriteWholeFile(*file, "");  // a failure shows when the step writes to it
  }
  RebuildProcessEnv();
}

StepRunner::~StepRunner() {
  for (const std::string* file :
       {&env_file_, &output_file_, &path_file_, &state_file_, &summary_file_}) {
    unlink(file->c_str());
  }
}

std::stop_token StepRunner::stop() const {
  return allow_cancel_ ? job_.stop.get_token() : std::stop_token();
}

void StepRunner::RebuildProcessEnv() {
  process_env_ = job_.base_env;
  for (const auto& [k, v] : layers_) process_env_[k] = v;
  for (const auto& [k, v] : job_.github_env) process_env_[k] = v;
  process_env_["GITHUB_ENV"] = env_file_;
  process_env_["GITHUB_OUTPUT"] = output_file_;
  process_env_["GITHUB_PATH"] = path_file_;
  process_env_["GITHUB_STATE"] = state_file_;
  process_env_["GITHUB_STEP_SUMMARY"] = summary_file_;
  process_env_["GITHUB_ACTION"] = step_id_;
  for (const auto& [k, v] : extra_) process_env_[k] = v;
  std::string path = process_env_.count("PATH") ? process_env_["PATH"] : "";
  if (path.empty()) path = "/usr/local/bin:/usr/bin:/bin";
  for (auto it = job_.path_additions.rbegin(); it != job_.path_additions.rend(); ++it) {
    path = *it + ":" + path;
  }
  process_env_["PATH"] = path;
}

void StepRunner::AddProcessEnv(std::string_view name, std::string_view value) {
  extra_[std::string(name)] = std::string(value);
  RebuildProcessEnv();
}

void StepRunner::Emit(LineKind kind, std::string_view line) { job_.Line(index_, kind, line); }

void StepRunner::SetOutput(std::string_view name, std::string_view value) {
  outputs_[std::string(name)] = std::string(value);
}

void StepRunner::ExportEnv(std::string_view name, std::string_view value) {
  if (core::EqualsIgnoreCase(name, "NODE_OPTIONS")) {
    Emit(LineKind::kAnnotation,
         "Warning: Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.");
    return;
  }
  job_.exported[std::string(name)] = std::string(value);
}

void StepRunner::AddPath(std::string_view dir) {
  std::erase(job_.path_additions, std::string(dir));
  job_.path_additions.insert(job_.path_additions.begin(), std::string(dir));
}

void StepRunner::SaveState(std::string_view name, std::string_view value) {
  state_[std::string(name)] = std::string(value);
}

void StepRunner::AddMask(std::string_view value) { job_.masker->Add(value); }

void StepRunner::AppendSummary(std::string_view markdown) {
  if (markdown.size() > kMaxSummaryBytes) {
    Emit(LineKind::kAnnotation,
         fmt::format("Warning: $GITHUB_STEP_SUMMARY upload aborted, supports content up to a "
                     "size of 1024k, got {}k.",
                     markdown.size() / 1024));
    return;
  }
  job_.summary.append(markdown);
  if (!markdown.empty() && markdown.back() != '\n') job_.summary += '\n';
}

Status StepRunner::ReadFileCommands() {
  Status first = Status::Ok();
  auto fail = [&](std::string_view command, const Status& status) {
    Emit(LineKind::kAnnotation,
         fmt::format("Error: Unable to process file command '{}' successfully.", command));
    Emit(LineKind::kAnnotation, "Error: " + status.message());
    if (first.ok()) first = status;
  };
  struct Kind {
    const std::string* file;
    const char* command;
    const char* variable;
  };
  for (const Kind& kind :
       {Kind{&env_file_, "env", "GITHUB_ENV"}, Kind{&output_file_, "output", "GITHUB_OUTPUT"},
        Kind{&state_file_, "save_state", "GITHUB_STATE"}}) {
    core::Result<std::string> content = ReadWholeFile(*kind.file);
    if (!content.ok() || content->empty()) continue;
    core::Result<std::vector<std::pair<std::string, std::string>>> pairs =
        ParseFileCommand(*content, kind.variable);
    if (!pairs.ok()) {
      fail(kind.command, pairs.status());
      continue;
    }
    for (const auto& [name, value] : *pairs) {
      if (kind.file == &env_file_) {
        ExportEnv(name, value);
      } else if (kind.file == &output_file_) {
        SetOutput(name, value);
      } else {
        SaveState(name, value);
      }
    }
  }
  if (core::Result<std::string> paths = ReadWholeFile(path_file_); paths.ok()) {
    for (const std::string& dir : ParsePathFile(*paths)) AddPath(dir);
  }
  if (core::Result<std::string> summary = ReadWholeFile(summary_file_);
      summary.ok() && !summary->empty()) {
    AppendSummary(*summary);
  }
  // Fresh files for the step's next process (an action may run several).
  for (const std::string* file :
       {&env_file_, &output_file_, &path_file_, &state_file_, &summary_file_}) {
    (void)WriteWholeFile(*file, "");
  }
  return first;
}

core::Result<Conclusion> StepRunner::RunProcess(const ScriptSpec& spec) {
  if (spec.argv.empty()) return Status::InvalidArgument("RunProcess: empty argv");
  sys::SubprocessOptions options;
  options.argv = spec.argv;
  std::map<std::string, std::string> env = process_env_;
  for (const auto& [k, v] : spec.env) env[k] = v;
  std::vector<std::string> entries;
  entries.reserve(env.size());
  for (const auto& [k, v] : env) entries.push_back(k + "=" + v);
  options.env = std::move(entries);
  options.cwd = spec.cwd.empty() ? job_.workspace : spec.cwd;
  options.merge_stderr = true;
  options.leftovers = sys::Leftovers::kKeep;
  options.stop = stop();
  std::chrono::milliseconds timeout = spec.timeout;
  if (timeout.count() == 0 && timeout_.count() > 0) {
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started_);
    timeout = std::max(std::chrono::milliseconds(1), timeout_ - elapsed);
  }
  options.timeout = timeout;
  auto allow = env.find("ACTIONS_ALLOW_UNSECURE_COMMANDS");
  CommandProcessor processor(allow != env.end() && allow->second == "true");

  core::Result<std::unique_ptr<sys::Subprocess>> process = sys::Subprocess::Start(options);
  if (!process.ok()) {
    std::string message = process.status().message();
    Emit(LineKind::kAnnotation, "Error: " + message);
    set_reason(message);
    return Conclusion::kFailure;
  }
  core::Result<sys::ExitStatus> exit =
      (*process)->Wait([&](std::string_view line) { processor.ProcessLine(line, *this); }, {});
  job_.leftovers.push_back(std::move(*process));  // background members live until the job ends
  if (!exit.ok()) return exit.status();
  Status files = ReadFileCommands();

  if (exit->cancelled) {
    std::string why = job_.timed_out ? fmt::format("the job timed out after {} min",
                                                   core::FormatDouble(job_.job_timeout_minutes))
                                     : "cancelled";
    Emit(LineKind::kAnnotation, "Error: The operation was canceled.");
    set_reason(why);
    return job_.timed_out ? Conclusion::kFailure : Conclusion::kCancelled;
  }
  if (exit->timed_out) {
    timed_out_ = true;
    std::string why = fmt::format("timed out after {} min", Minutes(timeout));
    Emit(LineKind::kAnnotation,
         fmt::format("Error: The action has timed out after {} minutes.", Minutes(timeout)));
    set_reason(why);
    return Conclusion::kFailure;
  }
  if (!exit->ok()) {
    if (exit->signal == 0) {
      Emit(LineKind::kAnnotation,
           fmt::format("Error: Process completed with exit code {}.", exit->exit_code));
    } else {
      Emit(LineKind::kAnnotation, "Error: Process " + exit->ToString() + ".");
    }
    set_reason(exit->ToString());
    return Conclusion::kFailure;
  }
  if (!processor.failure().empty()) {
    set_reason(processor.failure());
    return Conclusion::kFailure;
  }
  if (!files.ok()) {
    set_reason(files.message());
    return Conclusion::kFailure;
  }
  return Conclusion::kSuccess;
}

core::Result<Conclusion> StepRunner::RunScript(std::string_view script, std::string_view shell,
                                               const std::string& working_directory) {
  std::string file = job_.NextFile(step_id_, ScriptExtension(shell));
  core::Result<ShellCommand> command = BuildShellCommand(shell, process_env_["PATH"], file);

  std::vector<std::string_view> lines = core::SplitLines(script);
  std::string_view first = lines.empty() ? "" : core::TrimRight(lines[0]);
  Emit(LineKind::kCommand, fmt::format("Run {}", first));
  for (std::string_view line : lines) Emit(LineKind::kCommand, fmt::format("  {}", line));
  if (command.ok()) Emit(LineKind::kCommand, "  shell: " + command->display);
  if (!layers_.empty()) {
    Emit(LineKind::kCommand, "  env:");
    for (const auto& [k, v] : layers_) Emit(LineKind::kCommand, fmt::format("    {}: {}", k, v));
  }
  if (!command.ok()) {
    Emit(LineKind::kAnnotation, "Error: " + command.status().message());
    set_reason(command.status().message());
    return Conclusion::kFailure;
  }
  std::string contents = command->prologue + std::string(script) + command->epilogue;
  CAIRN_RETURN_IF_ERROR(WriteWholeFile(file, contents, 0755));
  ScriptSpec spec;
  spec.argv = command->argv;
  spec.cwd = working_directory;
  core::Result<Conclusion> result = RunProcess(spec);
  unlink(file.c_str());
  return result;
}

}  // namespace cairn::workflow::job_internal
