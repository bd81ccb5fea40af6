// net JSON API half: a client for JSON-over-HTTP APIs shaped like MLflow's REST API, the
// transport of the tracking and registry REST stores, and lenient readers of their responses.
//
//   CAIRN_ASSIGN_OR_RETURN(auto api, net::JsonApiClient::Open(uri, net::JsonApiOptions{}));
//   CAIRN_ASSIGN_OR_RETURN(core::Value body,
//                          api->Get("/api/2.0/mlflow/runs/get", {{"run_id", id}}));
//   net::FieldReader run(body, "response").Child("run");
//
// Requests: GETs carry their fields in the query string (a repeated name for an array); other
// methods carry a JSON body with Content-Type application/json. Credentials go in an
// Authorization header (basic when a username is set, as MLflow's client prefers, else bearer
// with the token), never in the URL, and no message names them: URLs in messages are
// RedactUrl'd. Transient answers (408, 429, 500, 502, 503, 504) and failed connections are
// retried with backoff (JsonApiOptions::retry); redirects are followed.
//
// Answers: a 2xx body is parsed as JSON (NaN/Infinity allowed; an empty body is {}). Any other
// status is a failure: a JSON error body {"error_code": ..., "message": ...} becomes
// Status(CodeFromName(error_code), message), the message as the server wrote it, so callers and
// users see what a local store would say; any other body gets the code of the HTTP status (404
// ENDPOINT_NOT_FOUND, 400 BAD_REQUEST, 401 UNAUTHENTICATED, ...) and a message naming the
// method, the redacted URL and the status. An ENDPOINT_NOT_FOUND (of either kind) also asks
// whether the base URL is an MLflow server's.
//
// Thread safety: a JsonApiClient is immutable after construction and its HttpClient is
// thread-safe, so any number of threads may call it at once. A FieldReader is not synchronized
// and borrows the Value it reads, which must outlive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "core/uri.h"
#include "core/value.h"
#include "net/net.h"

namespace cairn::net {

/// Query parameters in order; repeat a name for each element of an array.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

/// The retry policy of JSON API calls: 5 attempts, waits from 0.5 s doubling up to 8 s (at most
/// about 8 s in all before giving up), shorter than MLflow's client (minutes) so that a
/// command against a server that is down fails while its user still waits.
RetryPolicy DefaultJsonApiRetryPolicy();

struct JsonApiOptions {
  /// Basic auth when `username` is set (with `password`), else a bearer `token` when set.
  std::string username;
  std::string password;
  std::string token;
  /// Verify https certificates (MLFLOW_TRACKING_INSECURE_TLS turns it off).
  bool verify_tls = true;
  /// Limit on each request (MLflow's client waits 120 s).
  std::chrono::milliseconds timeout{120'000};
  RetryPolicy retry = DefaultJsonApiRetryPolicy();
};

class JsonApiClient {
 public:
  /// A client of the API at an http(s) URI ("http://host:5000", "https://host/prefix"): request
  /// paths are appended to its path. Userinfo in the URI supplies basic-auth credentials when
  /// the options name none; it never becomes part of a request URL. Other schemes, or no host,
  /// are kInvalidParameterValue.
  static Result<std::unique_ptr<JsonApiClient>> Open(const core::Uri& uri, JsonApiOptions options);

  /// Over a given HttpClient (tests pass one with a fake server's URL). `base_url` is
  /// "scheme://host:port[/prefix]" with no userinfo and no trailing slash.
  JsonApiClient(std::shared_ptr<HttpClient> http, std::string base_url, JsonApiOptions options);

  /// GET base_url + path, with `query` percent-encoded. The parsed response body (a mapping).
  Result<core::Value> Get(std::string_view path, const QueryParams& query = {}) const;
  /// `method` (POST, PATCH, DELETE, ...) with `body` as its JSON body.
  Result<core::Value> Send(std::string_view method, std::string_view path,
                           const core::Value& body) const;

  const std::string& base_url() const { return base_url_; }

 private:
  Result<core::Value> Call(Request request) const;

  std::shared_ptr<HttpClient> http_;
  std::string base_url_;
  JsonApiOptions options_;
  Headers auth_headers_;  // never printed
};

/// The error code MLflow's client gives a non-JSON error answer with this HTTP status.
core::Code CodeFromHttpStatus(int status);

/// The failure for a non-2xx `response` to `what` ("GET http://host/api/..."): see the header
/// comment. `attempts` > 1 is mentioned for a non-JSON answer.
core::Status ErrorFromResponse(std::string_view what, const Response& response, int attempts = 1);

/// Reads the fields of a JSON object leniently, as MLflow's clients do: an absent or null field
/// gives the type's default; an integer may come as a number or a decimal string (int64 as
/// proto JSON writes it); a double as a number, a numeric string or "NaN", "Infinity",
/// "-Infinity"; a string field holding a number gives its literal. A field of any other kind
/// records a kInternalError naming the field's path ("run.info.start_time: expected an
/// integer, got a mapping"); readers then return defaults, and status() reports the first
/// error. Children share their root's status.
class FieldReader {
 public:
  /// `what` names `object` in messages ("GET http://host/api/2.0/mlflow/runs/get").
  FieldReader(const core::Value& object, std::string what);

  bool Has(std::string_view key) const;
  std::string String(std::string_view key) const;
  int64_t Int64(std::string_view key) const;
  std::optional<int64_t> OptionalInt64(std::string_view key) const;
  double Double(std::string_view key) const;
  bool Bool(std::string_view key) const;
  /// The object at `key` (an empty one when absent).
  FieldReader Child(std::string_view key) const;
  /// The objects of the array at `key` (none when absent).
  std::vector<FieldReader> Items(std::string_view key) const;
  /// The strings of the array at `key`.
  std::vector<std::string> Strings(std::string_view key) const;

  /// Records an error about field `key` (e.g. an unknown enum name) unless one was recorded.
  void Fail(std::string_view key, std::string_view message) const;
  /// OK, or the first error recorded by this reader, its root or any of its children.
  const core::Status& status() const { return shared_->error; }

  /// A field of T and where a reader puts it, for ReadFields.
  template <class T>
  struct Field {
    const char* key;
    std::variant<std::string T::*, int64_t T::*, std::optional<int64_t> T::*, double T::*> member;
  };
  /// Reads each field of `fields` into `out`.
  template <class T>
  void ReadFields(T& out, std::initializer_list<Field<T>> fields) const {
    for (const Field<T>& f : fields) {
      if (auto* s = std::get_if<std::string T::*>(&f.member)) {
        out.*(*s) = String(f.key);
      } else if (auto* i = std::get_if<int64_t T::*>(&f.member)) {
        out.*(*i) = Int64(f.key);
      } else if (auto* o = std::get_if<std::optional<int64_t> T::*>(&f.member)) {
        out.*(*o) = OptionalInt64(f.key);
      } else if (auto* d = std::get_if<double T::*>(&f.member)) {
        out.*(*d) = Double(f.key);
      }
    }
  }

 private:
  struct Shared {
    std::string what;
    core::Status error;
  };
  FieldReader(const core::Value* object, std::string path, std::shared_ptr<Shared> shared);
  // The field's value, or null when absent or JSON null.
  const core::Value* Get(std::string_view key) const;
  void Expected(std::string_view key, std::string_view expected, const core::Value& got) const;
  std::string PathOf(std::string_view key) const;

  const core::Value* object_;  // a mapping, or a static empty one
  std::string path_;           // "run.info", "" for the root
  std::shared_ptr<Shared> shared_;
};

/// A request body under construction: members set in order; the *IfSet forms leave empty
/// optional fields out, as MLflow's client does.
class JsonBody {
 public:
  JsonBody() : value_(core::Value::Mapping()) {}
  JsonBody& Str(const char* key, std::string_view value) {
    return Set(key, core::Value::String(std::string(value)));
  }
  JsonBody& StrIfSet(const char* key, std::string_view value) {
    return value.empty() ? *this : Str(key, value);
  }
  JsonBody& Int(const char* key, int64_t value) { return Set(key, core::Value::Int(value)); }
  JsonBody& Bool(const char* key, bool value) { return Set(key, core::Value::Bool(value)); }
  /// An array of strings.
  JsonBody& Strs(const char* key, const std::vector<std::string>& values) {
    core::Value list = core::Value::Sequence();
    for (const std::string& v : values) list.Append(core::Value::String(v));
    return Set(key, std::move(list));
  }
  JsonBody& Set(const char* key, core::Value value) {
    value_.Set(key, std::move(value));
    return *this;
  }
  const core::Value& value() const { return value_; }

 private:
  core::Value value_;
};

/// `read` applied to a FieldReader over `answer` (named `what` in messages); the reader's error
/// when a field had the wrong shape.
template <class F>
auto ReadAnswer(const core::Value& answer, std::string_view what, F read)
    -> Result<std::decay_t<decltype(read(std::declval<const FieldReader&>()))>> {
  FieldReader r(answer, std::string(what));
  auto out = read(r);
  if (!r.status().ok()) return r.status();
  return out;
}

}  // namespace cairn::net
