// Module-private: `uses:` steps. An Action runs inside a job through a StepHost, which gives it
// what a GitHub action has: its inputs, the workspace, the environment, and the file commands'
// effects (outputs, exported env, PATH additions, masks, the step summary), and runs scripts
// and (for composite actions) steps for it.
//
// Built in (no network): actions/checkout, actions/setup-python, actions/cache,
// actions/upload-artifact, actions/download-artifact. Local: `uses: ./path` to a directory
// with action.yml (composite, or node20/node24 run with the installed node). Any other `uses:`
// is an error naming the built-ins and how to vendor an action into the repository.
//
// Actions are stateless between calls; one Action object serves one step (its main and post).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "workflow/model.h"
#include "workflow/runner.h"

namespace cairn::workflow {

/// A process an action (or the job) runs: argv, or a script for a shell.
struct ScriptSpec {
  std::vector<std::string> argv;           // run as is when non-empty
  std::map<std::string, std::string> env;  // added to the step's environment
  std::string cwd;                         // default: the workspace
  std::chrono::milliseconds timeout{0};    // 0: the step's
};

/// The job as an action sees it. Implemented by the job runner; used on the job's thread.
class StepHost {
 public:
  virtual ~StepHost() = default;
  virtual const std::string& workspace() const = 0;    // GITHUB_WORKSPACE
  virtual const std::string& runner_temp() const = 0;  // RUNNER_TEMP
  virtual const RunOptions& options() const = 0;       // dirs, secrets, masker...
  virtual const Event& event() const = 0;
  virtual const JobRef& job() const = 0;
  /// The step's environment as the step would see it (GITHUB_*, env layers, PATH additions).
  virtual const std::map<std::string, std::string>& env() const = 0;
  virtual std::stop_token stop() const = 0;

  /// A line in the step's log (masked by the host).
  virtual void Log(LineKind kind, std::string_view line) = 0;
  // The effects of GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STATE, ::add-mask:: and
  // GITHUB_STEP_SUMMARY, for actions that produce them directly.
  virtual void SetOutput(std::string_view name, std::string_view value) = 0;
  virtual void ExportEnv(std::string_view name, std::string_view value) = 0;
  virtual void AddPath(std::string_view dir) = 0;
  virtual void SaveState(std::string_view name, std::string_view value) = 0;
  virtual void AddMask(std::string_view value) = 0;
  virtual void AppendSummary(std::string_view markdown) = 0;

  /// Runs a process as a step would (its output lines go through workflow-command processing
  /// and into the log; file commands written by it take effect). Success or the failure reason.
  virtual core::Result<Conclusion> RunProcess(const ScriptSpec& spec) = 0;
  /// Composite actions: runs `steps` in a nested scope (its own `steps` context) with
  /// `inputs` as the `inputs` context; fills `outputs` from `output_templates` evaluated after
  /// the steps (over that scope's steps context).
  virtual core::Result<Conclusion> RunSteps(const std::vector<Step>& steps,
                                            const std::map<std::string, std::string>& inputs,
                                            const TemplateMap& output_templates,
                                            std::map<std::string, std::string>* outputs) = 0;
};

class Action {
 public:
  virtual ~Action() = default;
  /// `inputs`: the step's `with:` evaluated, plus the action's defaults for the others.
  virtual core::Result<Conclusion> Main(StepHost& host,
                                        const std::map<std::string, std::string>& inputs) = 0;
  /// Post step (run at the job's end, in reverse order, when `post-if` holds; default
  /// always()). Actions without one return nullopt from PostIf.
  virtual std::optional<std::string> PostIf() const { return std::nullopt; }
  virtual core::Result<Conclusion> Post(StepHost& /*host*/,
                                        const std::map<std::string, std::string>& /*inputs*/) {
    return Conclusion::kSuccess;
  }
};

/// The Action for `uses` (built-in by owner/repo, case-insensitive, any ref; local by path
/// relative to `workspace`). INVALID_PARAMETER_VALUE naming the step's location for a `uses:`
/// that is neither, listing the built-ins and saying how to vendor an action
/// (`uses: ./.github/actions/<name>`).
core::Result<std::unique_ptr<Action>> ResolveAction(const UsesRef& uses,
                                                    std::string_view workspace);

}  // namespace cairn::workflow
