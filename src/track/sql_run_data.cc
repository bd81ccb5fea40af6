// SqlTrackingStore: a run's data (metrics, params, tags, batches, logged-model history, inputs,
// outputs) and metric history reads. Every write checks the run is active and happens in one
// transaction. Thread-safe as the store is.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "core/json.h"
#include "core/strings.h"
#include "core/value.h"
#include "db/filter.h"
#include "track/ids.h"
#include "track/sql_query.h"
#include "track/sql_store.h"
#include "track/validation.h"

namespace cairn::track {
namespace {

constexpr std::string_view kRunNameTag = "mlflow.runName";
constexpr std::string_view kLoggedModelsTag = "mlflow.log-model.history";
// Bulk interval limits (MLflow's MAX_RUNS_GET_METRIC_HISTORY_BULK, MAX_RESULTS_PER_RUN,
// MAX_RESULTS_GET_METRIC_HISTORY).
constexpr size_t kMaxBulkRuns = 100;
constexpr int64_t kMaxBulkResultsPerRun = 2500;
constexpr int64_t kMaxBulkPointsPerRun = 25000;

// A quoted Python repr of a string, for messages that mimic MLflow's dict reprs.
std::string PyRepr(std::string_view s) { return "'" + std::string(s) + "'"; }

std::vector<int64_t> SampleSteps(const std::vector<int64_t>& all_steps, int64_t start, int64_t end,
                                 int64_t max_results) {
  // MLflow's _get_sampled_steps_from_steps: all steps in range when they fit, else
  // max_results evenly spaced ones and the last.
  auto first = std::lower_bound(all_steps.begin(), all_steps.end(), start);
  auto last = std::upper_bound(all_steps.begin(), all_steps.end(), end);
  const int64_t count = last - first;
  if (count <= max_results) return std::vector<int64_t>(first, last);
  std::vector<int64_t> sampled;
  const double interval = static_cast<double>(count) / static_cast<double>(max_results);
  for (int64_t i = 0; i < max_results; ++i) {
    auto offset = static_cast<int64_t>(static_cast<double>(i) * interval);
    if (offset < count) sampled.push_back(*(first + offset));
  }
  sampled.push_back(*(last - 1));
  return sampled;
}

// The history of one metric of one run, the columns every history read selects.
constexpr std::string_view kHistoryColumns =
    "key, value, is_nan, timestamp, step, model_id, dataset_name, dataset_digest";

Metric MetricFromRow(const db::Statement& row, int first) {
  Metric m;
  m.key = row.ColumnText(first);
  m.value = row.ColumnInt(first + 2) != 0 ? std::numeric_limits<double>::quiet_NaN()
                                          : row.ColumnDouble(first + 1);
  m.timestamp = row.ColumnInt(first + 3);
  m.step = row.ColumnInt(first + 4);
  m.model_id = row.ColumnText(first + 5);
  m.dataset_name = row.ColumnText(first + 6);
  m.dataset_digest = row.ColumnText(first + 7);
  return m;
}

// MLflow's Model.get_tags_dict(): run_id, artifact_path, utc_time_created and model_uuid as
// given, then flavors without their "config" entries.
core::Value ModelHistoryEntry(const core::Value& model) {
  core::Value entry = core::Value::Mapping();
  for (const core::Member& member : model.members()) {
    if (member.key == "run_id" || member.key == "artifact_path" ||
        member.key == "utc_time_created" || member.key == "model_uuid") {
      entry.AppendMember(member.key, member.value);
    }
  }
  core::Value flavors = core::Value::Mapping();
  if (const core::Value* given = model.Find("flavors"); given && given->is_mapping()) {
    for (const core::Member& flavor : given->members()) {
      if (!flavor.value.is_mapping()) {
        flavors.AppendMember(flavor.key, flavor.value);
        continue;
      }
      core::Value config = core::Value::Mapping();
      for (const core::Member& item : flavor.value.members()) {
        if (item.key != "config") config.AppendMember(item.key, item.value);
      }
      flavors.AppendMember(flavor.key, std::move(config));
    }
  }
  entry.AppendMember("flavors", std::move(flavors));
  return entry;
}

// Python's json.dumps(obj): ", " and ": " separators, ASCII only.
std::string PythonJsonDumps(const core::Value& value) {
  core::JsonWriteOptions options;
  options.ensure_ascii = true;
  options.item_separator = ", ";
  options.key_separator = ": ";
  return core::ToJson(value, options);
}

}  // namespace

Status SqlTrackingStore::WriteMetrics(db::Connection& conn, const StoredRun& run,
                                      const std::vector<Metric>& metrics) {
  if (metrics.empty()) return Status::Ok();
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement history,
      conn.Prepare("INSERT OR IGNORE INTO metrics (run_key, key, value, is_nan, timestamp, step, "
                   "model_id, dataset_name, dataset_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  // The latest point per key is the greatest by (step, timestamp, value), a NaN counting as 0
  // (as MLflow compares them).
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement latest,
      conn.Prepare("INSERT INTO latest_metrics (run_key, key, value, is_nan, timestamp, step) "
                   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_key, key) DO UPDATE SET "
                   "value = excluded.value, is_nan = excluded.is_nan, "
                   "timestamp = excluded.timestamp, step = excluded.step "
                   "WHERE (excluded.step, excluded.timestamp, excluded.value) > "
                   "(latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)"));
  for (const Metric& metric : metrics) {
    const bool is_nan = std::isnan(metric.value);
    const double value = is_nan ? 0.0 : metric.value;
    history.Bind(1, run.key)
        .Bind(2, std::string_view(metric.key))
        .Bind(3, value)
        .Bind(4, is_nan ? 1 : 0)
        .Bind(5, metric.timestamp)
        .Bind(6, metric.step)
        .Bind(7, std::string_view(metric.model_id))
        .Bind(8, std::string_view(metric.dataset_name))
        .Bind(9, std::string_view(metric.dataset_digest));
    CAIRN_RETURN_IF_ERROR(history.Run());
    if (history.changes() == 0) continue;  // an exact duplicate: already counted
    latest.Bind(1, run.key)
        .Bind(2, std::string_view(metric.key))
        .Bind(3, value)
        .Bind(4, is_nan ? 1 : 0)
        .Bind(5, metric.timestamp)
        .Bind(6, metric.step);
    CAIRN_RETURN_IF_ERROR(latest.Run());
    if (!metric.model_id.empty()) {
      // MLflow 3: a metric measured on a logged model is also the model's.
      CAIRN_ASSIGN_OR_RETURN(
          db::Statement model,
          conn.Prepare("INSERT OR IGNORE INTO logged_model_metrics (model_id, metric_name, "
                       "metric_timestamp_ms, metric_step, metric_value, is_nan, run_id, "
                       "dataset_name, dataset_digest) SELECT model_id, ?, ?, ?, ?, ?, ?, ?, ? "
                       "FROM logged_models WHERE model_id = ?"));
      model.Bind(1, std::string_view(metric.key))
          .Bind(2, metric.timestamp)
          .Bind(3, metric.step)
          .Bind(4, value)
          .Bind(5, is_nan ? 1 : 0)
          .Bind(6, std::string_view(run.info.run_id))
          .Bind(7, std::string_view(metric.dataset_name))
          .Bind(8, std::string_view(metric.dataset_digest))
          .Bind(9, std::string_view(metric.model_id));
      CAIRN_RETURN_IF_ERROR(model.Run());
    }
  }
  return Status::Ok();
}

Status SqlTrackingStore::WriteParams(db::Connection& conn, const StoredRun& run,
                                     const std::vector<Param>& params, bool batch) {
  if (params.empty()) return Status::Ok();
  // One value per key within the request (the same value twice is harmless).
  std::map<std::string_view, std::string_view> wanted;
  std::vector<std::string> duplicates;
  std::vector<const Param*> unique;
  for (const Param& param : params) {
    auto [it, inserted] = wanted.emplace(param.key, param.value);
    if (inserted) {
      unique.push_back(&param);
    } else if (it->second != param.value) {
      duplicates.push_back(PyRepr(param.key));
    }
  }
  if (!duplicates.empty()) {
    return Status::InvalidArgument(fmt::format(
        "Duplicate parameter keys have been submitted: [{}]. Please ensure the request contains "
        "only one param value per param key.",
        core::Join(duplicates, ", ")));
  }
  CAIRN_ASSIGN_OR_RETURN(db::Statement select,
                         conn.Prepare("SELECT value FROM params WHERE run_key = ? AND key = ?"));
  CAIRN_ASSIGN_OR_RETURN(db::Statement insert,
                         conn.Prepare("INSERT INTO params (run_key, key, value) VALUES (?, ?, ?)"));
  std::vector<std::string> changed;
  for (const Param* param : unique) {
    select.Bind(1, run.key).Bind(2, std::string_view(param->key));
    CAIRN_ASSIGN_OR_RETURN(bool exists, select.Step());
    if (exists) {
      std::string old_value = select.ColumnText(0);
      CAIRN_RETURN_IF_ERROR(select.Run());  // finish, so the next Bind starts over
      if (old_value == param->value) continue;
      if (!batch) {
        return Status::InvalidArgument(fmt::format(
            "Changing param values is not allowed. Param with key='{}' was already logged with "
            "value='{}' for run ID='{}'. Attempted logging new value '{}'.",
            param->key, old_value, run.info.run_id, param->value));
      }
      changed.push_back(fmt::format("{{'key': {}, 'old_value': {}, 'new_value': {}}}",
                                    PyRepr(param->key), PyRepr(old_value), PyRepr(param->value)));
      continue;
    }
    insert.Bind(1, run.key)
        .Bind(2, std::string_view(param->key))
        .Bind(3, std::string_view(param->value));
    CAIRN_RETURN_IF_ERROR(insert.Run());
  }
  if (!changed.empty()) {
    return Status::InvalidArgument(fmt::format(
        "Changing param values is not allowed. Params were already logged='[{}]' for run "
        "ID='{}'.",
        core::Join(changed, ", "), run.info.run_id));
  }
  return Status::Ok();
}

Status SqlTrackingStore::WriteTags(db::Connection& conn, const StoredRun& run,
                                   const std::vector<Tag>& tags) {
  if (tags.empty()) return Status::Ok();
  CAIRN_ASSIGN_OR_RETURN(
      db::Statement upsert,
      conn.Prepare("INSERT INTO tags (run_key, key, value) VALUES (?, ?, ?) "
                   "ON CONFLICT (run_key, key) DO UPDATE SET value = excluded.value"));
  for (const Tag& tag : tags) {
    if (tag.key == kRunNameTag) {
      // The run's name and its tag stay the same; an empty name changes neither (MLflow's
      // set_tag renames through update_run_info, which ignores an empty name).
      if (!tag.value.empty()) CAIRN_RETURN_IF_ERROR(RenameRun(conn, run, tag.value));
      continue;
    }
    upsert.Bind(1, run.key).Bind(2, std::string_view(tag.key)).Bind(3, std::string_view(tag.value));
    CAIRN_RETURN_IF_ERROR(upsert.Run());
  }
  return Status::Ok();
}

Status SqlTrackingStore::LogMetric(std::string_view run_id, const Metric& metric) {
  CAIRN_RETURN_IF_ERROR(ValidateMetric(metric));
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(StoredRun run, LoadActiveRun(conn, run_id));
    return WriteMetrics(conn, run, {metric});
  });
}

Status SqlTrackingStore::LogParam(std::string_view run_id, const Param& param) {
  CAIRN_RETURN_IF_ERROR(ValidateParam(param));
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(StoredRun run, LoadActiveRun(conn, run_id));
    return WriteParams(conn, run, {param}, /*batch=*/false);
  });
}

Status SqlTrackingStore::SetTag(std::string_view run_id, const Tag& tag) {
  CAIRN_RETURN_IF_ERROR(ValidateTag(tag));
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(StoredRun run, LoadActiveRun(conn, run_id));
    return WriteTags(conn, run, {tag});
  });
}

Status SqlTrackingStore::DeleteTag(std::string_view run_id, std::string_view key) {
  CAIRN_RETURN_IF_ERROR(RequireField(key, "key"));
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(StoredRun run, LoadActiveRun(conn, run_id));
    CAIRN_ASSIGN_OR_RETURN(db::Statement remove,
                           conn.Prepare("DELETE FROM tags WHERE run_key = ? AND key = ?"));
    remove.Bind(1, run.key).Bind(2, key);
    CAIRN_RETURN_IF_ERROR(remove.Run());
    if (remove.changes() == 0) {
      return Status::NotFound(
          fmt::format("No tag with name: {} in run with id {}", key, run.info.run_id));
    }
    return Status::Ok();
  });
}

Status SqlTrackingStore::LogBatch(std::string_view run_id, const std::vector<Metric>& metrics,
                                  const std::vector<Param>& params, const std::vector<Tag>& tags) {
  CAIRN_RETURN_IF_ERROR(ValidateBatchLimits(metrics.size(), params.size(), tags.size()));
  for (const Metric& metric : metrics) CAIRN_RETURN_IF_ERROR(ValidateMetric(metric));
  for (const Param& param : params) CAIRN_RETURN_IF_ERROR(ValidateParam(param));
  for (const Tag& tag : tags) CAIRN_RETURN_IF_ERROR(ValidateTag(tag));
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(StoredRun run, LoadActiveRun(conn, run_id));
    CAIRN_RETURN_IF_ERROR(WriteParams(conn, run, params, /*batch=*/true));
    CAIRN_RETURN_IF_ERROR(WriteMetrics(conn, run, metrics));
    return WriteTags(conn, run, tags);
  });
}

Status SqlTrackingStore::LogModel(std::string_view run_id, std::string_view model_json) {
  CAIRN_RETURN_IF_ERROR(RequireField(model_json, "model_json"));
  Result<core::Value> model = core::ParseJson(model_json, "model_json");
  if (!model.ok() || !model->is_mapping()) {
    return Status::InvalidArgument(
        fmt::format("Malformed model info. \n {} \n is not a valid JSON.", model_json));
  }
  std::vector<std::string> missing;
  for (std::string_view field : {"artifact_path", "flavors", "run_id", "utc_time_created"}) {
    if (model->Find(field) == nullptr) missing.push_back(PyRepr(field));
  }
  if (!missing.empty()) {
    return Status::InvalidArgument(
        fmt::format("Model json is missing mandatory fields: {{{}}}", core::Join(missing, ", ")));
  }
  const core::Value entry = ModelHistoryEntry(*model);
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(StoredRun run, LoadActiveRun(conn, run_id));
    CAIRN_ASSIGN_OR_RETURN(db::Statement select,
                           conn.Prepare("SELECT value FROM tags WHERE run_key = ? AND key = ?"));
    select.Bind(1, run.key).Bind(2, kLoggedModelsTag);
    CAIRN_ASSIGN_OR_RETURN(bool exists, select.Step());
    core::Value history = core::Value::Sequence();
    if (exists) {
      Result<core::Value> previous =
          core::ParseJson(select.ColumnText(0), kLoggedModelsTag, {.allow_nan = true});
      if (previous.ok() && previous->is_sequence()) history = std::move(*previous);
    }
    history.Append(entry);
    Tag tag{std::string(kLoggedModelsTag), PythonJsonDumps(history)};
    CAIRN_RETURN_IF_ERROR(ValidateTag(tag));
    return WriteTags(conn, run, {tag});
  });
}

Status SqlTrackingStore::LogInputs(std::string_view run_id,
                                   const std::vector<DatasetInput>& datasets,
                                   const std::vector<std::string>& model_ids) {
  for (const DatasetInput& input : datasets) CAIRN_RETURN_IF_ERROR(ValidateDatasetInput(input));
  for (const std::string& model_id : model_ids) {
    CAIRN_RETURN_IF_ERROR(RequireField(model_id, "models.model_id"));
  }
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(StoredRun run, LoadActiveRun(conn, run_id));
    const int64_t experiment_id = *ParseExperimentId(run.info.experiment_id);
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement find_dataset,
        conn.Prepare("SELECT dataset_uuid FROM datasets WHERE experiment_id = ? AND name = ? AND "
                     "digest = ?"));
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement insert_dataset,
        conn.Prepare("INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, "
                     "dataset_source_type, dataset_source, dataset_schema, dataset_profile) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement insert_input,
        conn.Prepare("INSERT OR IGNORE INTO inputs (input_uuid, source_type, source_id, "
                     "destination_type, destination_id) VALUES (?, ?, ?, 'RUN', ?)"));
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement insert_tag,
        conn.Prepare("INSERT OR REPLACE INTO input_tags (input_uuid, name, value) "
                     "VALUES (?, ?, ?)"));
    std::set<std::pair<std::string_view, std::string_view>> seen;  // (name, digest)
    for (const DatasetInput& input : datasets) {
      const Dataset& d = input.dataset;
      if (!seen.emplace(d.name, d.digest).second) continue;  // the first of a (name, digest)
      find_dataset.Bind(1, experiment_id)
          .Bind(2, std::string_view(d.name))
          .Bind(3, std::string_view(d.digest));
      CAIRN_ASSIGN_OR_RETURN(bool found, find_dataset.Step());
      std::string dataset_uuid;
      if (found) {
        dataset_uuid = find_dataset.ColumnText(0);
        CAIRN_RETURN_IF_ERROR(find_dataset.Run());
      } else {
        dataset_uuid = NewHexId();
        auto optional = [](const std::string& s) {
          return s.empty() ? std::nullopt : std::optional<std::string>(s);
        };
        insert_dataset.Bind(1, std::string_view(dataset_uuid))
            .Bind(2, experiment_id)
            .Bind(3, std::string_view(d.name))
            .Bind(4, std::string_view(d.digest))
            .Bind(5, std::string_view(d.source_type))
            .Bind(6, std::string_view(d.source))
            .Bind(7, optional(d.schema))
            .Bind(8, optional(d.profile));
        CAIRN_RETURN_IF_ERROR(insert_dataset.Run());
      }
      const std::string input_uuid = NewHexId();
      insert_input.Bind(1, std::string_view(input_uuid))
          .Bind(2, "DATASET")
          .Bind(3, std::string_view(dataset_uuid))
          .Bind(4, std::string_view(run.info.run_id));
      CAIRN_RETURN_IF_ERROR(insert_input.Run());
      if (insert_input.changes() == 0) continue;  // already an input of the run: tags stay
      for (const Tag& tag : input.tags) {
        insert_tag.Bind(1, std::string_view(input_uuid))
            .Bind(2, std::string_view(tag.key))
            .Bind(3, std::string_view(tag.value));
        CAIRN_RETURN_IF_ERROR(insert_tag.Run());
      }
    }
    for (const std::string& model_id : model_ids) {
      insert_input.Bind(1, std::string_view(NewHexId()))
          .Bind(2, "MODEL")
          .Bind(3, std::string_view(model_id))
          .Bind(4, std::string_view(run.info.run_id));
      CAIRN_RETURN_IF_ERROR(insert_input.Run());
    }
    return Status::Ok();
  });
}

Status SqlTrackingStore::LogOutputs(std::string_view run_id,
                                    const std::vector<ModelOutput>& models) {
  for (const ModelOutput& output : models) {
    CAIRN_RETURN_IF_ERROR(RequireField(output.model_id, "models.model_id"));
  }
  return Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(StoredRun run, LoadActiveRun(conn, run_id));
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement insert,
        conn.Prepare("INSERT OR IGNORE INTO run_outputs (run_key, model_id, step) "
                     "VALUES (?, ?, ?)"));
    for (const ModelOutput& output : models) {
      insert.Bind(1, run.key).Bind(2, std::string_view(output.model_id)).Bind(3, output.step);
      CAIRN_RETURN_IF_ERROR(insert.Run());
    }
    return Status::Ok();
  });
}

Result<Page<Metric>> SqlTrackingStore::GetMetricHistory(const MetricHistoryRequest& request) {
  CAIRN_RETURN_IF_ERROR(RequireField(request.run_id, "run_id"));
  CAIRN_RETURN_IF_ERROR(RequireField(request.metric_key, "metric_key"));
  if (request.max_results) {
    CAIRN_RETURN_IF_ERROR(
        ValidateMaxResults(*request.max_results, std::numeric_limits<int64_t>::max() - 1));
  }
  CAIRN_ASSIGN_OR_RETURN(int64_t offset, db::DecodePageToken(request.page_token));
  Page<Metric> page;
  CAIRN_RETURN_IF_ERROR(Read([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement select,
        conn.Prepare(fmt::format("SELECT {} FROM metrics WHERE run_key = (SELECT run_key FROM runs "
                                 "WHERE run_uuid = ?) AND key = ? "
                                 "ORDER BY timestamp, step, value LIMIT ? OFFSET ?",
                                 kHistoryColumns)));
    select.Bind(1, std::string_view(request.run_id))
        .Bind(2, std::string_view(request.metric_key))
        .Bind(3, request.max_results ? *request.max_results + 1 : int64_t{-1})
        .Bind(4, offset);
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      page.items.push_back(MetricFromRow(select, 0));
    }
    return Status::Ok();
  }));
  if (request.max_results && static_cast<int64_t>(page.items.size()) > *request.max_results) {
    page.items.pop_back();
    page.next_page_token = db::EncodePageToken(offset + *request.max_results);
  }
  return page;
}

Result<std::vector<MetricWithRunId>> SqlTrackingStore::GetMetricHistoryBulkInterval(
    const BulkIntervalRequest& request) {
  if (request.run_ids.empty()) {
    return Status::InvalidArgument(
        "GetMetricHistoryBulkInterval request must specify at least one run_id.");
  }
  if (request.run_ids.size() > kMaxBulkRuns) {
    return Status::InvalidArgument(fmt::format(
        "GetMetricHistoryBulkInterval request must specify at most {} run_ids. Received {} "
        "run_ids.",
        kMaxBulkRuns, request.run_ids.size()));
  }
  CAIRN_RETURN_IF_ERROR(RequireField(request.metric_key, "metric_key"));
  if (request.max_results < 1 || request.max_results > kMaxBulkResultsPerRun) {
    return Status::InvalidArgument(
        fmt::format("max_results must be between 1 and {}.", kMaxBulkResultsPerRun));
  }
  if (request.start_step.has_value() != request.end_step.has_value()) {
    return Status::InvalidArgument(
        "If either start step or end step are specified, both must be specified.");
  }
  if (request.start_step && *request.start_step > *request.end_step) {
    return Status::InvalidArgument(fmt::format(
        "end_step must be greater than start_step. Found start_step={} and end_step={}.",
        *request.start_step, *request.end_step));
  }
  std::vector<MetricWithRunId> out;
  CAIRN_RETURN_IF_ERROR(Read([&](db::Connection& conn) -> Status {
    // The steps every run has, and each run's first and last (kept whatever the sampling).
    CAIRN_ASSIGN_OR_RETURN(db::Statement steps,
                           conn.Prepare("SELECT DISTINCT step FROM metrics WHERE run_key = (SELECT "
                                        "run_key FROM runs WHERE run_uuid = ?) "
                                        "AND key = ? ORDER BY step"));
    std::set<int64_t> all_steps;
    std::set<int64_t> ends;
    for (const std::string& run_id : request.run_ids) {
      steps.Bind(1, std::string_view(run_id)).Bind(2, std::string_view(request.metric_key));
      std::optional<int64_t> first;
      std::optional<int64_t> last;
      while (true) {
        CAIRN_ASSIGN_OR_RETURN(bool row, steps.Step());
        if (!row) break;
        const int64_t step = steps.ColumnInt(0);
        if (!first) first = step;
        last = step;
        all_steps.insert(step);
      }
      if (first) ends.insert({*first, *last});
    }
    const int64_t start = request.start_step.value_or(0);
    const int64_t end = request.end_step.value_or(all_steps.empty() ? 0 : *all_steps.rbegin());
    std::vector<int64_t> sorted(all_steps.begin(), all_steps.end());
    std::set<int64_t> chosen;
    for (int64_t step : SampleSteps(sorted, start, end, request.max_results)) chosen.insert(step);
    for (int64_t step : ends) {
      if (step >= start && step <= end) chosen.insert(step);
    }
    if (chosen.empty()) return Status::Ok();
    SqlQuery query;
    query
        .Append(fmt::format("SELECT {} FROM metrics WHERE run_key = (SELECT run_key FROM runs "
                            "WHERE run_uuid = ?) AND key = ? AND ",
                            kHistoryColumns))
        .Append(InList("step", std::vector<int64_t>(chosen.begin(), chosen.end())))
        .Append(" ORDER BY step, timestamp, value LIMIT ?");
    CAIRN_ASSIGN_OR_RETURN(db::Statement points, conn.Prepare(query.sql));
    for (const std::string& run_id : request.run_ids) {
      std::vector<SqlArg> args = {run_id, request.metric_key};
      args.insert(args.end(), query.args.begin(), query.args.end());
      args.emplace_back(kMaxBulkPointsPerRun);
      BindAll(points, args);
      while (true) {
        CAIRN_ASSIGN_OR_RETURN(bool row, points.Step());
        if (!row) break;
        out.push_back(MetricWithRunId{MetricFromRow(points, 0), run_id});
      }
    }
    return Status::Ok();
  }));
  return out;
}

}  // namespace cairn::track
