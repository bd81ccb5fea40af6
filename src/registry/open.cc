// OpenRegistryStore: the backend for a registry URI, chosen by scheme as MLflow does.
//   sqlite:///rel.db       SqlRegistryStore on rel.db, relative to the working directory
//   sqlite:////abs/x.db    SqlRegistryStore on /abs/x.db (SQLAlchemy's four slashes)
//   sqlite:// or sqlite:///:memory:   a private in-memory database
//   http://, https://      RestRegistryStore: MLflow's REST API
// Anything else (a plain path, file:, MLflow's file store) is refused with a hint.
#include <memory>
#include <string>

#include "net/net.h"
#include "registry/registry.h"
#include "registry/rest_store.h"
#include "registry/sql_store.h"

namespace cairn::registry {

namespace {

// The file a sqlite: URI names, as SQLAlchemy reads it: everything after "sqlite:///".
Result<std::string> SqlitePath(const core::Uri& uri) {
  if (!uri.host.empty() || uri.port || !uri.userinfo.empty()) {
    return Status::InvalidArgument("Invalid registry URI '" + net::RedactUrl(uri.ToString()) +
                                   "': a sqlite URI has no host; use sqlite:///relative/path.db "
                                   "or sqlite:////absolute/path.db");
  }
  std::string path = uri.DecodedPath();
  if (path.empty()) return std::string(":memory:");
  if (path.front() == '/') path.erase(0, 1);
  if (path.empty()) {
    return Status::InvalidArgument("Invalid registry URI '" + net::RedactUrl(uri.ToString()) +
                                   "': no database file; use sqlite:///path/to/mlflow.db");
  }
  return path;
}

}  // namespace

Result<std::unique_ptr<RegistryStore>> OpenRegistryStore(const core::Uri& uri,
                                                         const StoreOptions& options) {
  if (uri.scheme == "sqlite") {
    CAIRN_ASSIGN_OR_RETURN(std::string path, SqlitePath(uri));
    db::SqliteOptions sqlite;
    sqlite.durable = options.durable;
    CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<SqlRegistryStore> store,
                           SqlRegistryStore::Open(path, sqlite));
    return std::unique_ptr<RegistryStore>(std::move(store));
  }
  if (uri.scheme == "http" || uri.scheme == "https") {
    return OpenRestRegistryStore(uri, options);
  }
  return Status::InvalidArgument("Unsupported registry URI '" + net::RedactUrl(uri.ToString()) +
                                 "': expected sqlite:///<path to a database file> (e.g. "
                                 "sqlite:///mlflow.db) or http(s)://<tracking server>");
}

}  // namespace cairn::registry
