#include "blob/credentials.h"

#include <fmt/format.h>

#include "core/path.h"
#include "core/strings.h"

namespace cairn::blob {
namespace {

constexpr std::string_view kWhereToSet =
    "set access_key_id and secret_access_key for the remote (in .dvc/config.local), or "
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials";

std::string NonEmptyVar(sys::Env& env, std::string_view name) {
  std::optional<std::string> value = env.GetVar(name);
  return value ? std::string(core::Trim(*value)) : std::string();
}

}  // namespace

std::map<std::string, std::map<std::string, std::string>> ParseIni(std::string_view text) {
  std::map<std::string, std::map<std::string, std::string>> sections;
  std::map<std::string, std::string>* current = nullptr;
  for (std::string_view raw : core::SplitLines(text)) {
    std::string_view line = core::Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      size_t close = line.find(']');
      std::string_view name = core::Trim(
          line.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
      if (name.starts_with("profile ")) name = core::Trim(name.substr(8));
      current = &sections[std::string(name)];
      continue;
    }
    size_t eq = line.find('=');
    if (current == nullptr || eq == std::string_view::npos) continue;
    (*current)[core::ToLower(core::Trim(line.substr(0, eq)))] =
        std::string(core::Trim(line.substr(eq + 1)));
  }
  return sections;
}

core::Result<ResolvedCredentials> ResolveCredentials(const BlobOptions& options, sys::Env& env) {
  // 1. The remote's own options (DVC's config.local).
  const S3Credentials& given = options.credentials;
  if (!given.access_key_id.empty() || !given.secret_access_key.empty()) {
    if (given.access_key_id.empty() || given.secret_access_key.empty()) {
      return core::Status::InvalidArgument(fmt::format(
          "the remote sets {} but not {}\nhint: set both access_key_id and secret_access_key "
          "(in .dvc/config.local), or neither to use the AWS_* variables or ~/.aws/credentials",
          given.access_key_id.empty() ? "secret_access_key" : "access_key_id",
          given.access_key_id.empty() ? "access_key_id" : "secret_access_key"));
    }
    return ResolvedCredentials{given, "the remote's access_key_id/secret_access_key"};
  }

  // 2. The environment.
  std::string id = NonEmptyVar(env, "AWS_ACCESS_KEY_ID");
  std::string secret = NonEmptyVar(env, "AWS_SECRET_ACCESS_KEY");
  if (!id.empty() || !secret.empty()) {
    if (id.empty() || secret.empty()) {
      return core::Status::InvalidArgument(fmt::format(
          "{} is set but {} is not\nhint: set both, or neither to use ~/.aws/credentials",
          id.empty() ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID",
          id.empty() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY"));
    }
    return ResolvedCredentials{{id, secret, NonEmptyVar(env, "AWS_SESSION_TOKEN")},
                               "$AWS_ACCESS_KEY_ID/$AWS_SECRET_ACCESS_KEY"};
  }

  // 3. The shared credentials file.
  std::string profile = options.profile;
  bool explicit_profile = !profile.empty();
  if (profile.empty()) {
    profile = NonEmptyVar(env, "AWS_PROFILE");
    explicit_profile = !profile.empty();
  }
  if (profile.empty()) profile = "default";
  std::string file = options.credentials_file;
  if (file.empty()) file = NonEmptyVar(env, "AWS_SHARED_CREDENTIALS_FILE");
  if (file.empty()) {
    std::string home = NonEmptyVar(env, "HOME");
    if (!home.empty()) file = core::JoinPath(home, ".aws/credentials");
  }
  if (!file.empty()) {
    core::Result<std::string> text = env.ReadFile(file);
    if (!text.ok() && !text.status().IsNotFound()) {
      return text.status().WithContext("reading AWS credentials");
    }
    if (text.ok()) {
      auto sections = ParseIni(*text);
      auto section = sections.find(profile);
      if (section != sections.end()) {
        std::string where = fmt::format("profile '{}' of {}", profile, file);
        auto get = [&](const char* key) {
          auto it = section->second.find(key);
          return it == section->second.end() ? std::string() : it->second;
        };
        S3Credentials found{get("aws_access_key_id"), get("aws_secret_access_key"),
                            get("aws_session_token")};
        if (found.access_key_id.empty() || found.secret_access_key.empty()) {
          return core::Status::Unauthenticated(fmt::format(
              "{} lacks aws_access_key_id or aws_secret_access_key\nhint: add both to it, or {}",
              where, kWhereToSet));
        }
        return ResolvedCredentials{std::move(found), std::move(where)};
      }
    }
    if (explicit_profile) {
      return core::Status::NotFound(fmt::format(
          "AWS profile '{}' is not in {}\nhint: add a [{}] section with aws_access_key_id and "
          "aws_secret_access_key, or choose another profile",
          profile, file, profile));
    }
  } else if (explicit_profile) {
    return core::Status::NotFound(fmt::format(
        "AWS profile '{}' was asked for, but neither $AWS_SHARED_CREDENTIALS_FILE nor $HOME is "
        "set to find the credentials file",
        profile));
  }
  return core::Status::Unauthenticated(
      fmt::format("no S3 credentials found\nhint: {}", kWhereToSet));
}

std::string ResolveRegion(const BlobOptions& options, sys::Env& env) {
  if (!options.region.empty()) return options.region;
  for (std::string_view var : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::string region = NonEmptyVar(env, var);
    if (!region.empty()) return region;
  }
  return "us-east-1";
}

}  // namespace cairn::blob
