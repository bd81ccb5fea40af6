// State: the stat cache. Remembers the md5 of workspace files by their (inode, mtime, size),
// so a file whose stat is unchanged is not read again: `status` of an unchanged tree costs
// one stat per file. DVC keeps the same idea in an sqlite file outside the repo; ours is a
// plain file in `.dvc/tmp/` (git-ignored), private to cairn. It also remembers, per tracked
// directory, a fingerprint of its listing and the tree id it gave, so an unchanged directory
// is not even serialized and hashed again.
//
// A file changed within the file system's timestamp granularity of being hashed could keep
// its mtime (git's "racily clean" problem): a row whose mtime is within kRacyWindowNs of the
// time it was hashed is not trusted, and the file is hashed again (and recorded anew).
//
// File format (docs/formats/cairn-state.md): a header line "cairn-state 2", then one line per
// path, sorted by path: "<md5> <size> <mtime_ns> <inode> <hashed_ns> <path>" for files and
// "<md5>.dir <fingerprint> 0 0 0 <path>" for directories; the path with '\' and newline
// escaped as "\\" and "\n". Damaged content is dropped (a cache may always be forgotten).
// Loading reads the file once and keeps views into it: no allocation per row.
//
// Thread safety: Lookup, LookupDir and Record* may be called from several threads at once.
#pragma once

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "sys/env.h"

namespace cairn::data {

class State {
 public:
  static constexpr int64_t kRacyWindowNs = 1'000'000'000;

  /// Loads the state at `path` (an absent or unreadable file is an empty state).
  static State Load(sys::Env& env, std::string path);

  State(State&& other) noexcept;
  State& operator=(State&&) = delete;

  /// The recorded md5 of `path` if its stat still matches, else nullopt.
  std::optional<std::string> Lookup(std::string_view path, const sys::FileInfo& info) const;
  /// Remembers the md5 of `path` as of `info`, hashed at `hashed_ns` (wall clock, ns).
  void Record(std::string_view path, const sys::FileInfo& info, std::string_view md5,
              int64_t hashed_ns);

  /// The tree id recorded for directory `path` with this listing fingerprint, else nullopt.
  std::optional<std::string> LookupDir(std::string_view path, uint64_t fingerprint) const;
  void RecordDir(std::string_view path, uint64_t fingerprint, std::string_view tree_id);

  /// Writes the state back if anything was recorded (atomic; not fsynced: it is a cache).
  core::Status Save();

  size_t size() const;

 private:
  struct Row {
    std::string_view path;
    std::string_view md5;  // "<hex>" or "<hex>.dir"
    uint64_t size;         // directories: the fingerprint
    int64_t mtime_ns;
    uint64_t inode;
    int64_t hashed_ns;
  };

  State(sys::Env& env, std::string path) : env_(&env), path_(std::move(path)) {}
  const Row* Find(std::string_view path) const;  // requires mu_
  void Put(Row row);                             // requires mu_; copies the strings

  sys::Env* env_;
  std::string path_;
  mutable std::shared_mutex mu_;      // shared for lookups, exclusive for records
  std::string text_;                  // the loaded file; rows_ point into it
  std::vector<Row> rows_;             // loaded rows, sorted by path
  std::vector<std::string> escaped_;  // unescaped paths of loaded rows that had escapes
  std::unordered_map<std::string, std::pair<std::string, Row>> changed_;  // path -> (md5, row)
};

}  // namespace cairn::data
