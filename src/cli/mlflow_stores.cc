// Opening the tracking and registry stores for the MLflow commands; MLflow's JSON of their
// entities.
#include "cli/mlflow_stores.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cmath>
#include <ctime>

#include "core/json.h"
#include "core/strings.h"
#include "core/uri.h"

namespace cairn::cli {
namespace {

using core::Value;

std::string EnvOr(const Context& ctx, const char* name, std::string_view fallback) {
  std::optional<std::string> value = ctx.env.GetVar(name);
  return value && !value->empty() ? *value : std::string(fallback);
}

struct Credentials {
  std::string username;
  std::string password;
  std::string token;
  bool verify_tls = true;
};

Credentials CredentialsFromEnv(const Context& ctx) {
  Credentials c;
  c.username = EnvOr(ctx, "MLFLOW_TRACKING_USERNAME", "");
  c.password = EnvOr(ctx, "MLFLOW_TRACKING_PASSWORD", "");
  c.token = EnvOr(ctx, "MLFLOW_TRACKING_TOKEN", "");
  std::string insecure = core::ToLower(EnvOr(ctx, "MLFLOW_TRACKING_INSECURE_TLS", "false"));
  c.verify_tls = !(insecure == "true" || insecure == "1");
  return c;
}

core::Result<core::Uri> ParseStoreUri(std::string_view text, std::string_view what) {
  core::Result<core::Uri> uri = core::Uri::Parse(text);
  if (!uri.ok()) return uri.status().WithContext(fmt::format("bad {} URI", what));
  return uri;
}

// A JSON object under construction, leaving out empty strings and lists as MLflow does.
class Obj {
 public:
  Obj& Str(const char* key, std::string_view value) {
    if (!value.empty()) value_.Set(key, Value::String(std::string(value)));
    return *this;
  }
  Obj& Int(const char* key, int64_t value) {
    value_.Set(key, Value::Int(value));
    return *this;
  }
  Obj& List(const char* key, Value list) {
    if (list.size() > 0) value_.Set(key, std::move(list));
    return *this;
  }
  Obj& Set(const char* key, Value value) {
    value_.Set(key, std::move(value));
    return *this;
  }
  Value Build() { return std::move(value_); }

 private:
  Value value_ = Value::Mapping();
};

template <class T, class F>
Value ListOf(const std::vector<T>& items, F encode) {
  Value list = Value::Sequence();
  for (const T& item : items) list.Append(encode(item));
  return list;
}

template <class T>
Value KeyValues(const std::vector<T>& items) {
  return ListOf(items,
                [](const T& t) { return Obj().Str("key", t.key).Str("value", t.value).Build(); });
}

Value DoubleJson(double d) {
  if (std::isnan(d)) return Value::String("NaN");
  if (std::isinf(d)) return Value::String(d > 0 ? "Infinity" : "-Infinity");
  return Value::Double(d);
}

}  // namespace

std::string TrackingUri(const Context& ctx, const MlflowFlags& flags) {
  if (!flags.tracking_uri.empty()) return flags.tracking_uri;
  return EnvOr(ctx, "MLFLOW_TRACKING_URI", kDefaultTrackingUri);
}

std::string RegistryUri(const Context& ctx, const MlflowFlags& flags) {
  if (!flags.registry_uri.empty()) return flags.registry_uri;
  return EnvOr(ctx, "MLFLOW_REGISTRY_URI", TrackingUri(ctx, flags));
}

core::Result<std::unique_ptr<track::TrackingStore>> OpenTracking(const Context& ctx,
                                                                 const MlflowFlags& flags) {
  CAIRN_ASSIGN_OR_RETURN(core::Uri uri, ParseStoreUri(TrackingUri(ctx, flags), "tracking"));
  Credentials c = CredentialsFromEnv(ctx);
  track::StoreOptions options;
  options.username = c.username;
  options.password = c.password;
  options.token = c.token;
  options.verify_tls = c.verify_tls;
  return track::OpenTrackingStore(uri, options);
}

core::Result<std::unique_ptr<registry::RegistryStore>> OpenRegistry(const Context& ctx,
                                                                    const MlflowFlags& flags) {
  CAIRN_ASSIGN_OR_RETURN(core::Uri uri, ParseStoreUri(RegistryUri(ctx, flags), "registry"));
  Credentials c = CredentialsFromEnv(ctx);
  registry::StoreOptions options;
  options.username = c.username;
  options.password = c.password;
  options.token = c.token;
  options.verify_tls = c.verify_tls;
  return registry::OpenRegistryStore(uri, options);
}

Value ExperimentJson(const track::Experiment& e) {
  return Obj()
      .Str("experiment_id", e.experiment_id)
      .Str("name", e.name)
      .Str("artifact_location", e.artifact_location)
      .Str("lifecycle_stage", track::LifecycleStageName(e.lifecycle_stage))
      .Int("last_update_time", e.last_update_time)
      .Int("creation_time", e.creation_time)
      .List("tags", KeyValues(e.tags))
      .Build();
}

Value RunInfoJson(const track::RunInfo& info) {
  Obj o;
  o.Str("run_id", info.run_id)
      .Str("run_uuid", info.run_id)
      .Str("run_name", info.run_name)
      .Str("experiment_id", info.experiment_id)
      .Str("user_id", info.user_id)
      .Str("status", track::RunStatusName(info.status))
      .Int("start_time", info.start_time);
  if (info.end_time) o.Int("end_time", *info.end_time);
  return o.Str("artifact_uri", info.artifact_uri)
      .Str("lifecycle_stage", track::LifecycleStageName(info.lifecycle_stage))
      .Build();
}

Value RunJson(const track::Run& run) {
  Value metrics = ListOf(run.data.metrics, [](const track::Metric& m) {
    return Obj()
        .Str("key", m.key)
        .Set("value", DoubleJson(m.value))
        .Int("timestamp", m.timestamp)
        .Int("step", m.step)
        .Build();
  });
  Value data = Obj()
                   .List("metrics", std::move(metrics))
                   .List("params", KeyValues(run.data.params))
                   .List("tags", KeyValues(run.data.tags))
                   .Build();
  return Obj().Set("info", RunInfoJson(run.info)).Set("data", std::move(data)).Build();
}

Value ModelVersionJson(const registry::ModelVersion& v) {
  return Obj()
      .Str("name", v.name)
      .Str("version", std::to_string(v.version))
      .Int("creation_timestamp", v.creation_timestamp)
      .Int("last_updated_timestamp", v.last_updated_timestamp)
      .Str("user_id", v.user_id)
      .Str("current_stage", registry::StageName(v.current_stage))
      .Str("description", v.description)
      .Str("source", v.source)
      .Str("run_id", v.run_id)
      .Str("status", registry::VersionStatusName(v.status))
      .Str("status_message", v.status_message)
      .List("tags", KeyValues(v.tags))
      .Str("run_link", v.run_link)
      .List("aliases", ListOf(v.aliases, [](const std::string& a) { return Value::String(a); }))
      .Str("model_id", v.model_id)
      .Build();
}

Value RegisteredModelJson(const registry::RegisteredModel& m) {
  return Obj()
      .Str("name", m.name)
      .Int("creation_timestamp", m.creation_timestamp)
      .Int("last_updated_timestamp", m.last_updated_timestamp)
      .Str("user_id", m.user_id)
      .Str("description", m.description)
      .List("latest_versions", ListOf(m.latest_versions, ModelVersionJson))
      .List("tags", KeyValues(m.tags))
      .List("aliases",
            ListOf(m.aliases,
                   [](const registry::AliasEntry& a) {
                     return Obj().Str("alias", a.alias).Str("version", a.version).Build();
                   }))
      .Build();
}

Value JsonWith(std::string_view key, Value value) {
  Value out = Value::Mapping();
  out.Set(std::string(key), std::move(value));
  return out;
}

std::string JsonText(const Value& value) { return core::ToPrettyJson(value, 2) + "\n"; }

std::string FieldLines(std::initializer_list<std::pair<std::string_view, std::string>> fields) {
  std::string text;
  for (const auto& [key, value] : fields) {
    if (!value.empty()) text += fmt::format("{}: {}\n", key, value);
  }
  return text;
}

std::string FormatMillis(int64_t millis) {
  if (millis == 0) return "";
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string FormatMetric(double value) { return core::FormatPythonFloat(value); }

void AddMlflowFlags(CLI::App* cmd, MlflowFlags& flags, bool registry) {
  cmd->add_option("--tracking-uri", flags.tracking_uri,
                  "Tracking store: sqlite:///<file> or http(s)://<server> (default: "
                  "$MLFLOW_TRACKING_URI, else sqlite:///mlflow.db)");
  if (registry) {
    cmd->add_option("--registry-uri", flags.registry_uri,
                    "Registry store (default: $MLFLOW_REGISTRY_URI, else the tracking URI)");
  }
  cmd->add_flag("--json", flags.json, "Print MLflow's JSON");
}

}  // namespace cairn::cli
