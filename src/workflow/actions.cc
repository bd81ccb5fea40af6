// ResolveAction: which Action a `uses:` step runs (built-in by owner/repo, local by path), and
// the error for every other `uses:`. Stateless; thread-safe.
#include "workflow/actions.h"

#include <string>

#include "core/strings.h"
#include "workflow/action_support.h"

namespace cairn::workflow {
namespace {

constexpr std::string_view kBuiltins =
    "actions/checkout, actions/setup-python, actions/cache (and actions/cache/restore, "
    "actions/cache/save), actions/upload-artifact, actions/download-artifact";

core::Status Unsupported(const UsesRef& uses, std::string_view why) {
  std::string name = uses.kind == UsesRef::Kind::kRepository ? uses.owner + "/" + uses.repo
                                                             : std::string("my-action");
  size_t slash = name.rfind('/');
  std::string short_name = slash == std::string::npos ? name : name.substr(slash + 1);
  return uses.location.Error(
      "'uses: " + uses.text + "' " + std::string(why) +
      ". cairn runs actions without network or Docker: the built-in actions are " +
      std::string(kBuiltins) + ", plus local actions (composite, node20/node24). To use " +
      "another action, vendor it: copy its repository (at the ref you use) into " +
      ".github/actions/" + short_name + " and write 'uses: ./.github/actions/" + short_name + "'");
}

}  // namespace

core::Result<std::unique_ptr<Action>> ResolveAction(const UsesRef& uses,
                                                    std::string_view workspace) {
  switch (uses.kind) {
    case UsesRef::Kind::kDocker:
      return Unsupported(uses, "is a Docker action, which cairn does not run");
    case UsesRef::Kind::kLocal:
      return LoadLocalAction(uses, workspace);
    case UsesRef::Kind::kRepository:
      break;
  }
  std::string owner = core::ToLower(uses.owner);
  std::string repo = core::ToLower(uses.repo);
  std::string path = core::ToLower(uses.path);
  if (owner == "actions") {
    if (path.empty()) {
      if (repo == "checkout") return NewCheckoutAction();
      if (repo == "setup-python") return NewSetupPythonAction();
      if (repo == "cache") return NewCacheAction(CacheMode::kRestoreAndSave);
      if (repo == "upload-artifact") return NewUploadArtifactAction();
      if (repo == "download-artifact") return NewDownloadArtifactAction();
    } else if (repo == "cache") {
      if (path == "restore") return NewCacheAction(CacheMode::kRestore);
      if (path == "save") return NewCacheAction(CacheMode::kSave);
    }
  }
  return Unsupported(uses, "is not a built-in action");
}

}  // namespace cairn::workflow
