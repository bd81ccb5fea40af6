// net server half: an HTTP/1.1 server (over cpp-httplib, whose header stays in
// src/net/*.cc) with a router that maps method + path to a handler, and htpasswd-style basic
// authentication.
//
//   net::Router router;
//   router.Add("GET", "/health", [](const net::ServerRequest&, net::ServerResponse& res) {
//     res.SetText(200, "OK");
//   });
//   router.Add("GET", "/api/2.0/mlflow-artifacts/artifacts/{path...}", DownloadArtifact);
//   CAIRN_ASSIGN_OR_RETURN(auto server, net::HttpServer::Start(options, std::move(router)));
//   server->Wait();  // until Stop() (from another thread or a signal handler's thread)
//
// Routing: patterns are literal paths, optionally with `{name}` segments (one path segment) and
// a final `{name...}` (the rest of the path, at least one character, may hold slashes). Literal
// paths are found with one hash lookup; patterns are tried in the order added. A path no
// route matches gets 404 with MLflow's JSON error ENDPOINT_NOT_FOUND; a path that matches with
// another method gets 405 (same error_code, and an Allow header). HEAD without a HEAD route is
// answered by the GET route (the server sends the head only). Path parameters arrive
// percent-decoded; `raw_path` keeps the bytes as sent (so a handler can refuse an encoded "..").
// Patterns match segment by segment on the raw path, so an encoded '/' ("%2F") stays inside
// its `{name}` segment.
//
// HTTP the server answers itself, before any handler: a malformed request (400), a body over
// max_body_bytes (413, also refused at "Expect: 100-continue"), a too-long target (414); all
// with MLflow's JSON error BAD_REQUEST. (cpp-httplib 0.11 also calls a target with a second
// '?' malformed: clients must send a '?' inside the query as %3F, which URL encoders do.)
// A handler that throws gets 500 INTERNAL_ERROR with the exception's message; the server goes
// on. Responses are sent as the handler wrote them: uncompressed (whatever Accept-Encoding
// says), and without applying a Range header (handlers see it and may answer 206 themselves).
//
// Threads: handlers run on the server's worker threads, many at once; a Router is immutable
// once the server starts. The server owns its threads; Stop() makes Wait() return after the
// requests in flight finish. Keep-alive connections are served until the client closes them or
// they idle past ServerOptions::keep_alive_timeout. A worker thread serves one connection at a
// time, idle keep-alive waits included (cpp-httplib's model): with `threads` connections open,
// the next client waits until one closes or idles out, so size `threads` above the number of
// connections clients keep open at once. Likewise an idle keep-alive connection delays the end
// of Wait() after Stop() by up to keep_alive_timeout (cpp-httplib 0.11 does not wake it).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "net/net.h"

namespace cairn::net {

struct ServerRequest {
  std::string method;
  /// The path, percent-decoded, without the query.
  std::string path;
  /// The request target's path as sent (still percent-encoded).
  std::string raw_path;
  /// Query parameters in order, decoded; a repeated name appears once per occurrence.
  std::vector<std::pair<std::string, std::string>> query;
  /// Header fields, names lowercased.
  Headers headers;
  std::string body;
  /// Values of the route's `{name}` / `{name...}` segments, in pattern order, decoded.
  std::vector<std::string> path_params;
  /// The peer's address ("127.0.0.1").
  std::string remote_addr;
  /// Set by the authenticator: the user the request authenticated as.
  std::string user;

  std::optional<std::string_view> Header(std::string_view name) const;
  /// The first value of query parameter `name`.
  std::optional<std::string_view> Query(std::string_view name) const;
  /// Every value of query parameter `name`, in order.
  std::vector<std::string> QueryAll(std::string_view name) const;
};

struct ServerResponse {
  int status = 200;
  /// Extra header fields (Content-Type and Content-Length are set from the fields below).
  Headers headers;
  std::string content_type = "application/json";
  std::string body;
  /// When set, the body is this file's content, streamed (not loaded whole); `body` is ignored.
  std::optional<std::string> body_file;

  void SetJson(int status_code, std::string json);
  void SetText(int status_code, std::string text);
  /// MLflow's error body {"error_code": "<NAME>", "message": "..."} with the HTTP status
  /// core::HttpStatus(status.code()) gives.
  void SetError(const core::Status& status);
};

using Handler = std::function<void(const ServerRequest&, ServerResponse&)>;

class Router {
 public:
  /// Adds a route (see the header comment for patterns). Adding the same method and pattern
  /// twice is a bug (aborts).
  void Add(std::string_view method, std::string_view pattern, Handler handler);

  /// What the server does with a request: finds the route and calls it, or answers 404/405.
  void Dispatch(ServerRequest& request, ServerResponse& response) const;

 private:
  struct Route;
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

/// Decides whether a request may proceed. Returns true to continue to the router (setting
/// request.user when it knows one); false after filling `response` (a 401, say).
using Authenticator = std::function<bool(ServerRequest& request, ServerResponse& response)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  /// 0: the system picks a free port (read it back with HttpServer::port()).
  uint16_t port = 5000;
  /// Worker threads; each serves one connection at a time (see the header comment).
  int threads = 8;
  /// Bodies larger than this get 413.
  size_t max_body_bytes = 1ull << 31;
  std::chrono::seconds keep_alive_timeout{5};
  std::chrono::seconds read_timeout{60};
  std::chrono::seconds write_timeout{60};
  /// Called for every request before routing; unset: every request proceeds.
  Authenticator authenticate;
  /// Called after each request with the method, path, status and duration (access log): once
  /// the response is ready, or for a body_file once its transfer ended; also for the answers
  /// the server makes itself (400, 413, ...; the request then has no body). Runs on worker
  /// threads, many at once; an exception it throws is ignored.
  std::function<void(const ServerRequest&, const ServerResponse&, std::chrono::microseconds)>
      on_response;
};

class HttpServer {
 public:
  /// Binds host:port and starts serving in the background. Fails with kIoError naming
  /// host:port when it cannot bind (port in use, ...).
  static Result<std::unique_ptr<HttpServer>> Start(const ServerOptions& options, Router router);
  virtual ~HttpServer() = default;

  /// The port actually bound.
  virtual uint16_t port() const = 0;
  /// Stops accepting; Wait() returns once the requests in flight are answered. Thread-safe,
  /// idempotent.
  virtual void Stop() = 0;
  /// Blocks until the server stopped.
  virtual void Wait() = 0;
};

/// An htpasswd file of bcrypt entries ("user:$2y$05$..."), as `htpasswd -B` writes it.
/// Verification runs libxcrypt's crypt_r; a successful (user, password) pair is remembered
/// (as a SHA-256 of the pair, never the password) so bcrypt's deliberate slowness is paid once
/// per user, not per request. Thread-safe.
class Htpasswd {
 public:
  /// Reads the file. Lines that are blank or start with '#' are skipped; an entry that is not
  /// bcrypt ($2a$, $2b$, $2y$) is an error naming file:line. When a user has two entries, the
  /// first counts (as in Apache).
  static Result<std::unique_ptr<Htpasswd>> Load(const std::string& path);
  virtual ~Htpasswd() = default;
  virtual bool Verify(std::string_view user, std::string_view password) const = 0;
  /// An Authenticator for basic auth against this file: lets `open_paths` (e.g. "/health",
  /// compared with the decoded path, exactly) through, and answers others without valid
  /// credentials 401 with `WWW-Authenticate: Basic realm="<realm>"` and MLflow's JSON error
  /// UNAUTHENTICATED. Sets request.user on success.
  static Authenticator Basic(std::shared_ptr<const Htpasswd> users, std::string realm,
                             std::vector<std::string> open_paths);
};

/// A bcrypt hash of `password` ("$2y$<cost>$..."), for `cairn server add-user`.
Result<std::string> BcryptHash(std::string_view password, int cost = 10);

/// Adds or replaces `user`'s entry in the htpasswd file at `path` (created when absent, mode
/// 0600; an existing file keeps its mode and its other lines), written atomically. An empty user
/// name, or one with ':' or a line break, is kInvalidParameterValue.
core::Status HtpasswdSetUser(const std::string& path, std::string_view user,
                             std::string_view password, int cost = 10);

}  // namespace cairn::net
