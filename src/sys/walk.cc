#include "sys/walk.h"

#include <algorithm>

#include "core/path.h"

namespace cairn::sys {
namespace {

Status WalkDir(Env& env, const std::string& root, const std::string& rel,
               const WalkOptions& options, WalkResult& out) {
  std::string dir = rel.empty() ? root : core::JoinPath(root, rel);
  CAIRN_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, env.ListDir(dir));
  for (DirEntry& e : entries) {
    std::string child_rel = rel.empty() ? e.name : rel + "/" + e.name;
    std::string child = core::JoinPath(root, child_rel);
    FileType type = e.type;
    bool symlink = type == FileType::kSymlink;
    FileInfo info;
    if (symlink) {
      Result<FileInfo> target = env.Stat(child);
      if (!target.ok()) {
        if (!target.status().IsNotFound()) return target.status();
        if (!(options.skip && options.skip(child_rel, false))) {
          out.broken_symlinks.push_back(child_rel);
        }
        continue;
      }
      info = *target;
      type = info.type;
    } else if (type == FileType::kRegular) {
      CAIRN_ASSIGN_OR_RETURN(info, env.LStat(child));
    }
    bool is_dir = type == FileType::kDirectory;
    if (options.skip && options.skip(child_rel, is_dir)) continue;
    if (is_dir) {
      if (symlink) {
        out.symlinked_dirs.push_back(std::move(child_rel));
      } else {
        CAIRN_RETURN_IF_ERROR(WalkDir(env, root, child_rel, options, out));
      }
    } else if (type == FileType::kRegular) {
      out.files.push_back(WalkEntry{std::move(child_rel), info, symlink});
    }
    // Sockets, fifos and devices are not data: left out.
  }
  return Status::Ok();
}

}  // namespace

Result<WalkResult> Walk(Env& env, std::string_view root, const WalkOptions& options) {
  std::string r(root);
  CAIRN_ASSIGN_OR_RETURN(FileInfo info, env.Stat(r));
  if (!info.is_directory()) return Status::InvalidArgument("'" + r + "' is not a directory");
  WalkResult out;
  CAIRN_RETURN_IF_ERROR(WalkDir(env, r, "", options, out));
  std::sort(out.files.begin(), out.files.end(),
            [](const WalkEntry& a, const WalkEntry& b) { return a.path < b.path; });
  std::sort(out.symlinked_dirs.begin(), out.symlinked_dirs.end());
  std::sort(out.broken_symlinks.begin(), out.broken_symlinks.end());
  return out;
}

}  // namespace cairn::sys
