// `dvc gc --workspace`: drop the cache objects nothing in the workspace uses.
#include <fmt/format.h>

#include <set>

#include "data/ops.h"

namespace cairn::data {

core::Result<GcResult> GarbageCollect(Repo& repo) {
  CAIRN_ASSIGN_OR_RETURN(sys::FileLock lock, repo.Lock());
  CAIRN_ASSIGN_OR_RETURN(std::vector<TrackedOut> outs, CollectOuts(repo, {}));
  std::set<std::pair<std::string, bool>> used;
  for (const TrackedOut& out : outs) {
    core::Result<std::vector<std::string>> ids = ObjectsOf(repo, out.entry);
    if (!ids.ok()) {
      // Without its tree object, the files of a directory are unknown: deleting now could
      // delete them. Refuse rather than guess.
      return core::Status(
          core::Code::kInvalidState,
          fmt::format("the tree object {} of '{}' is not in the cache, so gc cannot tell which "
                      "objects it uses\nhint: `pull` or `fetch` it first",
                      out.entry.md5, out.path));
    }
    for (std::string& id : *ids) used.emplace(std::move(id), out.entry.legacy);
  }
  CAIRN_ASSIGN_OR_RETURN(size_t temporaries, repo.cache().RemoveTemporaries());
  (void)temporaries;  // leftovers of interrupted writes: never objects, never reported
  CAIRN_ASSIGN_OR_RETURN(auto objects, repo.cache().ListObjects());
  GcResult result;
  for (const auto& [id, legacy] : objects) {
    if (used.count({id, legacy}) != 0) continue;
    CAIRN_RETURN_IF_ERROR(repo.cache().Remove(id, legacy));
    ++(legacy ? result.removed_legacy : result.removed);
  }
  return result;
}

}  // namespace cairn::data
