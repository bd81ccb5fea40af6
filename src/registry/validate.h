// Input checks every registry backend applies before touching storage, with MLflow's wording
// (mlflow/utils/validation.py and the registry store): model names, version numbers, tag keys
// and values, alias names, model version sources. Each returns kInvalidParameterValue naming
// the field. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "registry/registry.h"

namespace cairn::registry {

/// Non-empty: "Missing value for required parameter '<field>'."
Status ValidateModelName(std::string_view name, std::string_view field = "name");
/// The wire's version string as a number: "Parameter 'version' must be an integer, got 'x'."
Result<int64_t> ParseVersion(std::string_view version);
/// A tag key MLflow accepts: alphanumerics, _ - . space : /, path-like (no "..", no leading
/// or doubled '/', not empty), at most kMaxRegistryTagKeyLength characters.
Status ValidateTagKey(std::string_view key);
/// ValidateTagKey, and the value at most kMaxRegistryTagValueLength characters.
Status ValidateTag(const Tag& tag);
/// Non-empty, ^[\w\-]*$, at most kMaxAliasLength, not "latest" (any case), not v<digits>.
Status ValidateAlias(std::string_view alias);
/// Non-empty, and no relative reference (a "." or ".." path component, or NUL) once
/// percent-escapes are decoded, however many times they were applied.
Status ValidateSource(std::string_view source);

}  // namespace cairn::registry
