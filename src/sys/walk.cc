#include "sys/walk.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "core/path.h"

namespace cairn::sys {
namespace {

// What listing one directory found; subdirectories are returned to be walked next.
struct DirResult {
  std::vector<WalkEntry> files;
  std::vector<std::string> subdirs;
  std::vector<std::string> symlinked_dirs;
  std::vector<std::string> broken_symlinks;
};

Result<DirResult> ListOne(Env& env, const std::string& root, const std::string& rel,
                          const WalkOptions& options) {
  std::string dir = rel.empty() ? root : core::JoinPath(root, rel);
  CAIRN_ASSIGN_OR_RETURN(std::vector<DirEntryInfo> entries, env.ListDirInfo(dir));
  DirResult out;
  for (DirEntryInfo& e : entries) {
    std::string child_rel = rel.empty() ? e.name : rel + "/" + e.name;
    FileInfo info = e.info;
    bool symlink = info.is_symlink();
    if (symlink) {
      Result<FileInfo> target = env.Stat(core::JoinPath(root, child_rel));
      if (!target.ok()) {
        if (!target.status().IsNotFound()) return target.status();
        if (!(options.skip && options.skip(child_rel, false))) {
          out.broken_symlinks.push_back(child_rel);
        }
        continue;
      }
      info = *target;
    }
    bool is_dir = info.is_directory();
    if (options.skip && options.skip(child_rel, is_dir)) continue;
    if (is_dir) {
      (symlink ? out.symlinked_dirs : out.subdirs).push_back(std::move(child_rel));
    } else if (info.is_regular()) {
      out.files.push_back(WalkEntry{std::move(child_rel), info, symlink});
    }
    // Sockets, fifos and devices are not data: left out.
  }
  return out;
}

void Merge(DirResult& from, WalkResult& into) {
  std::move(from.files.begin(), from.files.end(), std::back_inserter(into.files));
  std::move(from.symlinked_dirs.begin(), from.symlinked_dirs.end(),
            std::back_inserter(into.symlinked_dirs));
  std::move(from.broken_symlinks.begin(), from.broken_symlinks.end(),
            std::back_inserter(into.broken_symlinks));
}

Status WalkSerial(Env& env, const std::string& root, const WalkOptions& options, WalkResult& out) {
  std::vector<std::string> todo = {""};
  while (!todo.empty()) {
    std::string rel = std::move(todo.back());
    todo.pop_back();
    CAIRN_ASSIGN_OR_RETURN(DirResult dir, ListOne(env, root, rel, options));
    std::move(dir.subdirs.begin(), dir.subdirs.end(), std::back_inserter(todo));
    Merge(dir, out);
  }
  return Status::Ok();
}

Status WalkParallel(Env& env, const std::string& root, const WalkOptions& options,
                    WalkResult& out) {
  std::mutex mu;
  std::condition_variable idle;
  size_t pending = 0;
  Status first_error;
  std::function<void(std::string)> visit = [&](std::string rel) {
    Result<DirResult> dir = ListOne(env, root, rel, options);
    std::lock_guard lock(mu);
    if (!dir.ok()) {
      if (first_error.ok()) first_error = dir.status();
    } else if (first_error.ok()) {
      for (std::string& sub : dir->subdirs) {
        ++pending;
        options.pool->Submit([&visit, sub = std::move(sub)]() mutable { visit(std::move(sub)); });
      }
      Merge(*dir, out);
    }
    if (--pending == 0) idle.notify_all();
  };
  {
    std::lock_guard lock(mu);
    pending = 1;
  }
  options.pool->Submit([&visit] { visit(""); });
  std::unique_lock lock(mu);
  idle.wait(lock, [&] { return pending == 0; });
  return first_error;
}

}  // namespace

Result<WalkResult> Walk(Env& env, std::string_view root, const WalkOptions& options) {
  std::string r(root);
  CAIRN_ASSIGN_OR_RETURN(FileInfo info, env.Stat(r));
  if (!info.is_directory()) return Status::InvalidArgument("'" + r + "' is not a directory");
  WalkResult out;
  CAIRN_RETURN_IF_ERROR(options.pool != nullptr ? WalkParallel(env, r, options, out)
                                                : WalkSerial(env, r, options, out));
  std::sort(out.files.begin(), out.files.end(),
            [](const WalkEntry& a, const WalkEntry& b) { return a.path < b.path; });
  std::sort(out.symlinked_dirs.begin(), out.symlinked_dirs.end());
  std::sort(out.broken_symlinks.begin(), out.broken_symlinks.end());
  return out;
}

}  // namespace cairn::sys
