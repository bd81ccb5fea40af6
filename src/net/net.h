// net: HTTP(S) requests (an HttpClient over libcurl) and the retry policy every HTTP caller in
// cairn shares (the S3 blob store now, the MLflow REST client later).
//
//   CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<net::HttpClient> http, net::NewCurlHttpClient());
//   net::Request request;
//   request.url = "http://127.0.0.1:5000/health";
//   CAIRN_ASSIGN_OR_RETURN(net::Response response,
//                          net::SendWithRetries(*http, request, net::RetryPolicy{}));
//
// An HTTP status is an answer, not a failure: Send() fails only when there is no response
// (connection refused, DNS failure, timeout, reset, a body file that cannot be read, a sink
// that refused a chunk). Failures a later attempt may avoid (the connection ones) are
// kTemporarilyUnavailable, and name the URL's host:port and the cause.
//
// URLs in messages are redacted (RedactUrl): no userinfo, no query, so no secret a caller put
// there reaches a message or a log.
//
// Ownership and thread safety: Request and Response are plain values. An HttpClient is
// thread-safe: Send() may be called from any number of threads at once. The curl client keeps
// a pool of curl handles, one per request in flight, reused afterwards with their open
// connections (keep-alive), so a thread that sends request after request to one host reuses
// one connection. A client must outlive the calls in flight. curl's headers stay inside
// src/net/*.cc.
#pragma once

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

namespace cairn::net {

using core::Result;
using core::Status;

/// Header fields, in order. Names compare ignoring ASCII case.
using Headers = std::vector<std::pair<std::string, std::string>>;

/// Bytes [offset, offset + length) of a local file, read from disk (with pread, not through
/// sys::Env) while they are sent, never loaded whole: e.g. one part of a multipart upload. The file
/// must hold the whole range when the request is sent; a file that shrinks while it is read fails
/// the request.
struct FileRange {
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

/// Receives a successful (2xx) response's body, chunk by chunk, in order. A failed Status stops
/// the transfer, and Send() returns that Status.
using BodySink = std::function<Status(std::string_view chunk)>;

/// With a sink set, at most this much of a non-2xx response's body is kept.
inline constexpr size_t kMaxErrorBodyBytes = 1 << 20;

struct Response {
  /// The final response's status (after any 1xx, and redirects when followed).
  int status = 0;
  /// The final response's header fields in order: names lowercased, values trimmed.
  Headers headers;
  /// The body, unless it went to Request::sink. Empty for HEAD.
  std::string body;

  /// The value of the first header field named `name` (ASCII case-insensitive).
  std::optional<std::string_view> Header(std::string_view name) const;
  /// A 2xx status.
  bool ok() const { return status >= 200 && status < 300; }
};

struct Request {
  /// "GET", "HEAD", "PUT", "POST", "DELETE", ...
  std::string method = "GET";
  /// http:// or https://, percent-encoded as it goes on the wire (the path is sent as is:
  /// "." and ".." segments are not folded).
  std::string url;
  /// Sent as given (a "host" entry replaces the one derived from the URL). Values must not
  /// hold CR or LF. No Content-Length: it is derived from the body.
  Headers headers;
  /// The body, unless `body_file` is set. PUT, POST and PATCH always send a Content-Length
  /// (0 for an empty body).
  std::string body;
  /// When set, the body is this range of a file, streamed (see FileRange).
  std::optional<FileRange> body_file;
  /// When set, a 2xx response's body is handed to it instead of being kept in
  /// Response::body (downloads that are hashed or written as they arrive). Other responses'
  /// bodies are always kept in Response::body (at most kMaxErrorBodyBytes of them when a sink
  /// is set), so a caller can read the server's error.
  BodySink sink;
  /// When set, called once a 2xx response's status and header fields have arrived, before any
  /// of its body reaches the sink (e.g. to check Content-Range when resuming a download). A
  /// failed Status stops the transfer, and Send() returns it.
  std::function<Status(const Response& head)> on_headers;
  /// Replaces ClientOptions::timeout for this request; zero means no limit.
  std::optional<std::chrono::milliseconds> timeout;
};

struct ClientOptions {
  /// Limit on setting up a connection (TCP and TLS).
  std::chrono::milliseconds connect_timeout{10'000};
  /// Limit on a whole request; zero means none, as large transfers may take long: stalled
  /// ones are caught by the low-speed limit instead.
  std::chrono::milliseconds timeout{0};
  /// A transfer averaging under `low_speed_limit` bytes/s for `low_speed_time` fails with
  /// kTemporarilyUnavailable (a stalled connection). A zero time disables the check.
  uint32_t low_speed_limit = 1;
  std::chrono::seconds low_speed_time{60};
  /// Verify the server's certificate and name (https). Only turn off for a test server.
  bool verify_tls = true;
  /// A PEM file of CA certificates to trust instead of the system's; empty means the system's.
  std::string ca_bundle;
  std::string user_agent = "cairn";
  /// Follow 3xx redirects (http and https only). S3 callers leave it off: a redirect there
  /// means a wrong region, which the caller reports.
  bool follow_redirects = false;
  /// Idle curl handles (each with its open connections) kept for reuse.
  size_t max_idle_handles = 16;
};

/// Sends HTTP requests. Implementations are thread-safe.
class HttpClient {
 public:
  virtual ~HttpClient() = default;

  /// Sends `request` once and waits for the whole response. Any HTTP status is a response.
  /// Failures:
  ///   kTemporarilyUnavailable  connection refused, DNS failure, connect or transfer timeout,
  ///                            stalled or reset connection: names host:port and the cause
  ///   kInvalidParameterValue   a URL that is not http(s), a header value with CR/LF
  ///   kIoError                 TLS verification failed, the body file cannot be read, ...
  ///   (the sink's Status)      the sink refused a chunk
  virtual Result<Response> Send(const Request& request) = 0;
};

/// An HttpClient over libcurl (see the header comment for pooling and thread safety).
Result<std::unique_ptr<HttpClient>> NewCurlHttpClient(const ClientOptions& options = {});

/// When to try a request again, and how long to wait in between.
struct RetryPolicy {
  /// Attempts in all, including the first (at least 1).
  int max_attempts = 5;
  /// Attempt n+1 waits a random time in [d/2, d], d = initial_backoff * 2^(n-1) capped at
  /// max_backoff ("equal jitter": spread out, never back to back), or the response's
  /// Retry-After (seconds) when longer, still capped at max_backoff.
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{20'000};
  /// Which responses are transient; unset means IsTransientHttpStatus(response.status).
  std::function<bool(const Response&)> retry_on;
  /// Waits between attempts; unset means std::this_thread::sleep_for. Tests replace it.
  std::function<void(std::chrono::milliseconds)> sleep;
};

/// 408, 429, 500, 502, 503 and 504: statuses a later attempt may not meet.
bool IsTransientHttpStatus(int status);

/// The wait after failed attempt `attempt` (1-based) under `policy`, for a uniform random
/// `random01` in [0, 1), without Retry-After.
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt, double random01);

/// Calls `attempt(n)` for n = 1, 2, ... until it returns a response the policy does not call
/// transient, a failure other than kTemporarilyUnavailable, or max_attempts were made, waiting
/// between attempts as the policy says. Returns the last outcome: a transient response as a
/// response (the caller reads the server's error), a kTemporarilyUnavailable failure with
/// " (gave up after N attempts)" added when more than one was made. Each attempt builds its
/// own request, so it can re-sign it, or resume a download with a Range header: a request
/// that streams to a sink is sent again from the start otherwise. `attempts`, when set,
/// receives the number of attempts made.
Result<Response> WithRetries(const RetryPolicy& policy,
                             const std::function<Result<Response>(int attempt)>& attempt,
                             int* attempts = nullptr);

/// WithRetries sending the same `request` each time.
Result<Response> SendWithRetries(HttpClient& client, const Request& request,
                                 const RetryPolicy& policy);

/// `url` without its userinfo, query and fragment ("https://host:8443/a/b"): what messages
/// and logs may show.
std::string RedactUrl(std::string_view url);

/// "host:port" of an http(s) URL, with the scheme's default port when none is written.
std::string HostPort(std::string_view url);

}  // namespace cairn::net
