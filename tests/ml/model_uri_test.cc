// ResolveModelUri and FetchModel over real stores (SQLite tracking and registry in one temp
// file, local artifact roots, and an mlflow-artifacts: root on a fake tracking server's proxy):
// runs:/ URIs, models:/ by version, stage, alias and latest, sources that are runs:/ URIs
// again, plain paths, and the errors for what is missing.
#include <gtest/gtest.h>

#include "core/path.h"
#include "ml/fake_proxy.h"
#include "ml/ml.h"
#include "registry/registry.h"
#include "sys/env.h"
#include "sys/temp_dir.h"
#include "track/track.h"

namespace cairn::ml {
namespace {

// A small table whose label is x1 > 0.5, with a distractor column.
Table TinyTable() {
  Table t;
  t.columns = {"x1", "noise"};
  for (int i = 0; i < 40; ++i) {
    float x1 = static_cast<float>(i) / 40;
    t.features.push_back(x1);
    t.features.push_back(static_cast<float>((i * 7) % 5));
    t.labels.push_back(x1 > 0.5f ? 1.0f : 0.0f);
  }
  return t;
}

class ModelUriTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = sys::NewPosixEnv();
    core::Result<sys::TempDir> dir = sys::TempDir::Create("cairn-model-uri-test-");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_ = std::make_unique<sys::TempDir>(std::move(*dir));
    core::Result<core::Uri> db = core::Uri::Parse("sqlite:///" + dir_->Path("mlflow.db"));
    ASSERT_TRUE(db.ok());
    track::StoreOptions options;
    options.default_artifact_root = dir_->Path("mlruns");
    core::Result<std::unique_ptr<track::TrackingStore>> tracking =
        track::OpenTrackingStore(*db, options);
    ASSERT_TRUE(tracking.ok()) << tracking.status().ToString();
    tracking_ = std::move(*tracking);
    core::Result<std::unique_ptr<registry::RegistryStore>> reg =
        registry::OpenRegistryStore(*db, registry::StoreOptions{});
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    registry_ = std::move(*reg);

    TrainParams params;
    params.n_estimators = 5;
    params.max_depth = 2;
    params.validation_fraction = 0;
    core::Result<TrainResult> trained = Train(TinyTable(), params);
    ASSERT_TRUE(trained.ok()) << trained.status().ToString();
    expected_ = *trained->model.PredictProba(TinyTable());
    model_dir_ = dir_->Path("work/model");
    ASSERT_TRUE(WriteModelDirectory(*env_, trained->model, ModelInfo{}, model_dir_).ok());
    model_file_ = dir_->Path("work/model.ubj");
    ASSERT_TRUE(trained->model.Save(model_file_).ok());
  }

  // A new run in experiment `experiment_id` with the model directory logged at "model" and
  // the model file at "model.ubj".
  std::string LoggedRun(const std::string& experiment_id, const ArtifactAccess& access = {}) {
    track::CreateRunRequest request;
    request.experiment_id = experiment_id;
    core::Result<track::Run> run = tracking_->CreateRun(request);
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    if (!run.ok()) return "";
    core::Result<std::unique_ptr<ArtifactRepository>> repo =
        OpenArtifactRepository(*env_, run->info.artifact_uri, access);
    EXPECT_TRUE(repo.ok()) << repo.status().ToString();
    if (!repo.ok()) return "";
    EXPECT_TRUE((*repo)->Upload(model_dir_, "model").ok());
    EXPECT_TRUE((*repo)->Upload(model_file_, "").ok());
    return run->info.run_id;
  }

  std::string ArtifactUri(const std::string& run_id) {
    return tracking_->GetRun(run_id).value().info.artifact_uri;
  }

  // Version `n` of "spam" from `source`.
  void Register(const std::string& source, const std::string& run_id, int64_t n) {
    registry::CreateModelVersionRequest request;
    request.name = "spam";
    request.source = source;
    request.run_id = run_id;
    core::Result<registry::ModelVersion> version = registry_->CreateModelVersion(request);
    ASSERT_TRUE(version.ok()) << version.status().ToString();
    ASSERT_EQ(version->version, n);
  }

  // "spam": v1 from runs:/<run>/model (Production, alias champion), v2 from the resolved
  // artifact URI as MLflow 2's client registers it (Staging).
  void RegisterSpam(const std::string& run_id) {
    ASSERT_TRUE(registry_->CreateRegisteredModel("spam", {}, "").ok());
    Register("runs:/" + run_id + "/model", run_id, 1);
    Register(ArtifactUri(run_id) + "/model", run_id, 2);
    ASSERT_TRUE(registry_->TransitionModelVersionStage("spam", "1", "Production", false).ok());
    ASSERT_TRUE(registry_->TransitionModelVersionStage("spam", "2", "Staging", false).ok());
    ASSERT_TRUE(registry_->SetAlias("spam", "champion", "1").ok());
  }

  ModelLocation Resolve(std::string_view uri) {
    core::Result<ModelLocation> location = ResolveModelUri(uri, *tracking_, registry_.get());
    EXPECT_TRUE(location.ok()) << uri << ": " << location.status().ToString();
    return location.ok() ? *location : ModelLocation{};
  }

  core::Status Error(std::string_view uri) {
    core::Result<ModelLocation> location = ResolveModelUri(uri, *tracking_, registry_.get());
    EXPECT_FALSE(location.ok()) << uri << " resolved to " << location->artifact_uri;
    return location.ok() ? core::Status::Ok() : location.status();
  }

  std::unique_ptr<sys::Env> env_;
  std::unique_ptr<sys::TempDir> dir_;
  std::unique_ptr<track::TrackingStore> tracking_;
  std::unique_ptr<registry::RegistryStore> registry_;
  std::vector<float> expected_;
  std::string model_dir_;
  std::string model_file_;
};

TEST_F(ModelUriTest, RunsUris) {
  std::string run_id = LoggedRun("0");
  ModelLocation location = Resolve("runs:/" + run_id + "/model");
  EXPECT_EQ(location.artifact_uri, ArtifactUri(run_id) + "/model");
  EXPECT_EQ(location.run_id, run_id);
  EXPECT_TRUE(location.local_path.empty());
  EXPECT_TRUE(location.model_name.empty());
  EXPECT_EQ(Resolve("runs:/" + run_id + "/model/").artifact_uri, ArtifactUri(run_id) + "/model");
  EXPECT_EQ(Resolve("runs:/" + run_id).artifact_uri, ArtifactUri(run_id));
  // Runs need no registry.
  core::Result<ModelLocation> no_registry =
      ResolveModelUri("runs:/" + run_id + "/model", *tracking_, nullptr);
  ASSERT_TRUE(no_registry.ok());

  core::Status status = Error("runs:/0123456789abcdef0123456789abcdef/model");
  EXPECT_TRUE(status.IsNotFound()) << status.ToString();
  EXPECT_EQ(status.message(),
            "'runs:/0123456789abcdef0123456789abcdef/model': no run "
            "'0123456789abcdef0123456789abcdef' in the tracking store");
  EXPECT_TRUE(Error("runs:model").IsInvalidArgument());
  EXPECT_TRUE(Error("runs://x/model").IsInvalidArgument());
  EXPECT_TRUE(Error("runs:/").IsInvalidArgument());
}

TEST_F(ModelUriTest, ModelsUrisByVersionStageAliasAndLatest) {
  std::string run_id = LoggedRun("0");
  RegisterSpam(run_id);
  std::string model_uri = ArtifactUri(run_id) + "/model";

  ModelLocation v1 = Resolve("models:/spam/1");
  EXPECT_EQ(v1.artifact_uri, model_uri);  // runs:/ source resolved again
  EXPECT_EQ(v1.run_id, run_id);
  EXPECT_EQ(v1.model_name, "spam");
  EXPECT_EQ(v1.version, "1");
  ModelLocation v2 = Resolve("models:/spam/2");
  EXPECT_EQ(v2.artifact_uri, model_uri);
  EXPECT_EQ(v2.version, "2");
  EXPECT_EQ(v2.run_id, run_id);

  EXPECT_EQ(Resolve("models:/spam/Production").version, "1");
  EXPECT_EQ(Resolve("models:/spam/production").version, "1");  // case-insensitive, as MLflow
  EXPECT_EQ(Resolve("models:/spam/Staging").version, "2");
  EXPECT_EQ(Resolve("models:/spam@champion").version, "1");
  EXPECT_EQ(Resolve("models:/spam/latest").version, "2");

  // Moving the alias moves what it resolves to; a newer Production version wins the stage.
  ASSERT_TRUE(registry_->SetAlias("spam", "champion", "2").ok());
  EXPECT_EQ(Resolve("models:/spam@champion").version, "2");
  Register("runs:/" + run_id + "/model", run_id, 3);
  ASSERT_TRUE(registry_->TransitionModelVersionStage("spam", "3", "Production", false).ok());
  EXPECT_EQ(Resolve("models:/spam/Production").version, "3");
  EXPECT_EQ(Resolve("models:/spam/latest").version, "3");
}

TEST_F(ModelUriTest, ModelsUrisNameWhatIsMissing) {
  std::string run_id = LoggedRun("0");
  RegisterSpam(run_id);
  core::Status status = Error("models:/nope/1");
  EXPECT_TRUE(status.IsNotFound());
  EXPECT_EQ(status.message(), "'models:/nope/1': no registered model 'nope'");
  status = Error("models:/nope@champion");
  EXPECT_TRUE(status.IsNotFound());
  EXPECT_EQ(status.message(), "'models:/nope@champion': no registered model 'nope'");
  status = Error("models:/nope/Production");
  EXPECT_EQ(status.message(), "'models:/nope/Production': no registered model 'nope'");
  status = Error("models:/spam@challenger");
  EXPECT_TRUE(status.IsNotFound());
  EXPECT_EQ(status.message(),
            "'models:/spam@challenger': registered model 'spam' has no alias "
            "'challenger'");
  status = Error("models:/spam/9");
  EXPECT_TRUE(status.IsNotFound());
  EXPECT_EQ(status.message(), "'models:/spam/9': registered model 'spam' has no version 9");
  status = Error("models:/spam/archived");
  EXPECT_TRUE(status.IsNotFound());
  EXPECT_EQ(status.message(),
            "'models:/spam/archived': registered model 'spam' has no version in stage 'Archived'");
  ASSERT_TRUE(registry_->CreateRegisteredModel("empty", {}, "").ok());
  EXPECT_EQ(Error("models:/empty/latest").message(),
            "'models:/empty/latest': registered model 'empty' has no versions");

  status = Error("models:/spam/Prod");
  EXPECT_TRUE(status.IsInvalidArgument());
  EXPECT_EQ(status.message(),
            "'models:/spam/Prod': 'Prod' is neither a version number, a stage (None, Staging, "
            "Production, Archived) nor 'latest'");
  EXPECT_TRUE(Error("models:/spam").IsInvalidArgument());
  EXPECT_TRUE(Error("models:/spam@").IsInvalidArgument());
  EXPECT_TRUE(Error("models:/spam/1/extra").IsInvalidArgument());
  EXPECT_TRUE(Error("models:spam/1").IsInvalidArgument());
  core::Result<ModelLocation> no_registry = ResolveModelUri("models:/spam/1", *tracking_, nullptr);
  ASSERT_FALSE(no_registry.ok());
  EXPECT_NE(no_registry.status().message().find("need a model registry"), std::string::npos);

  // A version whose source's run is gone names both.
  Register("runs:/0123456789abcdef0123456789abcdef/model", "", 3);
  status = Error("models:/spam/3");
  EXPECT_TRUE(status.IsNotFound());
  EXPECT_NE(status.message().find("'models:/spam/3' (version 3, source "
                                  "'runs:/0123456789abcdef0123456789abcdef/model')"),
            std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("no run '0123456789abcdef0123456789abcdef'"), std::string::npos);
}

TEST_F(ModelUriTest, PathsAndArtifactUris) {
  ModelLocation plain = Resolve("models-dir/model.xgb");
  EXPECT_EQ(plain.local_path, "models-dir/model.xgb");
  EXPECT_TRUE(plain.artifact_uri.empty());
  EXPECT_EQ(Resolve("/abs/my model").local_path, "/abs/my model");
  EXPECT_EQ(Resolve("file:///abs/my%20model").local_path, "/abs/my model");
  EXPECT_TRUE(Error("file://elsewhere/x").IsInvalidArgument());
  ModelLocation s3 = Resolve("s3://bucket/1/abc/artifacts/model");
  EXPECT_EQ(s3.artifact_uri, "s3://bucket/1/abc/artifacts/model");
  EXPECT_TRUE(s3.local_path.empty());
}

TEST_F(ModelUriTest, FetchModelFromLocalArtifacts) {
  std::string run_id = LoggedRun("0");
  RegisterSpam(run_id);
  std::string scratch = dir_->Path("scratch");
  for (const std::string& uri : std::vector<std::string>{
           "models:/spam@champion", "models:/spam/Staging", "runs:/" + run_id + "/model",
           "runs:/" + run_id + "/model.ubj", model_dir_, model_file_, "file://" + model_dir_}) {
    core::Result<Model> model = FetchModel(*env_, uri, *tracking_, registry_.get(), {}, scratch);
    ASSERT_TRUE(model.ok()) << uri << ": " << model.status().ToString();
    EXPECT_EQ(*model->PredictProba(TinyTable()), expected_) << uri;
  }
  // Local artifacts load in place: nothing was copied.
  EXPECT_FALSE(env_->Exists(scratch));

  core::Result<Model> missing =
      FetchModel(*env_, "runs:/" + run_id + "/nothing", *tracking_, registry_.get(), {}, scratch);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("runs:/" + run_id + "/nothing"), std::string::npos);
}

TEST_F(ModelUriTest, FetchModelDownloadsFromTheTrackingServer) {
  FakeProxy proxy;
  ArtifactAccess access;
  access.tracking_uri = proxy.Url();
  access.username = "ann";
  access.password = "s3cret";
  core::Result<std::string> experiment =
      tracking_->CreateExperiment("served", "mlflow-artifacts:/7", {});
  ASSERT_TRUE(experiment.ok()) << experiment.status().ToString();
  std::string run_id = LoggedRun(*experiment, access);
  ASSERT_EQ(ArtifactUri(run_id), "mlflow-artifacts:/7/" + run_id + "/artifacts");
  RegisterSpam(run_id);

  std::string scratch = dir_->Path("scratch");
  core::Result<Model> model =
      FetchModel(*env_, "models:/spam@champion", *tracking_, registry_.get(), access, scratch);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(*model->PredictProba(TinyTable()), expected_);
  EXPECT_TRUE(env_->Exists(scratch + "/spam-v1/MLmodel"));
  EXPECT_TRUE(env_->Exists(scratch + "/spam-v1/model.json"));
  // Fetched again: the directory is replaced, no temporary left.
  ASSERT_TRUE(
      FetchModel(*env_, "models:/spam/1", *tracking_, registry_.get(), access, scratch).ok());
  core::Result<std::vector<sys::DirEntry>> entries = env_->ListDir(scratch);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].name, "spam-v1");

  // A model file, not a directory.
  model = FetchModel(*env_, "runs:/" + run_id + "/model.ubj", *tracking_, registry_.get(), access,
                     scratch);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(*model->PredictProba(TinyTable()), expected_);

  // Without the server's address.
  ArtifactAccess none;
  model = FetchModel(*env_, "models:/spam/1", *tracking_, registry_.get(), none, scratch);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("need an http(s) tracking URI"), std::string::npos)
      << model.status().message();
}

}  // namespace
}  // namespace cairn::ml
