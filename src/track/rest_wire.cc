// MLflow's JSON shapes of tracking entities: readers for answers, writers for requests.
#include "track/rest_wire.h"

#include <algorithm>
#include <cmath>

namespace cairn::track::wire {
namespace {

using core::Value;
using net::FieldReader;

LifecycleStage ReadLifecycleStage(const FieldReader& r, std::string_view key) {
  std::string name = r.String(key);
  if (name.empty() || name == "active") return LifecycleStage::kActive;
  if (name == "deleted") return LifecycleStage::kDeleted;
  r.Fail(key, "expected 'active' or 'deleted', got '" + name + "'");
  return LifecycleStage::kActive;
}

template <class T>
void SortByKey(std::vector<T>& items) {
  std::stable_sort(items.begin(), items.end(),
                   [](const T& a, const T& b) { return a.key < b.key; });
}

// Every element of array `key` read by `read`.
template <class F>
auto ReadEach(const FieldReader& r, std::string_view key, F read) {
  std::vector<decltype(read(r))> out;
  for (const FieldReader& item : r.Items(key)) out.push_back(read(item));
  return out;
}

void SetIfNotEmpty(Value& object, const char* key, std::string_view value) {
  if (!value.empty()) object.Set(key, Value::String(std::string(value)));
}

}  // namespace

std::vector<Tag> ReadTags(const FieldReader& r, std::string_view key) {
  return ReadEach(r, key, [](const FieldReader& t) {
    return Tag{t.String("key"), t.String("value")};
  });
}

Experiment ReadExperiment(const FieldReader& r) {
  Experiment e;
  r.ReadFields<Experiment>(e, {{"experiment_id", &Experiment::experiment_id},
                               {"name", &Experiment::name},
                               {"artifact_location", &Experiment::artifact_location},
                               {"creation_time", &Experiment::creation_time},
                               {"last_update_time", &Experiment::last_update_time}});
  e.lifecycle_stage = ReadLifecycleStage(r, "lifecycle_stage");
  e.tags = ReadTags(r, "tags");
  return e;
}

RunInfo ReadRunInfo(const FieldReader& r) {
  RunInfo info;
  r.ReadFields<RunInfo>(info, {{"run_id", &RunInfo::run_id},
                               {"run_name", &RunInfo::run_name},
                               {"experiment_id", &RunInfo::experiment_id},
                               {"user_id", &RunInfo::user_id},
                               {"start_time", &RunInfo::start_time},
                               {"end_time", &RunInfo::end_time},
                               {"artifact_uri", &RunInfo::artifact_uri}});
  if (info.run_id.empty()) info.run_id = r.String("run_uuid");  // pre-1.0 servers
  if (std::string status = r.String("status"); !status.empty()) {
    Result<RunStatus> parsed = ParseRunStatus(status);
    if (parsed.ok()) {
      info.status = *parsed;
    } else {
      r.Fail("status", parsed.status().message());
    }
  }
  info.lifecycle_stage = ReadLifecycleStage(r, "lifecycle_stage");
  return info;
}

Metric ReadMetric(const FieldReader& r) {
  Metric m;
  r.ReadFields<Metric>(m, {{"key", &Metric::key},
                           {"value", &Metric::value},
                           {"timestamp", &Metric::timestamp},
                           {"step", &Metric::step},
                           {"model_id", &Metric::model_id},
                           {"dataset_name", &Metric::dataset_name},
                           {"dataset_digest", &Metric::dataset_digest}});
  return m;
}

Run ReadRun(const FieldReader& r) {
  Run run;
  run.info = ReadRunInfo(r.Child("info"));
  FieldReader data = r.Child("data");
  run.data.metrics = ReadEach(data, "metrics", ReadMetric);
  run.data.params = ReadEach(data, "params", [](const FieldReader& p) {
    return Param{p.String("key"), p.String("value")};
  });
  run.data.tags = ReadTags(data, "tags");
  SortByKey(run.data.metrics);
  SortByKey(run.data.params);
  SortByKey(run.data.tags);
  FieldReader inputs = r.Child("inputs");
  run.inputs.dataset_inputs = ReadEach(inputs, "dataset_inputs", [](const FieldReader& in) {
    DatasetInput input;
    input.tags = ReadTags(in, "tags");
    in.Child("dataset").ReadFields<Dataset>(input.dataset, {{"name", &Dataset::name},
                                                            {"digest", &Dataset::digest},
                                                            {"source_type", &Dataset::source_type},
                                                            {"source", &Dataset::source},
                                                            {"schema", &Dataset::schema},
                                                            {"profile", &Dataset::profile}});
    return input;
  });
  run.inputs.model_inputs =
      ReadEach(inputs, "model_inputs", [](const FieldReader& m) { return m.String("model_id"); });
  run.outputs.model_outputs =
      ReadEach(r.Child("outputs"), "model_outputs", [](const FieldReader& m) {
        return ModelOutput{m.String("model_id"), m.Int64("step")};
      });
  return run;
}

LoggedModel ReadLoggedModel(const FieldReader& r) {
  LoggedModel m;
  FieldReader info = r.Child("info");
  info.ReadFields<LoggedModel>(
      m, {{"model_id", &LoggedModel::model_id},
          {"experiment_id", &LoggedModel::experiment_id},
          {"name", &LoggedModel::name},
          {"creation_timestamp_ms", &LoggedModel::creation_timestamp_ms},
          {"last_updated_timestamp_ms", &LoggedModel::last_updated_timestamp_ms},
          {"artifact_uri", &LoggedModel::artifact_uri},
          {"creator_id", &LoggedModel::creator_id},
          {"model_type", &LoggedModel::model_type},
          {"source_run_id", &LoggedModel::source_run_id},
          {"status_message", &LoggedModel::status_message}});
  if (std::string status = info.String("status"); !status.empty()) {
    Result<LoggedModelStatus> parsed = ParseLoggedModelStatus(status);
    if (parsed.ok()) {
      m.status = *parsed;
    } else {
      info.Fail("status", parsed.status().message());
    }
  }
  m.tags = ReadTags(info, "tags");
  m.registrations = ReadEach(info, "registrations", [](const FieldReader& reg) {
    return LoggedModelRegistration{reg.String("name"), reg.String("version")};
  });
  FieldReader data = r.Child("data");
  m.params = ReadEach(data, "params", [](const FieldReader& p) {
    return Param{p.String("key"), p.String("value")};
  });
  m.metrics = ReadEach(data, "metrics", ReadMetric);
  return m;
}

Value WriteDouble(double d) {
  if (std::isnan(d)) return Value::String("NaN");
  if (std::isinf(d)) return Value::String(d > 0 ? "Infinity" : "-Infinity");
  return Value::Double(d);
}

Value WriteTags(const std::vector<Tag>& tags) {
  Value out = Value::Sequence();
  for (const Tag& tag : tags) {
    Value t = Value::Mapping();
    t.Set("key", Value::String(tag.key));
    t.Set("value", Value::String(tag.value));
    out.Append(std::move(t));
  }
  return out;
}

Value WriteParams(const std::vector<Param>& params) {
  Value out = Value::Sequence();
  for (const Param& param : params) {
    Value p = Value::Mapping();
    p.Set("key", Value::String(param.key));
    p.Set("value", Value::String(param.value));
    out.Append(std::move(p));
  }
  return out;
}

Value WriteMetric(const Metric& metric) {
  Value m = Value::Mapping();
  m.Set("key", Value::String(metric.key));
  m.Set("value", WriteDouble(metric.value));
  m.Set("timestamp", Value::Int(metric.timestamp));
  m.Set("step", Value::Int(metric.step));
  SetIfNotEmpty(m, "model_id", metric.model_id);
  SetIfNotEmpty(m, "dataset_name", metric.dataset_name);
  SetIfNotEmpty(m, "dataset_digest", metric.dataset_digest);
  return m;
}

Value WriteDatasetInput(const DatasetInput& input) {
  Value dataset = Value::Mapping();
  dataset.Set("name", Value::String(input.dataset.name));
  dataset.Set("digest", Value::String(input.dataset.digest));
  dataset.Set("source_type", Value::String(input.dataset.source_type));
  dataset.Set("source", Value::String(input.dataset.source));
  SetIfNotEmpty(dataset, "schema", input.dataset.schema);
  SetIfNotEmpty(dataset, "profile", input.dataset.profile);
  Value out = Value::Mapping();
  if (!input.tags.empty()) out.Set("tags", WriteTags(input.tags));
  out.Set("dataset", std::move(dataset));
  return out;
}

}  // namespace cairn::track::wire
