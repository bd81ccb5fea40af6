// The pipeline engine: every dvc.yaml of a repository with its dvc.lock, the status of each
// stage (what changed and why), and `repro` (run what changed, in dependency order, several
// independent stages at once with -j, recording each result in dvc.lock atomically).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "data/lockfile.h"
#include "data/ops.h"
#include "data/pipeline_file.h"
#include "data/repo.h"

namespace cairn::data {

/// One dvc.yaml and its lock.
struct Pipeline {
  std::string dvcyaml;    // repo-relative
  std::string lock_path;  // repo-relative dvc.lock beside it
  PipelineFile file;
  LockFile lock;  // no stages when dvc.lock does not exist
  bool lock_exists = false;
};

/// Parses each dvc.yaml (repo-relative paths) and its dvc.lock, and checks that no output is
/// claimed twice across them and the `.dvc` files.
core::Result<std::vector<Pipeline>> LoadPipelines(Repo& repo, const Repo::StageFiles& files);

/// The status of one stage against its lock entry (an unchanged stage has no changes).
core::Result<StageStatus> PipelineStageStatus(Repo& repo, WorkspaceHasher& hasher,
                                              const Pipeline& pipeline, const PipelineStage& stage);

/// What repro says as it goes (the caller prints it; DVC's wording).
struct ReproEvents {
  std::function<void(std::string_view line)> message;  // "Running stage 'x':", "> cmd", ...
  /// A line a stage's command printed (stdout or stderr).
  std::function<void(std::string_view line, bool is_stderr)> output;
};

struct ReproOptions {
  std::vector<std::string> targets;  // stage addresses or dvc.yaml paths; empty: all
  bool force = false;                // run even unchanged stages
  size_t jobs = 1;                   // stages run at once
};

struct ReproResult {
  std::vector<std::string> ran;        // stage addresses, in the order they finished
  std::vector<std::string> git_files;  // repo-relative: dvc.lock files and .gitignores changed
};

/// `dvc repro`: runs the stages whose command, deps, params or outs changed (and what
/// depends on them), in dependency order. A failing command stops the run: its stage fails,
/// stages that need it are not run, and the error names the stage and the exit code.
core::Result<ReproResult> Repro(Repo& repo, const ReproOptions& options, const ReproEvents& events);

}  // namespace cairn::data
