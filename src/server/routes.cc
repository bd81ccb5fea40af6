// The route table: mounting endpoints under their prefixes, the JSON endpoint wrapper, and
// AddRoutes, which adds every area's endpoints plus /health and /version.
#include <array>
#include <string>

#include "core/json.h"
#include "server/routes.h"

namespace cairn::server {
namespace {

struct Prefix {
  unsigned version;
  std::string_view text;
};

constexpr std::array kPrefixes = {
    Prefix{kV2, "/api/2.0"},
    Prefix{kV2, "/ajax-api/2.0"},
    Prefix{kV3, "/api/3.0"},
    Prefix{kV3, "/ajax-api/3.0"},
};

}  // namespace

std::string_view Version() {
  // cairn answers its own version (the CMake project's), not an MLflow one: clients that
  // probe /version only print it.
  return CAIRN_VERSION;
}

void Routes::Raw(std::string_view method, std::string_view path, const net::Handler& handler,
                 unsigned versions) {
  for (const Prefix& prefix : kPrefixes) {
    if ((versions & prefix.version) == 0) continue;
    router_.Add(method, std::string(prefix.text) + std::string(path), handler);
  }
}

void Routes::Json(std::string_view method, std::string_view path, JsonHandler handler,
                  unsigned versions) {
  ServerState* state = &state_;
  Raw(
      method, path,
      [handler, state](const net::ServerRequest& request, net::ServerResponse& response) {
        Result<Params> params = Params::Parse(request);
        if (!params.ok()) {
          response.SetError(params.status());
          return;
        }
        Result<core::Value> body = handler(Call{request, *params, *state});
        if (!body.ok()) {
          response.SetError(body.status());
          return;
        }
        response.SetJson(200, core::ToJson(*body));
      },
      versions);
}

void AddRoutes(net::Router& router, ServerState& state) {
  router.Add("GET", "/health", [](const net::ServerRequest&, net::ServerResponse& response) {
    response.SetText(200, "OK");
  });
  router.Add("GET", "/version", [](const net::ServerRequest&, net::ServerResponse& response) {
    response.SetText(200, std::string(Version()));
  });
  Routes routes(router, state);
  AddTrackingRoutes(routes);
  AddLoggedModelRoutes(routes);
  AddRegistryRoutes(routes);
  AddArtifactRoutes(routes);
}

}  // namespace cairn::server
