// Env: the operating system as cairn sees it (files, environment variables, clock).
//
// Everything that touches the OS goes through an Env so tests can run on an in-memory one
// (tests/testing/mem_env.h). NewPosixEnv() is the real one. Paths are plain strings, '/'
// separated; relative paths are relative to the process's working directory.
//
// Thread safety: every method may be called from several threads at once. Files returned
// by an Env are used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace cairn::sys {

using core::Result;
using core::Status;

enum class FileType { kRegular, kDirectory, kSymlink, kOther };

struct FileInfo {
  FileType type = FileType::kOther;
  uint64_t size = 0;
  int64_t mtime_ns = 0;  // modification time, nanoseconds since the Unix epoch
  uint64_t inode = 0;
  uint64_t device = 0;
  uint32_t mode = 0;  // permission bits (07777)

  bool is_regular() const { return type == FileType::kRegular; }
  bool is_directory() const { return type == FileType::kDirectory; }
  bool is_symlink() const { return type == FileType::kSymlink; }
  bool executable() const { return (mode & 0111) != 0; }
};

struct DirEntry {
  std::string name;
  FileType type;  // of the entry itself: a symlink is kSymlink whatever it points to
};

struct DirEntryInfo {
  std::string name;
  FileInfo info;  // of the entry itself: a symlink is kSymlink (lstat)
};

/// Reads a file front to back.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  /// Reads up to `n` bytes into `buf`; returns how many were read, 0 at the end.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
};

/// How hard a committed write tries to survive a crash.
enum class Durability {
  /// temp file + rename: readers never see a partial file, but a power loss may leave an
  /// empty or old one. For content-addressed objects, whose hash is checked on read.
  kRelaxed,
  /// temp file + fsync + rename + fsync of the directory: once Commit returns, the new
  /// content survives a power loss. For files that describe state (.dvc, dvc.lock, config).
  kDurable,
};

struct WriteOptions {
  Durability durability = Durability::kDurable;
  uint32_t mode = 0644;  // permission bits of the new file (before the umask)
};

/// Writes a new version of a file that replaces the old one atomically on Commit().
/// Destroyed without Commit(), it leaves the old file (or its absence) untouched and removes
/// its temporary file.
class AtomicFile {
 public:
  virtual ~AtomicFile() = default;
  virtual Status Append(std::string_view data) = 0;
  /// Replaces the path given at open with what was appended.
  virtual Status Commit() = 0;
  /// Commit, but to `path`, decided now (content-addressed objects are named by their hash,
  /// known only at the end). `path` must be on the same file system as the one given at open.
  virtual Status CommitAs(std::string_view path) = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // --- Files ---
  virtual Result<std::unique_ptr<SequentialFile>> OpenSequential(std::string_view path) = 0;
  /// Starts an atomic replacement of `path`; its directory must exist.
  virtual Result<std::unique_ptr<AtomicFile>> OpenAtomic(std::string_view path,
                                                         const WriteOptions& options = {}) = 0;
  /// Follows symlinks.
  virtual Result<FileInfo> Stat(std::string_view path) = 0;
  /// Does not follow a final symlink.
  virtual Result<FileInfo> LStat(std::string_view path) = 0;
  /// The entries of a directory, without "." and "..", in no particular order.
  virtual Result<std::vector<DirEntry>> ListDir(std::string_view path) = 0;
  /// ListDir with each entry's lstat information. The real Env stats relative to the open
  /// directory, which is much cheaper than LStat of each full path; this default is not.
  virtual Result<std::vector<DirEntryInfo>> ListDirInfo(std::string_view path);
  /// Creates the directory and its missing parents; OK when it already exists.
  virtual Status CreateDirs(std::string_view path) = 0;
  /// Removes a file, a symlink or an empty directory. NotFound when absent.
  virtual Status Remove(std::string_view path) = 0;
  /// Removes a tree, symlinks not followed. OK when absent.
  virtual Status RemoveAll(std::string_view path) = 0;
  /// Renames atomically within one file system, replacing `to` if it is a file.
  virtual Status Rename(std::string_view from, std::string_view to) = 0;
  virtual Status SetMode(std::string_view path, uint32_t mode) = 0;
  virtual Status Symlink(std::string_view target, std::string_view link) = 0;
  /// Creates the file `path` holding `data`, atomically: it appears whole or not at all, and
  /// AlreadyExists (with nothing written) when `path` exists. Not fsynced. Cheaper than
  /// WriteFile: one new inode and one directory entry, no temporary name (O_TMPFILE), which
  /// is what content-addressed stores want for many small objects.
  virtual Status WriteNewFile(std::string_view path, std::string_view data, uint32_t mode) = 0;
  /// A new hard link `link` to the file `target`.
  virtual Status HardLink(std::string_view target, std::string_view link) = 0;
  /// Copies the bytes of file `from` into a new file `to` (which must not exist), with mode
  /// `mode`. Shares the blocks (a reflink) where the file system can, else copies in the
  /// kernel. With `reflink_only`, fails with kNotImplemented instead of copying.
  virtual Status CopyFile(std::string_view from, std::string_view to, uint32_t mode = 0644,
                          bool reflink_only = false) = 0;
  virtual Result<std::string> ReadLink(std::string_view path) = 0;

  // --- Environment variables ---
  virtual std::optional<std::string> GetVar(std::string_view name) const = 0;
  /// Every variable, sorted by name.
  virtual std::vector<std::pair<std::string, std::string>> Vars() const = 0;

  // --- Clock ---
  /// Wall-clock time, microseconds since the Unix epoch.
  virtual int64_t NowMicros() const = 0;
  /// A clock that never goes back, for measuring durations, in nanoseconds.
  virtual int64_t MonotonicNanos() const = 0;

  // --- Conveniences, written once over the primitives ---
  Result<std::string> ReadFile(std::string_view path);
  /// Replaces `path` with `data` atomically (see Durability).
  Status WriteFile(std::string_view path, std::string_view data, const WriteOptions& options = {});
  /// True when `path` exists (following symlinks).
  bool Exists(std::string_view path);
  bool IsDirectory(std::string_view path);
};

/// The real operating system. The returned Env holds no state: it may be shared freely.
std::unique_ptr<Env> NewPosixEnv();

}  // namespace cairn::sys
