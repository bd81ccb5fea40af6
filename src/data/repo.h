// Repo: one DVC repository as cairn works on it: its root, configuration, cache, stat cache,
// ignore rules, lock and thread pool, opened once per command.
//
// Ownership: Open() returns a Repo that owns everything it opened; the Env is borrowed and
// must outlive it. Paths given by the user are relative to the working directory passed to
// Open(); everything inside is kept repo-relative ('/'-separated) or absolute.
//
// Thread safety: the accessors may be used from the pool's threads (Cache and State are
// thread-safe); opening, locking and saving happen on the command's thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "data/cache.h"
#include "data/config.h"
#include "data/dvcfile.h"
#include "data/ignore.h"
#include "data/state.h"
#include "sys/env.h"
#include "sys/file_lock.h"
#include "sys/thread_pool.h"

namespace cairn::data {

struct RepoOptions {
  /// Threads for hashing and transfers; 0: one per core.
  size_t jobs = 0;
  /// Wait for `.dvc/tmp/lock` as long as it takes (DVC's --wait-for-lock).
  bool wait_for_lock = false;
};

class Repo {
 public:
  /// Opens the repository containing `cwd` (absolute): the nearest directory at or above it
  /// that holds `.dvc/`. NotFound, with a hint to run `init`, when there is none.
  static core::Result<std::unique_ptr<Repo>> Open(sys::Env& env, std::string cwd,
                                                  const RepoOptions& options = {});

  /// The root of the repository containing `cwd` (absolute), or NotFound as Open() says it.
  static core::Result<std::string> FindRoot(sys::Env& env, std::string_view cwd);

  /// `dvc init` in `dir` (absolute): `.dvc/` with `config`, `.gitignore`, `tmp/`, and
  /// `.dvcignore`. Fails when `.dvc` exists (unless `force`), or when `dir` is not in a git
  /// work tree (unless `no_scm`, which records `core.no_scm = True`).
  static core::Status Init(sys::Env& env, std::string_view dir, bool no_scm, bool force);

  sys::Env& env() { return env_; }
  const std::string& root() const { return root_; }
  const std::string& cwd() const { return cwd_; }
  std::string dvc_dir() const { return root_ + "/.dvc"; }
  Config& config() { return *config_; }
  Cache& cache() { return *cache_; }
  State& state() { return *state_; }
  IgnoreFilter& ignore() { return *ignore_; }
  sys::ThreadPool& pool() { return *pool_; }

  /// Takes `.dvc/tmp/lock` (the lock DVC takes), held until the returned object is dropped.
  core::Result<sys::FileLock> Lock();

  /// The repo-relative form of `path` (absolute or relative to cwd). InvalidArgument when it
  /// lies outside the repository.
  core::Result<std::string> RepoPath(std::string_view path) const;
  /// The absolute path of a repo-relative one.
  std::string Abs(std::string_view repo_path) const;
  /// `repo_path` as the user sees it: relative to cwd.
  std::string Display(std::string_view repo_path) const;

  /// Every `.dvc` file (parsed) and `dvc.yaml` of the repository, repo-relative, sorted by
  /// path, skipping what .dvcignore ignores and sub-repositories. Directories a `.dvc` file
  /// tracks are not walked: a tracked tree of 100k files costs nothing here.
  struct StageFiles {
    std::vector<std::pair<std::string, DvcFile>> dvc_files;
    std::vector<std::string> pipelines;  // dvc.yaml files
  };
  core::Result<StageFiles> FindStageFiles();

  /// .dvcignore's verdict for a repo-relative path (thread-safe).
  bool Ignored(std::string_view path, bool is_dir);
  /// True while no .dvcignore pattern applies anywhere loaded so far: a file whose directory
  /// was already walked is then ignored only if its name is built-in (IsBuiltinIgnored).
  /// Lets walks skip the per-file question.
  bool IgnoreIsTrivial() const { return ignore_trivial_.load(std::memory_order_acquire); }

  /// Saves what the stat cache learned.
  core::Status SaveState() { return state_->Save(); }

 private:
  Repo(sys::Env& env, std::string root, std::string cwd)
      : env_(env), root_(std::move(root)), cwd_(std::move(cwd)) {}

  sys::Env& env_;
  std::string root_;
  std::string cwd_;
  RepoOptions options_;
  std::unique_ptr<Config> config_;
  std::unique_ptr<Cache> cache_;
  std::unique_ptr<State> state_;
  std::unique_ptr<IgnoreFilter> ignore_;
  std::unique_ptr<sys::ThreadPool> pool_;
  std::mutex ignore_mu_;  // IgnoreFilter loads rules lazily: one caller at a time
  std::atomic<bool> ignore_trivial_{false};
};

}  // namespace cairn::data
