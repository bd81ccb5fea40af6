// The model registry endpoints (reference section 5): registered models, versions, tags,
// stages and aliases over the RegistryStore. DELETEs take their fields from a JSON body (the
// Python client) or the query string (curl).
//
// Deviation from MLflow: transition-stage with archive_existing_versions=true towards a stage
// other than Staging or Production is 400 INVALID_PARAMETER_VALUE (MLflow answers 500, which
// its client retries); the store decides it.
//
// Model version sources are checked here, where both stores are at hand: a local path must lie
// inside the artifact directory of the run given (MLflow's rule), and a logged model's source
// ("models:/m-...") is stored with the model's artifact location as its download URI.
#include <fmt/format.h>

#include <unistd.h>

#include <cctype>

#include "core/path.h"
#include "core/strings.h"
#include "core/uri.h"
#include "server/routes.h"
#include "server/wire.h"

namespace cairn::server {
namespace {

registry::RegistryStore& Store(const Call& call) { return *call.state.registry; }

// The scheme of a URI ("runs", "file"), lowercased; empty for a plain path.
std::string SchemeOf(std::string_view location) {
  size_t colon = location.find(':');
  if (colon == std::string_view::npos || colon == 0) return "";
  std::string_view scheme = location.substr(0, colon);
  if (!std::isalpha(static_cast<unsigned char>(scheme[0]))) return "";
  for (char c : scheme) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return "";
    }
  }
  return core::ToLower(scheme);
}

// A local path (a plain path or file:), absolute and normalized; nullopt for other URIs.
std::optional<std::string> LocalPath(std::string_view location) {
  std::string scheme = SchemeOf(location);
  if (!scheme.empty() && scheme != "file") return std::nullopt;
  std::string path(location);
  if (scheme == "file") {
    Result<core::Uri> uri = core::Uri::Parse(location);
    path = uri.ok() ? uri->DecodedPath() : std::string(location.substr(5));
  }
  if (!core::IsAbsolutePath(path)) {
    char cwd[4096];
    path = core::JoinPath(::getcwd(cwd, sizeof(cwd)) != nullptr ? cwd : "/", path);
  }
  return core::NormalizePath(path);
}

// MLflow's _validate_source: a local source is only taken from inside the artifact directory
// of the run named by run_id (otherwise anyone could register, then download, any file the
// server can read).
Status CheckLocalSource(const Call& call, std::string_view source, std::string_view run_id) {
  std::optional<std::string> path = LocalPath(source);
  if (!path) return Status::Ok();
  if (!run_id.empty()) {
    CAIRN_ASSIGN_OR_RETURN(track::Run run, call.state.tracking->GetRun(run_id));
    std::optional<std::string> run_dir = LocalPath(run.info.artifact_uri);
    if (run_dir && core::PathIsWithin(*path, *run_dir)) return Status::Ok();
  }
  return Status::InvalidArgument(fmt::format(
      "Invalid model version source: '{}'. To use a local path as a model version source, the "
      "run_id request parameter has to be specified and the local path has to be contained "
      "within the artifact directory of the run specified by the run_id.",
      source));
}

// MLflow 3: a version of a logged model ("models:/m-<id>") lives where the logged model's
// artifacts are. Empty when the source is not one, or the model is unknown.
Result<std::string> LoggedModelLocation(const Call& call, std::string_view source) {
  constexpr std::string_view kScheme = "models:/";
  if (!source.starts_with(kScheme)) return std::string();
  std::string_view model_id = source.substr(kScheme.size());
  while (model_id.ends_with('/')) model_id.remove_suffix(1);
  if (!model_id.starts_with("m-") || model_id.find('/') != std::string_view::npos) {
    return std::string();
  }
  Result<track::LoggedModel> model = call.state.tracking->GetLoggedModel(model_id);
  if (!model.ok()) {
    if (model.status().IsNotFound()) return std::string();
    return model.status();
  }
  return model->artifact_uri;
}

core::Value ModelResponse(const registry::RegisteredModel& model) {
  return JsonObject().Object("registered_model", RegisteredModelJson(model)).Build();
}

core::Value VersionResponse(const registry::ModelVersion& version) {
  return JsonObject().Object("model_version", ModelVersionJson(version)).Build();
}

Result<registry::SearchRequest> ReadSearch(const Params& p) {
  registry::SearchRequest request;
  CAIRN_ASSIGN_OR_RETURN(request.filter, p.String("filter"));
  CAIRN_ASSIGN_OR_RETURN(request.max_results, p.OptInt64("max_results"));
  CAIRN_ASSIGN_OR_RETURN(request.order_by, p.StringList("order_by"));
  CAIRN_ASSIGN_OR_RETURN(request.page_token, p.String("page_token"));
  return request;
}

// --- Registered models ---

Result<core::Value> CreateRegisteredModel(const Call& call) {
  const Params& p = call.params;
  CAIRN_ASSIGN_OR_RETURN(std::string name, p.RequiredString("name"));
  CAIRN_ASSIGN_OR_RETURN(std::vector<registry::Tag> tags, RegistryTags(p, "tags"));
  CAIRN_ASSIGN_OR_RETURN(std::string description, p.String("description"));
  CAIRN_ASSIGN_OR_RETURN(registry::RegisteredModel model,
                         Store(call).CreateRegisteredModel(name, tags, description));
  return ModelResponse(model);
}

Result<core::Value> RenameRegisteredModel(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string name, call.params.RequiredString("name"));
  CAIRN_ASSIGN_OR_RETURN(std::string new_name, call.params.RequiredString("new_name"));
  CAIRN_ASSIGN_OR_RETURN(registry::RegisteredModel model,
                         Store(call).RenameRegisteredModel(name, new_name));
  return ModelResponse(model);
}

Result<core::Value> UpdateRegisteredModel(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string name, call.params.RequiredString("name"));
  CAIRN_ASSIGN_OR_RETURN(std::string description, call.params.String("description"));
  CAIRN_ASSIGN_OR_RETURN(registry::RegisteredModel model,
                         Store(call).UpdateRegisteredModel(name, description));
  return ModelResponse(model);
}

Result<core::Value> DeleteRegisteredModel(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string name, call.params.RequiredString("name"));
  CAIRN_RETURN_IF_ERROR(Store(call).DeleteRegisteredModel(name));
  return EmptyJson();
}

Result<core::Value> GetRegisteredModel(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string name, call.params.RequiredString("name"));
  CAIRN_ASSIGN_OR_RETURN(registry::RegisteredModel model, Store(call).GetRegisteredModel(name));
  return ModelResponse(model);
}

Result<core::Value> SearchRegisteredModels(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(registry::SearchRequest request, ReadSearch(call.params));
  CAIRN_ASSIGN_OR_RETURN(registry::Page<registry::RegisteredModel> page,
                         Store(call).SearchRegisteredModels(request));
  return JsonObject()
      .List("registered_models", JsonList(page.items, RegisteredModelJson))
      .Str("next_page_token", page.next_page_token)
      .Build();
}

Result<core::Value> GetLatestVersions(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string name, call.params.RequiredString("name"));
  CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> stages, call.params.StringList("stages"));
  CAIRN_ASSIGN_OR_RETURN(std::vector<registry::ModelVersion> versions,
                         Store(call).GetLatestVersions(name, stages));
  return JsonObject().List("model_versions", JsonList(versions, ModelVersionJson)).Build();
}

Result<core::Value> SetRegisteredModelTag(const Call& call) {
  const Params& p = call.params;
  CAIRN_ASSIGN_OR_RETURN(std::string name, p.RequiredString("name"));
  registry::Tag tag;
  CAIRN_ASSIGN_OR_RETURN(tag.key, p.RequiredString("key"));
  CAIRN_ASSIGN_OR_RETURN(tag.value, p.PresentString("value"));
  CAIRN_RETURN_IF_ERROR(Store(call).SetRegisteredModelTag(name, tag));
  return EmptyJson();
}

Result<core::Value> DeleteRegisteredModelTag(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string name, call.params.RequiredString("name"));
  CAIRN_ASSIGN_OR_RETURN(std::string key, call.params.RequiredString("key"));
  CAIRN_RETURN_IF_ERROR(Store(call).DeleteRegisteredModelTag(name, key));
  return EmptyJson();
}

// --- Model versions ---

Result<core::Value> CreateModelVersion(const Call& call) {
  const Params& p = call.params;
  registry::CreateModelVersionRequest request;
  CAIRN_ASSIGN_OR_RETURN(request.name, p.RequiredString("name"));
  CAIRN_ASSIGN_OR_RETURN(request.source, p.RequiredString("source"));
  CAIRN_ASSIGN_OR_RETURN(request.run_id, p.String("run_id"));
  CAIRN_ASSIGN_OR_RETURN(request.tags, RegistryTags(p, "tags"));
  CAIRN_ASSIGN_OR_RETURN(request.run_link, p.String("run_link"));
  CAIRN_ASSIGN_OR_RETURN(request.description, p.String("description"));
  CAIRN_ASSIGN_OR_RETURN(request.model_id, p.String("model_id"));
  CAIRN_RETURN_IF_ERROR(CheckLocalSource(call, request.source, request.run_id));
  CAIRN_ASSIGN_OR_RETURN(request.storage_location, LoggedModelLocation(call, request.source));
  CAIRN_ASSIGN_OR_RETURN(registry::ModelVersion version, Store(call).CreateModelVersion(request));
  return VersionResponse(version);
}

Result<core::Value> UpdateModelVersion(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string name, call.params.RequiredString("name"));
  CAIRN_ASSIGN_OR_RETURN(std::string version, call.params.RequiredString("version"));
  CAIRN_ASSIGN_OR_RETURN(std::string description, call.params.String("description"));
  CAIRN_ASSIGN_OR_RETURN(registry::ModelVersion updated,
                         Store(call).UpdateModelVersion(name, version, description));
  return VersionResponse(updated);
}

Result<core::Value> TransitionModelVersionStage(const Call& call) {
  const Params& p = call.params;
  CAIRN_ASSIGN_OR_RETURN(std::string name, p.RequiredString("name"));
  CAIRN_ASSIGN_OR_RETURN(std::string version, p.RequiredString("version"));
  CAIRN_ASSIGN_OR_RETURN(std::string stage, p.RequiredString("stage"));
  CAIRN_ASSIGN_OR_RETURN(bool archive, p.RequiredBool("archive_existing_versions"));
  CAIRN_ASSIGN_OR_RETURN(registry::ModelVersion updated,
                         Store(call).TransitionModelVersionStage(name, version, stage, archive));
  return VersionResponse(updated);
}

Result<core::Value> DeleteModelVersion(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string name, call.params.RequiredString("name"));
  CAIRN_ASSIGN_OR_RETURN(std::string version, call.params.RequiredString("version"));
  CAIRN_RETURN_IF_ERROR(Store(call).DeleteModelVersion(name, version));
  return EmptyJson();
}

Result<core::Value> GetModelVersion(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string name, call.params.RequiredString("name"));
  CAIRN_ASSIGN_OR_RETURN(std::string version, call.params.RequiredString("version"));
  CAIRN_ASSIGN_OR_RETURN(registry::ModelVersion found, Store(call).GetModelVersion(name, version));
  return VersionResponse(found);
}

Result<core::Value> SearchModelVersions(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(registry::SearchRequest request, ReadSearch(call.params));
  CAIRN_ASSIGN_OR_RETURN(registry::Page<registry::ModelVersion> page,
                         Store(call).SearchModelVersions(request));
  return JsonObject()
      .List("model_versions", JsonList(page.items, ModelVersionJson))
      .Str("next_page_token", page.next_page_token)
      .Build();
}

Result<core::Value> GetModelVersionDownloadUri(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string name, call.params.RequiredString("name"));
  CAIRN_ASSIGN_OR_RETURN(std::string version, call.params.RequiredString("version"));
  CAIRN_ASSIGN_OR_RETURN(std::string uri, Store(call).GetModelVersionDownloadUri(name, version));
  return JsonObject().Str("artifact_uri", uri).Build();
}

Result<core::Value> SetModelVersionTag(const Call& call) {
  const Params& p = call.params;
  CAIRN_ASSIGN_OR_RETURN(std::string name, p.RequiredString("name"));
  CAIRN_ASSIGN_OR_RETURN(std::string version, p.RequiredString("version"));
  registry::Tag tag;
  CAIRN_ASSIGN_OR_RETURN(tag.key, p.RequiredString("key"));
  CAIRN_ASSIGN_OR_RETURN(tag.value, p.PresentString("value"));
  CAIRN_RETURN_IF_ERROR(Store(call).SetModelVersionTag(name, version, tag));
  return EmptyJson();
}

Result<core::Value> DeleteModelVersionTag(const Call& call) {
  const Params& p = call.params;
  CAIRN_ASSIGN_OR_RETURN(std::string name, p.RequiredString("name"));
  CAIRN_ASSIGN_OR_RETURN(std::string version, p.RequiredString("version"));
  CAIRN_ASSIGN_OR_RETURN(std::string key, p.RequiredString("key"));
  CAIRN_RETURN_IF_ERROR(Store(call).DeleteModelVersionTag(name, version, key));
  return EmptyJson();
}

// --- Aliases ---

Result<core::Value> SetAlias(const Call& call) {
  const Params& p = call.params;
  CAIRN_ASSIGN_OR_RETURN(std::string name, p.RequiredString("name"));
  CAIRN_ASSIGN_OR_RETURN(std::string alias, p.RequiredString("alias"));
  CAIRN_ASSIGN_OR_RETURN(std::string version, p.RequiredString("version"));
  CAIRN_RETURN_IF_ERROR(Store(call).SetAlias(name, alias, version));
  return EmptyJson();
}

Result<core::Value> DeleteAlias(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string name, call.params.RequiredString("name"));
  CAIRN_ASSIGN_OR_RETURN(std::string alias, call.params.RequiredString("alias"));
  CAIRN_RETURN_IF_ERROR(Store(call).DeleteAlias(name, alias));
  return EmptyJson();
}

Result<core::Value> GetModelVersionByAlias(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string name, call.params.RequiredString("name"));
  CAIRN_ASSIGN_OR_RETURN(std::string alias, call.params.RequiredString("alias"));
  CAIRN_ASSIGN_OR_RETURN(registry::ModelVersion version,
                         Store(call).GetModelVersionByAlias(name, alias));
  return VersionResponse(version);
}

}  // namespace

void AddRegistryRoutes(Routes& routes) {
  routes.Json("POST", "/mlflow/registered-models/create", CreateRegisteredModel);
  routes.Json("POST", "/mlflow/registered-models/rename", RenameRegisteredModel);
  routes.Json("PATCH", "/mlflow/registered-models/update", UpdateRegisteredModel);
  routes.Json("DELETE", "/mlflow/registered-models/delete", DeleteRegisteredModel);
  routes.Json("GET", "/mlflow/registered-models/get", GetRegisteredModel);
  routes.Json("GET", "/mlflow/registered-models/search", SearchRegisteredModels);
  routes.Json("POST", "/mlflow/registered-models/get-latest-versions", GetLatestVersions);
  routes.Json("GET", "/mlflow/registered-models/get-latest-versions", GetLatestVersions);
  routes.Json("POST", "/mlflow/registered-models/set-tag", SetRegisteredModelTag);
  routes.Json("DELETE", "/mlflow/registered-models/delete-tag", DeleteRegisteredModelTag);
  routes.Json("POST", "/mlflow/registered-models/alias", SetAlias);
  routes.Json("DELETE", "/mlflow/registered-models/alias", DeleteAlias);
  routes.Json("GET", "/mlflow/registered-models/alias", GetModelVersionByAlias);

  routes.Json("POST", "/mlflow/model-versions/create", CreateModelVersion);
  routes.Json("PATCH", "/mlflow/model-versions/update", UpdateModelVersion);
  routes.Json("POST", "/mlflow/model-versions/transition-stage", TransitionModelVersionStage);
  routes.Json("DELETE", "/mlflow/model-versions/delete", DeleteModelVersion);
  routes.Json("GET", "/mlflow/model-versions/get", GetModelVersion);
  routes.Json("GET", "/mlflow/model-versions/search", SearchModelVersions);
  routes.Json("GET", "/mlflow/model-versions/get-download-uri", GetModelVersionDownloadUri);
  routes.Json("POST", "/mlflow/model-versions/set-tag", SetModelVersionTag);
  routes.Json("DELETE", "/mlflow/model-versions/delete-tag", DeleteModelVersionTag);
}

}  // namespace cairn::server
