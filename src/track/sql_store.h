// SqlTrackingStore: the TrackingStore over SQLite (db::Connection), MLflow's sqlalchemy store
// in C++. The schema is sql_schema.cc's; the search compilers are run_query.h,
// experiment_query.h and logged_model_query.h; validation is validation.h's.
//
// Every call leases a connection from one db::ConnectionPool and does all its writes in one
// transaction (db::InTransaction), reads of several tables in one read transaction, so a call
// sees and leaves a consistent database. A write costs the same however much history a run
// has: metric points go to the history with INSERT OR IGNORE and to latest_metrics with a
// conditional upsert, never a scan.
//
// Thread-safe: share one store between threads. An in-memory database (":memory:") is one
// connection, so its calls take turns.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "db/db.h"
#include "track/track.h"

namespace cairn::track {

/// A run as stored: its row key (runs.run_key, by which its metrics, params and tags are
/// kept) and its info.
struct StoredRun {
  int64_t key = 0;
  RunInfo info;
};

class SqlTrackingStore final : public TrackingStore {
 public:
  struct Config {
    /// The database file, or ":memory:" for a private in-memory database.
    std::string path;
    /// Where experiments that name no artifact location keep their artifacts: "<root>/<id>".
    /// Used as given (OpenTrackingStore makes a relative directory absolute).
    std::string default_artifact_root;
    /// synchronous=FULL rather than NORMAL.
    bool durable = false;
    /// Milliseconds since the epoch; empty: the system clock. For tests.
    std::function<int64_t()> now_ms;
  };

  /// Opens (creating) the database and brings its schema up to date. kInvalidState when the
  /// schema is newer than this cairn knows.
  static Result<std::unique_ptr<SqlTrackingStore>> Open(Config config);

  ~SqlTrackingStore() override;

  // Experiments.
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

  // Runs.
  Result<Run> CreateRun(const CreateRunRequest& request) override;
  Result<RunInfo> UpdateRun(const UpdateRunRequest& request) override;
  Result<Run> GetRun(std::string_view run_id) override;
  Status DeleteRun(std::string_view run_id) override;
  Status RestoreRun(std::string_view run_id) override;
  Result<Page<Run>> SearchRuns(const SearchRunsRequest& request) override;

  // Run data.
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

  // Logged models.
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

 private:
  // A leased connection (and, for an in-memory database, the turn to use it).
  class Session {
   public:
    Session(std::unique_lock<std::mutex> turn, db::ConnectionPool::Lease lease)
        : turn_(std::move(turn)), lease_(std::move(lease)) {}
    db::Connection& conn() { return *lease_; }

   private:
    std::unique_lock<std::mutex> turn_;  // declared first: released after the lease
    db::ConnectionPool::Lease lease_;
  };

  SqlTrackingStore(Config config, std::unique_ptr<db::ConnectionPool> pool);

  Result<Session> Connect();
  int64_t NowMs() const;
  /// Runs `body` in one write transaction on a leased connection.
  Status Write(const std::function<Status(db::Connection&)>& body);
  /// Runs `body` in one read transaction (a consistent snapshot) on a leased connection.
  Status Read(const std::function<Status(db::Connection&)>& body);

  // Experiments (sql_experiments.cc).
  std::string ExperimentArtifactLocation(int64_t experiment_id) const;
  /// The experiment, whatever its stage; 404 when there is none.
  Result<Experiment> LoadExperiment(db::Connection& conn, std::string_view experiment_id);
  Status LoadExperimentTags(db::Connection& conn, std::vector<Experiment>& experiments);

  // Runs (sql_runs.cc).
  /// The run; 404 when there is none.
  Result<StoredRun> LoadRun(db::Connection& conn, std::string_view run_id);
  /// The run, which must be active (400 otherwise).
  Result<StoredRun> LoadActiveRun(db::Connection& conn, std::string_view run_id);
  /// Fills data, inputs and outputs of `runs`, whose row keys are `keys` (one query per table
  /// for all of them).
  Status LoadRunDetails(db::Connection& conn, const std::vector<int64_t>& keys,
                        std::vector<Run>& runs);

  // Run data writes, inside the caller's transaction (sql_run_data.cc).
  Status WriteMetrics(db::Connection& conn, const StoredRun& run,
                      const std::vector<Metric>& metrics);
  Status WriteParams(db::Connection& conn, const StoredRun& run, const std::vector<Param>& params,
                     bool batch);
  Status WriteTags(db::Connection& conn, const StoredRun& run, const std::vector<Tag>& tags);
  Status RenameRun(db::Connection& conn, const StoredRun& run, std::string_view name);

  // Logged models (sql_logged_models.cc).
  Result<LoggedModel> LoadLoggedModel(db::Connection& conn, std::string_view model_id);
  Status LoadLoggedModelDetails(db::Connection& conn, std::vector<LoggedModel>& models);

  Config config_;
  std::unique_ptr<db::ConnectionPool> pool_;
  bool in_memory_ = false;
  std::mutex memory_turn_;  // held by a Session of an in-memory database
  // Held by Write() for its whole transaction: this process's writers queue here instead of
  // meeting SQLite's write lock, whose busy handler sleeps for milliseconds at a time.
  std::mutex write_turn_;
};

/// The columns of a run that GetRun and SearchRuns select (runs aliased `r`), in the order
/// StoredRunFromRow reads them (sql_runs.cc).
inline constexpr std::string_view kRunColumns =
    "r.run_key, r.run_uuid, r.name, r.experiment_id, r.user_id, r.status, r.start_time, "
    "r.end_time, r.artifact_uri, r.lifecycle_stage";
StoredRun StoredRunFromRow(const db::Statement& row);

/// "<base>/<part>", as MLflow's append_to_uri_path: "mlflow-artifacts:" + "1" gives
/// "mlflow-artifacts:/1", "/a/" + "1" gives "/a/1".
std::string AppendUriPath(std::string_view base, std::string_view part);

/// A decimal experiment id, nullopt for anything else.
std::optional<int64_t> ParseExperimentId(std::string_view id);

/// 404 "No Experiment with id=<id> exists".
Status NoSuchExperiment(std::string_view experiment_id);
/// 400 "The experiment <id> must be in the 'active' state. Current state is deleted.".
Status CheckExperimentActive(const Experiment& experiment);
/// 404 "Run with id=<id> not found".
Status NoSuchRun(std::string_view run_id);

}  // namespace cairn::track
