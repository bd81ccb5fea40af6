// JsonApiClient: JSON requests with auth and retries; MLflow error bodies and HTTP statuses
// mapped to Status. FieldReader: lenient reading of the answers.
#include "net/json_api.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/json.h"
#include "core/strings.h"

namespace cairn::net {
namespace {

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

// The first line of a plain-text body, at most 200 bytes (cut on a character boundary).
std::string Snippet(const Response& response) {
  std::string_view type = response.Header("content-type").value_or("");
  if (core::ToLower(type).find("html") != std::string::npos) return "";
  std::string_view body = core::Trim(response.body);
  body = body.substr(0, body.find('\n'));
  body = core::TrimRight(body);
  constexpr size_t kMax = 200;
  if (body.size() <= kMax) return std::string(body);
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) --cut;
  return std::string(body.substr(0, cut)) + "...";
}

const core::Value& EmptyMapping() {
  static const core::Value* const kEmpty = new core::Value(core::Value::Mapping());
  return *kEmpty;
}

}  // namespace

RetryPolicy DefaultJsonApiRetryPolicy() {
  RetryPolicy policy;
  policy.max_attempts = 5;
  policy.initial_backoff = std::chrono::milliseconds(500);
  policy.max_backoff = std::chrono::milliseconds(8'000);
  return policy;
}

Result<std::unique_ptr<JsonApiClient>> JsonApiClient::Open(const core::Uri& uri,
                                                           JsonApiOptions options) {
  if ((uri.scheme != "http" && uri.scheme != "https") || uri.host.empty()) {
    return Status::InvalidArgument(fmt::format("'{}' is not an http:// or https:// URL with a host",
                                               RedactUrl(uri.ToString())));
  }
  std::string base = uri.scheme + "://" + uri.host;
  if (uri.port) base += ":" + std::to_string(*uri.port);
  std::string_view path = uri.path;
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  base += path;
  if (options.username.empty() && options.token.empty() && !uri.userinfo.empty()) {
    options.username = uri.User();
    options.password = uri.Password().value_or("");
  }
  ClientOptions http_options;
  http_options.verify_tls = options.verify_tls;
  http_options.follow_redirects = true;
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> http, NewCurlHttpClient(http_options));
  return std::make_unique<JsonApiClient>(std::shared_ptr<HttpClient>(std::move(http)),
                                         std::move(base), std::move(options));
}

JsonApiClient::JsonApiClient(std::shared_ptr<HttpClient> http, std::string base_url,
                             JsonApiOptions options)
    : http_(std::move(http)), base_url_(std::move(base_url)), options_(std::move(options)) {
  if (!options_.username.empty()) {
    auth_headers_.emplace_back(
        "Authorization",
        "Basic " + core::Base64Encode(options_.username + ":" + options_.password));
  } else if (!options_.token.empty()) {
    auth_headers_.emplace_back("Authorization", "Bearer " + options_.token);
  }
}

Result<core::Value> JsonApiClient::Get(std::string_view path, const QueryParams& query) const {
  Request request;
  request.method = "GET";
  request.url = base_url_;
  request.url += path;
  char sep = '?';
  for (const auto& [name, value] : query) {
    request.url += sep;
    request.url += core::PercentEncode(name);
    request.url += '=';
    request.url += core::PercentEncode(value);
    sep = '&';
  }
  return Call(std::move(request));
}

Result<core::Value> JsonApiClient::Send(std::string_view method, std::string_view path,
                                        const core::Value& body) const {
  Request request;
  request.method = std::string(method);
  request.url = base_url_;
  request.url += path;
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = core::ToJson(body);
  return Call(std::move(request));
}

Result<core::Value> JsonApiClient::Call(Request request) const {
  request.headers.emplace_back("Accept", "application/json");
  for (const auto& header : auth_headers_) request.headers.push_back(header);
  request.timeout = options_.timeout;
  std::string what = request.method + " " + RedactUrl(request.url);
  int attempts = 0;
  Result<Response> response = WithRetries(
      options_.retry, [&](int) { return http_->Send(request); }, &attempts);
  if (!response.ok()) return response.status();
  if (!response->ok()) {
    Status error = ErrorFromResponse(what, *response, attempts);
    if (error.code() != core::Code::kEndpointNotFound) return error;
    // A wrong base URL, or a server without this endpoint.
    return Status(error.code(),
                  fmt::format("{}; is {} an MLflow server?", error.message(), base_url_));
  }
  if (core::Trim(response->body).empty()) return core::Value::Mapping();
  core::JsonParseOptions parse;
  parse.allow_nan = true;
  Result<core::Value> value = core::ParseJson(response->body, "answer", parse);
  if (!value.ok()) {
    return Status::Internal(
        fmt::format("{}: the answer (HTTP {}) is not JSON: {}; is {} an "
                    "MLflow server?",
                    what, response->status, value.status().message(), base_url_));
  }
  if (!value->is_mapping()) {
    return Status::Internal(fmt::format("{}: expected a JSON object in the answer, got {}", what,
                                        core::KindPhrase(value->kind())));
  }
  return value;
}

core::Code CodeFromHttpStatus(int status) {
  switch (status) {
    case 400:
      return core::Code::kBadRequest;
    case 401:
      return core::Code::kUnauthenticated;
    case 403:
      return core::Code::kPermissionDenied;
    case 404:
      return core::Code::kEndpointNotFound;
    case 409:
      return core::Code::kResourceConflict;
    case 429:
      return core::Code::kRequestLimitExceeded;
    case 499:
      return core::Code::kCancelled;
    case 501:
      return core::Code::kNotImplemented;
    case 503:
      return core::Code::kTemporarilyUnavailable;
    case 504:
      return core::Code::kDeadlineExceeded;
    default:
      return core::Code::kInternalError;
  }
}

core::Status ErrorFromResponse(std::string_view what, const Response& response, int attempts) {
  core::JsonParseOptions parse;
  parse.allow_nan = true;
  if (Result<core::Value> body = core::ParseJson(response.body, "error", parse);
      body.ok() && body->is_mapping()) {
    const core::Value* code = body->Find("error_code");
    const core::Value* message = body->Find("message");
    if (code != nullptr && code->is_string() && !code->AsString().empty()) {
      std::string text = message != nullptr && message->is_string() ? message->AsString() : "";
      if (text.empty()) text = fmt::format("{}: HTTP {} {}", what, response.status, code->raw());
      return Status(core::CodeFromName(code->AsString()), std::move(text));
    }
  }
  std::string text = fmt::format("{}: HTTP {}", what, response.status);
  if (std::string_view reason = ReasonPhrase(response.status); !reason.empty()) {
    text += fmt::format(" {}", reason);
  }
  if (std::string snippet = Snippet(response); !snippet.empty()) text += ": " + snippet;
  if (attempts > 1) text += fmt::format(" (gave up after {} attempts)", attempts);
  return Status(CodeFromHttpStatus(response.status), std::move(text));
}

// --- FieldReader ---

FieldReader::FieldReader(const core::Value& object, std::string what)
    : FieldReader(&object, "", std::make_shared<Shared>(Shared{std::move(what), {}})) {}

FieldReader::FieldReader(const core::Value* object, std::string path,
                         std::shared_ptr<Shared> shared)
    : object_(object), path_(std::move(path)), shared_(std::move(shared)) {
  if (!object_->is_mapping()) {
    Expected("", "an object", *object_);
    object_ = &EmptyMapping();
  }
}

std::string FieldReader::PathOf(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  if (key.empty()) return path_;
  return path_ + "." + std::string(key);
}

void FieldReader::Fail(std::string_view key, std::string_view message) const {
  if (!shared_->error.ok()) return;
  std::string path = PathOf(key);
  shared_->error = Status::Internal(fmt::format("unexpected answer to {}: {}{}{}", shared_->what,
                                                path, path.empty() ? "" : ": ", message));
}

void FieldReader::Expected(std::string_view key, std::string_view expected,
                           const core::Value& got) const {
  Fail(key, fmt::format("expected {}, got {} ({})", expected, core::KindPhrase(got.kind()),
                        got.is_scalar() ? got.raw() : "..."));
}

const core::Value* FieldReader::Get(std::string_view key) const {
  const core::Value* v = object_->Find(key);
  return v == nullptr || v->is_null() ? nullptr : v;
}

bool FieldReader::Has(std::string_view key) const { return Get(key) != nullptr; }

std::string FieldReader::String(std::string_view key) const {
  const core::Value* v = Get(key);
  if (v == nullptr) return "";
  if (v->is_string()) return v->AsString();
  if (v->is_number() || v->is_bool()) return v->raw();
  Expected(key, "a string", *v);
  return "";
}

std::optional<int64_t> FieldReader::OptionalInt64(std::string_view key) const {
  const core::Value* v = Get(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_number()) {
    if (std::optional<int64_t> i = v->AsInt64()) return i;
    double d = v->AsDouble();  // 1.7e12 or 5.0 from a writer that used floats
    if (std::isfinite(d) && d == std::floor(d) && std::abs(d) < 9.2e18) {
      return static_cast<int64_t>(d);
    }
  } else if (v->is_string()) {
    if (std::optional<int64_t> i = core::ParseInt64(v->AsString())) return i;
  }
  Expected(key, "an integer", *v);
  return std::nullopt;
}

int64_t FieldReader::Int64(std::string_view key) const { return OptionalInt64(key).value_or(0); }

double FieldReader::Double(std::string_view key) const {
  const core::Value* v = Get(key);
  if (v == nullptr) return 0;
  if (v->is_number()) return v->AsDouble();
  if (v->is_string()) {
    const std::string& s = v->AsString();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
    if (std::optional<double> d = core::ParseDouble(s)) return *d;
  }
  Expected(key, "a number", *v);
  return 0;
}

bool FieldReader::Bool(std::string_view key) const {
  const core::Value* v = Get(key);
  if (v == nullptr) return false;
  if (v->is_bool()) return v->AsBool();
  if (v->is_string() && core::EqualsIgnoreCase(v->AsString(), "true")) return true;
  if (v->is_string() && core::EqualsIgnoreCase(v->AsString(), "false")) return false;
  Expected(key, "a boolean", *v);
  return false;
}

FieldReader FieldReader::Child(std::string_view key) const {
  const core::Value* v = Get(key);
  if (v == nullptr) return FieldReader(&EmptyMapping(), PathOf(key), shared_);
  return FieldReader(v, PathOf(key), shared_);
}

std::vector<FieldReader> FieldReader::Items(std::string_view key) const {
  std::vector<FieldReader> items;
  const core::Value* v = Get(key);
  if (v == nullptr) return items;
  if (!v->is_sequence()) {
    Expected(key, "an array", *v);
    return items;
  }
  items.reserve(v->items().size());
  for (size_t i = 0; i < v->items().size(); ++i) {
    items.push_back(FieldReader(&v->items()[i], fmt::format("{}[{}]", PathOf(key), i), shared_));
  }
  return items;
}

std::vector<std::string> FieldReader::Strings(std::string_view key) const {
  std::vector<std::string> out;
  const core::Value* v = Get(key);
  if (v == nullptr) return out;
  if (!v->is_sequence()) {
    Expected(key, "an array", *v);
    return out;
  }
  for (const core::Value& item : v->items()) {
    if (item.is_string()) {
      out.push_back(item.AsString());
    } else if (item.is_number()) {
      out.push_back(item.raw());
    } else {
      Expected(key, "an array of strings", item);
    }
  }
  return out;
}

}  // namespace cairn::net
