// Opening the tracking and registry stores for the MLflow commands; MLflow's JSON of their
// entities.
#include "cli/mlflow_stores.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

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

ml::ArtifactAccess ArtifactAccessFor(const Context& ctx, const MlflowFlags& flags) {
  Credentials c = CredentialsFromEnv(ctx);
  ml::ArtifactAccess access;
  access.tracking_uri = TrackingUri(ctx, flags);
  access.username = c.username;
  access.password = c.password;
  access.token = c.token;
  access.verify_tls = c.verify_tls;
  return access;
}

}  // namespace cairn::cli
