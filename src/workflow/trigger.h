// trigger: the model of a workflow's `on:` (which events trigger it, with their filters,
// schedules and inputs) and its parsing from the loaded YAML, with GitHub's validation.
//
// ParseTriggers accepts the three forms of `on:`: a string (`on: push`), a sequence of event
// names (`on: [push, pull_request]`) and a mapping of event name to configuration (null: no
// configuration). Events keep the order written. Every error is InvalidArgument
// "<file>:<line>:<col>: <what was expected>" at the offending node.
//
// The structs are plain values: copy them freely; a const Triggers may be shared between
// threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/value.h"
#include "workflow/cron.h"
#include "workflow/glob.h"

namespace cairn::workflow {

/// A filter key that was written (`branches:`, `paths-ignore:`...): its compiled patterns and
/// where the key is.
struct FilterPatterns {
  core::Location location;  // of the key
  PatternList patterns;
};

/// `on.push`. At most one of branches/branches_ignore is set (same for tags, paths).
struct PushTrigger {
  std::optional<FilterPatterns> branches;
  std::optional<FilterPatterns> branches_ignore;
  std::optional<FilterPatterns> tags;
  std::optional<FilterPatterns> tags_ignore;
  std::optional<FilterPatterns> paths;
  std::optional<FilterPatterns> paths_ignore;
};

/// `on.pull_request` and `on.pull_request_target`. `branches*` filter the base branch.
struct PullRequestTrigger {
  std::optional<FilterPatterns> branches;
  std::optional<FilterPatterns> branches_ignore;
  std::optional<FilterPatterns> paths;
  std::optional<FilterPatterns> paths_ignore;
  /// `types:` as written (a single string becomes one element); empty when not written, which
  /// means GitHub's default: opened, synchronize, reopened (see EffectiveTypes()).
  std::vector<std::string> types;
  core::Location types_location;  // of the `types` key; unknown when not written

  /// `types`, or the default {"opened", "synchronize", "reopened"} when not written.
  std::vector<std::string> EffectiveTypes() const;
};

/// One `on.schedule[*]` entry.
struct CronEntry {
  std::string text;         // the `cron:` string as written
  core::Location location;  // of the `cron:` value
  CronSchedule schedule;    // parsed
  std::string timezone;     // `timezone:` when written (IANA name, not validated); else ""
};

/// The `type:` of a workflow_dispatch or workflow_call input.
enum class InputType { kString, kChoice, kBoolean, kNumber, kEnvironment };

/// "string", "choice", "boolean", "number", "environment".
std::string_view InputTypeName(InputType type);

/// One input of workflow_dispatch (`on.workflow_dispatch.inputs.<id>`) or workflow_call.
struct InputSpec {
  std::string id;
  core::Location location;  // of the id key
  std::string description;
  bool required = false;
  /// `default:` as written (a boolean input's `default: true` stays a boolean); nullopt when
  /// not written.
  std::optional<core::Value> default_value;
  InputType type = InputType::kString;  // workflow_dispatch: string when `type` is omitted
  /// `options:` of a choice input, in order; empty for other types.
  std::vector<std::string> options;
};

/// `on.workflow_dispatch`.
struct DispatchTrigger {
  std::vector<InputSpec> inputs;  // in the order written
};

/// One `on.workflow_call.secrets.<id>`.
struct SecretSpec {
  std::string id;
  core::Location location;  // of the id key
  std::string description;
  bool required = false;
};

/// One `on.workflow_call.outputs.<id>`.
struct OutputSpec {
  std::string id;
  core::Location location;  // of the id key
  std::string description;
  std::string value;              // the `value:` text as written (an expression, unchecked)
  core::Location value_location;  // of the `value:` node
};

/// `on.workflow_call`. Inputs' types are string, number or boolean (required by GitHub).
struct CallTrigger {
  std::vector<InputSpec> inputs;
  std::vector<SecretSpec> secrets;
  std::vector<OutputSpec> outputs;
};

/// One event of `on:`. The optional matching `name` is set; the others are empty. Other
/// events (issues, release, workflow_run, ...) have only `name`, `location` and `config`.
struct EventTrigger {
  std::string name;         // "push", "pull_request", "schedule", ...
  core::Location location;  // of the event name (the key, or the string in the other forms)
  core::Value config;       // the event's value as written; null when none

  std::optional<PushTrigger> push;                 // name == "push"
  std::optional<PullRequestTrigger> pull_request;  // "pull_request" or "pull_request_target"
  std::vector<CronEntry> schedule;                 // "schedule"
  std::optional<DispatchTrigger> workflow_dispatch;
  std::optional<CallTrigger> workflow_call;
};

/// The whole `on:`.
struct Triggers {
  core::Location location;           // of the `on:` value
  std::vector<EventTrigger> events;  // in the order written; names are unique

  /// The event named `name`, or null.
  const EventTrigger* Find(std::string_view name) const;
  bool Has(std::string_view name) const { return Find(name) != nullptr; }
};

/// The event names GitHub's schema allows under `on:` (workflow-v1.0.json), sorted.
const std::vector<std::string_view>& KnownEventNames();

/// Parses the value of `on:` (see the file comment). Errors: an unknown event name, a key an
/// event does not take, `branches` with `branches-ignore` (same for tags, paths), a pattern
/// list of only `!` patterns, a bad pattern, a bad cron, a workflow_dispatch input of an
/// unknown type, a choice input without options or with a default not among them, a
/// workflow_call input without a type; each names the node and what was expected.
core::Result<Triggers> ParseTriggers(const core::Value& on);

}  // namespace cairn::workflow
