// Module-private: where S3 credentials and the region come from (the chain blob.h documents),
// read through sys::Env so tests can run on an in-memory one.
//
// A secret never appears in a returned message; `source` says where the credentials were
// found so an error can tell the user what to fix.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "blob/blob.h"

namespace cairn::blob {

struct ResolvedCredentials {
  S3Credentials credentials;
  /// Where they came from, for messages: "the remote's access_key_id/secret_access_key",
  /// "$AWS_ACCESS_KEY_ID/$AWS_SECRET_ACCESS_KEY", "profile 'ci' of /home/u/.aws/credentials".
  std::string source;
};

/// The first complete set of: `options.credentials`, then the AWS_ACCESS_KEY_ID /
/// AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN variables, then the profile's section of the
/// shared credentials file (`options.credentials_file`, else $AWS_SHARED_CREDENTIALS_FILE, else
/// $HOME/.aws/credentials); the
/// profile is `options.profile`, else $AWS_PROFILE, else "default". A session token is only
/// taken from the place the keys came from. Fails with InvalidArgument when a place holds half
/// a key pair, NotFound when a profile named explicitly is missing, and Unauthenticated when no
/// place has credentials.
core::Result<ResolvedCredentials> ResolveCredentials(const BlobOptions& options, sys::Env& env);

/// `options.region`, else $AWS_REGION, else $AWS_DEFAULT_REGION, else "us-east-1".
std::string ResolveRegion(const BlobOptions& options, sys::Env& env);

/// The sections of an AWS shared credentials (INI) file: section -> key (lowercased) -> value.
/// '#' and ';' start comment lines; "[profile x]" is read as "[x]".
std::map<std::string, std::map<std::string, std::string>> ParseIni(std::string_view text);

}  // namespace cairn::blob
