// Artifact path checks, artifact roots and directory listings (see artifacts.h).
#include "server/artifacts.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/path.h"
#include "core/strings.h"
#include "core/uri.h"
#include "server/wire.h"

namespace cairn::server {
namespace {

Status InvalidPath() { return Status::InvalidArgument("Invalid path"); }

// Percent-decodes until nothing changes (so %252e%252e is caught as ".."), a few rounds.
std::string DecodeFully(std::string_view text) {
  std::string decoded(text);
  for (int round = 0; round < 8; ++round) {
    std::optional<std::string> next = core::PercentDecode(decoded);
    if (!next || *next == decoded) break;
    decoded = std::move(*next);
  }
  return decoded;
}

// "file:", "s3:", "C:": a scheme (or a drive letter) before the first '/'.
bool HasSchemePrefix(std::string_view path) {
  size_t colon = path.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view scheme = path.substr(0, colon);
  if (scheme.find('/') != std::string_view::npos) return false;
  auto scheme_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  };
  return std::isalpha(static_cast<unsigned char>(scheme[0])) &&
         std::all_of(scheme.begin(), scheme.end(), scheme_char);
}

bool ClimbsOrEscapes(std::string_view path) {
  if (path.find('\0') != std::string_view::npos || path.find('\\') != std::string_view::npos ||
      path.find('#') != std::string_view::npos) {
    return true;
  }
  if (path.starts_with('/') || HasSchemePrefix(path)) return true;
  for (std::string_view component : core::Split(path, '/')) {
    if (component == "..") return true;
  }
  return false;
}

// Env::OpenAtomic's temporary files (".<name>.tmp.<pid>.<n>"), which a listing skips as the
// blob store's does.
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

}  // namespace

Result<std::string> SafeArtifactPath(std::string_view path, bool allow_empty) {
  if (ClimbsOrEscapes(path) || ClimbsOrEscapes(DecodeFully(path))) return InvalidPath();
  std::vector<std::string_view> kept;
  for (std::string_view component : core::Split(path, '/')) {
    if (!component.empty() && component != ".") kept.push_back(component);
  }
  std::string normalized = core::Join(kept, "/");
  if (normalized.empty() && !allow_empty) return InvalidPath();
  return normalized;
}

Status CheckRawPath(std::string_view raw_path) {
  std::string decoded = DecodeFully(raw_path);
  for (std::string_view component : core::Split(decoded, '/')) {
    if (component == "..") return InvalidPath();
  }
  if (decoded.find('\0') != std::string::npos) return InvalidPath();
  return Status::Ok();
}

Result<ArtifactLocation> ArtifactLocation::ProxyRoot(ServerState& state) {
  if (state.artifacts == nullptr) {
    return Status::InvalidArgument(
        "this server does not serve artifacts (it was started with --no-serve-artifacts)");
  }
  ArtifactLocation location;
  location.store_ = state.artifacts;
  location.local_dir_ = state.artifacts_dir;
  location.env_ = state.env;
  return location;
}

Result<ArtifactLocation> ArtifactLocation::Resolve(ServerState& state, std::string_view root_uri) {
  CAIRN_ASSIGN_OR_RETURN(core::Uri uri, core::Uri::Parse(root_uri));
  if (uri.scheme == "mlflow-artifacts") {
    CAIRN_ASSIGN_OR_RETURN(ArtifactLocation location, ProxyRoot(state));
    // mlflow-artifacts:/<p> and mlflow-artifacts://host:port/<p> both name <p>.
    std::string path = uri.DecodedPath();
    size_t start = path.find_first_not_of('/');
    CAIRN_ASSIGN_OR_RETURN(
        location.prefix_,
        SafeArtifactPath(
            start == std::string::npos ? std::string_view() : std::string_view(path).substr(start),
            true));
    if (!location.local_dir_.empty() && !location.prefix_.empty()) {
      location.local_dir_ = core::JoinPath(location.local_dir_, location.prefix_);
      location.prefix_.clear();
    }
    return location;
  }
  if (uri.scheme.empty() || uri.scheme == "file" || uri.scheme == "s3") {
    if (state.env == nullptr) return Status::Internal("server state without an Env");
    CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<blob::BlobStore> store,
                           blob::OpenBlobStore(uri, blob::BlobOptions{}, *state.env));
    ArtifactLocation location;
    location.owned_ = std::move(store);
    location.store_ = location.owned_.get();
    location.env_ = state.env;
    if (uri.scheme != "s3") {
      location.local_dir_ = uri.scheme.empty() ? uri.path : uri.DecodedPath();
    }
    return location;
  }
  return Status::NotImplemented(
      fmt::format("cannot list artifacts stored at '{}': cairn lists mlflow-artifacts:, local "
                  "directories and s3:// roots",
                  root_uri));
}

Result<std::vector<ArtifactEntry>> ArtifactLocation::List(std::string_view dir) const {
  std::vector<ArtifactEntry> entries;
  if (!local_dir_.empty()) {
    // A directory: read it directly (empty directories show too, as MLflow lists them).
    std::string path = dir.empty() ? local_dir_ : core::JoinPath(local_dir_, dir);
    Result<sys::FileInfo> info = env_->Stat(path);
    if (!info.ok() || !info->is_directory()) {
      if (info.ok() || info.status().IsNotFound()) return entries;
      return info.status().WithContext(fmt::format("list artifacts in '{}'", path));
    }
    Result<std::vector<sys::DirEntryInfo>> listing = env_->ListDirInfo(path);
    if (!listing.ok()) {
      if (listing.status().IsNotFound()) return entries;
      return listing.status().WithContext(fmt::format("list artifacts in '{}'", path));
    }
    for (sys::DirEntryInfo& item : *listing) {
      if (IsTempFile(item.name)) continue;
      sys::FileInfo file = item.info;
      if (file.is_symlink()) {
        Result<sys::FileInfo> target = env_->Stat(core::JoinPath(path, item.name));
        if (!target.ok()) continue;  // a broken link
        file = *target;
      }
      if (file.is_directory()) {
        entries.push_back({std::move(item.name), true, 0});
      } else if (file.is_regular()) {
        entries.push_back({std::move(item.name), false, file.size});
      }
    }
  } else {
    std::string prefix = prefix_;
    if (!dir.empty()) prefix = prefix.empty() ? std::string(dir) : prefix + "/" + std::string(dir);
    if (!prefix.empty()) prefix += '/';
    CAIRN_ASSIGN_OR_RETURN(std::vector<blob::BlobInfo> objects, store_->List(prefix));
    std::map<std::string, ArtifactEntry> children;
    for (const blob::BlobInfo& object : objects) {
      std::string_view rest = std::string_view(object.key).substr(prefix.size());
      size_t slash = rest.find('/');
      if (slash == std::string_view::npos) {
        children[std::string(rest)] = {std::string(rest), false, object.size};
      } else {
        std::string name(rest.substr(0, slash));
        children.try_emplace(name, ArtifactEntry{name, true, 0});
      }
    }
    for (auto& [name, entry] : children) entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(),
            [](const ArtifactEntry& a, const ArtifactEntry& b) { return a.name < b.name; });
  return entries;
}

Result<core::Value> ListUnderRootJson(ServerState& state, std::string_view root_uri,
                                      std::string_view path) {
  CAIRN_ASSIGN_OR_RETURN(std::string dir, SafeArtifactPath(path, true));
  core::Value files = core::Value::Sequence();
  if (!root_uri.empty()) {
    CAIRN_ASSIGN_OR_RETURN(ArtifactLocation location, ArtifactLocation::Resolve(state, root_uri));
    CAIRN_ASSIGN_OR_RETURN(std::vector<ArtifactEntry> entries, location.List(dir));
    for (const ArtifactEntry& entry : entries) {
      std::string relative = dir.empty() ? entry.name : dir + "/" + entry.name;
      files.Append(FileInfoJson(relative, entry.is_dir, entry.size));
    }
  }
  return JsonObject().Str("root_uri", root_uri).List("files", std::move(files)).Build();
}

}  // namespace cairn::server
