#include "blob/key.h"

#include <fmt/format.h>

#include "core/strings.h"

namespace cairn::blob {
namespace {

core::Status Bad(std::string_view what, std::string_view key, std::string_view why) {
  return core::Status::InvalidArgument(fmt::format("bad {} '{}': {}", what, key, why));
}

core::Status CheckSegments(std::string_view what, std::string_view key, std::string_view path) {
  if (key.find('\0') != std::string_view::npos) return Bad(what, key, "it holds a NUL byte");
  if (path.starts_with('/')) return Bad(what, key, "it must be relative (no leading '/')");
  for (std::string_view segment : core::Split(path, '/')) {
    if (segment.empty()) return Bad(what, key, "it has an empty segment ('//')");
    if (segment == "." || segment == "..") {
      return Bad(what, key, "'.' and '..' segments are not allowed");
    }
  }
  return core::Status::Ok();
}

}  // namespace

core::Status ValidateKey(std::string_view key) {
  if (key.empty()) return Bad("object key", key, "it is empty");
  if (key.ends_with('/')) return Bad("object key", key, "it ends with '/'");
  return CheckSegments("object key", key, key);
}

core::Status ValidatePrefix(std::string_view prefix) {
  if (prefix.empty()) return core::Status::Ok();
  std::string_view path = prefix.ends_with('/') ? prefix.substr(0, prefix.size() - 1) : prefix;
  if (path.empty()) return Bad("key prefix", prefix, "it must be relative (no leading '/')");
  return CheckSegments("key prefix", prefix, path);
}

}  // namespace cairn::blob
