#include "cli/terminal.h"

#include <unistd.h>

#include <fmt/format.h>

namespace cairn::cli {

bool UseColor(FILE* stream, const sys::Env& env) {
  std::optional<std::string> no_color = env.GetVar("NO_COLOR");
  if (no_color && !no_color->empty()) return false;
  if (env.GetVar("TERM") == "dumb") return false;
  return ::isatty(::fileno(stream)) != 0;
}

std::string Red(std::string_view text, bool color) {
  if (!color) return std::string(text);
  return fmt::format("\033[1;31m{}\033[0m", text);
}

ProgressBar::ProgressBar(const sys::Env& env, std::string label, uint64_t total)
    : env_(env), label_(std::move(label)), total_(total), active_(::isatty(STDERR_FILENO) != 0) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Add(uint64_t n) {
  uint64_t done = done_.fetch_add(n, std::memory_order_relaxed) + n;
  if (!active_) return;
  int64_t now = env_.MonotonicNanos();
  int64_t last = last_draw_ns_.load(std::memory_order_relaxed);
  if (now - last < 100'000'000 && (total_ == 0 || done < total_)) return;
  if (!last_draw_ns_.compare_exchange_strong(last, now)) return;  // another thread draws
  Draw(done);
}

void ProgressBar::Draw(uint64_t done) {
  std::lock_guard lock(draw_mu_);
  uint64_t total = total_.load();
  if (total == 0) {
    std::string line = fmt::format("\r{} {}", label_, done);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
    return;
  }
  constexpr int kWidth = 30;
  int filled = static_cast<int>(kWidth * std::min(done, total) / total);
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < kWidth) bar += '>';
  bar.resize(kWidth, ' ');
  std::string line = fmt::format("\r{} [{}] {}/{}", label_, bar, done, total);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

void ProgressBar::Finish() {
  if (!active_.exchange(false)) return;
  std::lock_guard lock(draw_mu_);
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
}

}  // namespace cairn::cli
