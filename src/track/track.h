// track: MLflow tracking. The entities (experiments, runs, metrics, params, tags, inputs,
// logged models), the TrackingStore interface of primitives every backend implements, and the
// factory that picks a backend by URI as MLflow does:
//
//   sqlite:///rel.db, sqlite:////abs/path.db  SqlTrackingStore, in-process (no server needed);
//                                             SQLAlchemy's rule: the file is the path after
//                                             "sqlite:///", so an absolute one has 4 slashes;
//                                             sqlite:// or sqlite:///:memory: is in memory
//   http://host:port, https://...             RestTrackingStore, MLflow's REST API (a cairn
//                                             server or a real MLflow server)
//   a plain path / file:                      refused: MLflow's file store, which cairn does
//                                             not write; the message suggests sqlite:///
//
// Semantics are MLflow's (../shared/reference/mlflow-api.md): params are write-once (same
// value again is fine), metric history is append-only and exact duplicates are dropped, a
// run's metrics in GetRun are the latest per key by max (step, timestamp, value), deleting an
// experiment soft-deletes its runs, writes need an active run, names of deleted experiments
// stay taken. Validation (limits, key names, required fields) happens in the store, so every
// backend gives the same error codes: kInvalidParameterValue for bad input,
// kResourceDoesNotExist for unknown ids, kResourceAlreadyExists for taken names.
//
// Ownership and threads: a TrackingStore is thread-safe (the server shares one between its
// workers); entities are plain values. Times are milliseconds since the epoch.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "core/uri.h"

namespace cairn::track {

using core::Result;
using core::Status;

/// A page of a search, and the opaque token that asks for the next one (empty on the last page).
template <class T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;
};

struct Tag {
  std::string key;
  std::string value;
  friend bool operator==(const Tag&, const Tag&) = default;
};

struct Param {
  std::string key;
  std::string value;
  friend bool operator==(const Param&, const Param&) = default;
};

struct Metric {
  std::string key;
  double value = 0;  // NaN and +-inf allowed
  int64_t timestamp = 0;
  int64_t step = 0;
  // MLflow 3: what the value was measured on, when the client said so.
  std::string model_id;
  std::string dataset_name;
  std::string dataset_digest;
};

/// A metric point with the run it belongs to (bulk history).
struct MetricWithRunId {
  Metric metric;
  std::string run_id;
};

enum class LifecycleStage { kActive, kDeleted };
/// "active", "deleted".
std::string_view LifecycleStageName(LifecycleStage stage);

/// Which runs/experiments a search sees, by lifecycle stage.
enum class ViewType { kActiveOnly, kDeletedOnly, kAll };
/// "ACTIVE_ONLY", "DELETED_ONLY", "ALL".
std::string_view ViewTypeName(ViewType view);
/// Case-insensitive; kInvalidParameterValue naming the field otherwise.
Result<ViewType> ParseViewType(std::string_view name, std::string_view field);

enum class RunStatus { kRunning, kScheduled, kFinished, kFailed, kKilled };
/// "RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED".
std::string_view RunStatusName(RunStatus status);
/// Exact (upper-case) names, as the proto enum; kInvalidParameterValue otherwise.
Result<RunStatus> ParseRunStatus(std::string_view name);

struct Experiment {
  std::string experiment_id;  // decimal; "0" is "Default", created with the store
  std::string name;
  std::string artifact_location;
  LifecycleStage lifecycle_stage = LifecycleStage::kActive;
  int64_t creation_time = 0;
  int64_t last_update_time = 0;
  std::vector<Tag> tags;
};

struct RunInfo {
  std::string run_id;  // 32 lowercase hex digits
  std::string run_name;
  std::string experiment_id;
  std::string user_id;
  RunStatus status = RunStatus::kRunning;
  int64_t start_time = 0;
  std::optional<int64_t> end_time;
  std::string artifact_uri;  // <experiment artifact_location>/<run_id>/artifacts
  LifecycleStage lifecycle_stage = LifecycleStage::kActive;
};

struct RunData {
  std::vector<Metric> metrics;  // the latest value per key, sorted by key
  std::vector<Param> params;    // sorted by key
  std::vector<Tag> tags;        // sorted by key
};

struct Dataset {
  std::string name;
  std::string digest;
  std::string source_type;
  std::string source;
  std::string schema;   // optional
  std::string profile;  // optional
};

struct DatasetInput {
  std::vector<Tag> tags;
  Dataset dataset;
};

struct ModelOutput {
  std::string model_id;
  int64_t step = 0;
};

struct RunInputs {
  std::vector<DatasetInput> dataset_inputs;
  std::vector<std::string> model_inputs;  // model ids (MLflow 3)
};

struct RunOutputs {
  std::vector<ModelOutput> model_outputs;  // MLflow 3
};

struct Run {
  RunInfo info;
  RunData data;
  RunInputs inputs;
  RunOutputs outputs;
};

struct CreateRunRequest {
  std::string experiment_id = "0";
  std::string user_id;
  std::string run_name;    // empty: taken from the mlflow.runName tag, else generated
  int64_t start_time = 0;  // 0: now
  std::vector<Tag> tags;
};

struct UpdateRunRequest {
  std::string run_id;
  std::optional<RunStatus> status;
  std::optional<int64_t> end_time;
  std::optional<std::string> run_name;
};

struct SearchRunsRequest {
  std::vector<std::string> experiment_ids;  // empty: no runs
  std::string filter;
  ViewType view = ViewType::kActiveOnly;
  int64_t max_results = 1000;  // 1..50000
  std::vector<std::string> order_by;
  std::string page_token;
};

struct SearchExperimentsRequest {
  std::string filter;
  ViewType view = ViewType::kActiveOnly;
  int64_t max_results = 1000;  // 1..50000
  std::vector<std::string> order_by;
  std::string page_token;
};

struct MetricHistoryRequest {
  std::string run_id;
  std::string metric_key;
  std::string page_token;
  std::optional<int64_t> max_results;  // unset: every point
};

struct BulkIntervalRequest {
  std::vector<std::string> run_ids;  // 1..100
  std::string metric_key;
  std::optional<int64_t> start_step;
  std::optional<int64_t> end_step;
  int64_t max_results = 2500;  // points per run, sampled evenly over the steps
};

// MLflow 3 logged models.
enum class LoggedModelStatus { kUnspecified, kPending, kReady, kUploadFailed };
/// "LOGGED_MODEL_STATUS_UNSPECIFIED", "LOGGED_MODEL_PENDING", "LOGGED_MODEL_READY",
/// "LOGGED_MODEL_UPLOAD_FAILED".
std::string_view LoggedModelStatusName(LoggedModelStatus status);
Result<LoggedModelStatus> ParseLoggedModelStatus(std::string_view name);

struct LoggedModelRegistration {
  std::string name;
  std::string version;
};

struct LoggedModel {
  std::string model_id;  // "m-" + 32 hex digits
  std::string experiment_id;
  std::string name;
  int64_t creation_timestamp_ms = 0;
  int64_t last_updated_timestamp_ms = 0;
  std::string artifact_uri;  // <experiment artifact_location>/models/<model_id>/artifacts
  LoggedModelStatus status = LoggedModelStatus::kPending;
  std::string creator_id;
  std::string model_type;
  std::string source_run_id;
  std::string status_message;
  std::vector<Tag> tags;
  std::vector<LoggedModelRegistration> registrations;
  std::vector<Param> params;
  std::vector<Metric> metrics;
};

struct CreateLoggedModelRequest {
  std::string experiment_id;
  std::string name;  // empty: generated
  std::string model_type;
  std::string source_run_id;
  std::vector<Param> params;
  std::vector<Tag> tags;
};

struct LoggedModelOrder {
  std::string field_name;  // "creation_timestamp", "name", "metrics.<key>"...
  bool ascending = true;
  std::string dataset_name;
  std::string dataset_digest;
};

struct SearchLoggedModelsRequest {
  std::vector<std::string> experiment_ids;
  std::string filter;
  int64_t max_results = 100;
  std::vector<LoggedModelOrder> order_by;
  std::string page_token;
};

/// The primitives every tracking backend implements. See the header comment for semantics.
class TrackingStore {
 public:
  virtual ~TrackingStore() = default;

  // Experiments.
  /// The new experiment's id. An empty artifact_location means the store's default root
  /// + "/" + id.
  virtual Result<std::string> CreateExperiment(std::string_view name,
                                               std::string_view artifact_location,
                                               const std::vector<Tag>& tags) = 0;
  virtual Result<Experiment> GetExperiment(std::string_view experiment_id) = 0;
  virtual Result<Experiment> GetExperimentByName(std::string_view name) = 0;
  virtual Result<Page<Experiment>> SearchExperiments(const SearchExperimentsRequest& request) = 0;
  virtual Status DeleteExperiment(std::string_view experiment_id) = 0;
  virtual Status RestoreExperiment(std::string_view experiment_id) = 0;
  virtual Status RenameExperiment(std::string_view experiment_id, std::string_view new_name) = 0;
  virtual Status SetExperimentTag(std::string_view experiment_id, const Tag& tag) = 0;
  virtual Status DeleteExperimentTag(std::string_view experiment_id, std::string_view key) = 0;

  // Runs.
  virtual Result<Run> CreateRun(const CreateRunRequest& request) = 0;
  virtual Result<RunInfo> UpdateRun(const UpdateRunRequest& request) = 0;
  virtual Result<Run> GetRun(std::string_view run_id) = 0;
  virtual Status DeleteRun(std::string_view run_id) = 0;
  virtual Status RestoreRun(std::string_view run_id) = 0;
  virtual Result<Page<Run>> SearchRuns(const SearchRunsRequest& request) = 0;

  // Run data.
  virtual Status LogMetric(std::string_view run_id, const Metric& metric) = 0;
  virtual Status LogParam(std::string_view run_id, const Param& param) = 0;
  virtual Status SetTag(std::string_view run_id, const Tag& tag) = 0;
  virtual Status DeleteTag(std::string_view run_id, std::string_view key) = 0;
  /// All or nothing.
  virtual Status LogBatch(std::string_view run_id, const std::vector<Metric>& metrics,
                          const std::vector<Param>& params, const std::vector<Tag>& tags) = 0;
  /// Appends `model_json` (an MLmodel as JSON) to the run's mlflow.log-model.history tag.
  virtual Status LogModel(std::string_view run_id, std::string_view model_json) = 0;
  virtual Status LogInputs(std::string_view run_id, const std::vector<DatasetInput>& datasets,
                           const std::vector<std::string>& model_ids) = 0;
  virtual Status LogOutputs(std::string_view run_id, const std::vector<ModelOutput>& models) = 0;
  /// Ordered by (timestamp, step).
  virtual Result<Page<Metric>> GetMetricHistory(const MetricHistoryRequest& request) = 0;
  virtual Result<std::vector<MetricWithRunId>> GetMetricHistoryBulkInterval(
      const BulkIntervalRequest& request) = 0;

  // MLflow 3 logged models.
  virtual Result<LoggedModel> CreateLoggedModel(const CreateLoggedModelRequest& request) = 0;
  virtual Result<LoggedModel> GetLoggedModel(std::string_view model_id) = 0;
  virtual Result<LoggedModel> FinalizeLoggedModel(std::string_view model_id,
                                                  LoggedModelStatus status) = 0;
  virtual Status DeleteLoggedModel(std::string_view model_id) = 0;
  virtual Result<Page<LoggedModel>> SearchLoggedModels(
      const SearchLoggedModelsRequest& request) = 0;
  virtual Result<LoggedModel> SetLoggedModelTags(std::string_view model_id,
                                                 const std::vector<Tag>& tags) = 0;
  virtual Status DeleteLoggedModelTag(std::string_view model_id, std::string_view key) = 0;
  virtual Status LogLoggedModelParams(std::string_view model_id,
                                      const std::vector<Param>& params) = 0;
};

struct StoreOptions {
  /// Root for new experiments' artifact locations when they name none: "mlflow-artifacts:" when
  /// a server proxies artifacts (what `cairn server` passes), else a directory or URI
  /// (default "./mlruns" made absolute).
  std::string default_artifact_root;
  /// SQLite: synchronous=FULL (survives power loss), not NORMAL (survives a process crash).
  bool durable = false;
  /// REST: credentials sent with each request (MLFLOW_TRACKING_USERNAME/_PASSWORD as basic
  /// auth, or MLFLOW_TRACKING_TOKEN as a bearer token). Never logged.
  std::string username;
  std::string password;
  std::string token;
  /// REST: verify TLS certificates (MLFLOW_TRACKING_INSECURE_TLS turns it off).
  bool verify_tls = true;
};

/// The backend for `uri` (see the header comment). sqlite: creates the database and runs the
/// migrations when needed; a schema newer than this cairn knows is refused.
Result<std::unique_ptr<TrackingStore>> OpenTrackingStore(const core::Uri& uri,
                                                         const StoreOptions& options);

// Limits MLflow enforces (mlflow/utils/validation.py), shared by the stores and the server.
inline constexpr size_t kMaxMetricsPerBatch = 1000;
inline constexpr size_t kMaxParamsPerBatch = 100;
inline constexpr size_t kMaxTagsPerBatch = 100;
inline constexpr size_t kMaxEntitiesPerBatch = 1000;
inline constexpr size_t kMaxBatchRequestBytes = 1'000'000;
inline constexpr size_t kMaxParamValueLength = 6000;
inline constexpr size_t kMaxTagValueLength = 8000;
inline constexpr size_t kMaxEntityKeyLength = 250;
inline constexpr size_t kMaxExperimentNameLength = 500;
inline constexpr size_t kMaxExperimentTagKeyLength = 250;
inline constexpr size_t kMaxExperimentTagValueLength = 5000;
inline constexpr int64_t kMaxSearchResults = 50'000;

}  // namespace cairn::track
