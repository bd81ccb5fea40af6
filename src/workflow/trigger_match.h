// trigger_match: whether a workflow's `on:` triggers for a simulated event, and why, with
// GitHub's rules: branch/tag filters on the pushed ref (only `branches*` given: tags do not
// trigger, and the reverse), pull_request `branches*` on the base branch, `types` (default
// opened, synchronize, reopened), `paths` (one matching changed path suffices) and
// `paths-ignore` (skips only when every changed path is ignored), ref and path filters both
// required, paths not evaluated for tag pushes; schedule, workflow_dispatch and the other events
// trigger when present (and their `types` include the event's action, when both are known).
//
// Match is a pure function: safe from any thread.
#pragma once

#include <string>
#include <vector>

#include "workflow/event.h"
#include "workflow/trigger.h"

namespace cairn::workflow {

struct TriggerDecision {
  bool runs = false;
  /// One line per rule checked, in order, e.g. "push: branch 'main' matches 'main'",
  /// "push: no changed path matches paths (changed: README.md)".
  std::vector<std::string> reasons;
};

/// Whether `triggers` run for `event`, and why.
TriggerDecision Match(const Triggers& triggers, const Event& event);

}  // namespace cairn::workflow
