// Module-private: RestRegistryStore, the RegistryStore that is a client of MLflow's REST API
// (a `cairn server` or a real MLflow server).
//
// Every method is one call of the endpoint MLflow's Python client uses for it
// (../shared/reference/mlflow-api.md section 5): GET with a query string for get, search,
// get-download-uri and get-alias; POST, PATCH or DELETE with a JSON body for the rest (the
// registry's DELETEs carry their fields in the body, as the Python client sends them).
// Validation is the server's; net/json_api.h says how HTTP failures map to Status.
//
// Thread-safe: the store holds only an immutable net::JsonApiClient.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/json_api.h"
#include "registry/registry.h"

namespace cairn::registry {

/// The REST store for an http(s) `uri` ("http://host:5000", "https://host/prefix").
Result<std::unique_ptr<RegistryStore>> OpenRestRegistryStore(const core::Uri& uri,
                                                             const StoreOptions& options);

class RestRegistryStore final : public RegistryStore {
 public:
  explicit RestRegistryStore(std::unique_ptr<net::JsonApiClient> api);

  Result<RegisteredModel> CreateRegisteredModel(std::string_view name, const std::vector<Tag>& tags,
                                                std::string_view description) override;
  Result<RegisteredModel> RenameRegisteredModel(std::string_view name,
                                                std::string_view new_name) override;
  Result<RegisteredModel> UpdateRegisteredModel(std::string_view name,
                                                std::string_view description) override;
  Status DeleteRegisteredModel(std::string_view name) override;
  Result<RegisteredModel> GetRegisteredModel(std::string_view name) override;
  Result<Page<RegisteredModel>> SearchRegisteredModels(const SearchRequest& request) override;
  Result<std::vector<ModelVersion>> GetLatestVersions(
      std::string_view name, const std::vector<std::string>& stages) override;
  Status SetRegisteredModelTag(std::string_view name, const Tag& tag) override;
  Status DeleteRegisteredModelTag(std::string_view name, std::string_view key) override;

  Result<ModelVersion> CreateModelVersion(const CreateModelVersionRequest& request) override;
  Result<ModelVersion> UpdateModelVersion(std::string_view name, std::string_view version,
                                          std::string_view description) override;
  Result<ModelVersion> TransitionModelVersionStage(std::string_view name, std::string_view version,
                                                   std::string_view stage,
                                                   bool archive_existing_versions) override;
  Status DeleteModelVersion(std::string_view name, std::string_view version) override;
  Result<ModelVersion> GetModelVersion(std::string_view name, std::string_view version) override;
  Result<Page<ModelVersion>> SearchModelVersions(const SearchRequest& request) override;
  Result<std::string> GetModelVersionDownloadUri(std::string_view name,
                                                 std::string_view version) override;
  Status SetModelVersionTag(std::string_view name, std::string_view version,
                            const Tag& tag) override;
  Status DeleteModelVersionTag(std::string_view name, std::string_view version,
                               std::string_view key) override;

  Status SetAlias(std::string_view name, std::string_view alias, std::string_view version) override;
  Status DeleteAlias(std::string_view name, std::string_view alias) override;
  Result<ModelVersion> GetModelVersionByAlias(std::string_view name,
                                              std::string_view alias) override;

  /// An answer's body and the request it answers ("GET http://host/api/2.0/mlflow/...").
  struct Answer {
    core::Value body;
    std::string what;
  };

 private:
  // GET /api/2.0/mlflow/<endpoint>.
  Result<Answer> Get(std::string_view endpoint, const net::QueryParams& query) const;
  // <method> /api/2.0/mlflow/<endpoint> with `body`.
  Result<Answer> Send(std::string_view method, std::string_view endpoint,
                      const net::JsonBody& body) const;
  Result<RegisteredModel> ModelAnswer(std::string_view method, std::string_view endpoint,
                                      const net::JsonBody& body) const;
  Result<ModelVersion> VersionAnswer(std::string_view method, std::string_view endpoint,
                                     const net::JsonBody& body) const;

  std::unique_ptr<net::JsonApiClient> api_;
};

}  // namespace cairn::registry
