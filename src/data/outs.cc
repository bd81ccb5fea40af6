// The outputs a repository tracks, and the cache objects they need.
#include <fmt/format.h>

#include "core/path.h"
#include "data/ops.h"
#include "data/pipeline.h"

#include <algorithm>

namespace cairn::data {

namespace {

// Whether the user's targets select a stage file and its outputs (no targets: everything).
bool Selected(const std::vector<std::string>& wanted, const std::string& stage_file,
              const std::vector<std::string>& outs) {
  if (wanted.empty()) return true;
  for (const std::string& w : wanted) {
    if (w == stage_file) return true;
    for (const std::string& o : outs) {
      if (core::PathIsWithin(w, o)) return true;
    }
  }
  return false;
}

}  // namespace

std::string OutPath(std::string_view stage_file, std::string_view wdir, std::string_view path) {
  std::string base = core::NormalizePath(core::JoinPath(core::Dirname(stage_file), wdir));
  return core::NormalizePath(core::JoinPath(base == "." ? "" : base, path));
}

core::Result<std::vector<TrackedOut>> CollectOuts(Repo& repo,
                                                  const std::vector<std::string>& targets) {
  std::vector<std::string> wanted;
  for (const std::string& t : targets) {
    core::Result<std::string> rel = repo.RepoPath(t);
    if (rel.ok()) wanted.push_back(*rel);
  }
  CAIRN_ASSIGN_OR_RETURN(Repo::StageFiles files, repo.FindStageFiles());
  std::vector<TrackedOut> out;
  bool matched = wanted.empty();
  for (const auto& [path, file] : files.dvc_files) {
    std::vector<std::string> paths;
    for (const Entry& o : file.outs) paths.push_back(OutPath(path, file.wdir, o.path));
    if (!Selected(wanted, path, paths)) continue;
    matched = true;
    for (size_t i = 0; i < file.outs.size(); ++i) {
      if (!file.outs[i].cache) continue;
      out.push_back(TrackedOut{path, paths[i], file.outs[i]});
    }
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<Pipeline> pipelines, LoadPipelines(repo, files));
  for (const Pipeline& p : pipelines) {
    for (const PipelineStage& stage : p.file.stages) {
      std::string address = StageAddress(p.dvcyaml, stage.name);
      std::vector<std::string> paths;
      for (const PipelineOutput& o : stage.outs) paths.push_back(o.repo_path);
      bool named = std::find(targets.begin(), targets.end(), address) != targets.end();
      if (!named && !Selected(wanted, p.dvcyaml, paths)) continue;
      matched = true;
      const LockStage* locked = p.lock.FindStage(stage.name);
      if (locked == nullptr) continue;  // never run: nothing recorded
      for (const PipelineOutput& o : stage.outs) {
        if (!o.cache) continue;
        for (const Entry& e : locked->outs) {
          if (core::NormalizePath(e.path) == core::NormalizePath(o.path)) {
            out.push_back(TrackedOut{address, o.repo_path, e});
          }
        }
      }
    }
  }
  if (!matched) {
    return core::Status::NotFound(fmt::format(
        "'{}' does not exist as an output or a stage name in any stage file", targets.front()));
  }
  return out;
}

core::Result<std::vector<std::string>> ObjectsOf(Repo& repo, const Entry& entry) {
  std::vector<std::string> ids = {entry.md5};
  if (!entry.is_dir()) return ids;
  core::Result<std::string> bytes = repo.cache().Read(entry.md5, entry.legacy);
  if (!bytes.ok()) return bytes.status();
  CAIRN_ASSIGN_OR_RETURN(Tree tree,
                         ParseTree(*bytes, repo.cache().ObjectPath(entry.md5, entry.legacy)));
  for (TreeEntry& e : tree.entries) ids.push_back(std::move(e.md5));
  return ids;
}

}  // namespace cairn::data
