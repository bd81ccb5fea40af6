// Module-private: the local store behind actions/cache and setup-python's `cache: pip`
// (RunDirectories::cache, `.cairn/cache`). Content-addressed, no tar:
//   <dir>/objects/ab/abcdef...   each file's bytes, named by their SHA-256
//   <dir>/entries/<sha256(version NUL key)>.json   one manifest per key: key, version, the
//                                 time it was saved, and each file's stored path, sha and mode
// A manifest is created with WriteNewFile (whole or not at all, and only when absent), after
// every object it names is in place: a cache entry, like GitHub's, is immutable; of two
// concurrent saves of one key one wins and the other gets AlreadyExists; nothing is corrupted.
// Objects are written the same way, so identical content written twice is harmless.
//
// Stored paths are relative to the workspace when the file is under it (a job's workspace is
// fresh each time), absolute otherwise (~/.cache/pip).
//
// Thread safety: a CacheStore holds only its directory; any number may work on one directory
// at once, from threads or processes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "sys/env.h"

namespace cairn::workflow {

struct CachedFile {
  std::string path;  // relative to the workspace, or absolute
  std::string sha256;
  uint32_t mode = 0644;
};

struct CacheEntry {
  std::string key;
  std::string version;  // what the paths were (a cache is found only by the same paths)
  int64_t created_us = 0;
  std::vector<CachedFile> files;
};

class CacheStore {
 public:
  CacheStore(sys::Env& env, std::string dir) : env_(env), dir_(std::move(dir)) {}

  /// The entry of exactly `key`, else for each restore key in order the newest entry whose key
  /// is it or starts with it; only entries of `version`. nullopt when none.
  core::Result<std::optional<CacheEntry>> Find(std::string_view key,
                                               const std::vector<std::string>& restore_keys,
                                               std::string_view version);
  /// Writes the entry's files (relative paths under `workspace`), replacing what is there.
  core::Status Restore(const CacheEntry& entry, std::string_view workspace);
  /// Saves `files` (absolute paths) under `key`. AlreadyExists when the key has an entry.
  core::Status Save(std::string_view key, std::string_view version,
                    const std::vector<std::string>& files, std::string_view workspace,
                    int64_t now_us);

 private:
  std::string ManifestPath(std::string_view key, std::string_view version) const;
  core::Result<std::optional<CacheEntry>> ReadManifest(const std::string& path);

  sys::Env& env_;
  std::string dir_;
};

/// The version of a cache: a SHA-256 of its paths as written (and "cairn-1"), as GitHub scopes
/// a cache to its paths.
std::string CacheVersion(const std::vector<std::string>& paths);

}  // namespace cairn::workflow
