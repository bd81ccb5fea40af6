#include "sys/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "core/strings.h"
#include "sys/posix_error.h"

namespace cairn::sys {
namespace {

std::string ReadHolder(int fd) {
  char buf[64];
  ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0) return {};
  return std::string(core::Trim(std::string_view(buf, static_cast<size_t>(n))));
}

}  // namespace

core::Result<FileLock> FileLock::Acquire(std::string_view path, const LockOptions& options) {
  std::string p(path);
  int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return PosixError("open lock file", p, errno);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.timeout_ms);
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) break;
    int err = errno;
    if (err != EWOULDBLOCK && err != EINTR) {
      ::close(fd);
      return PosixError("lock", p, err);
    }
    if (!options.wait_forever && std::chrono::steady_clock::now() >= deadline) {
      std::string holder = ReadHolder(fd);
      ::close(fd);
      return core::Status(
          core::Code::kResourceConflict,
          fmt::format("unable to acquire lock '{}': another process{} holds it; if none is "
                      "running, it has exited and the lock is free again",
                      p, holder.empty() ? "" : " (pid " + holder + ")"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(options.retry_interval_ms));
  }
  // Record who holds it, as zc.lockfile does.
  std::string pid = fmt::format(" {}\n", ::getpid());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The lock is held either way; the pid is only a courtesy to whoever waits.
  }
  return FileLock(std::move(p), fd);
}

FileLock::FileLock(FileLock&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) {
  other.fd_ = -1;
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    Release();
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() { Release(); }

void FileLock::Release() {
  if (fd_ < 0) return;
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace cairn::sys
