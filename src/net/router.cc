// Router (server.h): method + path -> handler. Literal paths sit in one hash map (path ->
// the handlers by method); patterns sit in a list tried in the order added, matched segment
// by segment against the raw (still percent-encoded) path, so an encoded '/' stays inside its
// segment. Dispatch allocates nothing beyond the path parameters on the way to a handler; the
// 404/405 answers may.
//
// Thread safety: Add() is for setting up; Dispatch() is const and may run on many threads at
// once. Copies share the routes until one of them adds a route (copy on write).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_map>

#include "core/strings.h"
#include "net/server.h"

namespace cairn::net {
namespace {

enum class SegmentKind : uint8_t { kLiteral, kParam, kRest };

struct Segment {
  SegmentKind kind;
  std::string text;  // kLiteral: the segment; otherwise the parameter's name
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

[[noreturn]] void Bug(std::string_view method, std::string_view pattern, std::string_view what) {
  std::fprintf(stderr, "cairn: bug: route %.*s %.*s: %.*s\n", static_cast<int>(method.size()),
               method.data(), static_cast<int>(pattern.size()), pattern.data(),
               static_cast<int>(what.size()), what.data());
  std::abort();
}

// The percent-decoded text, or the text as is when it holds a malformed escape.
std::string Decode(std::string_view raw) {
  if (raw.find('%') == std::string_view::npos) return std::string(raw);
  std::optional<std::string> decoded = core::PercentDecode(raw);
  return decoded ? std::move(*decoded) : std::string(raw);
}

// A raw path segment equals a pattern's literal segment, either as sent or once decoded.
bool SegmentEquals(std::string_view raw, std::string_view literal) {
  if (raw == literal) return true;
  if (raw.find('%') == std::string_view::npos) return false;
  std::optional<std::string> decoded = core::PercentDecode(raw);
  return decoded && *decoded == literal;
}

}  // namespace

struct Router::Route {
  std::string method;
  std::string pattern;
  std::vector<Segment> segments;
  Handler handler;

  // Matches `raw_path` ("/a/b%2Fc"), filling `params` (cleared first) on success.
  bool Match(std::string_view raw_path, std::vector<std::string>& params) const {
    params.clear();
    if (raw_path.empty() || raw_path.front() != '/') return false;
    std::string_view rest = raw_path.substr(1);
    for (size_t i = 0; i < segments.size(); ++i) {
      const Segment& segment = segments[i];
      if (segment.kind == SegmentKind::kRest) {
        if (rest.empty()) return false;
        params.push_back(Decode(rest));
        return true;
      }
      size_t slash = rest.find('/');
      bool last = slash == std::string_view::npos;
      std::string_view raw = rest.substr(0, slash);
      if (segment.kind == SegmentKind::kLiteral) {
        if (!SegmentEquals(raw, segment.text)) return false;
      } else {
        if (raw.empty()) return false;
        params.push_back(Decode(raw));
      }
      bool pattern_last = i + 1 == segments.size();
      if (last != pattern_last) return false;
      if (!last) rest.remove_prefix(slash + 1);
    }
    return true;
  }
};

struct Router::Impl {
  // Literal path -> (method, handler) pairs.
  std::unordered_map<std::string, std::vector<std::pair<std::string, Handler>>, StringHash,
                     std::equal_to<>>
      literals;
  std::vector<Route> patterns;

  const Handler* FindLiteral(std::string_view path, std::string_view method) const {
    auto it = literals.find(path);
    if (it == literals.end()) return nullptr;
    for (const auto& [m, handler] : it->second) {
      if (m == method) return &handler;
    }
    return nullptr;
  }

  const Handler* FindPattern(std::string_view raw_path, std::string_view method,
                             std::vector<std::string>& params) const {
    for (const Route& route : patterns) {
      if (route.method == method && route.Match(raw_path, params)) return &route.handler;
    }
    params.clear();
    return nullptr;
  }

  const Handler* Find(ServerRequest& request, std::string_view method) const {
    if (const Handler* h = FindLiteral(request.path, method)) return h;
    return FindPattern(request.raw_path, method, request.path_params);
  }

  // The methods some route has for this path (for 405's Allow), in the order added.
  std::vector<std::string> AllowedMethods(const ServerRequest& request) const {
    std::vector<std::string> methods;
    auto add = [&methods](const std::string& m) {
      if (std::find(methods.begin(), methods.end(), m) == methods.end()) methods.push_back(m);
    };
    if (auto it = literals.find(std::string_view(request.path)); it != literals.end()) {
      for (const auto& entry : it->second) add(entry.first);
    }
    std::vector<std::string> params;
    for (const Route& route : patterns) {
      if (route.Match(request.raw_path, params)) add(route.method);
    }
    return methods;
  }
};

void Router::Add(std::string_view method, std::string_view pattern, Handler handler) {
  if (!impl_) {
    impl_ = std::make_shared<Impl>();
  } else if (impl_.use_count() > 1) {
    impl_ = std::make_shared<Impl>(*impl_);  // copies share routes until one of them adds
  }
  if (method.empty() || !handler) Bug(method, pattern, "empty method or handler");
  if (pattern.empty() || pattern.front() != '/') Bug(method, pattern, "does not start with '/'");

  if (pattern.find_first_of("{}") == std::string_view::npos) {
    auto& methods = impl_->literals[std::string(pattern)];
    for (const auto& entry : methods) {
      if (entry.first == method) Bug(method, pattern, "added twice");
    }
    methods.emplace_back(std::string(method), std::move(handler));
    return;
  }

  Route route;
  route.method = std::string(method);
  route.pattern = std::string(pattern);
  std::vector<std::string_view> parts = core::Split(pattern.substr(1), '/');
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view part = parts[i];
    if (part.find_first_of("{}") == std::string_view::npos) {
      route.segments.push_back({SegmentKind::kLiteral, std::string(part)});
      continue;
    }
    if (part.size() < 3 || part.front() != '{' || part.back() != '}' ||
        part.substr(1, part.size() - 2).find_first_of("{}") != std::string_view::npos) {
      Bug(method, pattern, "a parameter must be a whole segment: {name} or {name...}");
    }
    std::string_view name = part.substr(1, part.size() - 2);
    if (name.ends_with("...")) {
      if (i + 1 != parts.size()) Bug(method, pattern, "{name...} must be the last segment");
      name.remove_suffix(3);
      if (name.empty()) Bug(method, pattern, "a parameter needs a name");
      route.segments.push_back({SegmentKind::kRest, std::string(name)});
    } else {
      route.segments.push_back({SegmentKind::kParam, std::string(name)});
    }
  }
  for (const Route& other : impl_->patterns) {
    if (other.method == route.method && other.pattern == route.pattern) {
      Bug(method, pattern, "added twice");
    }
  }
  route.handler = std::move(handler);
  impl_->patterns.push_back(std::move(route));
}

void Router::Dispatch(ServerRequest& request, ServerResponse& response) const {
  if (impl_) {
    const Handler* handler = impl_->Find(request, request.method);
    // HEAD is GET without the body (the server drops it): a GET route answers it.
    if (handler == nullptr && request.method == "HEAD") handler = impl_->Find(request, "GET");
    if (handler != nullptr) {
      (*handler)(request, response);
      return;
    }
  }

  std::vector<std::string> allowed;
  if (impl_) allowed = impl_->AllowedMethods(request);
  if (allowed.empty()) {
    response.SetError(core::Status(core::Code::kEndpointNotFound,
                                   "No route for " + request.method + " " + request.raw_path));
    return;
  }
  std::string allow = core::Join(allowed, ", ");
  response.SetError(core::Status(
      core::Code::kEndpointNotFound,
      "No route for " + request.method + " " + request.raw_path + " (allowed: " + allow + ")"));
  response.status = 405;
  response.headers.emplace_back("Allow", std::move(allow));
}

}  // namespace cairn::net
