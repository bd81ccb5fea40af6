// Module-private: cairn's entities as MLflow's JSON (reference section 7). Field names are the
// proto's; int64 fields are JSON numbers; enums are their names; unset, empty-string and
// empty-list fields are left out; a model version's `version` is a string; doubles are written
// as Python's repr writes them (shortest round trip), NaN and infinities as the proto3 JSON
// strings "NaN", "Infinity", "-Infinity".
//
// Also the request side's conversions of repeated messages (tags, params, metrics) into
// entities. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/value.h"
#include "registry/registry.h"
#include "server/request.h"
#include "track/track.h"

namespace cairn::server {

/// Builds a JSON object member by member, leaving out empty values.
class JsonObject {
 public:
  JsonObject() : value_(core::Value::Mapping()) {}

  /// Left out when empty.
  JsonObject& Str(std::string_view key, std::string_view value);
  /// Always written.
  JsonObject& Int(std::string_view key, int64_t value);
  JsonObject& Bool(std::string_view key, bool value);
  JsonObject& Double(std::string_view key, double value);
  /// Left out when an empty sequence.
  JsonObject& List(std::string_view key, core::Value sequence);
  /// Always written (an empty object stays {}).
  JsonObject& Object(std::string_view key, core::Value object);

  /// The object; the builder is left empty.
  core::Value Build() { return std::move(value_); }

 private:
  core::Value value_;
};

/// A double as MLflow writes it: a number, or "NaN", "Infinity", "-Infinity".
core::Value DoubleJson(double value);

/// `items` mapped through `encode` into a JSON sequence.
template <class T, class F>
core::Value JsonList(const std::vector<T>& items, F encode) {
  core::Value list = core::Value::Sequence();
  for (const T& item : items) list.Append(encode(item));
  return list;
}

// Tracking.
core::Value TagJson(std::string_view key, std::string_view value);
core::Value ExperimentJson(const track::Experiment& experiment);
core::Value RunInfoJson(const track::RunInfo& info);
core::Value MetricJson(const track::Metric& metric);
core::Value MetricWithRunIdJson(const track::MetricWithRunId& metric);
core::Value RunJson(const track::Run& run);
core::Value LoggedModelJson(const track::LoggedModel& model);

// Registry.
core::Value ModelVersionJson(const registry::ModelVersion& version);
core::Value RegisteredModelJson(const registry::RegisteredModel& model);

/// An artifact listing entry: `file_size` only for files.
core::Value FileInfoJson(std::string_view path, bool is_dir, uint64_t size);

// Request side: repeated messages into entities. Missing required members are
// MissingParameter naming them ("tags[1].key").
Result<std::vector<track::Tag>> TrackTags(const Params& params, std::string_view field);
Result<std::vector<registry::Tag>> RegistryTags(const Params& params, std::string_view field);
/// {key, value}: key required, value optional.
Result<std::vector<track::Param>> TrackParams(const Params& params, std::string_view field);
/// {key R, value R, timestamp R, step, model_id, dataset_name, dataset_digest}.
Result<track::Metric> ReadMetric(const Params& message);

}  // namespace cairn::server
