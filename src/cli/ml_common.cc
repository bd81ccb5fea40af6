// What the ML commands share (see ml_common.h).
#include "cli/ml_common.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>

#include "core/path.h"
#include "core/strings.h"
#include "sys/temp_dir.h"

namespace cairn::cli {

std::string Abs(const Context& ctx, std::string_view path) {
  if (core::IsAbsolutePath(path)) return std::string(path);
  return core::NormalizePath(core::JoinPath(ctx.cwd, path));
}

void Out(Context& ctx, std::string_view text) { std::fwrite(text.data(), 1, text.size(), ctx.out); }

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string UserName(const Context& ctx) {
  for (const char* var : {"GITHUB_ACTOR", "USER", "LOGNAME"}) {
    std::optional<std::string> v = ctx.env.GetVar(var);
    if (v && !v->empty()) return *v;
  }
  return "";
}

std::string ParamsPath(const Context& ctx, std::string_view flag) {
  if (!flag.empty()) return Abs(ctx, flag);
  std::string fallback = core::JoinPath(ctx.cwd, "params.yaml");
  return ctx.env.Stat(fallback).ok() ? fallback : "";
}

core::Status BadParam(const core::Value& value, std::string_view key, std::string_view what) {
  return core::Status::InvalidArgument(
      fmt::format("{}: {}: expected {}", value.location().ToString(), key, what));
}

core::Status WriteFileAtomically(sys::Env& env, const std::string& path, std::string_view text) {
  CAIRN_ASSIGN_OR_RETURN(auto file, env.OpenAtomic(path));
  CAIRN_RETURN_IF_ERROR(file->Append(text));
  return file->Commit();
}

core::Status AppendToRunnerFile(Context& ctx, const char* var, std::string_view text) {
  std::optional<std::string> path = ctx.env.GetVar(var);
  if (!path || path->empty()) return core::Status::Ok();
  std::FILE* f = std::fopen(path->c_str(), "a");
  bool ok = f != nullptr && std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (f != nullptr) ok = std::fclose(f) == 0 && ok;
  if (!ok) return core::Status::IoError(fmt::format("cannot append to ${} ({})", var, *path));
  return core::Status::Ok();
}

std::vector<std::pair<std::string, double>> MetricPairs(const ml::Metrics& m) {
  return {{"accuracy", m.accuracy},       {"precision", m.precision},
          {"recall", m.recall},           {"f1", m.f1},
          {"roc_auc", m.roc_auc},         {"log_loss", m.log_loss},
          {"n", static_cast<double>(m.n)}};
}

std::string MetricsTable(const ml::Metrics& metrics) {
  std::string text;
  for (auto& [name, value] : MetricPairs(metrics)) {
    text += fmt::format("  {:<10} {}\n", name,
                        name == "n" ? fmt::format("{}", metrics.n) : fmt::format("{:.4f}", value));
  }
  return text;
}

namespace {

bool IsModelUri(std::string_view uri) {
  return uri.starts_with("runs:/") || uri.starts_with("models:/");
}

}  // namespace

core::Result<LoadedModel> LoadModelByUri(Context& ctx, const MlflowFlags& flags,
                                         std::string_view uri) {
  LoadedModel loaded;
  if (!IsModelUri(uri)) {
    std::string path = uri.starts_with("file://") ? std::string(uri.substr(7)) : Abs(ctx, uri);
    CAIRN_ASSIGN_OR_RETURN(loaded.model, ml::LoadModelPath(ctx.env, path));
    loaded.location.local_path = path;
    loaded.description = std::string(uri);
    return loaded;
  }
  CAIRN_ASSIGN_OR_RETURN(auto tracking, OpenTracking(ctx, flags));
  std::unique_ptr<registry::RegistryStore> registry;
  if (uri.starts_with("models:/")) {
    CAIRN_ASSIGN_OR_RETURN(registry, OpenRegistry(ctx, flags));
  }
  CAIRN_ASSIGN_OR_RETURN(loaded.location, ml::ResolveModelUri(uri, *tracking, registry.get()));
  const ml::ModelLocation& at = loaded.location;
  if (at.artifact_uri.empty()) {
    CAIRN_ASSIGN_OR_RETURN(loaded.model, ml::LoadModelPath(ctx.env, at.local_path));
  } else {
    CAIRN_ASSIGN_OR_RETURN(sys::TempDir scratch, sys::TempDir::Create("cairn-model-"));
    CAIRN_ASSIGN_OR_RETURN(
        auto artifacts,
        ml::OpenArtifactRepository(ctx.env, at.artifact_uri, ArtifactAccessFor(ctx, flags)));
    CAIRN_RETURN_IF_ERROR(artifacts->Download("", scratch.path()));
    CAIRN_ASSIGN_OR_RETURN(loaded.model, ml::LoadModelPath(ctx.env, scratch.path()));
  }
  std::vector<std::string> details;
  if (!at.version.empty()) details.push_back("version " + at.version);
  if (!at.run_id.empty()) details.push_back("run " + at.run_id);
  loaded.description = std::string(uri);
  if (!details.empty()) loaded.description += " (" + core::Join(details, ", ") + ")";
  return loaded;
}

}  // namespace cairn::cli
