// RestTrackingStore: each TrackingStore primitive as one call of MLflow's REST API.
#include "track/rest_store.h"

#include <chrono>

#include "core/strings.h"
#include "track/rest_wire.h"
#include "track/validation.h"

namespace cairn::track {
namespace {

using core::Value;
using net::FieldReader;

constexpr std::string_view kApi = "/api/2.0/mlflow/";

using Body = net::JsonBody;

// Reads `answer` with `read`, failing when a field had the wrong shape.
template <class F>
auto Read(const RestTrackingStore::Answer& answer, F read) {
  return net::ReadAnswer(answer.body, answer.what, read);
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string LoggedModelPath(std::string_view model_id) {
  return "logged-models/" + core::PercentEncode(model_id);
}

}  // namespace

Result<std::unique_ptr<TrackingStore>> OpenRestTrackingStore(const core::Uri& uri,
                                                             const StoreOptions& options) {
  net::JsonApiOptions api_options;
  api_options.username = options.username;
  api_options.password = options.password;
  api_options.token = options.token;
  api_options.verify_tls = options.verify_tls;
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<net::JsonApiClient> api,
                         net::JsonApiClient::Open(uri, std::move(api_options)));
  return std::unique_ptr<TrackingStore>(std::make_unique<RestTrackingStore>(std::move(api)));
}

RestTrackingStore::RestTrackingStore(std::unique_ptr<net::JsonApiClient> api)
    : api_(std::move(api)) {}

Result<RestTrackingStore::Answer> RestTrackingStore::Get(std::string_view endpoint,
                                                         const net::QueryParams& query) const {
  std::string path = std::string(kApi) + std::string(endpoint);
  CAIRN_ASSIGN_OR_RETURN(Value body, api_->Get(path, query));
  return Answer{std::move(body), "GET " + api_->base_url() + path};
}

Result<RestTrackingStore::Answer> RestTrackingStore::Send(std::string_view method,
                                                          std::string_view endpoint,
                                                          const Value& body) const {
  std::string path = std::string(kApi) + std::string(endpoint);
  CAIRN_ASSIGN_OR_RETURN(Value answer, api_->Send(method, path, body));
  return Answer{std::move(answer), std::string(method) + " " + api_->base_url() + path};
}

Status RestTrackingStore::Post(std::string_view endpoint, const Value& body) const {
  return Send("POST", endpoint, body).status();
}

// --- experiments ---

Result<std::string> RestTrackingStore::CreateExperiment(std::string_view name,
                                                        std::string_view artifact_location,
                                                        const std::vector<Tag>& tags) {
  Body body;
  body.Str("name", name).StrIfSet("artifact_location", artifact_location);
  if (!tags.empty()) body.Set("tags", wire::WriteTags(tags));
  CAIRN_ASSIGN_OR_RETURN(Answer answer, Send("POST", "experiments/create", body.value()));
  return Read(answer, [](const FieldReader& r) { return r.String("experiment_id"); });
}

Result<Experiment> RestTrackingStore::GetExperiment(std::string_view experiment_id) {
  CAIRN_ASSIGN_OR_RETURN(Answer answer,
                         Get("experiments/get", {{"experiment_id", std::string(experiment_id)}}));
  return Read(answer,
              [](const FieldReader& r) { return wire::ReadExperiment(r.Child("experiment")); });
}

Result<Experiment> RestTrackingStore::GetExperimentByName(std::string_view name) {
  CAIRN_ASSIGN_OR_RETURN(Answer answer,
                         Get("experiments/get-by-name", {{"experiment_name", std::string(name)}}));
  return Read(answer,
              [](const FieldReader& r) { return wire::ReadExperiment(r.Child("experiment")); });
}

Result<Page<Experiment>> RestTrackingStore::SearchExperiments(
    const SearchExperimentsRequest& request) {
  Body body;
  body.Int("max_results", request.max_results)
      .StrIfSet("page_token", request.page_token)
      .StrIfSet("filter", request.filter)
      .Str("view_type", ViewTypeName(request.view));
  if (!request.order_by.empty()) body.Strs("order_by", request.order_by);
  CAIRN_ASSIGN_OR_RETURN(Answer answer, Send("POST", "experiments/search", body.value()));
  return Read(answer, [](const FieldReader& r) {
    Page<Experiment> page;
    for (const FieldReader& e : r.Items("experiments")) {
      page.items.push_back(wire::ReadExperiment(e));
    }
    page.next_page_token = r.String("next_page_token");
    return page;
  });
}

Status RestTrackingStore::DeleteExperiment(std::string_view experiment_id) {
  return Post("experiments/delete", Body().Str("experiment_id", experiment_id).value());
}

Status RestTrackingStore::RestoreExperiment(std::string_view experiment_id) {
  return Post("experiments/restore", Body().Str("experiment_id", experiment_id).value());
}

Status RestTrackingStore::RenameExperiment(std::string_view experiment_id,
                                           std::string_view new_name) {
  // On the wire an empty new_name means "no change" (MLflow's server answers 200); the
  // interface calls it invalid, as the SQL store does.
  CAIRN_RETURN_IF_ERROR(ValidateExperimentName(new_name));
  return Post("experiments/update",
              Body().Str("experiment_id", experiment_id).Str("new_name", new_name).value());
}

Status RestTrackingStore::SetExperimentTag(std::string_view experiment_id, const Tag& tag) {
  return Post("experiments/set-experiment-tag", Body()
                                                    .Str("experiment_id", experiment_id)
                                                    .Str("key", tag.key)
                                                    .Str("value", tag.value)
                                                    .value());
}

Status RestTrackingStore::DeleteExperimentTag(std::string_view experiment_id,
                                              std::string_view key) {
  return Post("experiments/delete-experiment-tag",
              Body().Str("experiment_id", experiment_id).Str("key", key).value());
}

// --- runs ---

Result<Run> RestTrackingStore::CreateRun(const CreateRunRequest& request) {
  Body body;
  // MLflow's client always sends the start time; a server stores what it gets.
  body.Str("experiment_id", request.experiment_id)
      .StrIfSet("user_id", request.user_id)
      .StrIfSet("run_name", request.run_name)
      .Int("start_time", request.start_time != 0 ? request.start_time : NowMillis());
  if (!request.tags.empty()) body.Set("tags", wire::WriteTags(request.tags));
  CAIRN_ASSIGN_OR_RETURN(Answer answer, Send("POST", "runs/create", body.value()));
  return Read(answer, [](const FieldReader& r) { return wire::ReadRun(r.Child("run")); });
}

Result<RunInfo> RestTrackingStore::UpdateRun(const UpdateRunRequest& request) {
  Body body;
  body.Str("run_id", request.run_id);
  if (request.status) body.Str("status", RunStatusName(*request.status));
  if (request.end_time) body.Int("end_time", *request.end_time);
  if (request.run_name) body.Str("run_name", *request.run_name);
  CAIRN_ASSIGN_OR_RETURN(Answer answer, Send("POST", "runs/update", body.value()));
  return Read(answer, [](const FieldReader& r) { return wire::ReadRunInfo(r.Child("run_info")); });
}

Result<Run> RestTrackingStore::GetRun(std::string_view run_id) {
  CAIRN_ASSIGN_OR_RETURN(Answer answer, Get("runs/get", {{"run_id", std::string(run_id)}}));
  return Read(answer, [](const FieldReader& r) { return wire::ReadRun(r.Child("run")); });
}

Status RestTrackingStore::DeleteRun(std::string_view run_id) {
  return Post("runs/delete", Body().Str("run_id", run_id).value());
}

Status RestTrackingStore::RestoreRun(std::string_view run_id) {
  return Post("runs/restore", Body().Str("run_id", run_id).value());
}

Result<Page<Run>> RestTrackingStore::SearchRuns(const SearchRunsRequest& request) {
  Body body;
  body.Strs("experiment_ids", request.experiment_ids)
      .StrIfSet("filter", request.filter)
      .Str("run_view_type", ViewTypeName(request.view))
      .Int("max_results", request.max_results)
      .StrIfSet("page_token", request.page_token);
  if (!request.order_by.empty()) body.Strs("order_by", request.order_by);
  CAIRN_ASSIGN_OR_RETURN(Answer answer, Send("POST", "runs/search", body.value()));
  return Read(answer, [](const FieldReader& r) {
    Page<Run> page;
    for (const FieldReader& run : r.Items("runs")) page.items.push_back(wire::ReadRun(run));
    page.next_page_token = r.String("next_page_token");
    return page;
  });
}

// --- run data ---

Status RestTrackingStore::LogMetric(std::string_view run_id, const Metric& metric) {
  Value body = wire::WriteMetric(metric);
  body.Set("run_id", Value::String(std::string(run_id)));
  return Post("runs/log-metric", body);
}

Status RestTrackingStore::LogParam(std::string_view run_id, const Param& param) {
  return Post("runs/log-parameter",
              Body().Str("run_id", run_id).Str("key", param.key).Str("value", param.value).value());
}

Status RestTrackingStore::SetTag(std::string_view run_id, const Tag& tag) {
  return Post("runs/set-tag",
              Body().Str("run_id", run_id).Str("key", tag.key).Str("value", tag.value).value());
}

Status RestTrackingStore::DeleteTag(std::string_view run_id, std::string_view key) {
  return Post("runs/delete-tag", Body().Str("run_id", run_id).Str("key", key).value());
}

Status RestTrackingStore::LogBatch(std::string_view run_id, const std::vector<Metric>& metrics,
                                   const std::vector<Param>& params, const std::vector<Tag>& tags) {
  Value list = Value::Sequence();
  for (const Metric& m : metrics) list.Append(wire::WriteMetric(m));
  Body body;
  body.Str("run_id", run_id)
      .Set("metrics", std::move(list))
      .Set("params", wire::WriteParams(params))
      .Set("tags", wire::WriteTags(tags));
  return Post("runs/log-batch", body.value());
}

Status RestTrackingStore::LogModel(std::string_view run_id, std::string_view model_json) {
  return Post("runs/log-model", Body().Str("run_id", run_id).Str("model_json", model_json).value());
}

Status RestTrackingStore::LogInputs(std::string_view run_id,
                                    const std::vector<DatasetInput>& datasets,
                                    const std::vector<std::string>& model_ids) {
  Value inputs = Value::Sequence();
  for (const DatasetInput& d : datasets) inputs.Append(wire::WriteDatasetInput(d));
  Body body;
  body.Str("run_id", run_id).Set("datasets", std::move(inputs));
  if (!model_ids.empty()) {
    Value models = Value::Sequence();
    for (const std::string& id : model_ids) {
      Value m = Value::Mapping();
      m.Set("model_id", Value::String(id));
      models.Append(std::move(m));
    }
    body.Set("models", std::move(models));
  }
  return Post("runs/log-inputs", body.value());
}

Status RestTrackingStore::LogOutputs(std::string_view run_id,
                                     const std::vector<ModelOutput>& models) {
  Value list = Value::Sequence();
  for (const ModelOutput& output : models) {
    Value m = Value::Mapping();
    m.Set("model_id", Value::String(output.model_id));
    m.Set("step", Value::Int(output.step));
    list.Append(std::move(m));
  }
  return Post("runs/outputs", Body().Str("run_id", run_id).Set("models", std::move(list)).value());
}

Result<Page<Metric>> RestTrackingStore::GetMetricHistory(const MetricHistoryRequest& request) {
  net::QueryParams query = {{"run_id", request.run_id}, {"metric_key", request.metric_key}};
  if (!request.page_token.empty()) query.emplace_back("page_token", request.page_token);
  if (request.max_results) query.emplace_back("max_results", std::to_string(*request.max_results));
  CAIRN_ASSIGN_OR_RETURN(Answer answer, Get("metrics/get-history", query));
  return Read(answer, [](const FieldReader& r) {
    Page<Metric> page;
    for (const FieldReader& m : r.Items("metrics")) page.items.push_back(wire::ReadMetric(m));
    page.next_page_token = r.String("next_page_token");
    return page;
  });
}

Result<std::vector<MetricWithRunId>> RestTrackingStore::GetMetricHistoryBulkInterval(
    const BulkIntervalRequest& request) {
  net::QueryParams query;
  for (const std::string& id : request.run_ids) query.emplace_back("run_ids", id);
  query.emplace_back("metric_key", request.metric_key);
  if (request.start_step) query.emplace_back("start_step", std::to_string(*request.start_step));
  if (request.end_step) query.emplace_back("end_step", std::to_string(*request.end_step));
  query.emplace_back("max_results", std::to_string(request.max_results));
  CAIRN_ASSIGN_OR_RETURN(Answer answer, Get("metrics/get-history-bulk-interval", query));
  return Read(answer, [](const FieldReader& r) {
    std::vector<MetricWithRunId> out;
    for (const FieldReader& m : r.Items("metrics")) {
      out.push_back(MetricWithRunId{wire::ReadMetric(m), m.String("run_id")});
    }
    return out;
  });
}

// --- logged models ---

Result<LoggedModel> RestTrackingStore::CreateLoggedModel(const CreateLoggedModelRequest& request) {
  Body body;
  body.Str("experiment_id", request.experiment_id)
      .StrIfSet("name", request.name)
      .StrIfSet("model_type", request.model_type)
      .StrIfSet("source_run_id", request.source_run_id);
  if (!request.params.empty()) body.Set("params", wire::WriteParams(request.params));
  if (!request.tags.empty()) body.Set("tags", wire::WriteTags(request.tags));
  CAIRN_ASSIGN_OR_RETURN(Answer answer, Send("POST", "logged-models", body.value()));
  return Read(answer, [](const FieldReader& r) { return wire::ReadLoggedModel(r.Child("model")); });
}

Result<LoggedModel> RestTrackingStore::GetLoggedModel(std::string_view model_id) {
  CAIRN_ASSIGN_OR_RETURN(Answer answer, Get(LoggedModelPath(model_id), {}));
  return Read(answer, [](const FieldReader& r) { return wire::ReadLoggedModel(r.Child("model")); });
}

Result<LoggedModel> RestTrackingStore::FinalizeLoggedModel(std::string_view model_id,
                                                           LoggedModelStatus status) {
  CAIRN_ASSIGN_OR_RETURN(
      Answer answer,
      Send("PATCH", LoggedModelPath(model_id),
           Body().Str("model_id", model_id).Str("status", LoggedModelStatusName(status)).value()));
  return Read(answer, [](const FieldReader& r) { return wire::ReadLoggedModel(r.Child("model")); });
}

Status RestTrackingStore::DeleteLoggedModel(std::string_view model_id) {
  return Send("DELETE", LoggedModelPath(model_id), Body().Str("model_id", model_id).value())
      .status();
}

Result<Page<LoggedModel>> RestTrackingStore::SearchLoggedModels(
    const SearchLoggedModelsRequest& request) {
  Body body;
  body.Strs("experiment_ids", request.experiment_ids)
      .StrIfSet("filter", request.filter)
      .Int("max_results", request.max_results)
      .StrIfSet("page_token", request.page_token);
  if (!request.order_by.empty()) {
    Value order = Value::Sequence();
    for (const LoggedModelOrder& o : request.order_by) {
      order.Append(Body()
                       .Str("field_name", o.field_name)
                       .Bool("ascending", o.ascending)
                       .StrIfSet("dataset_name", o.dataset_name)
                       .StrIfSet("dataset_digest", o.dataset_digest)
                       .value());
    }
    body.Set("order_by", std::move(order));
  }
  CAIRN_ASSIGN_OR_RETURN(Answer answer, Send("POST", "logged-models/search", body.value()));
  return Read(answer, [](const FieldReader& r) {
    Page<LoggedModel> page;
    for (const FieldReader& m : r.Items("models")) page.items.push_back(wire::ReadLoggedModel(m));
    page.next_page_token = r.String("next_page_token");
    return page;
  });
}

Result<LoggedModel> RestTrackingStore::SetLoggedModelTags(std::string_view model_id,
                                                          const std::vector<Tag>& tags) {
  CAIRN_ASSIGN_OR_RETURN(
      Answer answer,
      Send("PATCH", LoggedModelPath(model_id) + "/tags",
           Body().Str("model_id", model_id).Set("tags", wire::WriteTags(tags)).value()));
  // Servers that answer {} (older 3.x) leave the model to be read back.
  if (answer.body.Find("model") == nullptr) return GetLoggedModel(model_id);
  return Read(answer, [](const FieldReader& r) { return wire::ReadLoggedModel(r.Child("model")); });
}

Status RestTrackingStore::DeleteLoggedModelTag(std::string_view model_id, std::string_view key) {
  return Send("DELETE", LoggedModelPath(model_id) + "/tags/" + core::PercentEncode(key),
              Body().Str("model_id", model_id).Str("tag_key", key).value())
      .status();
}

Status RestTrackingStore::LogLoggedModelParams(std::string_view model_id,
                                               const std::vector<Param>& params) {
  return Post(LoggedModelPath(model_id) + "/params",
              Body().Str("model_id", model_id).Set("params", wire::WriteParams(params)).value());
}

}  // namespace cairn::track
