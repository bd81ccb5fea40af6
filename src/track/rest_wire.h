// Module-private: the JSON shapes of tracking entities on MLflow's REST API
// (../shared/reference/mlflow-api.md section 7), as the REST store reads answers and writes
// requests. The server module writes its own encoders; these are the client's half.
//
// Readers are lenient (net::FieldReader): omitted fields are defaults, int64 as number or
// string, doubles as number or "NaN"/"Infinity"; an unknown enum name is recorded on the
// reader's status. Writers emit what MLflow's Python client sends: int64 as JSON numbers,
// non-finite doubles as "NaN"/"Infinity"/"-Infinity", empty optional fields omitted.
// All functions are pure and thread-safe.
#pragma once

#include <vector>

#include "core/value.h"
#include "net/json_api.h"
#include "track/track.h"

namespace cairn::track::wire {

// Answers.
std::vector<Tag> ReadTags(const net::FieldReader& r, std::string_view key);
Experiment ReadExperiment(const net::FieldReader& r);
RunInfo ReadRunInfo(const net::FieldReader& r);
Metric ReadMetric(const net::FieldReader& r);
/// Its data's metrics, params and tags sorted by key, as the interface promises.
Run ReadRun(const net::FieldReader& r);
LoggedModel ReadLoggedModel(const net::FieldReader& r);

// Requests.
/// A double as proto JSON writes it: a number, or "NaN", "Infinity", "-Infinity".
core::Value WriteDouble(double d);
core::Value WriteTags(const std::vector<Tag>& tags);
core::Value WriteParams(const std::vector<Param>& params);
core::Value WriteMetric(const Metric& metric);
core::Value WriteDatasetInput(const DatasetInput& input);

}  // namespace cairn::track::wire
