// Walk: every file under a directory, in a stable order.
//
// Files are listed by their path relative to the root ('/'-separated), sorted by byte value
// of the whole path (the order DVC sorts a directory's entries in: "a-x" < "a.x" < "a/x" <
// "a0"). Symlinked files are followed and described by their target; symlinked directories
// are not entered, only reported; empty directories contribute nothing. With a thread pool,
// directories are listed in parallel; the result is the same.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sys/env.h"
#include "sys/thread_pool.h"

namespace cairn::sys {

struct WalkEntry {
  std::string path;  // relative to the root
  FileInfo info;     // of the file, or of the symlink's target
  bool symlink = false;
};

struct WalkOptions {
  /// Called for each entry before it is listed or entered, with its relative path and
  /// whether it is a directory; returning true leaves it (and all under it) out. With a
  /// pool it is called from several threads at once.
  std::function<bool(std::string_view relpath, bool is_dir)> skip;
  /// Lists directories on this pool (borrowed; not one whose worker is calling Walk).
  ThreadPool* pool = nullptr;
};

struct WalkResult {
  std::vector<WalkEntry> files;              // sorted by path
  std::vector<std::string> symlinked_dirs;   // sorted; not entered
  std::vector<std::string> broken_symlinks;  // sorted; their target is missing
};

/// Walks the tree under `root`, which must be a directory.
Result<WalkResult> Walk(Env& env, std::string_view root, const WalkOptions& options = {});

}  // namespace cairn::sys
