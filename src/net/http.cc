// The value types of net.h and URL helpers for messages.
#include "core/strings.h"
#include "net/net.h"

namespace cairn::net {
namespace {

struct UrlParts {
  std::string_view scheme;     // without "://"; empty when there is none
  std::string_view authority;  // without userinfo
  std::string_view path;       // up to '?' or '#'
};

UrlParts SplitUrl(std::string_view url) {
  UrlParts parts;
  std::string_view rest = url;
  if (size_t at = rest.find("://"); at != std::string_view::npos) {
    parts.scheme = rest.substr(0, at);
    rest.remove_prefix(at + 3);
  }
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  parts.authority = authority;
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  parts.path = rest.substr(0, rest.find_first_of("?#"));
  return parts;
}

}  // namespace

std::optional<std::string_view> Response::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (core::EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::string RedactUrl(std::string_view url) {
  UrlParts parts = SplitUrl(url);
  std::string out;
  if (!parts.scheme.empty()) {
    out += parts.scheme;
    out += "://";
  }
  out += parts.authority;
  out += parts.path;
  return out;
}

std::string HostPort(std::string_view url) {
  UrlParts parts = SplitUrl(url);
  std::string_view authority = parts.authority;
  // A port follows the last ':' that is not inside an IPv6 literal's brackets.
  size_t colon = authority.rfind(':');
  size_t bracket = authority.rfind(']');
  bool has_port = colon != std::string_view::npos &&
                  (bracket == std::string_view::npos || colon > bracket) &&
                  colon + 1 < authority.size();
  if (has_port) return std::string(authority);
  if (!authority.empty() && authority.back() == ':') authority.remove_suffix(1);
  std::string out(authority);
  out += core::EqualsIgnoreCase(parts.scheme, "https") ? ":443" : ":80";
  return out;
}

}  // namespace cairn::net
