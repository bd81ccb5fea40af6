// The tracking endpoints (reference section 4.1 and 4.2): experiments, runs, their metrics,
// params, tags, inputs and outputs. Each handler reads its message, calls the TrackingStore
// (which validates limits and names) and answers MLflow's JSON. The artifact listing of a run
// lives with the artifact proxy (artifact_handlers.cc).
#include <fmt/format.h>

#include <array>

#include "server/routes.h"
#include "server/wire.h"

namespace cairn::server {
namespace {

// Enum names by proto number.
constexpr std::array<std::string_view, 4> kViewTypeNames = {"", "ACTIVE_ONLY", "DELETED_ONLY",
                                                            "ALL"};
constexpr std::array<std::string_view, 6> kRunStatusNames = {"",         "RUNNING", "SCHEDULED",
                                                             "FINISHED", "FAILED",  "KILLED"};

track::TrackingStore& Store(const Call& call) { return *call.state.tracking; }

Result<track::ViewType> ReadViewType(const Params& params, std::string_view field) {
  CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> name, params.OptEnum(field, kViewTypeNames));
  if (!name) return track::ViewType::kActiveOnly;
  return track::ParseViewType(*name, field);
}

// MLflow refuses locations that point into other runs or carry URL fragments or params.
Status CheckArtifactLocation(std::string_view location) {
  if (location.starts_with("runs:")) {
    return Status::InvalidArgument(
        "Artifact location cannot be a runs:/ URI. Give a location that does not refer to a run "
        "(a directory, s3://..., or leave it out for the server's default).");
  }
  if (location.find('#') != std::string_view::npos) {
    return Status::InvalidArgument("'artifact_location' URL can't include fragments or params.");
  }
  return Status::Ok();
}

core::Value PageJson(std::string_view list_key, core::Value items, std::string_view token) {
  return JsonObject().List(list_key, std::move(items)).Str("next_page_token", token).Build();
}

// --- Experiments ---

Result<core::Value> CreateExperiment(const Call& call) {
  const Params& p = call.params;
  CAIRN_ASSIGN_OR_RETURN(std::string name, p.RequiredString("name"));
  CAIRN_ASSIGN_OR_RETURN(std::string artifact_location, p.String("artifact_location"));
  CAIRN_RETURN_IF_ERROR(CheckArtifactLocation(artifact_location));
  CAIRN_ASSIGN_OR_RETURN(std::vector<track::Tag> tags, TrackTags(p, "tags"));
  CAIRN_ASSIGN_OR_RETURN(std::string id,
                         Store(call).CreateExperiment(name, artifact_location, tags));
  return JsonObject().Str("experiment_id", id).Build();
}

Result<core::Value> SearchExperiments(const Call& call) {
  const Params& p = call.params;
  track::SearchExperimentsRequest request;
  CAIRN_ASSIGN_OR_RETURN(request.filter, p.String("filter"));
  CAIRN_ASSIGN_OR_RETURN(request.view, ReadViewType(p, "view_type"));
  CAIRN_ASSIGN_OR_RETURN(std::optional<int64_t> max_results, p.OptInt64("max_results"));
  if (max_results) request.max_results = *max_results;
  CAIRN_ASSIGN_OR_RETURN(request.order_by, p.StringList("order_by"));
  CAIRN_ASSIGN_OR_RETURN(request.page_token, p.String("page_token"));
  CAIRN_ASSIGN_OR_RETURN(track::Page<track::Experiment> page,
                         Store(call).SearchExperiments(request));
  return PageJson("experiments", JsonList(page.items, ExperimentJson), page.next_page_token);
}

Result<core::Value> GetExperiment(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string id, call.params.RequiredString("experiment_id"));
  CAIRN_ASSIGN_OR_RETURN(track::Experiment experiment, Store(call).GetExperiment(id));
  return JsonObject().Object("experiment", ExperimentJson(experiment)).Build();
}

Result<core::Value> GetExperimentByName(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string name, call.params.RequiredString("experiment_name"));
  CAIRN_ASSIGN_OR_RETURN(track::Experiment experiment, Store(call).GetExperimentByName(name));
  return JsonObject().Object("experiment", ExperimentJson(experiment)).Build();
}

Result<core::Value> DeleteExperiment(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string id, call.params.RequiredString("experiment_id"));
  CAIRN_RETURN_IF_ERROR(Store(call).DeleteExperiment(id));
  return EmptyJson();
}

Result<core::Value> RestoreExperiment(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string id, call.params.RequiredString("experiment_id"));
  CAIRN_RETURN_IF_ERROR(Store(call).RestoreExperiment(id));
  return EmptyJson();
}

Result<core::Value> UpdateExperiment(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string id, call.params.RequiredString("experiment_id"));
  CAIRN_ASSIGN_OR_RETURN(std::string new_name, call.params.String("new_name"));
  if (new_name.empty()) {
    // Nothing to change, but the experiment must exist (as MLflow checks).
    CAIRN_RETURN_IF_ERROR(Store(call).GetExperiment(id).status());
    return EmptyJson();
  }
  CAIRN_RETURN_IF_ERROR(Store(call).RenameExperiment(id, new_name));
  return EmptyJson();
}

Result<core::Value> SetExperimentTag(const Call& call) {
  const Params& p = call.params;
  CAIRN_ASSIGN_OR_RETURN(std::string id, p.RequiredString("experiment_id"));
  track::Tag tag;
  CAIRN_ASSIGN_OR_RETURN(tag.key, p.RequiredString("key"));
  CAIRN_ASSIGN_OR_RETURN(tag.value, p.PresentString("value"));
  CAIRN_RETURN_IF_ERROR(Store(call).SetExperimentTag(id, tag));
  return EmptyJson();
}

Result<core::Value> DeleteExperimentTag(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string id, call.params.RequiredString("experiment_id"));
  CAIRN_ASSIGN_OR_RETURN(std::string key, call.params.RequiredString("key"));
  CAIRN_RETURN_IF_ERROR(Store(call).DeleteExperimentTag(id, key));
  return EmptyJson();
}

// --- Runs ---

Result<core::Value> CreateRun(const Call& call) {
  const Params& p = call.params;
  track::CreateRunRequest request;
  CAIRN_ASSIGN_OR_RETURN(std::string experiment_id, p.String("experiment_id"));
  if (!experiment_id.empty()) request.experiment_id = std::move(experiment_id);
  CAIRN_ASSIGN_OR_RETURN(request.user_id, p.String("user_id"));
  // Behind authentication, the user who asked is the run's user unless the client says.
  if (request.user_id.empty()) request.user_id = call.request.user;
  CAIRN_ASSIGN_OR_RETURN(request.run_name, p.String("run_name"));
  CAIRN_ASSIGN_OR_RETURN(std::optional<int64_t> start_time, p.OptInt64("start_time"));
  request.start_time = start_time.value_or(0);
  CAIRN_ASSIGN_OR_RETURN(request.tags, TrackTags(p, "tags"));
  CAIRN_ASSIGN_OR_RETURN(track::Run run, Store(call).CreateRun(request));
  return JsonObject().Object("run", RunJson(run)).Build();
}

Result<core::Value> UpdateRun(const Call& call) {
  const Params& p = call.params;
  track::UpdateRunRequest request;
  CAIRN_ASSIGN_OR_RETURN(request.run_id, p.RunId());
  CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> status, p.OptEnum("status", kRunStatusNames));
  if (status) {
    CAIRN_ASSIGN_OR_RETURN(request.status, track::ParseRunStatus(*status));
  }
  CAIRN_ASSIGN_OR_RETURN(request.end_time, p.OptInt64("end_time"));
  CAIRN_ASSIGN_OR_RETURN(std::string run_name, p.String("run_name"));
  if (!run_name.empty()) request.run_name = std::move(run_name);
  CAIRN_ASSIGN_OR_RETURN(track::RunInfo info, Store(call).UpdateRun(request));
  return JsonObject().Object("run_info", RunInfoJson(info)).Build();
}

Result<core::Value> DeleteRun(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string run_id, call.params.RunId());
  CAIRN_RETURN_IF_ERROR(Store(call).DeleteRun(run_id));
  return EmptyJson();
}

Result<core::Value> RestoreRun(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string run_id, call.params.RunId());
  CAIRN_RETURN_IF_ERROR(Store(call).RestoreRun(run_id));
  return EmptyJson();
}

Result<core::Value> GetRun(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string run_id, call.params.RunId());
  CAIRN_ASSIGN_OR_RETURN(track::Run run, Store(call).GetRun(run_id));
  return JsonObject().Object("run", RunJson(run)).Build();
}

Result<core::Value> SearchRuns(const Call& call) {
  const Params& p = call.params;
  track::SearchRunsRequest request;
  CAIRN_ASSIGN_OR_RETURN(request.experiment_ids, p.StringList("experiment_ids"));
  CAIRN_ASSIGN_OR_RETURN(request.filter, p.String("filter"));
  CAIRN_ASSIGN_OR_RETURN(request.view, ReadViewType(p, "run_view_type"));
  CAIRN_ASSIGN_OR_RETURN(std::optional<int64_t> max_results, p.OptInt64("max_results"));
  if (max_results) request.max_results = *max_results;
  CAIRN_ASSIGN_OR_RETURN(request.order_by, p.StringList("order_by"));
  CAIRN_ASSIGN_OR_RETURN(request.page_token, p.String("page_token"));
  CAIRN_ASSIGN_OR_RETURN(track::Page<track::Run> page, Store(call).SearchRuns(request));
  return PageJson("runs", JsonList(page.items, RunJson), page.next_page_token);
}

Result<core::Value> LogMetric(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string run_id, call.params.RunId());
  CAIRN_ASSIGN_OR_RETURN(track::Metric metric, ReadMetric(call.params));
  CAIRN_RETURN_IF_ERROR(Store(call).LogMetric(run_id, metric));
  return EmptyJson();
}

Result<core::Value> LogParam(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string run_id, call.params.RunId());
  track::Param param;
  CAIRN_ASSIGN_OR_RETURN(param.key, call.params.RequiredString("key"));
  CAIRN_ASSIGN_OR_RETURN(param.value, call.params.String("value"));
  CAIRN_RETURN_IF_ERROR(Store(call).LogParam(run_id, param));
  return EmptyJson();
}

Result<core::Value> SetTag(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string run_id, call.params.RunId());
  track::Tag tag;
  CAIRN_ASSIGN_OR_RETURN(tag.key, call.params.RequiredString("key"));
  CAIRN_ASSIGN_OR_RETURN(tag.value, call.params.PresentString("value"));
  CAIRN_RETURN_IF_ERROR(Store(call).SetTag(run_id, tag));
  return EmptyJson();
}

Result<core::Value> DeleteTag(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string run_id, call.params.RunId());
  CAIRN_ASSIGN_OR_RETURN(std::string key, call.params.RequiredString("key"));
  CAIRN_RETURN_IF_ERROR(Store(call).DeleteTag(run_id, key));
  return EmptyJson();
}

Result<core::Value> LogBatch(const Call& call) {
  if (call.request.body.size() > track::kMaxBatchRequestBytes) {
    return Status::InvalidArgument(
        fmt::format("Batched logging API requests must be at most {} bytes, got a payload of {} "
                    "bytes. Send the metrics, params and tags in several batches.",
                    track::kMaxBatchRequestBytes, call.request.body.size()));
  }
  const Params& p = call.params;
  CAIRN_ASSIGN_OR_RETURN(std::string run_id, p.RunId());
  CAIRN_ASSIGN_OR_RETURN(std::vector<Params> metric_messages, p.MessageList("metrics"));
  std::vector<track::Metric> metrics;
  metrics.reserve(metric_messages.size());
  for (const Params& message : metric_messages) {
    CAIRN_ASSIGN_OR_RETURN(track::Metric metric, ReadMetric(message));
    metrics.push_back(std::move(metric));
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<track::Param> params, TrackParams(p, "params"));
  CAIRN_ASSIGN_OR_RETURN(std::vector<track::Tag> tags, TrackTags(p, "tags"));
  CAIRN_RETURN_IF_ERROR(Store(call).LogBatch(run_id, metrics, params, tags));
  return EmptyJson();
}

Result<core::Value> LogModel(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string run_id, call.params.RunId());
  CAIRN_ASSIGN_OR_RETURN(std::string model_json, call.params.RequiredString("model_json"));
  CAIRN_RETURN_IF_ERROR(Store(call).LogModel(run_id, model_json));
  return EmptyJson();
}

Result<core::Value> LogInputs(const Call& call) {
  const Params& p = call.params;
  CAIRN_ASSIGN_OR_RETURN(std::string run_id, p.RunId());
  CAIRN_ASSIGN_OR_RETURN(std::vector<Params> dataset_messages, p.MessageList("datasets"));
  std::vector<track::DatasetInput> datasets;
  for (const Params& message : dataset_messages) {
    track::DatasetInput input;
    CAIRN_ASSIGN_OR_RETURN(input.tags, TrackTags(message, "tags"));
    CAIRN_ASSIGN_OR_RETURN(std::optional<Params> dataset, message.Message("dataset"));
    if (!dataset) {
      return MissingParameter(fmt::format("datasets[{}].dataset", datasets.size()));
    }
    CAIRN_ASSIGN_OR_RETURN(input.dataset.name, dataset->RequiredString("name"));
    CAIRN_ASSIGN_OR_RETURN(input.dataset.digest, dataset->RequiredString("digest"));
    CAIRN_ASSIGN_OR_RETURN(input.dataset.source_type, dataset->RequiredString("source_type"));
    CAIRN_ASSIGN_OR_RETURN(input.dataset.source, dataset->RequiredString("source"));
    CAIRN_ASSIGN_OR_RETURN(input.dataset.schema, dataset->String("schema"));
    CAIRN_ASSIGN_OR_RETURN(input.dataset.profile, dataset->String("profile"));
    datasets.push_back(std::move(input));
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<Params> model_messages, p.MessageList("models"));
  std::vector<std::string> model_ids;
  for (const Params& message : model_messages) {
    CAIRN_ASSIGN_OR_RETURN(std::string model_id, message.RequiredString("model_id"));
    model_ids.push_back(std::move(model_id));
  }
  CAIRN_RETURN_IF_ERROR(Store(call).LogInputs(run_id, datasets, model_ids));
  return EmptyJson();
}

Result<core::Value> LogOutputs(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string run_id, call.params.RunId());
  CAIRN_ASSIGN_OR_RETURN(std::vector<Params> messages, call.params.MessageList("models"));
  std::vector<track::ModelOutput> models;
  for (const Params& message : messages) {
    track::ModelOutput output;
    CAIRN_ASSIGN_OR_RETURN(output.model_id, message.RequiredString("model_id"));
    CAIRN_ASSIGN_OR_RETURN(output.step, message.RequiredInt64("step"));
    models.push_back(std::move(output));
  }
  CAIRN_RETURN_IF_ERROR(Store(call).LogOutputs(run_id, models));
  return EmptyJson();
}

Result<core::Value> GetMetricHistory(const Call& call) {
  const Params& p = call.params;
  track::MetricHistoryRequest request;
  CAIRN_ASSIGN_OR_RETURN(request.run_id, p.RunId());
  CAIRN_ASSIGN_OR_RETURN(request.metric_key, p.RequiredString("metric_key"));
  CAIRN_ASSIGN_OR_RETURN(request.page_token, p.String("page_token"));
  CAIRN_ASSIGN_OR_RETURN(request.max_results, p.OptInt64("max_results"));
  CAIRN_ASSIGN_OR_RETURN(track::Page<track::Metric> page, Store(call).GetMetricHistory(request));
  return PageJson("metrics", JsonList(page.items, MetricJson), page.next_page_token);
}

Result<core::Value> GetMetricHistoryBulkInterval(const Call& call) {
  const Params& p = call.params;
  track::BulkIntervalRequest request;
  CAIRN_ASSIGN_OR_RETURN(request.run_ids, p.StringList("run_ids"));
  if (request.run_ids.empty()) return MissingParameter("run_ids");
  CAIRN_ASSIGN_OR_RETURN(request.metric_key, p.RequiredString("metric_key"));
  CAIRN_ASSIGN_OR_RETURN(request.start_step, p.OptInt64("start_step"));
  CAIRN_ASSIGN_OR_RETURN(request.end_step, p.OptInt64("end_step"));
  CAIRN_ASSIGN_OR_RETURN(std::optional<int64_t> max_results, p.OptInt64("max_results"));
  if (max_results) request.max_results = *max_results;
  CAIRN_ASSIGN_OR_RETURN(std::vector<track::MetricWithRunId> metrics,
                         Store(call).GetMetricHistoryBulkInterval(request));
  return JsonObject().List("metrics", JsonList(metrics, MetricWithRunIdJson)).Build();
}

}  // namespace

void AddTrackingRoutes(Routes& routes) {
  routes.Json("POST", "/mlflow/experiments/create", CreateExperiment);
  routes.Json("POST", "/mlflow/experiments/search", SearchExperiments);
  routes.Json("GET", "/mlflow/experiments/search", SearchExperiments);
  routes.Json("GET", "/mlflow/experiments/get", GetExperiment);
  routes.Json("GET", "/mlflow/experiments/get-by-name", GetExperimentByName);
  routes.Json("POST", "/mlflow/experiments/delete", DeleteExperiment);
  routes.Json("POST", "/mlflow/experiments/restore", RestoreExperiment);
  routes.Json("POST", "/mlflow/experiments/update", UpdateExperiment);
  routes.Json("POST", "/mlflow/experiments/set-experiment-tag", SetExperimentTag);
  routes.Json("POST", "/mlflow/experiments/delete-experiment-tag", DeleteExperimentTag, kV2AndV3);

  routes.Json("POST", "/mlflow/runs/create", CreateRun);
  routes.Json("POST", "/mlflow/runs/update", UpdateRun);
  routes.Json("POST", "/mlflow/runs/delete", DeleteRun);
  routes.Json("POST", "/mlflow/runs/restore", RestoreRun);
  routes.Json("POST", "/mlflow/runs/log-metric", LogMetric);
  routes.Json("POST", "/mlflow/runs/log-parameter", LogParam);
  routes.Json("POST", "/mlflow/runs/set-tag", SetTag);
  routes.Json("POST", "/mlflow/runs/delete-tag", DeleteTag);
  routes.Json("GET", "/mlflow/runs/get", GetRun);
  routes.Json("POST", "/mlflow/runs/search", SearchRuns);
  routes.Json("POST", "/mlflow/runs/log-batch", LogBatch);
  routes.Json("POST", "/mlflow/runs/log-model", LogModel);
  routes.Json("POST", "/mlflow/runs/log-inputs", LogInputs);
  routes.Json("POST", "/mlflow/runs/outputs", LogOutputs, kV2AndV3);
  routes.Json("GET", "/mlflow/metrics/get-history", GetMetricHistory);
  routes.Json("GET", "/mlflow/metrics/get-history-bulk-interval", GetMetricHistoryBulkInterval);
}

}  // namespace cairn::server
