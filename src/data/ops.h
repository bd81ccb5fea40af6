// The data commands as operations on a Repo: add, status, commit, checkout, gc (and, in
// their own files, the transfers and the pipeline). Each returns what happened as values;
// printing (cairn's way, or DVC's exact text under the `dvc` name) is the caller's.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "data/repo.h"

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

/// `dvc status [TARGET...]`: the stages whose deps, outs or command changed, in the order
/// their files were found. Only changed stages are listed.
core::Result<std::vector<StageStatus>> Status(Repo& repo, const std::vector<std::string>& targets);

}  // namespace cairn::data
