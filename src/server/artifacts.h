// Module-private: artifact paths and listings, shared by the artifact proxy, the run listing
// (GET /mlflow/artifacts/list) and the logged-model listing.
//
// Paths from clients are checked as MLflow's validate_path_is_safe does, and more strictly:
// after percent-decoding until nothing changes, a path with a ".." component, a leading '/',
// a backslash, a NUL, a '#' or a scheme prefix ("file:", "s3:", "C:") is refused with
// kInvalidParameterValue "Invalid path". Empty and "." components are dropped.
//
// Thread-safe: functions only read the ServerState, whose stores are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "blob/blob.h"
#include "core/result.h"
#include "core/value.h"
#include "server/server.h"

namespace cairn::server {

using core::Result;
using core::Status;

/// The path relative to an artifact root, normalized ("a//./b" -> "a/b"); InvalidArgument
/// "Invalid path" when unsafe (see the header comment), or when empty and !allow_empty.
Result<std::string> SafeArtifactPath(std::string_view path, bool allow_empty);

/// OK unless the request target as sent (still percent-encoded) climbs with "..", however
/// encoded.
Status CheckRawPath(std::string_view raw_path);

/// One entry of a directory listing.
struct ArtifactEntry {
  std::string name;  // the basename
  bool is_dir = false;
  uint64_t size = 0;  // files only
};

/// Where the artifacts under an artifact root URI are: a BlobStore (the proxy's, or one
/// opened for the root), the key prefix of the root inside it, and the local directory of the
/// store when it is one (for direct listings).
class ArtifactLocation {
 public:
  /// Resolves a run's or a logged model's artifact_uri: "mlflow-artifacts:/<p>" is <p> in the
  /// proxy's store; a directory, file:// or s3:// URI is opened as a BlobStore. Other schemes
  /// are kNotImplemented; mlflow-artifacts: on a server not serving artifacts is
  /// kInvalidParameterValue.
  static Result<ArtifactLocation> Resolve(ServerState& state, std::string_view root_uri);
  /// The proxy's own root.
  static Result<ArtifactLocation> ProxyRoot(ServerState& state);

  /// The immediate children of directory `dir` (relative to the root, "" for the root),
  /// sorted by name. A missing directory (or a file) has none.
  Result<std::vector<ArtifactEntry>> List(std::string_view dir) const;

 private:
  ArtifactLocation() = default;

  blob::BlobStore* store_ = nullptr;
  std::shared_ptr<blob::BlobStore> owned_;  // a store opened for this root
  std::string prefix_;                      // the root's key prefix in the store ("" or "1/x")
  std::string local_dir_;                   // the root as a local directory, when it is one
  sys::Env* env_ = nullptr;
};

/// {"root_uri": root_uri, "files": [...]} listing directory `path` of the artifact root
/// `root_uri`, each file's path relative to the root (as /mlflow/artifacts/list answers).
Result<core::Value> ListUnderRootJson(ServerState& state, std::string_view root_uri,
                                      std::string_view path);

}  // namespace cairn::server
