// settings: the repository's `.cairn/` directory as the runner reads it (the layout, made by
// `cairn init`, is in docs/workflows.md, section "Settings"):
//   config.yaml            runner settings (RunnerConfig), committed
//   environments.yaml      `environment:` protection rules (EnvironmentRules), committed
//   secrets.env            the repository's secrets (dotenv), git-ignored
//   secrets.<env>.env      an environment's own secrets (dotenv), git-ignored
//   vars.env               configuration variables, the `vars` context (dotenv)
//   runs.db, runs/         run history; artifacts/, cache/, tool-cache/, tmp/: runner stores
//
// Every loader checks strictly: an unknown key, a value of the wrong type or out of range is an
// error naming file:line:col and what was expected. A missing file means its defaults.
//
// Everything here is a plain value or immutable after loading (EnvironmentRules too): share a
// const one between threads.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/value.h"
#include "sys/env.h"
#include "workflow/glob.h"
#include "workflow/runner.h"

namespace cairn::workflow {

// ---------------------------------------------------------------------------------------------
// Layout

/// The paths of a repository's `.cairn/` directory (all absolute).
struct CairnLayout {
  std::string root;  // the repository root: the directory holding .cairn/
  std::string dir;   // <root>/.cairn

  std::string Config() const { return dir + "/config.yaml"; }
  std::string Environments() const { return dir + "/environments.yaml"; }
  std::string Secrets() const { return dir + "/secrets.env"; }
  /// `.cairn/secrets.<environment>.env`.
  std::string EnvironmentSecrets(std::string_view environment) const;
  std::string Vars() const { return dir + "/vars.env"; }
  std::string RunsDb() const { return dir + "/runs.db"; }
  std::string Runs() const { return dir + "/runs"; }
  std::string Artifacts() const { return dir + "/artifacts"; }
  std::string Cache() const { return dir + "/cache"; }
  std::string ToolCache() const { return dir + "/tool-cache"; }
  std::string Tmp() const { return dir + "/tmp"; }
  std::string HooksLog() const { return dir + "/hooks.log"; }
  std::string ScheduleLog() const { return dir + "/schedule.log"; }
};

/// The layout of `root`/.cairn (whether or not it exists). `root` is made absolute.
CairnLayout LayoutAt(std::string_view root);

/// The nearest directory at or above `cwd` holding a `.cairn/` directory. NotFound
/// "no .cairn directory in <cwd> or above (run `cairn init` at the repository root)".
core::Result<CairnLayout> FindCairnDir(std::string_view cwd);

// ---------------------------------------------------------------------------------------------
// config.yaml

enum class NotifyOn { kFailure, kAlways };

struct NotificationConfig {
  /// A Slack-compatible incoming webhook (http or https); "" when none.
  std::string webhook;
  /// Or the name of a secret (in secrets.env) holding the URL, so the URL, itself a credential,
  /// stays out of the committed config.yaml. At most one of webhook and webhook_secret is set.
  std::string webhook_secret;
  NotifyOn on = NotifyOn::kFailure;

  bool enabled() const { return !webhook.empty() || !webhook_secret.empty(); }
};

struct RunnerConfig {
  /// Jobs (matrix legs included) running at once; 0 (not written) means the number of CPUs.
  int parallel_jobs = 0;
  std::chrono::minutes default_job_timeout{360};
  /// Where job workspaces are made: absolute, or relative to the repository root. "" (not
  /// written) means .cairn/tmp.
  std::string temp_root;
  int artifact_retention_days = 90;
  /// Runs kept in the history by `cairn run prune`; 0 keeps them all.
  int history_keep = 0;
  NotificationConfig notification;

  /// parallel_jobs, or the number of CPUs when 0 (at least 1).
  int EffectiveParallelJobs() const;
  /// The temp root, absolute, for a repository at `root`.
  std::string EffectiveTempRoot(const CairnLayout& layout) const;
};

/// Parses config.yaml's text. Empty text (or only comments) gives the defaults.
core::Result<RunnerConfig> ParseRunnerConfig(std::string_view text, std::string_view filename);

/// Loads layout.Config(); the defaults when the file does not exist.
core::Result<RunnerConfig> LoadRunnerConfig(sys::Env& env, const CairnLayout& layout);

/// The run's directories for a repository at `layout`: repository = root, the temp root, and
/// .cairn/artifacts, cache, tool-cache.
RunDirectories MakeRunDirectories(const CairnLayout& layout, const RunnerConfig& config);

// ---------------------------------------------------------------------------------------------
// dotenv files (secrets.env, vars.env, secrets.<env>.env, --secret-file)

/// One assignment of a dotenv file, with where its name was written.
struct DotenvEntry {
  std::string key;
  std::string value;
  core::Location location;
};

/// Parses a dotenv text. Per line: blank, a `#` comment, or `[export ]KEY=value` where KEY is
/// [A-Za-z_][A-Za-z0-9_]* (spaces allowed around `=`) and value is
///   unquoted:  the rest of the line, trimmed; ` #...` after a space is a comment
///   '...':     literal, may span lines, no escapes
///   "...":     may span lines; escapes \n \r \t \" \\ \$ (any other \c is kept as written)
/// followed only by spaces or a comment. No ${VAR} interpolation. Entries are returned in file
/// order; a repeated key appears twice (the later wins in ToMap). Errors are
/// "<file>:<line>:<col>: <what was expected>".
core::Result<std::vector<DotenvEntry>> ParseDotenv(std::string_view text,
                                                   std::string_view filename);

/// The entries as a map, later ones winning.
std::map<std::string, std::string> ToMap(const std::vector<DotenvEntry>& entries);

/// Loads a dotenv file; an empty map when it does not exist and `missing_ok`, else NotFound.
core::Result<std::map<std::string, std::string>> LoadDotenvFile(sys::Env& env,
                                                                std::string_view path,
                                                                bool missing_ok);

/// The secrets of a run, later sources winning: layout's secrets.env (when `layout` is set),
/// each `--secret-file` in order, each `--secret` in order. A `--secret` is `NAME=value`, or
/// `NAME` alone to take the value of the environment variable NAME (so it stays out of the
/// shell's history); an unset variable or a bad name is InvalidParameterValue naming the option.
core::Result<std::map<std::string, std::string>> LoadSecrets(
    sys::Env& env, const CairnLayout* layout, const std::vector<std::string>& secret_files,
    const std::vector<std::string>& secret_args);

/// The `vars` context: layout's vars.env, then each `--var NAME=value` in order.
core::Result<std::map<std::string, std::string>> LoadVars(sys::Env& env, const CairnLayout* layout,
                                                          const std::vector<std::string>& var_args);

// ---------------------------------------------------------------------------------------------
// environments.yaml

/// One environment's rules, as written.
struct EnvironmentRule {
  std::string name;
  core::Location location;  // of the environment's key
  /// `branches:` patterns (GitHub's filter syntax); set when written (an empty list allows no
  /// branch).
  std::optional<PatternList> branches;
  core::Location branches_location;
  std::optional<PatternList> tags;
  core::Location tags_location;
  /// `secrets:` the names of the environment's own secrets (values in secrets.<name>.env).
  std::vector<std::string> secret_names;
  bool secret_names_given = false;
};

/// .cairn/environments.yaml with each environment's secrets: the EnvironmentPolicy the runner
/// asks (runner.h). Immutable after loading; thread-safe.
class EnvironmentRules : public EnvironmentPolicy {
 public:
  /// Parses environments.yaml's text (null or empty text: no rules). `secrets` gives each
  /// environment's own secrets (by environment name, as parsed from secrets.<name>.env); a
  /// secret not listed in its environment's `secrets:` (when written) is an error at the
  /// secret's file:line:col.
  static core::Result<std::unique_ptr<EnvironmentRules>> Parse(
      std::string_view text, std::string_view filename,
      std::map<std::string, std::vector<DotenvEntry>> secrets = {});

  /// Loads layout's environments.yaml (no rules when absent) and every
  /// .cairn/secrets.<env>.env.
  static core::Result<std::unique_ptr<EnvironmentRules>> Load(sys::Env& env,
                                                              const CairnLayout& layout);

  /// OK when `environment` is not in the file (GitHub creates an unknown environment on first
  /// use, without rules) or has no branches/tags rule. Otherwise the event's ref must be a
  /// branch matching `branches:` or a tag matching `tags:`; for pull_request events the branch
  /// is the pull request's head branch. PERMISSION_DENIED naming the rule and its file:line:col.
  core::Status Check(std::string_view environment, const Event& event) const override;
  std::map<std::string, std::string> Secrets(std::string_view environment) const override;

  const std::vector<EnvironmentRule>& rules() const { return rules_; }
  const EnvironmentRule* Find(std::string_view environment) const;

 private:
  std::vector<EnvironmentRule> rules_;
  std::map<std::string, std::map<std::string, std::string>, std::less<>> secrets_;
};

}  // namespace cairn::workflow
