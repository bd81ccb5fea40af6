// `cairn server` as a user runs it: the built binary on a free port announces where it
// listens, answers /health and the API, and exits 0 on SIGTERM and SIGINT; `cairn server
// add-user` writes an htpasswd entry the server then accepts.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "core/strings.h"
#include "net/net.h"
#include "sys/temp_dir.h"
#include "testing/paths.h"

extern char** environ;

namespace cairn {
namespace {

// A `cairn server ...` process whose stderr is read until it says where it listens.
class ServerProcess {
 public:
  explicit ServerProcess(std::vector<std::string> args) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    std::string binary = testing::BinaryDir() + "/src/cli/cairn";
    args.insert(args.begin(), {binary, "server"});
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    err_fd_ = fds[0];
  }

  ~ServerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (err_fd_ >= 0) ::close(err_fd_);
  }

  /// Reads stderr until the "listening on" line (or `timeout`); the URL it names, or "".
  std::string WaitForUrl(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    constexpr std::string_view kMarker = "cairn server listening on ";
    while (std::chrono::steady_clock::now() < deadline) {
      if (size_t at = output_.find(kMarker); at != std::string::npos) {
        size_t end = output_.find('\n', at);
        if (end != std::string::npos) {
          return output_.substr(at + kMarker.size(), end - at - kMarker.size());
        }
      }
      pollfd fd{err_fd_, POLLIN, 0};
      if (::poll(&fd, 1, 100) <= 0) continue;
      char buffer[1024];
      ssize_t n = ::read(err_fd_, buffer, sizeof(buffer));
      if (n <= 0) break;  // the process exited
      output_.append(buffer, static_cast<size_t>(n));
    }
    return "";
  }

  /// Sends `signal` and waits for the exit; the exit code, or -1 when it did not exit normally
  /// within `timeout`.
  int StopWith(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    ::kill(pid_, signal);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      ::usleep(20'000);
    }
    return -1;
  }

  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int err_fd_ = -1;
  std::string output_;
};

int Status(net::HttpClient& http, const std::string& url, net::Headers headers = {}) {
  net::Request request;
  request.url = url;
  request.headers = std::move(headers);
  core::Result<net::Response> response = http.Send(request);
  return response.ok() ? response->status : -1;
}

TEST(ServerCmdTest, ServesOnAFreePortAndStopsOnSigterm) {
  core::Result<sys::TempDir> dir = sys::TempDir::Create("cairn-server-cmd-");
  ASSERT_TRUE(dir.ok());
  ServerProcess server({"--backend-store-uri", "sqlite:///" + dir->Path("mlflow.db"),
                        "--artifacts-destination", dir->Path("artifacts"), "--port", "0",
                        "--workers", "2"});
  std::string url = server.WaitForUrl();
  ASSERT_TRUE(url.starts_with("http://127.0.0.1:")) << server.output();
  core::Result<std::unique_ptr<net::HttpClient>> http = net::NewCurlHttpClient();
  ASSERT_TRUE(http.ok());
  EXPECT_EQ(Status(**http, url + "/health"), 200);
  EXPECT_EQ(Status(**http, url + "/api/2.0/mlflow/experiments/get?experiment_id=0"), 200);
  http->reset();  // an idle keep-alive connection would delay the stop
  EXPECT_EQ(server.StopWith(SIGTERM), 0) << server.output();
}

TEST(ServerCmdTest, StopsOnSigintAndRefusesABadStore) {
  core::Result<sys::TempDir> dir = sys::TempDir::Create("cairn-server-cmd-");
  ASSERT_TRUE(dir.ok());
  {
    ServerProcess server({"--backend-store-uri", "sqlite:///" + dir->Path("mlflow.db"),
                          "--no-serve-artifacts", "-p", "0"});
    ASSERT_FALSE(server.WaitForUrl().empty()) << server.output();
    EXPECT_EQ(server.StopWith(SIGINT), 0) << server.output();
  }
  ServerProcess bad({"--backend-store-uri", dir->Path("not-a-uri-store"), "--port", "0"});
  EXPECT_EQ(bad.WaitForUrl(std::chrono::seconds(5)), "");
  EXPECT_GT(bad.StopWith(0), 0) << bad.output();  // a usage error (2) or a failure (1)
  EXPECT_NE(bad.output().find("cairn: error:"), std::string::npos) << bad.output();
}

TEST(ServerCmdTest, AddUserThenAuthenticate) {
  core::Result<sys::TempDir> dir = sys::TempDir::Create("cairn-server-cmd-");
  ASSERT_TRUE(dir.ok());
  std::string auth_file = dir->Path("users.htpasswd");
  std::string command = testing::BinaryDir() + "/src/cli/cairn server add-user --auth-file " +
                        auth_file + " ann >/dev/null 2>&1";
  FILE* pipe = ::popen(command.c_str(), "w");
  ASSERT_NE(pipe, nullptr);
  std::fputs("pa55word\n", pipe);
  ASSERT_EQ(::pclose(pipe), 0);

  ServerProcess server({"--backend-store-uri", "sqlite:///" + dir->Path("mlflow.db"), "--auth-file",
                        auth_file, "--port", "0"});
  std::string url = server.WaitForUrl();
  ASSERT_FALSE(url.empty()) << server.output();
  core::Result<std::unique_ptr<net::HttpClient>> http = net::NewCurlHttpClient();
  ASSERT_TRUE(http.ok());
  std::string api = url + "/api/2.0/mlflow/experiments/get?experiment_id=0";
  EXPECT_EQ(Status(**http, url + "/health"), 200);
  EXPECT_EQ(Status(**http, api), 401);
  EXPECT_EQ(Status(**http, api, {{"Authorization", "Basic " + core::Base64Encode("ann:pa55word")}}),
            200);
  http->reset();
  EXPECT_EQ(server.StopWith(SIGTERM), 0) << server.output();
}

}  // namespace
}  // namespace cairn
