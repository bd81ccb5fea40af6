// actions/checkout: the run's repository (RunDirectories::repository) cloned into the workspace
// (or `path:` under it) at the event's sha with the git command, as actions/checkout does it:
// `git init`, `origin` set to the repository, a fetch of the one commit (fetch-depth 1, the
// default) or of all branches and tags (fetch-depth 0), then for a push to refs/heads/B a local
// branch B at the sha tracking origin/B, for a tag the tag, and for a pull request (or a sha
// only) a detached HEAD at the commit (a PR's merge commit is fetched by its sha).
//
// Pushing: when the repository has a work tree and a remote `origin` (it is a clone of a
// shared upstream), the workspace's origin gets that remote's push URL as its own push URL (a
// relative path resolved against the repository), so a job's `git push` reaches the shared
// upstream, as on GitHub, where a job's origin is the repository on GitHub; fetches still come
// from the local repository. Without one, a push goes to the repository itself, which git
// refuses for the checked-out branch of a non-bare repository: a notice says so. A bare
// repository is taken as the upstream itself (a `git clone --bare` has its source as origin):
// pushes land in it.
//
// With RunOptions::worktree the repository's working tree is copied as it is (tracked and
// untracked files that .gitignore does not exclude, uncommitted changes included), and a git
// repository is made around it whose HEAD is the repository's HEAD commit (on its branch), so
// `git status` and `git diff` show the uncommitted changes and `git push` works.
//
// One CheckoutAction serves one step, on the job's thread.
#include <memory>
#include <string>
#include <vector>

#include "core/path.h"
#include "core/strings.h"
#include "sys/env.h"
#include "sys/git.h"
#include "workflow/action_support.h"

namespace cairn::workflow {
namespace {

const std::vector<ActionInput>& CheckoutInputs() {
  static const std::vector<ActionInput> kInputs = {
      {"repository", "", false},
      {"ref", "", false},
      {"token", "", false},
      {"ssh-key", "", false},
      {"ssh-known-hosts", "", false},
      {"ssh-strict", "true", false},
      {"ssh-user", "git", false},
      {"persist-credentials", "true", false},
      {"path", "", false},
      {"clean", "true", false},
      {"filter", "", false},
      {"sparse-checkout", "", false},
      {"sparse-checkout-cone-mode", "true", false},
      {"fetch-depth", "1", false},
      {"fetch-tags", "false", false},
      {"show-progress", "true", false},
      {"lfs", "false", false},
      {"submodules", "false", false},
      {"set-safe-directory", "true", false},
      {"github-server-url", "", false},
  };
  return kInputs;
}

// What to check out: the commit, and the ref it is on.
struct Target {
  std::string sha;
  std::string ref;  // "refs/heads/B", "refs/tags/T", "refs/pull/N/merge" or ""
};

class CheckoutAction : public Action {
 public:
  core::Result<Conclusion> Main(StepHost& host, const InputMap& given) override {
    CAIRN_ASSIGN_OR_RETURN(InputMap inputs, MergeInputs(host, CheckoutInputs(), given));
    const RunOptions& options = host.options();
    const std::string& origin = options.dirs.repository;
    if (origin.empty()) {
      return core::Status::InvalidArgument(
          "actions/checkout: the run has no repository to check out (RunDirectories::"
          "repository is empty)");
    }
    const std::string& repository = inputs["repository"];
    if (!repository.empty() && !options.repository_name.empty() &&
        !core::EqualsIgnoreCase(repository, options.repository_name)) {
      return core::Status::InvalidArgument(
          "actions/checkout: input 'repository' is '" + repository +
          "', but cairn checks out only the run's own repository ('" + options.repository_name +
          "', from " + origin + "): cloning another repository needs the network");
    }
    auto depth = core::ParseInt64(core::Trim(inputs["fetch-depth"]));
    if (!depth || *depth < 0) {
      return core::Status::InvalidArgument("actions/checkout: input 'fetch-depth' is '" +
                                           inputs["fetch-depth"] +
                                           "'; expected a whole number >= 0 (0: all history)");
    }
    std::string dest = host.workspace();
    if (!inputs["path"].empty()) {
      dest = core::NormalizePath(core::JoinPath(host.workspace(), inputs["path"]));
      if (!core::PathIsWithin(dest, host.workspace())) {
        return core::Status::InvalidArgument("actions/checkout: input 'path' ('" + inputs["path"] +
                                             "') is not under the workspace " + host.workspace());
      }
    }
    std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
    CAIRN_RETURN_IF_ERROR(env->CreateDirs(dest));
    CAIRN_ASSIGN_OR_RETURN(auto repo, sys::GitRepo::Open(origin));

    Target target;
    if (options.worktree) {
      CAIRN_ASSIGN_OR_RETURN(sys::GitHead head, repo->Head());
      target.sha = head.sha;
      target.ref = head.ref;
      host.Log(LineKind::kCommand,
               "Copying the working tree of " + origin + " (uncommitted changes included)");
      CAIRN_RETURN_IF_ERROR(CopyWorktree(host, *env, origin, dest));
      CAIRN_RETURN_IF_ERROR(InitRepository(host, origin, dest));
      if (!target.sha.empty()) {
        CAIRN_RETURN_IF_ERROR(Fetch(host, origin, dest, target, *depth));
        CAIRN_RETURN_IF_ERROR(AdoptWorktree(host, dest, target));
      }
    } else {
      CAIRN_ASSIGN_OR_RETURN(target, ResolveTarget(host, *repo, inputs["ref"]));
      host.Log(LineKind::kCommand, "Syncing repository: " + origin + " at " + target.sha +
                                       (target.ref.empty() ? "" : " (" + target.ref + ")"));
      CAIRN_RETURN_IF_ERROR(InitRepository(host, origin, dest));
      CAIRN_RETURN_IF_ERROR(Fetch(host, origin, dest, target, *depth));
      CAIRN_RETURN_IF_ERROR(Checkout(host, dest, target));
    }
    std::string upstream;
    if (!repo->is_bare()) {
      CAIRN_ASSIGN_OR_RETURN(upstream, UpstreamPushUrl(host, origin));
    }
    if (!upstream.empty()) {
      CAIRN_RETURN_IF_ERROR(
          RunTool(host, {"git", "remote", "set-url", "--push", "origin", upstream}, dest));
      host.Log(LineKind::kOutput, "Pushes go to " + upstream + " (the origin of " + origin +
                                      "); fetches come from " + origin);
    } else if (!repo->is_bare()) {
      host.Log(LineKind::kAnnotation,
               "Notice: origin is " + origin +
                   ", a repository with a work tree: git refuses a 'git push' to the branch "
                   "checked out there. To push from a job, give " +
                   origin +
                   " a remote 'origin' (the job then pushes there), make it a bare repository, "
                   "or run 'git config receive.denyCurrentBranch updateInstead' in it");
    }
    host.SetOutput("ref", target.ref);
    host.SetOutput("commit", target.sha);
    return Conclusion::kSuccess;
  }

 private:
  static core::Result<Target> ResolveTarget(StepHost& host, const sys::GitRepo& repo,
                                            const std::string& ref_input) {
    Target target;
    if (ref_input.empty()) {
      target.sha = host.event().sha;
      target.ref = host.event().ref;
      if (target.sha.empty()) {
        CAIRN_ASSIGN_OR_RETURN(target.sha,
                               repo.ResolveCommit(target.ref.empty() ? "HEAD" : target.ref));
      }
      return target;
    }
    std::vector<std::string> candidates;
    if (ref_input.starts_with("refs/")) {
      candidates = {ref_input};
    } else if (ref_input.size() == 40 && core::HexDecode(ref_input)) {
      candidates = {""};  // a sha: detached
    } else {
      candidates = {"refs/heads/" + ref_input, "refs/tags/" + ref_input};
    }
    for (const std::string& candidate : candidates) {
      auto sha = repo.ResolveCommit(candidate.empty() ? ref_input : candidate);
      if (sha.ok()) {
        target.sha = *sha;
        target.ref = candidate;
        return target;
      }
    }
    return core::Status::NotFound("actions/checkout: input 'ref' ('" + ref_input +
                                  "') names no branch, tag or commit of " + repo.git_dir());
  }

  // The push URL of the remote `origin` of the run's repository, a relative path resolved
  // against the repository; "" when it has no such remote.
  static core::Result<std::string> UpstreamPushUrl(StepHost& host, const std::string& origin) {
    std::string remotes;
    CAIRN_RETURN_IF_ERROR(RunTool(host, {"git", "remote"}, origin, &remotes, true));
    bool has_origin = false;
    for (std::string_view line : core::SplitLines(remotes)) has_origin |= line == "origin";
    if (!has_origin) return std::string();
    std::string url;
    CAIRN_RETURN_IF_ERROR(
        RunTool(host, {"git", "remote", "get-url", "--push", "origin"}, origin, &url, true));
    url = std::string(core::Trim(url));
    if (url.empty()) return url;
    // A local path (neither scheme://, nor scp-like host:path with the colon before any '/').
    size_t colon = url.find(':');
    bool local = url.find("://") == std::string::npos &&
                 (colon == std::string::npos || url.find('/') < colon);
    if (local && !core::IsAbsolutePath(url)) url = core::NormalizePath(core::JoinPath(origin, url));
    return url;
  }

  static core::Status InitRepository(StepHost& host, const std::string& origin,
                                     const std::string& dest) {
    std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
    if (!env->Exists(core::JoinPath(dest, ".git"))) {
      CAIRN_RETURN_IF_ERROR(RunTool(host, {"git", "init", "-q", dest}, dest));
    }
    std::string remotes;
    CAIRN_RETURN_IF_ERROR(RunTool(host, {"git", "remote"}, dest, &remotes, true));
    bool has_origin = false;
    for (std::string_view line : core::SplitLines(remotes)) has_origin |= line == "origin";
    CAIRN_RETURN_IF_ERROR(
        RunTool(host, {"git", "remote", has_origin ? "set-url" : "add", "origin", origin}, dest));
    return RunTool(host, {"git", "config", "--local", "gc.auto", "0"}, dest);
  }

  static core::Status Fetch(StepHost& host, const std::string& origin, const std::string& dest,
                            const Target& target, int64_t depth) {
    // file:// so that --depth is honoured (git ignores it for a plain local path).
    std::string url = "file://" + origin;
    std::vector<std::string> base = {"git",       "-c",      "protocol.version=2",      "fetch",
                                     "--no-tags", "--prune", "--no-recurse-submodules", "--quiet"};
    if (depth > 0) base.push_back("--depth=" + std::to_string(depth));
    if (depth == 0) {
      std::vector<std::string> all = base;
      all.push_back(url);
      all.push_back("+refs/heads/*:refs/remotes/origin/*");
      all.push_back("+refs/tags/*:refs/tags/*");
      CAIRN_RETURN_IF_ERROR(RunTool(host, all, dest));
    }
    std::vector<std::string> one = base;
    one.push_back(url);
    one.push_back("+" + target.sha + ":" + TrackingRef(target));
    return RunTool(host, one, dest);
  }

  // Where the fetched commit is recorded: refs/remotes/origin/B for a branch, the tag for a
  // tag, refs/remotes/pull/N/merge for a pull request, else a ref of cairn's own.
  static std::string TrackingRef(const Target& target) {
    if (target.ref.starts_with("refs/heads/")) {
      return "refs/remotes/origin/" + target.ref.substr(11);
    }
    if (target.ref.starts_with("refs/tags/")) return target.ref;
    if (target.ref.starts_with("refs/pull/")) return "refs/remotes/pull/" + target.ref.substr(10);
    return "refs/remotes/origin/cairn-checkout";
  }

  static core::Status Checkout(StepHost& host, const std::string& dest, const Target& target) {
    if (target.ref.starts_with("refs/heads/")) {
      std::string branch = target.ref.substr(11);
      CAIRN_RETURN_IF_ERROR(RunTool(
          host, {"git", "checkout", "-q", "--force", "-B", branch, TrackingRef(target)}, dest));
      return RunTool(host, {"git", "branch", "-q", "--set-upstream-to=origin/" + branch, branch},
                     dest);
    }
    return RunTool(host, {"git", "checkout", "-q", "--force", "--detach", target.sha}, dest);
  }

  // Copies what `git ls-files -co --exclude-standard` lists (as it is in the work tree).
  static core::Status CopyWorktree(StepHost& host, sys::Env& env, const std::string& origin,
                                   const std::string& dest) {
    std::string listing;
    CAIRN_RETURN_IF_ERROR(RunTool(host, {"git", "ls-files", "-z", "-c", "-o", "--exclude-standard"},
                                  origin, &listing, true));
    std::vector<std::string_view> names = core::Split(listing, '\0');
    int copied = 0;
    std::string previous;
    for (std::string_view raw : names) {
      std::string name(core::TrimRight(raw));
      if (name.empty() || name == previous) continue;
      previous = name;
      std::string from = core::JoinPath(origin, name);
      std::string to = core::JoinPath(dest, name);
      auto info = env.LStat(from);
      if (!info.ok()) continue;  // deleted in the work tree
      CAIRN_RETURN_IF_ERROR(env.CreateDirs(core::Dirname(to)));
      (void)env.Remove(to);
      if (info->is_symlink()) {
        CAIRN_ASSIGN_OR_RETURN(std::string link, env.ReadLink(from));
        CAIRN_RETURN_IF_ERROR(env.Symlink(link, to));
      } else if (info->is_regular()) {
        CAIRN_RETURN_IF_ERROR(env.CopyFile(from, to, info->mode & 0777));
      } else {
        continue;
      }
      ++copied;
    }
    host.Log(LineKind::kOutput, "Copied " + std::to_string(copied) + " files");
    return core::Status::Ok();
  }

  // Makes HEAD the fetched commit (on its branch) without touching the copied files.
  static core::Status AdoptWorktree(StepHost& host, const std::string& dest, const Target& target) {
    if (target.ref.starts_with("refs/heads/")) {
      std::string branch = target.ref.substr(11);
      CAIRN_RETURN_IF_ERROR(RunTool(host, {"git", "update-ref", target.ref, target.sha}, dest));
      CAIRN_RETURN_IF_ERROR(RunTool(host, {"git", "symbolic-ref", "HEAD", target.ref}, dest));
      CAIRN_RETURN_IF_ERROR(RunTool(
          host, {"git", "branch", "-q", "--set-upstream-to=origin/" + branch, branch}, dest));
    } else {
      CAIRN_RETURN_IF_ERROR(
          RunTool(host, {"git", "update-ref", "--no-deref", "HEAD", target.sha}, dest));
    }
    return RunTool(host, {"git", "reset", "-q"}, dest);
  }
};

}  // namespace

std::unique_ptr<Action> NewCheckoutAction() { return std::make_unique<CheckoutAction>(); }

}  // namespace cairn::workflow
