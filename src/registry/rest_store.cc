// RestRegistryStore: each RegistryStore primitive as one call of MLflow's REST API.
#include "registry/rest_store.h"

#include "registry/rest_wire.h"

namespace cairn::registry {
namespace {

using core::Value;
using net::FieldReader;
using Body = net::JsonBody;

constexpr std::string_view kApi = "/api/2.0/mlflow/";

template <class F>
auto Read(const RestRegistryStore::Answer& answer, F read) {
  return net::ReadAnswer(answer.body, answer.what, read);
}

std::string SearchParam(const std::optional<int64_t>& n) { return n ? std::to_string(*n) : ""; }

// The query of a search: empty fields left out, one order_by per entry.
net::QueryParams SearchQuery(const SearchRequest& request) {
  net::QueryParams query;
  if (!request.filter.empty()) query.emplace_back("filter", request.filter);
  if (request.max_results) query.emplace_back("max_results", SearchParam(request.max_results));
  for (const std::string& o : request.order_by) query.emplace_back("order_by", o);
  if (!request.page_token.empty()) query.emplace_back("page_token", request.page_token);
  return query;
}

}  // namespace

Result<std::unique_ptr<RegistryStore>> OpenRestRegistryStore(const core::Uri& uri,
                                                             const StoreOptions& options) {
  net::JsonApiOptions api_options;
  api_options.username = options.username;
  api_options.password = options.password;
  api_options.token = options.token;
  api_options.verify_tls = options.verify_tls;
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<net::JsonApiClient> api,
                         net::JsonApiClient::Open(uri, std::move(api_options)));
  return std::unique_ptr<RegistryStore>(std::make_unique<RestRegistryStore>(std::move(api)));
}

RestRegistryStore::RestRegistryStore(std::unique_ptr<net::JsonApiClient> api)
    : api_(std::move(api)) {}

Result<RestRegistryStore::Answer> RestRegistryStore::Get(std::string_view endpoint,
                                                         const net::QueryParams& query) const {
  std::string path = std::string(kApi) + std::string(endpoint);
  CAIRN_ASSIGN_OR_RETURN(Value body, api_->Get(path, query));
  return Answer{std::move(body), "GET " + api_->base_url() + path};
}

Result<RestRegistryStore::Answer> RestRegistryStore::Send(std::string_view method,
                                                          std::string_view endpoint,
                                                          const Body& body) const {
  std::string path = std::string(kApi) + std::string(endpoint);
  CAIRN_ASSIGN_OR_RETURN(Value answer, api_->Send(method, path, body.value()));
  return Answer{std::move(answer), std::string(method) + " " + api_->base_url() + path};
}

Result<RegisteredModel> RestRegistryStore::ModelAnswer(std::string_view method,
                                                       std::string_view endpoint,
                                                       const Body& body) const {
  CAIRN_ASSIGN_OR_RETURN(Answer answer, Send(method, endpoint, body));
  return Read(answer, [](const FieldReader& r) {
    return wire::ReadRegisteredModel(r.Child("registered_model"));
  });
}

Result<ModelVersion> RestRegistryStore::VersionAnswer(std::string_view method,
                                                      std::string_view endpoint,
                                                      const Body& body) const {
  CAIRN_ASSIGN_OR_RETURN(Answer answer, Send(method, endpoint, body));
  return Read(answer, [](const FieldReader& r) {
    return wire::ReadModelVersion(r.Child("model_version"));
  });
}

// --- registered models ---

Result<RegisteredModel> RestRegistryStore::CreateRegisteredModel(std::string_view name,
                                                                 const std::vector<Tag>& tags,
                                                                 std::string_view description) {
  Body body;
  body.Str("name", name).StrIfSet("description", description);
  if (!tags.empty()) body.Set("tags", wire::WriteTags(tags));
  return ModelAnswer("POST", "registered-models/create", body);
}

Result<RegisteredModel> RestRegistryStore::RenameRegisteredModel(std::string_view name,
                                                                 std::string_view new_name) {
  return ModelAnswer("POST", "registered-models/rename",
                     Body().Str("name", name).Str("new_name", new_name));
}

Result<RegisteredModel> RestRegistryStore::UpdateRegisteredModel(std::string_view name,
                                                                 std::string_view description) {
  return ModelAnswer("PATCH", "registered-models/update",
                     Body().Str("name", name).Str("description", description));
}

Status RestRegistryStore::DeleteRegisteredModel(std::string_view name) {
  return Send("DELETE", "registered-models/delete", Body().Str("name", name)).status();
}

Result<RegisteredModel> RestRegistryStore::GetRegisteredModel(std::string_view name) {
  CAIRN_ASSIGN_OR_RETURN(Answer answer,
                         Get("registered-models/get", {{"name", std::string(name)}}));
  return Read(answer, [](const FieldReader& r) {
    return wire::ReadRegisteredModel(r.Child("registered_model"));
  });
}

Result<Page<RegisteredModel>> RestRegistryStore::SearchRegisteredModels(
    const SearchRequest& request) {
  CAIRN_ASSIGN_OR_RETURN(Answer answer, Get("registered-models/search", SearchQuery(request)));
  return Read(answer, [](const FieldReader& r) {
    Page<RegisteredModel> page;
    for (const FieldReader& m : r.Items("registered_models")) {
      page.items.push_back(wire::ReadRegisteredModel(m));
    }
    page.next_page_token = r.String("next_page_token");
    return page;
  });
}

Result<std::vector<ModelVersion>> RestRegistryStore::GetLatestVersions(
    std::string_view name, const std::vector<std::string>& stages) {
  Body body;
  body.Str("name", name);
  if (!stages.empty()) body.Strs("stages", stages);
  CAIRN_ASSIGN_OR_RETURN(Answer answer,
                         Send("POST", "registered-models/get-latest-versions", body));
  return Read(answer, [](const FieldReader& r) {
    std::vector<ModelVersion> versions;
    for (const FieldReader& v : r.Items("model_versions")) {
      versions.push_back(wire::ReadModelVersion(v));
    }
    return versions;
  });
}

Status RestRegistryStore::SetRegisteredModelTag(std::string_view name, const Tag& tag) {
  return Send("POST", "registered-models/set-tag",
              Body().Str("name", name).Str("key", tag.key).Str("value", tag.value))
      .status();
}

Status RestRegistryStore::DeleteRegisteredModelTag(std::string_view name, std::string_view key) {
  return Send("DELETE", "registered-models/delete-tag", Body().Str("name", name).Str("key", key))
      .status();
}

// --- versions ---

Result<ModelVersion> RestRegistryStore::CreateModelVersion(
    const CreateModelVersionRequest& request) {
  Body body;
  body.Str("name", request.name)
      .Str("source", request.source)
      .StrIfSet("run_id", request.run_id)
      .StrIfSet("run_link", request.run_link)
      .StrIfSet("description", request.description)
      .StrIfSet("model_id", request.model_id)
      // Not a field of MLflow's request (its server derives it), so MLflow ignores it; cairn's
      // server may take it.
      .StrIfSet("storage_location", request.storage_location);
  if (!request.tags.empty()) body.Set("tags", wire::WriteTags(request.tags));
  return VersionAnswer("POST", "model-versions/create", body);
}

Result<ModelVersion> RestRegistryStore::UpdateModelVersion(std::string_view name,
                                                           std::string_view version,
                                                           std::string_view description) {
  return VersionAnswer(
      "PATCH", "model-versions/update",
      Body().Str("name", name).Str("version", version).Str("description", description));
}

Result<ModelVersion> RestRegistryStore::TransitionModelVersionStage(
    std::string_view name, std::string_view version, std::string_view stage,
    bool archive_existing_versions) {
  return VersionAnswer("POST", "model-versions/transition-stage",
                       Body()
                           .Str("name", name)
                           .Str("version", version)
                           .Str("stage", stage)
                           .Bool("archive_existing_versions", archive_existing_versions));
}

Status RestRegistryStore::DeleteModelVersion(std::string_view name, std::string_view version) {
  return Send("DELETE", "model-versions/delete", Body().Str("name", name).Str("version", version))
      .status();
}

Result<ModelVersion> RestRegistryStore::GetModelVersion(std::string_view name,
                                                        std::string_view version) {
  CAIRN_ASSIGN_OR_RETURN(
      Answer answer,
      Get("model-versions/get", {{"name", std::string(name)}, {"version", std::string(version)}}));
  return Read(answer, [](const FieldReader& r) {
    return wire::ReadModelVersion(r.Child("model_version"));
  });
}

Result<Page<ModelVersion>> RestRegistryStore::SearchModelVersions(const SearchRequest& request) {
  CAIRN_ASSIGN_OR_RETURN(Answer answer, Get("model-versions/search", SearchQuery(request)));
  return Read(answer, [](const FieldReader& r) {
    Page<ModelVersion> page;
    for (const FieldReader& v : r.Items("model_versions")) {
      page.items.push_back(wire::ReadModelVersion(v));
    }
    page.next_page_token = r.String("next_page_token");
    return page;
  });
}

Result<std::string> RestRegistryStore::GetModelVersionDownloadUri(std::string_view name,
                                                                  std::string_view version) {
  CAIRN_ASSIGN_OR_RETURN(Answer answer,
                         Get("model-versions/get-download-uri",
                             {{"name", std::string(name)}, {"version", std::string(version)}}));
  return Read(answer, [](const FieldReader& r) { return r.String("artifact_uri"); });
}

Status RestRegistryStore::SetModelVersionTag(std::string_view name, std::string_view version,
                                             const Tag& tag) {
  return Send("POST", "model-versions/set-tag",
              Body()
                  .Str("name", name)
                  .Str("version", version)
                  .Str("key", tag.key)
                  .Str("value", tag.value))
      .status();
}

Status RestRegistryStore::DeleteModelVersionTag(std::string_view name, std::string_view version,
                                                std::string_view key) {
  return Send("DELETE", "model-versions/delete-tag",
              Body().Str("name", name).Str("version", version).Str("key", key))
      .status();
}

// --- aliases ---

Status RestRegistryStore::SetAlias(std::string_view name, std::string_view alias,
                                   std::string_view version) {
  return Send("POST", "registered-models/alias",
              Body().Str("name", name).Str("alias", alias).Str("version", version))
      .status();
}

Status RestRegistryStore::DeleteAlias(std::string_view name, std::string_view alias) {
  return Send("DELETE", "registered-models/alias", Body().Str("name", name).Str("alias", alias))
      .status();
}

Result<ModelVersion> RestRegistryStore::GetModelVersionByAlias(std::string_view name,
                                                               std::string_view alias) {
  CAIRN_ASSIGN_OR_RETURN(
      Answer answer,
      Get("registered-models/alias", {{"name", std::string(name)}, {"alias", std::string(alias)}}));
  return Read(answer, [](const FieldReader& r) {
    return wire::ReadModelVersion(r.Child("model_version"));
  });
}

}  // namespace cairn::registry
