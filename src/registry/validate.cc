// Input checks shared by the registry backends, worded as MLflow words them.
#include "registry/validate.h"

#include <string>
#include <vector>

#include "core/json.h"
#include "core/strings.h"
#include "core/value.h"

namespace cairn::registry {

namespace {

// Python's len() of a str: code points, not bytes.
size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// Python's json.dumps of a string (ensure_ascii), as MLflow quotes values in its messages.
std::string JsonQuoted(std::string_view s) {
  core::JsonWriteOptions options;
  options.ensure_ascii = true;
  return core::ToJson(core::Value::String(std::string(s)), options);
}

std::string InvalidValue(std::string_view path, std::string_view value, std::string_view why) {
  return "Invalid value " + JsonQuoted(value) + " for parameter '" + std::string(path) +
         "' supplied: " + std::string(why);
}

// A character of Python's \w (Unicode-aware): ASCII letters, digits and '_', and any non-ASCII
// character (approximated by its UTF-8 bytes).
bool IsWordByte(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_';
}

// posixpath.normpath.
std::string NormPath(std::string_view path) {
  if (path.empty()) return ".";
  size_t initial_slashes = 0;
  if (path.front() == '/') {
    initial_slashes =
        (path.size() >= 2 && path[1] == '/' && (path.size() == 2 || path[2] != '/')) ? 2 : 1;
  }
  std::vector<std::string_view> parts;
  for (std::string_view part : core::Split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part != ".." || (initial_slashes == 0 && parts.empty()) ||
        (!parts.empty() && parts.back() == "..")) {
      parts.push_back(part);
    } else if (!parts.empty()) {
      parts.pop_back();
    }
  }
  std::string out(initial_slashes, '/');
  out += core::Join(parts, "/");
  return out.empty() ? "." : out;
}

}  // namespace

Status ValidateModelName(std::string_view name, std::string_view field) {
  if (name.empty()) {
    return Status::InvalidArgument("Missing value for required parameter '" + std::string(field) +
                                   "'.");
  }
  return Status::Ok();
}

Result<int64_t> ParseVersion(std::string_view version) {
  // Python's int(): surrounding whitespace and a sign are fine.
  if (std::optional<int64_t> number = core::ParseInt64(core::Trim(version))) return *number;
  return Status::InvalidArgument("Parameter 'version' must be an integer, got '" +
                                 std::string(version) + "'.");
}

Status ValidateTagKey(std::string_view key) {
  for (char c : key) {
    if (!IsWordByte(c) && c != '/' && c != '.' && c != '-' && c != ' ' && c != ':') {
      return Status::InvalidArgument(InvalidValue(
          "key", key,
          "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), "
          "spaces ( ), colon(:) and slashes (/)."));
    }
  }
  std::string norm = NormPath(key);
  if (norm != key || norm == "." || norm.starts_with("..") || norm.starts_with("/")) {
    return Status::InvalidArgument(InvalidValue(
        "key", key,
        "Names may be treated as files in certain cases, and must not resolve to other names "
        "when treated as such. This name would resolve to '" +
            norm + "'"));
  }
  if (CodePoints(key) > kMaxRegistryTagKeyLength) {
    return Status::InvalidArgument("'key' exceeds the maximum length of " +
                                   std::to_string(kMaxRegistryTagKeyLength) + " characters");
  }
  return Status::Ok();
}

Status ValidateTag(const Tag& tag) {
  CAIRN_RETURN_IF_ERROR(ValidateTagKey(tag.key));
  if (CodePoints(tag.value) > kMaxRegistryTagValueLength) {
    return Status::InvalidArgument("'value' exceeds the maximum length of " +
                                   std::to_string(kMaxRegistryTagValueLength) + " characters");
  }
  return Status::Ok();
}

Status ValidateAlias(std::string_view alias) {
  if (alias.empty()) {
    return Status::InvalidArgument("Registered model alias name cannot be empty.");
  }
  for (char c : alias) {
    if (!IsWordByte(c) && c != '-') {
      return Status::InvalidArgument(
          "Invalid alias name: '" + std::string(alias) +
          "'. Names may only contain alphanumerics, underscores (_), and dashes (-).");
    }
  }
  if (CodePoints(alias) > kMaxAliasLength) {
    return Status::InvalidArgument("'Registered model alias name' exceeds the maximum length of " +
                                   std::to_string(kMaxAliasLength) + " characters");
  }
  if (core::EqualsIgnoreCase(alias, "latest")) {
    return Status::InvalidArgument("'latest' alias name (case insensitive) is reserved.");
  }
  if (alias.size() >= 2 && (alias[0] == 'v' || alias[0] == 'V') &&
      alias.find_first_not_of("0123456789", 1) == std::string_view::npos) {
    return Status::InvalidArgument("Version alias name '" + std::string(alias) + "' is reserved.");
  }
  return Status::Ok();
}

Status ValidateSource(std::string_view source) {
  if (source.empty()) return ValidateModelName(source, "source");
  // Decode until stable, so "%252E%252E" cannot hide a "..".
  std::string decoded(source);
  for (int i = 0; i < 16; ++i) {
    std::optional<std::string> next = core::PercentDecode(decoded, /*plus_is_space=*/true);
    if (!next || *next == decoded) break;
    decoded = std::move(*next);
  }
  bool relative = decoded.find('\0') != std::string::npos;
  for (std::string_view part : core::Split(decoded, '/')) {
    if (part == "." || part == "..") relative = true;
  }
  if (relative) {
    return Status::InvalidArgument(
        "Invalid model version source: '" + std::string(source) +
        "'. If supplying a source as an http, https, local file path, ftp, objectstore, or "
        "mlflow-artifacts uri, an absolute path must be provided without relative path "
        "references present. Please provide an absolute path.");
  }
  return Status::Ok();
}

}  // namespace cairn::registry
