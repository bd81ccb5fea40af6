// OpenTrackingStore: the backend for a tracking URI, as MLflow picks it by scheme.
//
//   sqlite:///rel.db      rel.db relative to the working directory (SQLAlchemy's rule: the path
//   sqlite:////abs/x.db   is what follows "sqlite:///", so a fourth slash makes it absolute)
//   sqlite:// or sqlite:///:memory:   a private in-memory database
//   http(s)://...         RestTrackingStore: MLflow's REST API
//   a path or file:       MLflow's file store: refused
//
// Thread-safe (no state).
#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "net/net.h"
#include "track/rest_store.h"
#include "track/sql_store.h"
#include "track/track.h"

namespace cairn::track {
namespace {

Result<std::string> SqlitePath(const core::Uri& uri) {
  const std::string text = net::RedactUrl(uri.ToString());
  if (!uri.has_authority || !uri.host.empty() || uri.port || !uri.userinfo.empty()) {
    return Status::InvalidArgument(
        fmt::format("Invalid sqlite URI '{}': expected sqlite:///<relative path> or "
                    "sqlite:////<absolute path>",
                    text));
  }
  const std::string path = uri.DecodedPath();
  if (path.empty() || path == "/:memory:") return std::string(":memory:");
  // The path starts with the '/' that ends "sqlite:///"; what follows is the file name.
  std::string file = path.substr(1);
  if (file.empty()) {
    return Status::InvalidArgument(
        fmt::format("Invalid sqlite URI '{}': no database file after sqlite:///", text));
  }
  return file;
}

// The root for new experiments' artifacts: as given when it is a URI or an absolute path, a
// relative directory made absolute, "./mlruns" (absolute) when none is given.
Result<std::string> ArtifactRoot(std::string_view root) {
  if (root.empty()) root = "./mlruns";
  Result<core::Uri> uri = core::Uri::Parse(root);
  if (uri.ok() && !uri->scheme.empty()) return std::string(root);
  std::filesystem::path path(root);
  if (path.is_absolute()) return std::string(root);
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  if (error) {
    return Status::IoError(
        fmt::format("cannot make the artifact root '{}' absolute: {}", root, error.message()));
  }
  return absolute.lexically_normal().string();
}

}  // namespace

Result<std::unique_ptr<TrackingStore>> OpenTrackingStore(const core::Uri& uri,
                                                         const StoreOptions& options) {
  if (uri.scheme == "sqlite") {
    SqlTrackingStore::Config config;
    CAIRN_ASSIGN_OR_RETURN(config.path, SqlitePath(uri));
    CAIRN_ASSIGN_OR_RETURN(config.default_artifact_root,
                           ArtifactRoot(options.default_artifact_root));
    config.durable = options.durable;
    CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<SqlTrackingStore> store,
                           SqlTrackingStore::Open(std::move(config)));
    return std::unique_ptr<TrackingStore>(std::move(store));
  }
  if (uri.scheme == "http" || uri.scheme == "https") {
    return OpenRestTrackingStore(uri, options);
  }
  if (uri.scheme.empty() || uri.scheme == "file") {
    return Status::InvalidArgument(
        fmt::format("'{}' is MLflow's file store, which cairn does not write; use "
                    "sqlite:///<path>.db",
                    net::RedactUrl(uri.ToString())));
  }
  if (uri.scheme == "postgresql" || uri.scheme == "mysql" || uri.scheme == "mssql") {
    return Status::NotImplemented(
        fmt::format("'{}': the {} tracking store is not built yet; use sqlite:///<path>.db",
                    net::RedactUrl(uri.ToString()), uri.scheme));
  }
  return Status::InvalidArgument(fmt::format(
      "Unsupported tracking URI '{}': expected sqlite:///<path>.db or http(s)://<server>",
      net::RedactUrl(uri.ToString())));
}

}  // namespace cairn::track
