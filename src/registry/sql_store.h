// SqlRegistryStore: the model registry in a SQLite database (the file tracking uses, or its
// own), with MLflow's SQL store semantics (see registry.h). Tables and migrations are in
// sql_schema.cc; search filters are compiled to SQL with bound parameters in sql_search.cc.
//
// Threads: thread-safe. Every call leases a connection from one db::ConnectionPool; a change
// that touches several rows runs in one transaction (all or nothing), and a read that runs
// several queries runs them in one snapshot.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "db/db.h"
#include "registry/registry.h"

namespace cairn::registry {

class SqlRegistryStore final : public RegistryStore {
 public:
  /// Opens (creating it if needed) the SQLite database at `path` and brings the registry
  /// schema up to date; a schema newer than this cairn knows is refused (kInvalidState).
  static Result<std::unique_ptr<SqlRegistryStore>> Open(const std::string& path,
                                                        const db::SqliteOptions& options);

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

 private:
  SqlRegistryStore(db::ConnectionPool::Opener open, bool single_connection)
      : pool_(std::move(open)), single_connection_(single_connection) {}

  /// A connection for one call and, for a database only one connection can reach (SQLite's
  /// ":memory:"), the lock that keeps other calls off it. Members release in reverse order.
  struct Session {
    std::unique_lock<std::mutex> lock;
    db::ConnectionPool::Lease lease;
    db::Connection& conn() const { return *lease; }
  };
  Result<Session> Acquire();

  db::ConnectionPool pool_;
  const bool single_connection_;
  std::mutex single_mu_;  // held for a whole call when single_connection_
};

}  // namespace cairn::registry
