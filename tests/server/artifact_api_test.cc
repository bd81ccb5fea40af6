// The artifact proxy over HTTP (../shared/reference/mlflow-api.md section 8): upload, list,
// download, delete; every form of path escape refused; multipart 501; 503 when artifacts are
// not served; and the run listing of the tracking API over the same files.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "server/api_server.h"
#include "sys/env.h"

namespace cairn::server_test {
namespace {

constexpr std::string_view kArtifacts = "/api/2.0/mlflow-artifacts/artifacts";

std::string Under(std::string_view path) {
  return std::string(kArtifacts) + "/" + std::string(path);
}

TEST(ArtifactApiTest, UploadListDownloadDelete) {
  ApiServer& api = ApiServer::Shared();
  std::string base = UniqueName();
  // Any content type, or none.
  Reply reply = api.Send("PUT", Under(base + "/docs/hello.txt"), "hello\n");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.body, "{}");
  reply = api.Send("PUT", Under(base + "/model.bin"), std::string("\0\1\2", 3),
                   {{"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(reply.status, 200) << reply;
  // The file is where the destination says.
  std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
  EXPECT_EQ(env->ReadFile(api.config().artifacts_destination + "/" + base + "/docs/hello.txt")
                .value_or(""),
            "hello\n");

  reply = api.Send("GET", Under(base + "/docs/hello.txt"));
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.body, "hello\n");
  EXPECT_EQ(reply.Header("content-type").substr(0, 10), "text/plain");
  EXPECT_EQ(reply.Header("content-disposition"), "attachment; filename=hello.txt");
  EXPECT_EQ(reply.Header("x-content-type-options"), "nosniff");
  reply = api.Send("GET", Under(base + "/model.bin"));
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.body, std::string("\0\1\2", 3));

  // Listing: basenames, file_size for files only.
  reply = api.Send("GET", std::string(kArtifacts) + "?path=" + core::PercentEncode(base));
  ASSERT_EQ(reply.status, 200) << reply;
  ASSERT_EQ(reply.Size("files"), 2u) << reply;
  EXPECT_EQ(reply.Str("files[0].path"), "docs");
  EXPECT_TRUE(reply.Find("files[0].is_dir")->AsBool());
  EXPECT_FALSE(reply.Has("files[0].file_size"));
  EXPECT_EQ(reply.Str("files[1].path"), "model.bin");
  EXPECT_FALSE(reply.Find("files[1].is_dir")->AsBool());
  EXPECT_EQ(reply.Int("files[1].file_size"), 3);
  reply = api.Send("GET", std::string(kArtifacts) + "?path=" + core::PercentEncode(base + "/docs"));
  ASSERT_EQ(reply.Size("files"), 1u) << reply;
  EXPECT_EQ(reply.Str("files[0].path"), "hello.txt");
  reply = api.Send("GET", std::string(kArtifacts) + "?path=no/such/dir");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.body, "{}");

  // Overwrite, then delete a file and a directory.
  ASSERT_EQ(api.Send("PUT", Under(base + "/docs/hello.txt"), "bye").status, 200);
  EXPECT_EQ(api.Send("GET", Under(base + "/docs/hello.txt")).body, "bye");
  reply = api.Send("DELETE", Under(base + "/model.bin"));
  ASSERT_EQ(reply.status, 200) << reply;
  reply = api.Send("GET", Under(base + "/model.bin"));
  EXPECT_EQ(reply.status, 404) << reply;  // MLflow answers 500
  EXPECT_EQ(reply.error_code(), "RESOURCE_DOES_NOT_EXIST");
  ASSERT_EQ(api.Send("DELETE", Under(base + "/docs")).status, 200);
  reply = api.Send("GET", std::string(kArtifacts) + "?path=" + core::PercentEncode(base));
  EXPECT_EQ(reply.body, "{}") << reply;
  // A directory is not a file to download.
  ASSERT_EQ(api.Send("PUT", Under(base + "/d/f"), "x").status, 200);
  EXPECT_EQ(api.Send("GET", Under(base + "/d")).status, 404);
  // Uploads that collide with what is there are the client's mistake: 400, not 500.
  EXPECT_EQ(api.Send("PUT", Under(base + "/d"), "x").status, 400);
  EXPECT_EQ(api.Send("PUT", Under(base + "/d/f/g"), "x").status, 400);
}

TEST(ArtifactApiTest, EveryPathEscapeIsRefused) {
  ApiServer& api = ApiServer::Shared();
  // Something outside the destination that must stay out of reach.
  ASSERT_EQ(api.Send("PUT", Under("inside.txt"), "in").status, 200);
  for (std::string_view path :
       {"..%2F..%2Fetc%2Fpasswd", "%2e%2e/%2e%2e/etc/passwd", "%2E%2E%2Fsecret",
        "%252e%252e%252fsecret", "a/..%2F..%2Fb", "foo/%2e%2e/%2e%2e/bar", "%2Fetc%2Fpasswd",
        "/etc/passwd", "a%5C..%5C..%5Cb", "a%00b", "file%3A%2F%2F%2Fetc%2Fpasswd",
        "file:/etc/passwd", "s3:%2F%2Fbucket%2Fkey", "C:%5Cwindows"}) {
    for (std::string_view method : {"GET", "PUT", "DELETE"}) {
      Reply reply = api.Send(method, Under(path), method == "PUT" ? "x" : "");
      EXPECT_EQ(reply.status, 400) << method << " " << path << ": " << reply;
      EXPECT_EQ(reply.error_code(), "INVALID_PARAMETER_VALUE") << method << " " << path;
      EXPECT_EQ(reply.Str("message"), "Invalid path") << method << " " << path;
    }
  }
  // Literal dot segments: refused, whether or not the server folds them first.
  Reply reply = api.Send("GET", Under("a/../../etc/passwd"));
  EXPECT_TRUE(reply.status == 400 || reply.status == 404) << reply;
  // The list's path too.
  for (std::string_view query : {"..", "../x", "%2e%2e", "/etc", "a/../..", "file:/etc"}) {
    reply = api.Send("GET", std::string(kArtifacts) + "?path=" + std::string(query));
    EXPECT_EQ(reply.status, 400) << query << ": " << reply;
  }
  // Multipart upload: not for this backend.
  reply = api.Send("POST", "/api/2.0/mlflow-artifacts/mpu/create/a/b.bin",
                   R"({"path": "a/b.bin", "num_parts": 2})", ApiServer::JsonHeaders());
  EXPECT_EQ(reply.status, 501) << reply;
  EXPECT_EQ(reply.error_code(), "NOT_IMPLEMENTED");
  for (std::string_view action : {"complete", "abort"}) {
    reply = api.Send("POST", fmt::format("/api/2.0/mlflow-artifacts/mpu/{}/a/b.bin", action),
                     R"({"path": "a/b.bin", "upload_id": "u"})", ApiServer::JsonHeaders());
    EXPECT_EQ(reply.status, 501) << reply;
  }
  reply = api.Send("POST", "/api/2.0/mlflow-artifacts/mpu/create/..%2Fx", "{}",
                   ApiServer::JsonHeaders());
  EXPECT_EQ(reply.status, 400) << reply;
}

TEST(ArtifactApiTest, RunArtifactListThroughTheTrackingApi) {
  ApiServer& api = ApiServer::Shared();
  Reply reply =
      api.Post("/mlflow/experiments/create", fmt::format(R"({{"name": {}}})", Q(UniqueName())));
  std::string exp = reply.Str("experiment_id");
  reply = api.Post("/mlflow/runs/create", fmt::format(R"({{"experiment_id": {}}})", Q(exp)));
  ASSERT_EQ(reply.status, 200) << reply;
  std::string run_id = reply.Str("run.info.run_id");
  std::string root = fmt::format("{}/{}/artifacts", exp, run_id);
  ASSERT_EQ(api.Send("PUT", Under(root + "/docs/hello.txt"), "hello").status, 200);
  ASSERT_EQ(api.Send("PUT", Under(root + "/top.txt"), "top!").status, 200);

  reply = api.Get("/mlflow/artifacts/list?run_id=" + run_id);
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.Str("root_uri"), "mlflow-artifacts:/" + root);
  ASSERT_EQ(reply.Size("files"), 2u) << reply;
  EXPECT_EQ(reply.Str("files[0].path"), "docs");
  EXPECT_TRUE(reply.Find("files[0].is_dir")->AsBool());
  EXPECT_FALSE(reply.Has("files[0].file_size"));
  EXPECT_EQ(reply.Str("files[1].path"), "top.txt");
  EXPECT_EQ(reply.Int("files[1].file_size"), 4);

  // Paths relative to the run's root, unlike the proxy's basenames.
  reply = api.Get("/mlflow/artifacts/list?run_id=" + run_id + "&path=docs");
  ASSERT_EQ(reply.status, 200) << reply;
  ASSERT_EQ(reply.Size("files"), 1u) << reply;
  EXPECT_EQ(reply.Str("files[0].path"), "docs/hello.txt");
  EXPECT_EQ(reply.Int("files[0].file_size"), 5);

  reply = api.Get("/mlflow/artifacts/list?run_id=" + run_id + "&path=..%2F..");
  EXPECT_EQ(reply.status, 400) << reply;
  reply = api.Get("/mlflow/artifacts/list?run_id=" + run_id + "&path=nothing");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_FALSE(reply.Has("files"));
  reply = api.Get("/mlflow/artifacts/list?run_id=0123456789abcdef0123456789abcdef");
  EXPECT_EQ(reply.status, 404) << reply;
}

TEST(ArtifactApiTest, RunInALocalDirectoryIsListedFromIt) {
  ApiServer& api = ApiServer::Shared();
  std::string dir = api.Path(UniqueName());
  Reply reply =
      api.Post("/mlflow/experiments/create",
               fmt::format(R"({{"name": {}, "artifact_location": {}}})", Q(UniqueName()), Q(dir)));
  std::string exp = reply.Str("experiment_id");
  reply = api.Post("/mlflow/runs/create", fmt::format(R"({{"experiment_id": {}}})", Q(exp)));
  std::string run_id = reply.Str("run.info.run_id");
  ASSERT_EQ(reply.Str("run.info.artifact_uri"), dir + "/" + run_id + "/artifacts");
  std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
  ASSERT_TRUE(env->CreateDirs(dir + "/" + run_id + "/artifacts/sub").ok());
  ASSERT_TRUE(env->WriteFile(dir + "/" + run_id + "/artifacts/a.txt", "abc").ok());

  reply = api.Get("/mlflow/artifacts/list?run_id=" + run_id);
  ASSERT_EQ(reply.status, 200) << reply;
  ASSERT_EQ(reply.Size("files"), 2u) << reply;
  EXPECT_EQ(reply.Str("files[0].path"), "a.txt");
  EXPECT_EQ(reply.Int("files[0].file_size"), 3);
  EXPECT_EQ(reply.Str("files[1].path"), "sub");
  EXPECT_TRUE(reply.Find("files[1].is_dir")->AsBool());
}

TEST(ArtifactApiTest, NotServingArtifactsIs503PlainText) {
  ApiServer api([](server::ServerConfig& config) { config.serve_artifacts = false; });
  ASSERT_TRUE(api.ok());
  for (auto [method, target] : std::initializer_list<std::pair<std::string_view, std::string>>{
           {"GET", Under("a.txt")},
           {"PUT", Under("a.txt")},
           {"DELETE", Under("a.txt")},
           {"GET", std::string(kArtifacts)},
           {"POST", "/api/2.0/mlflow-artifacts/mpu/create/a.txt"}}) {
    Reply reply = api.Send(method, target, "", ApiServer::JsonHeaders());
    EXPECT_EQ(reply.status, 503) << method << " " << target;
    EXPECT_EQ(reply.Header("content-type").substr(0, 10), "text/plain") << method << " " << target;
  }
  // Experiments then live under ./mlruns (made absolute), not mlflow-artifacts:.
  Reply reply = api.Get("/mlflow/experiments/get?experiment_id=0");
  ASSERT_EQ(reply.status, 200) << reply;
  std::string location = reply.Str("experiment.artifact_location");
  EXPECT_TRUE(location.starts_with("/")) << location;
  EXPECT_TRUE(location.ends_with("/mlruns/0")) << location;
}

}  // namespace
}  // namespace cairn::server_test
