#include "data/repo.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/path.h"
#include "data/workspace.h"
#include "sys/git.h"

namespace cairn::data {

core::Result<std::string> Repo::FindRoot(sys::Env& env, std::string_view cwd) {
  std::string root = core::NormalizePath(cwd);
  for (;;) {
    if (env.IsDirectory(core::JoinPath(root, ".dvc"))) return root;
    if (root == "/") {
      return core::Status::NotFound(fmt::format(
          "you are not inside of a DVC repository (checked up to mount point '/' from '{}')\n"
          "hint: run `cairn data init` (or `dvc init`) at the root of the git repository",
          cwd));
    }
    root = std::string(core::Dirname(root));
  }
}

core::Result<std::unique_ptr<Repo>> Repo::Open(sys::Env& env, std::string cwd,
                                               const RepoOptions& options) {
  cwd = core::NormalizePath(cwd);
  CAIRN_ASSIGN_OR_RETURN(std::string root, FindRoot(env, cwd));
  std::unique_ptr<Repo> repo(new Repo(env, root, cwd));
  repo->options_ = options;

  Config::Options config_options;
  config_options.cwd = cwd;
  CAIRN_ASSIGN_OR_RETURN(Config config,
                         Config::Load(env, DefaultConfigPaths(env, root), config_options));
  repo->config_ = std::make_unique<Config>(std::move(config));

  std::string cache_dir =
      repo->config_->ResolvedPath("cache", "dir").value_or(root + "/.dvc/cache");
  std::vector<LinkType> links = {LinkType::kReflink, LinkType::kCopy};
  if (const ConfigValue* type = repo->config_->Get("cache", "type")) {
    std::string text = type->is_list ? fmt::format("{}", fmt::join(type->items, ",")) : type->text;
    CAIRN_ASSIGN_OR_RETURN(links, ParseLinkTypes(text));
  }
  repo->cache_ = std::make_unique<Cache>(env, cache_dir, std::move(links));
  CAIRN_RETURN_IF_ERROR(env.CreateDirs(root + "/.dvc/tmp"));
  repo->state_ = std::make_unique<State>(State::Load(env, root + "/.dvc/tmp/cairn-state"));
  repo->ignore_ = std::make_unique<IgnoreFilter>(env, root);
  repo->pool_ = std::make_unique<sys::ThreadPool>(options.jobs);
  return repo;
}

core::Status Repo::Init(sys::Env& env, std::string_view dir, bool no_scm, bool force) {
  std::string root = core::NormalizePath(dir);
  std::string dvc = root + "/.dvc";
  if (env.Exists(dvc)) {
    if (!force) {
      return core::Status::AlreadyExists(fmt::format("'{}' exists. Use `-f` to force.", dvc));
    }
    CAIRN_RETURN_IF_ERROR(env.RemoveAll(dvc));
  }
  if (!no_scm) {
    core::Result<std::unique_ptr<sys::GitRepo>> git = sys::GitRepo::Open(root);
    if (!git.ok() || (*git)->work_tree() != root) {
      return core::Status::InvalidArgument(fmt::format(
          "{} is not tracked by any supported SCM tool (e.g. Git). Use `--no-scm` if you "
          "don't want to use any SCM or `--subdir` if initializing inside a subdirectory of a "
          "parent SCM repository.",
          root));
    }
  }
  CAIRN_RETURN_IF_ERROR(env.CreateDirs(dvc + "/tmp"));
  std::string config = no_scm ? "[core]\n    no_scm = True\n" : "";
  CAIRN_RETURN_IF_ERROR(env.WriteFile(dvc + "/config", config));
  return WriteInitIgnoreFiles(env, root);
}

core::Result<sys::FileLock> Repo::Lock() {
  sys::LockOptions lock_options;
  lock_options.wait_forever = options_.wait_for_lock;
  core::Result<sys::FileLock> lock = sys::FileLock::Acquire(root_ + "/.dvc/tmp/lock", lock_options);
  if (!lock.ok() && lock.status().code() == core::Code::kResourceConflict) {
    return core::Status(core::Code::kResourceConflict,
                        "Unable to acquire lock. Most likely another DVC process is running or "
                        "was terminated abruptly.\n" +
                            lock.status().message() +
                            "\nhint: wait for it, or pass --wait-for-lock");
  }
  return lock;
}

core::Result<std::string> Repo::RepoPath(std::string_view path) const {
  std::string abs = core::NormalizePath(core::JoinPath(cwd_, path));
  if (!core::PathIsWithin(abs, root_)) {
    return core::Status::InvalidArgument(
        fmt::format("'{}' is outside of the repository '{}'", path, root_));
  }
  return core::RelativePath(abs, root_);
}

std::string Repo::Abs(std::string_view repo_path) const {
  return repo_path == "." ? root_ : core::JoinPath(root_, repo_path);
}

std::string Repo::Display(std::string_view repo_path) const {
  return core::RelativePath(Abs(repo_path), cwd_);
}

bool Repo::Ignored(std::string_view path, bool is_dir) {
  if (IsBuiltinIgnored(core::Basename(path))) return true;
  std::lock_guard lock(ignore_mu_);
  bool skip = ignore_->Skip(path, is_dir);
  ignore_trivial_.store(ignore_->rules().OnlyBuiltins(), std::memory_order_release);
  return skip;
}

core::Result<Repo::StageFiles> Repo::FindStageFiles() {
  StageFiles out;
  std::vector<std::string> todo = {""};
  while (!todo.empty()) {
    std::string dir = std::move(todo.back());
    todo.pop_back();
    CAIRN_ASSIGN_OR_RETURN(std::vector<sys::DirEntryInfo> entries,
                           env_.ListDirInfo(dir.empty() ? root_ : Abs(dir)));
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    std::vector<std::string> tracked;  // outs of this directory's .dvc files
    std::vector<std::string> subdirs;
    for (const sys::DirEntryInfo& e : entries) {
      std::string rel = dir.empty() ? e.name : dir + "/" + e.name;
      bool is_dir = e.info.is_directory();
      if (Ignored(rel, is_dir)) continue;
      if (is_dir) {
        // A directory holding .dvc is a sub-repository: not ours.
        if (!env_.IsDirectory(Abs(rel) + "/.dvc")) subdirs.push_back(rel);
        continue;
      }
      if (!e.info.is_regular() && !e.info.is_symlink()) continue;
      if (e.name == "dvc.yaml") {
        out.pipelines.push_back(rel);
      } else if (core::Extension(e.name) == ".dvc" && e.name.size() > 4) {
        CAIRN_ASSIGN_OR_RETURN(std::string text, env_.ReadFile(Abs(rel)));
        CAIRN_ASSIGN_OR_RETURN(DvcFile file, ParseDvcFile(text, Display(rel)));
        std::string base_dir = core::NormalizePath(core::JoinPath(dir, file.wdir));
        for (const Entry& o : file.outs) {
          tracked.push_back(
              core::NormalizePath(core::JoinPath(base_dir == "." ? "" : base_dir, o.path)));
        }
        out.dvc_files.emplace_back(rel, std::move(file));
      }
    }
    for (std::string& sub : subdirs) {
      bool is_tracked = std::any_of(tracked.begin(), tracked.end(), [&](const std::string& t) {
        return core::PathIsWithin(sub, t);
      });
      if (!is_tracked) todo.push_back(std::move(sub));
    }
  }
  std::sort(out.dvc_files.begin(), out.dvc_files.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::sort(out.pipelines.begin(), out.pipelines.end());
  return out;
}

}  // namespace cairn::data
