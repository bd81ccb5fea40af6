// Module-private: the live console output of `cairn workflow run`: every line prefixed by its
// job ("[train] "), step starts ("[train] ⭐ Run Train model") and ends ("[train]   ✅ Success
// - Train model (3.2 s)"), annotations highlighted, and a summary table at the end. Lines are
// already masked by the runner. Thread-safe: a mutex keeps lines from two jobs whole.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include "workflow/runner.h"

namespace cairn::cli {

class RunPrinter : public workflow::RunObserver {
 public:
  /// `color`: ANSI colors (a terminal without NO_COLOR). `verbose`: show ::debug:: lines.
  RunPrinter(FILE* out, bool color, bool verbose) : out_(out), color_(color), verbose_(verbose) {}

  void RunStarted(const workflow::Workflow& workflow, const workflow::Event& event) override;
  void JobStarted(const workflow::JobRef& job) override;
  void StepStarted(const workflow::JobRef& job, int index, std::string_view name) override;
  void Line(const workflow::JobRef& job, int step, workflow::LineKind kind,
            std::string_view line) override;
  void StepFinished(const workflow::JobRef& job, int index,
                    const workflow::StepResult& result) override;
  void JobFinished(const workflow::JobRef& job, const workflow::JobResult& result,
                   std::string_view summary) override;
  void RunFinished(const workflow::RunResult& result) override;

 private:
  std::string Prefix(const workflow::JobRef& job) const;
  std::string Paint(std::string_view text, const char* ansi) const;

  FILE* out_;
  bool color_;
  bool verbose_;
  std::mutex mu_;
};

}  // namespace cairn::cli
