// The tracking schema (sql_schema.h). Tables follow MLflow's sqlalchemy store where a name is
// shared, so the SQL reads the same; times are milliseconds since the epoch.
//
// Metric history is append-only and keyed so an exact duplicate point is dropped by INSERT OR
// IGNORE. latest_metrics holds one row per (run, key), maintained on write by an upsert that
// only replaces the row when the new point is greater by (step, timestamp, value): reads of a
// run's metrics and metric searches never look at the history, and writes never scan it.
// A NaN is stored as value 0 with is_nan = 1 (SQLite turns NaN into NULL). The history has no
// index beyond its key (run, key, timestamp, step, ...), which serves GetMetricHistory's order:
// every index is one more page written per logged point.
#include "track/sql_schema.h"

#include <array>

namespace cairn::track {
namespace {

constexpr std::string_view kV1 = R"sql(
CREATE TABLE experiments (
  experiment_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  artifact_location TEXT NOT NULL DEFAULT '',
  lifecycle_stage TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active', 'deleted')),
  creation_time INTEGER NOT NULL,
  last_update_time INTEGER NOT NULL
);
CREATE INDEX experiments_by_creation_time ON experiments (creation_time);

CREATE TABLE experiment_tags (
  experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (experiment_id, key)
) WITHOUT ROWID;

-- run_key is the row's key inside the database: a run's metrics, params and tags are keyed by
-- this integer (smaller and quicker to compare than the 32-character run_uuid clients use).
CREATE TABLE runs (
  run_key INTEGER PRIMARY KEY,
  run_uuid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL DEFAULT '',
  experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
  user_id TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'RUNNING'
    CHECK (status IN ('RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED')),
  start_time INTEGER NOT NULL,
  end_time INTEGER,
  deleted_time INTEGER,
  artifact_uri TEXT NOT NULL DEFAULT '',
  lifecycle_stage TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active', 'deleted')),
  -- 1 while the run is deleted because its experiment was: restoring the experiment brings
  -- back exactly these runs.
  deleted_with_experiment INTEGER NOT NULL DEFAULT 0
);
-- Covers a search's first pass (which runs, in which order) without reading the runs.
CREATE INDEX runs_by_experiment ON runs (experiment_id, lifecycle_stage, start_time, run_uuid);

CREATE TABLE metrics (
  run_key INTEGER NOT NULL REFERENCES runs (run_key),
  key TEXT NOT NULL,
  value REAL NOT NULL,
  is_nan INTEGER NOT NULL DEFAULT 0,
  timestamp INTEGER NOT NULL,
  step INTEGER NOT NULL DEFAULT 0,
  model_id TEXT NOT NULL DEFAULT '',
  dataset_name TEXT NOT NULL DEFAULT '',
  dataset_digest TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (run_key, key, timestamp, step, value, is_nan)
) WITHOUT ROWID;

CREATE TABLE latest_metrics (
  run_key INTEGER NOT NULL REFERENCES runs (run_key),
  key TEXT NOT NULL,
  value REAL NOT NULL,
  is_nan INTEGER NOT NULL DEFAULT 0,
  timestamp INTEGER NOT NULL,
  step INTEGER NOT NULL,
  PRIMARY KEY (run_key, key)
) WITHOUT ROWID;
CREATE INDEX latest_metrics_by_key ON latest_metrics (key, value);

CREATE TABLE params (
  run_key INTEGER NOT NULL REFERENCES runs (run_key),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_key, key)
) WITHOUT ROWID;

CREATE TABLE tags (
  run_key INTEGER NOT NULL REFERENCES runs (run_key),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_key, key)
) WITHOUT ROWID;

CREATE TABLE datasets (
  dataset_uuid TEXT PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
  name TEXT NOT NULL,
  digest TEXT NOT NULL,
  dataset_source_type TEXT NOT NULL,
  dataset_source TEXT NOT NULL,
  dataset_schema TEXT,
  dataset_profile TEXT,
  UNIQUE (experiment_id, name, digest)
);

-- Edges into a run: source_type 'DATASET' (source_id a dataset_uuid) or 'MODEL' (a logged
-- model id); destination_type 'RUN', destination_id its run_uuid. The rowid keeps the order
-- they were logged in.
CREATE TABLE inputs (
  input_uuid TEXT PRIMARY KEY,
  source_type TEXT NOT NULL,
  source_id TEXT NOT NULL,
  destination_type TEXT NOT NULL,
  destination_id TEXT NOT NULL,
  UNIQUE (destination_id, destination_type, source_type, source_id)
);

CREATE TABLE input_tags (
  input_uuid TEXT NOT NULL REFERENCES inputs (input_uuid),
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (input_uuid, name)
) WITHOUT ROWID;

-- A run's outputs (MLflow 3): the logged models it produced, at a step.
CREATE TABLE run_outputs (
  run_key INTEGER NOT NULL REFERENCES runs (run_key),
  model_id TEXT NOT NULL,
  step INTEGER NOT NULL,
  PRIMARY KEY (run_key, model_id, step)
);

CREATE TABLE logged_models (
  model_id TEXT PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
  name TEXT NOT NULL,
  artifact_location TEXT NOT NULL,
  creation_timestamp_ms INTEGER NOT NULL,
  last_updated_timestamp_ms INTEGER NOT NULL,
  status TEXT NOT NULL,
  lifecycle_stage TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active', 'deleted')),
  model_type TEXT NOT NULL DEFAULT '',
  source_run_id TEXT NOT NULL DEFAULT '',
  status_message TEXT NOT NULL DEFAULT '',
  creator_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX logged_models_by_experiment
  ON logged_models (experiment_id, lifecycle_stage, creation_timestamp_ms);

CREATE TABLE logged_model_tags (
  model_id TEXT NOT NULL REFERENCES logged_models (model_id),
  tag_key TEXT NOT NULL,
  tag_value TEXT NOT NULL,
  PRIMARY KEY (model_id, tag_key)
) WITHOUT ROWID;

CREATE TABLE logged_model_params (
  model_id TEXT NOT NULL REFERENCES logged_models (model_id),
  param_key TEXT NOT NULL,
  param_value TEXT NOT NULL,
  PRIMARY KEY (model_id, param_key)
) WITHOUT ROWID;

CREATE TABLE logged_model_metrics (
  model_id TEXT NOT NULL REFERENCES logged_models (model_id),
  metric_name TEXT NOT NULL,
  metric_timestamp_ms INTEGER NOT NULL,
  metric_step INTEGER NOT NULL,
  metric_value REAL NOT NULL,
  is_nan INTEGER NOT NULL DEFAULT 0,
  run_id TEXT NOT NULL DEFAULT '',
  dataset_name TEXT NOT NULL DEFAULT '',
  dataset_digest TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (model_id, metric_name, metric_timestamp_ms, metric_step, run_id, dataset_name,
               dataset_digest, metric_value, is_nan)
) WITHOUT ROWID;

INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time,
                         last_update_time)
VALUES (0, 'Default', '', 'active',
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
)sql";

constexpr std::array<db::Migration, 1> kMigrations = {{
    {1, kV1},
}};

}  // namespace

std::span<const db::Migration> TrackingMigrations() { return kMigrations; }

}  // namespace cairn::track
