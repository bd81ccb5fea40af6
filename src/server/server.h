// server: MLflow's REST API (tracking, logged models, model registry, artifact proxy) over
// cairn's stores, as `cairn server` serves it. What each endpoint takes and answers is
// ../shared/reference/mlflow-api.md; every endpoint is mounted under /api/2.0 and
// /ajax-api/2.0 (the MLflow 3 ones under /api/3.0 and /ajax-api/3.0 too), beside GET /health
// and GET /version.
//
//   server::ServerConfig config;
//   config.backend_store_uri = "sqlite:///srv/mlflow.db";
//   config.port = 0;  // any free port
//   CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<server::Server> server, server::StartServer(config));
//   ... http://127.0.0.1:<server->port()>/api/2.0/mlflow/experiments/search ...
//   server->Stop();
//   server->Wait();
//
// Artifacts: with serve_artifacts (MLflow's default), new experiments get the artifact root
// "mlflow-artifacts:" (locations mlflow-artifacts:/<id>), which clients reach through the
// proxy endpoints; the proxy keeps the files under artifacts_destination (a directory or an
// s3:// URI). Without it, the root is default_artifact_root and the proxy answers 503.
//
// Threads: a Server serves requests on its own worker threads. Stop() may be called from any
// thread; Wait() returns once the server stopped. The stores and the artifact store a
// ServerState points at must be thread-safe (track::TrackingStore, registry::RegistryStore and
// blob::BlobStore are).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "blob/blob.h"
#include "core/result.h"
#include "net/server.h"
#include "registry/registry.h"
#include "sys/env.h"
#include "track/track.h"

namespace cairn::server {

struct ServerConfig {
  /// Where runs and experiments live (sqlite:///path.db).
  std::string backend_store_uri = "sqlite:///mlflow.db";
  /// Where registered models live; empty: backend_store_uri.
  std::string registry_store_uri;
  /// The root of new experiments' artifact locations. Empty: "mlflow-artifacts:" when serving
  /// artifacts, else "./mlruns" (made absolute).
  std::string default_artifact_root;
  /// Where the artifact proxy keeps files: a directory (made absolute, created when missing)
  /// or s3://bucket/prefix.
  std::string artifacts_destination = "./mlartifacts";
  /// Serve the artifact proxy (/api/2.0/mlflow-artifacts/...).
  bool serve_artifacts = true;
  std::string host = "127.0.0.1";
  /// 0: any free port (read it back with Server::port()).
  uint16_t port = 5000;
  /// Worker threads; each serves one connection at a time.
  int workers = 16;
  /// An htpasswd file of bcrypt entries: when set, every request but GET /health needs basic
  /// authentication by one of its users.
  std::string auth_file;
  /// SQLite: synchronous=FULL (survives a power loss), not NORMAL (survives a crash).
  bool durable = false;
};

/// What the handlers work on. The pointers are borrowed: they must outlive the router.
struct ServerState {
  track::TrackingStore* tracking = nullptr;
  registry::RegistryStore* registry = nullptr;
  /// The artifact proxy's store (artifacts_destination); null when artifacts are not served,
  /// and the proxy endpoints answer 503.
  blob::BlobStore* artifacts = nullptr;
  /// When `artifacts` is a local directory: its absolute path, so downloads stream the file
  /// and listings see directories. Empty otherwise.
  std::string artifacts_dir;
  /// Opens run artifact roots that are not proxied (a local directory, s3://) for listing.
  sys::Env* env = nullptr;
};

/// Adds every route of the API to `router`: the tracking, logged-model, registry and
/// artifact-proxy endpoints under their prefixes, GET /health and GET /version.
void AddRoutes(net::Router& router, ServerState& state);

/// A running server (see the header comment).
class Server {
 public:
  virtual ~Server() = default;
  /// The port actually bound.
  virtual uint16_t port() const = 0;
  /// Stops accepting; Wait() returns once the requests in flight are answered. Idempotent.
  virtual void Stop() = 0;
  virtual void Wait() = 0;
};

/// Opens the stores and the artifact store `config` names and starts serving. Fails when a
/// store cannot be opened (naming its URI), the auth file cannot be read, or host:port cannot
/// be bound.
core::Result<std::unique_ptr<Server>> StartServer(const ServerConfig& config);

/// cairn's version, as GET /version answers it.
std::string_view Version();

}  // namespace cairn::server
