// `dvc add`: cache a file or directory and record it in a `.dvc` file.
#include <fmt/format.h>

#include <algorithm>

#include "core/path.h"
#include "data/dvcfile.h"
#include "data/ignore.h"
#include "data/ops.h"
#include "data/workspace.h"

namespace cairn::data {
namespace {

core::Status CheckAddable(Repo& repo, const std::string& rel, std::string_view target) {
  if (rel == ".") return core::Status::InvalidArgument("cannot add the repository root itself");
  for (std::string_view part : core::PathComponents(rel)) {
    if (IsBuiltinIgnored(part)) {
      return core::Status::InvalidArgument(
          fmt::format("cannot add '{}': it is inside '{}', which DVC never tracks", target, part));
    }
  }
  core::Result<sys::FileInfo> info = repo.env().Stat(repo.Abs(rel));
  if (!info.ok()) {
    if (info.status().IsNotFound()) {
      return core::Status::NotFound(fmt::format("'{}' does not exist", target));
    }
    return info.status();
  }
  if (repo.Ignored(rel, info->is_directory())) {
    return core::Status::InvalidArgument(fmt::format("path '{}' is ignored by .dvcignore", target));
  }
  return core::Status::Ok();
}

// Hashes (and caches) each out of `file` and rewrites it at `dvc_rel`.
core::Status SaveDvcFile(Repo& repo, WorkspaceHasher& hasher, const std::string& dvc_rel,
                         DvcFile& file, const std::function<void()>& on_file, AddResult& result) {
  for (Entry& out : file.outs) {
    std::string rel = OutPath(dvc_rel, file.wdir, out.path);
    HashOptions options;
    if (out.cache) options.cache = &repo.cache();
    options.on_file = on_file;
    options.skip = [&repo, &rel](std::string_view sub, bool is_dir) {
      if (!is_dir && repo.IgnoreIsTrivial()) return false;  // built-in names are checked first
      return repo.Ignored(rel + "/" + std::string(sub), is_dir);
    };
    CAIRN_ASSIGN_OR_RETURN(std::optional<PathHash> hashed, hasher.Hash(rel, options));
    if (!hashed) {
      return core::Status::NotFound(fmt::format("output '{}' of '{}' does not exist",
                                                repo.Display(rel), repo.Display(dvc_rel)));
    }
    result.files += hashed->is_dir ? hashed->nfiles : 1;
    out.md5 = hashed->md5;
    out.legacy = false;
    out.size = hashed->size;
    out.nfiles = hashed->is_dir ? std::optional<uint64_t>(hashed->nfiles) : std::nullopt;
    out.isexec = !hashed->is_dir && hashed->isexec;
  }
  CAIRN_RETURN_IF_ERROR(repo.env().WriteFile(repo.Abs(dvc_rel), SerializeDvcFile(file)));
  result.dvc_files.push_back(dvc_rel);
  return core::Status::Ok();
}

}  // namespace

core::Result<AddResult> Add(Repo& repo, const std::vector<std::string>& targets,
                            const std::function<void()>& on_file) {
  AddResult result;
  CAIRN_ASSIGN_OR_RETURN(sys::FileLock lock, repo.Lock());
  WorkspaceHasher hasher(repo.env(), repo.state(), repo.pool(), repo.root());
  for (const std::string& target : targets) {
    CAIRN_ASSIGN_OR_RETURN(std::string rel, repo.RepoPath(target));
    CAIRN_RETURN_IF_ERROR(CheckAddable(repo, rel, target));

    std::string name(core::Basename(rel));
    std::string dvc_rel = rel + ".dvc";
    std::string dvc_abs = repo.Abs(dvc_rel);
    DvcFile file;
    if (repo.env().Exists(dvc_abs)) {
      CAIRN_ASSIGN_OR_RETURN(std::string text, repo.env().ReadFile(dvc_abs));
      CAIRN_ASSIGN_OR_RETURN(file, ParseDvcFile(text, repo.Display(dvc_rel)));
    }
    if (file.FindOut(name) == nullptr || file.outs.size() != 1) {
      file.outs = {Entry::File(name, "", 0)};  // filled in by SaveDvcFile
      file.key_order.clear();
    }
    CAIRN_RETURN_IF_ERROR(SaveDvcFile(repo, hasher, dvc_rel, file, on_file, result));

    CAIRN_ASSIGN_OR_RETURN(bool changed, AddToGitignore(repo.env(), repo.Abs(rel)));
    std::string gitignore = core::JoinPath(core::Dirname(rel), ".gitignore");
    if (changed) result.gitignores.push_back(gitignore);
  }
  CAIRN_RETURN_IF_ERROR(repo.SaveState());
  return result;
}

core::Result<AddResult> Commit(Repo& repo, const std::vector<std::string>& targets) {
  CAIRN_ASSIGN_OR_RETURN(sys::FileLock lock, repo.Lock());
  CAIRN_ASSIGN_OR_RETURN(std::vector<TrackedOut> outs, CollectOuts(repo, targets));
  CAIRN_ASSIGN_OR_RETURN(Repo::StageFiles files, repo.FindStageFiles());
  WorkspaceHasher hasher(repo.env(), repo.state(), repo.pool(), repo.root());
  AddResult result;
  for (auto& [path, file] : files.dvc_files) {
    bool wanted = std::any_of(outs.begin(), outs.end(),
                              [&, p = path](const TrackedOut& o) { return o.stage == p; });
    if (!wanted) continue;
    CAIRN_RETURN_IF_ERROR(SaveDvcFile(repo, hasher, path, file, nullptr, result));
  }
  CAIRN_RETURN_IF_ERROR(repo.SaveState());
  return result;
}

}  // namespace cairn::data
