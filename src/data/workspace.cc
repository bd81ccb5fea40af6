#include "data/workspace.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "core/path.h"
#include "data/legacy_hash.h"
#include "sys/hash_file.h"
#include "sys/walk.h"

namespace cairn::data {

namespace {

// FNV-1a over every file's path and stat: equal fingerprints mean the same listing, every
// file with the size, mtime and inode it had.
uint64_t ListingFingerprint(const sys::WalkResult& walk) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const void* data, size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  };
  for (size_t i = 0; i < walk.files.size(); ++i) {
    const sys::WalkEntry& f = walk.files[i];
    mix(f.path.data(), f.path.size() + 1);  // with the terminating NUL as a separator
    mix(&f.info.size, sizeof f.info.size);
    mix(&f.info.mtime_ns, sizeof f.info.mtime_ns);
    mix(&f.info.inode, sizeof f.info.inode);
  }
  return h;
}

}  // namespace

bool IsBuiltinIgnored(std::string_view name) {
  return name == ".git" || name == ".hg" || name == ".dvc";
}

core::Result<std::string> WorkspaceHasher::HashFile(const std::string& rel,
                                                    const sys::FileInfo& info,
                                                    const HashOptions& options) {
  if (options.legacy) return LegacyMd5File(env_, core::JoinPath(root_, rel));
  std::optional<std::string> known = state_.Lookup(rel, info);
  if (known && (options.cache == nullptr || options.cache->Has(*known))) return *known;
  std::string abs = core::JoinPath(root_, rel);
  int64_t hashed_ns = env_.NowMicros() * 1000;
  core::Result<std::string> md5 = options.cache != nullptr
                                      ? options.cache->AddFile(abs, known, info.size)
                                      : sys::HashFile(env_, abs);
  if (md5.ok()) state_.Record(rel, info, *md5, hashed_ns);
  return md5;
}

core::Result<std::optional<PathHash>> WorkspaceHasher::Hash(std::string_view path,
                                                            const HashOptions& options) {
  std::string rel = core::NormalizePath(path);
  std::string abs = core::JoinPath(root_, rel);
  core::Result<sys::FileInfo> info = env_.Stat(abs);
  if (!info.ok()) {
    if (info.status().IsNotFound()) return std::optional<PathHash>();
    return info.status();
  }

  PathHash out;
  if (!info->is_directory()) {
    CAIRN_ASSIGN_OR_RETURN(out.md5, HashFile(rel, *info, options));
    if (options.on_file) options.on_file();
    out.size = info->size;
    out.isexec = info->executable();
    return std::optional<PathHash>(std::move(out));
  }

  sys::WalkOptions walk_options;
  walk_options.pool = &pool_;
  walk_options.skip = [&](std::string_view relpath, bool is_dir) {
    std::string_view base = core::Basename(relpath);
    if (IsBuiltinIgnored(base)) return true;
    return options.skip && options.skip(relpath, is_dir);
  };
  CAIRN_ASSIGN_OR_RETURN(sys::WalkResult walk, sys::Walk(env_, abs, walk_options));

  out.is_dir = true;
  out.nfiles = walk.files.size();
  for (const sys::WalkEntry& f : walk.files) out.size += f.info.size;
  // A listing whose every file has the stat it had when the tree was last computed gives
  // that tree's id: no per-file lookup, no serializing, no hashing. (Only for questions: a
  // caching run checks each file's object.)
  uint64_t fingerprint = ListingFingerprint(walk);
  if (!options.legacy && options.cache == nullptr && !options.need_tree) {
    if (std::optional<std::string> known = state_.LookupDir(rel, fingerprint)) {
      out.md5 = std::move(*known);
      out.tree_known = false;
      return std::optional<PathHash>(std::move(out));
    }
  }
  out.tree.entries.resize(walk.files.size());
  std::mutex error_mu;
  core::Status first_error;
  pool_.ParallelFor(walk.files.size(), [&](size_t i) {
    const sys::WalkEntry& file = walk.files[i];
    std::string file_rel = rel == "." ? file.path : rel + "/" + file.path;
    core::Result<std::string> md5 = HashFile(file_rel, file.info, options);
    if (!md5.ok()) {
      std::lock_guard lock(error_mu);
      if (first_error.ok()) first_error = md5.status();
      return;
    }
    out.tree.entries[i] =
        TreeEntry{file.path, std::move(*md5), file.info.size, file.info.executable()};
    if (options.on_file) options.on_file();
  });
  CAIRN_RETURN_IF_ERROR(first_error);

  std::string bytes = out.tree.Serialize();
  out.md5 = TreeIdOf(bytes);
  if (options.cache != nullptr) CAIRN_RETURN_IF_ERROR(options.cache->AddBytes(out.md5, bytes));
  // Remember the listing only when no file could have changed unseen within its mtime's
  // granularity (the racy-clean rule of State).
  int64_t now_ns = env_.NowMicros() * 1000;
  bool settled = std::all_of(walk.files.begin(), walk.files.end(), [&](const sys::WalkEntry& f) {
    return f.info.mtime_ns + State::kRacyWindowNs < now_ns;
  });
  if (!options.legacy && settled) state_.RecordDir(rel, fingerprint, out.md5);
  return std::optional<PathHash>(std::move(out));
}

}  // namespace cairn::data
