// StartServer: opens the stores and the artifact store a ServerConfig names, builds the route
// table and starts the HTTP server. The Server owns all of them; it stops the HTTP server
// (finishing the requests in flight) before the stores go.
#include <fmt/format.h>

#include <unistd.h>

#include "core/path.h"
#include "core/uri.h"
#include "server/server.h"

namespace cairn::server {

using core::Result;

namespace {

std::string CurrentDirectory() {
  char buffer[4096];
  return ::getcwd(buffer, sizeof(buffer)) != nullptr ? std::string(buffer) : std::string(".");
}

// A plain relative path made absolute (URIs stay as they are).
std::string AbsoluteIfPath(std::string_view location) {
  Result<core::Uri> uri = core::Uri::Parse(location);
  if (uri.ok() && !uri->scheme.empty()) return std::string(location);
  if (core::IsAbsolutePath(location)) return core::NormalizePath(location);
  return core::NormalizePath(core::JoinPath(CurrentDirectory(), location));
}

class ServerImpl final : public Server {
 public:
  ~ServerImpl() override {
    if (http_) {
      http_->Stop();
      http_->Wait();
      http_.reset();
    }
  }

  uint16_t port() const override { return http_->port(); }
  void Stop() override { http_->Stop(); }
  void Wait() override { http_->Wait(); }

  std::unique_ptr<sys::Env> env_;
  std::unique_ptr<track::TrackingStore> tracking_;
  std::unique_ptr<registry::RegistryStore> registry_;
  std::unique_ptr<blob::BlobStore> artifacts_;
  ServerState state_;
  std::unique_ptr<net::HttpServer> http_;  // last: goes first
};

Result<core::Uri> ParseStoreUri(std::string_view text, std::string_view flag) {
  Result<core::Uri> uri = core::Uri::Parse(text);
  if (!uri.ok()) return uri.status().WithContext(fmt::format("{} '{}'", flag, text));
  return uri;
}

}  // namespace

Result<std::unique_ptr<Server>> StartServer(const ServerConfig& config) {
  auto server = std::make_unique<ServerImpl>();
  server->env_ = sys::NewPosixEnv();
  sys::Env& env = *server->env_;

  // Artifact roots, as MLflow resolves them: proxied unless a root was given.
  std::string artifact_root = config.default_artifact_root;
  if (artifact_root.empty()) {
    artifact_root = config.serve_artifacts ? "mlflow-artifacts:" : "./mlruns";
  }
  if (artifact_root != "mlflow-artifacts:") artifact_root = AbsoluteIfPath(artifact_root);

  track::StoreOptions track_options;
  track_options.default_artifact_root = artifact_root;
  track_options.durable = config.durable;
  CAIRN_ASSIGN_OR_RETURN(core::Uri backend_uri,
                         ParseStoreUri(config.backend_store_uri, "--backend-store-uri"));
  Result<std::unique_ptr<track::TrackingStore>> tracking =
      track::OpenTrackingStore(backend_uri, track_options);
  if (!tracking.ok()) {
    return tracking.status().WithContext(
        fmt::format("opening the backend store '{}'", config.backend_store_uri));
  }
  server->tracking_ = std::move(*tracking);

  std::string registry_text =
      config.registry_store_uri.empty() ? config.backend_store_uri : config.registry_store_uri;
  registry::StoreOptions registry_options;
  registry_options.durable = config.durable;
  CAIRN_ASSIGN_OR_RETURN(core::Uri registry_uri,
                         ParseStoreUri(registry_text, "--registry-store-uri"));
  Result<std::unique_ptr<registry::RegistryStore>> registry =
      registry::OpenRegistryStore(registry_uri, registry_options);
  if (!registry.ok()) {
    return registry.status().WithContext(
        fmt::format("opening the registry store '{}'", registry_text));
  }
  server->registry_ = std::move(*registry);

  ServerState& state = server->state_;
  state.tracking = server->tracking_.get();
  state.registry = server->registry_.get();
  state.env = &env;
  if (config.serve_artifacts) {
    std::string destination = AbsoluteIfPath(config.artifacts_destination);
    CAIRN_ASSIGN_OR_RETURN(core::Uri uri, ParseStoreUri(destination, "--artifacts-destination"));
    if (uri.scheme.empty() || uri.scheme == "file") {
      std::string dir = uri.scheme.empty() ? uri.path : uri.DecodedPath();
      CAIRN_RETURN_IF_ERROR(env.CreateDirs(dir).WithContext("creating the artifacts destination"));
      state.artifacts_dir = dir;
    }
    Result<std::unique_ptr<blob::BlobStore>> store =
        blob::OpenBlobStore(uri, blob::BlobOptions{}, env);
    if (!store.ok()) {
      return store.status().WithContext(
          fmt::format("opening the artifacts destination '{}'", destination));
    }
    server->artifacts_ = std::move(*store);
    state.artifacts = server->artifacts_.get();
  }

  net::ServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.threads = config.workers > 0 ? config.workers : 16;
  if (!config.auth_file.empty()) {
    Result<std::unique_ptr<net::Htpasswd>> users = net::Htpasswd::Load(config.auth_file);
    if (!users.ok()) return users.status().WithContext("reading the auth file");
    options.authenticate = net::Htpasswd::Basic(
        std::shared_ptr<const net::Htpasswd>(std::move(*users)), "cairn", {"/health"});
  }
  net::Router router;
  AddRoutes(router, state);
  CAIRN_ASSIGN_OR_RETURN(server->http_, net::HttpServer::Start(options, std::move(router)));
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace cairn::server
