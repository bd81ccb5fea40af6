// Module-private: RestTrackingStore, the TrackingStore that is a client of MLflow's REST API
// (a `cairn server` or a real MLflow server), so a remote server is one more backend.
//
// Every method is one call of the endpoint MLflow's Python client uses for it
// (../shared/reference/mlflow-api.md sections 4 and 11): GETs with query strings for the
// read-only endpoints, POST/PATCH/DELETE with JSON bodies for the rest. Validation is the
// server's, so errors carry the server's codes and messages (net/json_api.h says how HTTP
// failures map to Status). Options: StoreOptions' credentials and verify_tls;
// default_artifact_root and durable are the server's business and ignored here.
//
// Thread-safe: the store holds only an immutable net::JsonApiClient.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/json_api.h"
#include "track/track.h"

namespace cairn::track {

/// The REST store for an http(s) `uri` ("http://host:5000", "https://host/prefix").
Result<std::unique_ptr<TrackingStore>> OpenRestTrackingStore(const core::Uri& uri,
                                                             const StoreOptions& options);

class RestTrackingStore final : public TrackingStore {
 public:
  explicit RestTrackingStore(std::unique_ptr<net::JsonApiClient> api);

  Result<std::string> CreateExperiment(std::string_view name, std::string_view artifact_location,
                                       const std::vector<Tag>& tags) override;
  Result<Experiment> GetExperiment(std::string_view experiment_id) override;
  Result<Experiment> GetExperimentByName(std::string_view name) override;
  Result<Page<Experiment>> SearchExperiments(const SearchExperimentsRequest& request) override;
  Status DeleteExperiment(std::string_view experiment_id) override;
  Status RestoreExperiment(std::string_view experiment_id) override;
  Status RenameExperiment(std::string_view experiment_id, std::string_view new_name) override;
  Status SetExperimentTag(std::string_view experiment_id, const Tag& tag) override;
  Status DeleteExperimentTag(std::string_view experiment_id, std::string_view key) override;

  Result<Run> CreateRun(const CreateRunRequest& request) override;
  Result<RunInfo> UpdateRun(const UpdateRunRequest& request) override;
  Result<Run> GetRun(std::string_view run_id) override;
  Status DeleteRun(std::string_view run_id) override;
  Status RestoreRun(std::string_view run_id) override;
  Result<Page<Run>> SearchRuns(const SearchRunsRequest& request) override;

  Status LogMetric(std::string_view run_id, const Metric& metric) override;
  Status LogParam(std::string_view run_id, const Param& param) override;
  Status SetTag(std::string_view run_id, const Tag& tag) override;
  Status DeleteTag(std::string_view run_id, std::string_view key) override;
  Status LogBatch(std::string_view run_id, const std::vector<Metric>& metrics,
                  const std::vector<Param>& params, const std::vector<Tag>& tags) override;
  Status LogModel(std::string_view run_id, std::string_view model_json) override;
  Status LogInputs(std::string_view run_id, const std::vector<DatasetInput>& datasets,
                   const std::vector<std::string>& model_ids) override;
  Status LogOutputs(std::string_view run_id, const std::vector<ModelOutput>& models) override;
  Result<Page<Metric>> GetMetricHistory(const MetricHistoryRequest& request) override;
  Result<std::vector<MetricWithRunId>> GetMetricHistoryBulkInterval(
      const BulkIntervalRequest& request) override;

  Result<LoggedModel> CreateLoggedModel(const CreateLoggedModelRequest& request) override;
  Result<LoggedModel> GetLoggedModel(std::string_view model_id) override;
  Result<LoggedModel> FinalizeLoggedModel(std::string_view model_id,
                                          LoggedModelStatus status) override;
  Status DeleteLoggedModel(std::string_view model_id) override;
  Result<Page<LoggedModel>> SearchLoggedModels(const SearchLoggedModelsRequest& request) override;
  Result<LoggedModel> SetLoggedModelTags(std::string_view model_id,
                                         const std::vector<Tag>& tags) override;
  Status DeleteLoggedModelTag(std::string_view model_id, std::string_view key) override;
  Status LogLoggedModelParams(std::string_view model_id, const std::vector<Param>& params) override;

  /// An answer's body and the request it answers ("GET http://host/api/2.0/mlflow/runs/get").
  struct Answer {
    core::Value body;
    std::string what;
  };

 private:
  // GET /api/2.0/mlflow/<endpoint>.
  Result<Answer> Get(std::string_view endpoint, const net::QueryParams& query) const;
  // <method> /api/2.0/mlflow/<endpoint> with `body`.
  Result<Answer> Send(std::string_view method, std::string_view endpoint,
                      const core::Value& body) const;
  Status Post(std::string_view endpoint, const core::Value& body) const;

  std::unique_ptr<net::JsonApiClient> api_;
};

}  // namespace cairn::track
