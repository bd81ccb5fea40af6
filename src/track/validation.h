// MLflow's input validation (mlflow/utils/validation.py), shared by every tracking backend so
// they all refuse the same inputs with the same code (kInvalidParameterValue) and MLflow's
// wording. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "track/track.h"

namespace cairn::track {

/// Python's posixpath.normpath: "a//b/./c/.." -> "a/b", "" -> ".", "//a" keeps its two slashes.
std::string PosixNormPath(std::string_view path);

/// Length in characters (UTF-8 code points), as Python's len() counts a str.
size_t CharLength(std::string_view text);

/// A metric/param/tag key: non-empty, only alphanumerics (Unicode letters and digits too),
/// _ - . space / and :, and "path-like": it must not change under normpath, be ".", start with
/// ".." or "/". `kind` is "metric", "parameter" or "tag" (for the message).
core::Status ValidateKeyName(std::string_view kind, std::string_view name);

core::Status ValidateMetric(const Metric& metric);
core::Status ValidateParam(const Param& param);
core::Status ValidateTag(const Tag& tag);
core::Status ValidateExperimentTag(const Tag& tag);
core::Status ValidateExperimentName(std::string_view name);
/// Not a runs:/ URI, no query string or fragment.
core::Status ValidateArtifactLocation(std::string_view location);
/// MLflow's per-batch limits (track.h's kMax*PerBatch).
core::Status ValidateBatchLimits(size_t metrics, size_t params, size_t tags);
/// 1..limit, with MLflow's message.
core::Status ValidateMaxResults(int64_t max_results, int64_t limit);
/// name, digest, source_type, source required; MLflow's size limits; input tags' limits.
core::Status ValidateDatasetInput(const DatasetInput& input);
/// A logged model's name (when given): no / : . % " '.
core::Status ValidateLoggedModelName(std::string_view name);
/// "Missing value for required parameter '<field>'." when `value` is empty.
core::Status RequireField(std::string_view value, std::string_view field);

}  // namespace cairn::track
