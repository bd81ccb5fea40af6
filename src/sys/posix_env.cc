// The real Env, over POSIX system calls.
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <vector>

#include "core/path.h"
#include "sys/env.h"
#include "sys/posix_error.h"

extern char** environ;

namespace cairn::sys {
namespace {

FileType TypeOfMode(mode_t mode) {
  if (S_ISREG(mode)) return FileType::kRegular;
  if (S_ISDIR(mode)) return FileType::kDirectory;
  if (S_ISLNK(mode)) return FileType::kSymlink;
  return FileType::kOther;
}

FileInfo InfoOfStat(const struct stat& st) {
  FileInfo info;
  info.type = TypeOfMode(st.st_mode);
  info.size = static_cast<uint64_t>(st.st_size);
  info.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  info.inode = st.st_ino;
  info.device = st.st_dev;
  info.mode = st.st_mode & 07777;
  return info;
}

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixSequentialFile() override { ::close(fd_); }

  Result<size_t> Read(char* buf, size_t n) override {
    for (;;) {
      ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) return PosixError("read", path_, errno);
    }
  }

 private:
  std::string path_;
  int fd_;
};

Status WriteAll(int fd, std::string_view data, std::string_view path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return PosixError("write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status SyncDirectory(std::string_view dir) {
  std::string d(dir.empty() ? "." : dir);
  int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return PosixError("open directory", d, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return PosixError("fsync directory", d, err);
  return Status::Ok();
}

class PosixAtomicFile final : public AtomicFile {
 public:
  PosixAtomicFile(std::string path, std::string temp, int fd, Durability durability)
      : path_(std::move(path)), temp_(std::move(temp)), fd_(fd), durability_(durability) {}

  ~PosixAtomicFile() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temp_.c_str());
  }

  Status Append(std::string_view data) override {
    if (fd_ < 0) return Status::InvalidState("append to '" + path_ + "' after commit");
    return WriteAll(fd_, data, temp_);
  }

  Status Commit() override { return CommitAs(path_); }

  Status CommitAs(std::string_view target) override {
    if (fd_ < 0) return Status::InvalidState("'" + path_ + "' committed twice");
    path_ = std::string(target);
    if (durability_ == Durability::kDurable && ::fsync(fd_) != 0) {
      return PosixError("fsync", temp_, errno);
    }
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return PosixError("close", temp_, errno);
    if (::rename(temp_.c_str(), path_.c_str()) != 0) return PosixError("rename", path_, errno);
    committed_ = true;
    if (durability_ == Durability::kDurable) return SyncDirectory(core::Dirname(path_));
    return Status::Ok();
  }

 private:
  std::string path_;
  std::string temp_;
  int fd_;
  Durability durability_;
  bool committed_ = false;
};

// Copies `in` to `out`: a reflink (FICLONE) where the file system shares blocks, else
// copy_file_range in the kernel, else read/write.
Status CopyFd(int in, int out, const std::string& from, const std::string& to, bool reflink_only) {
  if (::ioctl(out, FICLONE, in) == 0) return Status::Ok();
  if (reflink_only) {
    return Status::NotImplemented("the file system of '" + to + "' cannot reflink '" + from + "'");
  }
  for (;;) {
    ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
    if (n > 0) continue;
    if (n == 0) return Status::Ok();
    if (errno == EINTR) continue;
    if (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) break;
    return PosixError("copy '" + from + "' to", to, errno);
  }
  // copy_file_range refused (old kernel, odd file system): plain reads and writes, from
  // wherever it stopped.
  std::vector<char> buf(1 << 16);
  for (;;) {
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n == 0) return Status::Ok();
    if (n < 0) {
      if (errno == EINTR) continue;
      return PosixError("read", from, errno);
    }
    CAIRN_RETURN_IF_ERROR(WriteAll(out, std::string_view(buf.data(), static_cast<size_t>(n)), to));
  }
}

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<SequentialFile>> OpenSequential(std::string_view path) override {
    std::string p(path);
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError("open", p, errno);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return std::unique_ptr<SequentialFile>(new PosixSequentialFile(std::move(p), fd));
  }

  Result<std::unique_ptr<AtomicFile>> OpenAtomic(std::string_view path,
                                                 const WriteOptions& options) override {
    std::string p(path);
    std::string dir(core::Dirname(p));
    std::string base(core::Basename(p));
    for (int attempt = 0;; ++attempt) {
      std::string temp = core::JoinPath(
          dir, "." + base + ".tmp." + std::to_string(::getpid()) + "." +
                   std::to_string(temp_counter_.fetch_add(1, std::memory_order_relaxed)));
      int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, options.mode);
      if (fd >= 0) {
        return std::unique_ptr<AtomicFile>(
            new PosixAtomicFile(std::move(p), std::move(temp), fd, options.durability));
      }
      if (errno != EEXIST || attempt > 100) return PosixError("create", temp, errno);
    }
  }

  Result<FileInfo> Stat(std::string_view path) override {
    std::string p(path);
    struct stat st;
    if (::stat(p.c_str(), &st) != 0) return PosixError("stat", p, errno);
    return InfoOfStat(st);
  }

  Result<FileInfo> LStat(std::string_view path) override {
    std::string p(path);
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) return PosixError("lstat", p, errno);
    return InfoOfStat(st);
  }

  Result<std::vector<DirEntry>> ListDir(std::string_view path) override {
    std::string p(path);
    DIR* dir = ::opendir(p.c_str());
    if (dir == nullptr) return PosixError("open directory", p, errno);
    std::vector<DirEntry> entries;
    errno = 0;
    while (struct dirent* ent = ::readdir(dir)) {
      std::string_view name = ent->d_name;
      if (name == "." || name == "..") continue;
      FileType type;
      switch (ent->d_type) {
        case DT_REG:
          type = FileType::kRegular;
          break;
        case DT_DIR:
          type = FileType::kDirectory;
          break;
        case DT_LNK:
          type = FileType::kSymlink;
          break;
        case DT_UNKNOWN: {
          struct stat st;
          std::string child = core::JoinPath(p, name);
          type = ::lstat(child.c_str(), &st) == 0 ? TypeOfMode(st.st_mode) : FileType::kOther;
          break;
        }
        default:
          type = FileType::kOther;
          break;
      }
      entries.push_back(DirEntry{std::string(name), type});
    }
    int err = errno;
    ::closedir(dir);
    if (err != 0) return PosixError("read directory", p, err);
    return entries;
  }

  Result<std::vector<DirEntryInfo>> ListDirInfo(std::string_view path) override {
    std::string p(path);
    DIR* dir = ::opendir(p.c_str());
    if (dir == nullptr) return PosixError("open directory", p, errno);
    int fd = ::dirfd(dir);
    std::vector<DirEntryInfo> entries;
    errno = 0;
    while (struct dirent* ent = ::readdir(dir)) {
      std::string_view name = ent->d_name;
      if (name == "." || name == "..") continue;
      struct stat st;
      if (::fstatat(fd, ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) {  // removed meanwhile
          errno = 0;
          continue;
        }
        int err = errno;
        ::closedir(dir);
        return PosixError("stat", core::JoinPath(p, name), err);
      }
      entries.push_back(DirEntryInfo{std::string(name), InfoOfStat(st)});
      errno = 0;
    }
    int err = errno;
    ::closedir(dir);
    if (err != 0) return PosixError("read directory", p, err);
    return entries;
  }

  Status CreateDirs(std::string_view path) override {
    std::string p(path);
    if (p.empty()) return Status::Ok();
    struct stat st;
    if (::stat(p.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) return Status::Ok();
      return Status::AlreadyExists("'" + p + "' exists and is not a directory");
    }
    std::string_view parent = core::Dirname(p);
    if (!parent.empty() && parent != p) CAIRN_RETURN_IF_ERROR(CreateDirs(parent));
    if (::mkdir(p.c_str(), 0777) != 0 && errno != EEXIST) return PosixError("mkdir", p, errno);
    return Status::Ok();
  }

  Status Remove(std::string_view path) override {
    std::string p(path);
    if (::remove(p.c_str()) != 0) return PosixError("remove", p, errno);
    return Status::Ok();
  }

  Status RemoveAll(std::string_view path) override {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(std::string(path)), ec);
    if (ec) return PosixError("remove", path, ec.value());
    return Status::Ok();
  }

  Status Rename(std::string_view from, std::string_view to) override {
    std::string f(from), t(to);
    if (::rename(f.c_str(), t.c_str()) != 0) return PosixError("rename", f + "' to '" + t, errno);
    return Status::Ok();
  }

  Status SetMode(std::string_view path, uint32_t mode) override {
    std::string p(path);
    if (::chmod(p.c_str(), mode) != 0) return PosixError("chmod", p, errno);
    return Status::Ok();
  }

  Status Symlink(std::string_view target, std::string_view link) override {
    std::string t(target), l(link);
    if (::symlink(t.c_str(), l.c_str()) != 0) return PosixError("symlink", l, errno);
    return Status::Ok();
  }

  Status WriteNewFile(std::string_view path, std::string_view data, uint32_t mode) override {
    std::string p(path);
    std::string dir(core::Dirname(p));
    if (dir.empty()) dir = ".";
    int fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
    if (fd >= 0) {
      Status written = WriteAll(fd, data, p);
      if (written.ok()) {
        // Give the finished, unnamed inode its name; fails if the name exists.
        std::string proc = "/proc/self/fd/" + std::to_string(fd);
        if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, p.c_str(), AT_SYMLINK_FOLLOW) != 0) {
          written = PosixError("create", p, errno);
        }
      }
      ::close(fd);
      return written;
    }
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL && errno != ENOENT) {
      return PosixError("create", p, errno);
    }
    if (errno == ENOENT && !core::Dirname(p).empty()) return PosixError("create", p, errno);
    // No O_TMPFILE here (or no /proc): a named temporary file, linked into place.
    std::string temp = p + ".tmp." + std::to_string(::getpid()) + "." +
                       std::to_string(temp_counter_.fetch_add(1, std::memory_order_relaxed));
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return PosixError("create", temp, errno);
    Status written = WriteAll(fd, data, temp);
    if (::close(fd) != 0 && written.ok()) written = PosixError("close", temp, errno);
    if (written.ok() && ::link(temp.c_str(), p.c_str()) != 0)
      written = PosixError("create", p, errno);
    ::unlink(temp.c_str());
    return written;
  }

  Status HardLink(std::string_view target, std::string_view link) override {
    std::string t(target), l(link);
    if (::link(t.c_str(), l.c_str()) != 0) return PosixError("link", l, errno);
    return Status::Ok();
  }

  Status CopyFile(std::string_view from, std::string_view to, uint32_t mode,
                  bool reflink_only) override {
    std::string f(from), t(to);
    int in = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) return PosixError("open", f, errno);
    int out = ::open(t.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (out < 0) {
      int err = errno;
      ::close(in);
      return PosixError("create", t, err);
    }
    Status status = CopyFd(in, out, f, t, reflink_only);
    ::close(in);
    if (::close(out) != 0 && status.ok()) status = PosixError("close", t, errno);
    if (!status.ok()) ::unlink(t.c_str());
    return status;
  }

  Result<std::string> ReadLink(std::string_view path) override {
    std::string p(path);
    std::string buf(256, '\0');
    for (;;) {
      ssize_t n = ::readlink(p.c_str(), buf.data(), buf.size());
      if (n < 0) return PosixError("readlink", p, errno);
      if (static_cast<size_t>(n) < buf.size()) {
        buf.resize(static_cast<size_t>(n));
        return buf;
      }
      buf.resize(buf.size() * 2);
    }
  }

  std::optional<std::string> GetVar(std::string_view name) const override {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  }

  std::vector<std::pair<std::string, std::string>> Vars() const override {
    std::vector<std::pair<std::string, std::string>> vars;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      std::string_view kv = *e;
      size_t eq = kv.find('=');
      if (eq == std::string_view::npos) continue;
      vars.emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
    }
    std::sort(vars.begin(), vars.end());
    return vars;
  }

  int64_t NowMicros() const override {
    struct timespec ts;
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
  }

  int64_t MonotonicNanos() const override {
    struct timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
  }

 private:
  std::atomic<uint64_t> temp_counter_{0};
};

}  // namespace

std::unique_ptr<Env> NewPosixEnv() { return std::make_unique<PosixEnv>(); }

}  // namespace cairn::sys
