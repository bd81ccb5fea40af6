// Params files (docs/formats/params.md): loading `params.yaml` and its JSON and TOML siblings,
// dotted names (`train.lr`), the values a stage records in dvc.lock, the per-key status of a
// stage's params, and `params diff`.
//
// Values are core::Value trees that keep their source locations, so every error names the
// file and line. Comparisons follow Python's `==`, as DVC's do: 1 == 1.0, true == 1, mappings
// regardless of order; a string never equals a number. All functions are pure apart from
// LoadParamsFile (which reads through sys::Env) and are thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/value.h"
#include "sys/env.h"

namespace cairn::data {

/// The default params file of a stage (in its wdir).
inline constexpr std::string_view kDefaultParamsFile = "params.yaml";

/// Name/value pairs, in a stated order.
using ParamValues = std::vector<std::pair<std::string, core::Value>>;

/// Parses params text, choosing the format by `filename`'s extension as DVC does: `.json` is
/// JSON (NaN and Infinity allowed, as Python's json module reads them), `.toml` is TOML, `.py`
/// is refused (NotImplemented: cairn does not run Python), anything else is YAML. An empty
/// document is an empty mapping; any other top-level value that is not a mapping is an error.
core::Result<core::Value> ParseParams(std::string_view text, std::string_view filename);
/// Reads and parses a params file. NotFound when it does not exist.
core::Result<core::Value> LoadParamsFile(sys::Env& env, std::string_view path);

/// Every leaf under `root` by its dotted name, in document order: nested mappings are walked,
/// sequences and scalars are leaves, an empty mapping contributes nothing (DVC's flatten).
/// InvalidArgument when two spellings give one name (`a.b: 1` beside `a: {b: 2}`), naming both.
core::Result<ParamValues> FlattenParams(const core::Value& root);

/// The value at a dotted name, as DVC's dpath.get finds it: each part is a mapping key, or an
/// index into a sequence ("train.betas.0"). May name a whole sub-mapping ("train.optimizer").
/// nullptr when absent.
const core::Value* FindParam(const core::Value& root, std::string_view dotted);

/// Python's `==` over values (see the header comment).
bool ParamValuesEqual(const core::Value& a, const core::Value& b);

/// What one stage declares about one params file.
struct ParamsDeclaration {
  std::string file;
  /// Dotted names, in the order written; empty means "every param of the file".
  std::vector<std::string> keys;
  bool tracks_all() const { return keys.empty(); }
};

/// DVC's _merge_params over a stage's `params:` list, already split into items: a plain key
/// (`file` empty) belongs to params.yaml; `{file: [keys]}` adds keys; `{file: null}` or
/// `{file: []}` tracks the whole file, which then ignores keys listed for it elsewhere. Files
/// keep the order they first appear in; keys are not deduplicated (DVC does not either).
struct ParamsItem {
  std::string file;               // empty for a plain key of params.yaml
  std::vector<std::string> keys;  // for a plain key: that one key
  bool whole_file = false;        // `{file: }` with a null or empty list
};
std::vector<ParamsDeclaration> MergeParamsItems(const std::vector<ParamsItem>& items);

/// The values a stage records in dvc.lock for one declaration: each declared key that exists
/// (a missing key is left out), or for a whole file its top-level keys with their nested
/// values. Sorted by name (the top level only; nested mappings keep document order).
ParamValues ReadParamValues(const core::Value& root, const ParamsDeclaration& declaration);

/// Sorts params file names for dvc.lock: params.yaml first, then the others by name.
void SortParamsFilesForLock(std::vector<std::string>* files);

/// How a declared param differs from what dvc.lock recorded.
enum class ParamChange { kModified, kNew, kDeleted };
/// "modified", "new", "deleted" (as `dvc status` prints them).
std::string_view ParamChangeName(ParamChange change);

struct ParamStatus {
  std::string name;
  ParamChange change;
};

/// A stage's params status for one file (DVC's ParamsDependency.workspace_status): for each
/// declared key (or, tracking all, the workspace's top-level keys in file order, then the
/// locked ones) that is missing from the workspace (deleted), missing from the lock (new) or
/// different (modified). `locked`: the dvc.lock values; `workspace`: the parsed params file.
std::vector<ParamStatus> CompareParams(const ParamsDeclaration& declaration,
                                       const ParamValues& locked, const core::Value& workspace);

/// One row of `params diff`.
struct ParamDiff {
  std::string file;
  std::string name;                      // dotted
  std::optional<core::Value> old_value;  // nullopt: absent in the old revision
  std::optional<core::Value> new_value;  // nullopt: absent in the new one
  /// new - old when both are numbers (booleans count as 0/1, as in Python).
  std::optional<core::Value> diff;
  bool changed = true;
};

/// One revision's params files: file name and its whole parsed content.
using ParamsFiles = std::vector<std::pair<std::string, core::Value>>;

/// `params diff`: every flattened name of every file on either side, sorted by file then name;
/// unchanged names only with `with_unchanged`. A list of one element on both sides is compared
/// by that element, as DVC does.
core::Result<std::vector<ParamDiff>> DiffParams(const ParamsFiles& old_files,
                                                const ParamsFiles& new_files, bool with_unchanged);

}  // namespace cairn::data
