#include "data/cache.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "core/hash.h"
#include "core/path.h"
#include "core/strings.h"
#include "data/legacy_hash.h"
#include "data/tree.h"
#include "sys/hash_file.h"

namespace cairn::data {
namespace {

// Files at least this large are copied by the kernel on another thread while this one hashes
// them; smaller ones are read once and written from the same buffer.
constexpr uint64_t kKernelCopyThreshold = 4 << 20;
constexpr size_t kChunk = 64 << 10;  // read size, and slack for a file that grows

bool IsHexName(std::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// A name no other process or thread picks: pid, a counter and a random word.
std::string UniqueSuffix() {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng(std::random_device{}());
  return fmt::format("{}-{}-{:x}", ::getpid(), counter.fetch_add(1), rng() & 0xffffffff);
}

core::Result<std::string> HashAs(sys::Env& env, std::string_view path, bool legacy) {
  return legacy ? LegacyMd5File(env, path) : sys::HashFile(env, path);
}

}  // namespace

core::Result<std::vector<LinkType>> ParseLinkTypes(std::string_view text) {
  std::vector<LinkType> out;
  for (std::string_view word : core::Split(text, ',')) {
    word = core::Trim(word);
    if (word == "reflink") {
      out.push_back(LinkType::kReflink);
    } else if (word == "hardlink") {
      out.push_back(LinkType::kHardlink);
    } else if (word == "symlink") {
      out.push_back(LinkType::kSymlink);
    } else if (word == "copy") {
      out.push_back(LinkType::kCopy);
    } else {
      return core::Status::InvalidArgument(fmt::format(
          "cache.type: unknown link type '{}' (expected reflink, hardlink, symlink or copy)",
          word));
    }
  }
  if (out.empty()) return core::Status::InvalidArgument("cache.type: no link type given");
  return out;
}

Cache::Cache(sys::Env& env, std::string dir, std::vector<LinkType> links)
    : env_(env), dir_(std::move(dir)), links_(std::move(links)) {}

std::string Cache::ObjectPath(std::string_view md5, bool legacy) const {
  std::string rel = std::string(md5.substr(0, 2)) + "/" + std::string(md5.substr(2));
  return core::JoinPath(dir_, legacy ? rel : "files/md5/" + rel);
}

bool Cache::Has(std::string_view md5, bool legacy) const {
  return env_.Exists(ObjectPath(md5, legacy));
}

std::string Cache::NewTempPath() const {
  return core::JoinPath(dir_, "files/md5/.tmp-" + UniqueSuffix());
}

core::Status Cache::Place(std::string_view temp, std::string_view md5, bool legacy) {
  std::string final_path = ObjectPath(md5, legacy);
  if (env_.Exists(final_path)) return env_.Remove(temp);
  CAIRN_RETURN_IF_ERROR(env_.CreateDirs(core::Dirname(final_path)));
  return env_.Rename(temp, final_path);
}

core::Result<std::string> Cache::AddFile(std::string_view src,
                                         std::optional<std::string_view> known_md5,
                                         std::optional<uint64_t> size) {
  if (known_md5 && Has(*known_md5)) return std::string(*known_md5);
  if (!size) {
    CAIRN_ASSIGN_OR_RETURN(sys::FileInfo info, env_.Stat(src));
    size = info.size;
  }

  if (*size >= kKernelCopyThreshold) {
    CAIRN_RETURN_IF_ERROR(env_.CreateDirs(core::JoinPath(dir_, "files/md5")));
    // Two readers of the same (cached) pages: the kernel copies, this thread hashes.
    std::string temp = NewTempPath();
    core::Status copied;
    std::thread copier([&] { copied = env_.CopyFile(src, temp, 0444); });
    core::Result<std::string> md5 = sys::HashFile(env_, src);
    copier.join();
    if (!copied.ok()) return copied;
    if (!md5.ok()) {
      (void)env_.Remove(temp);
      return md5.status();
    }
    CAIRN_RETURN_IF_ERROR(Place(temp, *md5, false));
    return std::move(*md5);
  }

  // Small files: read whole, hashed, then created under their name in one atomic step.
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<sys::SequentialFile> in, env_.OpenSequential(src));
  thread_local std::string buffer;
  buffer.resize(*size + kChunk);
  size_t filled = 0;
  for (;;) {
    if (filled == buffer.size()) buffer.resize(buffer.size() * 2);  // it grew meanwhile
    CAIRN_ASSIGN_OR_RETURN(size_t n, in->Read(buffer.data() + filled, buffer.size() - filled));
    if (n == 0) break;
    filled += n;
  }
  std::string_view bytes(buffer.data(), filled);
  std::string md5 = core::Md5Hex(bytes);
  CAIRN_RETURN_IF_ERROR(PutObject(md5, false, bytes));
  return md5;
}

core::Status Cache::PutObject(std::string_view md5, bool legacy, std::string_view bytes) {
  std::string final_path = ObjectPath(md5, legacy);
  core::Status made = env_.WriteNewFile(final_path, bytes, 0444);
  if (made.IsNotFound()) {  // the prefix directory is new
    CAIRN_RETURN_IF_ERROR(env_.CreateDirs(core::Dirname(final_path)));
    made = env_.WriteNewFile(final_path, bytes, 0444);
  }
  return made.IsAlreadyExists() ? core::Status::Ok() : made;
}

core::Status Cache::AddBytes(std::string_view md5, std::string_view bytes, bool legacy) {
  return PutObject(md5, legacy, bytes);
}

core::Result<std::string> Cache::Read(std::string_view md5, bool legacy) const {
  core::Result<std::string> bytes = env_.ReadFile(ObjectPath(md5, legacy));
  if (!bytes.ok() && bytes.status().IsNotFound()) {
    return core::Status::NotFound(fmt::format("object {} is not in the cache ({})", md5, dir_));
  }
  return bytes;
}

core::Status Cache::InstallTemp(std::string_view temp, std::string_view md5, bool legacy) {
  std::string_view hex = md5.substr(0, 32);
  // A .dir object's id is the plain md5 of its bytes, legacy or not.
  core::Result<std::string> actual =
      IsTreeId(md5) ? sys::HashFile(env_, temp) : HashAs(env_, temp, legacy);
  if (!actual.ok()) {
    (void)env_.Remove(temp);
    return actual.status();
  }
  if (*actual != hex) {
    (void)env_.Remove(temp);
    return core::Status::Corruption(
        fmt::format("object {} is corrupt: its bytes hash to {}", md5, *actual));
  }
  CAIRN_RETURN_IF_ERROR(env_.SetMode(temp, 0444));
  return Place(temp, md5, legacy);
}

core::Status Cache::AdoptTemp(std::string_view temp, std::string_view md5, bool legacy) {
  CAIRN_RETURN_IF_ERROR(env_.SetMode(temp, 0444));
  return Place(temp, md5, legacy);
}

core::Status Cache::Checkout(std::string_view md5, bool legacy, std::string_view dest,
                             bool isexec) const {
  std::string object = ObjectPath(md5, legacy);
  if (!env_.Exists(object)) {
    return core::Status::NotFound(fmt::format("object {} of '{}' is not in the cache", md5, dest));
  }
  std::string parent(core::Dirname(dest));
  CAIRN_RETURN_IF_ERROR(env_.CreateDirs(parent));
  std::string temp =
      core::JoinPath(parent, fmt::format(".{}.cairn-tmp-{}", core::Basename(dest), UniqueSuffix()));
  uint32_t mode = isexec ? 0777 : 0666;  // the umask applies, as for any new file
  core::Status made = core::Status::NotImplemented("no link type");
  for (LinkType link : links_) {
    switch (link) {
      case LinkType::kReflink:
        made = env_.CopyFile(object, temp, mode, /*reflink_only=*/true);
        break;
      case LinkType::kCopy:
        made = env_.CopyFile(object, temp, mode);
        break;
      case LinkType::kHardlink:
        made = env_.HardLink(object, temp);
        break;
      case LinkType::kSymlink:
        made = env_.Symlink(object, temp);
        break;
    }
    if (made.ok()) break;
    (void)env_.Remove(temp);
  }
  if (!made.ok()) return made.WithContext(fmt::format("checkout of '{}'", dest));
  if (env_.IsDirectory(dest)) CAIRN_RETURN_IF_ERROR(env_.RemoveAll(dest));
  core::Status renamed = env_.Rename(temp, dest);
  if (!renamed.ok()) (void)env_.Remove(temp);
  return renamed;
}

core::Result<uint64_t> Cache::StoreFingerprint() const {
  core::Result<std::vector<sys::DirEntryInfo>> dirs =
      env_.ListDirInfo(core::JoinPath(dir_, "files/md5"));
  if (!dirs.ok()) return dirs.status().IsNotFound() ? core::Result<uint64_t>(0) : dirs.status();
  std::sort(dirs->begin(), dirs->end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  auto mix = [&h](const void* data, size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  };
  for (const sys::DirEntryInfo& d : *dirs) {
    mix(d.name.data(), d.name.size() + 1);
    mix(&d.info.mtime_ns, sizeof d.info.mtime_ns);
  }
  return h;
}

core::Result<std::vector<std::pair<std::string, bool>>> Cache::ListObjects() const {
  std::vector<std::pair<std::string, bool>> out;
  auto scan = [&](const std::string& root, bool legacy) -> core::Status {
    core::Result<std::vector<sys::DirEntry>> prefixes = env_.ListDir(root);
    if (!prefixes.ok()) {
      return prefixes.status().IsNotFound() ? core::Status::Ok() : prefixes.status();
    }
    for (const sys::DirEntry& prefix : *prefixes) {
      if (prefix.type != sys::FileType::kDirectory || !IsHexName(prefix.name, 2)) continue;
      CAIRN_ASSIGN_OR_RETURN(std::vector<sys::DirEntry> objects,
                             env_.ListDir(core::JoinPath(root, prefix.name)));
      for (const sys::DirEntry& obj : objects) {
        std::string_view name = obj.name;
        bool dir = name.size() == 34 && name.substr(30) == ".dir";
        if (!IsHexName(name.substr(0, 30), 30) || (name.size() != 30 && !dir)) continue;
        out.emplace_back(prefix.name + std::string(name), legacy);
      }
    }
    return core::Status::Ok();
  };
  CAIRN_RETURN_IF_ERROR(scan(core::JoinPath(dir_, "files/md5"), false));
  CAIRN_RETURN_IF_ERROR(scan(dir_, true));
  return out;
}

core::Result<size_t> Cache::RemoveTemporaries() {
  std::string dir = core::JoinPath(dir_, "files/md5");
  core::Result<std::vector<sys::DirEntry>> entries = env_.ListDir(dir);
  if (!entries.ok())
    return entries.status().IsNotFound() ? core::Result<size_t>(0) : entries.status();
  size_t removed = 0;
  for (const sys::DirEntry& e : *entries) {
    // Objects live in the two-hex-digit directories: a hidden file beside them is a
    // temporary (NewTempPath, or an AtomicFile's) that an interrupted write left.
    if (e.type != sys::FileType::kRegular || e.name.empty() || e.name[0] != '.') continue;
    CAIRN_RETURN_IF_ERROR(env_.Remove(core::JoinPath(dir, e.name)));
    ++removed;
  }
  return removed;
}

core::Status Cache::Remove(std::string_view md5, bool legacy) {
  core::Status s = env_.Remove(ObjectPath(md5, legacy));
  return s.IsNotFound() ? core::Status::Ok() : s;
}

}  // namespace cairn::data
