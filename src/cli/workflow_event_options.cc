// The event options of `cairn workflow explain|run` (see workflow_event_options.h).
#include "cli/workflow_event_options.h"

#include <CLI/CLI.hpp>

namespace cairn::cli {

void AddEventOptions(CLI::App& cmd, workflow::EventOptions& o) {
  cmd.add_option("--event", o.name, "The event: push, pull_request, workflow_dispatch, ...")
      ->capture_default_str();
  cmd.add_option("--ref", o.ref,
                 "push: the ref pushed (refs/heads/B, refs/tags/T; default HEAD's)");
  cmd.add_option("--sha", o.sha, "The commit (default: the ref's)");
  cmd.add_option("--before", o.before, "push: the previous tip (default: the commit's parent)");
  cmd.add_option("--base", o.base, "pull_request: the base branch (default main, else master)");
  cmd.add_option("--head", o.head, "pull_request: the head branch (default: the current one)");
  cmd.add_option("--number", o.number, "pull_request: the number (default 1)");
  cmd.add_option("--type", o.action, "The payload's action (pull_request default: synchronize)");
  cmd.add_option("--input", o.inputs, "workflow_dispatch: an input, k=v (repeatable)")
      ->allow_extra_args(false);
  cmd.add_option("--event-path", o.event_path, "A full event payload (JSON), as GitHub writes it");
  cmd.add_option("--changed-files", o.changed_files,
                 "The changed paths, instead of asking git (comma-separated or repeated)")
      ->allow_extra_args(false)
      ->delimiter(',')
      ->each([&o](const std::string&) { o.changed_files_given = true; });
}

}  // namespace cairn::cli
