#include "testing/mem_env.h"

#include "core/path.h"

namespace cairn::testing {

using core::Result;
using core::Status;
using sys::FileInfo;
using sys::FileType;

namespace {

class MemSequentialFile final : public sys::SequentialFile {
 public:
  explicit MemSequentialFile(std::string data) : data_(std::move(data)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    size_t k = std::min(n, data_.size() - pos_);
    data_.copy(buf, k, pos_);
    pos_ += k;
    return k;
  }

 private:
  std::string data_;  // a snapshot taken at open, as an open fd keeps the old inode
  size_t pos_ = 0;
};

Status NotFound(std::string_view op, std::string_view path) {
  return Status::NotFound(std::string(op) + " '" + std::string(path) +
                          "': No such file or directory");
}

}  // namespace

class MemAtomicFile final : public sys::AtomicFile {
 public:
  MemAtomicFile(MemEnv* env, std::string path, uint32_t mode)
      : env_(env), path_(std::move(path)), mode_(mode) {}
  Status Append(std::string_view data) override {
    if (done_) return Status::InvalidState("append to '" + path_ + "' after commit");
    data_.append(data);
    return Status::Ok();
  }
  Status Commit() override { return CommitAs(path_); }
  Status CommitAs(std::string_view path) override {
    if (done_) return Status::InvalidState("'" + path_ + "' committed twice");
    done_ = true;
    std::lock_guard lock(env_->mu_);
    return env_->Commit(std::string(path), std::move(data_), mode_);
  }

 private:
  MemEnv* env_;
  std::string path_;
  uint32_t mode_;
  std::string data_;
  bool done_ = false;
};

MemEnv::MemEnv() { nodes_["/"] = Node{FileType::kDirectory, "", 0755, 0, next_inode_++}; }

void MemEnv::SetVar(std::string_view name, std::string_view value) {
  std::lock_guard lock(mu_);
  vars_[std::string(name)] = std::string(value);
}

void MemEnv::UnsetVar(std::string_view name) {
  std::lock_guard lock(mu_);
  vars_.erase(std::string(name));
}

void MemEnv::SetNowMicros(int64_t now) {
  std::lock_guard lock(mu_);
  now_micros_ = now;
}

void MemEnv::AdvanceMicros(int64_t delta) {
  std::lock_guard lock(mu_);
  now_micros_ += delta;
}

size_t MemEnv::NodeCount() const {
  std::lock_guard lock(mu_);
  return nodes_.size();
}

std::string MemEnv::Key(std::string_view path) const {
  return core::NormalizePath(core::JoinPath("/", path));
}

std::string MemEnv::Resolve(std::string_view path, int depth) const {
  // Resolve symlinks component by component so links inside the path are followed too.
  std::string key = Key(path);
  if (depth > 40) return key;
  std::string current = "/";
  for (std::string_view part : core::PathComponents(key)) {
    std::string next = core::JoinPath(current, part);
    auto it = nodes_.find(next);
    if (it != nodes_.end() && it->second.type == FileType::kSymlink) {
      std::string target = core::JoinPath(current, it->second.data);
      next = Resolve(target, depth + 1);
    }
    current = next;
  }
  return current;
}

Status MemEnv::CheckParentDir(const std::string& key, std::string_view path) const {
  auto parent = nodes_.find(std::string(core::Dirname(key)));
  if (parent == nodes_.end()) return NotFound("open", path);
  if (parent->second.type != FileType::kDirectory) {
    return Status::NotFound("open '" + std::string(path) + "': Not a directory");
  }
  return Status::Ok();
}

FileInfo MemEnv::InfoOf(const Node& node) const {
  FileInfo info;
  info.type = node.type;
  info.size = node.data.size();
  info.mtime_ns = node.mtime_ns;
  info.inode = node.inode;
  info.mode = node.mode;
  return info;
}

Status MemEnv::Commit(const std::string& path, std::string data, uint32_t mode) {
  std::string key = Resolve(path);
  CAIRN_RETURN_IF_ERROR(CheckParentDir(key, path));
  auto it = nodes_.find(key);
  if (it != nodes_.end() && it->second.type == FileType::kDirectory) {
    return Status::IoError("rename '" + path + "': Is a directory");
  }
  nodes_[key] = Node{FileType::kRegular, std::move(data), mode, now_micros_ * 1000, next_inode_++};
  return Status::Ok();
}

Result<std::unique_ptr<sys::SequentialFile>> MemEnv::OpenSequential(std::string_view path) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(Resolve(path));
  if (it == nodes_.end()) return NotFound("open", path);
  if (it->second.type == FileType::kDirectory) {
    return Status::IoError("read '" + std::string(path) + "': Is a directory");
  }
  return std::unique_ptr<sys::SequentialFile>(new MemSequentialFile(it->second.data));
}

Result<std::unique_ptr<sys::AtomicFile>> MemEnv::OpenAtomic(std::string_view path,
                                                            const sys::WriteOptions& options) {
  std::lock_guard lock(mu_);
  CAIRN_RETURN_IF_ERROR(CheckParentDir(Resolve(path), path));
  return std::unique_ptr<sys::AtomicFile>(new MemAtomicFile(this, std::string(path), options.mode));
}

Result<FileInfo> MemEnv::Stat(std::string_view path) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(Resolve(path));
  if (it == nodes_.end()) return NotFound("stat", path);
  return InfoOf(it->second);
}

Result<FileInfo> MemEnv::LStat(std::string_view path) {
  std::lock_guard lock(mu_);
  std::string key = Key(path);
  std::string parent = Resolve(core::Dirname(key));
  auto it = nodes_.find(core::JoinPath(parent, core::Basename(key)));
  if (key == "/") it = nodes_.find("/");
  if (it == nodes_.end()) return NotFound("lstat", path);
  return InfoOf(it->second);
}

Result<std::vector<sys::DirEntry>> MemEnv::ListDir(std::string_view path) {
  std::lock_guard lock(mu_);
  std::string key = Resolve(path);
  auto it = nodes_.find(key);
  if (it == nodes_.end()) return NotFound("open directory", path);
  if (it->second.type != FileType::kDirectory) {
    return Status::NotFound("open directory '" + std::string(path) + "': Not a directory");
  }
  std::string prefix = key == "/" ? "/" : key + "/";
  std::vector<sys::DirEntry> out;
  for (auto c = nodes_.upper_bound(prefix); c != nodes_.end(); ++c) {
    if (c->first.compare(0, prefix.size(), prefix) != 0) break;
    std::string_view rest = std::string_view(c->first).substr(prefix.size());
    if (rest.empty() || rest.find('/') != std::string_view::npos) continue;
    out.push_back(sys::DirEntry{std::string(rest), c->second.type});
  }
  return out;
}

Status MemEnv::CreateDirs(std::string_view path) {
  std::lock_guard lock(mu_);
  std::string current = "/";
  std::string key = Key(path);
  for (std::string_view part : core::PathComponents(key)) {
    current = Resolve(core::JoinPath(current, part));
    auto it = nodes_.find(current);
    if (it == nodes_.end()) {
      nodes_[current] = Node{FileType::kDirectory, "", 0755, now_micros_ * 1000, next_inode_++};
    } else if (it->second.type != FileType::kDirectory) {
      return Status::AlreadyExists("'" + current + "' exists and is not a directory");
    }
  }
  return Status::Ok();
}

Status MemEnv::Remove(std::string_view path) {
  std::lock_guard lock(mu_);
  std::string key = Key(path);
  auto it = nodes_.find(key);
  if (it == nodes_.end()) return NotFound("remove", path);
  if (it->second.type == FileType::kDirectory) {
    auto next = std::next(it);
    if (next != nodes_.end() && next->first.compare(0, key.size() + 1, key + "/") == 0) {
      return Status::IoError("remove '" + std::string(path) + "': Directory not empty");
    }
  }
  nodes_.erase(it);
  return Status::Ok();
}

Status MemEnv::RemoveAll(std::string_view path) {
  std::lock_guard lock(mu_);
  std::string key = Key(path);
  if (key == "/") return Status::InvalidArgument("refusing to remove '/'");
  nodes_.erase(key);
  std::string prefix = key + "/";
  for (auto it = nodes_.lower_bound(prefix);
       it != nodes_.end() && it->first.compare(0, prefix.size(), prefix) == 0;) {
    it = nodes_.erase(it);
  }
  return Status::Ok();
}

Status MemEnv::Rename(std::string_view from, std::string_view to) {
  std::lock_guard lock(mu_);
  std::string src = Key(from);
  std::string dst = Key(to);
  auto it = nodes_.find(src);
  if (it == nodes_.end()) return NotFound("rename", from);
  CAIRN_RETURN_IF_ERROR(CheckParentDir(dst, to));
  std::map<std::string, Node> moved;
  moved[dst] = std::move(it->second);
  nodes_.erase(it);
  std::string prefix = src + "/";
  for (auto c = nodes_.lower_bound(prefix);
       c != nodes_.end() && c->first.compare(0, prefix.size(), prefix) == 0;) {
    moved[dst + c->first.substr(src.size())] = std::move(c->second);
    c = nodes_.erase(c);
  }
  for (auto& [k, v] : moved) nodes_[k] = std::move(v);
  return Status::Ok();
}

Status MemEnv::SetMode(std::string_view path, uint32_t mode) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(Resolve(path));
  if (it == nodes_.end()) return NotFound("chmod", path);
  it->second.mode = mode & 07777;
  return Status::Ok();
}

Status MemEnv::Symlink(std::string_view target, std::string_view link) {
  std::lock_guard lock(mu_);
  std::string key = Key(link);
  CAIRN_RETURN_IF_ERROR(CheckParentDir(key, link));
  if (nodes_.count(key) != 0) {
    return Status::AlreadyExists("symlink '" + std::string(link) + "': File exists");
  }
  nodes_[key] =
      Node{FileType::kSymlink, std::string(target), 0777, now_micros_ * 1000, next_inode_++};
  return Status::Ok();
}

Status MemEnv::WriteNewFile(std::string_view path, std::string_view data, uint32_t mode) {
  std::lock_guard lock(mu_);
  std::string key = Resolve(path);
  CAIRN_RETURN_IF_ERROR(CheckParentDir(key, path));
  if (nodes_.count(key) != 0) {
    return Status::AlreadyExists("create '" + std::string(path) + "': File exists");
  }
  nodes_[key] =
      Node{FileType::kRegular, std::string(data), mode, now_micros_ * 1000, next_inode_++};
  return Status::Ok();
}

Status MemEnv::HardLink(std::string_view target, std::string_view link) {
  // Memory files have no shared identity: a hard link is a copy with the same inode number.
  std::lock_guard lock(mu_);
  auto it = nodes_.find(Resolve(target));
  if (it == nodes_.end()) return NotFound("link", target);
  std::string key = Key(link);
  CAIRN_RETURN_IF_ERROR(CheckParentDir(key, link));
  if (nodes_.count(key) != 0)
    return Status::AlreadyExists("link '" + std::string(link) + "': File exists");
  nodes_[key] = it->second;
  return Status::Ok();
}

Status MemEnv::CopyFile(std::string_view from, std::string_view to, uint32_t mode,
                        bool reflink_only) {
  if (reflink_only) return Status::NotImplemented("memory files cannot reflink");
  std::lock_guard lock(mu_);
  auto it = nodes_.find(Resolve(from));
  if (it == nodes_.end()) return NotFound("open", from);
  if (it->second.type != FileType::kRegular) {
    return Status::IoError("copy '" + std::string(from) + "': not a regular file");
  }
  std::string key = Resolve(to);
  CAIRN_RETURN_IF_ERROR(CheckParentDir(key, to));
  if (nodes_.count(key) != 0)
    return Status::AlreadyExists("create '" + std::string(to) + "': File exists");
  nodes_[key] = Node{FileType::kRegular, it->second.data, mode, now_micros_ * 1000, next_inode_++};
  return Status::Ok();
}

Result<std::string> MemEnv::ReadLink(std::string_view path) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(Key(path));
  if (it == nodes_.end()) return NotFound("readlink", path);
  if (it->second.type != FileType::kSymlink) {
    return Status::InvalidArgument("readlink '" + std::string(path) + "': Invalid argument");
  }
  return it->second.data;
}

std::optional<std::string> MemEnv::GetVar(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = vars_.find(std::string(name));
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<std::string, std::string>> MemEnv::Vars() const {
  std::lock_guard lock(mu_);
  return {vars_.begin(), vars_.end()};
}

int64_t MemEnv::NowMicros() const {
  std::lock_guard lock(mu_);
  return now_micros_;
}

int64_t MemEnv::MonotonicNanos() const {
  std::lock_guard lock(mu_);
  return now_micros_ * 1000;
}

}  // namespace cairn::testing
