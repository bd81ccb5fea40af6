// DvcFile: a `.dvc` file, the single-stage file that `dvc add` and `dvc import` write: its
// parsing (with file:line:col errors) and its serialization byte for byte as DVC 3 writes it
// (ruamel.yaml, core::EmitYaml's kRuamel flavor). Module-private to `data`; the format is
// docs/formats/dvc-file.md.
//
//   outs:
//   - md5: b1946ac92492d2347c6235b4d2611184
//     size: 6
//     hash: md5
//     path: a.txt
//
// Plain values, no synchronization. The functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/value.h"
#include "data/entry.h"

namespace cairn::data {

struct DvcFile {
  // DVC writes the top-level keys in this order, each only when set:
  // desc md5 (cmd) wdir frozen deps outs (always_changed) meta.

  /// `desc:`, when not empty.
  std::string desc;
  /// `md5:`, the stage checksum: present in imports and in files from DVC 1.x/2.x, not in what
  /// `dvc add` writes; "" when absent.
  std::string md5;
  /// `wdir:`, the working directory relative to the file's directory; "" (or ".") for the
  /// file's own directory, which is not written.
  std::string wdir;
  /// `frozen: true`, when set (an import that `dvc update` skips).
  bool frozen = false;
  /// `deps:`: the sources of an import (with `repo:` or a URL path, kept in Entry::extra).
  std::vector<Entry> deps;
  /// `outs:`: the tracked paths; one for what `dvc add` writes.
  std::vector<Entry> outs;
  /// `meta:`, any value; written when not null and not empty.
  core::Value meta;

  /// Top-level keys cairn does not interpret (a 1.x `cmd:`, `always_changed:`...), in file
  /// order.
  std::vector<core::Member> extra;
  /// The top-level keys in the order the parsed file had them; empty for a new file. See
  /// data/entry.h: a parsed file keeps its order when written back, as DVC patches it in place.
  std::vector<std::string> key_order;

  /// The out whose path is `path`, or null.
  const Entry* FindOut(std::string_view path) const;
  Entry* FindOut(std::string_view path);
};

/// Parses the text of a `.dvc` file. `filename` is only used in messages. Errors are
/// InvalidArgument "<filename>:<line>:<col>: <field>: expected ..., got ...", for example
/// "a.txt.dvc:3:9: outs[0].size: expected a non-negative integer, got the string \"abc\"".
/// Old forms are read: a top-level `md5:`, entries without `hash:` (legacy, see Entry),
/// `cache: true`, `metric: false`, `persist: false`.
core::Result<DvcFile> ParseDvcFile(std::string_view text, std::string_view filename);

/// The file's text exactly as DVC writes it (see the key orders in data/entry.h).
std::string SerializeDvcFile(const DvcFile& file);

}  // namespace cairn::data
