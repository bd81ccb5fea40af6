#include "data/workspace.h"

#include <atomic>
#include <mutex>

#include "core/path.h"
#include "data/legacy_hash.h"
#include "sys/hash_file.h"
#include "sys/walk.h"

namespace cairn::data {

namespace {

// FNV-1a over every file's path, stat and md5: equal fingerprints mean the same listing.
uint64_t ListingFingerprint(const sys::WalkResult& walk, const Tree& tree) {
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
    mix(tree.entries[i].md5.data(), tree.entries[i].md5.size());
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
  core::Result<std::string> md5 =
      options.cache != nullptr ? options.cache->AddFile(abs, known) : sys::HashFile(env_, abs);
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

  out.size = out.tree.TotalSize();
  out.nfiles = out.tree.entries.size();
  // An unchanged listing gives the tree id recorded last time: no serializing, no hashing.
  uint64_t fingerprint = ListingFingerprint(walk, out.tree);
  std::optional<std::string> known =
      options.legacy ? std::nullopt : state_.LookupDir(rel, fingerprint);
  if (known && (options.cache == nullptr || options.cache->Has(*known))) {
    out.md5 = std::move(*known);
    return std::optional<PathHash>(std::move(out));
  }
  std::string bytes = out.tree.Serialize();
  out.md5 = TreeIdOf(bytes);
  if (options.cache != nullptr) CAIRN_RETURN_IF_ERROR(options.cache->AddBytes(out.md5, bytes));
  if (!options.legacy) state_.RecordDir(rel, fingerprint, out.md5);
  return std::optional<PathHash>(std::move(out));
}

}  // namespace cairn::data
