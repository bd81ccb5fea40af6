// Uri: a URI split into its RFC 3986 parts, as cairn meets them:
//   sqlite:///abs/mlflow.db     scheme "sqlite", empty authority, path "/abs/mlflow.db"
//   s3://bucket/key/x           host "bucket", path "/key/x"
//   http://u:p@host:5000/api?x=1#f
//   runs:/<run_id>/model        no authority, path "/<run_id>/model"
//   models:/name/3  models:/name@champion  models:/name/Production
//   data/train.csv              no scheme: a plain path
// Components are kept as written (percent-escapes included); Decoded* give them decoded.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace cairn::core {

struct Uri {
  std::string scheme;          // lowercased; empty for a plain path
  bool has_authority = false;  // "//" followed the scheme
  std::string userinfo;        // "user:password", as written
  std::string host;            // lowercased for http(s); "[::1]" keeps its brackets
  std::optional<int> port;
  std::string path;
  std::optional<std::string> query;     // without '?'
  std::optional<std::string> fragment;  // without '#'

  /// Parses `text`; InvalidArgument names the text and the bad part.
  static Result<Uri> Parse(std::string_view text);

  /// The URI written back; Parse(u.ToString()) == u.
  std::string ToString() const;
  /// The path with %XX escapes decoded (as written when an escape is malformed).
  std::string DecodedPath() const;
  /// The user and the password of the userinfo, decoded.
  std::string User() const;
  std::optional<std::string> Password() const;
  /// The query's name=value pairs, decoded ('+' as space), in order.
  std::vector<std::pair<std::string, std::string>> QueryParams() const;
  /// The value of the first query parameter named `name`.
  std::optional<std::string> QueryParam(std::string_view name) const;

  friend bool operator==(const Uri&, const Uri&) = default;
};

}  // namespace cairn::core
