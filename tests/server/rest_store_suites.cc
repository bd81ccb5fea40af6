// The store suites over HTTP: the factories that the TrackingStore suite (tests/track/store_*
// _test.cc) and the RegistryStore suite (tests/registry/store_test.cc) call when they are built
// into rest_store_suites_test (tests/rest_store_suites.cmake) with CAIRN_REST_STORE_SUITE. Each
// store is a RestTrackingStore / RestRegistryStore, opened through OpenTrackingStore /
// OpenRegistryStore with an http:// URI, talking to a `cairn server` of its own: started
// in-process on a free loopback port over a fresh SQLite database, stopped when the store is
// destroyed. So every semantic the suites assert of the SQLite stores is asserted again through
// the server's handlers, MLflow's JSON both ways, and the REST stores.
//
// This file lives in tests/server/ because it starts the server: tests/track and
// tests/registry may not include server/ (the layering check), and they only declare the two
// factories.
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "registry/registry.h"
#include "server/server.h"
#include "sys/temp_dir.h"
#include "track/track.h"

namespace cairn {
namespace {

// A server over a fresh database in a temporary directory; stopped and removed on destruction.
class SuiteServer {
 public:
  SuiteServer() {
    core::Result<sys::TempDir> dir = sys::TempDir::Create("cairn-rest-suite-", TempParent());
    if (!dir.ok()) {
      ADD_FAILURE() << dir.status().ToString();
      return;
    }
    dir_ = std::make_unique<sys::TempDir>(std::move(*dir));
    server::ServerConfig config;
    config.backend_store_uri = "sqlite:///" + dir_->Path("mlflow.db");  // absolute: 4 slashes
    config.artifacts_destination = dir_->Path("mlartifacts");
    config.host = "127.0.0.1";
    config.port = 0;
    config.workers = 8;  // more than the suites' concurrent clients (4 threads)
    core::Result<std::unique_ptr<server::Server>> started = server::StartServer(config);
    if (!started.ok()) {
      ADD_FAILURE() << started.status().ToString();
      return;
    }
    server_ = std::move(*started);
  }
  ~SuiteServer() {
    if (server_) {
      server_->Stop();
      server_->Wait();
    }
  }
  SuiteServer(const SuiteServer&) = delete;
  SuiteServer& operator=(const SuiteServer&) = delete;

  bool ok() const { return server_ != nullptr; }
  core::Uri uri() const {
    return *core::Uri::Parse("http://127.0.0.1:" + std::to_string(server_->port()));
  }

 private:
  // A tmpfs when there is one: the suites create hundreds of databases.
  static std::string TempParent() { return ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : ""; }

  std::unique_ptr<sys::TempDir> dir_;
  std::unique_ptr<server::Server> server_;
};

// Owns a REST tracking store and the server it talks to. The store goes first: its client's
// keep-alive connections would hold the server's workers (and its Wait()) until they idle out.
class ServedTrackingStore final : public track::TrackingStore {
 public:
  ServedTrackingStore(std::unique_ptr<SuiteServer> server,
                      std::unique_ptr<track::TrackingStore> store)
      : server_(std::move(server)), store_(std::move(store)) {}
  ~ServedTrackingStore() override { store_.reset(); }

  using Status = core::Status;
  template <class T>
  using Result = core::Result<T>;

  Result<std::string> CreateExperiment(std::string_view name, std::string_view artifact_location,
                                       const std::vector<track::Tag>& tags) override {
    return store_->CreateExperiment(name, artifact_location, tags);
  }
  Result<track::Experiment> GetExperiment(std::string_view id) override {
    return store_->GetExperiment(id);
  }
  Result<track::Experiment> GetExperimentByName(std::string_view name) override {
    return store_->GetExperimentByName(name);
  }
  Result<track::Page<track::Experiment>> SearchExperiments(
      const track::SearchExperimentsRequest& request) override {
    return store_->SearchExperiments(request);
  }
  Status DeleteExperiment(std::string_view id) override { return store_->DeleteExperiment(id); }
  Status RestoreExperiment(std::string_view id) override { return store_->RestoreExperiment(id); }
  Status RenameExperiment(std::string_view id, std::string_view new_name) override {
    return store_->RenameExperiment(id, new_name);
  }
  Status SetExperimentTag(std::string_view id, const track::Tag& tag) override {
    return store_->SetExperimentTag(id, tag);
  }
  Status DeleteExperimentTag(std::string_view id, std::string_view key) override {
    return store_->DeleteExperimentTag(id, key);
  }
  Result<track::Run> CreateRun(const track::CreateRunRequest& request) override {
    return store_->CreateRun(request);
  }
  Result<track::RunInfo> UpdateRun(const track::UpdateRunRequest& request) override {
    return store_->UpdateRun(request);
  }
  Result<track::Run> GetRun(std::string_view run_id) override { return store_->GetRun(run_id); }
  Status DeleteRun(std::string_view run_id) override { return store_->DeleteRun(run_id); }
  Status RestoreRun(std::string_view run_id) override { return store_->RestoreRun(run_id); }
  Result<track::Page<track::Run>> SearchRuns(const track::SearchRunsRequest& request) override {
    return store_->SearchRuns(request);
  }
  Status LogMetric(std::string_view run_id, const track::Metric& metric) override {
    return store_->LogMetric(run_id, metric);
  }
  Status LogParam(std::string_view run_id, const track::Param& param) override {
    return store_->LogParam(run_id, param);
  }
  Status SetTag(std::string_view run_id, const track::Tag& tag) override {
    return store_->SetTag(run_id, tag);
  }
  Status DeleteTag(std::string_view run_id, std::string_view key) override {
    return store_->DeleteTag(run_id, key);
  }
  Status LogBatch(std::string_view run_id, const std::vector<track::Metric>& metrics,
                  const std::vector<track::Param>& params,
                  const std::vector<track::Tag>& tags) override {
    return store_->LogBatch(run_id, metrics, params, tags);
  }
  Status LogModel(std::string_view run_id, std::string_view model_json) override {
    return store_->LogModel(run_id, model_json);
  }
  Status LogInputs(std::string_view run_id, const std::vector<track::DatasetInput>& datasets,
                   const std::vector<std::string>& model_ids) override {
    return store_->LogInputs(run_id, datasets, model_ids);
  }
  Status LogOutputs(std::string_view run_id,
                    const std::vector<track::ModelOutput>& models) override {
    return store_->LogOutputs(run_id, models);
  }
  Result<track::Page<track::Metric>> GetMetricHistory(
      const track::MetricHistoryRequest& request) override {
    return store_->GetMetricHistory(request);
  }
  Result<std::vector<track::MetricWithRunId>> GetMetricHistoryBulkInterval(
      const track::BulkIntervalRequest& request) override {
    return store_->GetMetricHistoryBulkInterval(request);
  }
  Result<track::LoggedModel> CreateLoggedModel(
      const track::CreateLoggedModelRequest& request) override {
    return store_->CreateLoggedModel(request);
  }
  Result<track::LoggedModel> GetLoggedModel(std::string_view model_id) override {
    return store_->GetLoggedModel(model_id);
  }
  Result<track::LoggedModel> FinalizeLoggedModel(std::string_view model_id,
                                                 track::LoggedModelStatus status) override {
    return store_->FinalizeLoggedModel(model_id, status);
  }
  Status DeleteLoggedModel(std::string_view model_id) override {
    return store_->DeleteLoggedModel(model_id);
  }
  Result<track::Page<track::LoggedModel>> SearchLoggedModels(
      const track::SearchLoggedModelsRequest& request) override {
    return store_->SearchLoggedModels(request);
  }
  Result<track::LoggedModel> SetLoggedModelTags(std::string_view model_id,
                                                const std::vector<track::Tag>& tags) override {
    return store_->SetLoggedModelTags(model_id, tags);
  }
  Status DeleteLoggedModelTag(std::string_view model_id, std::string_view key) override {
    return store_->DeleteLoggedModelTag(model_id, key);
  }
  Status LogLoggedModelParams(std::string_view model_id,
                              const std::vector<track::Param>& params) override {
    return store_->LogLoggedModelParams(model_id, params);
  }

 private:
  std::unique_ptr<SuiteServer> server_;
  std::unique_ptr<track::TrackingStore> store_;
};

// The same for a REST registry store.
class ServedRegistryStore final : public registry::RegistryStore {
 public:
  ServedRegistryStore(std::unique_ptr<SuiteServer> server,
                      std::unique_ptr<registry::RegistryStore> store)
      : server_(std::move(server)), store_(std::move(store)) {}
  ~ServedRegistryStore() override { store_.reset(); }

  using Status = core::Status;
  template <class T>
  using Result = core::Result<T>;
  using RegisteredModel = registry::RegisteredModel;
  using ModelVersion = registry::ModelVersion;

  Result<RegisteredModel> CreateRegisteredModel(std::string_view name,
                                                const std::vector<registry::Tag>& tags,
                                                std::string_view description) override {
    return store_->CreateRegisteredModel(name, tags, description);
  }
  Result<RegisteredModel> RenameRegisteredModel(std::string_view name,
                                                std::string_view new_name) override {
    return store_->RenameRegisteredModel(name, new_name);
  }
  Result<RegisteredModel> UpdateRegisteredModel(std::string_view name,
                                                std::string_view description) override {
    return store_->UpdateRegisteredModel(name, description);
  }
  Status DeleteRegisteredModel(std::string_view name) override {
    return store_->DeleteRegisteredModel(name);
  }
  Result<RegisteredModel> GetRegisteredModel(std::string_view name) override {
    return store_->GetRegisteredModel(name);
  }
  Result<registry::Page<RegisteredModel>> SearchRegisteredModels(
      const registry::SearchRequest& request) override {
    return store_->SearchRegisteredModels(request);
  }
  Result<std::vector<ModelVersion>> GetLatestVersions(
      std::string_view name, const std::vector<std::string>& stages) override {
    return store_->GetLatestVersions(name, stages);
  }
  Status SetRegisteredModelTag(std::string_view name, const registry::Tag& tag) override {
    return store_->SetRegisteredModelTag(name, tag);
  }
  Status DeleteRegisteredModelTag(std::string_view name, std::string_view key) override {
    return store_->DeleteRegisteredModelTag(name, key);
  }
  Result<ModelVersion> CreateModelVersion(
      const registry::CreateModelVersionRequest& request) override {
    return store_->CreateModelVersion(request);
  }
  Result<ModelVersion> UpdateModelVersion(std::string_view name, std::string_view version,
                                          std::string_view description) override {
    return store_->UpdateModelVersion(name, version, description);
  }
  Result<ModelVersion> TransitionModelVersionStage(std::string_view name, std::string_view version,
                                                   std::string_view stage,
                                                   bool archive_existing_versions) override {
    return store_->TransitionModelVersionStage(name, version, stage, archive_existing_versions);
  }
  Status DeleteModelVersion(std::string_view name, std::string_view version) override {
    return store_->DeleteModelVersion(name, version);
  }
  Result<ModelVersion> GetModelVersion(std::string_view name, std::string_view version) override {
    return store_->GetModelVersion(name, version);
  }
  Result<registry::Page<ModelVersion>> SearchModelVersions(
      const registry::SearchRequest& request) override {
    return store_->SearchModelVersions(request);
  }
  Result<std::string> GetModelVersionDownloadUri(std::string_view name,
                                                 std::string_view version) override {
    return store_->GetModelVersionDownloadUri(name, version);
  }
  Status SetModelVersionTag(std::string_view name, std::string_view version,
                            const registry::Tag& tag) override {
    return store_->SetModelVersionTag(name, version, tag);
  }
  Status DeleteModelVersionTag(std::string_view name, std::string_view version,
                               std::string_view key) override {
    return store_->DeleteModelVersionTag(name, version, key);
  }
  Status SetAlias(std::string_view name, std::string_view alias,
                  std::string_view version) override {
    return store_->SetAlias(name, alias, version);
  }
  Status DeleteAlias(std::string_view name, std::string_view alias) override {
    return store_->DeleteAlias(name, alias);
  }
  Result<ModelVersion> GetModelVersionByAlias(std::string_view name,
                                              std::string_view alias) override {
    return store_->GetModelVersionByAlias(name, alias);
  }

 private:
  std::unique_ptr<SuiteServer> server_;
  std::unique_ptr<registry::RegistryStore> store_;
};

}  // namespace

namespace track::testing {

// Declared in tests/track/store_test.cc.
std::unique_ptr<TrackingStore> NewRestStoreForSuite() {
  auto server = std::make_unique<SuiteServer>();
  if (!server->ok()) return nullptr;
  core::Result<std::unique_ptr<TrackingStore>> store = OpenTrackingStore(server->uri(), {});
  if (!store.ok()) {
    ADD_FAILURE() << store.status().ToString();
    return nullptr;
  }
  return std::make_unique<ServedTrackingStore>(std::move(server), std::move(*store));
}

}  // namespace track::testing

namespace registry::testing {

// Declared in tests/registry/store_test.cc.
std::unique_ptr<RegistryStore> NewRestStoreForSuite() {
  auto server = std::make_unique<SuiteServer>();
  if (!server->ok()) return nullptr;
  core::Result<std::unique_ptr<RegistryStore>> store = OpenRegistryStore(server->uri(), {});
  if (!store.ok()) {
    ADD_FAILURE() << store.status().ToString();
    return nullptr;
  }
  return std::make_unique<ServedRegistryStore>(std::move(server), std::move(*store));
}

}  // namespace registry::testing
}  // namespace cairn
