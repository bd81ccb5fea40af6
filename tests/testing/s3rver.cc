#include "testing/s3rver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "core/strings.h"
#include "testing/paths.h"

namespace cairn::testing {
namespace {

using namespace std::chrono_literals;

constexpr auto kStartTimeout = 60s;
constexpr std::string_view kListening = "S3rver listening on ";

// sh -c <this> <node> <args...>: runs the server, and kills it when our process is gone.
constexpr const char* kWatchdog =
    "\"$0\" \"$@\" & server=$!\n"
    "while kill -0 \"$PPID\" 2>/dev/null && kill -0 \"$server\" 2>/dev/null; do sleep 1; done\n"
    "kill \"$server\" 2>/dev/null\n"
    "wait \"$server\"\n";

bool AcceptsConnections(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

core::Result<std::unique_ptr<S3rver>> S3rver::Start(const std::vector<std::string>& buckets) {
  std::filesystem::path source = SourceDir();
  std::string node = (source / ".deps/bin/node").string();
  std::string s3rver = (source / "tests/node_modules/.bin/s3rver").string();
  for (const std::string& path : {node, s3rver}) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      return core::Status::NotFound("'" + path +
                                    "' is missing: the S3 tests need s3rver\nhint: run "
                                    "scripts/deps.sh test");
    }
  }
  CAIRN_ASSIGN_OR_RETURN(sys::TempDir dir, sys::TempDir::Create("cairn-s3rver-"));
  std::unique_ptr<S3rver> server(new S3rver(std::move(dir)));

  // s3rver's continuation tokens are DES-encrypted, which OpenSSL 3 (Node >= 17) only offers in
  // its legacy provider: without it, every truncated ListObjectsV2 answers InternalError.
  std::vector<std::string> command = {node,
                                      "--openssl-legacy-provider",
                                      s3rver,
                                      "-d",
                                      server->data_dir(),
                                      "-a",
                                      "127.0.0.1",
                                      "-p",
                                      "0",
                                      "--silent"};
  for (const std::string& bucket : buckets) {
    command.push_back("--configure-bucket");
    command.push_back(bucket);
  }
  // A test binary that crashes never runs ~S3rver: this shell, in the same process group,
  // ends the server once the process that started it is gone.
  sys::SubprocessOptions options;
  options.argv = {"/bin/sh", "-c", kWatchdog};
  options.argv.insert(options.argv.end(), command.begin(), command.end());
  options.merge_stderr = true;
  options.kill_grace = 2000ms;
  CAIRN_ASSIGN_OR_RETURN(server->process_, sys::Subprocess::Start(options));

  S3rver* self = server.get();
  server->waiter_ = std::thread([self] {
    auto on_line = [self](std::string_view line) {
      std::lock_guard lock(self->mu_);
      self->output_.emplace_back(line);
      if (size_t at = line.find(kListening); at != std::string_view::npos) {
        std::string_view address = line.substr(at + kListening.size());
        std::optional<int64_t> port = core::ParseInt64(address.substr(address.rfind(':') + 1));
        if (port) self->listening_port_ = static_cast<int>(*port);
      }
      self->cv_.notify_all();
    };
    (void)self->process_->Wait(on_line, on_line);
    std::lock_guard lock(self->mu_);
    self->exited_ = true;
    self->cv_.notify_all();
  });

  {
    std::unique_lock lock(server->mu_);
    server->cv_.wait_for(lock, kStartTimeout,
                         [&] { return server->listening_port_.has_value() || server->exited_; });
    if (!server->listening_port_) {
      std::string output = core::Join(server->output_, "\n");
      lock.unlock();
      return core::Status::Unavailable(
          std::string(server->exited_ ? "s3rver exited" : "s3rver did not start in time") +
          "; its output:\n" + output);
    }
    server->port_ = *server->listening_port_;
  }
  // It prints the line once listening; make sure.
  for (auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
       !AcceptsConnections(server->port_);) {
    if (std::chrono::steady_clock::now() > deadline) {
      return core::Status::Unavailable("s3rver does not accept connections on port " +
                                       std::to_string(server->port_) + "; its output:\n" +
                                       server->Output());
    }
    std::this_thread::sleep_for(20ms);
  }
  return server;
}

S3rver::~S3rver() {
  if (process_) process_->Cancel();
  if (waiter_.joinable()) waiter_.join();
  process_.reset();  // kills what is left of the group and reaps it
}

std::string S3rver::Output() const {
  std::lock_guard lock(mu_);
  return core::Join(output_, "\n");
}

}  // namespace cairn::testing
