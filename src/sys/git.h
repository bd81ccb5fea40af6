// GitRepo: questions about a git repository, answered by libgit2. It writes nothing but the
// objects of CreateMergeCommit (no ref, index or work tree is ever changed).
//
// What the rest of cairn asks of git: the sha of a revision (trigger evaluation, MLflow's
// `mlflow.source.git.commit` tag), the current branch (`GITHUB_REF`, `mlflow.source.git.branch`),
// the bytes of a file at a revision (DVC's `metrics diff` / `params diff`), and the paths changed
// between two commits (a workflow's `paths:` filter, over `before..after` of a push or
// `merge-base..head` of a pull request).
//
// Ownership: GitRepo::Open returns a GitRepo owned by the caller; it owns its libgit2 handle
// and every libgit2 object it creates internally, all freed before its methods return. Nothing
// libgit2 ever reaches a caller: results are plain strings and vectors the caller owns, and
// <git2.h> stays inside git.cc.
//
// libgit2's global state is initialized when the first GitRepo opens and shut down when the
// last one is destroyed (libgit2's own reference count, which is thread-safe), so nothing needs
// to be set up in main. A consequence: process-wide git_libgit2_opts settings do not outlive
// the last open GitRepo.
//
// Thread safety: a GitRepo may be shared between threads. libgit2 forbids concurrent use of
// one git_repository, so every method takes an internal mutex and calls on one GitRepo run one
// at a time; open one GitRepo per thread for parallel work. Two GitRepos on the same repository
// are independent.
//
// Revisions are anything git_revparse_single (and `git rev-parse`) understands: "HEAD", "main",
// "refs/heads/main", "v1.0" (a tag; an annotated tag is peeled to its commit), a full or
// unambiguous short sha, "HEAD~1", "main^2", "HEAD@{0}"... Ranges ("a..b") are not
// revisions. Shas are 40 lowercase hex digits (SHA-1 repositories only, as in libgit2 1.5).
//
// Errors: an unknown revision, path or repository is NotFound, naming it; a malformed or
// ambiguous revision or a bad path is InvalidArgument; a repository owned by another user
// (safe.directory) is PermissionDenied; everything else libgit2 reports is Internal or IoError,
// with libgit2's own message after cairn's context.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace cairn::sys {

using core::Result;
using core::Status;

/// The sha GitHub sends as `before` when a push creates a branch (and as `after` when it
/// deletes one): forty zeros.
inline constexpr std::string_view kGitZeroSha = "0000000000000000000000000000000000000000";

/// True when `sha` is kGitZeroSha.
bool IsGitZeroSha(std::string_view sha);

/// Where HEAD points.
struct GitHead {
  /// The full name of the branch HEAD is on ("refs/heads/main"); empty when HEAD is detached.
  std::string ref;
  /// The branch's short name ("main", "feature/x"); empty when HEAD is detached. When HEAD
  /// points outside refs/heads/ (rare), the full ref name.
  std::string branch;
  /// The commit HEAD resolves to; empty on an unborn branch (a repository with no commit yet).
  std::string sha;

  bool detached() const { return ref.empty(); }
  bool unborn() const { return sha.empty(); }
};

/// How a path changed between two trees.
enum class GitChangeKind { kAdded, kDeleted, kModified, kRenamed, kCopied, kTypeChanged };

/// One entry of a tree-to-tree diff. `old_path` and `new_path` are repo-relative and equal
/// unless the change is kRenamed or kCopied. A change of mode only (chmod +x) is kModified; a
/// file that became a symlink (or the reverse) is kTypeChanged.
struct GitChange {
  GitChangeKind kind = GitChangeKind::kModified;
  std::string old_path;
  std::string new_path;

  friend bool operator==(const GitChange&, const GitChange&) = default;
};

/// "added", "deleted", "modified", "renamed", "copied", "type-changed".
std::string_view GitChangeKindName(GitChangeKind kind);

class GitRepo {
 public:
  /// Opens the repository containing `path`: a directory (or file) inside a work tree, the work
  /// tree's root, its .git directory, or a bare repository. Like git, the search walks up from
  /// `path` and stops at a file system boundary; GIT_DIR and other environment variables are
  /// ignored. NotFound, naming `path`, when no repository contains it.
  static Result<std::unique_ptr<GitRepo>> Open(std::string_view path);

  ~GitRepo();
  GitRepo(const GitRepo&) = delete;
  GitRepo& operator=(const GitRepo&) = delete;

  /// The work tree's root as an absolute path without a trailing '/'; empty for a bare
  /// repository.
  const std::string& work_tree() const { return work_tree_; }
  /// The git directory (".git" of a work tree, the repository itself when bare, or
  /// ".git/worktrees/<name>" of a linked work tree), absolute, without a trailing '/'.
  const std::string& git_dir() const { return git_dir_; }
  bool is_bare() const { return work_tree_.empty(); }

  /// The full sha of the commit `revision` names. A tag is peeled to the commit it tags.
  /// NotFound naming the revision when it names nothing (also "HEAD" on an unborn branch);
  /// InvalidArgument when it is malformed, an ambiguous short sha, or names a tree or blob.
  Result<std::string> ResolveCommit(std::string_view revision) const;

  /// Where HEAD points: its branch (or detached) and its commit (or unborn).
  Result<GitHead> Head() const;

  /// The bytes of the file at repo-relative `path` in the tree of `revision` (a commit, a
  /// tag of one, or a tree), as stored: no filters (no CRLF conversion, no LFS smudge), the
  /// work tree and the index are not consulted. A symlink yields its target, as `git show`
  /// does. `path` may be "./a/b" or "a/b/" but not absolute nor climb out with "..".
  /// NotFound naming the path and the revision when the path does not exist there;
  /// InvalidArgument when it is a directory or a submodule.
  Result<std::string> ReadFileAt(std::string_view revision, std::string_view path) const;

  /// The repo-relative paths that differ between the trees of `from` and `to`, sorted, each
  /// once: what `git diff --name-only --no-renames from to` prints. A rename or copy shows
  /// both its old and its new path (a `paths:` filter of GitHub Actions treats a rename as
  /// touching both). Only the two trees are compared: a file changed by the commits between
  /// them and changed back is not listed.
  ///
  /// kGitZeroSha on either side stands for the empty tree. So a push that creates a branch
  /// (`before` is zero) lists every file of the `after` tree. This errs toward running a
  /// workflow: GitHub instead diffs against the parent of the oldest commit new to the remote,
  /// which a local repository cannot know.
  Result<std::vector<std::string>> ChangedPaths(std::string_view from, std::string_view to) const;

  /// The same comparison with renames and copies detected (git's default 50% similarity; a
  /// copy's source must itself be modified, as `git diff -C`), sorted by new_path then
  /// old_path. kGitZeroSha stands for the empty tree, as in ChangedPaths.
  Result<std::vector<GitChange>> Diff(std::string_view from, std::string_view to) const;

  /// The best common ancestor of two commits (`git merge-base a b`). NotFound when the
  /// histories are unrelated.
  Result<std::string> MergeBase(std::string_view a, std::string_view b) const;

  /// Writes the commit merging `head` into `base`, as GitHub's refs/pull/<n>/merge: the tree
  /// of their three-way merge, parents `base` then `head`, author and committer "GitHub
  /// <noreply@github.com>" at the head commit's committer time (so the same inputs give the
  /// same sha). Only objects are written: no ref moves, the index and work tree are untouched.
  /// Returns the new commit's sha. ResourceConflict listing the conflicting paths when the
  /// merge has conflicts.
  Result<std::string> CreateMergeCommit(std::string_view base, std::string_view head,
                                        std::string_view message) const;

 private:
  struct Impl;  // the libgit2 handle and the mutex serializing its use (git.cc)

  GitRepo(std::unique_ptr<Impl> impl, std::string work_tree, std::string git_dir);

  std::unique_ptr<Impl> impl_;  // never null
  const std::string work_tree_;
  const std::string git_dir_;
};

}  // namespace cairn::sys
