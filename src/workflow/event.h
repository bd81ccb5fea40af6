// event: the event a local run simulates (push, pull_request, workflow_dispatch, ...), built
// from command-line style options and the git repository: its GITHUB_REF and GITHUB_SHA, a
// payload shaped like GitHub's (github.event), and the paths it changed (for `paths:` filters).
//
// BuildEvent reads the repository (sys::GitRepo) and, for pull requests, writes one object: the
// merge commit of head into base (refs/pull/<n>/merge's commit), without moving any ref. An
// Event is a plain value: copy it freely, share a const one between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/value.h"

namespace cairn::workflow {

/// What the user asked for (`cairn workflow run --event pull_request --base main ...`).
/// Empty fields take their defaults.
struct EventOptions {
  std::string name = "push";        // the event name
  std::string ref;                  // --ref: "refs/heads/B", "refs/tags/T", or a branch/tag name
  std::string sha;                  // --sha: any revision; default the ref's commit
  std::string before;               // --before (push): default the first parent of sha
  std::string base;                 // --base B (pull_request): default main, else master
  std::string head;                 // --head H (pull_request): default the current branch
  int64_t number = 0;               // --number N (pull_request): default 1
  std::string action;               // --type: payload.action (pull_request: default synchronize)
  std::vector<std::string> inputs;  // --input k=v (workflow_dispatch), in order
  std::string event_path;           // --event-path FILE: a full JSON payload
  /// --changed-files: when given, these are the changed paths and git is not asked.
  std::vector<std::string> changed_files;
  bool changed_files_given = false;
};

/// The simulated event.
struct Event {
  std::string name;      // "push", "pull_request", ...
  core::Value payload;   // github.event: a mapping
  std::string ref;       // GITHUB_REF: "refs/heads/main", "refs/tags/v1", "refs/pull/7/merge"
  std::string sha;       // GITHUB_SHA
  std::string before;    // push: the previous tip (kGitZeroSha for a new branch or tag)
  std::string base_ref;  // pull_request*: the base branch name ("main"); else ""
  std::string head_ref;  // pull_request*: the head branch name; else ""
  std::string base_sha;  // pull_request*: the base branch's commit; "" when unknown
  std::string head_sha;  // pull_request*: the head branch's commit; "" when unknown
  int64_t number = 0;    // pull_request*: the PR number
  std::string action;    // payload.action ("synchronize", "opened"...); "" when none
  /// workflow_dispatch inputs as given (strings), in order.
  std::vector<std::pair<std::string, std::string>> inputs;
  /// The repo-relative paths the event changed, sorted; meaningful when changed_paths_known.
  std::vector<std::string> changed_paths;
  bool changed_paths_known = false;
  /// Where changed_paths came from, for `explain`: "git diff a1b2c3d..e4f5a6b (push)",
  /// "every file of e4f5a6b (a new branch or a root commit)", "git diff merge-base(main,
  /// feature)..feature (pull request)", "--changed-files", or why they are unknown.
  std::string changed_paths_from;

  /// "refs/heads/x" → true.
  bool IsBranch() const;
  /// "refs/tags/x" → true.
  bool IsTag() const;
  /// The ref without refs/heads/ or refs/tags/ ("main", "v1.0"); the ref itself otherwise.
  std::string RefName() const;
};

/// Builds the event `options` describe, in the git repository containing `repo_path`.
/// Errors name the option and what was expected (an unknown --base branch, a --input without
/// '=', an --event-path that is not a JSON object, a pull request whose merge conflicts...).
core::Result<Event> BuildEvent(const EventOptions& options, std::string_view repo_path);

}  // namespace cairn::workflow
