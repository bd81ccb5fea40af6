// Cache: DVC's local object store, `<cache dir>/files/md5/<2 hex>/<30 hex>[.dir]` for 3.x
// objects and `<cache dir>/<2 hex>/<30 hex>[.dir]` for legacy (2.x) ones. Objects are
// read-only (0444) and written atomically: a temporary file in the cache directory, renamed
// to its hash once the hash is known, so a reader (or a crash) never sees a partial object.
// See docs/formats/dvc-cache.md.
//
// Thread safety: every method may be called from several threads at once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "sys/env.h"

namespace cairn::data {

/// How a workspace file is made from a cache object (DVC's `cache.type`).
enum class LinkType { kReflink, kHardlink, kSymlink, kCopy };

/// Parses "reflink,copy" (DVC's list syntax); InvalidArgument names a bad word.
core::Result<std::vector<LinkType>> ParseLinkTypes(std::string_view text);

class Cache {
 public:
  /// `dir` is the cache directory (default `.dvc/cache`), absolute so symlinks to objects
  /// work from anywhere; `links` in order of preference.
  Cache(sys::Env& env, std::string dir,
        std::vector<LinkType> links = {LinkType::kReflink, LinkType::kCopy});

  const std::string& dir() const { return dir_; }

  /// Where the object with this md5 ("<hex>" or "<hex>.dir") lives.
  std::string ObjectPath(std::string_view md5, bool legacy = false) const;
  bool Has(std::string_view md5, bool legacy = false) const;

  /// Stores the bytes of the workspace file `src` as an object, hashing them on the way (one
  /// read; large files are copied by the kernel while they are hashed). Returns the md5.
  /// When `known_md5` is given and that object exists, nothing is read.
  /// `size`, when the caller already stat'ed the file, saves a stat.
  core::Result<std::string> AddFile(std::string_view src,
                                    std::optional<std::string_view> known_md5 = std::nullopt,
                                    std::optional<uint64_t> size = std::nullopt);
  /// Stores `bytes` as the object `md5` (e.g. a `.dir` tree), if absent.
  core::Status AddBytes(std::string_view md5, std::string_view bytes, bool legacy = false);
  /// An object's bytes (for `.dir` trees). NotFound names the object.
  core::Result<std::string> Read(std::string_view md5, bool legacy = false) const;

  /// A new temporary path inside the cache, for downloads that InstallTemp() later moves.
  std::string NewTempPath() const;
  /// Verifies that the file at `temp` hashes to `md5`, then makes it the object (or drops
  /// it when the object already exists). A mismatch is kCorruption and removes `temp`.
  core::Status InstallTemp(std::string_view temp, std::string_view md5, bool legacy = false);

  /// Makes the file at `temp` the object `md5` (or drops it when the object exists), the
  /// caller having verified its hash while writing it.
  core::Status AdoptTemp(std::string_view temp, std::string_view md5, bool legacy = false);

  /// Makes `dest` (replacing what is there) a copy or link of the object, with the first
  /// link type of the preference list that works here; `isexec` sets the owner's x bit on
  /// copies (links share the object's read-only mode).
  core::Status Checkout(std::string_view md5, bool legacy, std::string_view dest,
                        bool isexec) const;

  /// A fingerprint of the 3.x store's two-hex-digit directories (their names and mtimes):
  /// adding or removing any object changes it. One directory listing; no per-object stat.
  core::Result<uint64_t> StoreFingerprint() const;

  /// Every object in the cache: ("<md5>[.dir]", legacy) pairs.
  core::Result<std::vector<std::pair<std::string, bool>>> ListObjects() const;
  /// Removes the temporary files interrupted writes left (gc; only while holding the repo
  /// lock, so no write of this repository is in flight). Returns how many.
  core::Result<size_t> RemoveTemporaries();
  /// Removes an object (gc).
  core::Status Remove(std::string_view md5, bool legacy = false);

 private:
  core::Status Place(std::string_view temp, std::string_view md5, bool legacy);
  // Creates the object from `bytes` (atomically; OK when it already exists).
  core::Status PutObject(std::string_view md5, bool legacy, std::string_view bytes);

  sys::Env& env_;
  std::string dir_;
  std::vector<LinkType> links_;
};

}  // namespace cairn::data
