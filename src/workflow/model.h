// workflow/model.h: the model of one workflow file, as ParseWorkflow (workflow/parse.h) builds
// it: what the file says, validated against GitHub's schema, every part with the file:line:col
// it was written at. Expressions are kept parsed (expr::Template / expr::Condition, which keep
// their text too), with the contexts their key allows, so evaluating one later cannot meet an
// unknown context.
//
// Plain value types: copyable, immutable once built, safe to share between threads as const.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/value.h"
#include "expr/expr.h"
#include "workflow/trigger.h"

namespace cairn::workflow {

/// A string-valued key that may hold `${{ }}` expressions.
struct TemplateValue {
  expr::Template value;  // value.text() is the text as written
  core::Location location;
};

/// An `if:` condition (value.text() is the rewritten text GitHub shows).
struct ConditionValue {
  expr::Condition value;
  std::string written;  // the text as written ("" when the key is absent: success())
  core::Location location;
};

/// A key that is a literal of type T or a `${{ }}` expression evaluated at run time
/// (`timeout-minutes: ${{ matrix.t }}`, `continue-on-error: ${{ matrix.experimental }}`).
template <typename T>
struct LiteralOr {
  std::variant<T, expr::Template> value;
  core::Location location;

  bool is_literal() const { return value.index() == 0; }
  const T& literal() const { return std::get<0>(value); }
  const expr::Template& expression() const { return std::get<1>(value); }
};

/// env, with, outputs: ordered id -> value (values are strings, `0` is "0").
struct NamedTemplate {
  std::string name;
  core::Location name_location;
  TemplateValue value;
};
using TemplateMap = std::vector<NamedTemplate>;

/// `defaults: run: {shell, working-directory}`.
struct RunDefaults {
  std::optional<TemplateValue> shell;
  std::optional<TemplateValue> working_directory;
};

/// `concurrency:` as a string (the group) or {group, cancel-in-progress}.
struct Concurrency {
  TemplateValue group;
  std::optional<LiteralOr<bool>> cancel_in_progress;
  core::Location location;
};

/// `environment:` as a name or {name, url}.
struct Environment {
  TemplateValue name;
  std::optional<TemplateValue> url;
  core::Location location;
};

/// `permissions:` kept as written (read-all, write-all, or scope -> read|write|none).
struct Permissions {
  core::Value raw;
};

/// What `uses:` names (a step's action, or a job's reusable workflow).
struct UsesRef {
  enum class Kind : uint8_t {
    kRepository,  // owner/repo[/path]@ref
    kLocal,       // ./path (relative to the repository root)
    kDocker,      // docker://image:tag
  };
  Kind kind = Kind::kRepository;
  std::string text;   // as written
  std::string owner;  // kRepository
  std::string repo;   // kRepository
  std::string path;   // kRepository: the part after repo ("" when none); kLocal: the path
  std::string ref;    // kRepository: after '@'
  std::string image;  // kDocker: after "docker://"
  core::Location location;
};

/// `strategy:`.
struct Strategy {
  /// `matrix:` as written: a mapping of non-empty sequences (plus include/exclude), or one
  /// `${{ }}` expression (then `matrix_expression` is set). Null when absent.
  core::Value matrix;
  std::optional<expr::Template> matrix_expression;
  std::optional<LiteralOr<bool>> fail_fast;       // default true
  std::optional<LiteralOr<double>> max_parallel;  // default unlimited
  core::Location location;
};

/// `container:` or one entry of `services:` (the parsed shape; values may hold expressions).
struct Container {
  std::string id;  // the service id; "" for the job container
  TemplateValue image;
  std::optional<TemplateValue> options;
  TemplateMap env;
  std::vector<TemplateValue> ports;
  std::vector<TemplateValue> volumes;
  std::optional<TemplateValue> username;  // credentials
  std::optional<TemplateValue> password;
  core::Value raw;  // as written
  core::Location location;
};

struct Step {
  /// The explicit id, or one generated as GitHub does ("__run", "__run_2",
  /// "__actions_checkout"); generated ids never appear in the `steps` context.
  std::string id;
  bool id_generated = false;
  core::Location id_location;
  std::optional<TemplateValue> name;
  ConditionValue if_;
  std::optional<TemplateValue> run;  // exactly one of run and uses
  std::optional<UsesRef> uses;
  TemplateMap with;
  TemplateMap env;
  std::optional<TemplateValue> shell;
  std::optional<TemplateValue> working_directory;
  std::optional<LiteralOr<bool>> continue_on_error;
  std::optional<LiteralOr<double>> timeout_minutes;
  core::Location location;  // the step's mapping
};

/// One `needs:` entry.
struct Need {
  std::string id;
  core::Location location;
};

/// `secrets:` of a job calling a reusable workflow.
struct CallerSecrets {
  bool inherit = false;
  TemplateMap values;  // when !inherit
  core::Location location;
};

/// A reusable workflow's `on.workflow_call` declarations (used to check a caller's with/secrets).
struct CallInput {
  std::string name;
  std::string type;  // "string", "number", "boolean"
  bool required = false;
  core::Value default_value;  // null when absent
  core::Location location;
};
struct CallSecret {
  std::string name;
  bool required = false;
  core::Location location;
};
struct CallOutput {
  std::string name;
  TemplateValue value;  // may use `jobs`
};
struct WorkflowCall {
  std::vector<CallInput> inputs;
  std::vector<CallSecret> secrets;
  std::vector<CallOutput> outputs;
  core::Location location;
};

struct Workflow;

struct Job {
  std::string id;
  core::Location id_location;
  std::optional<TemplateValue> name;
  std::vector<Need> needs;
  ConditionValue if_;
  /// `runs-on:` as written (string, sequence of labels, or {group, labels}); its strings may
  /// hold expressions, validated with the job's contexts. Null for a reusable-workflow caller.
  core::Value runs_on;
  std::optional<LiteralOr<double>> timeout_minutes;  // default 360
  std::optional<LiteralOr<double>> cancel_timeout_minutes;
  std::optional<Environment> environment;
  TemplateMap env;
  RunDefaults defaults;
  std::optional<Strategy> strategy;
  std::optional<LiteralOr<bool>> continue_on_error;
  TemplateMap outputs;
  std::optional<Container> container;
  std::vector<Container> services;
  std::optional<Concurrency> concurrency;
  std::optional<Permissions> permissions;
  std::vector<Step> steps;

  // A job calling a reusable workflow (`uses:` instead of `runs-on` + `steps`).
  std::optional<UsesRef> uses;
  TemplateMap with;  // values as written (strings, numbers, booleans kept as their text)
  std::optional<CallerSecrets> secrets;
  /// The called workflow, when it was loaded (local files; remote ones given in the options).
  std::shared_ptr<const Workflow> called;

  core::Location location;  // the job's mapping
  bool is_reusable_call() const { return uses.has_value(); }
};

struct Workflow {
  std::string file;  // as given to ParseWorkflow
  std::optional<TemplateValue> name;
  std::optional<TemplateValue> run_name;
  Triggers triggers;                          // `on:` (workflow/trigger.h)
  std::optional<WorkflowCall> workflow_call;  // `on.workflow_call`, when present
  TemplateMap env;
  RunDefaults defaults;
  std::optional<Permissions> permissions;
  std::optional<Concurrency> concurrency;
  std::vector<Job> jobs;  // in file order

  /// The job with this id, or null.
  const Job* FindJob(std::string_view id) const {
    for (const Job& job : jobs) {
      if (job.id == id) return &job;
    }
    return nullptr;
  }
};

}  // namespace cairn::workflow
