#include "blob/sigv4.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "core/hash.h"
#include "core/strings.h"

namespace cairn::blob::sigv4 {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// The value trimmed, with every inner run of whitespace folded into one space.
std::string FoldSpaces(std::string_view value) {
  value = core::Trim(value);
  std::string out;
  out.reserve(value.size());
  bool in_space = false;
  for (char c : value) {
    if (IsSpace(c)) {
      in_space = true;
      continue;
    }
    if (in_space) out += ' ';
    in_space = false;
    out += c;
  }
  return out;
}

}  // namespace

std::string AmzDate(int64_t unix_micros) {
  int64_t seconds = unix_micros / 1'000'000;
  if (unix_micros < 0 && unix_micros % 1'000'000 != 0) --seconds;
  auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  size_t n = std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buf, n);
}

std::string EncodePath(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string> segments;
  for (std::string_view segment : core::Split(path, '/')) {
    segments.push_back(core::PercentEncode(segment));
  }
  return core::Join(segments, "/");
}

std::string CanonicalUri(std::string_view path, std::string_view service) {
  if (service == "s3") return EncodePath(path);
  if (path.empty() || path == "/") return "/";
  // Fold runs of '/', then resolve "." and ".." segments, as AWS's SDKs do.
  std::string folded;
  for (char c : path) {
    if (c == '/' && !folded.empty() && folded.back() == '/') continue;
    folded += c;
  }
  std::vector<std::string> pieces;
  for (std::string_view piece : core::Split(folded, '/')) {
    if (piece == "..") {
      if (!pieces.empty()) pieces.pop_back();
    } else if (piece != ".") {
      pieces.push_back(core::PercentEncode(core::PercentEncode(piece)));
    }
  }
  std::string out = core::Join(pieces, "/");
  if (out.empty() || out.front() != '/') out.insert(out.begin(), '/');
  return out;
}

std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(core::PercentEncode(name), core::PercentEncode(value));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

CanonicalHeaders Canonicalize(const net::Headers& headers) {
  std::vector<std::pair<std::string, std::string>> fields;
  fields.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    fields.emplace_back(core::ToLower(core::Trim(name)), FoldSpaces(value));
  }
  // Stable: repeated names keep their values in the order given.
  std::stable_sort(fields.begin(), fields.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0 && fields[i].first == fields[i - 1].first) {
      out.text.back() = ',';  // replaces the '\n' of the previous value
      out.text += fields[i].second;
      out.text += '\n';
      continue;
    }
    if (!out.signed_headers.empty()) out.signed_headers += ';';
    out.signed_headers += fields[i].first;
    out.text += fields[i].first;
    out.text += ':';
    out.text += fields[i].second;
    out.text += '\n';
  }
  return out;
}

std::string CanonicalRequest(const Request& request, std::string_view service) {
  CanonicalHeaders headers = Canonicalize(request.headers);
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}", request.method, CanonicalUri(request.path, service),
                     CanonicalQuery(request.query), headers.text, headers.signed_headers,
                     request.payload_hash);
}

std::string CredentialScope(std::string_view amz_date, std::string_view region,
                            std::string_view service) {
  return fmt::format("{}/{}/{}/aws4_request", amz_date.substr(0, 8), region, service);
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  return fmt::format("AWS4-HMAC-SHA256\n{}\n{}\n{}", amz_date, scope,
                     core::Sha256Hex(canonical_request));
}

std::string SigningKey(std::string_view secret_access_key, std::string_view date,
                       std::string_view region, std::string_view service) {
  std::string key = core::HmacSha256("AWS4" + std::string(secret_access_key), date);
  key = core::HmacSha256(key, region);
  key = core::HmacSha256(key, service);
  return core::HmacSha256(key, "aws4_request");
}

std::string Authorization(const Request& request, const S3Credentials& credentials,
                          std::string_view region, std::string_view service,
                          std::string_view amz_date) {
  std::string scope = CredentialScope(amz_date, region, service);
  std::string to_sign = StringToSign(amz_date, scope, CanonicalRequest(request, service));
  std::string key =
      SigningKey(credentials.secret_access_key, amz_date.substr(0, 8), region, service);
  return fmt::format("AWS4-HMAC-SHA256 Credential={}/{}, SignedHeaders={}, Signature={}",
                     credentials.access_key_id, scope, Canonicalize(request.headers).signed_headers,
                     core::HexEncode(core::HmacSha256(key, to_sign)));
}

void Sign(Request& request, const S3Credentials& credentials, std::string_view region,
          std::string_view service, std::string_view amz_date) {
  std::erase_if(request.headers, [](const auto& field) {
    return core::EqualsIgnoreCase(field.first, "x-amz-date") ||
           core::EqualsIgnoreCase(field.first, "x-amz-security-token") ||
           core::EqualsIgnoreCase(field.first, "authorization");
  });
  request.headers.emplace_back("x-amz-date", std::string(amz_date));
  if (!credentials.session_token.empty()) {
    request.headers.emplace_back("x-amz-security-token", credentials.session_token);
  }
  std::string authorization = Authorization(request, credentials, region, service, amz_date);
  request.headers.emplace_back("authorization", std::move(authorization));
}

}  // namespace cairn::blob::sigv4
