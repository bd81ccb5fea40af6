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

RunInfo RunInfoFromRow(const db::Statement& row) {
  RunInfo info;
  info.run_id = row.ColumnText(0);
  info.run_name = row.ColumnText(1);
  info.experiment_id = std::to_string(row.ColumnInt(2));
  info.user_id = row.ColumnText(3);
  info.status = ParseRunStatus(row.ColumnText(4)).value_or(RunStatus::kRunning);
  info.start_time = row.ColumnInt(5);
  info.end_time = row.ColumnOptionalInt(6);
  info.artifact_uri = row.ColumnText(7);
  info.lifecycle_stage =
      row.ColumnText(8) == "deleted" ? LifecycleStage::kDeleted : LifecycleStage::kActive;
  return info;
}

Result<RunInfo> SqlTrackingStore::LoadRunInfo(db::Connection& conn, std::string_view run_id) {
  CAIRN_RETURN_IF_ERROR(RequireField(run_id, "run_id"));
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement select,
      conn.Prepare(fmt::format("SELECT {} FROM runs r WHERE r.run_uuid = ?", kRunColumns)));
  select.Bind(1, run_id);
  CAIRN_ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return NoSuchRun(run_id);
  return RunInfoFromRow(select);
}

Result<RunInfo> SqlTrackingStore::LoadActiveRun(db::Connection& conn, std::string_view run_id) {
  CAIRN_ASSIGN_OR_RETURN(RunInfo run, LoadRunInfo(conn, run_id));
  CAIRN_RETURN_IF_ERROR(CheckRunActive(run));
  return run;
}

Status SqlTrackingStore::LoadRunDetails(db::Connection& conn, std::vector<Run>& runs) {
  if (runs.empty()) return Status::Ok();
  std::vector<std::string> ids;
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < runs.size(); ++i) {
    ids.push_back(runs[i].info.run_id);
    index[runs[i].info.run_id] = i;
  }
  // Runs `sql` (with "<ids>" standing for the run id condition on `column`) and hands each row
  // to `take` with the run it belongs to (column 0 is the run id).
  auto for_each_row = [&](std::string_view sql_head, std::string_view column,
                          std::string_view sql_tail,
                          const std::function<void(Run&, const db::Statement&)>& take) -> Status {
    SqlQuery query;
    query.Append(sql_head).Append(InList(column, ids)).Append(sql_tail);
    CAIRN_ASSIGN_OR_RETURN(db::Statement select, conn.Prepare(query.sql));
    BindAll(select, query.args);
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) return Status::Ok();
      auto it = index.find(select.ColumnText(0));
      if (it != index.end()) take(runs[it->second], select);
    }
  };

  CAIRN_RETURN_IF_ERROR(for_each_row(
      "SELECT run_uuid, key, value, is_nan, timestamp, step FROM latest_metrics WHERE ", "run_uuid",
      " ORDER BY run_uuid, key", [](Run& run, const db::Statement& row) {
        Metric m;
        m.key = row.ColumnText(1);
        m.value = StoredMetricValue(row.ColumnDouble(2), row.ColumnInt(3) != 0);
        m.timestamp = row.ColumnInt(4);
        m.step = row.ColumnInt(5);
        run.data.metrics.push_back(std::move(m));
      }));
  CAIRN_RETURN_IF_ERROR(
      for_each_row("SELECT run_uuid, key, value FROM params WHERE ", "run_uuid",
                   " ORDER BY run_uuid, key", [](Run& run, const db::Statement& row) {
                     run.data.params.push_back(Param{row.ColumnText(1), row.ColumnText(2)});
                   }));
  CAIRN_RETURN_IF_ERROR(
      for_each_row("SELECT run_uuid, key, value FROM tags WHERE ", "run_uuid",
                   " ORDER BY run_uuid, key", [](Run& run, const db::Statement& row) {
                     run.data.tags.push_back(Tag{row.ColumnText(1), row.ColumnText(2)});
                   }));

  // Inputs: datasets (with their input tags) and logged models, in the order logged.
  std::unordered_map<std::string, std::pair<size_t, size_t>> dataset_inputs;  // input -> run, #
  CAIRN_RETURN_IF_ERROR(for_each_row(
      "SELECT i.destination_id, i.input_uuid, i.source_type, i.source_id, d.name, d.digest, "
      "d.dataset_source_type, d.dataset_source, d.dataset_schema, d.dataset_profile "
      "FROM inputs i LEFT JOIN datasets d ON i.source_type = 'DATASET' AND "
      "d.dataset_uuid = i.source_id WHERE i.destination_type = 'RUN' AND ",
      "i.destination_id", " ORDER BY i.rowid", [&](Run& run, const db::Statement& row) {
        if (row.ColumnText(2) == "MODEL") {
          run.inputs.model_inputs.push_back(row.ColumnText(3));
          return;
        }
        if (row.IsNull(4)) return;
        DatasetInput input;
        input.dataset.name = row.ColumnText(4);
        input.dataset.digest = row.ColumnText(5);
        input.dataset.source_type = row.ColumnText(6);
        input.dataset.source = row.ColumnText(7);
        input.dataset.schema = row.ColumnText(8);
        input.dataset.profile = row.ColumnText(9);
        dataset_inputs[row.ColumnText(1)] = {index[run.info.run_id],
                                             run.inputs.dataset_inputs.size()};
        run.inputs.dataset_inputs.push_back(std::move(input));
      }));
  if (!dataset_inputs.empty()) {
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
      if (!row) break;
      auto it = dataset_inputs.find(select.ColumnText(0));
      if (it == dataset_inputs.end()) continue;
      runs[it->second.first].inputs.dataset_inputs[it->second.second].tags.push_back(
          Tag{select.ColumnText(1), select.ColumnText(2)});
    }
  }
  return for_each_row(
      "SELECT run_uuid, model_id, step FROM run_outputs WHERE ", "run_uuid", " ORDER BY rowid",
      [](Run& run, const db::Statement& row) {
        run.outputs.model_outputs.push_back(ModelOutput{row.ColumnText(1), row.ColumnInt(2)});
      });
}

Result<Run> SqlTrackingStore::CreateRun(const CreateRunRequest& request) {
  const std::string experiment_id = request.experiment_id.empty() ? "0" : request.experiment_id;
  for (const Tag& tag : request.tags) CAIRN_RETURN_IF_ERROR(ValidateTag(tag));
  std::vector<Tag> tags = SortedUniqueTags(request.tags);
  const Tag* name_tag = nullptr;
  for (const Tag& tag : tags) {
    if (tag.key == kRunNameTag) name_tag = &tag;
  }
  if (!request.run_name.empty() && name_tag != nullptr && name_tag->value != request.run_name) {
    return Status::InvalidArgument(fmt::format(
        "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different "
        "values (run_name='{}', mlflow.runName='{}').",
        request.run_name, name_tag->value));
  }
  std::string run_name = !request.run_name.empty() ? request.run_name
                         : name_tag != nullptr     ? name_tag->value
                                                   : NewRunName();
  if (name_tag == nullptr) {
    tags.push_back(Tag{std::string(kRunNameTag), run_name});
    std::sort(tags.begin(), tags.end(), [](const Tag& a, const Tag& b) { return a.key < b.key; });
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
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement tag_insert,
        conn.Prepare("INSERT INTO tags (run_uuid, key, value) VALUES (?, ?, ?)"));
    for (const Tag& tag : tags) {
      tag_insert.Bind(1, std::string_view(info.run_id))
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
  RunInfo info;
  CAIRN_RETURN_IF_ERROR(Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(info, LoadActiveRun(conn, request.run_id));
    if (request.status || request.end_time) {
      CAIRN_ASSIGN_OR_RETURN(db::Statement update,
                             conn.Prepare("UPDATE runs SET status = coalesce(?, status), "
                                          "end_time = coalesce(?, end_time) WHERE run_uuid = ?"));
      if (request.status) {
        update.Bind(1, RunStatusName(*request.status));
        info.status = *request.status;
      } else {
        update.BindNull(1);
      }
      update.Bind(2, request.end_time).Bind(3, std::string_view(info.run_id));
      if (request.end_time) info.end_time = request.end_time;
      CAIRN_RETURN_IF_ERROR(update.Run());
    }
    if (request.run_name && !request.run_name->empty()) {
      CAIRN_RETURN_IF_ERROR(RenameRun(conn, info, *request.run_name));
      info.run_name = *request.run_name;
    }
    return Status::Ok();
  }));
  return info;
}

Result<Run> SqlTrackingStore::GetRun(std::string_view run_id) {
  std::vector<Run> runs(1);
  CAIRN_RETURN_IF_ERROR(Read([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(runs.front().info, LoadRunInfo(conn, run_id));
    return LoadRunDetails(conn, runs);
  }));
  return std::move(runs.front());
}

Status SqlTrackingStore::DeleteRun(std::string_view run_id) {
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(RunInfo run, LoadRunInfo(conn, run_id));
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement update,
        conn.Prepare("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ?, "
                     "deleted_with_experiment = 0 WHERE run_uuid = ?"));
    update.Bind(1, NowMs()).Bind(2, std::string_view(run.run_id));
    return update.Run();
  });
}

Status SqlTrackingStore::RestoreRun(std::string_view run_id) {
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(RunInfo run, LoadRunInfo(conn, run_id));
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement update,
        conn.Prepare("UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL, "
                     "deleted_with_experiment = 0 WHERE run_uuid = ?"));
    update.Bind(1, std::string_view(run.run_id));
    return update.Run();
  });
}

Result<Page<Run>> SqlTrackingStore::SearchRuns(const SearchRunsRequest& request) {
  CAIRN_RETURN_IF_ERROR(ValidateMaxResults(request.max_results, kMaxSearchResults));
  CAIRN_ASSIGN_OR_RETURN(int64_t offset, db::DecodePageToken(request.page_token));
  RunSearchSpec spec;
  spec.columns = kRunColumns;
  for (const std::string& id : request.experiment_ids) {
    if (std::optional<int64_t> parsed = ParseExperimentId(id))
      spec.experiment_ids.push_back(*parsed);
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
    CAIRN_ASSIGN_OR_RETURN(db::Statement select, conn.Prepare(query.sql));
    BindAll(select, query.args);
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      Run run;
      run.info = RunInfoFromRow(select);
      page.items.push_back(std::move(run));
    }
    if (static_cast<int64_t>(page.items.size()) > request.max_results) {
      page.items.pop_back();
      page.next_page_token = db::EncodePageToken(offset + request.max_results);
    }
    return LoadRunDetails(conn, page.items);
  }));
  return page;
}

Status SqlTrackingStore::RenameRun(db::Connection& conn, const RunInfo& run,
                                   std::string_view name) {
  CAIRN_ASSIGN_OR_RETURN(db::Statement update,
                         conn.Prepare("UPDATE runs SET name = ? WHERE run_uuid = ?"));
  update.Bind(1, name).Bind(2, std::string_view(run.run_id));
  CAIRN_RETURN_IF_ERROR(update.Run());
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement upsert,
      conn.Prepare("INSERT INTO tags (run_uuid, key, value) VALUES (?, ?, ?) "
                   "ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value"));
  upsert.Bind(1, std::string_view(run.run_id)).Bind(2, kRunNameTag).Bind(3, name);
  return upsert.Run();
}

}  // namespace cairn::track
