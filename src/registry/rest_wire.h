// Module-private: the JSON shapes of registry entities on MLflow's REST API
// (../shared/reference/mlflow-api.md section 7), as the REST store reads them from answers.
// Lenient as net::FieldReader is: omitted fields are defaults, a version may come as a string
// (as MLflow writes it) or a number; an unknown stage or status is recorded on the reader.
// All functions are pure and thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "core/value.h"
#include "net/json_api.h"
#include "registry/registry.h"

namespace cairn::registry::wire {

std::vector<Tag> ReadTags(const net::FieldReader& r, std::string_view key);
ModelVersion ReadModelVersion(const net::FieldReader& r);
RegisteredModel ReadRegisteredModel(const net::FieldReader& r);

core::Value WriteTags(const std::vector<Tag>& tags);

}  // namespace cairn::registry::wire
