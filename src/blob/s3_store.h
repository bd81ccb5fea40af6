// Module-private: S3BlobStore, a BlobStore in an S3 bucket or on an S3-compatible server
// (MinIO, Ceph, s3rver...), over net::HttpClient, each request signed with SigV4 (sigv4.h).
//
// Requests (docs/formats/s3-remote.md lists them with their query parameters):
//   Check    ListObjectsV2 ?list-type=2&max-keys=1&prefix=<root>/ on the bucket
//   Stat     HeadObject
//   List     ListObjectsV2, following continuation tokens
//   Get      GetObject, streamed; after a transient failure it resumes with
//            "Range: bytes=<received>-" and "If-Match: <etag>"
//   Put      PutObject
//   PutFile  PutObject streamed from the file; at least multipart_threshold bytes:
//            CreateMultipartUpload, UploadPart per part (streamed from the file),
//            CompleteMultipartUpload, or AbortMultipartUpload when any step fails
//   Delete   DeleteObject
// Every payload is signed by its SHA-256 (x-amz-content-sha256): a file is hashed before it
// is sent, so S3 rejects an upload whose bytes changed on the way (or on disk meanwhile).
//
// Addressing: path-style `<endpoint_url>/<bucket>/<key>` when endpoint_url is set, else
// virtual-hosted `https://<bucket>.s3.<region>.amazonaws.com/<key>` (path-style on
// s3.<region>.amazonaws.com for a bucket name with a dot, which no wildcard certificate
// covers).
//
// Thread-safe: the configuration never changes after construction, and the HttpClient is
// thread-safe.
#pragma once

#include <memory>
#include <string>

#include "blob/blob.h"
#include "blob/credentials.h"
#include "net/net.h"

namespace cairn::blob {

struct S3Config {
  std::string bucket;
  std::string prefix;        // the root inside the bucket: no leading or trailing '/'
  std::string region;        // e.g. "us-east-1"
  std::string endpoint_url;  // "http://127.0.0.1:4568", no trailing '/'; empty for AWS
  ResolvedCredentials credentials;
  uint64_t multipart_threshold = 64ull << 20;
  uint64_t multipart_part_size = 16ull << 20;
  int list_page_size = 1000;
  net::RetryPolicy retry;
};

/// The configuration for `uri` (s3://bucket/prefix) under `options`: validates the options
/// and resolves the credentials and region (credentials.h), reading through `env`.
Result<S3Config> MakeS3Config(const core::Uri& uri, const BlobOptions& options, sys::Env& env);

class S3BlobStore final : public BlobStore {
 public:
  /// `http` carries every request; `env` gives the clock (x-amz-date) and reads the files
  /// PutFile hashes, and must outlive the store. Fails on a malformed endpoint_url.
  static Result<std::unique_ptr<S3BlobStore>> Create(S3Config config,
                                                     std::unique_ptr<net::HttpClient> http,
                                                     sys::Env& env);

  std::string Describe() const override;
  Status Check() override;
  Result<std::optional<BlobInfo>> Stat(std::string_view key) override;
  Result<std::vector<BlobInfo>> List(std::string_view prefix) override;
  Status Get(std::string_view key, const ChunkSink& sink) override;
  Status PutFile(std::string_view key, std::string_view path) override;
  Status Put(std::string_view key, std::string_view data) override;
  Status Delete(std::string_view key) override;

 private:
  // One S3 request, before it is addressed and signed.
  struct Call {
    explicit Call(std::string m, std::string o = "") : method(std::move(m)), object(std::move(o)) {}

    std::string method;
    std::string object;  // the key inside the bucket (root prefix included); "" for the bucket
    std::vector<std::pair<std::string, std::string>> query;  // decoded
    net::Headers headers;                                    // besides host and x-amz-*
    std::string body;
    std::optional<net::FileRange> body_file;
    std::string payload_hash;  // hex SHA-256 of the body; "" means of `body`, computed
    net::BodySink sink;
    std::function<Status(const net::Response&)> on_headers;
  };

  S3BlobStore(S3Config config, std::unique_ptr<net::HttpClient> http, sys::Env& env);

  /// The key inside the bucket for a key of this store.
  std::string ObjectKey(std::string_view key) const;
  /// The request for `call`, addressed and signed now.
  net::Request Build(const Call& call) const;
  /// Sends `call` with retries. A 2xx answer (without an S3 error in its body) or a status in
  /// `also_ok` is returned; anything else becomes the error for `what` (e.g. "get 'k'").
  Result<net::Response> Send(const Call& call, std::string_view what,
                             std::initializer_list<int> also_ok = {});
  /// The error for an S3 error response: its Code and Message, and what to fix.
  Status ErrorFor(const net::Response& response, std::string_view what, int attempts) const;
  /// The error for a request that got no response (connection refused, DNS, timeout...).
  Status TransportError(const Status& status, std::string_view what) const;
  Status PutMultipart(std::string_view key, std::string_view path, uint64_t size);

  const S3Config config_;
  const std::unique_ptr<net::HttpClient> http_;
  sys::Env& env_;
  net::RetryPolicy retry_;  // config_.retry, plus S3's transient error codes
  // Addressing, derived from the config once.
  std::string origin_;       // "https://bucket.s3.us-east-1.amazonaws.com", no trailing '/'
  std::string host_;         // the Host header: origin_'s authority
  std::string bucket_path_;  // decoded path of the bucket: "/bucket" (path-style) or ""
};

}  // namespace cairn::blob
