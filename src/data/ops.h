// The data commands as operations on a Repo: add, status, commit, checkout, gc (and, in
// their own files, the transfers and the pipeline). Each returns what happened as values;
// printing (cairn's way, or DVC's exact text under the `dvc` name) is the caller's.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "data/repo.h"
#include "data/tree.h"

namespace cairn::data {

// --- add ---

struct AddResult {
  std::vector<std::string> dvc_files;   // written, repo-relative
  std::vector<std::string> gitignores;  // changed, repo-relative
  size_t files = 0;                     // files hashed or found unchanged
};

/// `dvc add TARGET...`: caches each file or directory and writes `<target>.dvc` beside it, and
/// `/<name>` into the `.gitignore` beside it. Targets are relative to the repo's cwd.
core::Result<AddResult> Add(Repo& repo, const std::vector<std::string>& targets,
                            const std::function<void()>& on_file = nullptr);

// --- status ---

/// One change of one stage, in DVC's vocabulary.
struct PathChange {
  std::string path;   // as the stage file records it
  std::string state;  // "modified", "deleted", "new", "not in cache"
  /// For a params file: the changed keys and their states, in order; then `state` is "".
  std::vector<std::pair<std::string, std::string>> params;
};

struct StageStatus {
  std::string name;  // "a.txt.dvc", or the pipeline stage's name ("train", "sub/dvc.yaml:x")
  std::vector<PathChange> changed_deps;
  std::vector<PathChange> changed_outs;
  bool always_changed = false;
  bool changed_command = false;

  bool changed() const {
    return !changed_deps.empty() || !changed_outs.empty() || always_changed || changed_command;
  }
};

class WorkspaceHasher;

/// The state of one recorded output against the workspace, in DVC's words: "deleted",
/// "modified", "new" (nothing recorded), "not in cache" (with `check_cache`), or "" when it
/// is unchanged. `rel` is its repo-relative path.
core::Result<std::string> EntryState(Repo& repo, WorkspaceHasher& hasher, const std::string& rel,
                                     const Entry& entry, bool check_cache);

/// `dvc status [TARGET...]`: the stages whose deps, outs or command changed, in the order
/// their files were found. Only changed stages are listed.
core::Result<std::vector<StageStatus>> Status(Repo& repo, const std::vector<std::string>& targets);

}  // namespace cairn::data

namespace cairn::data {

// --- what the workspace tracks ---

/// One tracked output: where it is and what was recorded for it.
struct TrackedOut {
  std::string stage;  // the `.dvc` file ("data/a.txt.dvc") or pipeline stage ("train")
  std::string path;   // repo-relative
  Entry entry;        // as recorded (md5, size, nfiles, legacy, cache flag...)
};

/// The repo-relative path of an output `path` of the stage file `stage_file` with `wdir`.
std::string OutPath(std::string_view stage_file, std::string_view wdir, std::string_view path);

/// Every cached output of the repository's `.dvc` files and dvc.lock stages (optionally only
/// those a target names: a stage file, a stage, or a path at or under an output).
core::Result<std::vector<TrackedOut>> CollectOuts(Repo& repo,
                                                  const std::vector<std::string>& targets);

/// The object ids an output needs in the cache: its own, and for a tree every file's
/// (from the tree object, which must then be in the cache).
core::Result<std::vector<std::string>> ObjectsOf(Repo& repo, const Entry& entry);

// --- checkout ---

struct CheckoutResult {
  std::vector<std::string> added;  // outputs, repo-relative; directories end with '/'
  std::vector<std::string> modified;
  std::vector<std::string> failed;  // outputs whose objects are missing from the cache
  size_t files_added = 0;           // files written where there was none
  size_t files_modified = 0;        // files replaced
  size_t files_deleted = 0;         // files removed from tracked directories
};

/// `dvc checkout`: makes the workspace match what the stage files record, from the cache.
/// A workspace file whose content is not in the cache is not overwritten unless `force`.
core::Result<CheckoutResult> Checkout(Repo& repo, const std::vector<std::string>& targets,
                                      bool force);

// --- commit ---

/// `dvc commit`: records the workspace's current state of the targets' outputs (caching it).
core::Result<AddResult> Commit(Repo& repo, const std::vector<std::string>& targets);

// --- gc ---

struct GcResult {
  size_t removed = 0;         // 3.x objects
  size_t removed_legacy = 0;  // 2.x objects
};

/// `dvc gc --workspace`: removes every cache object the workspace's outputs do not use.
core::Result<GcResult> GarbageCollect(Repo& repo);

}  // namespace cairn::data

namespace cairn::data {

// --- remotes: push, fetch, pull, status --cloud ---

struct TransferOptions {
  std::vector<std::string> targets;
  std::string remote;  // empty: core.remote
  size_t jobs = 0;     // parallel transfers; 0: the remote's `jobs`, else 4 per core
  /// Called (from any thread) with the number of objects to move, once known, then after
  /// each object moved. For progress bars.
  std::function<void(size_t total)> on_start;
  std::function<void()> on_object;
};

struct TransferResult {
  std::string remote;               // the remote's name
  size_t transferred = 0;           // objects moved (.dir objects included)
  std::vector<std::string> failed;  // objects (and the paths that need them) that did not move
  CheckoutResult checkout;          // pull only
};

/// `dvc push`: uploads the cache objects of the tracked outputs the remote lacks. A tree's
/// `.dir` object goes up only after all its files did, so a `.dir` on a remote means the
/// whole directory is there. Checks the remote (credentials, reachability, bucket) first.
core::Result<TransferResult> Push(Repo& repo, const TransferOptions& options);
/// `dvc fetch`: downloads the objects the cache lacks, verifying each one's md5 before it is
/// placed: a corrupt object is an error, never data.
core::Result<TransferResult> Fetch(Repo& repo, const TransferOptions& options);
/// `dvc pull`: fetch, then checkout.
core::Result<TransferResult> Pull(Repo& repo, const TransferOptions& options, bool force);

struct CloudStatus {
  std::string remote;
  /// Path -> "deleted" (only on the remote), "new" (only in the cache), "missing" (neither);
  /// the deleted ones first, then new, then missing.
  std::vector<std::pair<std::string, std::string>> changes;
};

/// `dvc status --cloud`.
core::Result<CloudStatus> StatusCloud(Repo& repo, const TransferOptions& options);

}  // namespace cairn::data
