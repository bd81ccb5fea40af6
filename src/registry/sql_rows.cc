// Rows to entities for the SQL registry store. A page of N models costs five queries, not 5N:
// the tags, aliases and latest versions of every selected row come from one query each, which
// re-runs the selecting query as a common table expression (its ORDER BY ends in a unique key,
// so it selects the same rows again inside the caller's snapshot or transaction).
#include "registry/sql_rows.h"

#include <chrono>
#include <map>
#include <utility>

namespace cairn::registry::sql {

namespace {

constexpr std::string_view kModelCte =
    "sel(name, creation_time, last_updated_time, description, user_id)";
constexpr std::string_view kVersionCte =
    "sel(name, version, creation_time, last_updated_time, description, user_id, current_stage, "
    "source, run_id, run_link, status, status_message, storage_location, model_id)";

// `query` as the common table expression `cte`, followed by `tail`; the binds stay in place.
Query Wrap(const Query& query, std::string_view cte, std::string_view tail) {
  Query out;
  out.sql = "WITH ";
  out.sql.append(cte).append(" AS (").append(query.sql).append(") ").append(tail);
  out.binds = query.binds;
  return out;
}

RegisteredModel ModelFromRow(const db::Statement& row) {
  RegisteredModel model;
  model.name = row.ColumnText(0);
  model.creation_timestamp = row.ColumnInt(1);
  model.last_updated_timestamp = row.ColumnInt(2);
  model.description = row.ColumnText(3);
  model.user_id = row.ColumnText(4);
  return model;
}

Result<ModelVersion> VersionFromRow(const db::Statement& row) {
  ModelVersion version;
  version.name = row.ColumnText(0);
  version.version = row.ColumnInt(1);
  version.creation_timestamp = row.ColumnInt(2);
  version.last_updated_timestamp = row.ColumnInt(3);
  version.description = row.ColumnText(4);
  version.user_id = row.ColumnText(5);
  CAIRN_ASSIGN_OR_RETURN(version.current_stage, ParseStage(row.ColumnText(6)));
  version.source = row.ColumnText(7);
  version.run_id = row.ColumnText(8);
  version.run_link = row.ColumnText(9);
  CAIRN_ASSIGN_OR_RETURN(version.status, ParseVersionStatus(row.ColumnText(10)));
  version.status_message = row.ColumnText(11);
  version.storage_location = row.ColumnText(12);
  version.model_id = row.ColumnText(13);
  return version;
}

}  // namespace

Result<db::Statement> Prepare(db::Connection& conn, const Query& query) {
  CAIRN_ASSIGN_OR_RETURN(db::Statement statement, conn.Prepare(query.sql));
  int index = 1;
  for (const BindValue& value : query.binds) {
    if (const auto* text = std::get_if<std::string>(&value)) {
      statement.Bind(index, std::string_view(*text));
    } else if (const auto* integer = std::get_if<int64_t>(&value)) {
      statement.Bind(index, *integer);
    } else {
      statement.Bind(index, std::get<double>(value));
    }
    ++index;
  }
  return statement;
}

Result<std::vector<ModelVersion>> LoadVersions(db::Connection& conn, const Query& query) {
  std::vector<ModelVersion> versions;
  std::map<std::pair<std::string, int64_t>, size_t> index;
  {
    CAIRN_ASSIGN_OR_RETURN(db::Statement rows, Prepare(conn, query));
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool more, rows.Step());
      if (!more) break;
      CAIRN_ASSIGN_OR_RETURN(ModelVersion version, VersionFromRow(rows));
      index.emplace(std::make_pair(version.name, version.version), versions.size());
      versions.push_back(std::move(version));
    }
  }
  if (versions.empty()) return versions;

  {
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement tags,
        Prepare(conn, Wrap(query, kVersionCte,
                           "SELECT t.name, t.version, t.key, t.value FROM model_version_tags t "
                           "JOIN sel ON t.name = sel.name AND t.version = sel.version "
                           "ORDER BY t.key")));
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool more, tags.Step());
      if (!more) break;
      auto it = index.find({tags.ColumnText(0), tags.ColumnInt(1)});
      if (it == index.end()) continue;
      versions[it->second].tags.push_back(Tag{tags.ColumnText(2), tags.ColumnText(3)});
    }
  }
  {
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement aliases,
        Prepare(conn, Wrap(query, kVersionCte,
                           "SELECT a.name, a.version, a.alias FROM registered_model_aliases a "
                           "JOIN sel ON a.name = sel.name AND a.version = sel.version "
                           "ORDER BY a.alias")));
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool more, aliases.Step());
      if (!more) break;
      auto it = index.find({aliases.ColumnText(0), aliases.ColumnInt(1)});
      if (it == index.end()) continue;
      versions[it->second].aliases.push_back(aliases.ColumnText(2));
    }
  }
  return versions;
}

Result<std::vector<RegisteredModel>> LoadModels(db::Connection& conn, const Query& query) {
  std::vector<RegisteredModel> models;
  std::map<std::string, size_t, std::less<>> index;
  {
    CAIRN_ASSIGN_OR_RETURN(db::Statement rows, Prepare(conn, query));
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool more, rows.Step());
      if (!more) break;
      RegisteredModel model = ModelFromRow(rows);
      index.emplace(model.name, models.size());
      models.push_back(std::move(model));
    }
  }
  if (models.empty()) return models;

  {
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement tags,
        Prepare(conn, Wrap(query, kModelCte,
                           "SELECT t.name, t.key, t.value FROM registered_model_tags t "
                           "JOIN sel ON t.name = sel.name ORDER BY t.key")));
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool more, tags.Step());
      if (!more) break;
      auto it = index.find(tags.ColumnText(0));
      if (it == index.end()) continue;
      models[it->second].tags.push_back(Tag{tags.ColumnText(1), tags.ColumnText(2)});
    }
  }
  {
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement aliases,
        Prepare(conn, Wrap(query, kModelCte,
                           "SELECT a.name, a.alias, a.version FROM registered_model_aliases a "
                           "JOIN sel ON a.name = sel.name ORDER BY a.alias")));
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool more, aliases.Step());
      if (!more) break;
      auto it = index.find(aliases.ColumnText(0));
      if (it == index.end()) continue;
      models[it->second].aliases.push_back(
          AliasEntry{aliases.ColumnText(1), std::to_string(aliases.ColumnInt(2))});
    }
  }
  // The highest version in each stage, lowest first.
  Query latest = Wrap(query, kModelCte,
                      "SELECT " + std::string(kVersionColumns) +
                          " FROM model_versions mv JOIN sel ON mv.name = sel.name "
                          "WHERE mv.version = (SELECT MAX(m2.version) FROM model_versions m2 "
                          "WHERE m2.name = mv.name AND m2.current_stage = mv.current_stage) "
                          "ORDER BY mv.name, mv.version");
  CAIRN_ASSIGN_OR_RETURN(std::vector<ModelVersion> versions, LoadVersions(conn, latest));
  for (ModelVersion& version : versions) {
    auto it = index.find(version.name);
    if (it == index.end()) continue;
    models[it->second].latest_versions.push_back(std::move(version));
  }
  return models;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ReadSnapshot::ReadSnapshot(db::Connection& conn) : conn_(conn) { begin_ = conn_.Exec("BEGIN"); }

ReadSnapshot::~ReadSnapshot() {
  if (begin_.ok() && conn_.InTransaction()) (void)conn_.Exec("ROLLBACK");
}

}  // namespace cairn::registry::sql
