// Module-private: what `cairn track` and `cairn model` share: which stores they talk to (URIs
// and credentials from flags and MLflow's environment variables), MLflow-shaped JSON of the
// entities for --json, and the small text formats.
//
//   tracking URI: --tracking-uri, else MLFLOW_TRACKING_URI, else sqlite:///mlflow.db (what
//                 `cairn server` defaults to)
//   registry URI: --registry-uri, else MLFLOW_REGISTRY_URI, else the tracking URI
//   credentials:  MLFLOW_TRACKING_USERNAME + MLFLOW_TRACKING_PASSWORD (basic auth) or
//                 MLFLOW_TRACKING_TOKEN (bearer); MLFLOW_TRACKING_INSECURE_TLS=true skips TLS
//                 verification
//
// The JSON is MLflow's (../shared/reference/mlflow-api.md section 7): int64 as numbers, enums
// as names, empty fields left out, a model version's number as a string, NaN metrics as "NaN".
// All functions are pure except the Open* ones, which open a store; thread-compatible.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "cli/command.h"
#include "core/result.h"
#include "core/value.h"
#include "ml/ml.h"
#include "registry/registry.h"
#include "server/wire.h"
#include "track/track.h"

namespace cairn::cli {

inline constexpr std::string_view kDefaultTrackingUri = "sqlite:///mlflow.db";

/// Flags every tracking and registry command takes.
struct MlflowFlags {
  std::string tracking_uri;
  std::string registry_uri;
  bool json = false;
};

/// Adds --tracking-uri (and --registry-uri when `registry`) and --json to `cmd`.
void AddMlflowFlags(CLI::App* cmd, MlflowFlags& flags, bool registry);

/// The tracking URI the flags and the environment name (see the header comment).
std::string TrackingUri(const Context& ctx, const MlflowFlags& flags);
std::string RegistryUri(const Context& ctx, const MlflowFlags& flags);

core::Result<std::unique_ptr<track::TrackingStore>> OpenTracking(const Context& ctx,
                                                                 const MlflowFlags& flags);
core::Result<std::unique_ptr<registry::RegistryStore>> OpenRegistry(const Context& ctx,
                                                                    const MlflowFlags& flags);
/// How to reach the tracking server's artifact proxy: the tracking URI and the credentials.
ml::ArtifactAccess ArtifactAccessFor(const Context& ctx, const MlflowFlags& flags);

// MLflow's JSON of the entities: the server's own encoders, so `--json` prints exactly what
// the REST API answers.
using server::ExperimentJson;
using server::ModelVersionJson;
using server::RegisteredModelJson;
using server::RunInfoJson;
using server::RunJson;
/// {key: value} with one member.
core::Value JsonWith(std::string_view key, core::Value value);

/// `value` indented by 2 spaces, as MLflow's server pretty-prints, plus a newline.
std::string JsonText(const core::Value& value);

/// "key: value" lines for the fields whose value is not empty.
std::string FieldLines(std::initializer_list<std::pair<std::string_view, std::string>> fields);

/// Milliseconds since the epoch as "2024-05-01 12:34:56" (UTC); "" for 0.
std::string FormatMillis(int64_t millis);
/// A metric value as Python prints it ("0.5", "1.0", "nan", "inf").
std::string FormatMetric(double value);

}  // namespace cairn::cli
