// github_context: the contexts an event fixes before anything runs: `github` (event_name, ref,
// sha, ref_name, ref_type, head_ref, base_ref, event, repository, actor, ...) and `inputs`
// (workflow_dispatch inputs typed as their spec says, with defaults), as GitHub builds them.
// `cairn workflow explain` decides conditions with them; the runner adds the run's fields
// (run_id, job, workspace, ...) on top.
//
// Pure functions over values: thread-safe.
#pragma once

#include <string>

#include "core/result.h"
#include "expr/expr.h"
#include "workflow/event.h"
#include "workflow/trigger.h"

namespace cairn::workflow {

/// What the event does not say.
struct GithubContextOptions {
  std::string repository;  // "owner/name"; default the payload's repository.full_name
  std::string actor;       // default $USER, else "cairn"
  std::string workflow;    // the workflow's name (or file)
  std::string workspace;   // the job's workspace directory
};

/// The `github` context of `event`.
expr::Value GithubContext(const Event& event, const GithubContextOptions& options);

/// The `inputs` context: each workflow_dispatch input of `triggers` with the value given in
/// `event` (else its default), converted to its type (boolean, number; others strings).
/// INVALID_PARAMETER_VALUE naming the input for a missing required input, an unknown input, a
/// boolean that is not true/false, a number that does not parse, or a choice not in options.
core::Result<expr::Value> InputsContext(const Triggers& triggers, const Event& event);

/// github, inputs and an empty vars, ready for expr evaluation.
core::Result<expr::Contexts> EventContexts(const Triggers& triggers, const Event& event,
                                           const GithubContextOptions& options);

}  // namespace cairn::workflow
