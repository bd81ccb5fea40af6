#include "sys/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "core/strings.h"
#include "sys/posix_error.h"

namespace cairn::sys {
namespace {

std::string_view StripNewline(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  return line;
}

// Writes all of `data`; output errors are not reported (a closed terminal must not stop a
// job), but interrupted and partial writes are retried.
void WriteFully(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

void LogSink::WriteLines(std::string_view text) {
  for (std::string_view line : core::SplitLines(text)) WriteLine(line);
}

void FdSink::WriteLine(std::string_view line) {
  std::string buf(StripNewline(line));
  buf += '\n';
  std::lock_guard lock(mu_);
  WriteFully(fd_, buf);
}

core::Result<std::unique_ptr<FileSink>> FileSink::Open(std::string_view path) {
  std::string p(path);
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return PosixError("open log", p, errno);
  return std::unique_ptr<FileSink>(new FileSink(std::move(p), fd));
}

FileSink::~FileSink() { ::close(fd_); }

void FileSink::WriteLine(std::string_view line) {
  std::string buf(StripNewline(line));
  buf += '\n';
  std::lock_guard lock(mu_);
  WriteFully(fd_, buf);
}

void MemorySink::WriteLine(std::string_view line) {
  std::lock_guard lock(mu_);
  lines_.emplace_back(StripNewline(line));
}

std::vector<std::string> MemorySink::lines() const {
  std::lock_guard lock(mu_);
  return lines_;
}

void TeeSink::WriteLine(std::string_view line) {
  for (LogSink* sink : sinks_) sink->WriteLine(line);
}

void MaskingSink::WriteLine(std::string_view line) {
  next_.WriteLine(masker_.Mask(StripNewline(line)));
}

}  // namespace cairn::sys
