// MLflow's input validation (validation.h). Pure functions; thread-safe.
#include "track/validation.h"

#include <fmt/format.h>

#include <vector>

#include "core/strings.h"

namespace cairn::track {
namespace {

using core::Status;

constexpr std::string_view kBadCharactersMessage =
    "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), "
    "colon(:) and slashes (/).";

// Python's \w plus "/.- :": ASCII alphanumerics and '_', and any non-ASCII byte (a Unicode
// letter or digit, in the UTF-8 MLflow receives).
bool IsKeyChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '/' || c == '.' || c == '-' || c == ' ' || c == ':' || c >= 0x80;
}

// The first `limit` characters of `text` (for messages).
std::string Prefix(std::string_view text, size_t limit) {
  size_t chars = 0;
  size_t i = 0;
  for (; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (chars == limit) break;
      ++chars;
    }
  }
  return std::string(text.substr(0, i));
}

Status LengthLimit(std::string_view entity, size_t limit, std::string_view value) {
  size_t length = CharLength(value);
  if (length <= limit) return Status::Ok();
  return Status::InvalidArgument(
      fmt::format("{} '{}' had length {}, which exceeded length limit of {}", entity,
                  Prefix(value, 250), length, limit));
}

Status SizeLimit(std::string_view what, size_t limit, std::string_view value) {
  if (value.size() <= limit) return Status::Ok();
  return Status::InvalidArgument(
      fmt::format("{} exceeds the maximum length of {} (got {})", what, limit, value.size()));
}

}  // namespace

std::string PosixNormPath(std::string_view path) {
  if (path.empty()) return ".";
  size_t initial_slashes = 0;
  if (path.front() == '/') {
    initial_slashes = 1;
    if (path.size() > 1 && path[1] == '/' && (path.size() == 2 || path[2] != '/')) {
      initial_slashes = 2;
    }
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

size_t CharLength(std::string_view text) {
  size_t n = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

Status ValidateKeyName(std::string_view kind, std::string_view name) {
  for (char c : name) {
    if (!IsKeyChar(static_cast<unsigned char>(c))) {
      return Status::InvalidArgument(
          fmt::format("Invalid {} name: '{}'. {}", kind, name, kBadCharactersMessage));
    }
  }
  std::string norm = PosixNormPath(name);
  if (norm != name || norm == "." || norm.starts_with("..") || norm.starts_with("/")) {
    return Status::InvalidArgument(fmt::format(
        "Invalid {} name: '{}'. Names may be treated as files in certain cases, and must not "
        "resolve to other names when treated as such. This name would resolve to '{}'",
        kind, name, norm));
  }
  return Status::Ok();
}

Status ValidateMetric(const Metric& metric) {
  CAIRN_RETURN_IF_ERROR(ValidateKeyName("metric", metric.key));
  if (metric.timestamp < 0) {
    return Status::InvalidArgument(fmt::format(
        "Got invalid timestamp {} for metric '{}' (value={}). Timestamp must be a nonnegative "
        "long (64-bit integer) ",
        metric.timestamp, metric.key, core::FormatDouble(metric.value)));
  }
  return LengthLimit("Metric name", kMaxEntityKeyLength, metric.key);
}

Status ValidateParam(const Param& param) {
  CAIRN_RETURN_IF_ERROR(ValidateKeyName("parameter", param.key));
  CAIRN_RETURN_IF_ERROR(LengthLimit("Param key", kMaxEntityKeyLength, param.key));
  return LengthLimit("Param value", kMaxParamValueLength, param.value);
}

Status ValidateTag(const Tag& tag) {
  CAIRN_RETURN_IF_ERROR(ValidateKeyName("tag", tag.key));
  CAIRN_RETURN_IF_ERROR(LengthLimit("Tag key", kMaxEntityKeyLength, tag.key));
  return LengthLimit("Tag value", kMaxTagValueLength, tag.value);
}

Status ValidateExperimentTag(const Tag& tag) {
  CAIRN_RETURN_IF_ERROR(ValidateKeyName("tag", tag.key));
  CAIRN_RETURN_IF_ERROR(LengthLimit("Tag key", kMaxExperimentTagKeyLength, tag.key));
  return LengthLimit("Tag value", kMaxExperimentTagValueLength, tag.value);
}

Status ValidateExperimentName(std::string_view name) {
  if (name.empty()) {
    return Status::InvalidArgument(fmt::format("Invalid experiment name: '{}'", name));
  }
  if (CharLength(name) > kMaxExperimentNameLength) {
    return Status::InvalidArgument(fmt::format(
        "Experiment name exceeds the maximum length of {} characters", kMaxExperimentNameLength));
  }
  return Status::Ok();
}

Status ValidateArtifactLocation(std::string_view location) {
  if (location.starts_with("runs:")) {
    return Status::InvalidArgument(
        fmt::format("Artifact location cannot be a runs:/ URI. Given: '{}'", location));
  }
  if (location.find('#') != std::string_view::npos ||
      location.find('?') != std::string_view::npos) {
    return Status::InvalidArgument(fmt::format(
        "Artifact location '{}' must not contain a query string or a fragment", location));
  }
  return Status::Ok();
}

Status ValidateBatchLimits(size_t metrics, size_t params, size_t tags) {
  auto limit = [](std::string_view entity, size_t max, size_t got) -> Status {
    if (got <= max) return Status::Ok();
    return Status::InvalidArgument(fmt::format(
        "A batch logging request can contain at most {} {}. Got {} {}. Please split up {} across "
        "multiple requests and try again.",
        max, entity, got, entity, entity));
  };
  CAIRN_RETURN_IF_ERROR(limit("metrics", kMaxMetricsPerBatch, metrics));
  CAIRN_RETURN_IF_ERROR(limit("params", kMaxParamsPerBatch, params));
  CAIRN_RETURN_IF_ERROR(limit("tags", kMaxTagsPerBatch, tags));
  return limit("metrics, params, and tags", kMaxEntitiesPerBatch, metrics + params + tags);
}

Status ValidateMaxResults(int64_t max_results, int64_t limit) {
  if (max_results < 1) {
    return Status::InvalidArgument(fmt::format(
        "Invalid value {} for parameter 'max_results' supplied. It must be a positive integer",
        max_results));
  }
  if (max_results > limit) {
    return Status::InvalidArgument(
        fmt::format("Invalid value {} for parameter 'max_results' supplied. It must be at most {}",
                    max_results, limit));
  }
  return Status::Ok();
}

Status ValidateDatasetInput(const DatasetInput& input) {
  const Dataset& d = input.dataset;
  CAIRN_RETURN_IF_ERROR(RequireField(d.name, "dataset.name"));
  CAIRN_RETURN_IF_ERROR(RequireField(d.digest, "dataset.digest"));
  CAIRN_RETURN_IF_ERROR(RequireField(d.source_type, "dataset.source_type"));
  CAIRN_RETURN_IF_ERROR(RequireField(d.source, "dataset.source"));
  CAIRN_RETURN_IF_ERROR(SizeLimit("Dataset name", 500, d.name));
  CAIRN_RETURN_IF_ERROR(SizeLimit("Dataset digest", 36, d.digest));
  CAIRN_RETURN_IF_ERROR(SizeLimit("Dataset schema", 1048575, d.schema));
  CAIRN_RETURN_IF_ERROR(SizeLimit("Dataset source", 65535, d.source));
  CAIRN_RETURN_IF_ERROR(SizeLimit("Dataset profile", 16777215, d.profile));
  for (const Tag& tag : input.tags) {
    CAIRN_RETURN_IF_ERROR(RequireField(tag.key, "dataset input tag key"));
    CAIRN_RETURN_IF_ERROR(SizeLimit("Input tag key", 255, tag.key));
    CAIRN_RETURN_IF_ERROR(SizeLimit("Input tag value", 500, tag.value));
  }
  return Status::Ok();
}

Status ValidateLoggedModelName(std::string_view name) {
  if (name.find_first_of("/:.%\"'") != std::string_view::npos) {
    return Status::InvalidArgument(fmt::format(
        "Invalid model name ('{}') provided. Model name must be a non-empty string and cannot "
        "contain the following characters: ('/', ':', '.', '%', '\"', \"'\")",
        name));
  }
  return Status::Ok();
}

Status RequireField(std::string_view value, std::string_view field) {
  if (!value.empty()) return Status::Ok();
  return Status::InvalidArgument(
      fmt::format("Missing value for required parameter '{}'. See the API docs for more "
                  "information about request parameters.",
                  field));
}

}  // namespace cairn::track
