// MLflow's JSON shapes of registered models and model versions.
#include "registry/rest_wire.h"

#include <array>
#include <utility>

namespace cairn::registry::wire {
namespace {

using core::Value;
using net::FieldReader;

constexpr std::array<std::pair<std::string_view, VersionStatus>, 3> kVersionStatuses = {{
    {"PENDING_REGISTRATION", VersionStatus::kPendingRegistration},
    {"FAILED_REGISTRATION", VersionStatus::kFailedRegistration},
    {"READY", VersionStatus::kReady},
}};

}  // namespace

std::vector<Tag> ReadTags(const FieldReader& r, std::string_view key) {
  std::vector<Tag> tags;
  for (const FieldReader& t : r.Items(key)) tags.push_back(Tag{t.String("key"), t.String("value")});
  return tags;
}

ModelVersion ReadModelVersion(const FieldReader& r) {
  ModelVersion v;
  r.ReadFields<ModelVersion>(v, {{"name", &ModelVersion::name},
                                 {"version", &ModelVersion::version},
                                 {"creation_timestamp", &ModelVersion::creation_timestamp},
                                 {"last_updated_timestamp", &ModelVersion::last_updated_timestamp},
                                 {"user_id", &ModelVersion::user_id},
                                 {"description", &ModelVersion::description},
                                 {"source", &ModelVersion::source},
                                 {"run_id", &ModelVersion::run_id},
                                 {"status_message", &ModelVersion::status_message},
                                 {"run_link", &ModelVersion::run_link},
                                 {"model_id", &ModelVersion::model_id}});
  if (std::string stage = r.String("current_stage"); !stage.empty()) {
    Result<Stage> parsed = ParseStage(stage);
    if (parsed.ok()) {
      v.current_stage = *parsed;
    } else {
      r.Fail("current_stage", parsed.status().message());
    }
  }
  if (std::string status = r.String("status"); !status.empty()) {
    bool known = false;
    for (const auto& [name, value] : kVersionStatuses) {
      if (status == name) {
        v.status = value;
        known = true;
      }
    }
    if (!known) r.Fail("status", "unknown model version status '" + status + "'");
  }
  v.tags = ReadTags(r, "tags");
  v.aliases = r.Strings("aliases");
  return v;
}

RegisteredModel ReadRegisteredModel(const FieldReader& r) {
  RegisteredModel m;
  r.ReadFields<RegisteredModel>(
      m, {{"name", &RegisteredModel::name},
          {"creation_timestamp", &RegisteredModel::creation_timestamp},
          {"last_updated_timestamp", &RegisteredModel::last_updated_timestamp},
          {"user_id", &RegisteredModel::user_id},
          {"description", &RegisteredModel::description}});
  for (const FieldReader& v : r.Items("latest_versions")) {
    m.latest_versions.push_back(ReadModelVersion(v));
  }
  m.tags = ReadTags(r, "tags");
  for (const FieldReader& a : r.Items("aliases")) {
    m.aliases.push_back(AliasEntry{a.String("alias"), a.String("version")});
  }
  return m;
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

}  // namespace cairn::registry::wire
