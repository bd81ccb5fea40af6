#include "data/config_schema.h"

#include <cmath>
#include <map>

#include "core/strings.h"

namespace cairn::data {
namespace {

using C = ConfigCheck;
using Spec = std::vector<ConfigKeySpec>;

Spec Concat(std::initializer_list<const Spec*> parts) {
  Spec out;
  for (const Spec* p : parts) out.insert(out.end(), p->begin(), p->end());
  return out;
}

const Spec& RemoteCommon() {
  static const Spec kSpec = {
      {"url", C::kStr},       {"checksum_jobs", C::kIntMin1}, {"jobs", C::kIntMin1},
      {"worktree", C::kBool}, {"no_traverse", C::kBool},      {"version_aware", C::kBool},
  };
  return kSpec;
}

const Spec& LocalCommon() {
  static const Spec kSpec = {
      {"type", C::kCacheType},         {"protected", C::kBool}, {"shared", C::kChoice, "group"},
      {"slow_link_warning", C::kBool}, {"verify", C::kBool},
  };
  return kSpec;
}

const Spec& HttpCommon() {
  static const Spec kSpec = {
      {"auth", C::kChoice, "basic|digest|custom"},
      {"custom_auth_header", C::kStr},
      {"user", C::kStr},
      {"password", C::kStr},
      {"ask_password", C::kBool},
      {"ssl_verify", C::kBoolOrStr},
      {"method", C::kStr},
      {"connect_timeout", C::kFloatMin0},
      {"read_timeout", C::kFloatMin0},
      {"verify", C::kBool},
  };
  return kSpec;
}

const Spec& WebdavCommon() {
  static const Spec kSpec = {
      {"user", C::kStr},
      {"password", C::kStr},
      {"ask_password", C::kBool},
      {"token", C::kStr},
      {"bearer_token_command", C::kStr},
      {"custom_auth_header", C::kStr},
      {"cert_path", C::kStr},
      {"key_path", C::kStr},
      {"timeout", C::kInt},
      {"ssl_verify", C::kBoolOrStr},
      {"verify", C::kBool},
  };
  return kSpec;
}

const std::map<std::string_view, Spec>& RemoteSchemas() {
  static const std::map<std::string_view, Spec> kSchemas = [] {
    std::map<std::string_view, Spec> m;
    m[""] = Concat({&LocalCommon(), &RemoteCommon()});
    const Spec s3 = {
        {"region", C::kStr},
        {"profile", C::kStr},
        {"credentialpath", C::kStr},
        {"configpath", C::kStr},
        {"endpointurl", C::kStr},
        {"access_key_id", C::kStr},
        {"secret_access_key", C::kStr},
        {"session_token", C::kStr},
        {"listobjects", C::kBool},
        {"use_ssl", C::kBool},
        {"allow_anonymous_login", C::kBool},
        {"ssl_verify", C::kBoolOrStr},
        {"sse", C::kStr},
        {"sse_kms_key_id", C::kStr},
        {"sse_customer_algorithm", C::kStr},
        {"sse_customer_key", C::kStr},
        {"acl", C::kStr},
        {"grant_read", C::kStr},
        {"grant_read_acp", C::kStr},
        {"grant_write_acp", C::kStr},
        {"grant_full_control", C::kStr},
        {"cache_regions", C::kBool},
        {"read_timeout", C::kInt},
        {"connect_timeout", C::kInt},
        {"multipart_threshold", C::kStr},
        {"multipart_chunksize", C::kStr},
        {"max_concurrent_requests", C::kInt},
        {"max_queue_size", C::kInt},
        {"verify", C::kBool},
    };
    m["s3"] = Concat({&s3, &RemoteCommon()});
    const Spec gs = {
        {"projectname", C::kStr}, {"credentialpath", C::kStr},         {"endpointurl", C::kStr},
        {"verify", C::kBool},     {"allow_anonymous_login", C::kBool},
    };
    m["gs"] = Concat({&gs, &RemoteCommon()});
    const Spec ssh = {
        {"type", C::kCacheType},      {"port", C::kInt},          {"user", C::kStr},
        {"password", C::kStr},        {"ask_password", C::kBool}, {"passphrase", C::kStr},
        {"ask_passphrase", C::kBool}, {"keyfile", C::kStr},       {"timeout", C::kInt},
        {"gss_auth", C::kBool},       {"allow_agent", C::kBool},  {"max_sessions", C::kInt},
        {"verify", C::kBool},
    };
    m["ssh"] = Concat({&ssh, &RemoteCommon()});
    const Spec hdfs = {{"user", C::kStr}, {"kerb_ticket", C::kStr}, {"replication", C::kInt}};
    m["hdfs"] = Concat({&hdfs, &RemoteCommon()});
    const Spec webhdfs = {
        {"kerberos", C::kBool},
        {"kerberos_principal", C::kStr},
        {"proxy_to", C::kStr},
        {"ssl_verify", C::kBoolOrStr},
        {"token", C::kStr},
        {"use_https", C::kBool},
        {"user", C::kStr},
        {"password", C::kStr},
        {"data_proxy_target", C::kStr},
        {"verify", C::kBool},
    };
    m["webhdfs"] = Concat({&webhdfs, &RemoteCommon()});
    const Spec azure = {
        {"connection_string", C::kStr},
        {"sas_token", C::kStr},
        {"account_name", C::kStr},
        {"account_key", C::kStr},
        {"tenant_id", C::kStr},
        {"client_id", C::kStr},
        {"client_secret", C::kStr},
        {"allow_anonymous_login", C::kBool},
        {"exclude_environment_credential", C::kBool},
        {"exclude_visual_studio_code_credential", C::kBool},
        {"exclude_shared_token_cache_credential", C::kBool},
        {"exclude_managed_identity_credential", C::kBool},
        {"verify", C::kBool},
        {"timeout", C::kInt},
        {"read_timeout", C::kInt},
        {"connection_timeout", C::kInt},
    };
    m["azure"] = Concat({&azure, &RemoteCommon()});
    const Spec oss = {{"oss_key_id", C::kStr},
                      {"oss_key_secret", C::kStr},
                      {"oss_endpoint", C::kStr},
                      {"verify", C::kBool}};
    m["oss"] = Concat({&oss, &RemoteCommon()});
    const Spec gdrive = {
        {"profile", C::kStr},
        {"gdrive_use_service_account", C::kBool},
        {"gdrive_client_id", C::kStr},
        {"gdrive_client_secret", C::kStr},
        {"gdrive_user_credentials_file", C::kStr},
        {"gdrive_service_account_user_email", C::kStr},
        {"gdrive_service_account_json_file_path", C::kStr},
        {"gdrive_trash_only", C::kBool},
        {"gdrive_acknowledge_abuse", C::kBool},
        {"verify", C::kBool},
    };
    m["gdrive"] = Concat({&gdrive, &RemoteCommon()});
    m["http"] = Concat({&HttpCommon(), &RemoteCommon()});
    m["https"] = Concat({&HttpCommon(), &RemoteCommon()});
    m["webdav"] = Concat({&WebdavCommon(), &RemoteCommon()});
    m["webdavs"] = Concat({&WebdavCommon(), &RemoteCommon()});
    return m;
  }();
  return kSchemas;
}

struct PlainSection {
  std::string_view name;
  Spec spec;
};

// In SCHEMA order; "remote", "machine" and "db" hold named sections, so they have no options.
const std::vector<PlainSection>& PlainSections() {
  static const std::vector<PlainSection> kSections = [] {
    std::vector<PlainSection> v;
    v.push_back({"core",
                 {{"remote", C::kLower},
                  {"checksum_jobs", C::kIntMin1},
                  {"interactive", C::kBool},
                  {"analytics", C::kBool},
                  {"hardlink_lock", C::kBool},
                  {"no_scm", C::kBool},
                  {"autostage", C::kBool},
                  {"experiments", C::kBool},
                  {"check_update", C::kBool},
                  {"site_cache_dir", C::kStr},
                  {"machine", C::kLower}}});
    Spec cache = {{"local", C::kStr},   {"s3", C::kStr},  {"gs", C::kStr},    {"hdfs", C::kStr},
                  {"webhdfs", C::kStr}, {"ssh", C::kStr}, {"azure", C::kStr}, {"dir", C::kStr}};
    cache.insert(cache.end(), LocalCommon().begin(), LocalCommon().end());
    v.push_back({"cache", std::move(cache)});
    v.push_back({"remote", {}});
    v.push_back(
        {"state",
         {{"dir", C::kStr}, {"row_limit", C::kIntMin1}, {"row_cleanup_quota", C::kPercent}}});
    v.push_back({"index", {{"dir", C::kStr}}});
    v.push_back({"machine", {}});
    v.push_back({"feature", {{"machine", C::kBool}}});
    v.push_back(
        {"plots", {{"html_template", C::kStr}, {"auto_open", C::kBool}, {"out_dir", C::kStr}}});
    v.push_back({"exp",
                 {{"code", C::kStr},
                  {"data", C::kStr},
                  {"models", C::kStr},
                  {"metrics", C::kStr},
                  {"params", C::kStr},
                  {"plots", C::kStr},
                  {"live", C::kStr},
                  {"auto_push", C::kBool},
                  {"git_remote", C::kStr}}});
    v.push_back({"parsing",
                 {{"bool", C::kChoice, "store_true|boolean_optional"},
                  {"list", C::kChoice, "nargs|append"}}});
    v.push_back({"hydra",
                 {{"enabled", C::kBool},
                  {"config_dir", C::kStr},
                  {"config_module", C::kStr},
                  {"config_name", C::kStr},
                  {"plugins_path", C::kStr}}});
    v.push_back(
        {"studio",
         {{"token", C::kStr}, {"url", C::kStr}, {"repo_url", C::kStr}, {"offline", C::kBool}}});
    v.push_back({"db", {}});
    return v;
  }();
  return kSections;
}

bool IsBoolText(std::string_view s) {
  return core::EqualsIgnoreCase(s, "true") || core::EqualsIgnoreCase(s, "false");
}

// Python's int(str): optional surrounding whitespace, sign, digits (underscores between
// digits allowed).
std::optional<long long> PyInt(std::string_view s) {
  s = core::Trim(s);
  std::string digits;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_' && i > 0 && i + 1 < s.size() &&
        std::isdigit(static_cast<unsigned char>(s[i - 1])) &&
        std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      continue;
    }
    digits += c;
  }
  auto v = core::ParseInt64(digits);
  if (!v) return std::nullopt;
  return *v;
}

std::optional<double> PyFloat(std::string_view s) { return core::ParseDouble(core::Trim(s)); }

}  // namespace

int SchemaSectionRank(std::string_view section) {
  const auto& sections = PlainSections();
  for (size_t i = 0; i < sections.size(); ++i) {
    if (sections[i].name == section) return static_cast<int>(i);
  }
  return static_cast<int>(sections.size());
}

const std::vector<ConfigKeySpec>* PlainSectionSpec(std::string_view section) {
  if (section == "remote" || section == "machine" || section == "db") return nullptr;
  for (const PlainSection& s : PlainSections()) {
    if (s.name == section) return &s.spec;
  }
  return nullptr;
}

bool SectionAcceptsAnyOption(std::string_view section) { return section == "feature"; }

std::vector<std::string_view> PlainSectionNames() {
  std::vector<std::string_view> names;
  for (const PlainSection& s : PlainSections()) {
    if (s.name != "remote" && s.name != "machine" && s.name != "db") names.push_back(s.name);
  }
  return names;
}

const std::vector<ConfigKeySpec>* RemoteSpecForUrl(std::string_view url, std::string* scheme,
                                                   bool* any) {
  *any = false;
  scheme->clear();
  // urlparse: a scheme is a letter then letters, digits, '+', '-', '.', before ':'.
  size_t colon = url.find(':');
  std::string_view rest = url;
  if (colon != std::string_view::npos && colon > 0 &&
      std::isalpha(static_cast<unsigned char>(url[0]))) {
    bool valid = true;
    for (size_t i = 0; i < colon; ++i) {
      char c = url[i];
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
        valid = false;
      }
    }
    if (valid) {
      *scheme = core::ToLower(url.substr(0, colon));
      rest = url.substr(colon + 1);
    }
  }
  bool has_netloc = false;
  if (rest.substr(0, 2) == "//") {
    std::string_view after = rest.substr(2);
    size_t end = after.find_first_of("/?#");
    has_netloc = (end == std::string_view::npos ? after.size() : end) > 0;
  }
  if (!has_netloc) {
    scheme->clear();
    return &RemoteSchemas().at("");
  }
  if (*scheme == "remote") {
    *any = true;
    return nullptr;
  }
  auto it = RemoteSchemas().find(*scheme);
  if (it == RemoteSchemas().end()) return nullptr;
  return &it->second;
}

std::vector<std::string_view> RemoteSchemes() {
  std::vector<std::string_view> out;
  for (const auto& [scheme, spec] : RemoteSchemas()) out.push_back(scheme);
  return out;
}

const std::vector<ConfigKeySpec>& RemoteSpecForScheme(std::string_view scheme) {
  return RemoteSchemas().at(scheme);
}

const std::vector<ConfigKeySpec>& MachineSpec() {
  static const Spec kSpec = {
      {"cloud", C::kChoice, "aws|azure"},
      {"region", C::kChoice, "us-west|us-east|eu-west|eu-north"},
      {"image", C::kStr},
      {"spot", C::kBool},
      {"spot_price", C::kFloat},
      {"instance_hdd_size", C::kInt},
      {"instance_type", C::kLower},
      {"instance_gpu", C::kLower},
      {"ssh_private", C::kStr},
      {"startup_script", C::kStr},
      {"setup_script", C::kStr},
  };
  return kSpec;
}

const std::vector<ConfigKeySpec>& DbSpec() {
  static const Spec kSpec = {{"url", C::kStr}, {"username", C::kStr}, {"password", C::kStr}};
  return kSpec;
}

std::string CheckConfigValue(const ConfigKeySpec& spec, const ConfigValue& value) {
  if (spec.check == C::kCacheType) {
    std::vector<std::string> types;
    if (value.is_list) {
      types = value.items;
    } else {
      for (std::string_view t : core::Split(value.text, ',')) types.emplace_back(core::Trim(t));
    }
    std::string bad;
    for (const std::string& t : types) {
      if (t != "reflink" && t != "symlink" && t != "hardlink" && t != "copy") {
        bad += bad.empty() ? t : ", " + t;
      }
    }
    if (!bad.empty()) {
      return "unsupported cache type(s): " + bad + " (expected reflink, symlink, hardlink, copy)";
    }
    return {};
  }
  if (value.is_list) return "expected a single value, got a list";
  const std::string& v = value.text;
  switch (spec.check) {
    case C::kStr:
    case C::kLower:
    case C::kBoolOrStr:
      return {};
    case C::kBool:
      return IsBoolText(v) ? std::string() : "expected true or false, got '" + v + "'";
    case C::kInt:
      return PyInt(v) ? std::string() : "expected an integer, got '" + v + "'";
    case C::kIntMin1: {
      auto i = PyInt(v);
      if (!i) return "expected an integer, got '" + v + "'";
      return *i >= 1 ? std::string() : "expected an integer >= 1, got '" + v + "'";
    }
    case C::kPercent: {
      auto i = PyInt(v);
      if (!i) return "expected an integer, got '" + v + "'";
      return (*i >= 0 && *i <= 100) ? std::string()
                                    : "expected an integer from 0 to 100, got '" + v + "'";
    }
    case C::kFloat:
      return PyFloat(v) ? std::string() : "expected a number, got '" + v + "'";
    case C::kFloatMin0: {
      auto d = PyFloat(v);
      if (!d) return "expected a number, got '" + v + "'";
      return *d >= 0 ? std::string() : "expected a number >= 0, got '" + v + "'";
    }
    case C::kChoice: {
      std::string lower = core::ToLower(v);
      for (std::string_view c : core::Split(spec.choices, '|')) {
        if (c == lower) return {};
      }
      return "expected one of " + core::ReplaceAll(spec.choices, "|", ", ") + ", got '" + v + "'";
    }
    case C::kCacheType:
      break;
  }
  return {};
}

bool IsPathOption(std::string_view section_kind, std::string_view key) {
  if (section_kind == "cache") return key == "dir";
  if (section_kind == "remote") {
    return key == "url" || key == "gdrive_user_credentials_file" ||
           key == "gdrive_service_account_json_file_path" || key == "credentialpath" ||
           key == "configpath" || key == "keyfile" || key == "cert_path" || key == "key_path";
  }
  if (section_kind == "machine") return key == "startup_script" || key == "setup_script";
  return false;
}

}  // namespace cairn::data
