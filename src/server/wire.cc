// MLflow's JSON shapes of cairn's entities, and repeated request messages into entities (see
// wire.h).
#include "server/wire.h"

#include <cmath>

#include "core/strings.h"

namespace cairn::server {

JsonObject& JsonObject::Str(std::string_view key, std::string_view value) {
  if (!value.empty())
    value_.AppendMember(std::string(key), core::Value::String(std::string(value)));
  return *this;
}

JsonObject& JsonObject::Int(std::string_view key, int64_t value) {
  value_.AppendMember(std::string(key), core::Value::Int(value));
  return *this;
}

JsonObject& JsonObject::Bool(std::string_view key, bool value) {
  value_.AppendMember(std::string(key), core::Value::Bool(value));
  return *this;
}

JsonObject& JsonObject::Double(std::string_view key, double value) {
  value_.AppendMember(std::string(key), DoubleJson(value));
  return *this;
}

JsonObject& JsonObject::List(std::string_view key, core::Value sequence) {
  if (sequence.size() > 0) value_.AppendMember(std::string(key), std::move(sequence));
  return *this;
}

JsonObject& JsonObject::Object(std::string_view key, core::Value object) {
  value_.AppendMember(std::string(key), std::move(object));
  return *this;
}

core::Value DoubleJson(double value) {
  if (std::isnan(value)) return core::Value::String("NaN");
  if (std::isinf(value)) return core::Value::String(value > 0 ? "Infinity" : "-Infinity");
  return core::Value::Double(value);
}

core::Value TagJson(std::string_view key, std::string_view value) {
  // A tag's value is written even when empty: the key alone would read as a missing value.
  core::Value tag = core::Value::Mapping();
  tag.AppendMember("key", core::Value::String(std::string(key)));
  tag.AppendMember("value", core::Value::String(std::string(value)));
  return tag;
}

namespace {

template <class TagT>
core::Value TagsJson(const std::vector<TagT>& tags) {
  return JsonList(tags, [](const TagT& tag) { return TagJson(tag.key, tag.value); });
}

core::Value DatasetJson(const track::Dataset& dataset) {
  return JsonObject()
      .Str("name", dataset.name)
      .Str("digest", dataset.digest)
      .Str("source_type", dataset.source_type)
      .Str("source", dataset.source)
      .Str("schema", dataset.schema)
      .Str("profile", dataset.profile)
      .Build();
}

core::Value RunInputsJson(const track::RunInputs& inputs) {
  return JsonObject()
      .List("dataset_inputs", JsonList(inputs.dataset_inputs,
                                       [](const track::DatasetInput& input) {
                                         return JsonObject()
                                             .List("tags", TagsJson(input.tags))
                                             .Object("dataset", DatasetJson(input.dataset))
                                             .Build();
                                       }))
      .List("model_inputs", JsonList(inputs.model_inputs,
                                     [](const std::string& model_id) {
                                       return JsonObject().Str("model_id", model_id).Build();
                                     }))
      .Build();
}

core::Value RunOutputsJson(const track::RunOutputs& outputs) {
  return JsonObject()
      .List("model_outputs", JsonList(outputs.model_outputs,
                                      [](const track::ModelOutput& output) {
                                        return JsonObject()
                                            .Str("model_id", output.model_id)
                                            .Int("step", output.step)
                                            .Build();
                                      }))
      .Build();
}

}  // namespace

core::Value ExperimentJson(const track::Experiment& experiment) {
  return JsonObject()
      .Str("experiment_id", experiment.experiment_id)
      .Str("name", experiment.name)
      .Str("artifact_location", experiment.artifact_location)
      .Str("lifecycle_stage", track::LifecycleStageName(experiment.lifecycle_stage))
      .Int("last_update_time", experiment.last_update_time)
      .Int("creation_time", experiment.creation_time)
      .List("tags", TagsJson(experiment.tags))
      .Build();
}

core::Value RunInfoJson(const track::RunInfo& info) {
  JsonObject out;
  out.Str("run_uuid", info.run_id)
      .Str("experiment_id", info.experiment_id)
      .Str("run_name", info.run_name)
      .Str("user_id", info.user_id)
      .Str("status", track::RunStatusName(info.status))
      .Int("start_time", info.start_time);
  if (info.end_time) out.Int("end_time", *info.end_time);
  return std::move(out)
      .Str("artifact_uri", info.artifact_uri)
      .Str("lifecycle_stage", track::LifecycleStageName(info.lifecycle_stage))
      .Str("run_id", info.run_id)
      .Build();
}

core::Value MetricJson(const track::Metric& metric) {
  return JsonObject()
      .Str("key", metric.key)
      .Double("value", metric.value)
      .Int("timestamp", metric.timestamp)
      .Int("step", metric.step)
      .Str("dataset_name", metric.dataset_name)
      .Str("dataset_digest", metric.dataset_digest)
      .Str("model_id", metric.model_id)
      .Build();
}

core::Value MetricWithRunIdJson(const track::MetricWithRunId& metric) {
  core::Value out = MetricJson(metric.metric);
  out.AppendMember("run_id", core::Value::String(metric.run_id));
  return out;
}

core::Value RunJson(const track::Run& run) {
  core::Value data =
      JsonObject()
          .List("metrics", JsonList(run.data.metrics, MetricJson))
          .List("params",
                JsonList(run.data.params,
                         [](const track::Param& param) { return TagJson(param.key, param.value); }))
          .List("tags", TagsJson(run.data.tags))
          .Build();
  JsonObject out;
  out.Object("info", RunInfoJson(run.info))
      .Object("data", std::move(data))
      .Object("inputs", RunInputsJson(run.inputs));
  // MLflow 3 only: 2.x clients never see the key.
  if (!run.outputs.model_outputs.empty()) out.Object("outputs", RunOutputsJson(run.outputs));
  return std::move(out).Build();
}

core::Value LoggedModelJson(const track::LoggedModel& model) {
  JsonObject info;
  info.Str("model_id", model.model_id)
      .Str("experiment_id", model.experiment_id)
      .Str("name", model.name)
      .Int("creation_timestamp_ms", model.creation_timestamp_ms)
      .Int("last_updated_timestamp_ms", model.last_updated_timestamp_ms)
      .Str("artifact_uri", model.artifact_uri)
      .Str("status", track::LoggedModelStatusName(model.status));
  // An int64 in the proto: written only when it is one.
  if (std::optional<int64_t> creator = core::ParseInt64(model.creator_id)) {
    info.Int("creator_id", *creator);
  }
  info.Str("model_type", model.model_type)
      .Str("source_run_id", model.source_run_id)
      .Str("status_message", model.status_message)
      .List("tags", TagsJson(model.tags))
      .List("registrations",
            JsonList(model.registrations, [](const track::LoggedModelRegistration& registration) {
              return JsonObject()
                  .Str("name", registration.name)
                  .Str("version", registration.version)
                  .Build();
            }));
  core::Value data =
      JsonObject()
          .List("params",
                JsonList(model.params,
                         [](const track::Param& param) { return TagJson(param.key, param.value); }))
          .List("metrics", JsonList(model.metrics, MetricJson))
          .Build();
  return JsonObject()
      .Object("info", std::move(info).Build())
      .Object("data", std::move(data))
      .Build();
}

core::Value ModelVersionJson(const registry::ModelVersion& version) {
  return JsonObject()
      .Str("name", version.name)
      .Str("version", std::to_string(version.version))
      .Int("creation_timestamp", version.creation_timestamp)
      .Int("last_updated_timestamp", version.last_updated_timestamp)
      .Str("user_id", version.user_id)
      .Str("current_stage", registry::StageName(version.current_stage))
      .Str("description", version.description)
      .Str("source", version.source)
      .Str("run_id", version.run_id)
      .Str("status", registry::VersionStatusName(version.status))
      .Str("status_message", version.status_message)
      .List("tags", TagsJson(version.tags))
      .Str("run_link", version.run_link)
      .List("aliases",
            JsonList(version.aliases,
                     [](const std::string& alias) { return core::Value::String(alias); }))
      .Str("model_id", version.model_id)
      .Build();
}

core::Value RegisteredModelJson(const registry::RegisteredModel& model) {
  return JsonObject()
      .Str("name", model.name)
      .Int("creation_timestamp", model.creation_timestamp)
      .Int("last_updated_timestamp", model.last_updated_timestamp)
      .Str("user_id", model.user_id)
      .Str("description", model.description)
      .List("latest_versions", JsonList(model.latest_versions, ModelVersionJson))
      .List("tags", TagsJson(model.tags))
      .List(
          "aliases",
          JsonList(
              model.aliases,
              [](const registry::AliasEntry& alias) {
                return JsonObject().Str("alias", alias.alias).Str("version", alias.version).Build();
              }))
      .Build();
}

core::Value FileInfoJson(std::string_view path, bool is_dir, uint64_t size) {
  JsonObject out;
  out.Str("path", path).Bool("is_dir", is_dir);
  if (!is_dir) out.Int("file_size", static_cast<int64_t>(size));
  return std::move(out).Build();
}

namespace {

template <class TagT>
Result<std::vector<TagT>> ReadTags(const Params& params, std::string_view field) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<Params> messages, params.MessageList(field));
  std::vector<TagT> tags;
  tags.reserve(messages.size());
  for (const Params& message : messages) {
    TagT tag;
    CAIRN_ASSIGN_OR_RETURN(tag.key, message.RequiredString("key"));
    CAIRN_ASSIGN_OR_RETURN(tag.value, message.String("value"));
    tags.push_back(std::move(tag));
  }
  return tags;
}

}  // namespace

Result<std::vector<track::Tag>> TrackTags(const Params& params, std::string_view field) {
  return ReadTags<track::Tag>(params, field);
}

Result<std::vector<registry::Tag>> RegistryTags(const Params& params, std::string_view field) {
  return ReadTags<registry::Tag>(params, field);
}

Result<std::vector<track::Param>> TrackParams(const Params& params, std::string_view field) {
  return ReadTags<track::Param>(params, field);
}

Result<track::Metric> ReadMetric(const Params& message) {
  track::Metric metric;
  CAIRN_ASSIGN_OR_RETURN(metric.key, message.RequiredString("key"));
  CAIRN_ASSIGN_OR_RETURN(metric.value, message.RequiredDouble("value"));
  CAIRN_ASSIGN_OR_RETURN(metric.timestamp, message.RequiredInt64("timestamp"));
  CAIRN_ASSIGN_OR_RETURN(std::optional<int64_t> step, message.OptInt64("step"));
  metric.step = step.value_or(0);
  CAIRN_ASSIGN_OR_RETURN(metric.model_id, message.String("model_id"));
  CAIRN_ASSIGN_OR_RETURN(metric.dataset_name, message.String("dataset_name"));
  CAIRN_ASSIGN_OR_RETURN(metric.dataset_digest, message.String("dataset_digest"));
  return metric;
}

}  // namespace cairn::server
