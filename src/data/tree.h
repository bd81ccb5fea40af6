// Tree: the list of files of a tracked directory, as DVC's `.dir` object stores it.
//
// The object is the JSON list [{"md5": <hex>, "relpath": <path>}, ...] sorted by relpath in
// byte order, serialized as Python's json.dumps(sort_keys=True) (", " and ": " separators,
// every character outside 0x20-0x7E as \uXXXX, no trailing newline); its id is the MD5 of
// those bytes plus ".dir". See docs/formats/dvc-dir.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cairn::data {

struct TreeEntry {
  std::string relpath;  // '/'-separated, relative to the directory
  std::string md5;      // 32 lowercase hex digits
  uint64_t size = 0;    // not part of the object; known when built from the workspace
  bool isexec = false;  // likewise
};

struct Tree {
  std::vector<TreeEntry> entries;  // sorted by relpath (byte order), unique

  uint64_t TotalSize() const;
  /// The `.dir` object's bytes.
  std::string Serialize() const;
  /// The object id: md5 of Serialize() + ".dir".
  std::string Id() const;
};

/// The object id of `bytes` (a serialized tree): md5 + ".dir".
std::string TreeIdOf(std::string_view bytes);

/// Reads a `.dir` object: any JSON list of objects with "md5" and "relpath" (extra keys such
/// as "size" and "isexec" of old trees are ignored), sorted on the way in. `source` names it
/// in errors ("cache object 1f/69c6...dir").
core::Result<Tree> ParseTree(std::string_view bytes, std::string_view source);

/// True for "<32 hex>.dir".
bool IsTreeId(std::string_view md5);

}  // namespace cairn::data
