// The console output of `cairn workflow run` (see run_printer.h).
#include "cli/run_printer.h"

#include <fmt/format.h>

#include <chrono>

namespace cairn::cli {
namespace {

using workflow::Conclusion;

constexpr const char* kBold = "\033[1m";
constexpr const char* kRed = "\033[31m";
constexpr const char* kGreen = "\033[32m";
constexpr const char* kYellow = "\033[33m";
constexpr const char* kDim = "\033[2m";

std::string Seconds(std::chrono::milliseconds d) {
  return fmt::format("{:.1f} s", static_cast<double>(d.count()) / 1000.0);
}

const char* ConclusionColor(Conclusion c) {
  switch (c) {
    case Conclusion::kSuccess:
      return kGreen;
    case Conclusion::kFailure:
      return kRed;
    case Conclusion::kCancelled:
    case Conclusion::kSkipped:
      break;
  }
  return kYellow;
}

}  // namespace

std::string RunPrinter::Paint(std::string_view text, const char* ansi) const {
  if (!color_) return std::string(text);
  return fmt::format("{}{}\033[0m", ansi, text);
}

std::string RunPrinter::Prefix(const workflow::JobRef& job) const {
  return Paint(fmt::format("[{}]", job.display_name), kBold) + " ";
}

void RunPrinter::RunStarted(const workflow::Workflow& workflow, const workflow::Event& event) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string name = workflow.name ? workflow.name->value.text() : workflow.file;
  fmt::print(out_, "{} {} on {} {} ({})\n", Paint("Workflow", kBold), name, event.name, event.ref,
             event.sha.substr(0, 7));
  std::fflush(out_);
}

void RunPrinter::JobStarted(const workflow::JobRef& job) {
  std::lock_guard<std::mutex> lock(mu_);
  fmt::print(out_, "{}🚀 Start job\n", Prefix(job));
  std::fflush(out_);
}

void RunPrinter::StepStarted(const workflow::JobRef& job, int, std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  fmt::print(out_, "{}⭐ {}\n", Prefix(job), name);
  std::fflush(out_);
}

void RunPrinter::Line(const workflow::JobRef& job, int, workflow::LineKind kind,
                      std::string_view line) {
  if (kind == workflow::LineKind::kDebug && !verbose_) return;
  std::lock_guard<std::mutex> lock(mu_);
  switch (kind) {
    case workflow::LineKind::kOutput:
      fmt::print(out_, "{}  | {}\n", Prefix(job), line);
      break;
    case workflow::LineKind::kCommand:
      fmt::print(out_, "{}  {}\n", Prefix(job), Paint(line, kDim));
      break;
    case workflow::LineKind::kAnnotation:
      fmt::print(out_, "{}  {}\n", Prefix(job), Paint(line, kYellow));
      break;
    case workflow::LineKind::kDebug:
      fmt::print(out_, "{}  {}\n", Prefix(job), Paint(fmt::format("debug: {}", line), kDim));
      break;
  }
  std::fflush(out_);
}

void RunPrinter::StepFinished(const workflow::JobRef& job, int,
                              const workflow::StepResult& result) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string status(workflow::ConclusionName(result.outcome));
  if (result.outcome != result.conclusion) status += " (continue-on-error)";
  std::string line =
      fmt::format("{} - {} ({})", status, result.display_name, Seconds(result.duration));
  if (!result.reason.empty() && result.outcome != Conclusion::kSuccess) {
    line += ": " + result.reason;
  }
  fmt::print(out_, "{}  {}\n", Prefix(job), Paint(line, ConclusionColor(result.outcome)));
  std::fflush(out_);
}

void RunPrinter::JobFinished(const workflow::JobRef& job, const workflow::JobResult& result,
                             std::string_view) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string line = fmt::format("🏁 Job {}", workflow::ConclusionName(result.conclusion));
  if (!result.reason.empty() && result.conclusion != Conclusion::kSuccess) {
    line += ": " + result.reason;
  }
  fmt::print(out_, "{}{}\n", Prefix(job), Paint(line, ConclusionColor(result.conclusion)));
  std::fflush(out_);
}

void RunPrinter::RunFinished(const workflow::RunResult& result) {
  std::lock_guard<std::mutex> lock(mu_);
  fmt::print(out_, "\n");
  for (const workflow::JobResult& job : result.jobs) {
    std::string conclusion = fmt::format("{:<10}", workflow::ConclusionName(job.conclusion));
    fmt::print(out_, "  {:<40} {} {}\n", job.display_name,
               Paint(conclusion, ConclusionColor(job.conclusion)),
               job.conclusion == Conclusion::kSkipped ? job.reason : Seconds(job.duration));
  }
  fmt::print(out_, "{} {} in {}\n", Paint("Run", kBold),
             Paint(workflow::ConclusionName(result.conclusion), ConclusionColor(result.conclusion)),
             Seconds(result.duration));
  std::fflush(out_);
}

}  // namespace cairn::cli
