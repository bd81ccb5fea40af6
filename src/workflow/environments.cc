// environments: .cairn/environments.yaml, the `environment:` protection rules, and each
// environment's secrets (.cairn/secrets.<env>.env) as an EnvironmentPolicy (settings.h).
#include <fmt/format.h>

#include "core/strings.h"
#include "core/yaml.h"
#include "workflow/settings.h"

namespace cairn::workflow {
namespace {

constexpr std::string_view kRuleKeys[] = {"branches", "tags", "secrets"};

bool IsEnvironmentName(std::string_view name) {
  if (name.empty() || name.size() > 255 || name[0] == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

core::Result<std::vector<PatternSource>> Strings(const core::Value& v, std::string_view what) {
  std::vector<PatternSource> out;
  if (v.is_string()) {
    out.push_back({v.AsString(), v.location()});
    return out;
  }
  if (!v.is_sequence()) {
    return v.Error(
        fmt::format("'{}': expected a list of strings, got {}", what, core::KindPhrase(v.kind())));
  }
  for (const core::Value& item : v.items()) {
    if (!item.is_string()) {
      return item.Error(
          fmt::format("'{}': expected a string, got {}", what, core::KindPhrase(item.kind())));
    }
    out.push_back({item.AsString(), item.location()});
  }
  return out;
}

core::Result<EnvironmentRule> ParseRule(const core::Member& m) {
  EnvironmentRule rule;
  rule.name = m.key;
  rule.location = m.key_location;
  if (!IsEnvironmentName(m.key)) {
    return m.key_location.Error(fmt::format(
        "environment name '{}': expected letters, digits, '_', '-' and '.' (not first)", m.key));
  }
  const core::Value& v = m.value;
  if (v.is_null()) return rule;
  if (!v.is_mapping()) {
    return v.Error(
        fmt::format("environment '{}': expected a mapping (branches, tags, secrets), "
                    "got {}",
                    m.key, core::KindPhrase(v.kind())));
  }
  for (const core::Member& f : v.members()) {
    std::string what = m.key + "." + f.key;
    if (f.key == "branches" || f.key == "tags") {
      CAIRN_ASSIGN_OR_RETURN(std::vector<PatternSource> patterns, Strings(f.value, what));
      PatternList list;
      if (!patterns.empty()) {
        CAIRN_ASSIGN_OR_RETURN(list, PatternList::Compile(patterns, f.value.location()));
      }
      if (f.key == "branches") {
        rule.branches = std::move(list);
        rule.branches_location = f.value.location();
      } else {
        rule.tags = std::move(list);
        rule.tags_location = f.value.location();
      }
    } else if (f.key == "secrets") {
      CAIRN_ASSIGN_OR_RETURN(std::vector<PatternSource> names, Strings(f.value, what));
      rule.secret_names_given = true;
      for (PatternSource& n : names) rule.secret_names.push_back(std::move(n.text));
    } else {
      return f.key_location.Error(
          fmt::format("unknown key '{}' in environment '{}'; expected "
                      "one of: {}",
                      f.key, m.key, core::Join(kRuleKeys, ", ")));
    }
  }
  return rule;
}

std::string Patterns(const PatternList& list) {
  std::vector<std::string> texts;
  for (const PatternList::Entry& e : list.entries()) texts.push_back(e.text);
  return texts.empty() ? "none" : core::Join(texts, ", ");
}

// Checks `name` (a branch or tag name) against the rule's list for `kind` ("branches"/"tags").
core::Status CheckName(const EnvironmentRule& rule, std::string_view kind,
                       const std::optional<PatternList>& list, const core::Location& location,
                       std::string_view name, std::string_view shown) {
  std::string where = location.ToString();
  if (!list.has_value()) {
    return core::Status::PermissionDenied(
        fmt::format("environment '{}' does not allow {} ({} is {}); it has no '{}' rule ({})",
                    rule.name, kind == "branches" ? "branches" : "tags", shown,
                    kind == "branches" ? "a branch" : "a tag", kind, rule.location.ToString()));
  }
  PatternMatch match = list->Match(name);
  if (match.matched) return core::Status::Ok();
  if (match.index >= 0) {
    const PatternList::Entry& e = list->entries()[match.index];
    return core::Status::PermissionDenied(
        fmt::format("environment '{}' allows {} {}; {} is excluded by '{}' ({})", rule.name, kind,
                    Patterns(*list), shown, e.text, e.location.ToString()));
  }
  return core::Status::PermissionDenied(
      fmt::format("environment '{}' allows {} {}; {} is not one of them ({})", rule.name, kind,
                  Patterns(*list), shown, where));
}

}  // namespace

core::Result<std::unique_ptr<EnvironmentRules>> EnvironmentRules::Parse(
    std::string_view text, std::string_view filename,
    std::map<std::string, std::vector<DotenvEntry>> secrets) {
  CAIRN_ASSIGN_OR_RETURN(core::Value doc, core::ParseYaml(text, filename));
  auto rules = std::unique_ptr<EnvironmentRules>(new EnvironmentRules());
  if (!doc.is_null()) {
    if (!doc.is_mapping()) {
      return doc.Error(fmt::format("expected a mapping of environment names to their rules, got {}",
                                   core::KindPhrase(doc.kind())));
    }
    for (const core::Member& m : doc.members()) {
      if (const EnvironmentRule* other = rules->Find(m.key); other != nullptr) {
        return m.key_location.Error(fmt::format(
            "environment '{}' is already defined as '{}' at {} (names ignore case, as on GitHub)",
            m.key, other->name, other->location.ToString()));
      }
      CAIRN_ASSIGN_OR_RETURN(EnvironmentRule rule, ParseRule(m));
      rules->rules_.push_back(std::move(rule));
    }
  }
  for (auto& [name, entries] : secrets) {
    const EnvironmentRule* rule = rules->Find(name);
    if (rule != nullptr && rule->secret_names_given) {
      for (const DotenvEntry& e : entries) {
        bool listed = false;
        for (const std::string& n : rule->secret_names) listed = listed || n == e.key;
        if (!listed) {
          return e.location.Error(fmt::format(
              "secret {} is not one of environment '{}''s secrets ({}) listed at {}: add it there "
              "or remove it",
              e.key, rule->name, core::Join(rule->secret_names, ", "), rule->location.ToString()));
        }
      }
    }
    rules->secrets_[name] = ToMap(entries);
  }
  return rules;
}

core::Result<std::unique_ptr<EnvironmentRules>> EnvironmentRules::Load(sys::Env& env,
                                                                       const CairnLayout& layout) {
  std::map<std::string, std::vector<DotenvEntry>> secrets;
  if (env.IsDirectory(layout.dir)) {
    CAIRN_ASSIGN_OR_RETURN(std::vector<sys::DirEntry> entries, env.ListDir(layout.dir));
    for (const sys::DirEntry& e : entries) {
      std::string_view n = e.name;
      if (!n.starts_with("secrets.") || !n.ends_with(".env")) continue;
      if (n.size() <= std::string_view("secrets..env").size()) continue;  // secrets.env
      std::string name(n.substr(8, n.size() - 8 - 4));
      std::string path = layout.EnvironmentSecrets(name);
      CAIRN_ASSIGN_OR_RETURN(std::string text, env.ReadFile(path));
      CAIRN_ASSIGN_OR_RETURN(secrets[name], ParseDotenv(text, path));
    }
  }
  std::string path = layout.Environments();
  std::string text;
  if (env.Exists(path)) {
    CAIRN_ASSIGN_OR_RETURN(text, env.ReadFile(path));
  }
  return Parse(text, path, std::move(secrets));
}

const EnvironmentRule* EnvironmentRules::Find(std::string_view environment) const {
  for (const EnvironmentRule& r : rules_) {
    if (core::EqualsIgnoreCase(r.name, environment)) return &r;
  }
  return nullptr;
}

core::Status EnvironmentRules::Check(std::string_view environment, const Event& event) const {
  const EnvironmentRule* rule = Find(environment);
  if (rule == nullptr || (!rule->branches.has_value() && !rule->tags.has_value())) {
    return core::Status::Ok();
  }
  bool pull_request = event.name.starts_with("pull_request") && !event.head_ref.empty();
  if (pull_request) {
    std::string shown =
        fmt::format("the pull request's head branch {} ({})", event.head_ref, event.ref);
    return CheckName(*rule, "branches", rule->branches, rule->branches_location, event.head_ref,
                     shown);
  }
  if (event.IsBranch()) {
    return CheckName(*rule, "branches", rule->branches, rule->branches_location, event.RefName(),
                     event.ref);
  }
  if (event.IsTag()) {
    return CheckName(*rule, "tags", rule->tags, rule->tags_location, event.RefName(), event.ref);
  }
  return core::Status::PermissionDenied(fmt::format(
      "environment '{}' allows only some branches and tags ({}); {} is neither a branch nor a tag",
      rule->name, rule->location.ToString(), event.ref.empty() ? "the run's ref" : event.ref));
}

std::map<std::string, std::string> EnvironmentRules::Secrets(std::string_view environment) const {
  if (auto it = secrets_.find(environment); it != secrets_.end()) return it->second;
  for (const auto& [name, values] : secrets_) {
    if (core::EqualsIgnoreCase(name, environment)) return values;
  }
  return {};
}

}  // namespace cairn::workflow
