// plan: what a workflow will do before it runs: its job graph (`needs` on a dag::Graph), the
// order jobs start in, each job's matrix legs, strategy and condition, each step's condition,
// and which job's outputs feed which `needs.<id>.outputs.<name>` reference. `cairn workflow
// explain` prints it (ToText) or emits it as JSON (ToJson); the runner walks its graph.
//
// Conditions are decided ahead of time when they can be: an `if:` that reads only the contexts
// an event fixes (github, inputs, vars) is evaluated with the event's values, assuming that
// what runs before it succeeded (success() and always() true, failure() and cancelled()
// false). One that reads needs, steps, matrix, env, job, runner or strategy, or calls
// hashFiles, is decided at run time, and the plan says which context made it so.
//
// `needs.<id>.outputs.<name>` references are found in the text of every expression of a job
// (its name, if, env, runs-on, strategy, steps, outputs, with, ...), in both the dotted and the
// `['...']` forms. A reference to an output the needed job does not declare, or to a job the
// reader does not need, reads as '' on GitHub (no error there): the plan warns.
//
// A Plan is a value: copy it, share a const one between threads.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/value.h"
#include "dag/dag.h"
#include "expr/expr.h"
#include "workflow/matrix.h"
#include "workflow/model.h"

namespace cairn::workflow {

struct PlanOptions {
  /// The event's contexts (github, inputs, vars) used to decide conditions ahead of time.
  /// Null: no condition is decided (each reads "at run time").
  const expr::Contexts* event = nullptr;
};

/// A job's or step's `if:` as the plan sees it.
struct ConditionPlan {
  std::string written;  // as written; "" when there is no `if:`
  std::string text;     // rewritten as GitHub shows it ("success() && (...)")
  core::Location location;
  /// The value for the event, when it could be decided ahead of time.
  std::optional<bool> value;
  /// Why it could not be: "reads needs", "reads steps", "no event given", or an evaluation
  /// error. Empty when `value` is set.
  std::string run_time_reason;
};

struct StepPlan {
  std::string id;
  std::string display_name;  // name, else "Run <first line of run>" / "Run <uses>"
  ConditionPlan condition;
  core::Location location;
};

/// One `needs.<need>.outputs.<output>` reference found in job `job`.
struct OutputUse {
  std::string job;           // the job reading it
  std::string need;          // the job it names
  std::string output;        // the output it names
  core::Location location;   // of the key whose value holds the reference
  bool need_listed = false;  // `need` is one of `job`'s needs
  bool declared = false;     // `need` declares `output`
};

/// A remark that does not stop the workflow (GitHub runs it; something reads as '').
struct PlanWarning {
  core::Location location;
  std::string message;
  /// "file:line:col: warning: message".
  std::string ToString() const;
};

struct JobPlan {
  std::string id;
  std::string name;  // `name:` as written, else the id
  std::vector<std::string> needs;
  ConditionPlan condition;

  enum class MatrixKind {
    kNone,     // no strategy.matrix: one job
    kStatic,   // expanded now: `matrix` holds the legs
    kRunTime,  // reads an expression (fromJSON(needs.x.outputs.m)): expanded at run time
  };
  MatrixKind matrix_kind = MatrixKind::kNone;
  Matrix matrix;                  // kStatic
  std::string matrix_expression;  // kRunTime: the expression text as written
  /// Each leg's display name ("build (ubuntu-latest, 3.11)"); a name with expressions is
  /// evaluated with the leg's matrix when it reads only matrix and the event's contexts.
  std::vector<std::string> leg_names;

  /// strategy.fail-fast (default true) and max-parallel (default: none); nullopt with the text
  /// in *_expression when they are expressions.
  std::optional<bool> fail_fast = true;
  std::string fail_fast_expression;
  std::optional<double> max_parallel;
  std::string max_parallel_expression;

  std::vector<StepPlan> steps;
  const Job* job = nullptr;  // in the Workflow given to MakePlan, which must outlive the plan
};

struct Plan {
  std::string file;
  std::string name;                // the workflow's `name:`, else the file
  std::vector<JobPlan> jobs;       // in file order; jobs[i] is node i of `graph`
  dag::Graph graph;                // edge a -> b: b needs a
  std::vector<std::string> order;  // job ids, graph.TopologicalOrder()
  std::vector<OutputUse> outputs;
  std::vector<PlanWarning> warnings;

  const JobPlan* FindJob(std::string_view id) const;
  /// The human text of `cairn workflow explain`.
  std::string ToText() const;
  /// The same as JSON.
  core::Value ToJson() const;
};

/// Plans `workflow`. Errors (INVALID_PARAMETER_VALUE "file:line:col: ...; expected ..."): a
/// need naming an unknown job (at the need), a cycle (named by its path "a -> b -> a", at the
/// need closing it), a static matrix that does not expand (see ExpandMatrix).
core::Result<Plan> MakePlan(const Workflow& workflow, const PlanOptions& options = {});

/// Every `needs.<id>.outputs.<name>` reference in an expression's text, as {id, name} pairs in
/// order (case kept as written). Exposed for tests and for `explain`.
std::vector<std::pair<std::string, std::string>> FindOutputReferences(std::string_view text);

}  // namespace cairn::workflow
