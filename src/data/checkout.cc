// `dvc checkout`: the workspace made to match the stage files, from the cache.
//
// Two passes: first every output is compared with the workspace and the work planned, so a
// change that would be lost (its content is not in the cache) stops the command before
// anything is touched; then the plan is carried out.
#include <fmt/format.h>

#include <map>
#include <mutex>

#include "core/path.h"
#include "data/ops.h"
#include "data/workspace.h"

namespace cairn::data {
namespace {

core::Status WouldLoseData(std::string_view path) {
  return core::Status(
      core::Code::kInvalidState,
      fmt::format("checkout would overwrite '{}', whose current content is not in the cache\n"
                  "hint: `add` or `commit` it first to keep it, or use -f to discard it",
                  path));
}

// What checking out one output takes.
struct OutPlan {
  const TrackedOut* out = nullptr;
  bool existed = false;             // something was at the path
  bool remove_first = false;        // a directory where a file goes, or the reverse
  bool whole = false;               // a single file, or a directory made from nothing
  std::vector<TreeEntry> restore;   // directory files to (re)write
  size_t replaced = 0;              // of `restore`, those that existed
  std::vector<std::string> remove;  // directory files to delete (relative to the output)
};

class Planner {
 public:
  Planner(Repo& repo, bool force)
      : repo_(repo), force_(force), hasher_(repo.env(), repo.state(), repo.pool(), repo.root()) {}

  // Adds the work for `out` to `plans` (nothing when it is up to date).
  core::Status Plan(const TrackedOut& out, std::vector<OutPlan>& plans, CheckoutResult& result) {
    const Entry& e = out.entry;
    Cache& cache = repo_.cache();
    core::Result<std::vector<std::string>> objects = ObjectsOf(repo_, e);
    bool complete = objects.ok();
    for (size_t i = 0; complete && i < objects->size(); ++i) {
      complete = cache.Has((*objects)[i], e.legacy);
    }
    if (!complete) {
      result.failed.push_back(out.path);
      return core::Status::Ok();
    }
    HashOptions options;
    options.legacy = e.legacy;
    options.need_tree = true;
    CAIRN_ASSIGN_OR_RETURN(std::optional<PathHash> now, hasher_.Hash(out.path, options));
    if (now && now->md5 == e.md5) return core::Status::Ok();

    OutPlan plan;
    plan.out = &out;
    plan.existed = now.has_value();
    auto keep = [&](std::string_view md5, const std::string& path) -> core::Status {
      if (force_ || cache.Has(md5, e.legacy)) return core::Status::Ok();
      return WouldLoseData(repo_.Display(path));
    };
    if (!e.is_dir() || !now || !now->is_dir) {
      if (now && !now->is_dir) CAIRN_RETURN_IF_ERROR(keep(now->md5, out.path));
      if (now && now->is_dir) {
        for (const TreeEntry& t : now->tree.entries) {
          CAIRN_RETURN_IF_ERROR(keep(t.md5, out.path + "/" + t.relpath));
        }
      }
      plan.remove_first = now && now->is_dir != e.is_dir();
      plan.whole = true;
      if (e.is_dir()) {
        CAIRN_ASSIGN_OR_RETURN(plan.restore, TreeOf(e));
      }
      plans.push_back(std::move(plan));
      return core::Status::Ok();
    }
    // A directory over a directory: restore what differs, remove what the tree lacks.
    CAIRN_ASSIGN_OR_RETURN(std::vector<TreeEntry> wanted, TreeOf(e));
    std::map<std::string_view, std::string_view> have;  // workspace relpath -> md5
    for (const TreeEntry& t : now->tree.entries) have[t.relpath] = t.md5;
    for (const TreeEntry& t : wanted) {
      auto it = have.find(t.relpath);
      if (it == have.end() || it->second != t.md5) {
        if (it != have.end()) {
          CAIRN_RETURN_IF_ERROR(keep(it->second, out.path + "/" + t.relpath));
          ++plan.replaced;
        }
        plan.restore.push_back(t);
      }
      if (it != have.end()) have.erase(it);
    }
    for (const auto& [relpath, md5] : have) {
      CAIRN_RETURN_IF_ERROR(keep(md5, out.path + "/" + std::string(relpath)));
      plan.remove.emplace_back(relpath);
    }
    plans.push_back(std::move(plan));
    return core::Status::Ok();
  }

 private:
  core::Result<std::vector<TreeEntry>> TreeOf(const Entry& e) {
    CAIRN_ASSIGN_OR_RETURN(std::string bytes, repo_.cache().Read(e.md5, e.legacy));
    CAIRN_ASSIGN_OR_RETURN(Tree tree, ParseTree(bytes, repo_.cache().ObjectPath(e.md5, e.legacy)));
    return std::move(tree.entries);
  }

  Repo& repo_;
  bool force_;
  WorkspaceHasher hasher_;
};

core::Status Apply(Repo& repo, const OutPlan& plan) {
  const TrackedOut& out = *plan.out;
  const Entry& e = out.entry;
  std::string abs = repo.Abs(out.path);
  if (plan.remove_first) CAIRN_RETURN_IF_ERROR(repo.env().RemoveAll(abs));
  if (!e.is_dir()) return repo.cache().Checkout(e.md5, e.legacy, abs, e.isexec);
  CAIRN_RETURN_IF_ERROR(repo.env().CreateDirs(abs));
  std::mutex mu;
  core::Status first_error;
  repo.pool().ParallelFor(plan.restore.size(), [&](size_t i) {
    const TreeEntry& t = plan.restore[i];
    core::Status s = repo.cache().Checkout(t.md5, e.legacy, abs + "/" + t.relpath, false);
    if (!s.ok()) {
      std::lock_guard lock(mu);
      if (first_error.ok()) first_error = s;
    }
  });
  CAIRN_RETURN_IF_ERROR(first_error);
  for (const std::string& rel : plan.remove) {
    CAIRN_RETURN_IF_ERROR(repo.env().Remove(abs + "/" + rel));
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<CheckoutResult> Checkout(Repo& repo, const std::vector<std::string>& targets,
                                      bool force) {
  CAIRN_ASSIGN_OR_RETURN(sys::FileLock lock, repo.Lock());
  CAIRN_ASSIGN_OR_RETURN(std::vector<TrackedOut> outs, CollectOuts(repo, targets));
  CheckoutResult result;
  Planner planner(repo, force);
  std::vector<OutPlan> plans;
  for (const TrackedOut& out : outs) CAIRN_RETURN_IF_ERROR(planner.Plan(out, plans, result));
  for (const OutPlan& plan : plans) {
    CAIRN_RETURN_IF_ERROR(Apply(repo, plan));
    std::string shown = plan.out->entry.is_dir() ? plan.out->path + "/" : plan.out->path;
    (plan.existed ? result.modified : result.added).push_back(std::move(shown));
    if (!plan.out->entry.is_dir()) {
      ++(plan.existed ? result.files_modified : result.files_added);
    } else {
      result.files_added += plan.restore.size() - plan.replaced;
      result.files_modified += plan.replaced;
      result.files_deleted += plan.remove.size();
    }
  }
  CAIRN_RETURN_IF_ERROR(repo.SaveState());
  return result;
}

}  // namespace cairn::data
