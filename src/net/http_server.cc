// HttpServer (server.h) over cpp-httplib 0.11: httplib parses HTTP and runs the connections on
// its thread pool; every method reaches one catch-all handler per method, which builds a
// ServerRequest, authenticates it, lets the Router dispatch it and writes the ServerResponse
// back. httplib's own answers (malformed request, body too large, ...) are turned into
// MLflow's JSON error by its error handler.
//
// Things httplib 0.11 does that we undo: its default socket options set SO_REUSEPORT (two
// servers could then share a port silently), so we set SO_REUSEADDR only; it listens with a
// backlog of 5, so we listen again with SOMAXCONN; it closes a keep-alive connection after 5
// requests, so we raise that; it applies Range headers to every response (slicing bodies, even
// errors) and compresses bodies when the client accepts gzip or br, so the handler clears the
// parsed ranges and the Accept-Encoding before httplib writes the response (handlers still see
// both headers). TCP_NODELAY is on: httplib writes the head and the body in separate writes.
//
// Thread safety: Stop() and Wait() may be called from any thread; handlers run on the worker
// threads.
#include <fcntl.h>
#include <fmt/format.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "core/strings.h"
#include "net/server.h"

namespace cairn::net {
namespace {

using Clock = std::chrono::steady_clock;

// Marks a response that our handler wrote, so httplib's error handler leaves it alone.
constexpr char kAnsweredHeader[] = "X-Cairn-Answered";
// Connections are closed (and reopened by the client) after this many requests.
constexpr size_t kKeepAliveMaxCount = 100'000;
constexpr size_t kFileChunk = 64 * 1024;

// The percent-decoded text, or the text as is when it holds a malformed escape.
std::string Decode(std::string_view raw, bool plus_is_space) {
  if (raw.find('%') == std::string_view::npos &&
      (!plus_is_space || raw.find('+') == std::string_view::npos)) {
    return std::string(raw);
  }
  std::optional<std::string> decoded = core::PercentDecode(raw, plus_is_space);
  return decoded ? std::move(*decoded) : std::string(raw);
}

// The path part of a request target ("/a%20b?x=1" -> "/a%20b"); an absolute-form target
// ("http://host/a") gives its path.
std::string_view TargetPath(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (!path.starts_with('/')) {
    if (size_t scheme = path.find("://"); scheme != std::string_view::npos) {
      size_t slash = path.find('/', scheme + 3);
      path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
    }
  }
  return path;
}

void ParseQuery(std::string_view target, std::vector<std::pair<std::string, std::string>>& out) {
  size_t question = target.find('?');
  if (question == std::string_view::npos) return;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    out.emplace_back(Decode(name, true), Decode(value, true));
  }
}

// The request's head as a ServerRequest (no body), for httplib's own error answers too.
ServerRequest RequestHead(const httplib::Request& req) {
  ServerRequest request;
  request.method = req.method;
  request.raw_path = std::string(TargetPath(req.target));
  request.path = Decode(request.raw_path, false);
  ParseQuery(req.target, request.query);
  request.headers.reserve(req.headers.size());
  for (const auto& [name, value] : req.headers) {
    request.headers.emplace_back(core::ToLower(name), value);
  }
  request.remote_addr = req.remote_addr;
  return request;
}

// An open file closed with the last copy of the content provider that reads it.
struct OpenFile {
  explicit OpenFile(int f) : fd(f) {}
  ~OpenFile() { ::close(fd); }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  int fd;
};

Result<std::pair<std::shared_ptr<OpenFile>, uint64_t>> OpenForStreaming(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string message = fmt::format("cannot open '{}': {}", path, std::strerror(err));
    return err == ENOENT ? Status::NotFound(std::move(message))
                         : Status::IoError(std::move(message));
  }
  auto file = std::make_shared<OpenFile>(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return Status::IoError(fmt::format("cannot stat '{}': {}", path, std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(fmt::format("'{}' is not a regular file", path));
  }
  return std::make_pair(std::move(file), static_cast<uint64_t>(st.st_size));
}

// The MLflow error code for an answer httplib wrote itself, and what to tell the client.
std::pair<core::Code, std::string> DescribeHttplibError(int status, size_t max_body_bytes) {
  switch (status) {
    case 413:
      return {core::Code::kBadRequest,
              fmt::format("The request body is larger than the server's limit of {} bytes",
                          max_body_bytes)};
    case 414:
      return {core::Code::kBadRequest, "The request target is too long"};
    case 416:
      return {core::Code::kBadRequest, "Malformed Range header"};
    default:
      if (status >= 500) return {core::Code::kInternalError, "The server failed to answer"};
      return {core::Code::kBadRequest, fmt::format("Malformed HTTP request (status {})", status)};
  }
}

class HttplibServer final : public HttpServer {
 public:
  HttplibServer(const ServerOptions& options, Router router)
      : options_(options), router_(std::move(router)) {}

  ~HttplibServer() override {
    Stop();
    if (thread_.joinable()) thread_.join();
  }

  HttplibServer(const HttplibServer&) = delete;
  HttplibServer& operator=(const HttplibServer&) = delete;

  Status Bind();
  void Run();

  uint16_t port() const override { return port_; }

  void Stop() override {
    if (stop_requested_.exchange(true)) return;
    server_.stop();
  }

  void Wait() override {
    std::unique_lock lock(mu_);
    finished_cv_.wait(lock, [this] { return finished_; });
  }

 private:
  void Configure();
  void Handle(const httplib::Request& req, httplib::Response& res);
  void Write(ServerRequest& request, ServerResponse& response, Clock::time_point start,
             httplib::Response& res);
  void Report(const ServerRequest& request, const ServerResponse& response,
              Clock::time_point start) const;
  httplib::Server::HandlerResponse OnError(const httplib::Request& req, httplib::Response& res);

  const ServerOptions options_;
  const Router router_;
  httplib::Server server_;
  uint16_t port_ = 0;
  int listen_fd_ = -1;  // the bound socket, seen by the socket options callback
  std::thread thread_;
  std::atomic<bool> stop_requested_{false};

  std::mutex mu_;
  std::condition_variable finished_cv_;
  bool finished_ = false;  // guarded by mu_: the listen loop returned
};

void HttplibServer::Configure() {
  size_t threads = static_cast<size_t>(std::max(1, options_.threads));
  server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_.set_socket_options([this](socket_t sock) {
    int one = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    listen_fd_ = sock;
  });
  server_.set_tcp_nodelay(true);  // accepted sockets inherit it from the listening one
  server_.set_keep_alive_max_count(kKeepAliveMaxCount);
  server_.set_keep_alive_timeout(std::max<time_t>(0, options_.keep_alive_timeout.count()));
  server_.set_read_timeout(options_.read_timeout);
  server_.set_write_timeout(options_.write_timeout);
  server_.set_payload_max_length(options_.max_body_bytes);

  auto handler = [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); };
  httplib::Server::Handler h(handler);
  server_.Get(".*", h);  // GET and HEAD
  server_.Post(".*", h);
  server_.Put(".*", h);
  server_.Patch(".*", h);
  server_.Delete(".*", h);
  server_.Options(".*", h);

  server_.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) { return OnError(req, res); }));
  server_.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;  // OnError writes the body
      });
  // A client that waits for "100 Continue" before sending a body the server would refuse
  // gets the 413 at once.
  size_t max_body = options_.max_body_bytes;
  server_.set_expect_100_continue_handler(
      [max_body](const httplib::Request& req, httplib::Response& res) {
        std::optional<int64_t> length = core::ParseInt64(req.get_header_value("Content-Length"));
        if (length && *length >= 0 && static_cast<uint64_t>(*length) > max_body) {
          res.status = 413;
          return 413;
        }
        return 100;
      });
}

Status HttplibServer::Bind() {
  Configure();
  errno = 0;
  int port = -1;
  if (options_.port == 0) {
    port = server_.bind_to_any_port(options_.host);
  } else if (server_.bind_to_port(options_.host, options_.port)) {
    port = options_.port;
  }
  if (port < 0 || listen_fd_ < 0) {
    int err = errno;
    return Status::IoError(fmt::format("cannot listen on {}:{}: {}", options_.host, options_.port,
                                       err != 0 ? std::strerror(err) : "bind failed"));
  }
  port_ = static_cast<uint16_t>(port);
  // httplib listened with a backlog of 5; listening again on Linux only raises it.
  ::listen(listen_fd_, SOMAXCONN);
  return Status::Ok();
}

void HttplibServer::Run() {
  thread_ = std::thread([this] {
    server_.listen_after_bind();
    {
      std::lock_guard lock(mu_);
      finished_ = true;
    }
    finished_cv_.notify_all();
  });
  // Stop() only reaches a server whose accept loop runs: wait for it to start.
  for (;;) {
    if (server_.is_running()) return;
    {
      std::lock_guard lock(mu_);
      if (finished_) return;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
}

void HttplibServer::Handle(const httplib::Request& req, httplib::Response& res) {
  Clock::time_point start = Clock::now();
  // httplib's Request is a non-const object that it hands over as const; we take its body
  // (it may be large) and clear what would make httplib rewrite our response: the parsed
  // Range (it would slice any body) and Accept-Encoding (it would compress).
  auto& mutable_req = const_cast<httplib::Request&>(req);
  ServerRequest request;
  ServerResponse response;
  try {
    request = RequestHead(req);
    request.body = std::move(mutable_req.body);
    mutable_req.ranges.clear();
    mutable_req.headers.erase("Accept-Encoding");
    if (!options_.authenticate || options_.authenticate(request, response)) {
      router_.Dispatch(request, response);
    }
  } catch (const std::exception& e) {
    response = ServerResponse();
    response.SetError(Status::Internal(
        fmt::format("{} {} failed: {}", request.method, request.raw_path, e.what())));
  } catch (...) {
    response = ServerResponse();
    response.SetError(
        Status::Internal(fmt::format("{} {} failed", request.method, request.raw_path)));
  }
  Write(request, response, start, res);
}

void HttplibServer::Write(ServerRequest& request, ServerResponse& response, Clock::time_point start,
                          httplib::Response& res) {
  if (response.status < 100 || response.status > 999) {
    int status = response.status;
    response = ServerResponse();
    response.SetError(Status::Internal(fmt::format("{} {}: the handler set HTTP status {}",
                                                   request.method, request.raw_path, status)));
  }
  std::shared_ptr<OpenFile> file;
  uint64_t file_size = 0;
  if (response.body_file) {
    auto opened = OpenForStreaming(*response.body_file);
    if (opened.ok()) {
      std::tie(file, file_size) = std::move(*opened);
    } else {
      response = ServerResponse();
      response.SetError(opened.status());
    }
  }

  res.status = response.status;
  for (const auto& [name, value] : response.headers) {
    if (core::EqualsIgnoreCase(name, "content-type") ||
        core::EqualsIgnoreCase(name, "content-length")) {
      continue;
    }
    res.set_header(name, value);
  }
  if (res.status >= 400) res.set_header(kAnsweredHeader, "1");

  if (!file) {
    Report(request, response, start);
    res.body = std::move(response.body);  // set_content would copy it
    if (!response.content_type.empty()) res.set_header("Content-Type", response.content_type);
    return;
  }
  httplib::ContentProvider provider = [file](size_t offset, size_t length,
                                             httplib::DataSink& sink) {
    char buffer[kFileChunk];
    ssize_t n = ::pread(file->fd, buffer, std::min(length, kFileChunk), static_cast<off_t>(offset));
    if (n <= 0) return false;  // a read error, or the file shrank: abort the connection
    return sink.write(buffer, static_cast<size_t>(n));
  };
  // The releaser runs once the transfer ended (or failed): that is when the access log
  // learns about a streamed response.
  httplib::ContentProviderResourceReleaser releaser;
  if (options_.on_response) {
    auto done = std::make_shared<std::pair<ServerRequest, ServerResponse>>(std::move(request),
                                                                           std::move(response));
    releaser = [this, done, start](bool) { Report(done->first, done->second, start); };
    res.set_content_provider(static_cast<size_t>(file_size), done->second.content_type,
                             std::move(provider), std::move(releaser));
  } else {
    res.set_content_provider(static_cast<size_t>(file_size), response.content_type,
                             std::move(provider));
  }
}

void HttplibServer::Report(const ServerRequest& request, const ServerResponse& response,
                           Clock::time_point start) const {
  if (!options_.on_response) return;
  try {
    options_.on_response(
        request, response,
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start));
  } catch (...) {
    // An access log that fails must not take the response down with it.
  }
}

httplib::Server::HandlerResponse HttplibServer::OnError(const httplib::Request& req,
                                                        httplib::Response& res) {
  if (res.has_header(kAnsweredHeader)) {
    res.headers.erase(kAnsweredHeader);
    return httplib::Server::HandlerResponse::Unhandled;
  }
  // An answer httplib wrote itself, before (or instead of) our handler.
  auto [code, message] = DescribeHttplibError(res.status, options_.max_body_bytes);
  ServerResponse response;
  response.SetError(Status(code, std::move(message)));
  response.status = res.status;
  res.set_content(response.body, response.content_type);
  try {
    if (options_.on_response) Report(RequestHead(req), response, Clock::now());
  } catch (...) {
  }
  return httplib::Server::HandlerResponse::Handled;
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const ServerOptions& options, Router router) {
  auto server = std::make_unique<HttplibServer>(options, std::move(router));
  CAIRN_RETURN_IF_ERROR(server->Bind());
  server->Run();
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace cairn::net
