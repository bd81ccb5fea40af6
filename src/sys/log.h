// Log sinks: where lines of output go (a terminal, a file, a run's log), and the masking
// sink that stands in front of them so no registered secret reaches any of them.
//
//   core::SecretMasker masker;           // filled from secrets and ::add-mask::
//   FdSink terminal(STDOUT_FILENO);
//   MaskingSink out(masker, terminal);   // everything written to `out` is masked
//
// Sinks are thread-safe: lines written from several threads come out whole, never mixed.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/mask.h"
#include "core/result.h"

namespace cairn::sys {

class LogSink {
 public:
  virtual ~LogSink() = default;
  /// Writes one line; `line` holds no '\n' (a trailing one is dropped).
  virtual void WriteLine(std::string_view line) = 0;
  /// Writes every line of `text`, as SplitLines splits it.
  void WriteLines(std::string_view text);
};

/// Writes lines to a file descriptor it does not own (stdout, stderr).
class FdSink final : public LogSink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  void WriteLine(std::string_view line) override;

 private:
  std::mutex mu_;
  int fd_;
};

/// Appends lines to a file it opens (created with mode 0600: logs may be sensitive).
class FileSink final : public LogSink {
 public:
  static core::Result<std::unique_ptr<FileSink>> Open(std::string_view path);
  ~FileSink() override;
  void WriteLine(std::string_view line) override;

 private:
  FileSink(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::mutex mu_;
  std::string path_;
  int fd_;
};

/// Keeps lines in memory (tests, step summaries).
class MemorySink final : public LogSink {
 public:
  void WriteLine(std::string_view line) override;
  std::vector<std::string> lines() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

/// Sends each line to several sinks.
class TeeSink final : public LogSink {
 public:
  explicit TeeSink(std::vector<LogSink*> sinks) : sinks_(std::move(sinks)) {}
  void WriteLine(std::string_view line) override;

 private:
  std::vector<LogSink*> sinks_;
};

/// Masks every secret registered in `masker` before the line reaches `next`. Both are
/// borrowed and must outlive the sink. Secrets added later apply to later lines.
class MaskingSink final : public LogSink {
 public:
  MaskingSink(const core::SecretMasker& masker, LogSink& next) : masker_(masker), next_(next) {}
  void WriteLine(std::string_view line) override;

 private:
  const core::SecretMasker& masker_;
  LogSink& next_;
};

}  // namespace cairn::sys
