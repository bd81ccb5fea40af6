// SqlTrackingStore: runs (create, update, get, delete/restore, search) and loading a page of
// runs' details with one query per table. Thread-safe as the store is.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

#include "db/filter.h"
#include "track/ids.h"
#include "track/run_query.h"
#include "track/sql_query.h"
#include "track/sql_store.h"
#include "track/validation.h"

namespace cairn::track {
namespace {

constexpr std::string_view kRunNameTag = "mlflow.runName";

Status CheckRunActive(const RunInfo& run) {
  if (run.lifecycle_stage == LifecycleStage::kActive) return Status::Ok();
  return Status::InvalidArgument(
      fmt::format("The run {} must be in the 'active' state. Current state is {}.", run.run_id,
                  LifecycleStageName(run.lifecycle_stage)));
}

// Tags by key, the last value of a key winning, sorted by key.
std::vector<Tag> SortedUniqueTags(const std::vector<Tag>& tags) {
  std::map<std::string, std::string> by_key;
  for (const Tag& tag : tags) by_key[tag.key] = tag.value;
  std::vector<Tag> out;
  for (auto& [key, value] : by_key) out.push_back(Tag{key, value});
  return out;
}

double StoredMetricValue(double value, bool is_nan) {
  return is_nan ? std::numeric_limits<double>::quiet_NaN() : value;
}

}  // namespace

StoredRun StoredRunFromRow(const db::Statement& row) {
  StoredRun run;
  run.key = row.ColumnInt(0);
  RunInfo& info = run.info;
  info.run_id = row.ColumnText(1);
  info.run_name = row.ColumnText(2);
  info.experiment_id = std::to_string(row.ColumnInt(3));
  info.user_id = row.ColumnText(4);
  info.status = ParseRunStatus(row.ColumnText(5)).value_or(RunStatus::kRunning);
  info.start_time = row.ColumnInt(6);
  info.end_time = row.ColumnOptionalInt(7);
  info.artifact_uri = row.ColumnText(8);
  info.lifecycle_stage =
      row.ColumnText(9) == "deleted" ? LifecycleStage::kDeleted : LifecycleStage::kActive;
  return run;
}

Result<StoredRun> SqlTrackingStore::LoadRun(db::Connection& conn, std::string_view run_id) {
  CAIRN_RETURN_IF_ERROR(RequireField(run_id, "run_id"));
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement select,
      conn.Prepare(fmt::format("SELECT {} FROM runs r WHERE r.run_uuid = ?", kRunColumns)));
  select.Bind(1, run_id);
  CAIRN_ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return NoSuchRun(run_id);
  return StoredRunFromRow(select);
}

Result<StoredRun> SqlTrackingStore::LoadActiveRun(db::Connection& conn, std::string_view run_id) {
  CAIRN_ASSIGN_OR_RETURN(StoredRun run, LoadRun(conn, run_id));
  CAIRN_RETURN_IF_ERROR(CheckRunActive(run.info));
  return run;
}

Status SqlTrackingStore::LoadRunDetails(db::Connection& conn, const std::vector<int64_t>& keys,
                                        std::vector<Run>& runs) {
  if (runs.empty()) return Status::Ok();
  std::unordered_map<int64_t, size_t> index;
  std::vector<std::string> ids;
  std::unordered_map<std::string, size_t> index_by_id;
  for (size_t i = 0; i < runs.size(); ++i) {
    index[keys[i]] = i;
    ids.push_back(runs[i].info.run_id);
    index_by_id[runs[i].info.run_id] = i;
  }
  // Runs `head` + "run_key <in keys>" + `tail` and hands each row to `take` with the run it
  // belongs to (column 0 is the run key).
  auto for_each_row = [&](std::string_view head, std::string_view tail,
                          const std::function<void(Run&, const db::Statement&)>& take) -> Status {
    SqlQuery query;
    query.Append(head).Append(InList("run_key", keys)).Append(tail);
    CAIRN_ASSIGN_OR_RETURN(db::Statement select, conn.Prepare(query.sql));
    BindAll(select, query.args);
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) return Status::Ok();
      auto it = index.find(select.ColumnInt(0));
      if (it != index.end()) take(runs[it->second], select);
    }
  };

  CAIRN_RETURN_IF_ERROR(
      for_each_row("SELECT run_key, key, value, is_nan, timestamp, step FROM latest_metrics WHERE ",
                   " ORDER BY run_key, key", [](Run& run, const db::Statement& row) {
                     Metric m;
                     m.key = row.ColumnText(1);
                     m.value = StoredMetricValue(row.ColumnDouble(2), row.ColumnInt(3) != 0);
                     m.timestamp = row.ColumnInt(4);
                     m.step = row.ColumnInt(5);
                     run.data.metrics.push_back(std::move(m));
                   }));
  CAIRN_RETURN_IF_ERROR(
      for_each_row("SELECT run_key, key, value FROM params WHERE ", " ORDER BY run_key, key",
                   [](Run& run, const db::Statement& row) {
                     run.data.params.push_back(Param{row.ColumnText(1), row.ColumnText(2)});
                   }));
  CAIRN_RETURN_IF_ERROR(
      for_each_row("SELECT run_key, key, value FROM tags WHERE ", " ORDER BY run_key, key",
                   [](Run& run, const db::Statement& row) {
                     run.data.tags.push_back(Tag{row.ColumnText(1), row.ColumnText(2)});
                   }));
  CAIRN_RETURN_IF_ERROR(for_each_row(
      "SELECT run_key, model_id, step FROM run_outputs WHERE ", " ORDER BY rowid",
      [](Run& run, const db::Statement& row) {
        run.outputs.model_outputs.push_back(ModelOutput{row.ColumnText(1), row.ColumnInt(2)});
      }));

  // Inputs (edges keyed by run_uuid): datasets with their input tags, and logged models, in
  // the order logged.
  std::unordered_map<std::string, std::pair<size_t, size_t>> dataset_inputs;  // input -> run, #
  {
    SqlQuery query;
    query
        .Append(
            "SELECT i.destination_id, i.input_uuid, i.source_type, i.source_id, d.name, "
            "d.digest, d.dataset_source_type, d.dataset_source, d.dataset_schema, "
            "d.dataset_profile FROM inputs i LEFT JOIN datasets d ON i.source_type = 'DATASET' "
            "AND d.dataset_uuid = i.source_id WHERE i.destination_type = 'RUN' AND ")
        .Append(InList("i.destination_id", ids))
        .Append(" ORDER BY i.rowid");
    CAIRN_ASSIGN_OR_RETURN(db::Statement select, conn.Prepare(query.sql));
    BindAll(select, query.args);
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      auto it = index_by_id.find(select.ColumnText(0));
      if (it == index_by_id.end()) continue;
      Run& run = runs[it->second];
      if (select.ColumnText(2) == "MODEL") {
        run.inputs.model_inputs.push_back(select.ColumnText(3));
        continue;
      }
      if (select.IsNull(4)) continue;
      DatasetInput input;
      input.dataset.name = select.ColumnText(4);
      input.dataset.digest = select.ColumnText(5);
      input.dataset.source_type = select.ColumnText(6);
      input.dataset.source = select.ColumnText(7);
      input.dataset.schema = select.ColumnText(8);
      input.dataset.profile = select.ColumnText(9);
      dataset_inputs[select.ColumnText(1)] = {it->second, run.inputs.dataset_inputs.size()};
      run.inputs.dataset_inputs.push_back(std::move(input));
    }
  }
  if (dataset_inputs.empty()) return Status::Ok();
  SqlQuery query;
  query
      .Append(
          "SELECT t.input_uuid, t.name, t.value FROM input_tags t JOIN inputs i ON "
          "i.input_uuid = t.input_uuid WHERE i.destination_type = 'RUN' AND ")
      .Append(InList("i.destination_id", ids))
      .Append(" ORDER BY t.input_uuid, t.name");
  CAIRN_ASSIGN_OR_RETURN(db::Statement select, conn.Prepare(query.sql));
  BindAll(select, query.args);
  while (true) {
    CAIRN_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) return Status::Ok();
    auto it = dataset_inputs.find(select.ColumnText(0));
    if (it == dataset_inputs.end()) continue;
    runs[it->second.first].inputs.dataset_inputs[it->second.second].tags.push_back(
        Tag{select.ColumnText(1), select.ColumnText(2)});
  }
}

Result<Run> SqlTrackingStore::CreateRun(const CreateRunRequest& request) {
  const std::string experiment_id = request.experiment_id.empty() ? "0" : request.experiment_id;
  for (const Tag& tag : request.tags) CAIRN_RETURN_IF_ERROR(ValidateTag(tag));
  std::vector<Tag> tags = SortedUniqueTags(request.tags);
  std::string tag_name;  // the mlflow.runName tag's value; empty counts as none (as in MLflow)
  for (const Tag& tag : tags) {
    if (tag.key == kRunNameTag) tag_name = tag.value;
  }
  if (!request.run_name.empty() && !tag_name.empty() && tag_name != request.run_name) {
    return Status::InvalidArgument(fmt::format(
        "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different "
        "values (run_name='{}', mlflow.runName='{}').",
        request.run_name, tag_name));
  }
  const std::string run_name = !request.run_name.empty() ? request.run_name
                               : !tag_name.empty()       ? tag_name
                                                         : NewRunName();
  if (tag_name.empty()) {
    tags.push_back(Tag{std::string(kRunNameTag), run_name});
    tags = SortedUniqueTags(tags);
  }

  Run run;
  CAIRN_RETURN_IF_ERROR(Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(Experiment experiment, LoadExperiment(conn, experiment_id));
    CAIRN_RETURN_IF_ERROR(CheckExperimentActive(experiment));
    run = Run{};
    RunInfo& info = run.info;
    info.run_id = NewHexId();
    info.run_name = run_name;
    info.experiment_id = experiment.experiment_id;
    info.user_id = request.user_id;
    info.status = RunStatus::kRunning;
    info.start_time = request.start_time != 0 ? request.start_time : NowMs();
    info.artifact_uri =
        AppendUriPath(AppendUriPath(experiment.artifact_location, info.run_id), "artifacts");
    info.lifecycle_stage = LifecycleStage::kActive;
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement insert,
        conn.Prepare("INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, "
                     "start_time, artifact_uri, lifecycle_stage) "
                     "VALUES (?, ?, ?, ?, 'RUNNING', ?, ?, 'active')"));
    insert.Bind(1, std::string_view(info.run_id))
        .Bind(2, std::string_view(info.run_name))
        .Bind(3, *ParseExperimentId(info.experiment_id))
        .Bind(4, std::string_view(info.user_id))
        .Bind(5, info.start_time)
        .Bind(6, std::string_view(info.artifact_uri));
    CAIRN_RETURN_IF_ERROR(insert.Run());
    const int64_t key = conn.LastInsertRowId();
    CAIRN_ASSIGN_OR_RETURN(db::Statement tag_insert,
                           conn.Prepare("INSERT INTO tags (run_key, key, value) VALUES (?, ?, ?)"));
    for (const Tag& tag : tags) {
      tag_insert.Bind(1, key)
          .Bind(2, std::string_view(tag.key))
          .Bind(3, std::string_view(tag.value));
      CAIRN_RETURN_IF_ERROR(tag_insert.Run());
    }
    run.data.tags = tags;
    return Status::Ok();
  }));
  return run;
}

Result<RunInfo> SqlTrackingStore::UpdateRun(const UpdateRunRequest& request) {
  StoredRun run;
  CAIRN_RETURN_IF_ERROR(Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(run, LoadActiveRun(conn, request.run_id));
    if (request.status || request.end_time) {
      CAIRN_ASSIGN_OR_RETURN(db::Statement update,
                             conn.Prepare("UPDATE runs SET status = coalesce(?, status), "
                                          "end_time = coalesce(?, end_time) WHERE run_key = ?"));
      if (request.status) {
        update.Bind(1, RunStatusName(*request.status));
        run.info.status = *request.status;
      } else {
        update.BindNull(1);
      }
      update.Bind(2, request.end_time).Bind(3, run.key);
      if (request.end_time) run.info.end_time = request.end_time;
      CAIRN_RETURN_IF_ERROR(update.Run());
    }
    if (request.run_name && !request.run_name->empty()) {
      CAIRN_RETURN_IF_ERROR(RenameRun(conn, run, *request.run_name));
      run.info.run_name = *request.run_name;
    }
    return Status::Ok();
  }));
  return run.info;
}

Result<Run> SqlTrackingStore::GetRun(std::string_view run_id) {
  std::vector<Run> runs(1);
  CAIRN_RETURN_IF_ERROR(Read([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(StoredRun stored, LoadRun(conn, run_id));
    runs.front().info = std::move(stored.info);
    return LoadRunDetails(conn, {stored.key}, runs);
  }));
  return std::move(runs.front());
}

Status SqlTrackingStore::DeleteRun(std::string_view run_id) {
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(StoredRun run, LoadRun(conn, run_id));
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement update,
        conn.Prepare("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ?, "
                     "deleted_with_experiment = 0 WHERE run_key = ?"));
    update.Bind(1, NowMs()).Bind(2, run.key);
    return update.Run();
  });
}

Status SqlTrackingStore::RestoreRun(std::string_view run_id) {
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(StoredRun run, LoadRun(conn, run_id));
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement update,
        conn.Prepare("UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL, "
                     "deleted_with_experiment = 0 WHERE run_key = ?"));
    update.Bind(1, run.key);
    return update.Run();
  });
}

Result<Page<Run>> SqlTrackingStore::SearchRuns(const SearchRunsRequest& request) {
  CAIRN_RETURN_IF_ERROR(ValidateMaxResults(request.max_results, kMaxSearchResults));
  CAIRN_ASSIGN_OR_RETURN(int64_t offset, db::DecodePageToken(request.page_token));
  RunSearchSpec spec;
  spec.columns = "r.run_key";
  for (const std::string& id : request.experiment_ids) {
    if (std::optional<int64_t> parsed = ParseExperimentId(id)) {
      spec.experiment_ids.push_back(*parsed);
    }
  }
  spec.view = request.view;
  spec.filter = request.filter;
  spec.order_by = &request.order_by;
  spec.offset = offset;
  spec.limit = request.max_results + 1;
  Page<Run> page;
  CAIRN_RETURN_IF_ERROR(Read([&](db::Connection& conn) -> Status {
    // Compiled even when there is no experiment to search, so a bad filter is still refused.
    CAIRN_ASSIGN_OR_RETURN(SqlQuery query, CompileRunSearch(conn, spec));
    if (spec.experiment_ids.empty()) return Status::Ok();
    // First the page's run keys, in order; then those runs.
    std::vector<int64_t> keys;
    {
      CAIRN_ASSIGN_OR_RETURN(db::Statement select, conn.Prepare(query.sql));
      BindAll(select, query.args);
      while (true) {
        CAIRN_ASSIGN_OR_RETURN(bool row, select.Step());
        if (!row) break;
        keys.push_back(select.ColumnInt(0));
      }
    }
    if (static_cast<int64_t>(keys.size()) > request.max_results) {
      keys.pop_back();
      page.next_page_token = db::EncodePageToken(offset + request.max_results);
    }
    if (keys.empty()) return Status::Ok();
    std::unordered_map<int64_t, size_t> position;
    for (size_t i = 0; i < keys.size(); ++i) position[keys[i]] = i;
    page.items.resize(keys.size());
    SqlQuery runs;
    runs.Append(fmt::format("SELECT {} FROM runs r WHERE ", kRunColumns))
        .Append(InList("r.run_key", keys));
    CAIRN_ASSIGN_OR_RETURN(db::Statement select, conn.Prepare(runs.sql));
    BindAll(select, runs.args);
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      StoredRun stored = StoredRunFromRow(select);
      page.items[position[stored.key]].info = std::move(stored.info);
    }
    return LoadRunDetails(conn, keys, page.items);
  }));
  return page;
}

Status SqlTrackingStore::RenameRun(db::Connection& conn, const StoredRun& run,
                                   std::string_view name) {
  CAIRN_ASSIGN_OR_RETURN(db::Statement update,
                         conn.Prepare("UPDATE runs SET name = ? WHERE run_key = ?"));
  update.Bind(1, name).Bind(2, run.key);
  CAIRN_RETURN_IF_ERROR(update.Run());
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement upsert,
      conn.Prepare("INSERT INTO tags (run_key, key, value) VALUES (?, ?, ?) "
                   "ON CONFLICT (run_key, key) DO UPDATE SET value = excluded.value"));
  upsert.Bind(1, run.key).Bind(2, kRunNameTag).Bind(3, name);
  return upsert.Run();
}

}  // namespace cairn::track
