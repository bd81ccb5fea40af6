// ApiServer: a cairn server started in-process on a free loopback port, over a fresh SQLite
// database and artifacts directory in a temporary directory, and an HTTP client that talks to
// it as MLflow's clients do. Reply wraps an answer with accessors for its JSON body by path
// ("run.info.status", "files[0].path").
//
// Header-only: tests/<m>/ only compiles *_test.cc files. ApiServer::Shared() is one server
// for every test of the binary (tests use names of their own); tests that need another
// configuration start their own.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/json.h"
#include "core/strings.h"
#include "net/net.h"
#include "server/server.h"
#include "sys/temp_dir.h"

namespace cairn::server_test {

struct Reply {
  int status = 0;
  std::string body;
  net::Headers headers;
  core::Value json;  // the body parsed, when it is JSON (else null)

  std::string Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (core::EqualsIgnoreCase(key, name)) return value;
    }
    return "";
  }

  /// The node at `path` ("a.b[2].c"), or null when there is none.
  const core::Value* Find(std::string_view path) const {
    const core::Value* node = &json;
    for (std::string_view part : core::Split(path, '.')) {
      std::string_view name = part;
      int index = -1;
      if (size_t open = part.find('['); open != std::string_view::npos) {
        name = part.substr(0, open);
        index = std::stoi(std::string(part.substr(open + 1)));
      }
      if (!name.empty()) {
        node = node->Find(name);
        if (node == nullptr) return nullptr;
      }
      if (index >= 0) {
        if (!node->is_sequence() || static_cast<size_t>(index) >= node->items().size()) {
          return nullptr;
        }
        node = &node->items()[static_cast<size_t>(index)];
      }
    }
    return node;
  }
  bool Has(std::string_view path) const { return Find(path) != nullptr; }
  /// The string at `path`, or "<absent>" / "<not a string>".
  std::string Str(std::string_view path) const {
    const core::Value* node = Find(path);
    if (node == nullptr) return "<absent>";
    return node->is_string() ? node->AsString() : "<not a string: " + core::ToJson(*node) + ">";
  }
  /// The integer at `path` when it is a JSON integer number (not a string), else -999.
  int64_t Int(std::string_view path) const {
    const core::Value* node = Find(path);
    if (node == nullptr || !node->is_number()) return -999;
    return node->AsInt64().value_or(-999);
  }
  /// The number at `path`, or NaN when there is none.
  double Num(std::string_view path) const {
    const core::Value* node = Find(path);
    return node == nullptr || !node->is_number() ? std::nan("") : node->AsDouble();
  }
  size_t Size(std::string_view path) const {
    const core::Value* node = Find(path);
    return node == nullptr ? 0 : node->size();
  }
  std::string error_code() const { return Str("error_code"); }
};

inline std::ostream& operator<<(std::ostream& out, const Reply& reply) {
  return out << reply.status << " " << reply.body;
}

class ApiServer {
 public:
  /// `configure` adjusts the config before the start (paths are already set).
  explicit ApiServer(const std::function<void(server::ServerConfig&)>& configure = {}) {
    core::Result<sys::TempDir> dir = sys::TempDir::Create("cairn-server-test-");
    EXPECT_TRUE(dir.ok()) << dir.status().ToString();
    dir_ = std::make_unique<sys::TempDir>(std::move(*dir));
    config_.backend_store_uri = "sqlite:///" + dir_->Path("mlflow.db");
    config_.artifacts_destination = dir_->Path("mlartifacts");
    config_.default_artifact_root = "";
    config_.host = "127.0.0.1";
    config_.port = 0;
    config_.workers = 4;
    if (configure) configure(config_);
    core::Result<std::unique_ptr<server::Server>> started = server::StartServer(config_);
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    if (started.ok()) server_ = std::move(*started);
    core::Result<std::unique_ptr<net::HttpClient>> client = net::NewCurlHttpClient();
    EXPECT_TRUE(client.ok());
    if (client.ok()) client_ = std::move(*client);
  }

  ~ApiServer() {
    client_.reset();  // closes its keep-alive connections, which would delay Wait()
    if (server_) {
      server_->Stop();
      server_->Wait();
    }
  }

  /// One server for the whole test binary.
  static ApiServer& Shared() {
    static ApiServer* shared = new ApiServer();  // lives until exit
    return *shared;
  }

  bool ok() const { return server_ != nullptr && client_ != nullptr; }
  const server::ServerConfig& config() const { return config_; }
  std::string Path(std::string_view relative) const { return dir_->Path(relative); }
  std::string Url(std::string_view target) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + std::string(target);
  }

  Reply Send(std::string_view method, std::string_view target, std::string body = "",
             net::Headers headers = {}) {
    Reply reply;
    if (!ok()) return reply;
    net::Request request;
    request.method = std::string(method);
    request.url = Url(target);
    request.body = std::move(body);
    request.headers = std::move(headers);
    core::Result<net::Response> response = client_->Send(request);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    if (!response.ok()) return reply;
    reply.status = response->status;
    reply.body = std::move(response->body);
    reply.headers = std::move(response->headers);
    if (reply.Header("content-type").starts_with("application/json")) {
      core::Result<core::Value> json = core::ParseJson(reply.body, "response");
      EXPECT_TRUE(json.ok()) << json.status().ToString() << "\n" << reply.body;
      if (json.ok()) reply.json = std::move(*json);
    }
    return reply;
  }

  /// `target` under /api/2.0 ("/mlflow/runs/get?run_id=...").
  Reply Get(std::string_view target) { return Send("GET", Api(target)); }
  Reply Post(std::string_view target, std::string json) {
    return Send("POST", Api(target), std::move(json), JsonHeaders());
  }
  Reply Patch(std::string_view target, std::string json) {
    return Send("PATCH", Api(target), std::move(json), JsonHeaders());
  }
  Reply Delete(std::string_view target, std::string json = "") {
    net::Headers headers = json.empty() ? net::Headers{} : JsonHeaders();
    return Send("DELETE", Api(target), std::move(json), std::move(headers));
  }

  static std::string Api(std::string_view target) { return "/api/2.0" + std::string(target); }
  static net::Headers JsonHeaders() { return {{"Content-Type", "application/json"}}; }

 private:
  std::unique_ptr<sys::TempDir> dir_;
  server::ServerConfig config_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<net::HttpClient> client_;
};

/// A JSON string literal of `text`.
inline std::string Q(std::string_view text) {
  return core::ToJson(core::Value::String(std::string(text)));
}

/// A name unique to the running test ("Suite.Test" + suffix).
inline std::string UniqueName(std::string_view suffix = "") {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string(info->test_suite_name()) + "." + info->name() + std::string(suffix);
}

}  // namespace cairn::server_test
