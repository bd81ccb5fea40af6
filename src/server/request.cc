// Params: reading request messages from JSON bodies and query strings (see request.h).
#include "server/request.h"

#include <fmt/format.h>

#include <cmath>

#include "core/json.h"
#include "core/strings.h"

namespace cairn::server {
namespace {

constexpr std::string_view kDocsHint =
    "See the API docs for more information about request parameters.";

// Fields old clients send as numbers though the proto says string.
bool TakesNumberAsString(std::string_view name) {
  return name == "experiment_id" || name == "experiment_ids" || name == "version";
}

Status CheckContentType(const net::ServerRequest& request) {
  std::optional<std::string_view> type = request.Header("content-type");
  if (!type) {
    return Status::InvalidArgument("Bad Request. Content-Type header is missing.");
  }
  std::string_view media = *type;
  if (size_t semi = media.find(';'); semi != std::string_view::npos) {
    media = media.substr(0, semi);
  }
  if (!core::EqualsIgnoreCase(core::Trim(media), "application/json")) {
    return Status::InvalidArgument(
        "Bad Request. Content-Type must be one of ['application/json'].");
  }
  return Status::Ok();
}

// The body as a JSON object: empty is {}, a JSON string is decoded again.
Result<core::Value> ParseBody(std::string_view body) {
  if (core::Trim(body).empty()) return core::Value::Mapping();
  core::JsonParseOptions options;
  options.allow_nan = true;
  Result<core::Value> value = core::ParseJson(body, "request body", options);
  if (!value.ok()) {
    return Status::InvalidArgument(
        fmt::format("Malformed JSON in the request body: {}", value.status().message()));
  }
  if (value->is_string()) {
    // Ancient clients double-encode their message.
    std::string inner = value->AsString();
    value = core::ParseJson(inner, "request body", options);
    if (!value.ok()) {
      return Status::InvalidArgument(
          fmt::format("Malformed JSON in the request body (a JSON string holding): {}",
                      value.status().message()));
    }
  }
  if (value->is_null()) return core::Value::Mapping();
  if (!value->is_mapping()) {
    return Status::InvalidArgument(fmt::format("The request body must be a JSON object, not {}",
                                               core::KindPhrase(value->kind())));
  }
  return value;
}

// Query parameters as a mapping of name -> sequence of every value given.
core::Value QueryMapping(const std::vector<std::pair<std::string, std::string>>& query) {
  core::Value mapping = core::Value::Mapping();
  for (const auto& [name, value] : query) {
    core::Value* values = mapping.Find(name);
    if (values == nullptr) values = &mapping.AppendMember(name, core::Value::Sequence());
    values->Append(core::Value::String(value));
  }
  return mapping;
}

// A short rendering of a value for messages.
std::string Show(const core::Value& value) {
  std::string text = core::ToJson(value);
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

std::optional<int64_t> IntegralDouble(double d) {
  // [-2^63, 2^63): the doubles that convert to int64 exactly when integral.
  if (!std::isfinite(d) || d != std::trunc(d) || d < -9223372036854775808.0 ||
      d >= 9223372036854775808.0) {
    return std::nullopt;
  }
  return static_cast<int64_t>(d);
}

std::optional<double> ParseDoubleText(std::string_view text) {
  if (text == "NaN") return std::nan("");
  if (text == "Infinity") return HUGE_VAL;
  if (text == "-Infinity") return -HUGE_VAL;
  return core::ParseDouble(core::Trim(text));
}

}  // namespace

Status MissingParameter(std::string_view name) {
  return Status::InvalidArgument(
      fmt::format("Missing value for required parameter '{}'. {}", name, kDocsHint));
}

Result<Params> Params::Parse(const net::ServerRequest& request) {
  const std::string& method = request.method;
  bool has_body = !core::Trim(request.body).empty();
  bool from_body;
  if (method == "POST" || method == "PUT") {
    CAIRN_RETURN_IF_ERROR(CheckContentType(request));
    from_body = true;
  } else if (method == "PATCH") {
    from_body = has_body || request.query.empty();
  } else if (method == "DELETE") {
    // The Python client sends registry DELETEs with a JSON body; curl users write queries.
    from_body = has_body || request.query.empty();
  } else {  // GET, HEAD
    from_body = request.query.empty() && has_body;
  }
  if (from_body) {
    CAIRN_ASSIGN_OR_RETURN(core::Value body, ParseBody(request.body));
    auto root = std::make_shared<const core::Value>(std::move(body));
    const core::Value* node = root.get();
    return Params(std::move(root), node, "", false);
  }
  auto root = std::make_shared<const core::Value>(QueryMapping(request.query));
  const core::Value* node = root.get();
  return Params(std::move(root), node, "", true);
}

Result<Params> Params::FromJson(std::string_view json) {
  CAIRN_ASSIGN_OR_RETURN(core::Value body, ParseBody(json));
  auto root = std::make_shared<const core::Value>(std::move(body));
  const core::Value* node = root.get();
  return Params(std::move(root), node, "", false);
}

const core::Value* Params::Field(std::string_view name) const {
  const core::Value* value = node_->Find(name);
  if (value == nullptr || value->is_null()) return nullptr;
  if (from_query_) return value->items().empty() ? nullptr : &value->items().front();
  return value;
}

bool Params::Has(std::string_view name) const { return Field(name) != nullptr; }

std::string Params::FullName(std::string_view name) const { return prefix_ + std::string(name); }

Status Params::TypeError(std::string_view name, const core::Value& value,
                         std::string_view expected) const {
  return Status::InvalidArgument(
      fmt::format("Invalid value {} for parameter '{}' supplied: expected {}. {}", Show(value),
                  FullName(name), expected, kDocsHint));
}

Result<std::optional<std::string>> Params::OptString(std::string_view name) const {
  const core::Value* value = Field(name);
  if (value == nullptr) return std::optional<std::string>();
  if (value->is_string()) return std::optional<std::string>(value->AsString());
  if (value->is_number() && value->IsInteger() && TakesNumberAsString(name)) {
    return std::optional<std::string>(value->raw());
  }
  return TypeError(name, *value, "a string");
}

Result<std::string> Params::String(std::string_view name) const {
  CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> value, OptString(name));
  return value ? std::move(*value) : std::string();
}

Result<std::string> Params::RequiredString(std::string_view name) const {
  CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> value, OptString(name));
  if (!value || value->empty()) return MissingParameter(FullName(name));
  return std::move(*value);
}

Result<std::string> Params::PresentString(std::string_view name) const {
  CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> value, OptString(name));
  if (!value) return MissingParameter(FullName(name));
  return std::move(*value);
}

Result<std::optional<int64_t>> Params::OptInt64(std::string_view name) const {
  const core::Value* value = Field(name);
  if (value == nullptr) return std::optional<int64_t>();
  std::optional<int64_t> number;
  if (value->is_number()) {
    number = value->IsInteger() ? value->AsInt64() : IntegralDouble(value->AsDouble());
  } else if (value->is_string()) {
    number = core::ParseInt64(core::Trim(value->AsString()));
  }
  if (!number) return TypeError(name, *value, "an integer");
  return number;
}

Result<int64_t> Params::RequiredInt64(std::string_view name) const {
  CAIRN_ASSIGN_OR_RETURN(std::optional<int64_t> value, OptInt64(name));
  if (!value) return MissingParameter(FullName(name));
  return *value;
}

Result<std::optional<double>> Params::OptDouble(std::string_view name) const {
  const core::Value* value = Field(name);
  if (value == nullptr) return std::optional<double>();
  std::optional<double> number;
  if (value->is_number()) {
    number = value->AsDouble();
  } else if (value->is_string()) {
    number = ParseDoubleText(value->AsString());
  }
  if (!number) return TypeError(name, *value, "a number");
  return number;
}

Result<double> Params::RequiredDouble(std::string_view name) const {
  CAIRN_ASSIGN_OR_RETURN(std::optional<double> value, OptDouble(name));
  if (!value) return MissingParameter(FullName(name));
  return *value;
}

Result<std::optional<bool>> Params::OptBool(std::string_view name) const {
  const core::Value* value = Field(name);
  if (value == nullptr) return std::optional<bool>();
  if (value->is_bool()) return std::optional<bool>(value->AsBool());
  if (value->is_string()) {
    // Python's requests writes True and False in query strings.
    if (core::EqualsIgnoreCase(value->AsString(), "true")) return std::optional<bool>(true);
    if (core::EqualsIgnoreCase(value->AsString(), "false")) return std::optional<bool>(false);
  }
  return TypeError(name, *value, "true or false");
}

Result<bool> Params::RequiredBool(std::string_view name) const {
  CAIRN_ASSIGN_OR_RETURN(std::optional<bool> value, OptBool(name));
  if (!value) return MissingParameter(FullName(name));
  return *value;
}

Result<std::optional<std::string>> Params::OptEnum(std::string_view name,
                                                   std::span<const std::string_view> names) const {
  const core::Value* value = Field(name);
  if (value == nullptr) return std::optional<std::string>();
  if (value->is_string()) return std::optional<std::string>(value->AsString());
  if (value->is_number()) {
    std::optional<int64_t> number = value->AsInt64();
    if (number && *number >= 0 && static_cast<size_t>(*number) < names.size() &&
        !names[static_cast<size_t>(*number)].empty()) {
      return std::optional<std::string>(std::string(names[static_cast<size_t>(*number)]));
    }
  }
  std::vector<std::string_view> known;
  for (std::string_view n : names) {
    if (!n.empty()) known.push_back(n);
  }
  return TypeError(name, *value, fmt::format("one of {}", core::Join(known, ", ")));
}

Result<std::vector<std::string>> Params::StringList(std::string_view name) const {
  std::vector<std::string> out;
  const core::Value* value = node_->Find(name);
  if (value == nullptr || value->is_null()) return out;
  if (from_query_) {
    for (const core::Value& item : value->items()) out.push_back(item.AsString());
    return out;
  }
  auto element = [&](const core::Value& item) -> Status {
    if (item.is_string()) {
      out.push_back(item.AsString());
    } else if (item.is_number() && item.IsInteger() && TakesNumberAsString(name)) {
      out.push_back(item.raw());
    } else {
      return TypeError(name, *value, "a list of strings");
    }
    return Status::Ok();
  };
  if (value->is_sequence()) {
    for (const core::Value& item : value->items()) CAIRN_RETURN_IF_ERROR(element(item));
  } else {
    CAIRN_RETURN_IF_ERROR(element(*value));
  }
  return out;
}

Result<std::vector<Params>> Params::MessageList(std::string_view name) const {
  std::vector<Params> out;
  const core::Value* value = node_->Find(name);
  if (value == nullptr || value->is_null()) return out;
  if (from_query_ || !value->is_sequence()) {
    return TypeError(name, from_query_ ? value->items().front() : *value,
                     "a list of objects (in a JSON body)");
  }
  out.reserve(value->items().size());
  for (size_t i = 0; i < value->items().size(); ++i) {
    const core::Value& item = value->items()[i];
    if (!item.is_mapping()) return TypeError(name, *value, "a list of objects");
    out.push_back(Params(root_, &item, fmt::format("{}{}[{}].", prefix_, name, i), false));
  }
  return out;
}

Result<std::optional<Params>> Params::Message(std::string_view name) const {
  const core::Value* value = node_->Find(name);
  if (value == nullptr || value->is_null()) return std::optional<Params>();
  if (from_query_ || !value->is_mapping()) {
    return TypeError(name, from_query_ ? value->items().front() : *value,
                     "an object (in a JSON body)");
  }
  return std::optional<Params>(Params(root_, value, prefix_ + std::string(name) + ".", false));
}

Result<std::string> Params::RunId() const {
  CAIRN_ASSIGN_OR_RETURN(std::string run_id, String("run_id"));
  if (!run_id.empty()) return run_id;
  CAIRN_ASSIGN_OR_RETURN(run_id, String("run_uuid"));
  if (run_id.empty()) return MissingParameter(FullName("run_id"));
  return run_id;
}

}  // namespace cairn::server
