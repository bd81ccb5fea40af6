// Module-private: what the terminal can show. Colors only on a terminal, never when
// NO_COLOR is set (https://no-color.org) or TERM is "dumb"; progress bars only on a terminal.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

#include "sys/env.h"

namespace cairn::cli {

/// True when text written to `stream` may carry ANSI colors.
bool UseColor(FILE* stream, const sys::Env& env);

/// `text` in bold red (or as is, without color).
std::string Red(std::string_view text, bool color);

/// A one-line progress bar on stderr: "label [=====>    ] 1234/5000", or "label 1234" while
/// the total is unknown (0). Draws only when stderr is a terminal, at most ten times a second;
/// Add() and SetTotal() may be called from any thread. The line is cleared by Finish() or the
/// destructor.
class ProgressBar {
 public:
  ProgressBar(const sys::Env& env, std::string label, uint64_t total);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Add(uint64_t n = 1);
  void SetTotal(uint64_t total) { total_ = total; }
  void Finish();
  bool active() const { return active_; }

 private:
  void Draw(uint64_t done);

  const sys::Env& env_;
  std::string label_;
  std::atomic<uint64_t> total_;
  std::atomic<bool> active_;
  std::atomic<uint64_t> done_{0};
  std::atomic<int64_t> last_draw_ns_{0};
  std::mutex draw_mu_;
};

}  // namespace cairn::cli
