// GITHUB_TOKEN permissions across reusable-workflow calls: a called workflow, and each of its
// jobs, may not ask for more than the calling job has.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/strings.h"
#include "workflow/build.h"

namespace cairn::workflow {
namespace {

enum class Level { kNone = 0, kRead = 1, kWrite = 2 };

// The scopes read-all/write-all cover, in the order GitHub lists them.
const std::vector<std::string_view>& Scopes() {
  static const std::vector<std::string_view> kScopes = {
      "actions",  "checks",          "contents", "deployments",   "discussions",
      "issues",   "packages",        "pages",    "pull-requests", "repository-projects",
      "statuses", "security-events", "id-token"};
  return kScopes;
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kRead:
      return "read";
    case Level::kWrite:
      return "write";
    default:
      return "none";
  }
}

using PermissionSet = std::map<std::string, Level, std::less<>>;

Level LevelOf(std::string_view text) {
  if (text == "write") return Level::kWrite;
  if (text == "read") return Level::kRead;
  return Level::kNone;
}

PermissionSet All(Level level) {
  PermissionSet out;
  for (std::string_view s : Scopes()) out[std::string(s)] = level;
  return out;
}

PermissionSet FromValue(const core::Value& raw) {
  if (raw.is_string()) {
    if (raw.AsString() == "write-all") return All(Level::kWrite);
    if (raw.AsString() == "read-all") return All(Level::kRead);
    return All(Level::kNone);
  }
  PermissionSet out = All(Level::kNone);
  for (const core::Member& m : raw.members()) {
    if (m.value.is_string()) out[m.key] = LevelOf(m.value.AsString());
  }
  return out;
}

Level Get(const PermissionSet& set, std::string_view scope) {
  auto it = set.find(scope);
  return it == set.end() ? Level::kNone : it->second;
}

// Scopes in GitHub's order, then any others by name.
std::vector<std::string> OrderedScopes(const PermissionSet& set) {
  std::vector<std::string> out;
  for (std::string_view s : Scopes()) out.emplace_back(s);
  for (const auto& [scope, level] : set) {
    if (std::find(out.begin(), out.end(), scope) == out.end()) out.push_back(scope);
  }
  return out;
}

// "" when `requested` fits within `allowed`; else "is requesting '...', but is only allowed
// '...'".
std::string Excess(const PermissionSet& requested, const PermissionSet& allowed) {
  std::vector<std::string> asked;
  std::vector<std::string> given;
  for (const std::string& scope : OrderedScopes(requested)) {
    Level want = Get(requested, scope);
    Level have = Get(allowed, scope);
    if (want > have) {
      asked.push_back(scope + ": " + std::string(LevelName(want)));
      given.push_back(scope + ": " + std::string(LevelName(have)));
    }
  }
  if (asked.empty()) return "";
  return "is requesting '" + core::Join(asked, ", ") + "', but is only allowed '" +
         core::Join(given, ", ") + "'.";
}

void CheckCalls(const Workflow& workflow, const PermissionSet& inherited, ErrorList* errors) {
  PermissionSet base = workflow.permissions ? FromValue(workflow.permissions->raw) : inherited;
  for (const Job& job : workflow.jobs) {
    if (!job.called || !job.uses) continue;
    PermissionSet allowed = job.permissions ? FromValue(job.permissions->raw) : base;
    const Workflow& callee = *job.called;
    const std::string prefix = "Error calling workflow '" + job.uses->text + "'. ";
    if (callee.permissions) {
      std::string excess = Excess(FromValue(callee.permissions->raw), allowed);
      if (!excess.empty()) {
        errors->Add(job.id_location, prefix + "The workflow '" + job.uses->text + "' " + excess);
      }
    }
    for (const Job& nested : callee.jobs) {
      if (!nested.permissions) continue;
      std::string excess = Excess(FromValue(nested.permissions->raw), allowed);
      if (excess.empty()) continue;
      std::string name = nested.id;
      if (nested.name && nested.name->value.is_literal() && !nested.name->value.text().empty()) {
        name = nested.name->value.text();
      }
      errors->Add(job.id_location, prefix + "The nested job '" + name + "' " + excess);
    }
    CheckCalls(callee, allowed, errors);
  }
}

}  // namespace

void CheckCallPermissions(const Workflow& workflow, const ParseOptions& options,
                          ErrorList* errors) {
  PermissionSet defaults = All(Level::kWrite);
  if (options.permissions_policy == ParseOptions::PermissionsPolicy::kLimitedRead) {
    defaults = All(Level::kNone);
    defaults["contents"] = Level::kRead;
    defaults["packages"] = Level::kRead;
  }
  CheckCalls(workflow, defaults, errors);
}

int CountJobs(const Workflow& workflow) {
  int count = 0;
  for (const Job& job : workflow.jobs) {
    ++count;
    if (job.called) count += CountJobs(*job.called);
  }
  return count;
}

}  // namespace cairn::workflow
