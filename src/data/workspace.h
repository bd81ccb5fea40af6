// Hashing workspace paths the way DVC does, fast: the stat cache (State) answers for files
// whose stat did not change, the rest are hashed on a thread pool, and with a Cache each file
// is stored while it is hashed (one read). Directories become Trees (`.dir` objects).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "data/cache.h"
#include "data/state.h"
#include "data/tree.h"
#include "sys/env.h"
#include "sys/thread_pool.h"

namespace cairn::data {

/// What a workspace path hashes to.
struct PathHash {
  std::string md5;  // "<hex>", or "<hex>.dir" for a directory
  uint64_t size = 0;
  uint64_t nfiles = 0;  // directories only
  bool isexec = false;  // single files only
  bool is_dir = false;
  Tree tree;  // directories only, when tree_known
  /// False when a directory's id came from the stat cache's record of its listing and the
  /// per-file entries were not looked up (ask with HashOptions::need_tree to get them).
  bool tree_known = true;
};

struct HashOptions {
  /// Leaves out paths under a directory (relative to it) and whether they are directories;
  /// the built-in skips (.git, .hg, .dvc at any depth) apply in addition.
  std::function<bool(std::string_view relpath, bool is_dir)> skip;
  /// When set, every file is also stored in the cache (as `dvc add` / `commit` do) and the
  /// tree object of a directory too.
  Cache* cache = nullptr;
  /// Called once per file hashed or found in the stat cache, from any thread.
  std::function<void()> on_file;
  /// Hash as DVC 2.x did (md5-dos2unix), to check a legacy entry; the stat cache (which holds
  /// 3.x hashes) and `cache` are not used.
  bool legacy = false;
  /// Fill PathHash::tree even when the directory's id is known from its listing.
  bool need_tree = false;
};

class WorkspaceHasher {
 public:
  /// All borrowed; `state_key_root` is the repo root, so State rows are repo-relative.
  WorkspaceHasher(sys::Env& env, State& state, sys::ThreadPool& pool, std::string repo_root)
      : env_(env), state_(state), pool_(pool), root_(std::move(repo_root)) {}

  /// Hashes the file or directory at repo-relative `path`; nullopt when it does not exist.
  core::Result<std::optional<PathHash>> Hash(std::string_view path,
                                             const HashOptions& options = {});

 private:
  // The md5 of one file, from the stat cache or by reading it (storing it when caching).
  core::Result<std::string> HashFile(const std::string& rel, const sys::FileInfo& info,
                                     const HashOptions& options);

  sys::Env& env_;
  State& state_;
  sys::ThreadPool& pool_;
  std::string root_;
};

/// True for names DVC never looks inside: ".git", ".hg", ".dvc".
bool IsBuiltinIgnored(std::string_view name);

}  // namespace cairn::data
