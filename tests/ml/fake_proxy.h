// FakeProxy: the artifact proxy of an MLflow tracking server, in memory, on a free loopback
// port, for tests of mlflow-artifacts: URIs (ml may not link the server module).
//
// Header-only: tests/<m>/ only compiles *_test.cc files.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/strings.h"
#include "net/server.h"

namespace cairn::ml {

// The artifact proxy of an MLflow tracking server, in memory: files by path, listings one
// directory level with basenames, {} for none, 500 for a GET of a missing file (as MLflow),
// and basic authentication of one user.
class FakeProxy {
 public:
  FakeProxy() {
    net::Router router;
    constexpr std::string_view kBase = "/api/2.0/mlflow-artifacts/artifacts";
    router.Add("PUT", std::string(kBase) + "/{path...}",
               [this](const net::ServerRequest& request, net::ServerResponse& response) {
                 std::lock_guard<std::mutex> lock(mu_);
                 files_[request.path_params.back()] = request.body;
                 response.SetJson(200, "{}");
               });
    router.Add("GET", std::string(kBase) + "/{path...}",
               [this](const net::ServerRequest& request, net::ServerResponse& response) {
                 std::lock_guard<std::mutex> lock(mu_);
                 auto it = files_.find(request.path_params.back());
                 if (it == files_.end()) {
                   response.SetText(500, "Internal Server Error");
                   return;
                 }
                 response.content_type = "application/octet-stream";
                 response.body = it->second;
               });
    router.Add(
        "GET", kBase, [this](const net::ServerRequest& request, net::ServerResponse& response) {
          std::lock_guard<std::mutex> lock(mu_);
          std::string dir(request.Query("path").value_or(""));
          std::string prefix = dir.empty() ? "" : dir + "/";
          std::map<std::string, std::string> entries;  // name -> JSON
          for (const auto& [path, data] : files_) {
            if (!path.starts_with(prefix)) continue;
            std::string rest = path.substr(prefix.size());
            size_t slash = rest.find('/');
            if (slash == std::string::npos) {
              entries[rest] = "{\"path\": \"" + rest + "\", \"is_dir\": false, \"file_size\": " +
                              std::to_string(data.size()) + "}";
            } else {
              std::string name = rest.substr(0, slash);
              entries[name] = "{\"path\": \"" + name + "\", \"is_dir\": true}";
            }
          }
          if (entries.empty()) return response.SetJson(200, "{}");
          std::vector<std::string> items;
          for (const auto& [name, json] : entries) items.push_back(json);
          response.SetJson(200, "{\"files\": [" + core::Join(items, ", ") + "]}");
        });
    net::ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.authenticate = [](net::ServerRequest& request, net::ServerResponse& response) {
      if (request.Header("authorization").value_or("") ==
          "Basic " + core::Base64Encode("ann:s3cret")) {
        return true;
      }
      response.SetText(401, "You are not authenticated.");
      return false;
    };
    core::Result<std::unique_ptr<net::HttpServer>> server =
        net::HttpServer::Start(options, std::move(router));
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    if (server.ok()) server_ = std::move(*server);
  }
  ~FakeProxy() {
    if (server_) {
      server_->Stop();
      server_->Wait();
    }
  }

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  std::vector<std::string> Paths() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& [path, data] : files_) out.push_back(path);
    return out;
  }

 private:
  std::unique_ptr<net::HttpServer> server_;
  std::mutex mu_;
  std::map<std::string, std::string> files_;
};

}  // namespace cairn::ml
