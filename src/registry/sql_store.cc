// SqlRegistryStore: registered models, versions, tags and aliases in SQL (search is in
// sql_search.cc). Every change runs in one db::InTransaction (BEGIN IMMEDIATE: checks and
// writes see the same state, and a failure halfway leaves nothing behind); the entity a call
// returns is read inside the same transaction. Reads run in one snapshot. Inputs are checked
// (validate.h) before any connection is taken.
#include "registry/sql_store.h"

#include <optional>
#include <set>
#include <utility>

#include "core/strings.h"
#include "registry/sql_rows.h"
#include "registry/sql_schema.h"
#include "registry/validate.h"

namespace cairn::registry {

namespace {

using sql::Query;

std::optional<std::string> OptionalText(std::string_view text) {
  if (text.empty()) return std::nullopt;
  return std::string(text);
}

Status ModelNotFound(std::string_view name) {
  return Status::NotFound("Registered Model with name=" + std::string(name) + " not found");
}

Status VersionNotFound(std::string_view name, int64_t version) {
  return Status::NotFound("Model Version (name=" + std::string(name) +
                          ", version=" + std::to_string(version) + ") not found");
}

Query ModelByName(std::string_view name) {
  return Query{
      "SELECT " + std::string(sql::kModelColumns) + " FROM registered_models rm WHERE rm.name = ?",
      {std::string(name)}};
}

Query VersionByKey(std::string_view name, int64_t version) {
  return Query{"SELECT " + std::string(sql::kVersionColumns) +
                   " FROM model_versions mv WHERE mv.name = ? AND mv.version = ?",
               {std::string(name), version}};
}

Result<RegisteredModel> GetModel(db::Connection& conn, std::string_view name) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<RegisteredModel> models,
                         sql::LoadModels(conn, ModelByName(name)));
  if (models.empty()) return ModelNotFound(name);
  return std::move(models.front());
}

Result<ModelVersion> GetVersion(db::Connection& conn, std::string_view name, int64_t version) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<ModelVersion> versions,
                         sql::LoadVersions(conn, VersionByKey(name, version)));
  if (versions.empty()) return VersionNotFound(name, version);
  return std::move(versions.front());
}

// True when `query` returns a row.
Result<bool> Exists(db::Connection& conn, const Query& query) {
  CAIRN_ASSIGN_OR_RETURN(db::Statement statement, sql::Prepare(conn, query));
  return statement.Step();
}

Status RequireModel(db::Connection& conn, std::string_view name) {
  CAIRN_ASSIGN_OR_RETURN(
      bool exists,
      Exists(conn, Query{"SELECT 1 FROM registered_models WHERE name = ?", {std::string(name)}}));
  return exists ? Status::Ok() : ModelNotFound(name);
}

Status RequireVersion(db::Connection& conn, std::string_view name, int64_t version) {
  CAIRN_ASSIGN_OR_RETURN(bool exists,
                         Exists(conn, Query{"SELECT 1 FROM model_versions WHERE name = ? AND "
                                            "version = ?",
                                            {std::string(name), version}}));
  return exists ? Status::Ok() : VersionNotFound(name, version);
}

// Runs `query` (no rows) and returns how many rows it changed.
Result<int64_t> Execute(db::Connection& conn, const Query& query) {
  CAIRN_ASSIGN_OR_RETURN(db::Statement statement, sql::Prepare(conn, query));
  CAIRN_RETURN_IF_ERROR(statement.Run());
  return statement.changes();
}

Status TouchModel(db::Connection& conn, std::string_view name, int64_t now) {
  return Execute(conn, Query{"UPDATE registered_models SET last_updated_time = ? WHERE name = ?",
                             {now, std::string(name)}})
      .status();
}

Status UpsertModelTag(db::Connection& conn, std::string_view name, const Tag& tag) {
  CAIRN_ASSIGN_OR_RETURN(db::Statement statement,
                         conn.Prepare("INSERT INTO registered_model_tags (name, key, value) "
                                      "VALUES (?, ?, ?) ON CONFLICT (name, key) DO UPDATE SET "
                                      "value = excluded.value"));
  statement.Bind(1, name).Bind(2, std::string_view(tag.key)).Bind(3, std::string_view(tag.value));
  return statement.Run();
}

Status UpsertVersionTag(db::Connection& conn, std::string_view name, int64_t version,
                        const Tag& tag) {
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement statement,
      conn.Prepare("INSERT INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, "
                   "?) ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value"));
  statement.Bind(1, name)
      .Bind(2, version)
      .Bind(3, std::string_view(tag.key))
      .Bind(4, std::string_view(tag.value));
  return statement.Run();
}

// MLflow 3 stores where a "models:/<name>/<version>" source really lives: that version's
// download URI. Empty when `source` is not such a URI or the version does not exist (the
// source is then what the download URI answers, and clients resolve it themselves).
Result<std::string> ResolveModelsUri(db::Connection& conn, std::string_view source) {
  constexpr std::string_view kScheme = "models:/";
  if (!source.starts_with(kScheme)) return std::string();
  std::string_view rest = source.substr(kScheme.size());
  size_t slash = rest.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return std::string();
  std::optional<int64_t> version = core::ParseInt64(rest.substr(slash + 1));
  if (!version) return std::string();
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement statement,
      sql::Prepare(conn, Query{"SELECT COALESCE(NULLIF(storage_location, ''), source) FROM "
                               "model_versions WHERE name = ? AND version = ?",
                               {std::string(rest.substr(0, slash)), *version}}));
  CAIRN_ASSIGN_OR_RETURN(bool found, statement.Step());
  return found ? statement.ColumnText(0) : std::string();
}

}  // namespace

Result<std::unique_ptr<SqlRegistryStore>> SqlRegistryStore::Open(const std::string& path,
                                                                 const db::SqliteOptions& options) {
  // Every connection to ":memory:" is a database of its own, so such a store keeps one.
  const bool memory = path.empty() || path == ":memory:";
  std::unique_ptr<SqlRegistryStore> store(
      new SqlRegistryStore([path, options]() { return db::OpenSqlite(path, options); }, memory));
  CAIRN_ASSIGN_OR_RETURN(Session session, store->Acquire());
  CAIRN_RETURN_IF_ERROR(db::Migrate(session.conn(), "registry", RegistryMigrations()).status());
  return store;
}

Result<SqlRegistryStore::Session> SqlRegistryStore::Acquire() {
  std::unique_lock<std::mutex> lock;
  if (single_connection_) lock = std::unique_lock<std::mutex>(single_mu_);
  CAIRN_ASSIGN_OR_RETURN(db::ConnectionPool::Lease lease, pool_.Acquire());
  return Session{std::move(lock), std::move(lease)};
}

// ---- Registered models ----

Result<RegisteredModel> SqlRegistryStore::CreateRegisteredModel(std::string_view name,
                                                                const std::vector<Tag>& tags,
                                                                std::string_view description) {
  CAIRN_RETURN_IF_ERROR(ValidateModelName(name));
  for (const Tag& tag : tags) CAIRN_RETURN_IF_ERROR(ValidateTag(tag));
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  db::Connection& conn = session.conn();
  RegisteredModel created;
  CAIRN_RETURN_IF_ERROR(db::InTransaction(conn, [&]() -> Status {
    CAIRN_ASSIGN_OR_RETURN(
        bool taken,
        Exists(conn, Query{"SELECT 1 FROM registered_models WHERE name = ?", {std::string(name)}}));
    if (taken) {
      return Status::AlreadyExists("Registered Model (name=" + std::string(name) +
                                   ") already exists.");
    }
    const int64_t now = sql::NowMs();
    CAIRN_ASSIGN_OR_RETURN(db::Statement insert,
                           conn.Prepare("INSERT INTO registered_models (name, creation_time, "
                                        "last_updated_time, description) VALUES (?, ?, ?, ?)"));
    insert.Bind(1, name).Bind(2, now).Bind(3, now).Bind(4, OptionalText(description));
    CAIRN_RETURN_IF_ERROR(insert.Run());
    for (const Tag& tag : tags) CAIRN_RETURN_IF_ERROR(UpsertModelTag(conn, name, tag));
    CAIRN_ASSIGN_OR_RETURN(created, GetModel(conn, name));
    return Status::Ok();
  }));
  return created;
}

Result<RegisteredModel> SqlRegistryStore::RenameRegisteredModel(std::string_view name,
                                                                std::string_view new_name) {
  CAIRN_RETURN_IF_ERROR(ValidateModelName(name));
  CAIRN_RETURN_IF_ERROR(ValidateModelName(new_name, "new_name"));
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  db::Connection& conn = session.conn();
  RegisteredModel renamed;
  CAIRN_RETURN_IF_ERROR(db::InTransaction(conn, [&]() -> Status {
    CAIRN_RETURN_IF_ERROR(RequireModel(conn, name));
    if (new_name != name) {
      CAIRN_ASSIGN_OR_RETURN(bool taken,
                             Exists(conn, Query{"SELECT 1 FROM registered_models WHERE name = ?",
                                                {std::string(new_name)}}));
      if (taken) {
        return Status::AlreadyExists("Registered Model (name=" + std::string(new_name) +
                                     ") already exists.");
      }
    }
    const int64_t now = sql::NowMs();
    // As MLflow does, the versions count as updated too. Versions, tags and aliases follow the
    // new name through ON UPDATE CASCADE.
    CAIRN_RETURN_IF_ERROR(
        Execute(conn, Query{"UPDATE model_versions SET last_updated_time = ? WHERE name = ?",
                            {now, std::string(name)}})
            .status());
    CAIRN_RETURN_IF_ERROR(Execute(conn, Query{"UPDATE registered_models SET name = ?, "
                                              "last_updated_time = ? WHERE name = ?",
                                              {std::string(new_name), now, std::string(name)}})
                              .status());
    CAIRN_ASSIGN_OR_RETURN(renamed, GetModel(conn, new_name));
    return Status::Ok();
  }));
  return renamed;
}

Result<RegisteredModel> SqlRegistryStore::UpdateRegisteredModel(std::string_view name,
                                                                std::string_view description) {
  CAIRN_RETURN_IF_ERROR(ValidateModelName(name));
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  db::Connection& conn = session.conn();
  RegisteredModel updated;
  CAIRN_RETURN_IF_ERROR(db::InTransaction(conn, [&]() -> Status {
    CAIRN_ASSIGN_OR_RETURN(db::Statement update,
                           conn.Prepare("UPDATE registered_models SET description = ?, "
                                        "last_updated_time = ? WHERE name = ?"));
    update.Bind(1, OptionalText(description)).Bind(2, sql::NowMs()).Bind(3, name);
    CAIRN_RETURN_IF_ERROR(update.Run());
    if (update.changes() == 0) return ModelNotFound(name);
    CAIRN_ASSIGN_OR_RETURN(updated, GetModel(conn, name));
    return Status::Ok();
  }));
  return updated;
}

Status SqlRegistryStore::DeleteRegisteredModel(std::string_view name) {
  CAIRN_RETURN_IF_ERROR(ValidateModelName(name));
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  db::Connection& conn = session.conn();
  return db::InTransaction(conn, [&]() -> Status {
    // Versions, tags and aliases go too (ON DELETE CASCADE).
    CAIRN_ASSIGN_OR_RETURN(
        int64_t deleted,
        Execute(conn, Query{"DELETE FROM registered_models WHERE name = ?", {std::string(name)}}));
    return deleted == 0 ? ModelNotFound(name) : Status::Ok();
  });
}

Result<RegisteredModel> SqlRegistryStore::GetRegisteredModel(std::string_view name) {
  CAIRN_RETURN_IF_ERROR(ValidateModelName(name));
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  sql::ReadSnapshot snapshot(session.conn());
  CAIRN_RETURN_IF_ERROR(snapshot.status());
  return GetModel(session.conn(), name);
}

Result<std::vector<ModelVersion>> SqlRegistryStore::GetLatestVersions(
    std::string_view name, const std::vector<std::string>& stages) {
  CAIRN_RETURN_IF_ERROR(ValidateModelName(name));
  std::set<Stage> wanted;
  for (const std::string& stage : stages) {
    CAIRN_ASSIGN_OR_RETURN(Stage parsed, ParseStage(stage));
    wanted.insert(parsed);
  }
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  sql::ReadSnapshot snapshot(session.conn());
  CAIRN_RETURN_IF_ERROR(snapshot.status());
  CAIRN_ASSIGN_OR_RETURN(RegisteredModel model, GetModel(session.conn(), name));
  std::vector<ModelVersion> latest;
  for (ModelVersion& version : model.latest_versions) {
    if (wanted.empty() || wanted.contains(version.current_stage)) {
      latest.push_back(std::move(version));
    }
  }
  return latest;
}

Status SqlRegistryStore::SetRegisteredModelTag(std::string_view name, const Tag& tag) {
  CAIRN_RETURN_IF_ERROR(ValidateModelName(name));
  CAIRN_RETURN_IF_ERROR(ValidateTag(tag));
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  db::Connection& conn = session.conn();
  return db::InTransaction(conn, [&]() -> Status {
    CAIRN_RETURN_IF_ERROR(RequireModel(conn, name));
    return UpsertModelTag(conn, name, tag);
  });
}

Status SqlRegistryStore::DeleteRegisteredModelTag(std::string_view name, std::string_view key) {
  CAIRN_RETURN_IF_ERROR(ValidateModelName(name));
  CAIRN_RETURN_IF_ERROR(ValidateTagKey(key));
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  db::Connection& conn = session.conn();
  return db::InTransaction(conn, [&]() -> Status {
    CAIRN_RETURN_IF_ERROR(RequireModel(conn, name));
    // A tag that is not there is fine (MLflow answers 200).
    return Execute(conn, Query{"DELETE FROM registered_model_tags WHERE name = ? AND key = ?",
                               {std::string(name), std::string(key)}})
        .status();
  });
}

// ---- Versions ----

Result<ModelVersion> SqlRegistryStore::CreateModelVersion(
    const CreateModelVersionRequest& request) {
  CAIRN_RETURN_IF_ERROR(ValidateModelName(request.name));
  CAIRN_RETURN_IF_ERROR(ValidateSource(request.source));
  for (const Tag& tag : request.tags) CAIRN_RETURN_IF_ERROR(ValidateTag(tag));
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  db::Connection& conn = session.conn();
  ModelVersion created;
  CAIRN_RETURN_IF_ERROR(db::InTransaction(conn, [&]() -> Status {
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement last,
        sql::Prepare(conn, Query{"SELECT last_version FROM registered_models WHERE name = ?",
                                 {request.name}}));
    CAIRN_ASSIGN_OR_RETURN(bool found, last.Step());
    if (!found) return ModelNotFound(request.name);
    // The counter only grows, so a deleted version's number is never handed out again.
    const int64_t version = last.ColumnInt(0) + 1;
    last = db::Statement();
    const int64_t now = sql::NowMs();
    CAIRN_RETURN_IF_ERROR(Execute(conn, Query{"UPDATE registered_models SET last_version = ?, "
                                              "last_updated_time = ? WHERE name = ?",
                                              {version, now, request.name}})
                              .status());
    std::string storage_location = request.storage_location;
    if (storage_location.empty()) {
      CAIRN_ASSIGN_OR_RETURN(storage_location, ResolveModelsUri(conn, request.source));
    }
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement insert,
        conn.Prepare("INSERT INTO model_versions (name, version, creation_time, "
                     "last_updated_time, description, current_stage, source, run_id, run_link, "
                     "status, storage_location, model_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                     "?, ?)"));
    insert.Bind(1, std::string_view(request.name))
        .Bind(2, version)
        .Bind(3, now)
        .Bind(4, now)
        .Bind(5, OptionalText(request.description))
        .Bind(6, StageName(Stage::kNone))
        .Bind(7, std::string_view(request.source))
        .Bind(8, OptionalText(request.run_id))
        .Bind(9, OptionalText(request.run_link))
        .Bind(10, VersionStatusName(VersionStatus::kReady))
        .Bind(11, OptionalText(storage_location))
        .Bind(12, OptionalText(request.model_id));
    CAIRN_RETURN_IF_ERROR(insert.Run());
    for (const Tag& tag : request.tags) {
      CAIRN_RETURN_IF_ERROR(UpsertVersionTag(conn, request.name, version, tag));
    }
    CAIRN_ASSIGN_OR_RETURN(created, GetVersion(conn, request.name, version));
    return Status::Ok();
  }));
  return created;
}

Result<ModelVersion> SqlRegistryStore::UpdateModelVersion(std::string_view name,
                                                          std::string_view version,
                                                          std::string_view description) {
  CAIRN_RETURN_IF_ERROR(ValidateModelName(name));
  CAIRN_ASSIGN_OR_RETURN(int64_t number, ParseVersion(version));
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  db::Connection& conn = session.conn();
  ModelVersion updated;
  CAIRN_RETURN_IF_ERROR(db::InTransaction(conn, [&]() -> Status {
    CAIRN_ASSIGN_OR_RETURN(db::Statement update,
                           conn.Prepare("UPDATE model_versions SET description = ?, "
                                        "last_updated_time = ? WHERE name = ? AND version = ?"));
    update.Bind(1, OptionalText(description)).Bind(2, sql::NowMs()).Bind(3, name).Bind(4, number);
    CAIRN_RETURN_IF_ERROR(update.Run());
    if (update.changes() == 0) return VersionNotFound(name, number);
    CAIRN_ASSIGN_OR_RETURN(updated, GetVersion(conn, name, number));
    return Status::Ok();
  }));
  return updated;
}

Result<ModelVersion> SqlRegistryStore::TransitionModelVersionStage(std::string_view name,
                                                                   std::string_view version,
                                                                   std::string_view stage,
                                                                   bool archive_existing_versions) {
  CAIRN_RETURN_IF_ERROR(ValidateModelName(name));
  CAIRN_ASSIGN_OR_RETURN(int64_t number, ParseVersion(version));
  CAIRN_ASSIGN_OR_RETURN(Stage target, ParseStage(stage));
  if (archive_existing_versions && target != Stage::kStaging && target != Stage::kProduction) {
    // Deliberate deviation: MLflow raises this without an error code, so its server answers
    // 500 INTERNAL_ERROR (and the Python client retries for minutes). A bad request is a 400.
    return Status::InvalidArgument(
        "Model version transition cannot archive existing model versions because '" +
        std::string(stage) +
        "' is not an Active stage. Valid stages are ['Staging', 'Production']");
  }
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  db::Connection& conn = session.conn();
  ModelVersion transitioned;
  CAIRN_RETURN_IF_ERROR(db::InTransaction(conn, [&]() -> Status {
    const int64_t now = sql::NowMs();
    const std::string target_name(StageName(target));
    if (archive_existing_versions) {
      CAIRN_RETURN_IF_ERROR(
          Execute(conn, Query{"UPDATE model_versions SET current_stage = ?, last_updated_time = ? "
                              "WHERE name = ? AND version != ? AND current_stage = ?",
                              {std::string(StageName(Stage::kArchived)), now, std::string(name),
                               number, target_name}})
              .status());
    }
    // Checked after the archiving, as MLflow does: a missing version rolls that back.
    CAIRN_ASSIGN_OR_RETURN(
        int64_t changed,
        Execute(conn, Query{"UPDATE model_versions SET current_stage = ?, last_updated_time = ? "
                            "WHERE name = ? AND version = ?",
                            {target_name, now, std::string(name), number}}));
    if (changed == 0) return VersionNotFound(name, number);
    CAIRN_RETURN_IF_ERROR(TouchModel(conn, name, now));
    CAIRN_ASSIGN_OR_RETURN(transitioned, GetVersion(conn, name, number));
    return Status::Ok();
  }));
  return transitioned;
}

Status SqlRegistryStore::DeleteModelVersion(std::string_view name, std::string_view version) {
  CAIRN_RETURN_IF_ERROR(ValidateModelName(name));
  CAIRN_ASSIGN_OR_RETURN(int64_t number, ParseVersion(version));
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  db::Connection& conn = session.conn();
  return db::InTransaction(conn, [&]() -> Status {
    // Its tags and the aliases pointing at it go too (ON DELETE CASCADE).
    CAIRN_ASSIGN_OR_RETURN(
        int64_t deleted,
        Execute(conn, Query{"DELETE FROM model_versions WHERE name = ? AND version = ?",
                            {std::string(name), number}}));
    if (deleted == 0) return VersionNotFound(name, number);
    return TouchModel(conn, name, sql::NowMs());
  });
}

Result<ModelVersion> SqlRegistryStore::GetModelVersion(std::string_view name,
                                                       std::string_view version) {
  CAIRN_RETURN_IF_ERROR(ValidateModelName(name));
  CAIRN_ASSIGN_OR_RETURN(int64_t number, ParseVersion(version));
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  sql::ReadSnapshot snapshot(session.conn());
  CAIRN_RETURN_IF_ERROR(snapshot.status());
  return GetVersion(session.conn(), name, number);
}

Result<std::string> SqlRegistryStore::GetModelVersionDownloadUri(std::string_view name,
                                                                 std::string_view version) {
  CAIRN_ASSIGN_OR_RETURN(ModelVersion found, GetModelVersion(name, version));
  return found.storage_location.empty() ? found.source : found.storage_location;
}

Status SqlRegistryStore::SetModelVersionTag(std::string_view name, std::string_view version,
                                            const Tag& tag) {
  CAIRN_RETURN_IF_ERROR(ValidateModelName(name));
  CAIRN_ASSIGN_OR_RETURN(int64_t number, ParseVersion(version));
  CAIRN_RETURN_IF_ERROR(ValidateTag(tag));
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  db::Connection& conn = session.conn();
  return db::InTransaction(conn, [&]() -> Status {
    CAIRN_RETURN_IF_ERROR(RequireVersion(conn, name, number));
    return UpsertVersionTag(conn, name, number, tag);
  });
}

Status SqlRegistryStore::DeleteModelVersionTag(std::string_view name, std::string_view version,
                                               std::string_view key) {
  CAIRN_RETURN_IF_ERROR(ValidateModelName(name));
  CAIRN_ASSIGN_OR_RETURN(int64_t number, ParseVersion(version));
  CAIRN_RETURN_IF_ERROR(ValidateTagKey(key));
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  db::Connection& conn = session.conn();
  return db::InTransaction(conn, [&]() -> Status {
    CAIRN_RETURN_IF_ERROR(RequireVersion(conn, name, number));
    // A tag that is not there is fine (MLflow answers 200).
    return Execute(conn, Query{"DELETE FROM model_version_tags WHERE name = ? AND version = ? "
                               "AND key = ?",
                               {std::string(name), number, std::string(key)}})
        .status();
  });
}

// ---- Aliases ----

Status SqlRegistryStore::SetAlias(std::string_view name, std::string_view alias,
                                  std::string_view version) {
  CAIRN_RETURN_IF_ERROR(ValidateModelName(name));
  CAIRN_RETURN_IF_ERROR(ValidateAlias(alias));
  CAIRN_ASSIGN_OR_RETURN(int64_t number, ParseVersion(version));
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  db::Connection& conn = session.conn();
  return db::InTransaction(conn, [&]() -> Status {
    CAIRN_RETURN_IF_ERROR(RequireVersion(conn, name, number));
    // An alias names one version: setting it again moves it.
    return Execute(conn, Query{"INSERT INTO registered_model_aliases (name, alias, version) "
                               "VALUES (?, ?, ?) ON CONFLICT (name, alias) DO UPDATE SET "
                               "version = excluded.version",
                               {std::string(name), std::string(alias), number}})
        .status();
  });
}

Status SqlRegistryStore::DeleteAlias(std::string_view name, std::string_view alias) {
  CAIRN_RETURN_IF_ERROR(ValidateModelName(name));
  CAIRN_RETURN_IF_ERROR(ValidateAlias(alias));
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  db::Connection& conn = session.conn();
  return db::InTransaction(conn, [&]() -> Status {
    CAIRN_RETURN_IF_ERROR(RequireModel(conn, name));
    return Execute(conn, Query{"DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?",
                               {std::string(name), std::string(alias)}})
        .status();
  });
}

Result<ModelVersion> SqlRegistryStore::GetModelVersionByAlias(std::string_view name,
                                                              std::string_view alias) {
  CAIRN_RETURN_IF_ERROR(ValidateModelName(name));
  CAIRN_RETURN_IF_ERROR(ValidateAlias(alias));
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  db::Connection& conn = session.conn();
  sql::ReadSnapshot snapshot(conn);
  CAIRN_RETURN_IF_ERROR(snapshot.status());
  CAIRN_ASSIGN_OR_RETURN(
      std::vector<ModelVersion> versions,
      sql::LoadVersions(conn, Query{"SELECT " + std::string(sql::kVersionColumns) +
                                        " FROM model_versions mv JOIN registered_model_aliases a "
                                        "ON a.name = mv.name AND a.version = mv.version "
                                        "WHERE a.name = ? AND a.alias = ?",
                                    {std::string(name), std::string(alias)}}));
  if (versions.empty()) {
    // MLflow's SQL store says this with INVALID_PARAMETER_VALUE (400); registry.h promises
    // RESOURCE_DOES_NOT_EXIST for an unknown alias, which is what it is.
    return Status::NotFound("Registered model alias " + std::string(alias) + " not found.");
  }
  return std::move(versions.front());
}

}  // namespace cairn::registry
