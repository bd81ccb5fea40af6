// DVC's config schema (dvc/config_schema.py of DVC 3.64) as data: which sections and options
// DVC accepts, what kind of value each takes, which options hold paths, and the order DVC
// keeps plain sections in. Used by data/config.cc; the tables are immutable, so thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "data/config.h"

namespace cairn::data {

/// What an option's value must look like (voluptuous validators in DVC's schema).
enum class ConfigCheck {
  kStr,        // any string (not a list)
  kBool,       // "true"/"false", any case
  kInt,        // an integer (Python's int())
  kIntMin1,    // an integer >= 1
  kPercent,    // an integer 0..100
  kFloat,      // a number (Python's float())
  kFloatMin0,  // a number >= 0
  kLower,      // a string, lowercased when used
  kBoolOrStr,  // "true"/"false" or any other string (ssl_verify: a CA bundle path)
  kCacheType,  // comma list of reflink, symlink, hardlink, copy
  kChoice,     // one of ConfigKeySpec::choices (case-insensitive)
};

struct ConfigKeySpec {
  std::string_view key;
  ConfigCheck check;
  std::string_view choices = {};  // kChoice: "a|b|c"
};

/// The position of a plain section in DVC's SCHEMA (core, cache, remote, state, index, machine,
/// feature, plots, exp, parsing, hydra, studio, db); unknown sections sort last.
int SchemaSectionRank(std::string_view section);

/// The options of a plain section, or null when DVC has no such section. `feature` accepts any
/// option (DVC drops unknown ones with a warning): see SectionAcceptsAnyOption.
const std::vector<ConfigKeySpec>* PlainSectionSpec(std::string_view section);
bool SectionAcceptsAnyOption(std::string_view section);
/// Every plain section name, in schema order.
std::vector<std::string_view> PlainSectionNames();

/// The options of a remote whose url is `url`, chosen as DVC's ByUrl does (urlparse: no netloc
/// means a local remote). Null with `*scheme` set when the scheme is not supported; a remote
/// with the `remote://` scheme accepts anything (`*any` set).
const std::vector<ConfigKeySpec>* RemoteSpecForUrl(std::string_view url, std::string* scheme,
                                                   bool* any);
/// Every remote scheme DVC knows ("" is local), for docs.
std::vector<std::string_view> RemoteSchemes();
const std::vector<ConfigKeySpec>& RemoteSpecForScheme(std::string_view scheme);
const std::vector<ConfigKeySpec>& MachineSpec();
const std::vector<ConfigKeySpec>& DbSpec();

/// Empty when `value` fits `spec`, else what was expected ("expected true or false").
std::string CheckConfigValue(const ConfigKeySpec& spec, const ConfigValue& value);

/// True for the options DVC resolves against the config file's directory: cache.dir, and
/// remote url, credentialpath, configpath, keyfile, cert_path, key_path,
/// gdrive_user_credentials_file, gdrive_service_account_json_file_path; machine startup_script,
/// setup_script.
bool IsPathOption(std::string_view section_kind, std::string_view key);

}  // namespace cairn::data
