// blob: object storage by URI, for DVC remotes and MLflow artifacts.
//
// A BlobStore holds byte strings under '/'-separated keys relative to its root:
//   /srv/remote              a local directory (also file:///srv/remote)
//   s3://bucket/prefix       S3, or any S3-compatible server (endpoint_url)
//   an MLflow tracking server's artifact proxy, below a directory of it
//                            (OpenMlflowArtifactsStore)
// so `files/md5/ab/cdef...` is `<root>/files/md5/ab/cdef...` in every backend. A key is a
// relative path: not empty, no leading or trailing '/', no empty, "." or ".." segment, no NUL
// (InvalidArgument otherwise, in every backend alike).
//
// Guarantees every backend keeps:
//   - Put is atomic: a reader sees the old object, no object, or the whole new one, never a
//     part (local: temp file + rename in the same directory; S3: one PUT, or a multipart
//     upload that only appears when completed). An interrupted Put leaves nothing behind
//     that a later List or Stat reports.
//   - Errors name the store (Describe()), the key and what to do: bad credentials
//     (kUnauthenticated / kPermissionDenied), a missing bucket or directory
//     (kResourceDoesNotExist), an unreachable endpoint (kTemporarilyUnavailable), each after
//     the retries the backend makes for transient failures (5xx, 429, resets).
//
// Thread safety: every method may be called from several threads at once (transfers run
// in parallel); a backend shares connections between calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "core/uri.h"
#include "sys/env.h"

namespace cairn::blob {

using core::Result;
using core::Status;

struct BlobInfo {
  std::string key;
  uint64_t size = 0;
};

/// Receives an object's bytes in order, chunk by chunk; a failed Status stops the transfer.
using ChunkSink = std::function<Status(std::string_view chunk)>;

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  /// How errors name this store: "/srv/remote", "s3://bucket/prefix", or
  /// "s3://bucket/prefix at http://127.0.0.1:4568" for an S3-compatible endpoint.
  virtual std::string Describe() const = 0;

  /// One cheap request proving the store is reachable, the credentials are accepted and the
  /// bucket (or directory) exists. Run it before a transfer so a bad setup fails fast.
  virtual Status Check() = 0;

  /// The object's size, or nullopt when there is no object under `key`.
  virtual Result<std::optional<BlobInfo>> Stat(std::string_view key) = 0;

  /// Every object whose key starts with `prefix` (a directory-like prefix such as
  /// "files/md5/"), in no particular order. An empty prefix lists the whole store.
  virtual Result<std::vector<BlobInfo>> List(std::string_view prefix) = 0;

  /// Streams the object's bytes to `sink`. NotFound when absent. A download cut by a transient
  /// failure resumes where it stopped (refusing an object replaced meanwhile), so the sink
  /// sees each byte once, in order.
  virtual Status Get(std::string_view key, const ChunkSink& sink) = 0;

  /// Stores the bytes of the local file `path` under `key`, atomically (see above). Large
  /// files may be sent in parts; the object appears only once all parts arrived.
  virtual Status PutFile(std::string_view key, std::string_view path) = 0;

  /// Stores `data` under `key`, atomically.
  virtual Status Put(std::string_view key, std::string_view data) = 0;

  /// Removes the object; OK when it was already absent.
  virtual Status Delete(std::string_view key) = 0;
};

/// S3 credentials; empty fields are looked up in the standard places (see OpenBlobStore).
struct S3Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
};

struct BlobOptions {
  /// S3 and S3-compatible servers.
  S3Credentials credentials;
  std::string profile;  // ~/.aws/credentials section; default $AWS_PROFILE or "default"
  /// The shared credentials file (DVC's credentialpath); default
  /// $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials.
  std::string credentials_file;
  std::string region;        // default $AWS_REGION, $AWS_DEFAULT_REGION, else "us-east-1"
  std::string endpoint_url;  // e.g. http://127.0.0.1:4568 (path-style requests)
  bool verify_tls = true;
  /// Files at least this large are uploaded in parts of `multipart_part_size`.
  uint64_t multipart_threshold = 64ull << 20;
  uint64_t multipart_part_size = 16ull << 20;
  /// Keys asked for per ListObjectsV2 request (S3 answers at most 1000).
  int list_page_size = 1000;
  /// Attempts per request for transient failures (connection errors, 5xx, 429).
  int max_attempts = 5;
  /// The first wait before a retry; it doubles with each attempt (with jitter), up to 20 s.
  std::chrono::milliseconds retry_backoff{200};
  /// Limit on setting up a connection.
  std::chrono::milliseconds connect_timeout{10'000};
  /// A transfer that moves no byte for this long fails (and is retried).
  std::chrono::seconds stall_timeout{60};
};

/// Opens the store at `uri`: a plain path or file:// URI (a local directory), or s3://.
/// Credentials for S3 come from `options.credentials` when set (DVC's config.local), then
/// the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN variables, then the
/// profile's section of the shared credentials file (`options.credentials_file`, else
/// $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials), all read through `env`. Opening makes no
/// request; Check() does. `env` must outlive the store.
Result<std::unique_ptr<BlobStore>> OpenBlobStore(const core::Uri& uri, const BlobOptions& options,
                                                 sys::Env& env);

/// How to reach an MLflow tracking server's artifact proxy.
struct MlflowArtifactsOptions {
  /// Basic auth when `username` is set (MLFLOW_TRACKING_USERNAME / _PASSWORD), else a bearer
  /// `token` when set (MLFLOW_TRACKING_TOKEN). Sent in an Authorization header, never named in
  /// a message.
  std::string username;
  std::string password;
  std::string token;
  bool verify_tls = true;
  /// Attempts per request for transient failures (connection errors, 5xx, 429).
  int max_attempts = 5;
  /// The first wait before a retry; it doubles with each attempt (with jitter), up to 20 s.
  std::chrono::milliseconds retry_backoff{200};
  std::chrono::milliseconds connect_timeout{10'000};
  /// A transfer that moves no byte for this long fails (and is retried).
  std::chrono::seconds stall_timeout{60};
};

/// The files under directory `root` ('/'-separated, "" for all) of the artifact proxy of the
/// MLflow (or cairn) tracking server at `server_url` (http(s)://host:port[/prefix], as
/// MLFLOW_TRACKING_URI names it; userinfo in it gives basic-auth credentials when the options
/// name none). The object `key` is the file
/// <server_url>/api/2.0/mlflow-artifacts/artifacts/<root>/<key>, each path segment
/// percent-encoded. Stat and List read the server's directory listings (one request per
/// directory); a Delete of a key that is a directory on the server removes the directory (the
/// server's rule). Errors name the method, the URL and the HTTP status with the server's
/// message. Opening makes no request; Check() does. `env` must outlive the store.
Result<std::unique_ptr<BlobStore>> OpenMlflowArtifactsStore(std::string_view server_url,
                                                            std::string_view root,
                                                            const MlflowArtifactsOptions& options,
                                                            sys::Env& env);

}  // namespace cairn::blob
