// Crash safety of `cairn server`: kill -9 while a client streams log-batch calls; after a
// restart every metric the server acknowledged (HTTP 200) is there, and SQLite's own
// integrity check passes. Runs the built binary, as a user would.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "core/json.h"
#include "db/db.h"
#include "net/net.h"
#include "sys/temp_dir.h"
#include "testing/paths.h"

namespace cairn {
namespace {

using namespace std::chrono_literals;

// A `cairn server` child process on a free port, its stderr in a file.
class ServerProcess {
 public:
  ServerProcess(const std::string& dir, const std::string& db) {
    std::string log = dir + "/server.log";
    pid_ = ::fork();
    if (pid_ == 0) {
      std::freopen(log.c_str(), "w", stderr);
      std::string bin = testing::BinaryDir() + "/src/cli/cairn";
      ::execl(bin.c_str(), bin.c_str(), "server", "--backend-store-uri",
              ("sqlite:///" + db).c_str(), "--artifacts-destination", (dir + "/art").c_str(),
              "--port", "0", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 200 && url_.empty(); ++i) {
      std::this_thread::sleep_for(50ms);
      std::ifstream in(log);
      std::stringstream text;
      text << in.rdbuf();
      std::string s = text.str();
      size_t at = s.find("http://");
      if (at != std::string::npos) {
        size_t end = s.find_first_of(" \n", at);
        if (end != std::string::npos) url_ = s.substr(at, end - at);
      }
    }
  }
  ~ServerProcess() { Kill(SIGKILL); }

  const std::string& url() const { return url_; }
  void Kill(int sig) {
    if (pid_ > 0) {
      ::kill(pid_, sig);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

 private:
  pid_t pid_ = -1;
  std::string url_;
};

core::Result<net::Response> Post(net::HttpClient& http, const std::string& url,
                                 const std::string& path, const std::string& body) {
  net::Request req;
  req.method = "POST";
  req.url = url + "/api/2.0/mlflow/" + path;
  req.headers = {{"Content-Type", "application/json"}};
  req.body = body;
  return http.Send(req);
}

std::string Field(const std::string& json, std::initializer_list<const char*> path) {
  auto v = core::ParseJson(json, "response");
  if (!v.ok()) return "";
  const core::Value* at = &*v;
  for (const char* key : path) {
    at = at->Find(key);
    if (at == nullptr) return "";
  }
  return at->is_string() ? at->AsString() : at->raw();
}

TEST(ServerCrashTest, AcknowledgedMetricsSurviveKill9) {
  auto dir = sys::TempDir::Create("cairn-crash");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  std::string db = dir->path() + "/mlflow.db";
  auto http = net::NewCurlHttpClient();
  ASSERT_TRUE(http.ok());

  std::string run_id;
  std::set<int64_t> acked;  // steps the server acknowledged
  {
    ServerProcess server(dir->path(), db);
    ASSERT_FALSE(server.url().empty()) << "the server did not start";
    auto created = Post(**http, server.url(), "runs/create", R"({"experiment_id":"0"})");
    ASSERT_TRUE(created.ok() && created->status == 200);
    run_id = Field(created->body, {"run", "info", "run_id"});
    ASSERT_EQ(run_id.size(), 32u);

    // Stream batches of 50 points from two threads; kill -9 the server mid-stream.
    std::atomic<bool> stop{false};
    std::mutex mu;
    auto stream = [&](int64_t first_batch) {
      for (int64_t batch = first_batch;; batch += 2) {
        std::string body = R"({"run_id":")" + run_id + R"(","metrics":[)";
        for (int i = 0; i < 50; ++i) {
          int64_t step = batch * 50 + i;
          if (i) body += ',';
          body += R"({"key":"loss","value":)" + std::to_string(step % 97) +
                  R"(,"timestamp":1700000000000,"step":)" + std::to_string(step) + "}";
        }
        body += "]}";
        auto r = Post(**http, server.url(), "runs/log-batch", body);
        if (!r.ok() || r->status != 200) return;  // the server is gone
        std::lock_guard lock(mu);
        for (int i = 0; i < 50; ++i) acked.insert(batch * 50 + i);
        if (stop) return;
      }
    };
    std::thread a(stream, 0), b(stream, 1);
    std::this_thread::sleep_for(700ms);
    server.Kill(SIGKILL);
    stop = true;
    a.join();
    b.join();
  }
  ASSERT_GT(acked.size(), 100u) << "too few batches before the kill to test anything";

  {
    ServerProcess server(dir->path(), db);
    ASSERT_FALSE(server.url().empty()) << "the server did not restart on the killed database";
    net::Request req;
    req.url =
        server.url() + "/api/2.0/mlflow/metrics/get-history?run_id=" + run_id + "&metric_key=loss";
    auto r = (*http)->Send(req);
    ASSERT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
    auto history = core::ParseJson(r->body, "get-history");
    ASSERT_TRUE(history.ok());
    std::set<int64_t> stored;
    if (const core::Value* metrics = history->Find("metrics")) {
      for (const core::Value& m : metrics->items()) stored.insert(*m.Find("step")->AsInt64());
    }
    for (int64_t step : acked) {
      ASSERT_TRUE(stored.count(step)) << "acknowledged step " << step << " was lost";
    }
    // Whole batches or nothing: a batch is one transaction.
    for (int64_t step : stored) EXPECT_TRUE(stored.count(step - step % 50)) << step;
  }

  auto conn = db::OpenSqlite(db, db::SqliteOptions{.read_only = true});
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto check = (*conn)->Prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check.ok());
  auto row = check->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(check->ColumnText(0), "ok");
}

}  // namespace
}  // namespace cairn
