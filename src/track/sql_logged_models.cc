// SqlTrackingStore: MLflow 3 logged models (create, get, finalize, soft delete, search, tags,
// params). A deleted model is gone for every call (404). Thread-safe as the store is.
#include <fmt/format.h>

#include <map>
#include <unordered_map>

#include "db/filter.h"
#include "track/ids.h"
#include "track/logged_model_query.h"
#include "track/sql_query.h"
#include "track/sql_store.h"
#include "track/validation.h"

namespace cairn::track {
namespace {

constexpr std::string_view kModelColumns =
    "m.model_id, m.experiment_id, m.name, m.artifact_location, m.creation_timestamp_ms, "
    "m.last_updated_timestamp_ms, m.status, m.model_type, m.source_run_id, m.status_message, "
    "m.creator_id";

LoggedModel ModelFromRow(const db::Statement& row) {
  LoggedModel m;
  m.model_id = row.ColumnText(0);
  m.experiment_id = std::to_string(row.ColumnInt(1));
  m.name = row.ColumnText(2);
  m.artifact_uri = row.ColumnText(3);
  m.creation_timestamp_ms = row.ColumnInt(4);
  m.last_updated_timestamp_ms = row.ColumnInt(5);
  m.status = ParseLoggedModelStatus(row.ColumnText(6)).value_or(LoggedModelStatus::kUnspecified);
  m.model_type = row.ColumnText(7);
  m.source_run_id = row.ColumnText(8);
  m.status_message = row.ColumnText(9);
  m.creator_id = row.ColumnText(10);
  return m;
}

Status NoSuchModel(std::string_view model_id) {
  return Status::NotFound(fmt::format("Logged model with ID '{}' not found.", model_id));
}

Status UpsertModelTags(db::Connection& conn, std::string_view model_id,
                       const std::vector<Tag>& tags) {
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement upsert,
      conn.Prepare("INSERT INTO logged_model_tags (model_id, tag_key, tag_value) VALUES (?, ?, ?) "
                   "ON CONFLICT (model_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value"));
  for (const Tag& tag : tags) {
    upsert.Bind(1, model_id)
        .Bind(2, std::string_view(tag.key))
        .Bind(3, std::string_view(tag.value));
    CAIRN_RETURN_IF_ERROR(upsert.Run());
  }
  return Status::Ok();
}

// Params are write-once, as a run's: the same value again is fine, another one is refused.
Status InsertModelParams(db::Connection& conn, std::string_view model_id,
                         const std::vector<Param>& params) {
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement select,
      conn.Prepare("SELECT param_value FROM logged_model_params WHERE model_id = ? AND "
                   "param_key = ?"));
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement insert,
      conn.Prepare("INSERT INTO logged_model_params (model_id, param_key, param_value) "
                   "VALUES (?, ?, ?)"));
  for (const Param& param : params) {
    select.Bind(1, model_id).Bind(2, std::string_view(param.key));
    CAIRN_ASSIGN_OR_RETURN(bool exists, select.Step());
    if (exists) {
      std::string old_value = select.ColumnText(0);
      CAIRN_RETURN_IF_ERROR(select.Run());
      if (old_value == param.value) continue;
      return Status::InvalidArgument(fmt::format(
          "Changing param values is not allowed. Param with key='{}' was already logged with "
          "value='{}' for logged model ID='{}'. Attempted logging new value '{}'.",
          param.key, old_value, model_id, param.value));
    }
    insert.Bind(1, model_id)
        .Bind(2, std::string_view(param.key))
        .Bind(3, std::string_view(param.value));
    CAIRN_RETURN_IF_ERROR(insert.Run());
  }
  return Status::Ok();
}

Status TouchModel(db::Connection& conn, std::string_view model_id, int64_t now) {
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement update,
      conn.Prepare("UPDATE logged_models SET last_updated_timestamp_ms = ? WHERE model_id = ?"));
  update.Bind(1, now).Bind(2, model_id);
  return update.Run();
}

}  // namespace

Result<LoggedModel> SqlTrackingStore::LoadLoggedModel(db::Connection& conn,
                                                      std::string_view model_id) {
  CAIRN_RETURN_IF_ERROR(RequireField(model_id, "model_id"));
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement select,
      conn.Prepare(fmt::format("SELECT {} FROM logged_models m WHERE m.model_id = ? AND "
                               "m.lifecycle_stage = 'active'",
                               kModelColumns)));
  select.Bind(1, model_id);
  CAIRN_ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return NoSuchModel(model_id);
  std::vector<LoggedModel> one = {ModelFromRow(select)};
  CAIRN_RETURN_IF_ERROR(LoadLoggedModelDetails(conn, one));
  return std::move(one.front());
}

Status SqlTrackingStore::LoadLoggedModelDetails(db::Connection& conn,
                                                std::vector<LoggedModel>& models) {
  if (models.empty()) return Status::Ok();
  std::vector<std::string> ids;
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < models.size(); ++i) {
    ids.push_back(models[i].model_id);
    index[models[i].model_id] = i;
  }
  auto for_each_row =
      [&](std::string_view head, std::string_view tail,
          const std::function<void(LoggedModel&, const db::Statement&)>& take) -> Status {
    SqlQuery query;
    query.Append(head).Append(InList("model_id", ids)).Append(tail);
    CAIRN_ASSIGN_OR_RETURN(db::Statement select, conn.Prepare(query.sql));
    BindAll(select, query.args);
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) return Status::Ok();
      auto it = index.find(select.ColumnText(0));
      if (it != index.end()) take(models[it->second], select);
    }
  };
  CAIRN_RETURN_IF_ERROR(
      for_each_row("SELECT model_id, tag_key, tag_value FROM logged_model_tags WHERE ",
                   " ORDER BY model_id, tag_key", [](LoggedModel& m, const db::Statement& row) {
                     m.tags.push_back(Tag{row.ColumnText(1), row.ColumnText(2)});
                   }));
  CAIRN_RETURN_IF_ERROR(
      for_each_row("SELECT model_id, param_key, param_value FROM logged_model_params WHERE ",
                   " ORDER BY model_id, param_key", [](LoggedModel& m, const db::Statement& row) {
                     m.params.push_back(Param{row.ColumnText(1), row.ColumnText(2)});
                   }));
  return for_each_row(
      "SELECT model_id, metric_name, metric_value, is_nan, metric_timestamp_ms, metric_step, "
      "dataset_name, dataset_digest FROM logged_model_metrics WHERE ",
      " ORDER BY model_id, metric_name, metric_timestamp_ms, metric_step",
      [](LoggedModel& m, const db::Statement& row) {
        Metric metric;
        metric.key = row.ColumnText(1);
        metric.value =
            row.ColumnInt(3) != 0 ? std::numeric_limits<double>::quiet_NaN() : row.ColumnDouble(2);
        metric.timestamp = row.ColumnInt(4);
        metric.step = row.ColumnInt(5);
        metric.model_id = m.model_id;
        metric.dataset_name = row.ColumnText(6);
        metric.dataset_digest = row.ColumnText(7);
        m.metrics.push_back(std::move(metric));
      });
}

Result<LoggedModel> SqlTrackingStore::CreateLoggedModel(const CreateLoggedModelRequest& request) {
  CAIRN_RETURN_IF_ERROR(RequireField(request.experiment_id, "experiment_id"));
  if (!request.name.empty()) CAIRN_RETURN_IF_ERROR(ValidateLoggedModelName(request.name));
  for (const Tag& tag : request.tags) CAIRN_RETURN_IF_ERROR(ValidateTag(tag));
  for (const Param& param : request.params) CAIRN_RETURN_IF_ERROR(ValidateParam(param));
  LoggedModel model;
  CAIRN_RETURN_IF_ERROR(Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(Experiment experiment, LoadExperiment(conn, request.experiment_id));
    CAIRN_RETURN_IF_ERROR(CheckExperimentActive(experiment));
    const std::string model_id = NewLoggedModelId();
    const std::string artifact_uri = AppendUriPath(
        AppendUriPath(AppendUriPath(experiment.artifact_location, "models"), model_id),
        "artifacts");
    const int64_t now = NowMs();
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement insert,
        conn.Prepare("INSERT INTO logged_models (model_id, experiment_id, name, "
                     "artifact_location, creation_timestamp_ms, last_updated_timestamp_ms, "
                     "status, lifecycle_stage, model_type, source_run_id) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)"));
    insert.Bind(1, std::string_view(model_id))
        .Bind(2, *ParseExperimentId(experiment.experiment_id))
        .Bind(3, std::string_view(request.name.empty() ? NewRunName() : request.name))
        .Bind(4, std::string_view(artifact_uri))
        .Bind(5, now)
        .Bind(6, now)
        .Bind(7, LoggedModelStatusName(LoggedModelStatus::kPending))
        .Bind(8, std::string_view(request.model_type))
        .Bind(9, std::string_view(request.source_run_id));
    CAIRN_RETURN_IF_ERROR(insert.Run());
    CAIRN_RETURN_IF_ERROR(InsertModelParams(conn, model_id, request.params));
    CAIRN_RETURN_IF_ERROR(UpsertModelTags(conn, model_id, request.tags));
    CAIRN_ASSIGN_OR_RETURN(model, LoadLoggedModel(conn, model_id));
    return Status::Ok();
  }));
  return model;
}

Result<LoggedModel> SqlTrackingStore::GetLoggedModel(std::string_view model_id) {
  LoggedModel model;
  CAIRN_RETURN_IF_ERROR(Read([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(model, LoadLoggedModel(conn, model_id));
    return Status::Ok();
  }));
  return model;
}

Result<LoggedModel> SqlTrackingStore::FinalizeLoggedModel(std::string_view model_id,
                                                          LoggedModelStatus status) {
  LoggedModel model;
  CAIRN_RETURN_IF_ERROR(Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(model, LoadLoggedModel(conn, model_id));
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement update,
        conn.Prepare("UPDATE logged_models SET status = ?, last_updated_timestamp_ms = ? "
                     "WHERE model_id = ?"));
    const int64_t now = NowMs();
    update.Bind(1, LoggedModelStatusName(status)).Bind(2, now).Bind(3, model_id);
    CAIRN_RETURN_IF_ERROR(update.Run());
    model.status = status;
    model.last_updated_timestamp_ms = now;
    return Status::Ok();
  }));
  return model;
}

Status SqlTrackingStore::DeleteLoggedModel(std::string_view model_id) {
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(LoggedModel model, LoadLoggedModel(conn, model_id));
    CAIRN_ASSIGN_OR_RETURN(db::Statement update,
                           conn.Prepare("UPDATE logged_models SET lifecycle_stage = 'deleted', "
                                        "last_updated_timestamp_ms = ? WHERE model_id = ?"));
    update.Bind(1, NowMs()).Bind(2, model_id);
    return update.Run();
  });
}

Result<Page<LoggedModel>> SqlTrackingStore::SearchLoggedModels(
    const SearchLoggedModelsRequest& request) {
  CAIRN_RETURN_IF_ERROR(ValidateMaxResults(request.max_results, kMaxSearchResults));
  CAIRN_ASSIGN_OR_RETURN(int64_t offset, db::DecodePageToken(request.page_token));
  std::vector<int64_t> experiment_ids;
  for (const std::string& id : request.experiment_ids) {
    if (std::optional<int64_t> parsed = ParseExperimentId(id)) experiment_ids.push_back(*parsed);
  }
  Page<LoggedModel> page;
  CAIRN_RETURN_IF_ERROR(Read([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(SqlQuery query,
                           CompileLoggedModelSearch(conn, kModelColumns, experiment_ids, request,
                                                    offset, request.max_results + 1));
    if (experiment_ids.empty()) return Status::Ok();
    CAIRN_ASSIGN_OR_RETURN(db::Statement select, conn.Prepare(query.sql));
    BindAll(select, query.args);
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      page.items.push_back(ModelFromRow(select));
    }
    if (static_cast<int64_t>(page.items.size()) > request.max_results) {
      page.items.pop_back();
      page.next_page_token = db::EncodePageToken(offset + request.max_results);
    }
    return LoadLoggedModelDetails(conn, page.items);
  }));
  return page;
}

Result<LoggedModel> SqlTrackingStore::SetLoggedModelTags(std::string_view model_id,
                                                         const std::vector<Tag>& tags) {
  for (const Tag& tag : tags) CAIRN_RETURN_IF_ERROR(ValidateTag(tag));
  LoggedModel model;
  CAIRN_RETURN_IF_ERROR(Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(LoggedModel existing, LoadLoggedModel(conn, model_id));
    CAIRN_RETURN_IF_ERROR(UpsertModelTags(conn, model_id, tags));
    CAIRN_RETURN_IF_ERROR(TouchModel(conn, model_id, NowMs()));
    CAIRN_ASSIGN_OR_RETURN(model, LoadLoggedModel(conn, model_id));
    return Status::Ok();
  }));
  return model;
}

Status SqlTrackingStore::DeleteLoggedModelTag(std::string_view model_id, std::string_view key) {
  CAIRN_RETURN_IF_ERROR(RequireField(key, "tag_key"));
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(LoggedModel existing, LoadLoggedModel(conn, model_id));
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement remove,
        conn.Prepare("DELETE FROM logged_model_tags WHERE model_id = ? AND tag_key = ?"));
    remove.Bind(1, model_id).Bind(2, key);
    CAIRN_RETURN_IF_ERROR(remove.Run());
    if (remove.changes() == 0) {
      return Status::NotFound(
          fmt::format("No tag with key '{}' found for logged model with ID '{}'.", key, model_id));
    }
    return TouchModel(conn, model_id, NowMs());
  });
}

Status SqlTrackingStore::LogLoggedModelParams(std::string_view model_id,
                                              const std::vector<Param>& params) {
  for (const Param& param : params) CAIRN_RETURN_IF_ERROR(ValidateParam(param));
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(LoggedModel existing, LoadLoggedModel(conn, model_id));
    CAIRN_RETURN_IF_ERROR(InsertModelParams(conn, model_id, params));
    return TouchModel(conn, model_id, NowMs());
  });
}

}  // namespace cairn::track
