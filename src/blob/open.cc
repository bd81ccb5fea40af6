// OpenBlobStore: the backend by URI scheme.
#include <fmt/format.h>

#include "blob/blob.h"
#include "blob/local_store.h"
#include "blob/s3_store.h"

namespace cairn::blob {

Result<std::unique_ptr<BlobStore>> OpenBlobStore(const core::Uri& uri, const BlobOptions& options,
                                                 sys::Env& env) {
  if (uri.scheme.empty() || uri.scheme == "file") {
    std::string root = uri.scheme.empty() ? uri.path : uri.DecodedPath();
    if (uri.scheme == "file" && !uri.host.empty() && uri.host != "localhost") {
      return Status::InvalidArgument(fmt::format(
          "'{}' names a file on host '{}'\nhint: write a local directory as file:///<path> or "
          "as a plain path",
          uri.ToString(), uri.host));
    }
    if (root.empty()) {
      return Status::InvalidArgument(fmt::format("'{}' names no directory", uri.ToString()));
    }
    return std::unique_ptr<BlobStore>(new LocalBlobStore(std::move(root), env));
  }
  if (uri.scheme == "s3") {
    CAIRN_ASSIGN_OR_RETURN(S3Config config, MakeS3Config(uri, options, env));
    net::ClientOptions http_options;
    http_options.connect_timeout = options.connect_timeout;
    http_options.low_speed_time = options.stall_timeout;
    http_options.verify_tls = options.verify_tls;
    CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<net::HttpClient> http,
                           net::NewCurlHttpClient(http_options));
    CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<S3BlobStore> store,
                           S3BlobStore::Create(std::move(config), std::move(http), env));
    return std::unique_ptr<BlobStore>(std::move(store));
  }
  return Status::InvalidArgument(fmt::format(
      "'{}': cairn cannot store objects at a '{}:' URL\nhint: use a local directory (a path or "
      "file:///...) or an S3 bucket (s3://bucket/prefix)",
      uri.ToString(), uri.scheme));
}

}  // namespace cairn::blob
