// The registry schema, version by version. A released step is never edited: a change is a new
// step at the end.
//
// Versions live in model_versions keyed by (name, version); registered_models.last_version is
// the highest number ever handed out, so a deleted version's number is never reused (MLflow
// soft-deletes versions for the same reason). Child rows follow a rename (ON UPDATE CASCADE) and
// go with their parent (ON DELETE CASCADE): tags with their model or version, aliases with the
// version they point at. Times are milliseconds since the epoch. Empty optional text is NULL.
#include "registry/sql_schema.h"

#include <array>

namespace cairn::registry {

namespace {

constexpr std::string_view kV1 = R"sql(
CREATE TABLE registered_models (
  name TEXT NOT NULL PRIMARY KEY,
  creation_time INTEGER NOT NULL,
  last_updated_time INTEGER NOT NULL,
  description TEXT,
  user_id TEXT,
  last_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE model_versions (
  name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
  version INTEGER NOT NULL,
  creation_time INTEGER NOT NULL,
  last_updated_time INTEGER NOT NULL,
  description TEXT,
  user_id TEXT,
  current_stage TEXT NOT NULL DEFAULT 'None',
  source TEXT NOT NULL,
  run_id TEXT,
  run_link TEXT,
  status TEXT NOT NULL DEFAULT 'READY',
  status_message TEXT,
  storage_location TEXT,
  model_id TEXT,
  PRIMARY KEY (name, version)
);
CREATE INDEX model_versions_last_updated ON model_versions(last_updated_time);
CREATE INDEX model_versions_run_id ON model_versions(run_id);
CREATE TABLE registered_model_tags (
  name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT,
  PRIMARY KEY (name, key)
);
CREATE TABLE model_version_tags (
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT,
  PRIMARY KEY (name, version, key),
  FOREIGN KEY (name, version) REFERENCES model_versions(name, version)
    ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE TABLE registered_model_aliases (
  name TEXT NOT NULL,
  alias TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (name, alias),
  FOREIGN KEY (name, version) REFERENCES model_versions(name, version)
    ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX registered_model_aliases_version ON registered_model_aliases(name, version);
)sql";

constexpr std::array<db::Migration, 1> kMigrations = {{
    {1, kV1},
}};

}  // namespace

std::span<const db::Migration> RegistryMigrations() { return kMigrations; }

}  // namespace cairn::registry
