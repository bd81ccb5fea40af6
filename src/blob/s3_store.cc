#include "blob/s3_store.h"

#include <fmt/format.h>

#include <algorithm>

#include "blob/key.h"
#include "blob/resumable_sink.h"
#include "blob/sigv4.h"
#include "blob/xml.h"
#include "core/hash.h"
#include "core/strings.h"
#include "sys/hash_file.h"

namespace cairn::blob {
namespace {

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kMinPartSize = 5 * kMiB;         // S3's minimum for every part but the last
constexpr uint64_t kMaxPartSize = 5 * 1024 * kMiB;  // and maximum for a part or a single PUT
constexpr uint64_t kMaxParts = 10'000;
constexpr size_t kHashChunk = 1 << 20;

bool Contains(std::initializer_list<int> list, int value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// The Code of an S3 <Error> document in the response's body, or "".
std::string ErrorCode(const net::Response& response) {
  std::vector<std::string_view> errors = xml::Elements(response.body, "Error");
  if (errors.empty()) return "";
  return xml::Text(errors.front(), "Code").value_or("");
}

bool IsTransientCode(std::string_view code) {
  return code == "RequestTimeout" || code == "InternalError" || code == "SlowDown" ||
         code == "ServiceUnavailable";
}

bool IsCredentialsCode(std::string_view code) {
  return code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" ||
         code == "InvalidToken" || code == "TokenRefreshRequired" || code == "InvalidSecurity" ||
         code == "ExpiredToken" || code == "MissingSecurityHeader";
}

bool IsRegionCode(std::string_view code) {
  return code == "AuthorizationHeaderMalformed" || code == "PermanentRedirect" ||
         code == "IllegalLocationConstraintException" || code == "InvalidRegion";
}

// Hex SHA-256 of each `part_size` part of the file, read once, front to back.
Result<std::vector<std::string>> HashParts(sys::Env& env, std::string_view path, uint64_t size,
                                           uint64_t part_size) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<sys::SequentialFile> file, env.OpenSequential(path));
  std::vector<std::string> hashes;
  core::Digest digest(core::Digest::Algorithm::kSha256);
  std::string buffer(kHashChunk, '\0');
  uint64_t total = 0;
  uint64_t in_part = 0;
  for (;;) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), part_size - in_part));
    CAIRN_ASSIGN_OR_RETURN(size_t n, file->Read(buffer.data(), want));
    if (n == 0) break;
    digest.Update(buffer.data(), n);
    total += n;
    in_part += n;
    if (in_part == part_size) {
      hashes.push_back(digest.FinishHex());
      in_part = 0;
    }
  }
  if (in_part > 0) hashes.push_back(digest.FinishHex());
  if (total != size) {
    return Status::IoError(
        fmt::format("'{}' changed while it was being read: {} bytes, not {}", path, total, size));
  }
  return hashes;
}

}  // namespace

Result<S3Config> MakeS3Config(const core::Uri& uri, const BlobOptions& options, sys::Env& env) {
  std::string text = uri.ToString();
  if (uri.scheme != "s3" || uri.host.empty()) {
    return Status::InvalidArgument(fmt::format(
        "'{}' names no bucket\nhint: write an S3 remote as s3://<bucket>/<prefix>", text));
  }
  if (uri.port || !uri.userinfo.empty() || uri.query || uri.fragment) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not an S3 URL of the form s3://<bucket>/<prefix>\nhint: give a custom "
                    "server's address as endpoint_url, and credentials in their own options",
                    text));
  }
  S3Config config;
  config.bucket = uri.host;
  std::string prefix = uri.DecodedPath();
  while (prefix.starts_with('/')) prefix.erase(0, 1);
  while (prefix.ends_with('/')) prefix.pop_back();
  if (!prefix.empty()) {
    CAIRN_RETURN_IF_ERROR(ValidateKey(prefix).WithContext(fmt::format("'{}'", text)));
  }
  config.prefix = std::move(prefix);
  config.region = ResolveRegion(options, env);
  config.endpoint_url = options.endpoint_url;
  while (config.endpoint_url.ends_with('/')) config.endpoint_url.pop_back();

  if (options.multipart_part_size < kMinPartSize || options.multipart_part_size > kMaxPartSize) {
    return Status::InvalidArgument(
        fmt::format("multipart_part_size {} is outside S3's limits ({} to {} bytes)",
                    options.multipart_part_size, kMinPartSize, kMaxPartSize));
  }
  if (options.multipart_threshold == 0 || options.multipart_threshold > kMaxPartSize) {
    return Status::InvalidArgument(fmt::format(
        "multipart_threshold {} must be between 1 and {} bytes (S3's largest single PUT)",
        options.multipart_threshold, kMaxPartSize));
  }
  if (options.list_page_size < 1 || options.list_page_size > 1000) {
    return Status::InvalidArgument(
        fmt::format("list_page_size {} must be between 1 and 1000", options.list_page_size));
  }
  config.multipart_threshold = options.multipart_threshold;
  config.multipart_part_size = options.multipart_part_size;
  config.list_page_size = options.list_page_size;
  config.retry.max_attempts = std::max(1, options.max_attempts);
  config.retry.initial_backoff = options.retry_backoff;

  Result<ResolvedCredentials> credentials = ResolveCredentials(options, env);
  if (!credentials.ok()) return credentials.status().WithContext(text);
  config.credentials = std::move(*credentials);
  return config;
}

Result<std::unique_ptr<S3BlobStore>> S3BlobStore::Create(S3Config config,
                                                         std::unique_ptr<net::HttpClient> http,
                                                         sys::Env& env) {
  std::unique_ptr<S3BlobStore> store(new S3BlobStore(std::move(config), std::move(http), env));
  const S3Config& c = store->config_;
  if (!c.endpoint_url.empty()) {
    Result<core::Uri> endpoint = core::Uri::Parse(c.endpoint_url);
    if (!endpoint.ok() || (endpoint->scheme != "http" && endpoint->scheme != "https") ||
        endpoint->host.empty() || !endpoint->userinfo.empty() || endpoint->query) {
      return Status::InvalidArgument(fmt::format(
          "endpoint_url '{}' is not an http:// or https:// server address\nhint: write it as "
          "http://<host>:<port>, e.g. http://127.0.0.1:9000",
          net::RedactUrl(c.endpoint_url)));
    }
    store->host_ = endpoint->host;
    if (endpoint->port) store->host_ += ":" + std::to_string(*endpoint->port);
    store->origin_ = endpoint->scheme + "://" + store->host_;
    store->bucket_path_ = endpoint->DecodedPath() + "/" + c.bucket;
  } else {
    bool dns_safe = std::all_of(c.bucket.begin(), c.bucket.end(), [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
    });
    if (dns_safe) {
      store->host_ = fmt::format("{}.s3.{}.amazonaws.com", c.bucket, c.region);
    } else {
      store->host_ = fmt::format("s3.{}.amazonaws.com", c.region);
      store->bucket_path_ = "/" + c.bucket;
    }
    store->origin_ = "https://" + store->host_;
  }
  return store;
}

S3BlobStore::S3BlobStore(S3Config config, std::unique_ptr<net::HttpClient> http, sys::Env& env)
    : config_(std::move(config)), http_(std::move(http)), env_(env), retry_(config_.retry) {
  retry_.retry_on = [](const net::Response& response) {
    return net::IsTransientHttpStatus(response.status) || IsTransientCode(ErrorCode(response));
  };
}

std::string S3BlobStore::Describe() const {
  std::string out = "s3://" + config_.bucket;
  if (!config_.prefix.empty()) out += "/" + config_.prefix;
  if (!config_.endpoint_url.empty()) out += " at " + net::RedactUrl(config_.endpoint_url);
  return out;
}

std::string S3BlobStore::ObjectKey(std::string_view key) const {
  if (config_.prefix.empty()) return std::string(key);
  return config_.prefix + "/" + std::string(key);
}

net::Request S3BlobStore::Build(const Call& call) const {
  sigv4::Request signing;
  signing.method = call.method;
  if (!call.object.empty()) {
    signing.path = bucket_path_ + "/" + call.object;
  } else {
    signing.path = bucket_path_.empty() ? "/" : bucket_path_;
  }
  signing.query = call.query;
  signing.payload_hash = call.payload_hash.empty() ? core::Sha256Hex(call.body) : call.payload_hash;
  signing.headers = call.headers;
  signing.headers.emplace_back("host", host_);
  signing.headers.emplace_back("x-amz-content-sha256", signing.payload_hash);
  sigv4::Sign(signing, config_.credentials.credentials, config_.region, "s3",
              sigv4::AmzDate(env_.NowMicros()));

  net::Request request;
  request.method = call.method;
  std::string query = sigv4::CanonicalQuery(call.query);
  request.url = origin_ + sigv4::EncodePath(signing.path) + (query.empty() ? "" : "?" + query);
  request.headers = std::move(signing.headers);
  request.body = call.body;
  request.body_file = call.body_file;
  request.sink = call.sink;
  request.on_headers = call.on_headers;
  return request;
}

Result<net::Response> S3BlobStore::Send(const Call& call, std::string_view what,
                                        std::initializer_list<int> also_ok) {
  int attempts = 0;
  Result<net::Response> response = net::WithRetries(
      retry_, [&](int) { return http_->Send(Build(call)); }, &attempts);
  if (!response.ok()) return TransportError(response.status(), what);
  if ((response->ok() && ErrorCode(*response).empty()) || Contains(also_ok, response->status)) {
    return response;
  }
  return ErrorFor(*response, what, attempts);
}

Status S3BlobStore::TransportError(const Status& status, std::string_view what) const {
  std::string context = fmt::format("{}: {}", Describe(), what);
  if (status.code() != core::Code::kTemporarilyUnavailable) return status.WithContext(context);
  std::string hint =
      config_.endpoint_url.empty()
          ? fmt::format("check the network connection to {}", host_)
          : fmt::format("check that the S3 server at {} is running, and the remote's endpoint_url",
                        net::RedactUrl(config_.endpoint_url));
  return Status::Unavailable(fmt::format("{}: {}\nhint: {}", context, status.message(), hint));
}

Status S3BlobStore::ErrorFor(const net::Response& response, std::string_view what,
                             int attempts) const {
  std::vector<std::string_view> errors = xml::Elements(response.body, "Error");
  std::string_view error = errors.empty() ? std::string_view() : errors.front();
  std::string code = xml::Text(error, "Code").value_or("");
  std::string message = xml::Text(error, "Message").value_or("");
  std::string detail = code.empty() ? fmt::format("HTTP {}", response.status)
                                    : fmt::format("{} (HTTP {})", code, response.status);
  if (!message.empty()) detail += ": " + message;
  if (code.empty() && response.body.empty() && response.status >= 400) {
    detail += " (the response carries no error details)";
  }
  std::string head = fmt::format("{}: {}: {}", Describe(), what, detail);
  auto with_hint = [&](core::Code c, std::string hint) {
    return Status(c, fmt::format("{}\nhint: {}", head, hint));
  };
  const std::string& source = config_.credentials.source;

  if (code == "ExpiredToken" || code == "TokenRefreshRequired") {
    return with_hint(core::Code::kUnauthenticated,
                     fmt::format("the session token has expired: get new credentials (these "
                                 "came from {})",
                                 source));
  }
  if (IsCredentialsCode(code) || response.status == 401) {
    return with_hint(
        core::Code::kUnauthenticated,
        fmt::format("check the credentials, which came from {}: access_key_id/secret_access_key "
                    "in .dvc/config.local, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
                    source));
  }
  if (code == "RequestTimeTooSkewed") {
    return with_hint(core::Code::kInvalidState,
                     "this machine's clock is off by more than 15 minutes: synchronize it (NTP)");
  }
  if (IsRegionCode(code) || response.status == 301) {
    std::string region = xml::Text(error, "Region").value_or("");
    if (region.empty()) region = std::string(response.Header("x-amz-bucket-region").value_or(""));
    return with_hint(core::Code::kInvalidParameterValue,
                     region.empty()
                         ? fmt::format("the bucket is not in region '{}': set the remote's "
                                       "region to the bucket's",
                                       config_.region)
                         : fmt::format("the bucket is in region '{}', not '{}': set the "
                                       "remote's region to '{}'",
                                       region, config_.region, region));
  }
  if (code == "NoSuchBucket") {
    return with_hint(core::Code::kResourceDoesNotExist,
                     fmt::format("create bucket '{}', or fix the remote's url{}", config_.bucket,
                                 config_.endpoint_url.empty() ? "" : " and endpoint_url"));
  }
  if (code.empty() && response.status == 403) {
    // A HEAD answer has no body: bad credentials and missing permissions look alike.
    return with_hint(core::Code::kPermissionDenied,
                     fmt::format("either the credentials (from {}) are wrong, or they may not do "
                                 "this in s3://{}; checking the remote tells which",
                                 source, config_.bucket));
  }
  if (code == "AccessDenied" || code == "AllAccessDisabled" || code == "AccountProblem" ||
      response.status == 403) {
    return with_hint(core::Code::kPermissionDenied,
                     fmt::format("the credentials (from {}) may not do this in s3://{}: ask for "
                                 "access (s3:ListBucket, s3:GetObject, s3:PutObject, "
                                 "s3:DeleteObject) or use other credentials",
                                 source, config_.bucket));
  }
  if (response.status == 404) return Status::NotFound(head);
  if (response.status == 412) {
    return with_hint(core::Code::kAborted,
                     "the object was replaced while it was being read: try again");
  }
  if (net::IsTransientHttpStatus(response.status) || IsTransientCode(code)) {
    if (attempts > 1) head += fmt::format(" (gave up after {} attempts)", attempts);
    return Status::Unavailable(
        fmt::format("{}\nhint: the server is overloaded or failing: try "
                    "again later",
                    head));
  }
  return Status::IoError(head);
}

Status S3BlobStore::Check() {
  Call call("GET");
  call.query = {{"list-type", "2"}, {"max-keys", "1"}};
  call.query.emplace_back("prefix", config_.prefix.empty() ? "" : config_.prefix + "/");
  CAIRN_ASSIGN_OR_RETURN(net::Response response, Send(call, "check the bucket"));
  if (xml::Elements(response.body, "ListBucketResult").empty()) {
    return Status::IoError(fmt::format(
        "{}: check the bucket: the server answered HTTP {} without a ListBucketResult\nhint: "
        "is endpoint_url an S3 server?",
        Describe(), response.status));
  }
  return Status::Ok();
}

Result<std::optional<BlobInfo>> S3BlobStore::Stat(std::string_view key) {
  CAIRN_RETURN_IF_ERROR(ValidateKey(key).WithContext(Describe()));
  Call call("HEAD", ObjectKey(key));
  CAIRN_ASSIGN_OR_RETURN(net::Response response, Send(call, fmt::format("stat '{}'", key), {404}));
  if (response.status == 404) return std::optional<BlobInfo>();
  std::optional<int64_t> size =
      core::ParseInt64(response.Header("content-length").value_or(std::string_view()));
  if (!size || *size < 0) {
    return Status::IoError(
        fmt::format("{}: stat '{}': the answer has no Content-Length", Describe(), key));
  }
  return std::optional<BlobInfo>(BlobInfo{std::string(key), static_cast<uint64_t>(*size)});
}

Result<std::vector<BlobInfo>> S3BlobStore::List(std::string_view prefix) {
  CAIRN_RETURN_IF_ERROR(ValidatePrefix(prefix).WithContext(Describe()));
  std::string root = config_.prefix.empty() ? "" : config_.prefix + "/";
  std::string what = fmt::format("list '{}'", prefix);
  std::vector<BlobInfo> out;
  std::string token;
  for (;;) {
    Call call("GET");
    call.query = {{"list-type", "2"},
                  {"prefix", root + std::string(prefix)},
                  {"max-keys", std::to_string(config_.list_page_size)}};
    if (!token.empty()) call.query.emplace_back("continuation-token", token);
    CAIRN_ASSIGN_OR_RETURN(net::Response response, Send(call, what));
    for (std::string_view contents : xml::Elements(response.body, "Contents")) {
      std::string key = xml::Text(contents, "Key").value_or("");
      std::optional<int64_t> size = core::ParseInt64(xml::Text(contents, "Size").value_or(""));
      if (!key.starts_with(root) || !size || *size < 0) continue;
      key.erase(0, root.size());
      // Skip what is no key of ours, e.g. the "dir/" markers consoles create.
      if (!ValidateKey(key).ok()) continue;
      out.push_back({std::move(key), static_cast<uint64_t>(*size)});
    }
    if (xml::Text(response.body, "IsTruncated").value_or("") != "true") break;
    std::string next = xml::Text(response.body, "NextContinuationToken").value_or("");
    if (next.empty() || next == token) {
      return Status::IoError(fmt::format(
          "{}: {}: the server says the listing goes on but gives no new continuation token",
          Describe(), what));
    }
    token = std::move(next);
  }
  return out;
}

Status S3BlobStore::Get(std::string_view key, const ChunkSink& sink) {
  CAIRN_RETURN_IF_ERROR(ValidateKey(key).WithContext(Describe()));
  std::string what = fmt::format("get '{}'", key);
  ResumableSink download(sink);   // a retry resumes after what the sink has received
  std::optional<uint64_t> total;  // the object's size, from the first response
  std::string etag;               // of the object, so a resumed read refuses a new version

  Call call("GET", ObjectKey(key));
  call.on_headers = [&](const net::Response& head) -> Status {
    download.skip = 0;
    if (download.delivered == 0) {
      etag = std::string(head.Header("etag").value_or(""));
      std::optional<int64_t> length =
          core::ParseInt64(head.Header("content-length").value_or(std::string_view()));
      if (length && *length >= 0 && head.status == 200) total = static_cast<uint64_t>(*length);
      return Status::Ok();
    }
    if (head.status != 206) {
      download.skip = download.delivered;  // the server sent the whole object again
      return Status::Ok();
    }
    // "bytes <first>-<last>/<size>"
    std::string_view range = head.Header("content-range").value_or("");
    size_t dash = range.find('-');
    std::optional<int64_t> first = range.starts_with("bytes ") && dash != std::string_view::npos
                                       ? core::ParseInt64(range.substr(6, dash - 6))
                                       : std::nullopt;
    if (!first || static_cast<uint64_t>(*first) != download.delivered) {
      return Status::IoError(fmt::format("{}: {}: resumed at byte {}, but the server sent '{}'",
                                         Describe(), what, download.delivered, range));
    }
    return Status::Ok();
  };
  call.sink = [&](std::string_view chunk) { return download.Feed(chunk); };

  int attempts = 0;
  Result<net::Response> response = net::WithRetries(
      retry_,
      [&](int) {
        download.error = Status::Ok();
        Call attempt = call;
        if (download.delivered > 0) {
          attempt.headers.emplace_back("range", fmt::format("bytes={}-", download.delivered));
          if (!etag.empty()) attempt.headers.emplace_back("if-match", etag);
        }
        return http_->Send(Build(attempt));
      },
      &attempts);
  if (!download.error.ok()) return download.error;
  if (!response.ok()) return TransportError(response.status(), what);
  // A connection cut after the last byte: the resumed read has nothing left to send.
  if (response->status == 416 && total && download.delivered == *total) return Status::Ok();
  if (!response->ok()) {
    if (response->status == 404 && ErrorCode(*response) != "NoSuchBucket") {
      return Status::NotFound(fmt::format("{}: no object '{}'", Describe(), key));
    }
    return ErrorFor(*response, what, attempts);
  }
  if (total && download.delivered != *total) {
    return Status::IoError(fmt::format("{}: {}: received {} of the object's {} bytes", Describe(),
                                       what, download.delivered, *total));
  }
  return Status::Ok();
}

Status S3BlobStore::Put(std::string_view key, std::string_view data) {
  CAIRN_RETURN_IF_ERROR(ValidateKey(key).WithContext(Describe()));
  if (data.size() > kMaxPartSize) {
    return Status::InvalidArgument(fmt::format(
        "{}: put '{}': {} bytes is more than one S3 PUT takes\nhint: write it to a file and use "
        "PutFile, which uploads in parts",
        Describe(), key, data.size()));
  }
  Call call("PUT", ObjectKey(key));
  call.body = std::string(data);
  call.payload_hash = core::Sha256Hex(data);
  return Send(call, fmt::format("put '{}'", key)).status();
}

Status S3BlobStore::PutFile(std::string_view key, std::string_view path) {
  CAIRN_RETURN_IF_ERROR(ValidateKey(key).WithContext(Describe()));
  std::string what = fmt::format("put '{}' from '{}'", key, path);
  Result<sys::FileInfo> info = env_.Stat(path);
  if (!info.ok()) return info.status().WithContext(fmt::format("{}: {}", Describe(), what));
  if (!info->is_regular()) {
    return Status::InvalidArgument(
        fmt::format("{}: {}: '{}' is not a regular file", Describe(), what, path));
  }
  if (info->size >= config_.multipart_threshold) return PutMultipart(key, path, info->size);
  Result<std::string> sha256 = sys::HashFile(env_, path, core::Digest::Algorithm::kSha256);
  if (!sha256.ok()) return sha256.status().WithContext(fmt::format("{}: {}", Describe(), what));
  Call call("PUT", ObjectKey(key));
  call.body_file = net::FileRange{std::string(path), 0, info->size};
  call.payload_hash = *sha256;
  return Send(call, what).status();
}

Status S3BlobStore::PutMultipart(std::string_view key, std::string_view path, uint64_t size) {
  std::string what = fmt::format("put '{}' from '{}'", key, path);
  // S3 takes at most 10000 parts: a huge file gets larger parts.
  uint64_t part_size = std::max(config_.multipart_part_size, (size + kMaxParts - 1) / kMaxParts);
  Result<std::vector<std::string>> hashes = HashParts(env_, path, size, part_size);
  if (!hashes.ok()) return hashes.status().WithContext(fmt::format("{}: {}", Describe(), what));
  const std::string object = ObjectKey(key);

  Call create("POST", object);
  create.query = {{"uploads", ""}};
  CAIRN_ASSIGN_OR_RETURN(net::Response created,
                         Send(create, fmt::format("start the multipart upload of '{}'", key)));
  std::string upload_id = xml::Text(created.body, "UploadId").value_or("");
  if (upload_id.empty()) {
    return Status::IoError(fmt::format(
        "{}: start the multipart upload of '{}': the answer has no UploadId", Describe(), key));
  }

  auto upload = [&]() -> Status {
    std::string parts_xml;
    size_t parts = hashes->size();
    for (size_t i = 0; i < parts; ++i) {
      uint64_t offset = i * part_size;
      Call part("PUT", object);
      part.query = {{"partNumber", std::to_string(i + 1)}, {"uploadId", upload_id}};
      part.body_file =
          net::FileRange{std::string(path), offset, std::min(part_size, size - offset)};
      part.payload_hash = (*hashes)[i];
      std::string part_what = fmt::format("upload part {} of {} of '{}'", i + 1, parts, key);
      CAIRN_ASSIGN_OR_RETURN(net::Response sent, Send(part, part_what));
      std::optional<std::string_view> etag = sent.Header("etag");
      if (!etag || etag->empty()) {
        return Status::IoError(
            fmt::format("{}: {}: the answer has no ETag", Describe(), part_what));
      }
      parts_xml += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", i + 1,
                               xml::Escape(*etag));
    }
    Call complete("POST", object);
    complete.query = {{"uploadId", upload_id}};
    complete.headers = {{"content-type", "application/xml"}};
    complete.body = fmt::format(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUpload "
        "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{}</CompleteMultipartUpload>",
        parts_xml);
    return Send(complete, fmt::format("complete the multipart upload of '{}'", key)).status();
  };
  Status status = upload();
  if (!status.ok()) {
    // Best effort: free the parts already stored (a lifecycle rule would, eventually).
    Call abort("DELETE", object);
    abort.query = {{"uploadId", upload_id}};
    (void)Send(abort, "abort the multipart upload");
  }
  return status;
}

Status S3BlobStore::Delete(std::string_view key) {
  CAIRN_RETURN_IF_ERROR(ValidateKey(key).WithContext(Describe()));
  std::string what = fmt::format("delete '{}'", key);
  Call call("DELETE", ObjectKey(key));
  CAIRN_ASSIGN_OR_RETURN(net::Response response, Send(call, what, {404}));
  if (response.status == 404 && ErrorCode(response) == "NoSuchBucket") {
    return ErrorFor(response, what, 1);
  }
  return Status::Ok();
}

}  // namespace cairn::blob
