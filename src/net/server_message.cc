// The server's request and response values (server.h): header and query accessors, and the
// response setters, MLflow's error body among them. Plain values: no shared state.
#include "core/json.h"
#include "core/strings.h"
#include "core/value.h"
#include "net/server.h"

namespace cairn::net {

std::optional<std::string_view> ServerRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (core::EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::optional<std::string_view> ServerRequest::Query(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::vector<std::string> ServerRequest::QueryAll(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : query) {
    if (key == name) values.push_back(value);
  }
  return values;
}

void ServerResponse::SetJson(int status_code, std::string json) {
  status = status_code;
  content_type = "application/json";
  body = std::move(json);
  body_file.reset();
}

void ServerResponse::SetText(int status_code, std::string text) {
  status = status_code;
  content_type = "text/plain; charset=utf-8";
  body = std::move(text);
  body_file.reset();
}

void ServerResponse::SetError(const core::Status& error) {
  core::Value json = core::Value::Mapping();
  json.AppendMember("error_code", core::Value::String(std::string(core::CodeName(error.code()))));
  json.AppendMember("message", core::Value::String(error.message()));
  SetJson(core::HttpStatus(error.code()), core::ToJson(json));
}

}  // namespace cairn::net
