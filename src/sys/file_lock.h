// FileLock: an exclusive advisory lock on a file, taken with flock() as DVC takes
// `.dvc/tmp/lock` (zc.lockfile), so cairn and DVC exclude each other on the same repository.
//
// The lock belongs to the open file description: a second FileLock on the same path, in
// this process or another, waits or fails. It is released when the object is destroyed or
// the process dies, so a crash never leaves a stale lock behind.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cairn::sys {

using core::Result;
using core::Status;

struct LockOptions {
  /// How long to keep retrying before giving up; DVC tries 6 times over 3 seconds.
  int64_t timeout_ms = 3000;
  int64_t retry_interval_ms = 500;
  /// Wait as long as it takes (DVC's --wait-for-lock).
  bool wait_forever = false;
};

class FileLock {
 public:
  /// Creates `path` if needed (its directory must exist), locks it and writes this process's
  /// pid into it. Fails with kResourceConflict, naming the holder's pid when the file has
  /// one, if the lock stays taken past the timeout.
  static core::Result<FileLock> Acquire(std::string_view path, const LockOptions& options = {});

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  const std::string& path() const { return path_; }

 private:
  FileLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  void Release();

  std::string path_;
  int fd_ = -1;  // -1 once released or moved from
};

}  // namespace cairn::sys
