// Module-private: how endpoints are mounted. An endpoint is written once with its proto path
// ("/mlflow/runs/get") and mounted under every prefix MLflow serves it at: /api/2.0 and
// /ajax-api/2.0, and /api/3.0 and /ajax-api/3.0 for MLflow 3's endpoints (which MLflow 3
// clients may reach under either version).
//
// A JSON endpoint is a function from the request's message (server/request.h) to the
// response's JSON object; the wrapper answers its errors as MLflow's error JSON with the
// code's HTTP status. Raw endpoints (the artifact proxy) see the request as it came.
//
// Routes are added once, before the server starts; handlers run on many threads at once and
// share only the ServerState, whose stores are thread-safe.
#pragma once

#include <string_view>

#include "core/result.h"
#include "core/value.h"
#include "net/server.h"
#include "server/request.h"
#include "server/server.h"

namespace cairn::server {

/// What a JSON endpoint gets.
struct Call {
  const net::ServerRequest& request;
  const Params& params;
  ServerState& state;

  /// The route's i-th `{name}` segment, decoded.
  std::string_view PathParam(size_t i) const { return request.path_params.at(i); }
};

using JsonHandler = Result<core::Value> (*)(const Call& call);

/// Which API versions mount an endpoint.
enum ApiVersion : unsigned {
  kV2 = 1,
  kV3 = 2,
  kV2AndV3 = kV2 | kV3,
};

class Routes {
 public:
  Routes(net::Router& router, ServerState& state) : router_(router), state_(state) {}

  ServerState& state() { return state_; }

  /// Mounts a JSON endpoint at `path` under the prefixes of `versions`.
  void Json(std::string_view method, std::string_view path, JsonHandler handler,
            unsigned versions = kV2);
  /// Mounts a handler that answers the request itself.
  void Raw(std::string_view method, std::string_view path, const net::Handler& handler,
           unsigned versions = kV2);

 private:
  net::Router& router_;
  ServerState& state_;
};

/// An empty JSON object, the answer of endpoints that return nothing.
inline core::Value EmptyJson() { return core::Value::Mapping(); }

// One per area, each in its *_handlers.cc.
void AddTrackingRoutes(Routes& routes);
void AddLoggedModelRoutes(Routes& routes);
void AddRegistryRoutes(Routes& routes);
void AddArtifactRoutes(Routes& routes);

}  // namespace cairn::server
