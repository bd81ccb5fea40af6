// HistoryRecorder (history.h): a RunObserver writing a run into its RunHistory: job and step
// rows, one log file per job (appended line by line with write(2), so a crash loses no line
// already reported), the job's summary (written atomically). One mutex serializes every call;
// the history's own mutex is taken inside it (never the other way round).
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "workflow/history.h"

namespace cairn::workflow {
namespace {

// "[3] " before a step's line, "[-] " before the job's own.
std::string Prefix(int step_index) {
  return step_index < 0 ? std::string("[-] ") : fmt::format("[{}] ", step_index);
}

core::Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return core::Status::IoError(fmt::format("{}: {}", path, std::strerror(errno)));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return core::Status::Ok();
}

}  // namespace

HistoryRecorder::HistoryRecorder(RunHistory& history, int64_t run_id,
                                 std::shared_ptr<const core::SecretMasker> masker)
    : history_(history),
      run_id_(run_id),
      dir_(history.RunDir(run_id)),
      masker_(std::move(masker)) {}

HistoryRecorder::~HistoryRecorder() {
  for (auto& [name, state] : jobs_) {
    if (state.fd >= 0) ::close(state.fd);
  }
}

core::Status HistoryRecorder::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

void HistoryRecorder::NoteLocked(core::Status status) {
  if (!status.ok() && status_.ok()) status_ = std::move(status);
}

std::string HistoryRecorder::Masked(std::string_view text) const {
  return masker_ ? masker_->Mask(text) : std::string(text);
}

HistoryRecorder::JobState& HistoryRecorder::StateLocked(const JobRef& job) {
  auto it = jobs_.find(job.display_name);
  if (it != jobs_.end()) return it->second;
  JobState& state = jobs_[job.display_name];
  std::string base = SanitizeLogName(Masked(job.display_name));
  int uses = ++log_names_[base];
  state.log_file = uses == 1 ? base + ".log" : fmt::format("{}-{}.log", base, uses);
  state.started_ms = history_.NowMs();
  JobRecord record;
  record.job_id = job.job_id;
  record.display_name = job.display_name;
  record.started_ms = state.started_ms;
  record.log_file = state.log_file;
  {
    std::lock_guard lock(history_.mu_);
    NoteLocked(history_.JobStartedLocked(run_id_, record));
  }
  return state;
}

void HistoryRecorder::WriteLocked(JobState& state, std::string_view text) {
  std::string path = dir_ + "/" + state.log_file;
  if (state.fd < 0) {
    state.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (state.fd < 0) {
      NoteLocked(core::Status::IoError(fmt::format("{}: {}", path, std::strerror(errno))));
      return;
    }
  }
  NoteLocked(WriteAll(state.fd, text, path));
}

void HistoryRecorder::JobStarted(const JobRef& job) {
  std::lock_guard lock(mu_);
  StateLocked(job);
}

void HistoryRecorder::StepStarted(const JobRef& job, int index, std::string_view display_name) {
  std::lock_guard lock(mu_);
  JobState& state = StateLocked(job);
  state.step_started_ms[index] = history_.NowMs();
  WriteLocked(state, Prefix(index) + "##[step] " + Masked(display_name) + "\n");
}

void HistoryRecorder::Line(const JobRef& job, int step_index, LineKind kind,
                           std::string_view line) {
  std::lock_guard lock(mu_);
  JobState& state = StateLocked(job);
  std::string text = Prefix(step_index);
  if (kind == LineKind::kDebug) text += "##[debug]";
  // One record per line: a line holding '\n' (it should not) is split, each part prefixed.
  size_t start = 0;
  while (true) {
    size_t nl = line.find('\n', start);
    text.append(line.substr(start, nl == std::string_view::npos ? nl : nl - start));
    text += '\n';
    if (nl == std::string_view::npos || nl + 1 == line.size()) break;
    start = nl + 1;
    text += Prefix(step_index);
  }
  WriteLocked(state, text);
}

void HistoryRecorder::StepFinished(const JobRef& job, int index, const StepResult& result) {
  std::lock_guard lock(mu_);
  JobState& state = StateLocked(job);
  StepRecord step;
  step.index = index;
  step.id = result.id;
  step.display_name = Masked(result.display_name);
  step.outcome = ConclusionName(result.outcome);
  step.conclusion = ConclusionName(result.conclusion);
  step.reason = Masked(result.reason);
  step.finished_ms = history_.NowMs();
  auto started = state.step_started_ms.find(index);
  step.started_ms = started != state.step_started_ms.end()
                        ? started->second
                        : step.finished_ms - result.duration.count();
  std::lock_guard history_lock(history_.mu_);
  NoteLocked(history_.StepFinishedLocked(run_id_, job.display_name, step));
}

void HistoryRecorder::JobFinished(const JobRef& job, const JobResult& result,
                                  std::string_view summary) {
  std::lock_guard lock(mu_);
  JobState& state = StateLocked(job);
  if (state.fd >= 0) {
    ::close(state.fd);
    state.fd = -1;
  }
  JobRecord record;
  record.job_id = job.job_id;
  record.display_name = job.display_name;
  record.conclusion = ConclusionName(result.conclusion);
  record.reason = Masked(result.reason);
  record.started_ms = state.started_ms;
  record.finished_ms = history_.NowMs();
  for (const auto& [k, v] : result.outputs) record.outputs[k] = Masked(v);
  record.log_file = state.log_file;
  if (!summary.empty()) {
    std::string base = state.log_file.substr(0, state.log_file.size() - 4);  // without ".log"
    core::Status written = history_.env_.WriteFile(dir_ + "/" + base + ".summary.md", summary,
                                                   {sys::Durability::kRelaxed});
    record.has_summary = written.ok();
    NoteLocked(std::move(written));
  }
  std::lock_guard history_lock(history_.mu_);
  NoteLocked(history_.JobFinishedLocked(run_id_, record));
}

void HistoryRecorder::RunFinished(const RunResult& result) {
  std::lock_guard lock(mu_);
  NoteLocked(history_.FinishRun(run_id_, result.conclusion));
}

}  // namespace cairn::workflow
