// OpenArtifactRepository: which URIs open which store; Upload (a file, a tree) and Download
// (a tree, a file, everything) round trips on a local artifact root and on a tracking
// server's proxy (a small fake of MLflow's, in memory); the errors users meet.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "core/path.h"
#include "core/strings.h"
#include "ml/fake_proxy.h"
#include "ml/ml.h"
#include "sys/env.h"
#include "sys/temp_dir.h"
#include "sys/walk.h"

namespace cairn::ml {
namespace {

// Every file under `dir`: relative path -> content.
std::map<std::string, std::string> Tree(sys::Env& env, const std::string& dir) {
  std::map<std::string, std::string> out;
  core::Result<sys::WalkResult> walk = sys::Walk(env, dir);
  EXPECT_TRUE(walk.ok()) << walk.status().ToString();
  if (!walk.ok()) return out;
  for (const sys::WalkEntry& entry : walk->files) {
    out[entry.path] = env.ReadFile(core::JoinPath(dir, entry.path)).value_or("<unreadable>");
  }
  return out;
}

class ArtifactsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = sys::NewPosixEnv();
    core::Result<sys::TempDir> dir = sys::TempDir::Create("cairn-artifacts-test-");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_ = std::make_unique<sys::TempDir>(std::move(*dir));
    // A model directory as training leaves it, with a nested file and a name with a space.
    model_ = dir_->Path("work/model");
    Write(model_ + "/MLmodel", "flavors:\n  xgboost: {}\n");
    Write(model_ + "/model.json", "{\"learner\": {}}");
    Write(model_ + "/env/python env.yaml", "python: 3.11\n");
    Write(dir_->Path("work/metrics.json"), "{\"accuracy\": 0.95}\n");
  }

  void Write(const std::string& path, std::string_view data) {
    ASSERT_TRUE(env_->CreateDirs(core::Dirname(path)).ok());
    ASSERT_TRUE(env_->WriteFile(path, data).ok());
  }

  std::unique_ptr<ArtifactRepository> Open(std::string_view uri,
                                           const ArtifactAccess& access = {}) {
    core::Result<std::unique_ptr<ArtifactRepository>> repo =
        OpenArtifactRepository(*env_, uri, access);
    EXPECT_TRUE(repo.ok()) << repo.status().ToString();
    return repo.ok() ? std::move(*repo) : nullptr;
  }

  // Uploads the model tree and metrics.json, then checks every kind of download.
  void RoundTrip(ArtifactRepository& repo) {
    ASSERT_TRUE(repo.Upload(model_, "model").ok());
    ASSERT_TRUE(repo.Upload(dir_->Path("work/metrics.json"), "").ok());
    ASSERT_TRUE(repo.Upload(dir_->Path("work/metrics.json"), "eval/test/").ok());

    std::map<std::string, std::string> model = Tree(*env_, model_);
    ASSERT_EQ(model.size(), 3u);
    std::string out = dir_->Path("out-model");
    ASSERT_TRUE(repo.Download("model", out).ok());
    EXPECT_EQ(Tree(*env_, out), model);

    out = dir_->Path("out-all");
    ASSERT_TRUE(repo.Download("", out).ok());
    std::map<std::string, std::string> all = Tree(*env_, out);
    EXPECT_EQ(all.size(), 5u);
    EXPECT_EQ(all["model/env/python env.yaml"], "python: 3.11\n");
    EXPECT_EQ(all["metrics.json"], "{\"accuracy\": 0.95}\n");
    EXPECT_EQ(all["eval/test/metrics.json"], "{\"accuracy\": 0.95}\n");

    out = dir_->Path("out-file");
    ASSERT_TRUE(repo.Download("model/MLmodel", out).ok());
    EXPECT_EQ(Tree(*env_, out),
              (std::map<std::string, std::string>{{"MLmodel", "flavors:\n  xgboost: {}\n"}}));

    // Downloading again replaces the files.
    Write(model_ + "/model.json", "{\"learner\": {\"v\": 2}}");
    ASSERT_TRUE(repo.Upload(model_, "model").ok());
    ASSERT_TRUE(repo.Download("model", dir_->Path("out-model")).ok());
    EXPECT_EQ(env_->ReadFile(dir_->Path("out-model/model.json")).value_or(""),
              "{\"learner\": {\"v\": 2}}");

    core::Status missing = repo.Download("no/such/dir", dir_->Path("out-missing"));
    EXPECT_TRUE(missing.IsNotFound()) << missing.ToString();
    EXPECT_NE(missing.message().find("no artifact at 'no/such/dir'"), std::string::npos)
        << missing.message();
    EXPECT_FALSE(env_->Exists(dir_->Path("out-missing")));

    core::Status escape = repo.Upload(model_, "../outside");
    EXPECT_TRUE(escape.IsInvalidArgument()) << escape.ToString();
    EXPECT_TRUE(repo.Download("model/../..", dir_->Path("x")).IsInvalidArgument());
    EXPECT_TRUE(repo.Upload(dir_->Path("work/no-such-file"), "").IsNotFound());
  }

  std::unique_ptr<sys::Env> env_;
  std::unique_ptr<sys::TempDir> dir_;
  std::string model_;
};

TEST_F(ArtifactsTest, LocalDirectoryRoundTrip) {
  std::string root = dir_->Path("mlruns/1/abc/artifacts");  // created by the first upload
  std::unique_ptr<ArtifactRepository> repo = Open(root);
  ASSERT_NE(repo, nullptr);
  RoundTrip(*repo);
  EXPECT_EQ(env_->ReadFile(root + "/model/env/python env.yaml").value_or(""), "python: 3.11\n");
  EXPECT_EQ(env_->ReadFile(root + "/eval/test/metrics.json").value_or(""),
            "{\"accuracy\": 0.95}\n");
}

TEST_F(ArtifactsTest, FileUriIsTheSameDirectory) {
  std::string root = dir_->Path("mlruns/2/def/artifacts");
  std::unique_ptr<ArtifactRepository> repo = Open("file://" + root);
  ASSERT_NE(repo, nullptr);
  ASSERT_TRUE(repo->Upload(model_, "model").ok());
  EXPECT_TRUE(env_->Exists(root + "/model/MLmodel"));
  // An empty root has nothing to download.
  core::Status status = Open(dir_->Path("mlruns/empty"))->Download("", dir_->Path("o"));
  EXPECT_TRUE(status.IsNotFound()) << status.ToString();
}

TEST_F(ArtifactsTest, UrisThatOpenNothingSayWhy) {
  ArtifactAccess none;
  core::Result<std::unique_ptr<ArtifactRepository>> repo =
      OpenArtifactRepository(*env_, "mlflow-artifacts:/1/abc/artifacts", none);
  ASSERT_FALSE(repo.ok());
  EXPECT_TRUE(repo.status().IsInvalidArgument());
  EXPECT_NE(repo.status().message().find(
                "mlflow-artifacts: URIs need an http(s) tracking URI (MLFLOW_TRACKING_URI)"),
            std::string::npos)
      << repo.status().message();

  ArtifactAccess sqlite;
  sqlite.tracking_uri = "sqlite:///tmp/mlflow.db";
  repo = OpenArtifactRepository(*env_, "mlflow-artifacts:/1/abc/artifacts", sqlite);
  ASSERT_FALSE(repo.ok());
  EXPECT_NE(repo.status().message().find("need an http(s) tracking URI"), std::string::npos);
  EXPECT_NE(repo.status().message().find("'sqlite:' URI"), std::string::npos)
      << repo.status().message();

  // A postgres URI's password never reaches the message.
  ArtifactAccess postgres;
  postgres.tracking_uri = "postgresql://u:hunter2@db/mlflow";
  repo = OpenArtifactRepository(*env_, "mlflow-artifacts:/1", postgres);
  ASSERT_FALSE(repo.ok());
  EXPECT_EQ(repo.status().message().find("hunter2"), std::string::npos);

  // Opening makes no request: these open without a server.
  ArtifactAccess http;
  http.tracking_uri = "http://127.0.0.1:1";
  EXPECT_TRUE(OpenArtifactRepository(*env_, "mlflow-artifacts:/1/abc/artifacts", http).ok());
  EXPECT_TRUE(OpenArtifactRepository(*env_, "mlflow-artifacts://127.0.0.1:1/1/abc", none).ok());

  repo = OpenArtifactRepository(*env_, "runs:/abc/model", none);
  ASSERT_FALSE(repo.ok());
  EXPECT_NE(repo.status().message().find("is a model URI"), std::string::npos);
  repo = OpenArtifactRepository(*env_, "ftp://host/x", none);
  ASSERT_FALSE(repo.ok());
  EXPECT_NE(repo.status().message().find("'ftp:'"), std::string::npos);
  repo = OpenArtifactRepository(*env_, "http://host:5000/not/the/proxy", none);
  ASSERT_FALSE(repo.ok());
  EXPECT_NE(repo.status().message().find("/api/2.0/mlflow-artifacts/artifacts"), std::string::npos);
}

TEST_F(ArtifactsTest, TrackingServerProxyRoundTrip) {
  FakeProxy proxy;
  ArtifactAccess access;
  access.tracking_uri = proxy.Url();
  access.username = "ann";
  access.password = "s3cret";
  std::unique_ptr<ArtifactRepository> repo = Open("mlflow-artifacts:/1/abc/artifacts", access);
  ASSERT_NE(repo, nullptr);
  RoundTrip(*repo);
  // The files are where MLflow's client puts them: below the URI's path on the server.
  std::vector<std::string> paths = proxy.Paths();
  EXPECT_NE(std::find(paths.begin(), paths.end(), "1/abc/artifacts/model/env/python env.yaml"),
            paths.end())
      << core::Join(paths, ", ");

  // The server named in the URI, and the proxy's own http URL, reach the same files.
  std::string host_port = proxy.Url().substr(7);
  ArtifactAccess no_server = access;
  no_server.tracking_uri.clear();
  repo = Open("mlflow-artifacts://" + host_port + "/1/abc/artifacts", no_server);
  ASSERT_NE(repo, nullptr);
  std::string out = dir_->Path("via-host");
  ASSERT_TRUE(repo->Download("model", out).ok());
  EXPECT_EQ(Tree(*env_, out).size(), 3u);
  repo = Open(proxy.Url() + "/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/model", no_server);
  ASSERT_NE(repo, nullptr);
  out = dir_->Path("via-http");
  ASSERT_TRUE(repo->Download("", out).ok());
  EXPECT_EQ(Tree(*env_, out).size(), 3u);

  // Without credentials: the server's 401, with a hint.
  ArtifactAccess anonymous;
  anonymous.tracking_uri = proxy.Url();
  core::Status status =
      Open("mlflow-artifacts:/1/abc/artifacts", anonymous)->Download("model", dir_->Path("denied"));
  EXPECT_EQ(status.code(), core::Code::kUnauthenticated) << status.ToString();
  EXPECT_NE(status.message().find("HTTP 401"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("MLFLOW_TRACKING_USERNAME"), std::string::npos);
}

}  // namespace
}  // namespace cairn::ml
