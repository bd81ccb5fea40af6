// SqlTrackingStore: experiments (create, get, search, delete/restore with their runs, rename,
// tags). Thread-safe as the store is.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "db/filter.h"
#include "track/experiment_query.h"
#include "track/sql_query.h"
#include "track/sql_store.h"
#include "track/validation.h"

namespace cairn::track {
namespace {

constexpr std::string_view kExperimentColumns =
    "e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, e.creation_time, "
    "e.last_update_time";

Experiment ExperimentFromRow(const db::Statement& row) {
  Experiment e;
  e.experiment_id = std::to_string(row.ColumnInt(0));
  e.name = row.ColumnText(1);
  e.artifact_location = row.ColumnText(2);
  e.lifecycle_stage =
      row.ColumnText(3) == "deleted" ? LifecycleStage::kDeleted : LifecycleStage::kActive;
  e.creation_time = row.ColumnInt(4);
  e.last_update_time = row.ColumnInt(5);
  return e;
}

Status AlreadyExists(std::string_view name) {
  return Status::AlreadyExists(fmt::format("Experiment(name={}) already exists.", name));
}

// True when an experiment (active or deleted) is named `name`.
Result<bool> NameTaken(db::Connection& conn, std::string_view name) {
  CAIRN_ASSIGN_OR_RETURN(db::Statement select,
                         conn.Prepare("SELECT 1 FROM experiments WHERE name = ?"));
  select.Bind(1, name);
  return select.Step();
}

Status UpsertExperimentTag(db::Connection& conn, int64_t experiment_id, const Tag& tag) {
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement upsert,
      conn.Prepare("INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) "
                   "ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value"));
  upsert.Bind(1, experiment_id)
      .Bind(2, std::string_view(tag.key))
      .Bind(3, std::string_view(tag.value));
  return upsert.Run();
}

}  // namespace

Status CheckExperimentActive(const Experiment& experiment) {
  if (experiment.lifecycle_stage == LifecycleStage::kActive) return Status::Ok();
  return Status::InvalidArgument(
      fmt::format("The experiment {} must be in the 'active' state. Current state is {}.",
                  experiment.experiment_id, LifecycleStageName(experiment.lifecycle_stage)));
}

Result<Experiment> SqlTrackingStore::LoadExperiment(db::Connection& conn,
                                                    std::string_view experiment_id) {
  CAIRN_RETURN_IF_ERROR(RequireField(experiment_id, "experiment_id"));
  std::optional<int64_t> id = ParseExperimentId(experiment_id);
  if (!id) return NoSuchExperiment(experiment_id);
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement select,
      conn.Prepare(fmt::format("SELECT {} FROM experiments e WHERE e.experiment_id = ?",
                               kExperimentColumns)));
  select.Bind(1, *id);
  CAIRN_ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return NoSuchExperiment(experiment_id);
  std::vector<Experiment> one = {ExperimentFromRow(select)};
  CAIRN_RETURN_IF_ERROR(LoadExperimentTags(conn, one));
  return std::move(one.front());
}

Status SqlTrackingStore::LoadExperimentTags(db::Connection& conn,
                                            std::vector<Experiment>& experiments) {
  if (experiments.empty()) return Status::Ok();
  std::vector<int64_t> ids;
  std::unordered_map<int64_t, size_t> index;
  for (size_t i = 0; i < experiments.size(); ++i) {
    int64_t id = *ParseExperimentId(experiments[i].experiment_id);
    ids.push_back(id);
    index[id] = i;
  }
  SqlQuery query;
  query.Append("SELECT experiment_id, key, value FROM experiment_tags WHERE ")
      .Append(InList("experiment_id", ids))
      .Append(" ORDER BY experiment_id, key");
  CAIRN_ASSIGN_OR_RETURN(db::Statement select, conn.Prepare(query.sql));
  BindAll(select, query.args);
  while (true) {
    CAIRN_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    experiments[index[select.ColumnInt(0)]].tags.push_back(
        Tag{select.ColumnText(1), select.ColumnText(2)});
  }
  return Status::Ok();
}

Result<std::string> SqlTrackingStore::CreateExperiment(std::string_view name,
                                                       std::string_view artifact_location,
                                                       const std::vector<Tag>& tags) {
  CAIRN_RETURN_IF_ERROR(ValidateExperimentName(name));
  if (!artifact_location.empty()) {
    CAIRN_RETURN_IF_ERROR(ValidateArtifactLocation(artifact_location));
  }
  for (const Tag& tag : tags) CAIRN_RETURN_IF_ERROR(ValidateExperimentTag(tag));
  int64_t id = 0;
  CAIRN_RETURN_IF_ERROR(Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(bool taken, NameTaken(conn, name));
    if (taken) return AlreadyExists(name);
    const int64_t now = NowMs();
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement insert,
        conn.Prepare("INSERT INTO experiments (name, artifact_location, lifecycle_stage, "
                     "creation_time, last_update_time) VALUES (?, ?, 'active', ?, ?)"));
    insert.Bind(1, name).Bind(2, artifact_location).Bind(3, now).Bind(4, now);
    CAIRN_RETURN_IF_ERROR(insert.Run());
    id = conn.LastInsertRowId();
    if (artifact_location.empty()) {
      CAIRN_ASSIGN_OR_RETURN(
          db::Statement update,
          conn.Prepare("UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?"));
      update.Bind(1, std::string_view(ExperimentArtifactLocation(id))).Bind(2, id);
      CAIRN_RETURN_IF_ERROR(update.Run());
    }
    for (const Tag& tag : tags) CAIRN_RETURN_IF_ERROR(UpsertExperimentTag(conn, id, tag));
    return Status::Ok();
  }));
  return std::to_string(id);
}

Result<Experiment> SqlTrackingStore::GetExperiment(std::string_view experiment_id) {
  Experiment experiment;
  CAIRN_RETURN_IF_ERROR(Read([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(experiment, LoadExperiment(conn, experiment_id));
    return Status::Ok();
  }));
  return experiment;
}

Result<Experiment> SqlTrackingStore::GetExperimentByName(std::string_view name) {
  CAIRN_RETURN_IF_ERROR(RequireField(name, "experiment_name"));
  Experiment experiment;
  CAIRN_RETURN_IF_ERROR(Read([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(db::Statement select,
                           conn.Prepare("SELECT experiment_id FROM experiments WHERE name = ?"));
    select.Bind(1, name);
    CAIRN_ASSIGN_OR_RETURN(bool found, select.Step());
    if (!found) {
      return Status::NotFound(fmt::format("Could not find experiment with name '{}'", name));
    }
    const std::string id = std::to_string(select.ColumnInt(0));
    CAIRN_ASSIGN_OR_RETURN(experiment, LoadExperiment(conn, id));
    return Status::Ok();
  }));
  return experiment;
}

Result<Page<Experiment>> SqlTrackingStore::SearchExperiments(
    const SearchExperimentsRequest& request) {
  CAIRN_RETURN_IF_ERROR(ValidateMaxResults(request.max_results, kMaxSearchResults));
  CAIRN_ASSIGN_OR_RETURN(int64_t offset, db::DecodePageToken(request.page_token));
  Page<Experiment> page;
  CAIRN_RETURN_IF_ERROR(Read([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(SqlQuery query,
                           CompileExperimentSearch(conn, kExperimentColumns, request, offset,
                                                   request.max_results + 1));
    CAIRN_ASSIGN_OR_RETURN(db::Statement select, conn.Prepare(query.sql));
    BindAll(select, query.args);
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      page.items.push_back(ExperimentFromRow(select));
    }
    if (static_cast<int64_t>(page.items.size()) > request.max_results) {
      page.items.pop_back();
      page.next_page_token = db::EncodePageToken(offset + request.max_results);
    }
    return LoadExperimentTags(conn, page.items);
  }));
  return page;
}

Status SqlTrackingStore::DeleteExperiment(std::string_view experiment_id) {
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(Experiment experiment, LoadExperiment(conn, experiment_id));
    if (experiment.lifecycle_stage != LifecycleStage::kActive) {
      return NoSuchExperiment(experiment_id);
    }
    const int64_t id = *ParseExperimentId(experiment.experiment_id);
    const int64_t now = NowMs();
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement update,
        conn.Prepare("UPDATE experiments SET lifecycle_stage = 'deleted', last_update_time = ? "
                     "WHERE experiment_id = ?"));
    update.Bind(1, now).Bind(2, id);
    CAIRN_RETURN_IF_ERROR(update.Run());
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement runs,
        conn.Prepare("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ?, "
                     "deleted_with_experiment = 1 "
                     "WHERE experiment_id = ? AND lifecycle_stage = 'active'"));
    runs.Bind(1, now).Bind(2, id);
    return runs.Run();
  });
}

Status SqlTrackingStore::RestoreExperiment(std::string_view experiment_id) {
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(Experiment experiment, LoadExperiment(conn, experiment_id));
    if (experiment.lifecycle_stage != LifecycleStage::kDeleted) {
      return NoSuchExperiment(experiment_id);
    }
    const int64_t id = *ParseExperimentId(experiment.experiment_id);
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement update,
        conn.Prepare("UPDATE experiments SET lifecycle_stage = 'active', last_update_time = ? "
                     "WHERE experiment_id = ?"));
    update.Bind(1, NowMs()).Bind(2, id);
    CAIRN_RETURN_IF_ERROR(update.Run());
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement runs,
        conn.Prepare("UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL, "
                     "deleted_with_experiment = 0 "
                     "WHERE experiment_id = ? AND deleted_with_experiment = 1"));
    runs.Bind(1, id);
    return runs.Run();
  });
}

Status SqlTrackingStore::RenameExperiment(std::string_view experiment_id,
                                          std::string_view new_name) {
  CAIRN_RETURN_IF_ERROR(ValidateExperimentName(new_name));
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(Experiment experiment, LoadExperiment(conn, experiment_id));
    if (experiment.lifecycle_stage != LifecycleStage::kActive) {
      return Status::InvalidArgument("Cannot rename a non-active experiment.");
    }
    if (experiment.name == new_name) return Status::Ok();
    CAIRN_ASSIGN_OR_RETURN(bool taken, NameTaken(conn, new_name));
    if (taken) return AlreadyExists(new_name);
    CAIRN_ASSIGN_OR_RETURN(db::Statement update,
                           conn.Prepare("UPDATE experiments SET name = ?, last_update_time = ? "
                                        "WHERE experiment_id = ?"));
    update.Bind(1, new_name).Bind(2, NowMs()).Bind(3, *ParseExperimentId(experiment.experiment_id));
    return update.Run();
  });
}

Status SqlTrackingStore::SetExperimentTag(std::string_view experiment_id, const Tag& tag) {
  CAIRN_RETURN_IF_ERROR(ValidateExperimentTag(tag));
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(Experiment experiment, LoadExperiment(conn, experiment_id));
    CAIRN_RETURN_IF_ERROR(CheckExperimentActive(experiment));
    return UpsertExperimentTag(conn, *ParseExperimentId(experiment.experiment_id), tag);
  });
}

Status SqlTrackingStore::DeleteExperimentTag(std::string_view experiment_id, std::string_view key) {
  CAIRN_RETURN_IF_ERROR(RequireField(key, "key"));
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(Experiment experiment, LoadExperiment(conn, experiment_id));
    CAIRN_RETURN_IF_ERROR(CheckExperimentActive(experiment));
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement remove,
        conn.Prepare("DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?"));
    remove.Bind(1, *ParseExperimentId(experiment.experiment_id)).Bind(2, key);
    CAIRN_RETURN_IF_ERROR(remove.Run());
    if (remove.changes() == 0) {
      return Status::NotFound(fmt::format("No tag with name: {} in experiment with id {}", key,
                                          experiment.experiment_id));
    }
    return Status::Ok();
  });
}

}  // namespace cairn::track
