// workflow/build.h (module-private): turns a YAML tree that passed the schema reader
// (workflow/reader.h) into the model (workflow/model.h), with the checks GitHub makes while
// converting: ids, `needs` (unknown jobs, cycles), `if:` conditions, `uses:` syntax, matrix
// vectors, runs-on groups, container images, and reusable workflows (loaded and checked
// against the caller's `with` and `secrets`).
//
// A Builder is used by one thread for one file; it borrows everything it is given.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"
#include "workflow/model.h"
#include "workflow/parse.h"
#include "workflow/reader.h"

namespace cairn::workflow {

/// What the files read by one ParseWorkflow share.
struct ParseState {
  size_t result_bytes = 0;        // counted against ParseOptions::max_result_size
  bool result_too_large = false;  // a called workflow went past it (its caller reports it)
};

class Builder {
 public:
  /// `depth`: 1 for the file being checked, 2 for a workflow it calls, and so on.
  Builder(const Reader& reader, ErrorList* errors, const ParseOptions& options, int depth,
          ParseState* state)
      : reader_(reader), errors_(errors), options_(options), depth_(depth), state_(state) {}

  void BuildWorkflow(const core::Value& root, Workflow* workflow);

  // Pieces, shared by the files of the builder.
  TemplateValue Tpl(const core::Value& node);
  std::optional<TemplateValue> OptTpl(const core::Value* node);
  /// An `if:`; `type` ("job-if", "step-if") gives the contexts when the key is absent.
  ConditionValue Cond(const core::Value* node, std::string_view type);
  TemplateMap Map(const core::Value* node);
  std::optional<LiteralOr<bool>> Bool(const core::Value* node);
  std::optional<LiteralOr<double>> Number(const core::Value* node);
  RunDefaults Defaults(const core::Value* node);
  std::optional<Concurrency> BuildConcurrency(const core::Value* node);

  std::optional<WorkflowCall> BuildWorkflowCall(const core::Value& on);
  Job BuildJob(const core::Member& member);
  std::vector<Step> BuildSteps(const core::Value& node);
  void CheckNeeds(const core::Value& jobs_node, const std::vector<Job>& jobs);
  void CheckMatrix(const core::Value& matrix);
  std::optional<Container> BuildContainer(const core::Value& node, std::string id);
  void CheckRunsOn(const core::Value& node);
  /// Loads the reusable workflow a job calls, when it can, and checks with/secrets.
  void LoadCalled(Job* job);

 private:
  const Reader& reader_;
  ErrorList* errors_;
  const ParseOptions& options_;
  int depth_;
  ParseState* state_;
  std::map<std::string, const core::Value*> with_nodes_;  // job id -> its `with:` mapping
};

/// GitHub's id rules: nullopt when valid, else the message.
std::optional<std::string> CheckIdentifier(std::string_view id);

/// Parses a step's `uses:` (or a job's, with `job` true); nullopt after reporting an error.
std::optional<UsesRef> ParseUses(const core::Value& node, bool job, ErrorList* errors);

/// Checks that the workflows `workflow` calls (loaded ones) ask for no more GITHUB_TOKEN
/// permissions than their callers have.
void CheckCallPermissions(const Workflow& workflow, const ParseOptions& options, ErrorList* errors);

/// The jobs of a workflow, counting those of the workflows it calls.
int CountJobs(const Workflow& workflow);

/// Parses a workflow with an explicit nesting depth (for called workflows).
Workflow ParseAtDepth(std::string_view text, std::string_view filename, const ParseOptions& options,
                      int depth, ParseState* state, ErrorList* errors);

}  // namespace cairn::workflow
