#include "blob/local_store.h"

#include <fmt/format.h>

#include "blob/key.h"
#include "core/path.h"
#include "core/strings.h"

namespace cairn::blob {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

// Env::OpenAtomic's temporary files: ".<name>.tmp.<pid>.<n>".
bool IsTempFile(std::string_view name) {
  if (!name.starts_with('.')) return false;
  size_t at = name.rfind(".tmp.");
  if (at == std::string_view::npos || at == 0) return false;
  std::vector<std::string_view> numbers = core::Split(name.substr(at + 5), '.');
  if (numbers.size() != 2) return false;
  for (std::string_view number : numbers) {
    if (number.empty() || number.find_first_not_of("0123456789") != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

std::string TrimRoot(std::string root) {
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return root;
}

}  // namespace

LocalBlobStore::LocalBlobStore(std::string root, sys::Env& env)
    : root_(TrimRoot(std::move(root))), env_(env) {}

std::string LocalBlobStore::PathOf(std::string_view key) const {
  return core::JoinPath(root_, key);
}

Status LocalBlobStore::CheckRoot() {
  Result<sys::FileInfo> info = env_.Stat(root_);
  if (!info.ok()) {
    if (info.status().IsNotFound()) {
      return Status::NotFound(
          fmt::format("{}: the directory does not exist\nhint: create it (mkdir -p {}), or fix the "
                      "remote's url",
                      root_, root_));
    }
    return info.status().WithContext(root_);
  }
  if (!info->is_directory()) {
    return Status::InvalidArgument(
        fmt::format("{}: not a directory\nhint: point the remote's url at a directory", root_));
  }
  return Status::Ok();
}

Status LocalBlobStore::Check() {
  CAIRN_RETURN_IF_ERROR(CheckRoot());
  // Reading the directory proves the permissions too.
  Result<std::vector<sys::DirEntry>> entries = env_.ListDir(root_);
  if (!entries.ok()) return entries.status().WithContext(root_);
  return Status::Ok();
}

Result<std::optional<BlobInfo>> LocalBlobStore::Stat(std::string_view key) {
  CAIRN_RETURN_IF_ERROR(ValidateKey(key).WithContext(root_));
  Result<sys::FileInfo> info = env_.Stat(PathOf(key));
  if (!info.ok()) {
    if (info.status().IsNotFound()) return std::optional<BlobInfo>();
    return info.status().WithContext(fmt::format("{}: stat '{}'", root_, key));
  }
  if (!info->is_regular()) return std::optional<BlobInfo>();
  return std::optional<BlobInfo>(BlobInfo{std::string(key), info->size});
}

Status LocalBlobStore::ListUnder(const std::string& dir, const std::string& rel,
                                 std::string_view prefix, std::vector<BlobInfo>& out) {
  Result<std::vector<sys::DirEntry>> entries = env_.ListDir(dir);
  if (!entries.ok()) {
    // A directory removed while we list it (a concurrent Delete) holds nothing.
    if (entries.status().IsNotFound()) return Status::Ok();
    return entries.status().WithContext(fmt::format("{}: list", root_));
  }
  for (const sys::DirEntry& entry : *entries) {
    if (IsTempFile(entry.name)) continue;
    std::string key = rel.empty() ? entry.name : rel + "/" + entry.name;
    std::string path = core::JoinPath(dir, entry.name);
    sys::FileType type = entry.type;
    uint64_t size = 0;
    if (type == sys::FileType::kRegular || type == sys::FileType::kSymlink) {
      Result<sys::FileInfo> info = env_.Stat(path);  // follows a symlink
      if (!info.ok()) {
        if (info.status().IsNotFound()) continue;  // deleted meanwhile, or a broken link
        return info.status().WithContext(fmt::format("{}: list", root_));
      }
      // A symlink to a directory is not entered (no loops), nor is it an object.
      if (!info->is_regular()) continue;
      type = sys::FileType::kRegular;
      size = info->size;
    }
    if (type == sys::FileType::kRegular) {
      if (key.starts_with(prefix)) out.push_back({std::move(key), size});
    } else if (type == sys::FileType::kDirectory) {
      // Enter only directories that can hold keys with the prefix.
      std::string as_dir = key + "/";
      if (as_dir.starts_with(prefix) || prefix.starts_with(as_dir)) {
        CAIRN_RETURN_IF_ERROR(ListUnder(path, key, prefix, out));
      }
    }
  }
  return Status::Ok();
}

Result<std::vector<BlobInfo>> LocalBlobStore::List(std::string_view prefix) {
  CAIRN_RETURN_IF_ERROR(ValidatePrefix(prefix).WithContext(root_));
  CAIRN_RETURN_IF_ERROR(CheckRoot());
  // Start in the deepest directory the prefix names in full.
  std::string rel(core::Dirname(prefix));
  if (prefix.ends_with('/')) rel = std::string(prefix.substr(0, prefix.size() - 1));
  if (rel == ".") rel.clear();
  std::vector<BlobInfo> out;
  std::string dir = rel.empty() ? root_ : PathOf(rel);
  Result<sys::FileInfo> info = env_.Stat(dir);
  if (!info.ok() || !info->is_directory()) return out;
  CAIRN_RETURN_IF_ERROR(ListUnder(dir, rel, prefix, out));
  return out;
}

Status LocalBlobStore::Get(std::string_view key, const ChunkSink& sink) {
  CAIRN_RETURN_IF_ERROR(ValidateKey(key).WithContext(root_));
  std::string path = PathOf(key);
  Result<sys::FileInfo> info = env_.Stat(path);
  if ((info.ok() && !info->is_regular()) || (!info.ok() && info.status().IsNotFound())) {
    return Status::NotFound(fmt::format("{}: no object '{}'", root_, key));
  }
  if (!info.ok()) return info.status().WithContext(fmt::format("{}: get '{}'", root_, key));
  Result<std::unique_ptr<sys::SequentialFile>> file = env_.OpenSequential(path);
  if (!file.ok()) {
    if (file.status().IsNotFound()) {
      return Status::NotFound(fmt::format("{}: no object '{}'", root_, key));
    }
    return file.status().WithContext(fmt::format("{}: get '{}'", root_, key));
  }
  std::string buffer(kChunkBytes, '\0');
  for (;;) {
    Result<size_t> n = (*file)->Read(buffer.data(), buffer.size());
    if (!n.ok()) return n.status().WithContext(fmt::format("{}: get '{}'", root_, key));
    if (*n == 0) return Status::Ok();
    CAIRN_RETURN_IF_ERROR(sink(std::string_view(buffer.data(), *n)));
  }
}

Result<std::unique_ptr<sys::AtomicFile>> LocalBlobStore::OpenForPut(std::string_view key) {
  CAIRN_RETURN_IF_ERROR(ValidateKey(key).WithContext(root_));
  std::string path = PathOf(key);
  std::string what = fmt::format("{}: put '{}'", root_, key);
  CAIRN_RETURN_IF_ERROR(env_.CreateDirs(core::Dirname(path)).WithContext(what));
  sys::WriteOptions options;
  options.durability = sys::Durability::kRelaxed;
  Result<std::unique_ptr<sys::AtomicFile>> file = env_.OpenAtomic(path, options);
  if (!file.ok()) return file.status().WithContext(what);
  return file;
}

Status LocalBlobStore::Put(std::string_view key, std::string_view data) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<sys::AtomicFile> file, OpenForPut(key));
  std::string what = fmt::format("{}: put '{}'", root_, key);
  CAIRN_RETURN_IF_ERROR(file->Append(data).WithContext(what));
  return file->Commit().WithContext(what);
}

Status LocalBlobStore::PutFile(std::string_view key, std::string_view path) {
  std::string what = fmt::format("{}: put '{}' from '{}'", root_, key, path);
  Result<std::unique_ptr<sys::SequentialFile>> in = env_.OpenSequential(path);
  if (!in.ok()) return in.status().WithContext(what);
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<sys::AtomicFile> out, OpenForPut(key));
  std::string buffer(kChunkBytes, '\0');
  for (;;) {
    Result<size_t> n = (*in)->Read(buffer.data(), buffer.size());
    if (!n.ok()) return n.status().WithContext(what);
    if (*n == 0) break;
    CAIRN_RETURN_IF_ERROR(out->Append(std::string_view(buffer.data(), *n)).WithContext(what));
  }
  return out->Commit().WithContext(what);
}

Status LocalBlobStore::Delete(std::string_view key) {
  CAIRN_RETURN_IF_ERROR(ValidateKey(key).WithContext(root_));
  // A directory is not an object: there is nothing to delete.
  Result<sys::FileInfo> info = env_.LStat(PathOf(key));
  if (info.ok() && info->is_directory()) return Status::Ok();
  Status status = env_.Remove(PathOf(key));
  if (status.ok() || status.IsNotFound()) return Status::Ok();
  return status.WithContext(fmt::format("{}: delete '{}'", root_, key));
}

}  // namespace cairn::blob
