// `dvc status`: which stages changed, and why.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>

#include "core/path.h"
#include "data/ops.h"
#include "data/pipeline.h"
#include "data/workspace.h"

namespace cairn::data {
namespace {

// True when every object of `entry` (a file, or a tree and all its files) is in the cache. A
// tree found complete is remembered with the store's fingerprint: until an object is added
// or removed, it is not checked file by file again.
core::Result<bool> InCache(Repo& repo, const Entry& entry) {
  Cache& cache = repo.cache();
  if (!cache.Has(entry.md5, entry.legacy)) return false;
  if (!entry.is_dir()) return true;
  std::optional<uint64_t> fingerprint;
  if (!entry.legacy) {
    CAIRN_ASSIGN_OR_RETURN(fingerprint, cache.StoreFingerprint());
    if (repo.state().LookupDir("cache:" + entry.md5, *fingerprint)) return true;
  }
  CAIRN_ASSIGN_OR_RETURN(std::string bytes, cache.Read(entry.md5, entry.legacy));
  CAIRN_ASSIGN_OR_RETURN(Tree tree, ParseTree(bytes, cache.ObjectPath(entry.md5, entry.legacy)));
  std::atomic<bool> all{true};
  repo.pool().ParallelFor(tree.entries.size(), [&](size_t i) {
    if (all.load(std::memory_order_relaxed) && !cache.Has(tree.entries[i].md5, entry.legacy)) {
      all = false;
    }
  });
  if (all && fingerprint) repo.state().RecordDir("cache:" + entry.md5, *fingerprint, entry.md5);
  return all.load();
}

}  // namespace

/// The state of one recorded path against the workspace: "" when unchanged.
core::Result<std::string> EntryState(Repo& repo, WorkspaceHasher& hasher, const std::string& rel,
                                     const Entry& entry, bool check_cache) {
  HashOptions options;
  options.legacy = entry.legacy;
  options.skip = [&repo, &rel](std::string_view sub, bool is_dir) {
    if (!is_dir && repo.IgnoreIsTrivial()) return false;  // built-in names are checked first
    return repo.Ignored(rel + "/" + std::string(sub), is_dir);
  };
  CAIRN_ASSIGN_OR_RETURN(std::optional<PathHash> now, hasher.Hash(rel, options));
  if (!now) return std::string("deleted");
  if (entry.md5.empty()) return std::string("new");
  if (now->md5 != entry.md5) return std::string("modified");
  if (check_cache) {
    CAIRN_ASSIGN_OR_RETURN(bool cached, InCache(repo, entry));
    if (!cached) return std::string("not in cache");
  }
  return std::string();
}

core::Result<std::vector<StageStatus>> Status(Repo& repo, const std::vector<std::string>& targets) {
  CAIRN_ASSIGN_OR_RETURN(sys::FileLock lock, repo.Lock());
  CAIRN_ASSIGN_OR_RETURN(Repo::StageFiles files, repo.FindStageFiles());
  std::vector<std::string> wanted;
  for (const std::string& t : targets) {
    core::Result<std::string> rel = repo.RepoPath(t);
    if (rel.ok()) wanted.push_back(*rel);
  }
  auto selected = [&](const std::string& stage_file, const std::vector<std::string>& outs) {
    if (wanted.empty()) return true;
    for (const std::string& w : wanted) {
      if (w == stage_file) return true;
      for (const std::string& o : outs) {
        if (core::PathIsWithin(w, o)) return true;
      }
    }
    return false;
  };

  WorkspaceHasher hasher(repo.env(), repo.state(), repo.pool(), repo.root());
  std::vector<StageStatus> out;
  for (const auto& [path, file] : files.dvc_files) {
    std::string dir(core::Dirname(path));
    std::string base = core::NormalizePath(core::JoinPath(dir, file.wdir));
    std::vector<std::string> out_paths;
    for (const Entry& o : file.outs) {
      out_paths.push_back(core::NormalizePath(core::JoinPath(base == "." ? "" : base, o.path)));
    }
    if (!selected(path, out_paths)) continue;
    StageStatus status;
    status.name = repo.Display(path);
    for (size_t i = 0; i < file.outs.size(); ++i) {
      const Entry& o = file.outs[i];
      CAIRN_ASSIGN_OR_RETURN(std::string state,
                             EntryState(repo, hasher, out_paths[i], o, /*check_cache=*/o.cache));
      if (!state.empty()) status.changed_outs.push_back(PathChange{o.path, state, {}});
    }
    if (status.changed()) out.push_back(std::move(status));
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<Pipeline> pipelines, LoadPipelines(repo, files));
  for (const Pipeline& p : pipelines) {
    for (const PipelineStage& stage : p.file.stages) {
      std::vector<std::string> outs;
      for (const PipelineOutput& o : stage.outs) outs.push_back(o.repo_path);
      std::string address = StageAddress(p.dvcyaml, stage.name);
      bool named = std::find(targets.begin(), targets.end(), address) != targets.end();
      if (!named && !selected(p.dvcyaml, outs)) continue;
      CAIRN_ASSIGN_OR_RETURN(StageStatus status, PipelineStageStatus(repo, hasher, p, stage));
      if (status.changed()) out.push_back(std::move(status));
    }
  }
  CAIRN_RETURN_IF_ERROR(repo.SaveState());
  return out;
}

}  // namespace cairn::data
