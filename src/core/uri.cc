#include "core/uri.h"

#include <fmt/format.h>

#include "core/strings.h"

namespace cairn::core {
namespace {

bool IsSchemeChar(char c, bool first) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (first) return alpha;
  return alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

Status Invalid(std::string_view text, std::string_view why) {
  return Status::InvalidArgument(fmt::format("invalid URI '{}': {}", text, why));
}

}  // namespace

Result<Uri> Uri::Parse(std::string_view text) {
  Uri uri;
  std::string_view rest = text;

  // scheme ":"
  size_t colon = rest.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    bool is_scheme = true;
    for (size_t i = 0; i < colon; ++i) {
      if (!IsSchemeChar(rest[i], i == 0)) {
        is_scheme = false;
        break;
      }
    }
    if (is_scheme) {
      uri.scheme = ToLower(rest.substr(0, colon));
      rest.remove_prefix(colon + 1);
    }
  }

  // fragment and query come off the end first.
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) {
    uri.fragment = std::string(rest.substr(hash + 1));
    rest = rest.substr(0, hash);
  }
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    uri.query = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }

  // "//" authority
  if (!uri.scheme.empty() && rest.substr(0, 2) == "//") {
    uri.has_authority = true;
    rest.remove_prefix(2);
    size_t end = rest.find('/');
    std::string_view authority = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
      uri.userinfo = std::string(authority.substr(0, at));
      authority.remove_prefix(at + 1);
    }
    std::string_view host = authority;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
      size_t close = authority.find(']');
      if (close == std::string_view::npos) return Invalid(text, "unclosed '[' in the host");
      host = authority.substr(0, close + 1);
      std::string_view after = authority.substr(close + 1);
      if (!after.empty()) {
        if (after.front() != ':') return Invalid(text, "expected ':' after the IPv6 host");
        port = after.substr(1);
        if (port.empty()) return Invalid(text, "empty port");
      }
    } else if (size_t pc = authority.rfind(':'); pc != std::string_view::npos) {
      host = authority.substr(0, pc);
      port = authority.substr(pc + 1);
      if (port.empty()) return Invalid(text, "empty port");
    }
    if (!port.empty()) {
      std::optional<int64_t> n = ParseInt64(port);
      if (!n || port.front() == '-' || port.front() == '+' || *n > 65535) {
        return Invalid(text, fmt::format("port '{}' is not a number from 0 to 65535", port));
      }
      uri.port = static_cast<int>(*n);
    }
    uri.host = uri.scheme == "http" || uri.scheme == "https" ? ToLower(host) : std::string(host);
  }
  uri.path = std::string(rest);
  return uri;
}

std::string Uri::ToString() const {
  std::string out;
  if (!scheme.empty()) out += scheme + ":";
  if (has_authority) {
    out += "//";
    if (!userinfo.empty()) out += userinfo + "@";
    out += host;
    if (port) out += ":" + std::to_string(*port);
  }
  out += path;
  if (query) out += "?" + *query;
  if (fragment) out += "#" + *fragment;
  return out;
}

std::string Uri::DecodedPath() const { return PercentDecode(path).value_or(path); }

std::string Uri::User() const {
  std::string_view u = userinfo;
  u = u.substr(0, u.find(':'));
  return PercentDecode(u).value_or(std::string(u));
}

std::optional<std::string> Uri::Password() const {
  size_t colon = userinfo.find(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string_view p = std::string_view(userinfo).substr(colon + 1);
  return PercentDecode(p).value_or(std::string(p));
}

std::vector<std::pair<std::string, std::string>> Uri::QueryParams() const {
  std::vector<std::pair<std::string, std::string>> params;
  if (!query || query->empty()) return params;
  for (std::string_view part : Split(*query, '&')) {
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view name = part.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? "" : part.substr(eq + 1);
    params.emplace_back(PercentDecode(name, true).value_or(std::string(name)),
                        PercentDecode(value, true).value_or(std::string(value)));
  }
  return params;
}

std::optional<std::string> Uri::QueryParam(std::string_view name) const {
  for (auto& [k, v] : QueryParams()) {
    if (k == name) return v;
  }
  return std::nullopt;
}

}  // namespace cairn::core
