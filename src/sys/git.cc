#include "sys/git.h"

#include <git2.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/path.h"

namespace cairn::sys {
namespace {

using core::Code;

// --- RAII over libgit2's handles ---

template <typename T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* p) const noexcept { Free(p); }
};
template <typename T, void (*Free)(T*)>
using GitPtr = std::unique_ptr<T, GitDeleter<T, Free>>;

using RepositoryPtr = GitPtr<git_repository, git_repository_free>;
using ObjectPtr = GitPtr<git_object, git_object_free>;
using ReferencePtr = GitPtr<git_reference, git_reference_free>;
using TreeEntryPtr = GitPtr<git_tree_entry, git_tree_entry_free>;
using BlobPtr = GitPtr<git_blob, git_blob_free>;
using DiffPtr = GitPtr<git_diff, git_diff_free>;
using IndexPtr = GitPtr<git_index, git_index_free>;
using IndexConflictIteratorPtr =
    GitPtr<git_index_conflict_iterator, git_index_conflict_iterator_free>;
using TreePtr = GitPtr<git_tree, git_tree_free>;
using SignaturePtr = GitPtr<git_signature, git_signature_free>;

// --- Errors ---

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

/// A Status for libgit2's failure `rc` of the call just made on this thread:
/// "<context>: <libgit2's message>".
Status GitError(int rc, std::string_view context) {
  const git_error* e = git_error_last();
  std::string detail = (e != nullptr && e->message != nullptr)
                           ? std::string(e->message)
                           : "libgit2 error " + std::to_string(rc);
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == '.')) detail.pop_back();
  Code code;
  switch (rc) {
    case GIT_ENOTFOUND:
    case GIT_EUNBORNBRANCH:
      code = Code::kResourceDoesNotExist;
      break;
    case GIT_EAMBIGUOUS:
    case GIT_EINVALIDSPEC:
    case GIT_EINVALID:
    case GIT_EPEEL:
    case GIT_EDIRECTORY:
      code = Code::kInvalidParameterValue;
      break;
    case GIT_EOWNER:
      code = Code::kPermissionDenied;
      break;
    case GIT_ELOCKED:
      code = Code::kTemporarilyUnavailable;
      break;
    default:
      code = (e != nullptr && e->klass == GIT_ERROR_OS) ? Code::kIoError : Code::kInternalError;
      break;
  }
  return Status(code, std::string(context) + ": " + detail);
}

std::string OidHex(const git_oid* id) {
  char buf[GIT_OID_HEXSZ];
  git_oid_fmt(buf, id);
  return std::string(buf, GIT_OID_HEXSZ);
}

/// Drops the trailing '/' libgit2 puts on directory paths ("/a/b/" -> "/a/b"; "/" stays).
std::string WithoutTrailingSlash(const char* path) {
  std::string s = path == nullptr ? std::string() : std::string(path);
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

/// Revisions are passed to C as NUL-terminated strings: reject what would be cut short.
Status CheckRevisionText(std::string_view revision) {
  if (revision.empty()) return Status::InvalidArgument("git: empty revision");
  if (revision.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("git: revision contains a NUL byte");
  }
  return Status::Ok();
}

std::string_view TypeNoun(git_object_t type) {
  switch (type) {
    case GIT_OBJECT_COMMIT:
      return "a commit";
    case GIT_OBJECT_TREE:
      return "a tree";
    case GIT_OBJECT_BLOB:
      return "a blob";
    case GIT_OBJECT_TAG:
      return "a tag";
    default:
      return "an object of unknown type";
  }
}

}  // namespace

bool IsGitZeroSha(std::string_view sha) { return sha == kGitZeroSha; }

std::string_view GitChangeKindName(GitChangeKind kind) {
  switch (kind) {
    case GitChangeKind::kAdded:
      return "added";
    case GitChangeKind::kDeleted:
      return "deleted";
    case GitChangeKind::kModified:
      return "modified";
    case GitChangeKind::kRenamed:
      return "renamed";
    case GitChangeKind::kCopied:
      return "copied";
    case GitChangeKind::kTypeChanged:
      return "type-changed";
  }
  return "unknown";
}

// Every libgit2 call on `repo` happens with `mu` held, from whichever thread asks.
struct GitRepo::Impl {
  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    repo.reset();  // before the shutdown that may tear libgit2 down
    if (initialized) git_libgit2_shutdown();
  }

  /// The object `revision` names, unpeeled. NotFound / InvalidArgument naming it.
  Result<ObjectPtr> RevParse(std::string_view revision) const {
    CAIRN_RETURN_IF_ERROR(CheckRevisionText(revision));
    const std::string spec(revision);
    git_object* raw = nullptr;
    int rc = git_revparse_single(&raw, repo.get(), spec.c_str());
    // libgit2 takes a hex string too short to be a sha prefix ("abc") for one, and calls it
    // ambiguous when no ref has that name; git calls it unknown.
    if (rc == GIT_EAMBIGUOUS && revision.size() < GIT_OID_MINPREFIXLEN &&
        revision.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos) {
      return Status::NotFound("git: unknown revision " + Quote(revision) + " in " + Quote(where) +
                              ": no ref has that name");
    }
    if (rc < 0) {
      return GitError(
          rc, std::string(rc == GIT_ENOTFOUND ? "git: unknown revision " : "git: revision ") +
                  Quote(revision) + " in " + Quote(where));
    }
    return ObjectPtr(raw);
  }

  /// `revision` peeled to an object of `type` (a commit or a tree).
  Result<ObjectPtr> Peeled(std::string_view revision, git_object_t type) const {
    CAIRN_ASSIGN_OR_RETURN(ObjectPtr object, RevParse(revision));
    git_object* raw = nullptr;
    int rc = git_object_peel(&raw, object.get(), type);
    if (rc == GIT_EINVALIDSPEC || rc == GIT_EPEEL) {
      // Name what the revision is instead: a tag of a blob is "a blob".
      git_object_t found = git_object_type(object.get());
      if (found == GIT_OBJECT_TAG) {
        found = git_tag_target_type(reinterpret_cast<const git_tag*>(object.get()));
      }
      return Status::InvalidArgument("git: revision " + Quote(revision) + " in " + Quote(where) +
                                     " names " + std::string(TypeNoun(found)) + ", not " +
                                     std::string(TypeNoun(type)));
    }
    if (rc < 0) {
      return GitError(rc, "git: peeling revision " + Quote(revision) + " in " + Quote(where));
    }
    return ObjectPtr(raw);
  }

  /// The tree of `revision` for a diff: null for kGitZeroSha (the empty tree).
  Result<ObjectPtr> DiffSide(std::string_view revision) const {
    if (IsGitZeroSha(revision)) return ObjectPtr();
    return Peeled(revision, GIT_OBJECT_TREE);
  }

  /// The tree-to-tree diff of `from` and `to`, without rename detection.
  Result<DiffPtr> TreeDiff(std::string_view from, std::string_view to) const {
    CAIRN_ASSIGN_OR_RETURN(ObjectPtr old_tree, DiffSide(from));
    CAIRN_ASSIGN_OR_RETURN(ObjectPtr new_tree, DiffSide(to));
    git_diff_options options;
    git_diff_options_init(&options, GIT_DIFF_OPTIONS_VERSION);
    options.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
    git_diff* raw = nullptr;
    int rc = git_diff_tree_to_tree(&raw, repo.get(), reinterpret_cast<git_tree*>(old_tree.get()),
                                   reinterpret_cast<git_tree*>(new_tree.get()), &options);
    if (rc < 0) {
      return GitError(rc,
                      "git: diffing " + Quote(from) + " and " + Quote(to) + " in " + Quote(where));
    }
    return DiffPtr(raw);
  }

  bool initialized = false;  // this Impl holds one reference to libgit2's global state
  RepositoryPtr repo;
  std::string where;  // the repository's path, for messages
  mutable std::mutex mu;
};

GitRepo::GitRepo(std::unique_ptr<Impl> impl, std::string work_tree, std::string git_dir)
    : impl_(std::move(impl)), work_tree_(std::move(work_tree)), git_dir_(std::move(git_dir)) {}

GitRepo::~GitRepo() = default;

Result<std::unique_ptr<GitRepo>> GitRepo::Open(std::string_view path) {
  if (path.empty()) return Status::InvalidArgument("git: opening a repository: empty path");
  if (path.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("git: opening a repository: path contains a NUL byte");
  }
  auto impl = std::make_unique<Impl>();
  int rc = git_libgit2_init();
  if (rc < 0) return GitError(rc, "git: initializing libgit2");
  impl->initialized = true;

  const std::string start(path);
  git_repository* raw = nullptr;
  // Flags 0: search upward from `start`, stop at a file system boundary, ignore GIT_DIR.
  rc = git_repository_open_ext(&raw, start.c_str(), 0, nullptr);
  if (rc < 0) {
    if (rc == GIT_ENOTFOUND) {
      return Status::NotFound("git: not a git repository (nor any of its parents): " + Quote(path));
    }
    return GitError(rc, "git: opening the repository at " + Quote(path));
  }
  impl->repo.reset(raw);
  std::string work_tree = WithoutTrailingSlash(git_repository_workdir(raw));
  std::string git_dir = WithoutTrailingSlash(git_repository_path(raw));
  impl->where = work_tree.empty() ? git_dir : work_tree;
  return std::unique_ptr<GitRepo>(
      new GitRepo(std::move(impl), std::move(work_tree), std::move(git_dir)));
}

Result<std::string> GitRepo::ResolveCommit(std::string_view revision) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  CAIRN_ASSIGN_OR_RETURN(ObjectPtr commit, impl_->Peeled(revision, GIT_OBJECT_COMMIT));
  return OidHex(git_object_id(commit.get()));
}

Result<GitHead> GitRepo::Head() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  git_repository* repo = impl_->repo.get();
  const std::string context = "git: reading HEAD of " + Quote(impl_->where);
  git_reference* raw = nullptr;
  int rc = git_reference_lookup(&raw, repo, "HEAD");
  if (rc < 0) return GitError(rc, context);
  ReferencePtr head(raw);

  GitHead result;
  const git_reference* direct = head.get();
  ReferencePtr resolved;
  if (git_reference_type(head.get()) == GIT_REFERENCE_SYMBOLIC) {
    result.ref = git_reference_symbolic_target(head.get());
    constexpr std::string_view kHeads = "refs/heads/";
    result.branch = result.ref.starts_with(kHeads) ? result.ref.substr(kHeads.size()) : result.ref;
    rc = git_reference_resolve(&raw, head.get());
    if (rc == GIT_ENOTFOUND) return result;  // unborn: the branch has no commit yet
    if (rc < 0) return GitError(rc, context);
    resolved.reset(raw);
    direct = resolved.get();
  }
  git_object* commit = nullptr;
  rc = git_reference_peel(&commit, direct, GIT_OBJECT_COMMIT);
  if (rc < 0) return GitError(rc, context);
  ObjectPtr owned(commit);
  result.sha = OidHex(git_object_id(commit));
  return result;
}

Result<std::string> GitRepo::ReadFileAt(std::string_view revision, std::string_view path) const {
  const std::string what =
      Quote(path) + " at revision " + Quote(revision) + " in " + Quote(impl_->where);
  if (path.empty() || path.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("git: reading " + what + ": not a valid path");
  }
  if (core::IsAbsolutePath(path)) {
    return Status::InvalidArgument("git: reading " + what +
                                   ": the path must be relative to the repository's root");
  }
  const std::string normal = core::NormalizePath(path);
  if (normal == ".." || normal.starts_with("../")) {
    return Status::InvalidArgument("git: reading " + what + ": the path leaves the repository");
  }
  if (normal == ".") {
    return Status::InvalidArgument("git: reading " + what + ": the path is a directory");
  }

  std::lock_guard<std::mutex> lock(impl_->mu);
  CAIRN_ASSIGN_OR_RETURN(ObjectPtr tree, impl_->Peeled(revision, GIT_OBJECT_TREE));
  git_tree_entry* raw_entry = nullptr;
  int rc = git_tree_entry_bypath(&raw_entry, reinterpret_cast<const git_tree*>(tree.get()),
                                 normal.c_str());
  if (rc == GIT_ENOTFOUND) {
    return Status::NotFound("git: " + Quote(path) + " does not exist at revision " +
                            Quote(revision) + " in " + Quote(impl_->where));
  }
  if (rc < 0) return GitError(rc, "git: reading " + what);
  TreeEntryPtr entry(raw_entry);
  switch (git_tree_entry_type(entry.get())) {
    case GIT_OBJECT_BLOB:
      break;
    case GIT_OBJECT_TREE:
      return Status::InvalidArgument("git: reading " + what + ": the path is a directory");
    case GIT_OBJECT_COMMIT:
      return Status::InvalidArgument("git: reading " + what + ": the path is a submodule");
    default:
      return Status::Corruption("git: reading " + what + ": unexpected tree entry type");
  }
  git_blob* raw_blob = nullptr;
  rc = git_blob_lookup(&raw_blob, impl_->repo.get(), git_tree_entry_id(entry.get()));
  if (rc < 0) return GitError(rc, "git: reading " + what);
  BlobPtr blob(raw_blob);
  const void* data = git_blob_rawcontent(blob.get());
  const auto size = static_cast<size_t>(git_blob_rawsize(blob.get()));
  return size == 0 ? std::string() : std::string(static_cast<const char*>(data), size);
}

Result<std::vector<std::string>> GitRepo::ChangedPaths(std::string_view from,
                                                       std::string_view to) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  // Without rename detection a rename is a deletion plus an addition: both paths, as wanted.
  CAIRN_ASSIGN_OR_RETURN(DiffPtr diff, impl_->TreeDiff(from, to));
  std::vector<std::string> paths;
  const size_t n = git_diff_num_deltas(diff.get());
  paths.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
    if (delta == nullptr || delta->status == GIT_DELTA_UNMODIFIED) continue;
    if (delta->old_file.path != nullptr) paths.emplace_back(delta->old_file.path);
    if (delta->new_file.path != nullptr) paths.emplace_back(delta->new_file.path);
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  return paths;
}

Result<std::vector<GitChange>> GitRepo::Diff(std::string_view from, std::string_view to) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  CAIRN_ASSIGN_OR_RETURN(DiffPtr diff, impl_->TreeDiff(from, to));
  git_diff_find_options find;
  git_diff_find_options_init(&find, GIT_DIFF_FIND_OPTIONS_VERSION);
  find.flags = GIT_DIFF_FIND_RENAMES | GIT_DIFF_FIND_COPIES;
  int rc = git_diff_find_similar(diff.get(), &find);
  if (rc < 0) {
    return GitError(rc, "git: finding renames between " + Quote(from) + " and " + Quote(to) +
                            " in " + Quote(impl_->where));
  }
  std::vector<GitChange> changes;
  const size_t n = git_diff_num_deltas(diff.get());
  changes.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
    if (delta == nullptr) continue;
    GitChange change;
    switch (delta->status) {
      case GIT_DELTA_UNMODIFIED:
        continue;
      case GIT_DELTA_ADDED:
        change.kind = GitChangeKind::kAdded;
        break;
      case GIT_DELTA_DELETED:
        change.kind = GitChangeKind::kDeleted;
        break;
      case GIT_DELTA_RENAMED:
        change.kind = GitChangeKind::kRenamed;
        break;
      case GIT_DELTA_COPIED:
        change.kind = GitChangeKind::kCopied;
        break;
      case GIT_DELTA_TYPECHANGE:
        change.kind = GitChangeKind::kTypeChanged;
        break;
      default:  // MODIFIED; the work-tree-only kinds never appear between two trees
        change.kind = GitChangeKind::kModified;
        break;
    }
    const char* old_path = delta->old_file.path != nullptr ? delta->old_file.path : "";
    const char* new_path = delta->new_file.path != nullptr ? delta->new_file.path : old_path;
    change.old_path = *old_path != '\0' ? old_path : new_path;
    change.new_path = new_path;
    changes.push_back(std::move(change));
  }
  std::sort(changes.begin(), changes.end(), [](const GitChange& a, const GitChange& b) {
    return std::tie(a.new_path, a.old_path) < std::tie(b.new_path, b.old_path);
  });
  return changes;
}

Result<std::string> GitRepo::MergeBase(std::string_view a, std::string_view b) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  CAIRN_ASSIGN_OR_RETURN(ObjectPtr commit_a, impl_->Peeled(a, GIT_OBJECT_COMMIT));
  CAIRN_ASSIGN_OR_RETURN(ObjectPtr commit_b, impl_->Peeled(b, GIT_OBJECT_COMMIT));
  git_oid base;
  int rc = git_merge_base(&base, impl_->repo.get(), git_object_id(commit_a.get()),
                          git_object_id(commit_b.get()));
  if (rc == GIT_ENOTFOUND) {
    return Status::NotFound("git: no merge base of " + Quote(a) + " and " + Quote(b) + " in " +
                            Quote(impl_->where) + ": their histories are unrelated");
  }
  if (rc < 0) {
    return GitError(
        rc, "git: merge base of " + Quote(a) + " and " + Quote(b) + " in " + Quote(impl_->where));
  }
  return OidHex(&base);
}

Result<std::string> GitRepo::CreateMergeCommit(std::string_view base, std::string_view head,
                                               std::string_view message) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  git_repository* repo = impl_->repo.get();
  CAIRN_ASSIGN_OR_RETURN(ObjectPtr base_commit, impl_->Peeled(base, GIT_OBJECT_COMMIT));
  CAIRN_ASSIGN_OR_RETURN(ObjectPtr head_commit, impl_->Peeled(head, GIT_OBJECT_COMMIT));
  const auto* ours = reinterpret_cast<const git_commit*>(base_commit.get());
  const auto* theirs = reinterpret_cast<const git_commit*>(head_commit.get());
  const std::string what =
      "git: merging " + Quote(head) + " into " + Quote(base) + " in " + Quote(impl_->where);
  git_merge_options options;
  git_merge_options_init(&options, GIT_MERGE_OPTIONS_VERSION);
  git_index* raw_index = nullptr;
  int rc = git_merge_commits(&raw_index, repo, ours, theirs, &options);
  if (rc < 0) return GitError(rc, what);
  IndexPtr index(raw_index);
  if (git_index_has_conflicts(index.get())) {
    std::vector<std::string> paths;
    git_index_conflict_iterator* raw_it = nullptr;
    if (git_index_conflict_iterator_new(&raw_it, index.get()) == 0) {
      IndexConflictIteratorPtr it(raw_it);
      const git_index_entry *ancestor = nullptr, *our = nullptr, *their = nullptr;
      while (git_index_conflict_next(&ancestor, &our, &their, it.get()) == 0) {
        const git_index_entry* e = our != nullptr ? our : their != nullptr ? their : ancestor;
        if (e != nullptr) paths.emplace_back(e->path);
      }
    }
    std::string list;
    for (const std::string& p : paths) list += (list.empty() ? "" : ", ") + p;
    return Status(Code::kResourceConflict,
                  what + ": the merge has conflicts in " + list +
                      " (GitHub would not create a merge commit for this pull request)");
  }
  git_oid tree_id;
  rc = git_index_write_tree_to(&tree_id, index.get(), repo);
  if (rc < 0) return GitError(rc, what + ": writing the merged tree");
  git_tree* raw_tree = nullptr;
  rc = git_tree_lookup(&raw_tree, repo, &tree_id);
  if (rc < 0) return GitError(rc, what + ": reading the merged tree");
  TreePtr tree(raw_tree);
  const git_signature* head_committer = git_commit_committer(theirs);
  git_signature* raw_sig = nullptr;
  rc = git_signature_new(&raw_sig, "GitHub", "noreply@github.com", head_committer->when.time, 0);
  if (rc < 0) return GitError(rc, what + ": making the signature");
  SignaturePtr sig(raw_sig);
  const git_commit* parents[2] = {ours, theirs};
  const std::string text(message);
  git_oid commit_id;
  rc = git_commit_create(&commit_id, repo, nullptr, sig.get(), sig.get(), nullptr, text.c_str(),
                         tree.get(), 2, parents);
  if (rc < 0) return GitError(rc, what + ": writing the merge commit");
  return OidHex(&commit_id);
}

}  // namespace cairn::sys
