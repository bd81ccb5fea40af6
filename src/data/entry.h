// Entry: one tracked path as `.dvc` files and `dvc.lock` record it (an out or dep of a `.dvc`
// file, a dep or out of a lock stage), with its parsing from a loaded YAML value and its key
// order on the way back. Module-private to `data`; see docs/formats/dvc-file.md and
// docs/formats/dvc-lock.md.
//
// Key order. DVC writes a fresh entry in a fixed order, which differs between the two files:
//   .dvc:     md5 size nfiles isexec cloud hash path desc type labels meta cache metric plot
//             persist remote push files
//   dvc.lock: path hash md5 size nfiles isexec cloud files
// When DVC rewrites a file it has read, it patches the parsed document in place: keys keep
// their place, new keys go to the end, keys it no longer writes disappear. Parsed entries
// remember their key order (`key_order`) so that serializing one reproduces that; a new entry
// has none and gets the fresh order. Keys cairn does not know are kept in `extra` and written
// back in their place.
//
// Plain values, no synchronization: copy them or share them const.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/value.h"

namespace cairn::data {

/// The value of `hash:` in a 3.x entry, the only one DVC 3 writes.
inline constexpr std::string_view kHashMd5 = "md5";
/// The suffix of a directory's md5 (the id of its `.dir` tree object).
inline constexpr std::string_view kDirSuffix = ".dir";

/// Which file an entry belongs to: it decides the fresh key order.
enum class EntryLayout : uint8_t { kDvcFile, kLockFile };

struct Entry {
  /// '/'-separated, relative to the `.dvc` file's directory (or its wdir) or, in dvc.lock, to
  /// the stage's wdir. Never empty in a parsed entry.
  std::string path;
  /// 32 lowercase hex digits, plus ".dir" for a directory; "" when there is none (an out not
  /// computed yet). Written under `md5:`.
  std::string md5;
  /// No `hash:` key: a DVC 2.x entry, whose md5 of a text file was taken after turning CRLF
  /// into LF (md5-dos2unix). A legacy entry stays legacy when written back.
  bool legacy = false;
  std::optional<uint64_t> size;
  /// Directories only: the number of files in the tree.
  std::optional<uint64_t> nfiles;
  /// Written `isexec: true` only when set.
  bool isexec = false;

  // Out options of `.dvc` files (`dvc.lock` keeps them in dvc.yaml). Each is written only
  // when it differs from its default, as DVC does: an old `cache: true` or `persist: false`
  // is read and not written back.
  std::string desc;                 // `desc:` when not empty
  std::string type;                 // `type:` when not empty
  std::vector<std::string> labels;  // `labels:` when not empty
  core::Value meta;                 // `meta:` when not null and not empty
  bool cache = true;                // `cache: false` when false
  core::Value metric;               // `metric:` when true or a non-empty mapping
  core::Value plot;                 // `plot:` when true or a non-empty mapping
  bool persist = false;             // `persist: true` when true
  std::string remote;               // `remote:` when not empty
  bool push = true;                 // `push: false` when false

  /// Version-aware remotes: `{<remote>: {etag|checksum|version_id: ...}}`; null when absent.
  core::Value cloud;
  /// The expanded per-file list of a directory (imports, version-aware remotes); null when
  /// absent. Each element is a mapping (relpath, md5, size, isexec, cloud), kept as read.
  core::Value files;

  /// Keys cairn does not interpret (`etag`, `checksum`, a dep's `repo`, `fs_config`...), with
  /// their values, in file order.
  std::vector<core::Member> extra;
  /// The keys in the order the parsed file had them; empty for a new entry. Clear it to get
  /// DVC's fresh order (DVC rewrites a list whose length changed from scratch).
  std::vector<std::string> key_order;

  /// A 3.x entry for a file.
  static Entry File(std::string path, std::string md5, uint64_t size, bool isexec = false);
  /// A 3.x entry for a directory; `md5` is the tree id, with its ".dir" suffix.
  static Entry Directory(std::string path, std::string md5, uint64_t size, uint64_t nfiles);

  /// True when md5 ends with ".dir".
  bool is_dir() const;
};

/// Reads one entry. `where` names it in messages ("outs[0]", "stages.train.deps[1]"); every
/// error is InvalidArgument "<file>:<line>:<col>: <where>.<key>: expected ..., got ...".
core::Result<Entry> ParseEntry(const core::Value& value, std::string_view where);

/// The entry as a YAML mapping in DVC's key order for `layout` (see the header comment).
core::Value EntryToValue(const Entry& entry, EntryLayout layout);

// ---- Helpers shared by the file formats (dvcfile.cc, lockfile.cc) ----

/// The members to write, in order: first the keys of `key_order` that are present (in
/// `known`, else in `extra`), then the rest of `known` as given (DVC's fresh order), then the
/// rest of `extra`. `known` holds only the keys that are to be written.
core::Value OrderedMapping(std::vector<core::Member> known, const std::vector<core::Member>& extra,
                           const std::vector<std::string>& key_order);

/// Python's truth value of a YAML value: false for null, false, 0, "", [] and {}.
bool Truthy(const core::Value& value);

/// "the string \"abc\"", "the number 1.5", "null", "a sequence"...: a value as an error
/// message names what it got.
std::string DescribeValue(const core::Value& value);

/// InvalidArgument "<value's location>: <where>: expected <what>, got <DescribeValue>".
core::Status ExpectedError(const core::Value& value, std::string_view where, std::string_view what);

/// `where` + "." + key, or just key when `where` is empty.
std::string FieldPath(std::string_view where, std::string_view key);

}  // namespace cairn::data
