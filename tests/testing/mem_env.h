// MemEnv: an Env that keeps files, environment variables and time in memory, for tests that
// must not touch the disk or the real environment (leveldb's memenv, ninja's
// VirtualFileSystem). Paths are normalized lexically; "/" always exists; symlinks are
// followed by Stat, not by LStat. The clock only moves when told to.
//
// Thread-safe: one mutex guards everything.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "sys/env.h"

namespace cairn::testing {

class MemEnv final : public sys::Env {
 public:
  MemEnv();

  // Test controls.
  void SetVar(std::string_view name, std::string_view value);
  void UnsetVar(std::string_view name);
  void SetNowMicros(int64_t now);
  void AdvanceMicros(int64_t delta);
  /// Number of files and directories held (for checking that nothing was left behind).
  size_t NodeCount() const;

  // sys::Env
  core::Result<std::unique_ptr<sys::SequentialFile>> OpenSequential(std::string_view path) override;
  core::Result<std::unique_ptr<sys::AtomicFile>> OpenAtomic(
      std::string_view path, const sys::WriteOptions& options = {}) override;
  core::Result<sys::FileInfo> Stat(std::string_view path) override;
  core::Result<sys::FileInfo> LStat(std::string_view path) override;
  core::Result<std::vector<sys::DirEntry>> ListDir(std::string_view path) override;
  core::Status CreateDirs(std::string_view path) override;
  core::Status Remove(std::string_view path) override;
  core::Status RemoveAll(std::string_view path) override;
  core::Status Rename(std::string_view from, std::string_view to) override;
  core::Status SetMode(std::string_view path, uint32_t mode) override;
  core::Status Symlink(std::string_view target, std::string_view link) override;
  core::Status WriteNewFile(std::string_view path, std::string_view data, uint32_t mode) override;
  core::Status HardLink(std::string_view target, std::string_view link) override;
  core::Status CopyFile(std::string_view from, std::string_view to, uint32_t mode = 0644,
                        bool reflink_only = false) override;
  core::Result<std::string> ReadLink(std::string_view path) override;
  std::optional<std::string> GetVar(std::string_view name) const override;
  std::vector<std::pair<std::string, std::string>> Vars() const override;
  int64_t NowMicros() const override;
  int64_t MonotonicNanos() const override;

 private:
  struct Node {
    sys::FileType type = sys::FileType::kRegular;
    std::string data;  // file bytes, or a symlink's target
    uint32_t mode = 0644;
    int64_t mtime_ns = 0;
    uint64_t inode = 0;
  };
  friend class MemAtomicFile;

  // All require mu_ held.
  std::string Key(std::string_view path) const;
  std::string Resolve(std::string_view path, int depth = 0) const;  // follows symlinks
  core::Status CheckParentDir(const std::string& key, std::string_view path) const;
  sys::FileInfo InfoOf(const Node& node) const;
  core::Status Commit(const std::string& path, std::string data, uint32_t mode);

  mutable std::mutex mu_;
  std::map<std::string, Node> nodes_;  // normalized absolute path -> node
  std::map<std::string, std::string> vars_;
  int64_t now_micros_ = 1'700'000'000'000'000;
  uint64_t next_inode_ = 1;
};

}  // namespace cairn::testing
