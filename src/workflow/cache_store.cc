// The content-addressed cache store (see cache_store.h).
#include "workflow/cache_store.h"

#include <algorithm>

#include "core/hash.h"
#include "core/json.h"
#include "core/path.h"
#include "core/strings.h"
#include "core/value.h"
#include "sys/hash_file.h"

namespace cairn::workflow {

std::string CacheVersion(const std::vector<std::string>& paths) {
  return core::Sha256Hex(core::Join(paths, "|") + "|cairn-1");
}

std::string CacheStore::ManifestPath(std::string_view key, std::string_view version) const {
  std::string id = std::string(version) + std::string(1, '\0') + std::string(key);
  return core::JoinPath(core::JoinPath(dir_, "entries"), core::Sha256Hex(id) + ".json");
}

core::Result<std::optional<CacheEntry>> CacheStore::ReadManifest(const std::string& path) {
  auto text = env_.ReadFile(path);
  if (!text.ok()) {
    if (text.status().IsNotFound()) return std::nullopt;
    return text.status();
  }
  CAIRN_ASSIGN_OR_RETURN(core::Value root, core::ParseJson(*text, path));
  CacheEntry entry;
  const core::Value* key = root.Find("key");
  const core::Value* version = root.Find("version");
  const core::Value* created = root.Find("created_us");
  const core::Value* files = root.Find("files");
  if (key == nullptr || !key->is_string() || version == nullptr || !version->is_string() ||
      created == nullptr || files == nullptr || !files->is_sequence()) {
    return core::Status::Corruption(path + ": not a cache manifest");
  }
  entry.key = key->AsString();
  entry.version = version->AsString();
  entry.created_us = created->AsInt64().value_or(0);
  for (const core::Value& f : files->items()) {
    const core::Value* p = f.Find("path");
    const core::Value* sha = f.Find("sha256");
    const core::Value* mode = f.Find("mode");
    if (p == nullptr || sha == nullptr || !p->is_string() || !sha->is_string()) {
      return core::Status::Corruption(path + ": a file without path or sha256");
    }
    entry.files.push_back(
        {p->AsString(), sha->AsString(),
         mode != nullptr ? static_cast<uint32_t>(mode->AsInt64().value_or(0644)) : 0644u});
  }
  return entry;
}

core::Result<std::optional<CacheEntry>> CacheStore::Find(
    std::string_view key, const std::vector<std::string>& restore_keys, std::string_view version) {
  CAIRN_ASSIGN_OR_RETURN(std::optional<CacheEntry> exact, ReadManifest(ManifestPath(key, version)));
  if (exact) return exact;
  if (restore_keys.empty()) return std::nullopt;
  std::string entries_dir = core::JoinPath(dir_, "entries");
  auto listing = env_.ListDir(entries_dir);
  if (!listing.ok()) return std::nullopt;
  std::vector<CacheEntry> all;
  for (const sys::DirEntry& e : *listing) {
    if (!e.name.ends_with(".json")) continue;
    auto entry = ReadManifest(core::JoinPath(entries_dir, e.name));
    if (entry.ok() && *entry && (*entry)->version == version) all.push_back(std::move(**entry));
  }
  std::sort(all.begin(), all.end(),
            [](const CacheEntry& a, const CacheEntry& b) { return a.created_us > b.created_us; });
  for (const std::string& prefix : restore_keys) {
    for (const CacheEntry& entry : all) {
      if (entry.key == prefix) return entry;
    }
    for (const CacheEntry& entry : all) {
      if (entry.key.starts_with(prefix)) return entry;
    }
  }
  return std::nullopt;
}

core::Status CacheStore::Restore(const CacheEntry& entry, std::string_view workspace) {
  for (const CachedFile& file : entry.files) {
    std::string to =
        core::IsAbsolutePath(file.path) ? file.path : core::JoinPath(workspace, file.path);
    std::string from = core::JoinPath(
        core::JoinPath(core::JoinPath(dir_, "objects"), file.sha256.substr(0, 2)), file.sha256);
    CAIRN_RETURN_IF_ERROR(env_.CreateDirs(core::Dirname(to)));
    std::string temp = to + ".cairn-restore";
    (void)env_.Remove(temp);
    CAIRN_RETURN_IF_ERROR(env_.CopyFile(from, temp, file.mode & 0777));
    CAIRN_RETURN_IF_ERROR(env_.Rename(temp, to));
  }
  return core::Status::Ok();
}

core::Status CacheStore::Save(std::string_view key, std::string_view version,
                              const std::vector<std::string>& files, std::string_view workspace,
                              int64_t now_us) {
  std::string manifest_path = ManifestPath(key, version);
  if (env_.Exists(manifest_path)) {
    return core::Status::AlreadyExists("a cache entry with key '" + std::string(key) +
                                       "' already exists");
  }
  core::Value list = core::Value::Sequence();
  for (const std::string& file : files) {
    CAIRN_ASSIGN_OR_RETURN(sys::FileInfo info, env_.Stat(file));
    CAIRN_ASSIGN_OR_RETURN(std::string sha,
                           sys::HashFile(env_, file, core::Digest::Algorithm::kSha256));
    std::string object_dir = core::JoinPath(core::JoinPath(dir_, "objects"), sha.substr(0, 2));
    std::string object = core::JoinPath(object_dir, sha);
    if (!env_.Exists(object)) {
      CAIRN_RETURN_IF_ERROR(env_.CreateDirs(object_dir));
      std::string temp =
          object + ".tmp-" + std::to_string(now_us) + "-" + core::Sha256Hex(file).substr(0, 8);
      (void)env_.Remove(temp);
      CAIRN_RETURN_IF_ERROR(env_.CopyFile(file, temp, 0444));
      CAIRN_RETURN_IF_ERROR(env_.Rename(temp, object));
    }
    std::string stored =
        core::PathIsWithin(file, workspace) ? core::RelativePath(file, workspace) : file;
    core::Value f = core::Value::Mapping();
    f.Set("path", core::Value::String(stored));
    f.Set("sha256", core::Value::String(sha));
    f.Set("mode", core::Value::Int(info.mode & 0777));
    list.Append(std::move(f));
  }
  core::Value root = core::Value::Mapping();
  root.Set("key", core::Value::String(std::string(key)));
  root.Set("version", core::Value::String(std::string(version)));
  root.Set("created_us", core::Value::Int(now_us));
  root.Set("files", std::move(list));
  CAIRN_RETURN_IF_ERROR(env_.CreateDirs(core::Dirname(manifest_path)));
  core::Status written = env_.WriteNewFile(manifest_path, core::ToJson(root), 0644);
  if (written.IsAlreadyExists()) {
    return core::Status::AlreadyExists("a cache entry with key '" + std::string(key) +
                                       "' already exists (another job saved it first)");
  }
  return written;
}

}  // namespace cairn::workflow
