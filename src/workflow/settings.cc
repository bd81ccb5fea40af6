// settings: the .cairn/ layout and config.yaml (RunnerConfig). dotenv files are in dotenv.cc,
// environments.yaml in environments.cc.
#include "workflow/settings.h"

#include <fmt/format.h>

#include <filesystem>
#include <thread>

#include "core/path.h"
#include "core/strings.h"
#include "core/yaml.h"

namespace cairn::workflow {
namespace {

constexpr std::string_view kConfigKeys[] = {"parallel-jobs", "default-timeout-minutes",
                                            "temp-root",     "artifact-retention-days",
                                            "history-keep",  "notify"};
constexpr std::string_view kNotifyKeys[] = {"webhook", "webhook-secret", "on"};

template <size_t N>
core::Status UnknownKey(const core::Member& m, std::string_view where,
                        const std::string_view (&known)[N]) {
  std::string_view best;
  size_t best_distance = 3;
  for (std::string_view k : known) {
    size_t d = core::EditDistance(m.key, k);
    if (d < best_distance) {
      best = k;
      best_distance = d;
    }
  }
  std::string message = fmt::format("unknown key '{}' in {}", m.key, where);
  if (!best.empty()) message += fmt::format(" (did you mean '{}'?)", best);
  message += fmt::format("; expected one of: {}", core::Join(known, ", "));
  return m.key_location.Error(message);
}

core::Result<int> WholeNumber(const core::Value& v, std::string_view key, int64_t min) {
  std::optional<int64_t> n = v.AsInt64();
  if (!v.is_number() || !n.has_value()) {
    return v.Error(
        fmt::format("'{}': expected a whole number >= {}, got {}", key, min,
                    v.is_number() ? "'" + v.raw() + "'" : std::string(core::KindPhrase(v.kind()))));
  }
  if (*n < min || *n > 1'000'000'000) {
    return v.Error(fmt::format("'{}': expected a whole number >= {}, got {}", key, min, *n));
  }
  return static_cast<int>(*n);
}

core::Result<std::string> String(const core::Value& v, std::string_view key) {
  if (!v.is_string() || v.AsString().empty()) {
    return v.Error(fmt::format("'{}': expected a non-empty string, got {}", key,
                               v.is_string() ? "an empty one" : core::KindPhrase(v.kind())));
  }
  return v.AsString();
}

core::Status ParseNotify(const core::Value& v, NotificationConfig& n) {
  if (!v.is_mapping()) {
    return v.Error(fmt::format("'notify': expected a mapping (webhook, webhook-secret, on), got {}",
                               core::KindPhrase(v.kind())));
  }
  for (const core::Member& m : v.members()) {
    if (m.key == "webhook") {
      CAIRN_ASSIGN_OR_RETURN(n.webhook, String(m.value, "notify.webhook"));
      if (!n.webhook.starts_with("http://") && !n.webhook.starts_with("https://")) {
        return m.value.Error("'notify.webhook': expected an http:// or https:// URL");
      }
    } else if (m.key == "webhook-secret") {
      CAIRN_ASSIGN_OR_RETURN(n.webhook_secret, String(m.value, "notify.webhook-secret"));
    } else if (m.key == "on") {
      if (m.value.is_string() && m.value.AsString() == "failure") {
        n.on = NotifyOn::kFailure;
      } else if (m.value.is_string() && m.value.AsString() == "always") {
        n.on = NotifyOn::kAlways;
      } else {
        return m.value.Error(fmt::format("'notify.on': expected failure or always, got '{}'",
                                         m.value.is_scalar() ? m.value.raw() : "a collection"));
      }
    } else {
      return UnknownKey(m, "notify", kNotifyKeys);
    }
  }
  if (!n.webhook.empty() && !n.webhook_secret.empty()) {
    return v.Error("'notify': give webhook or webhook-secret, not both");
  }
  if (!n.enabled() && v.FindMember("on") != nullptr) {
    return v.Error("'notify': 'on' needs a webhook or a webhook-secret");
  }
  return core::Status::Ok();
}

}  // namespace

std::string CairnLayout::EnvironmentSecrets(std::string_view environment) const {
  return fmt::format("{}/secrets.{}.env", dir, environment);
}

CairnLayout LayoutAt(std::string_view root) {
  std::string abs(root);
  if (!core::IsAbsolutePath(abs)) abs = std::filesystem::absolute(abs).string();
  abs = core::NormalizePath(abs);
  return CairnLayout{abs, core::JoinPath(abs, ".cairn")};
}

core::Result<CairnLayout> FindCairnDir(std::string_view cwd) {
  CairnLayout start = LayoutAt(cwd);
  std::filesystem::path dir(start.root);
  while (true) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir / ".cairn", ec)) return LayoutAt(dir.string());
    if (!dir.has_parent_path() || dir.parent_path() == dir) break;
    dir = dir.parent_path();
  }
  return core::Status::NotFound(fmt::format(
      "no .cairn directory in {} or above (run `cairn init` at the repository root)", start.root));
}

int RunnerConfig::EffectiveParallelJobs() const {
  if (parallel_jobs > 0) return parallel_jobs;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

std::string RunnerConfig::EffectiveTempRoot(const CairnLayout& layout) const {
  if (temp_root.empty()) return layout.Tmp();
  if (core::IsAbsolutePath(temp_root)) return core::NormalizePath(temp_root);
  return core::NormalizePath(core::JoinPath(layout.root, temp_root));
}

core::Result<RunnerConfig> ParseRunnerConfig(std::string_view text, std::string_view filename) {
  CAIRN_ASSIGN_OR_RETURN(core::Value doc, core::ParseYaml(text, filename));
  RunnerConfig config;
  if (doc.is_null()) return config;
  if (!doc.is_mapping()) {
    return doc.Error(fmt::format("expected a mapping of settings ({}), got {}",
                                 core::Join(kConfigKeys, ", "), core::KindPhrase(doc.kind())));
  }
  for (const core::Member& m : doc.members()) {
    const core::Value& v = m.value;
    if (m.key == "parallel-jobs") {
      CAIRN_ASSIGN_OR_RETURN(config.parallel_jobs, WholeNumber(v, m.key, 1));
    } else if (m.key == "default-timeout-minutes") {
      CAIRN_ASSIGN_OR_RETURN(int minutes, WholeNumber(v, m.key, 1));
      config.default_job_timeout = std::chrono::minutes(minutes);
    } else if (m.key == "temp-root") {
      CAIRN_ASSIGN_OR_RETURN(config.temp_root, String(v, m.key));
    } else if (m.key == "artifact-retention-days") {
      CAIRN_ASSIGN_OR_RETURN(config.artifact_retention_days, WholeNumber(v, m.key, 1));
    } else if (m.key == "history-keep") {
      CAIRN_ASSIGN_OR_RETURN(config.history_keep, WholeNumber(v, m.key, 0));
    } else if (m.key == "notify") {
      CAIRN_RETURN_IF_ERROR(ParseNotify(v, config.notification));
    } else {
      return UnknownKey(m, "config.yaml", kConfigKeys);
    }
  }
  return config;
}

core::Result<RunnerConfig> LoadRunnerConfig(sys::Env& env, const CairnLayout& layout) {
  std::string path = layout.Config();
  if (!env.Exists(path)) return RunnerConfig{};
  CAIRN_ASSIGN_OR_RETURN(std::string text, env.ReadFile(path));
  return ParseRunnerConfig(text, path);
}

RunDirectories MakeRunDirectories(const CairnLayout& layout, const RunnerConfig& config) {
  RunDirectories dirs;
  dirs.repository = layout.root;
  dirs.temp_root = config.EffectiveTempRoot(layout);
  dirs.artifacts = layout.Artifacts();
  dirs.cache = layout.Cache();
  dirs.tool_cache = layout.ToolCache();
  return dirs;
}

}  // namespace cairn::workflow
