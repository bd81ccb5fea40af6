#include "blob/mlflow_artifacts_store.h"

#include <fmt/format.h>

#include <algorithm>

#include "blob/key.h"
#include "blob/resumable_sink.h"
#include "core/json.h"
#include "core/path.h"
#include "core/strings.h"
#include "core/uri.h"
#include "net/json_api.h"

namespace cairn::blob {
namespace {

constexpr std::string_view kProxyPath = "/api/2.0/mlflow-artifacts/artifacts";

bool Contains(std::initializer_list<int> list, int value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string Join(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  return std::string(a) + "/" + std::string(b);
}

// Each '/'-separated segment percent-encoded.
std::string EncodePath(std::string_view path) {
  std::string out;
  for (std::string_view segment : core::Split(path, '/')) {
    if (!out.empty()) out += '/';
    out += core::PercentEncode(segment);
  }
  return out;
}

// The request line for messages: "GET http://host:5000/api/2.0/...?path=a%2Fb". The query is
// ours (a path), not a secret, so it stays; RedactUrl drops userinfo (there is none).
std::string What(const net::Request& request) {
  std::string url = net::RedactUrl(request.url);
  if (size_t q = request.url.find('?'); q != std::string::npos) url += request.url.substr(q);
  return request.method + " " + url;
}

}  // namespace

Result<std::unique_ptr<BlobStore>> OpenMlflowArtifactsStore(std::string_view server_url,
                                                            std::string_view root,
                                                            const MlflowArtifactsOptions& options,
                                                            sys::Env& env) {
  Result<core::Uri> uri = core::Uri::Parse(server_url);
  if (!uri.ok() || (uri->scheme != "http" && uri->scheme != "https") || uri->host.empty() ||
      uri->query || uri->fragment) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not an http:// or https:// tracking server address\nhint: write it as "
                    "http://<host>:<port>, e.g. http://127.0.0.1:5000",
                    net::RedactUrl(server_url)));
  }
  std::string server = uri->scheme + "://" + uri->host;
  if (uri->port) server += ":" + std::to_string(*uri->port);
  std::string_view prefix = uri->path;
  while (prefix.ends_with('/')) prefix.remove_suffix(1);
  server += prefix;

  std::string dir(root);
  while (dir.starts_with('/')) dir.erase(0, 1);
  while (dir.ends_with('/')) dir.pop_back();
  CAIRN_RETURN_IF_ERROR(ValidatePrefix(dir).WithContext(fmt::format("mlflow-artifacts:/{}", dir)));

  net::Headers auth;
  std::string username = options.username;
  std::string password = options.password;
  if (username.empty() && options.token.empty() && !uri->userinfo.empty()) {
    username = uri->User();
    password = uri->Password().value_or("");
  }
  if (!username.empty()) {
    auth.emplace_back("Authorization", "Basic " + core::Base64Encode(username + ":" + password));
  } else if (!options.token.empty()) {
    auth.emplace_back("Authorization", "Bearer " + options.token);
  }

  net::ClientOptions http_options;
  http_options.connect_timeout = options.connect_timeout;
  http_options.low_speed_time = options.stall_timeout;
  http_options.verify_tls = options.verify_tls;
  http_options.follow_redirects = true;
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<net::HttpClient> http,
                         net::NewCurlHttpClient(http_options));
  net::RetryPolicy retry;
  retry.max_attempts = std::max(1, options.max_attempts);
  retry.initial_backoff = options.retry_backoff;
  return std::unique_ptr<BlobStore>(std::make_unique<MlflowArtifactsStore>(
      std::move(server), std::move(dir), std::move(auth), std::move(http), std::move(retry), env));
}

MlflowArtifactsStore::MlflowArtifactsStore(std::string server, std::string root, net::Headers auth,
                                           std::unique_ptr<net::HttpClient> http,
                                           net::RetryPolicy retry, sys::Env& env)
    : server_(std::move(server)),
      base_(server_ + std::string(kProxyPath)),
      root_(std::move(root)),
      auth_(std::move(auth)),
      http_(std::move(http)),
      retry_(std::move(retry)),
      env_(env) {}

std::string MlflowArtifactsStore::Describe() const {
  return fmt::format("mlflow-artifacts:/{} at {}", root_, server_);
}

std::string MlflowArtifactsStore::ProxyPath(std::string_view key) const { return Join(root_, key); }

std::string MlflowArtifactsStore::ObjectUrl(std::string_view key) const {
  return base_ + "/" + EncodePath(ProxyPath(key));
}

net::Request MlflowArtifactsStore::Build(std::string method, std::string url) const {
  net::Request request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.headers = auth_;
  return request;
}

Result<net::Response> MlflowArtifactsStore::Send(const net::Request& request,
                                                 const net::RetryPolicy& policy,
                                                 std::initializer_list<int> also_ok) {
  int attempts = 0;
  Result<net::Response> response = net::WithRetries(
      policy, [&](int) { return http_->Send(request); }, &attempts);
  if (!response.ok()) return response.status().WithContext(fmt::format("{}", What(request)));
  if (response->ok() || Contains(also_ok, response->status)) return response;
  return ErrorFor(request, *response, attempts);
}

Status MlflowArtifactsStore::ErrorFor(const net::Request& request, const net::Response& response,
                                      int attempts) const {
  std::string what = What(request);
  Status error = net::ErrorFromResponse(what, response, attempts);
  std::string message = error.message();
  // A JSON error body gives the server's message alone: say what was asked, and the status.
  if (!message.starts_with(what)) {
    message = fmt::format("{}: HTTP {}: {}", what, response.status, message);
    if (attempts > 1) message += fmt::format(" (gave up after {} attempts)", attempts);
  }
  core::Code code = error.code();
  if (response.status == 401) {
    code = core::Code::kUnauthenticated;
    message +=
        "\nhint: set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or "
        "MLFLOW_TRACKING_TOKEN) to credentials the server accepts";
  } else if (response.status == 403) {
    code = core::Code::kPermissionDenied;
  } else if (response.status == 404 && code == core::Code::kEndpointNotFound) {
    message +=
        fmt::format("\nhint: does {} serve artifacts (mlflow server --serve-artifacts)?", server_);
  }
  return Status(code, std::move(message));
}

Status MlflowArtifactsStore::Check() {
  net::Request request = Build("GET", base_);
  if (!root_.empty()) request.url += "?path=" + core::PercentEncode(root_);
  CAIRN_ASSIGN_OR_RETURN(net::Response response, Send(request, retry_));
  core::JsonParseOptions parse;
  parse.allow_nan = true;
  Result<core::Value> body = core::ParseJson(response.body, "answer", parse);
  if (!body.ok() || !body->is_mapping()) {
    return Status::IoError(fmt::format(
        "{}: the answer (HTTP {}) is not a JSON object\nhint: is {} an MLflow tracking server?",
        What(request), response.status, server_));
  }
  return Status::Ok();
}

Result<std::vector<MlflowArtifactsStore::Entry>> MlflowArtifactsStore::ListDir(
    std::string_view dir) {
  net::Request request = Build("GET", base_);
  std::string path = ProxyPath(dir);
  if (!path.empty()) request.url += "?path=" + core::PercentEncode(path);
  CAIRN_ASSIGN_OR_RETURN(net::Response response, Send(request, retry_));
  std::string what = What(request);
  if (core::Trim(response.body).empty()) return std::vector<Entry>();
  core::JsonParseOptions parse;
  parse.allow_nan = true;
  Result<core::Value> body = core::ParseJson(response.body, "answer", parse);
  if (!body.ok()) {
    return Status::IoError(fmt::format("{}: the answer (HTTP {}) is not JSON: {}", what,
                                       response.status, body.status().message()));
  }
  return net::ReadAnswer(*body, what, [&](const net::FieldReader& answer) {
    std::vector<Entry> entries;
    for (const net::FieldReader& file : answer.Items("files")) {
      Entry entry;
      // MLflow answers basenames; take the last segment of a longer path all the same.
      std::string listed = file.String("path");
      entry.name = std::string(core::Basename(listed));
      entry.is_dir = file.Bool("is_dir");
      int64_t size = file.Int64("file_size");
      if (entry.name.empty() || entry.name == "." || entry.name == ".." || size < 0 ||
          entry.name.find('\0') != std::string::npos) {
        file.Fail("path", fmt::format("not a file name: '{}'", listed));
        continue;
      }
      entry.size = static_cast<uint64_t>(size);
      entries.push_back(std::move(entry));
    }
    return entries;
  });
}

Result<std::optional<BlobInfo>> MlflowArtifactsStore::Stat(std::string_view key) {
  CAIRN_RETURN_IF_ERROR(ValidateKey(key).WithContext(Describe()));
  std::string_view parent = core::Dirname(key);
  if (parent == ".") parent = "";
  std::string_view name = core::Basename(key);
  CAIRN_ASSIGN_OR_RETURN(std::vector<Entry> entries, ListDir(parent));
  for (const Entry& entry : entries) {
    if (entry.name == name && !entry.is_dir) {
      return std::optional<BlobInfo>(BlobInfo{std::string(key), entry.size});
    }
  }
  return std::optional<BlobInfo>();
}

Status MlflowArtifactsStore::ListUnder(const std::string& dir, std::string_view prefix,
                                       std::vector<BlobInfo>& out) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<Entry> entries, ListDir(dir));
  for (const Entry& entry : entries) {
    std::string key = Join(dir, entry.name);
    if (!entry.is_dir) {
      if (key.starts_with(prefix)) out.push_back({std::move(key), entry.size});
      continue;
    }
    // Enter only directories that can hold keys with the prefix.
    std::string as_dir = key + "/";
    if (as_dir.starts_with(prefix) || prefix.starts_with(as_dir)) {
      CAIRN_RETURN_IF_ERROR(ListUnder(key, prefix, out));
    }
  }
  return Status::Ok();
}

Result<std::vector<BlobInfo>> MlflowArtifactsStore::List(std::string_view prefix) {
  CAIRN_RETURN_IF_ERROR(ValidatePrefix(prefix).WithContext(Describe()));
  // Start in the deepest directory the prefix names in full.
  std::string dir(core::Dirname(prefix));
  if (prefix.ends_with('/')) dir = std::string(prefix.substr(0, prefix.size() - 1));
  if (dir == ".") dir.clear();
  std::vector<BlobInfo> out;
  CAIRN_RETURN_IF_ERROR(ListUnder(dir, prefix, out));
  return out;
}

Status MlflowArtifactsStore::Get(std::string_view key, const ChunkSink& sink) {
  CAIRN_RETURN_IF_ERROR(ValidateKey(key).WithContext(Describe()));
  ResumableSink download(sink);
  std::optional<uint64_t> total;  // the file's size, from the first answer
  bool missing = false;

  net::Request request = Build("GET", ObjectUrl(key));
  request.on_headers = [&](const net::Response& head) -> Status {
    // An answer after a failure sends the whole file again.
    download.skip = download.delivered;
    std::optional<int64_t> length =
        core::ParseInt64(head.Header("content-length").value_or(std::string_view()));
    if (length && *length >= 0) {
      if (total && *total != static_cast<uint64_t>(*length)) {
        return Status(
            core::Code::kAborted,
            fmt::format(
                "{}: {}: the file changed while it was being read ({} bytes, then {}): try again",
                Describe(), What(request), *total, *length));
      }
      total = static_cast<uint64_t>(*length);
    }
    return Status::Ok();
  };
  request.sink = [&](std::string_view chunk) { return download.Feed(chunk); };
  net::RetryPolicy policy = retry_;
  policy.retry_on = [&](const net::Response& response) {
    if (!net::IsTransientHttpStatus(response.status)) return false;
    if (response.status == 500 && download.delivered == 0) {
      // MLflow's answer to a missing file: retry only when the file is there.
      Result<std::optional<BlobInfo>> info = Stat(key);
      if (info.ok() && !info->has_value()) {
        missing = true;
        return false;
      }
    }
    return true;
  };

  int attempts = 0;
  Result<net::Response> response = net::WithRetries(
      policy, [&](int) { return http_->Send(request); }, &attempts);
  if (!download.error.ok()) return download.error;
  if (!response.ok()) return response.status().WithContext(What(request));
  if (!response->ok()) {
    Status error = ErrorFor(request, *response, attempts);
    // A JSON 404 is the server's "no such file" (cairn's RESOURCE_DOES_NOT_EXIST); a plain 404
    // is a server without the proxy, which the error's hint says.
    if (missing || error.IsNotFound()) {
      return Status::NotFound(fmt::format("{}: no file '{}' ({}: HTTP {})", Describe(), key,
                                          What(request), response->status));
    }
    return error;
  }
  if (total && download.delivered != *total) {
    return Status::IoError(fmt::format("{}: {}: received {} of the file's {} bytes", Describe(),
                                       What(request), download.delivered, *total));
  }
  return Status::Ok();
}

Status MlflowArtifactsStore::Put(std::string_view key, std::string_view data) {
  CAIRN_RETURN_IF_ERROR(ValidateKey(key).WithContext(Describe()));
  net::Request request = Build("PUT", ObjectUrl(key));
  request.body = std::string(data);
  return Send(request, retry_).status();
}

Status MlflowArtifactsStore::PutFile(std::string_view key, std::string_view path) {
  CAIRN_RETURN_IF_ERROR(ValidateKey(key).WithContext(Describe()));
  std::string what = fmt::format("{}: put '{}' from '{}'", Describe(), key, path);
  Result<sys::FileInfo> info = env_.Stat(path);
  if (!info.ok()) return info.status().WithContext(what);
  if (!info->is_regular()) {
    return Status::InvalidArgument(fmt::format("{}: '{}' is not a regular file", what, path));
  }
  net::Request request = Build("PUT", ObjectUrl(key));
  request.body_file = net::FileRange{std::string(path), 0, info->size};
  return Send(request, retry_).status();
}

Status MlflowArtifactsStore::Delete(std::string_view key) {
  CAIRN_RETURN_IF_ERROR(ValidateKey(key).WithContext(Describe()));
  net::Request request = Build("DELETE", ObjectUrl(key));
  return Send(request, retry_, {404}).status();
}

}  // namespace cairn::blob
