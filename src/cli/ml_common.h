// Module-private: what the ML commands (`cairn ml`, `gate`, `report`, `model register`) share:
// paths relative to the working directory, atomic writes, metrics as rows, and loading a model
// by path or by runs:/ / models:/ URI.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/command.h"
#include "cli/mlflow_stores.h"
#include "core/result.h"
#include "core/value.h"
#include "ml/ml.h"

namespace cairn::cli {

/// `path` made absolute against the working directory.
std::string Abs(const Context& ctx, std::string_view path);
/// Writes `text` to ctx.out.
void Out(Context& ctx, std::string_view text);
/// Milliseconds since the epoch.
int64_t NowMillis();
/// The user to record on runs: $GITHUB_ACTOR, else $USER.
std::string UserName(const Context& ctx);
/// `flag` made absolute when given; else params.yaml in the working directory when it exists;
/// else "".
std::string ParamsPath(const Context& ctx, std::string_view flag);
/// "<file>:<line>:<col>: <key>: expected <what>" for a params value of the wrong kind.
core::Status BadParam(const core::Value& value, std::string_view key, std::string_view what);
/// `text` written to `path` atomically.
core::Status WriteFileAtomically(sys::Env& env, const std::string& path, std::string_view text);

/// Appends `text` to the runner's file named by $`var` (GITHUB_ENV, GITHUB_OUTPUT,
/// GITHUB_STEP_SUMMARY); nothing when the variable is unset or empty.
core::Status AppendToRunnerFile(Context& ctx, const char* var, std::string_view text);

/// The metrics as (name, value) pairs in metrics.json's order.
std::vector<std::pair<std::string, double>> MetricPairs(const ml::Metrics& metrics);
/// The metrics as aligned "name  value" lines.
std::string MetricsTable(const ml::Metrics& metrics);

/// A model and what it is ("models:/spam@champion (version 3, run 1a2b...)").
struct LoadedModel {
  ml::Model model;
  ml::ModelLocation location;
  std::string description;
};
/// Loads the model `uri` names: a path (file or MLflow model directory), or runs:/ or
/// models:/ resolved through the tracking and registry stores the flags name, downloaded to a
/// temporary directory.
core::Result<LoadedModel> LoadModelByUri(Context& ctx, const MlflowFlags& flags,
                                         std::string_view uri);

}  // namespace cairn::cli
