// blob::OpenMlflowArtifactsStore against `cairn server`'s artifact proxy (and, for what only
// MLflow's server does, a small fake of it): upload, list, stat, download and delete files,
// nested directories and names with spaces; credentials; errors that name the request.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>

#include "blob/blob.h"
#include "net/server.h"
#include "server/api_server.h"
#include "sys/env.h"

namespace cairn::server_test {
namespace {

using blob::BlobInfo;
using blob::BlobStore;

std::unique_ptr<BlobStore> Open(sys::Env& env, const std::string& server, std::string_view root,
                                blob::MlflowArtifactsOptions options = {}) {
  options.max_attempts = 2;
  options.retry_backoff = std::chrono::milliseconds(1);
  core::Result<std::unique_ptr<BlobStore>> store =
      blob::OpenMlflowArtifactsStore(server, root, options, env);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

std::string Read(BlobStore& store, std::string_view key, core::Status* status = nullptr) {
  std::string out;
  core::Status got = store.Get(key, [&out](std::string_view chunk) {
    out.append(chunk);
    return core::Status::Ok();
  });
  if (status != nullptr) *status = got;
  EXPECT_TRUE(status != nullptr || got.ok()) << got.ToString();
  return out;
}

std::vector<std::string> Keys(BlobStore& store, std::string_view prefix) {
  core::Result<std::vector<BlobInfo>> listed = store.List(prefix);
  EXPECT_TRUE(listed.ok()) << listed.status().ToString();
  std::vector<std::string> keys;
  if (listed.ok()) {
    for (const BlobInfo& info : *listed) keys.push_back(info.key);
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

TEST(MlflowArtifactsStoreTest, UploadListDownloadDelete) {
  ApiServer& api = ApiServer::Shared();
  ASSERT_TRUE(api.ok());
  std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
  std::string root = UniqueName() + "/1/run/artifacts";
  std::unique_ptr<BlobStore> store = Open(*env, api.Url(""), root);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Describe(), "mlflow-artifacts:/" + root + " at " + api.Url(""));
  ASSERT_TRUE(store->Check().ok());

  ASSERT_TRUE(store->Put("metrics.json", "{\"accuracy\": 0.9}\n").ok());
  std::string big(300'000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 % 251);
  std::string local = api.Path(UniqueName() + ".bin");
  ASSERT_TRUE(env->WriteFile(local, big).ok());
  ASSERT_TRUE(store->PutFile("model/data/model.bin", local).ok());
  ASSERT_TRUE(store->Put("with space/my file.txt", "spaced").ok());

  // The server decoded each segment: the files are where the keys say.
  std::string on_disk = api.config().artifacts_destination + "/" + root;
  EXPECT_EQ(env->ReadFile(on_disk + "/with space/my file.txt").value_or("<missing>"), "spaced");
  EXPECT_EQ(env->ReadFile(on_disk + "/model/data/model.bin").value_or("<missing>"), big);

  EXPECT_EQ(Keys(*store, ""), (std::vector<std::string>{"metrics.json", "model/data/model.bin",
                                                        "with space/my file.txt"}));
  EXPECT_EQ(Keys(*store, "model/"), std::vector<std::string>{"model/data/model.bin"});
  EXPECT_EQ(Keys(*store, "with"), std::vector<std::string>{"with space/my file.txt"});
  EXPECT_EQ(Keys(*store, "nothing/here/"), std::vector<std::string>{});
  core::Result<std::vector<BlobInfo>> listed = store->List("model/data/");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].size, big.size());

  EXPECT_EQ(Read(*store, "model/data/model.bin"), big);
  EXPECT_EQ(Read(*store, "with space/my file.txt"), "spaced");

  core::Result<std::optional<BlobInfo>> stat = store->Stat("metrics.json");
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  ASSERT_TRUE(stat->has_value());
  EXPECT_EQ((*stat)->size, 18u);
  stat = store->Stat("model/data");  // a directory is no file
  ASSERT_TRUE(stat.ok());
  EXPECT_FALSE(stat->has_value());
  stat = store->Stat("no/such.txt");
  ASSERT_TRUE(stat.ok());
  EXPECT_FALSE(stat->has_value());

  // A missing file is kNotFound, naming the file and the request.
  core::Status status;
  Read(*store, "no/such.txt", &status);
  EXPECT_TRUE(status.IsNotFound()) << status.ToString();
  EXPECT_NE(status.message().find("no file 'no/such.txt'"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("GET " + api.Url("/api/2.0/mlflow-artifacts/artifacts/") + root +
                                  "/no/such.txt: HTTP 404"),
            std::string::npos)
      << status.message();

  ASSERT_TRUE(store->Delete("metrics.json").ok());
  EXPECT_FALSE(store->Stat("metrics.json")->has_value());
  EXPECT_TRUE(store->Delete("metrics.json").ok());  // already gone
  EXPECT_EQ(Keys(*store, "").size(), 2u);

  // Bad keys are refused before any request.
  EXPECT_TRUE(store->Put("../escape", "x").IsInvalidArgument());
  EXPECT_TRUE(store->Put("/abs", "x").IsInvalidArgument());
}

TEST(MlflowArtifactsStoreTest, ErrorsNameTheRequestAndTheServersMessage) {
  ApiServer& api = ApiServer::Shared();
  ASSERT_TRUE(api.ok());
  std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
  std::string root = UniqueName();
  std::unique_ptr<BlobStore> store = Open(*env, api.Url(""), root);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("d/f", "x").ok());
  // A file where the server has a directory: the server's 400 and its message.
  core::Status status = store->Put("d", "x");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), core::Code::kInvalidParameterValue) << status.ToString();
  EXPECT_NE(status.message().find("PUT " + api.Url("/api/2.0/mlflow-artifacts/artifacts/") + root +
                                  "/d: HTTP 400: Cannot upload to '" + root +
                                  "/d': it is a directory of artifacts"),
            std::string::npos)
      << status.message();

  // Not a server address.
  for (std::string_view url : {"ftp://host/x", "sqlite:///tmp/x.db", "/srv/artifacts", ""}) {
    core::Result<std::unique_ptr<BlobStore>> opened =
        blob::OpenMlflowArtifactsStore(url, "", {}, *env);
    ASSERT_FALSE(opened.ok()) << url;
    EXPECT_TRUE(opened.status().IsInvalidArgument()) << opened.status().ToString();
    EXPECT_NE(opened.status().message().find("http:// or https://"), std::string::npos);
  }
  // Nothing listens there: kTemporarilyUnavailable naming host:port, after the retries.
  std::unique_ptr<BlobStore> down = Open(*env, "http://127.0.0.1:1", "x");
  status = down->Check();
  EXPECT_EQ(status.code(), core::Code::kTemporarilyUnavailable) << status.ToString();
  EXPECT_NE(status.message().find("127.0.0.1:1"), std::string::npos) << status.message();
}

TEST(MlflowArtifactsStoreTest, BasicAuthentication) {
  ApiServer api([](server::ServerConfig& config) {
    std::string auth_file = config.artifacts_destination + ".htpasswd";
    ASSERT_TRUE(net::HtpasswdSetUser(auth_file, "ann", "s3cret", 4).ok());
    config.auth_file = auth_file;
  });
  ASSERT_TRUE(api.ok());
  std::unique_ptr<sys::Env> env = sys::NewPosixEnv();

  std::unique_ptr<BlobStore> anonymous = Open(*env, api.Url(""), "run");
  core::Status status = anonymous->Put("a.txt", "x");
  EXPECT_EQ(status.code(), core::Code::kUnauthenticated) << status.ToString();
  EXPECT_NE(status.message().find(
                "PUT " + api.Url("/api/2.0/mlflow-artifacts/artifacts/run/a.txt") + ": HTTP 401"),
            std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("MLFLOW_TRACKING_USERNAME"), std::string::npos);
  EXPECT_EQ(anonymous->Check().code(), core::Code::kUnauthenticated);

  blob::MlflowArtifactsOptions wrong;
  wrong.username = "ann";
  wrong.password = "nope";
  status = Open(*env, api.Url(""), "run", wrong)->Put("a.txt", "x");
  EXPECT_EQ(status.code(), core::Code::kUnauthenticated) << status.ToString();
  EXPECT_EQ(status.message().find("nope"), std::string::npos);  // no secret in messages

  blob::MlflowArtifactsOptions good;
  good.username = "ann";
  good.password = "s3cret";
  std::unique_ptr<BlobStore> store = Open(*env, api.Url(""), "run", good);
  ASSERT_TRUE(store->Check().ok());
  ASSERT_TRUE(store->Put("a.txt", "hello").ok());
  EXPECT_EQ(Read(*store, "a.txt"), "hello");
  EXPECT_EQ(Keys(*store, ""), std::vector<std::string>{"a.txt"});

  // Credentials in the server URL serve when the options name none.
  std::string url = api.Url("");
  url.insert(url.find("//") + 2, "ann:s3cret@");
  EXPECT_EQ(Read(*Open(*env, url, "run"), "a.txt"), "hello");
}

// What MLflow's own server does and cairn's does not: a 500 (an HTML page) for a GET of a
// missing file. It also records the Authorization headers it sees.
class FakeMlflow {
 public:
  FakeMlflow() {
    net::Router router;
    router.Add("GET", "/api/2.0/mlflow-artifacts/artifacts/{path...}",
               [this](const net::ServerRequest& request, net::ServerResponse& response) {
                 Record(request);
                 ++file_gets_;
                 if (request.path_params.back() == "dir/there.txt") {
                   response.SetText(200, "there");
                 } else {
                   response.status = 500;
                   response.content_type = "text/html";
                   response.body = "<!doctype html><title>500 Internal Server Error</title>";
                 }
               });
    router.Add("GET", "/api/2.0/mlflow-artifacts/artifacts",
               [this](const net::ServerRequest& request, net::ServerResponse& response) {
                 Record(request);
                 if (request.Query("path").value_or("") == "dir") {
                   // Sizes as strings, as proto JSON writes int64.
                   response.SetJson(200, R"({"files": [{"path": "there.txt", "is_dir": false,
                                           "file_size": "5"}]})");
                 } else {
                   response.SetJson(200, "{}");
                 }
               });
    net::ServerOptions options;
    options.port = 0;
    options.threads = 2;
    core::Result<std::unique_ptr<net::HttpServer>> server =
        net::HttpServer::Start(options, std::move(router));
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    if (server.ok()) server_ = std::move(*server);
  }
  ~FakeMlflow() {
    if (server_) {
      server_->Stop();
      server_->Wait();
    }
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  int file_gets() const { return file_gets_; }
  std::vector<std::string> authorizations() {
    std::lock_guard<std::mutex> lock(mu_);
    return authorizations_;
  }

 private:
  void Record(const net::ServerRequest& request) {
    std::lock_guard<std::mutex> lock(mu_);
    authorizations_.emplace_back(request.Header("authorization").value_or("<none>"));
  }

  std::unique_ptr<net::HttpServer> server_;
  std::atomic<int> file_gets_{0};
  std::mutex mu_;
  std::vector<std::string> authorizations_;
};

TEST(MlflowArtifactsStoreTest, MlflowsAnswerToAMissingFileIsNotFoundWithoutRetries) {
  FakeMlflow fake;
  std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
  blob::MlflowArtifactsOptions options;
  options.token = "tok-123";
  options.max_attempts = 5;
  options.retry_backoff = std::chrono::milliseconds(1);
  core::Result<std::unique_ptr<BlobStore>> store =
      blob::OpenMlflowArtifactsStore(fake.Url(), "", options, *env);
  ASSERT_TRUE(store.ok());
  core::Status status;
  Read(**store, "dir/gone.txt", &status);
  EXPECT_TRUE(status.IsNotFound()) << status.ToString();
  EXPECT_EQ(fake.file_gets(), 1);  // the listing showed no such file: no retry
  EXPECT_EQ(Read(**store, "dir/there.txt"), "there");
  core::Result<std::optional<BlobInfo>> stat = (*store)->Stat("dir/there.txt");
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  ASSERT_TRUE(stat->has_value());
  EXPECT_EQ((*stat)->size, 5u);
  // The bearer token went with every request.
  std::vector<std::string> seen = fake.authorizations();
  ASSERT_FALSE(seen.empty());
  for (const std::string& header : seen) EXPECT_EQ(header, "Bearer tok-123");
}

}  // namespace
}  // namespace cairn::server_test
