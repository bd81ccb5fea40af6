// Module-private: AWS Signature Version 4 (header-based, "AWS4-HMAC-SHA256"), written from
// AWS's specification ("Create a signed AWS API request" and the S3 API reference's
// "Signature Calculations for the Authorization Header"), not libcurl's CURLOPT_AWS_SIGV4.
//
// A request is described decoded (path, query parameters) and encoded here, so what is signed
// and what is sent come from one encoder: EncodePath() gives the path for the URL and
// CanonicalQuery() the query string, both exactly as signed. The steps are exposed for the
// known-answer tests. Everything here is a pure function and thread-safe; secrets never enter
// a returned value other than through HMAC.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "blob/blob.h"
#include "net/net.h"

namespace cairn::blob::sigv4 {

/// The SHA-256 of an empty payload, in hex.
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

/// What a signature covers.
struct Request {
  std::string method;
  /// The path, decoded: "/bucket/my key.txt".
  std::string path;
  /// Query parameters, decoded, in any order; a parameter without a value has "".
  std::vector<std::pair<std::string, std::string>> query;
  /// Every header field sent that the signature covers (all of them: "host" included), in any
  /// order and case. Sign() adds x-amz-date, x-amz-security-token and authorization.
  net::Headers headers;
  /// Hex SHA-256 of the payload, or "UNSIGNED-PAYLOAD"; S3 also wants it in the
  /// x-amz-content-sha256 header, which the caller adds.
  std::string payload_hash;
};

/// "20130524T000000Z", the x-amz-date of a time in microseconds since the epoch (UTC).
std::string AmzDate(int64_t unix_micros);

/// The path as sent: each '/'-separated segment percent-encoded once (all but RFC 3986's
/// unreserved characters), "" as "/".
std::string EncodePath(std::string_view path);

/// The canonical URI. S3 ("s3"): EncodePath(path), nothing normalized. Every other service:
/// runs of '/' folded, "." and ".." segments resolved, then each segment encoded twice (AWS's
/// generic rule, as in its SigV4 test suite).
std::string CanonicalUri(std::string_view path, std::string_view service);

/// The canonical query string: names and values RFC 3986-encoded, pairs sorted by name then
/// value, "name=value" joined by '&' ("name=" for an empty value). Also the query to send.
std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query);

struct CanonicalHeaders {
  std::string text;            // "name:value\n" per field, names lowercased and sorted
  std::string signed_headers;  // "host;x-amz-date"
};

/// Lowercases names, trims values and folds inner runs of whitespace into one space, joins the
/// values of repeated names with ',' (in the order given), sorts by name.
CanonicalHeaders Canonicalize(const net::Headers& headers);

/// The canonical request of `request` for `service`.
std::string CanonicalRequest(const Request& request, std::string_view service);

/// "<date>/<region>/<service>/aws4_request".
std::string CredentialScope(std::string_view amz_date, std::string_view region,
                            std::string_view service);

/// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256 of the canonical request>".
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);

/// The raw signing key: HMAC chain over "AWS4"+secret, date (yyyymmdd), region, service,
/// "aws4_request".
std::string SigningKey(std::string_view secret_access_key, std::string_view date,
                       std::string_view region, std::string_view service);

/// The Authorization header's value for `request`, whose headers must already hold x-amz-date
/// (equal to `amz_date`) and, with a session token, x-amz-security-token.
std::string Authorization(const Request& request, const S3Credentials& credentials,
                          std::string_view region, std::string_view service,
                          std::string_view amz_date);

/// Signs `request` in place: adds x-amz-date, x-amz-security-token (when the credentials carry
/// a session token) and authorization to its headers.
void Sign(Request& request, const S3Credentials& credentials, std::string_view region,
          std::string_view service, std::string_view amz_date);

}  // namespace cairn::blob::sigv4
