// lint: advice for ML pipelines written as GitHub Actions workflows (`cairn workflow check
// --lint`): the seed's "Wrong vs Right" lessons as rules. A warning never makes a workflow
// invalid; GitHub would run it as written.
//
//   timeout              a job has no timeout-minutes (GitHub's default is 6 hours)
//   push-paths           a training workflow's `push:` has no paths filter
//   data-pull            a job trains with no data pull before it
//   register-gate        a step registers a model with no metric check or gate before it
//   register-condition   a step registers a model or pushes to git without an `if:` limiting
//                        it to a push on the default branch
//   secrets-environment  a job reads secrets.* (other than GITHUB_TOKEN) without environment:
//   setup-python-cache   actions/setup-python without `cache:`
//   secret-echo          a run: prints a secret to the log (echo ${{ secrets.X }})
//
// What counts as training, pulling data, registering or a gate is decided from the text of
// `run:` and `uses:` (see the heuristics at the top of lint.cc). Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"
#include "workflow/model.h"

namespace cairn::workflow {

struct LintWarning {
  std::string rule;         // "timeout", "push-paths", ...
  core::Location location;  // of the key or step it is about
  std::string message;
  std::string fix;

  /// "file:line:col: warning: message [rule]\n  fix: fix" (no trailing newline).
  std::string ToString() const;
};

/// Every rule's warnings, sorted by location (line, then column), then in the order of the
/// rules above.
std::vector<LintWarning> Lint(const Workflow& workflow);

/// The rule ids, in order.
const std::vector<std::string_view>& LintRules();

}  // namespace cairn::workflow
