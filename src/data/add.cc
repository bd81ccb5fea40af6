// `dvc add`: cache a file or directory and record it in a `.dvc` file.
#include <fmt/format.h>

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

}  // namespace

core::Result<AddResult> Add(Repo& repo, const std::vector<std::string>& targets,
                            const std::function<void()>& on_file) {
  AddResult result;
  CAIRN_ASSIGN_OR_RETURN(sys::FileLock lock, repo.Lock());
  WorkspaceHasher hasher(repo.env(), repo.state(), repo.pool(), repo.root());
  for (const std::string& target : targets) {
    CAIRN_ASSIGN_OR_RETURN(std::string rel, repo.RepoPath(target));
    CAIRN_RETURN_IF_ERROR(CheckAddable(repo, rel, target));

    HashOptions options;
    options.cache = &repo.cache();
    options.on_file = [&result, &on_file] {
      if (on_file) on_file();
    };
    // Inside a tracked directory, .dvcignore still applies (paths relative to the repo).
    options.skip = [&repo, &rel](std::string_view sub, bool is_dir) {
      return repo.Ignored(rel + "/" + std::string(sub), is_dir);
    };
    CAIRN_ASSIGN_OR_RETURN(std::optional<PathHash> hashed, hasher.Hash(rel, options));
    if (!hashed) return core::Status::NotFound(fmt::format("'{}' does not exist", target));
    result.files += hashed->is_dir ? hashed->nfiles : 1;

    std::string name(core::Basename(rel));
    Entry out = hashed->is_dir ? Entry::Directory(name, hashed->md5, hashed->size, hashed->nfiles)
                               : Entry::File(name, hashed->md5, hashed->size, hashed->isexec);
    std::string dvc_rel = rel + ".dvc";
    std::string dvc_abs = repo.Abs(dvc_rel);
    DvcFile file;
    if (repo.env().Exists(dvc_abs)) {
      CAIRN_ASSIGN_OR_RETURN(std::string text, repo.env().ReadFile(dvc_abs));
      CAIRN_ASSIGN_OR_RETURN(file, ParseDvcFile(text, repo.Display(dvc_rel)));
    }
    if (Entry* existing = file.FindOut(name)) {
      // Keep the out's options and key order; replace what the workspace says.
      existing->md5 = out.md5;
      existing->legacy = false;
      existing->size = out.size;
      existing->nfiles = out.nfiles;
      existing->isexec = out.isexec;
    } else {
      file.outs = {std::move(out)};
      file.key_order.clear();
    }
    CAIRN_RETURN_IF_ERROR(repo.env().WriteFile(dvc_abs, SerializeDvcFile(file)));
    result.dvc_files.push_back(dvc_rel);

    CAIRN_ASSIGN_OR_RETURN(bool changed, AddToGitignore(repo.env(), repo.Abs(rel)));
    std::string gitignore = core::JoinPath(core::Dirname(rel), ".gitignore");
    if (changed) result.gitignores.push_back(gitignore);
  }
  CAIRN_RETURN_IF_ERROR(repo.SaveState());
  return result;
}

}  // namespace cairn::data
