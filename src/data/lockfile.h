// LockFile: `dvc.lock` (schema '2.0'), what `dvc repro` records for each pipeline stage it ran:
// its command, the hashes of its deps and outs, the values of its params. Parsing (with
// file:line:col errors) and serialization byte for byte as DVC 3 writes it (ruamel.yaml,
// core::EmitYaml's kRuamel flavor). Module-private to `data`; the format is
// docs/formats/dvc-lock.md.
//
//   schema: '2.0'
//   stages:
//     train:
//       cmd: python train.py
//       deps:
//       - path: data.csv
//         hash: md5
//         md5: e33265870575ab362fcc8acc0dfa1476
//         size: 240
//       params:
//         params.yaml:
//           train.lr: 0.001
//       outs:
//       - path: model.txt
//         ...
//
// Updating works as in DVC: SetStage() replaces a stage where it is (written in DVC's fresh
// order) or appends a new one; every other stage is written back as it was read.
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

/// The only schema DVC 3 reads and writes.
inline constexpr std::string_view kLockSchema = "2.0";

/// The params one stage uses from one file.
struct LockParams {
  /// The params file, relative to the stage's wdir ("params.yaml").
  std::string path;
  /// A mapping from the dotted key ("train.lr") to the value, which keeps its YAML type,
  /// nested mappings and sequences included. Values read from a params file should go through
  /// LockParamValue() first (data/params.h reads them: ReadParamValues).
  core::Value values = core::Value::Mapping();
};

struct LockStage {
  /// The stage's name in dvc.yaml ("train", "build@cpu"): its key under `stages:`.
  std::string name;
  /// The command as run, `${...}` already substituted: one string, or (cmd_is_list) a list of
  /// commands run in order, as dvc.yaml gave it. Written as a list when cmd_is_list or when
  /// there is not exactly one.
  std::vector<std::string> cmd;
  bool cmd_is_list = false;
  /// Sorted by path when DVC writes them (SortLikeDvc()); lock entries carry no out options.
  std::vector<Entry> deps;
  /// params.yaml first, then the other files by path; keys sorted (SortLikeDvc()).
  std::vector<LockParams> params;
  /// Metrics and plots outputs included (`cache: false` ones too, hashed all the same).
  std::vector<Entry> outs;

  /// Stage keys cairn does not interpret, in file order.
  std::vector<core::Member> extra;
  /// The stage's keys in the order the parsed file had them; empty for a new stage.
  std::vector<std::string> key_order;

  /// The params of `path`, or null.
  const LockParams* FindParams(std::string_view path) const;
};

/// Puts a stage built from values into the order DVC writes: deps and outs by path (code point
/// order), params.yaml first then the other params files by path, each file's keys sorted
/// (only its top-level, dotted keys: nested values keep their order).
void SortLikeDvc(LockStage* stage);

/// A value read from a params file as DVC records it: DVC loads params files into Python
/// objects, so only the value survives, not its spelling. Numbers are rewritten as Python
/// prints them (`1e-3` -> `0.001`, `0x1F` -> `31`, `+5` -> `5`); strings lose their quoting
/// and block style; booleans become true/false; containers are converted member by member.
core::Value LockParamValue(const core::Value& loaded);

struct LockFile {
  /// In file order; a new stage goes at the end.
  std::vector<LockStage> stages;
  /// Top-level keys besides `schema` and `stages` (`datasets:`...), in file order.
  std::vector<core::Member> extra;
  /// The top-level keys in the order the parsed file had them; empty for a new file.
  std::vector<std::string> key_order;

  /// The stage named `name`, or null.
  const LockStage* FindStage(std::string_view name) const;
  LockStage* FindStage(std::string_view name);
  /// Replaces the stage of the same name where it is, or appends it: what DVC does after a
  /// stage ran. The stage is written in DVC's fresh order (its key_order is dropped, as DVC
  /// writes a stage it updated from scratch).
  void SetStage(LockStage stage);
  /// Removes the stage named `name`; false when there is none.
  bool RemoveStage(std::string_view name);
};

/// Parses the text of a `dvc.lock`. `filename` is only used in messages. An empty text is a
/// lock file without stages. Errors are InvalidArgument "<filename>:<line>:<col>: <field>:
/// expected ..., got ...", for example "dvc.lock:9:13: stages.train.deps[0].size: expected a
/// non-negative integer, got the string \"abc\"". A schema other than '2.0' (or none: DVC 1.x)
/// is refused.
core::Result<LockFile> ParseLockFile(std::string_view text, std::string_view filename);

/// The file's text exactly as DVC writes it: `schema: '2.0'`, then `stages:`.
std::string SerializeLockFile(const LockFile& file);

}  // namespace cairn::data
