// settings: .cairn/config.yaml, environments.yaml (the EnvironmentPolicy), dotenv files, and
// the merging of a run's secrets, as a user writes them, with the exact errors they get.
#include "workflow/settings.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "testing/mem_env.h"

namespace cairn::workflow {
namespace {

std::string ErrorOf(const core::Status& s) { return s.ok() ? "OK" : s.message(); }

// --- config.yaml ------------------------------------------------------------------------------

TEST(RunnerConfigTest, EmptyFileGivesTheDefaults) {
  auto c = ParseRunnerConfig("# nothing set\n", "config.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->parallel_jobs, 0);
  EXPECT_GE(c->EffectiveParallelJobs(), 1);
  EXPECT_EQ(c->default_job_timeout, std::chrono::minutes(360));
  EXPECT_EQ(c->artifact_retention_days, 90);
  EXPECT_EQ(c->history_keep, 0);
  EXPECT_FALSE(c->notification.enabled());
  CairnLayout layout = LayoutAt("/repo");
  EXPECT_EQ(c->EffectiveTempRoot(layout), "/repo/.cairn/tmp");
}

TEST(RunnerConfigTest, EverySetting) {
  auto c = ParseRunnerConfig(
      "parallel-jobs: 3\n"
      "default-timeout-minutes: 30\n"
      "temp-root: build/jobs\n"
      "artifact-retention-days: 7\n"
      "history-keep: 200\n"
      "notify:\n"
      "  webhook: http://127.0.0.1:9/hook\n"
      "  on: always\n",
      "config.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->EffectiveParallelJobs(), 3);
  EXPECT_EQ(c->default_job_timeout, std::chrono::minutes(30));
  EXPECT_EQ(c->EffectiveTempRoot(LayoutAt("/repo")), "/repo/build/jobs");
  EXPECT_EQ(c->artifact_retention_days, 7);
  EXPECT_EQ(c->history_keep, 200);
  EXPECT_EQ(c->notification.webhook, "http://127.0.0.1:9/hook");
  EXPECT_EQ(c->notification.on, NotifyOn::kAlways);

  RunDirectories dirs = MakeRunDirectories(LayoutAt("/repo"), *c);
  EXPECT_EQ(dirs.repository, "/repo");
  EXPECT_EQ(dirs.temp_root, "/repo/build/jobs");
  EXPECT_EQ(dirs.artifacts, "/repo/.cairn/artifacts");
  EXPECT_EQ(dirs.cache, "/repo/.cairn/cache");
  EXPECT_EQ(dirs.tool_cache, "/repo/.cairn/tool-cache");
}

TEST(RunnerConfigTest, ErrorsNameTheFileLineColumnAndWhatWasExpected) {
  auto error = [](std::string_view text) {
    auto c = ParseRunnerConfig(text, ".cairn/config.yaml");
    return c.ok() ? std::string("OK") : c.status().message();
  };
  EXPECT_EQ(error("parallel-jobs: 2\nparalel-jobs: 4\n"),
            ".cairn/config.yaml:2:1: unknown key 'paralel-jobs' in config.yaml (did you mean "
            "'parallel-jobs'?); expected one of: parallel-jobs, default-timeout-minutes, "
            "temp-root, artifact-retention-days, history-keep, notify");
  EXPECT_EQ(error("parallel-jobs: '4'\n"),
            ".cairn/config.yaml:1:16: 'parallel-jobs': expected a whole number >= 1, got a "
            "string");
  EXPECT_EQ(error("default-timeout-minutes: 0\n"),
            ".cairn/config.yaml:1:26: 'default-timeout-minutes': expected a whole number >= 1, "
            "got 0");
  EXPECT_EQ(error("history-keep: 1.5\n"),
            ".cairn/config.yaml:1:15: 'history-keep': expected a whole number >= 0, got '1.5'");
  EXPECT_EQ(error("temp-root: [a]\n"),
            ".cairn/config.yaml:1:12: 'temp-root': expected a non-empty string, got a sequence");
  EXPECT_EQ(error("notify:\n  webhook: ftp://x\n"),
            ".cairn/config.yaml:2:12: 'notify.webhook': expected an http:// or https:// URL");
  EXPECT_EQ(error("notify:\n  webhook: http://x\n  on: sometimes\n"),
            ".cairn/config.yaml:3:7: 'notify.on': expected failure or always, got 'sometimes'");
  EXPECT_EQ(error("notify:\n  url: http://x\n"),
            ".cairn/config.yaml:2:3: unknown key 'url' in notify; expected one of: webhook, "
            "webhook-secret, on");
  EXPECT_EQ(error("notify:\n  webhook: http://x\n  webhook-secret: HOOK\n"),
            ".cairn/config.yaml:2:3: 'notify': give webhook or webhook-secret, not both");
  EXPECT_EQ(error("- parallel-jobs: 1\n"),
            ".cairn/config.yaml:1:1: expected a mapping of settings (parallel-jobs, "
            "default-timeout-minutes, temp-root, artifact-retention-days, history-keep, "
            "notify), got a sequence");
}

TEST(RunnerConfigTest, LoadWithoutAFileGivesDefaultsAndFindsTheCairnDirAbove) {
  testing::MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/r/.cairn").ok());
  CairnLayout layout = LayoutAt("/r");
  auto c = LoadRunnerConfig(env, layout);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->artifact_retention_days, 90);
  ASSERT_TRUE(env.WriteFile("/r/.cairn/config.yaml", "parallel-jobs: x\n").ok());
  EXPECT_EQ(ErrorOf(LoadRunnerConfig(env, layout).status()),
            "/r/.cairn/config.yaml:1:16: 'parallel-jobs': expected a whole number >= 1, got a "
            "string");
}

TEST(FindCairnDirTest, WalksUpToTheRepositoryRoot) {
  std::string base = ::testing::TempDir() + "cairn-find-" + std::to_string(::getpid());
  std::filesystem::create_directories(base + "/.cairn");
  std::filesystem::create_directories(base + "/src/deep");
  auto found = FindCairnDir(base + "/src/deep");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->root, LayoutAt(base).root);
  EXPECT_EQ(found->Config(), LayoutAt(base).root + "/.cairn/config.yaml");
  EXPECT_EQ(found->EnvironmentSecrets("ml-prod"), found->dir + "/secrets.ml-prod.env");
  std::filesystem::remove_all(base + "/.cairn");
  auto missing = FindCairnDir(base + "/src/deep");
  EXPECT_EQ(missing.status().code(), core::Code::kResourceDoesNotExist);
  EXPECT_NE(missing.status().message().find("run `cairn init`"), std::string::npos);
  std::filesystem::remove_all(base);
}

// --- dotenv -----------------------------------------------------------------------------------

std::map<std::string, std::string> Dotenv(std::string_view text) {
  auto entries = ParseDotenv(text, "secrets.env");
  EXPECT_TRUE(entries.ok()) << entries.status().ToString();
  return entries.ok() ? ToMap(*entries) : std::map<std::string, std::string>{};
}

std::string DotenvError(std::string_view text) {
  auto entries = ParseDotenv(text, "secrets.env");
  return entries.ok() ? "OK" : entries.status().message();
}

TEST(DotenvTest, TheFormsUsersWrite) {
  auto m = Dotenv(
      "# a comment\n"
      "\n"
      "PLAIN=value\n"
      "export EXPORTED=yes\n"
      "  SPACED = padded value  \n"
      "COMMENTED=abc # a comment\n"
      "HASH=abc#not-a-comment\n"
      "EMPTY=\n"
      "SINGLE='lit $HOME \\n # kept'\n"
      "DOUBLE=\"a\\nb\\t\\\"q\\\" \\\\ \\$x \\q\" # after\n"
      "MULTI=\"line one\n"
      "line two\"\n"
      "CRLF=win\r\n"
      "URL=https://u:p@h/x?a=b&c=d\n"
      "DUP=first\n"
      "DUP=second\n");
  EXPECT_EQ(m["PLAIN"], "value");
  EXPECT_EQ(m["EXPORTED"], "yes");
  EXPECT_EQ(m["SPACED"], "padded value");
  EXPECT_EQ(m["COMMENTED"], "abc");
  EXPECT_EQ(m["HASH"], "abc#not-a-comment");
  EXPECT_EQ(m.count("EMPTY"), 1u);
  EXPECT_EQ(m["EMPTY"], "");
  EXPECT_EQ(m["SINGLE"], "lit $HOME \\n # kept");
  EXPECT_EQ(m["DOUBLE"], "a\nb\t\"q\" \\ $x \\q");
  EXPECT_EQ(m["MULTI"], "line one\nline two");
  EXPECT_EQ(m["CRLF"], "win");
  EXPECT_EQ(m["URL"], "https://u:p@h/x?a=b&c=d");
  EXPECT_EQ(m["DUP"], "second");
  EXPECT_EQ(m.size(), 12u);
}

TEST(DotenvTest, EntriesKeepWhereTheirNameWas) {
  auto entries = ParseDotenv("A=1\n  export B=\"x\ny\"\nC=3\n", "f.env");
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[1].location.ToString(), "f.env:2:10");
  EXPECT_EQ((*entries)[2].location.ToString(), "f.env:4:1");
}

TEST(DotenvTest, ErrorsNameTheLineAndColumn) {
  EXPECT_EQ(DotenvError("A=1\n1BAD=x\n"),
            "secrets.env:2:1: expected a variable name ([A-Za-z_][A-Za-z0-9_]*) at the start of "
            "the line");
  EXPECT_EQ(DotenvError("NOEQUALS value\n"),
            "secrets.env:1:10: expected '=' after the name "
            "NOEQUALS");
  EXPECT_EQ(DotenvError("A=1\nB=\"open\nnever closed\n"),
            "secrets.env:2:3: unterminated double-quoted value: expected a closing \"");
  EXPECT_EQ(DotenvError("B='x\n"),
            "secrets.env:1:3: unterminated single-quoted value: expected a closing '");
  EXPECT_EQ(DotenvError("B=\"x\" trailing\n"),
            "secrets.env:1:7: expected the end of the line or a # comment after the closing "
            "quote, got 't'");
  EXPECT_EQ(DotenvError("Ä=1\n"),
            "secrets.env:1:1: expected a variable name ([A-Za-z_][A-Za-z0-9_]*) at the start of "
            "the line");
  EXPECT_EQ(DotenvError("É=\"é\" x\n").substr(0, 15), "secrets.env:1:1");
  EXPECT_EQ(DotenvError("A=\"é\" x\n").substr(0, 16), "secrets.env:1:7:");
}

TEST(SecretsTest, LaterSourcesWin) {
  testing::MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/r/.cairn").ok());
  ASSERT_TRUE(env.WriteFile("/r/.cairn/secrets.env", "A=file\nB=file\nC=file\n").ok());
  ASSERT_TRUE(env.CreateDirs("/tmp").ok());
  ASSERT_TRUE(env.WriteFile("/tmp/extra.env", "B=extra\nC=extra\n").ok());
  env.SetVar("FROM_ENV", "env-value");
  CairnLayout layout = LayoutAt("/r");
  auto s = LoadSecrets(env, &layout, {"/tmp/extra.env"}, {"C=arg", "D=x=y", "FROM_ENV"});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)["A"], "file");
  EXPECT_EQ((*s)["B"], "extra");
  EXPECT_EQ((*s)["C"], "arg");
  EXPECT_EQ((*s)["D"], "x=y");
  EXPECT_EQ((*s)["FROM_ENV"], "env-value");

  EXPECT_EQ(ErrorOf(LoadSecrets(env, &layout, {}, {"UNSET_VAR"}).status()),
            "--secret UNSET_VAR: the environment variable UNSET_VAR is not set (give "
            "UNSET_VAR=value, or export it)");
  EXPECT_EQ(ErrorOf(LoadSecrets(env, &layout, {}, {"1X=y"}).status()),
            "--secret '1X': expected NAME=value with NAME of [A-Za-z_][A-Za-z0-9_]*");
  EXPECT_EQ(ErrorOf(LoadSecrets(env, &layout, {"/nope.env"}, {}).status()),
            "--secret-file: /nope.env: no such file");
  // No .cairn: just the options.
  auto bare = LoadSecrets(env, nullptr, {}, {"K=V"});
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->size(), 1u);

  ASSERT_TRUE(env.WriteFile("/r/.cairn/vars.env", "REGION=eu\nSIZE=1\n").ok());
  auto vars = LoadVars(env, &layout, {"SIZE=2"});
  ASSERT_TRUE(vars.ok());
  EXPECT_EQ((*vars)["REGION"], "eu");
  EXPECT_EQ((*vars)["SIZE"], "2");
  EXPECT_EQ(ErrorOf(LoadVars(env, &layout, {"SIZE"}).status()), "--var SIZE: expected NAME=value");
}

// --- environments.yaml ------------------------------------------------------------------------

Event Push(std::string ref) {
  Event e;
  e.name = "push";
  e.ref = std::move(ref);
  return e;
}

constexpr std::string_view kEnvironments =
    "# which refs may deploy where\n"
    "ml-prod:\n"
    "  branches: [main]\n"
    "  secrets: [REGISTRY_TOKEN]\n"
    "staging:\n"
    "  branches: ['release/**', '!release/**-rc', main]\n"
    "  tags: ['v*']\n"
    "tags-only:\n"
    "  tags: ['v[0-9]*']\n"
    "open:\n";

std::unique_ptr<EnvironmentRules> Rules(std::map<std::string, std::vector<DotenvEntry>> s = {}) {
  auto r = EnvironmentRules::Parse(kEnvironments, ".cairn/environments.yaml", std::move(s));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : nullptr;
}

TEST(EnvironmentRulesTest, AllowedRefsPass) {
  auto rules = Rules();
  ASSERT_NE(rules, nullptr);
  EXPECT_TRUE(rules->Check("ml-prod", Push("refs/heads/main")).ok());
  EXPECT_TRUE(rules->Check("ML-Prod", Push("refs/heads/main")).ok());  // names ignore case
  EXPECT_TRUE(rules->Check("staging", Push("refs/heads/release/2.0")).ok());
  EXPECT_TRUE(rules->Check("staging", Push("refs/tags/v1.2")).ok());
  EXPECT_TRUE(rules->Check("tags-only", Push("refs/tags/v2")).ok());
  EXPECT_TRUE(rules->Check("open", Push("refs/heads/anything")).ok());
  // Not in the file: allowed, as GitHub creates an unknown environment on first use.
  EXPECT_TRUE(rules->Check("review-42", Push("refs/heads/tune")).ok());
}

TEST(EnvironmentRulesTest, RefusedRefsNameTheRuleAndWhereItIs) {
  auto rules = Rules();
  ASSERT_NE(rules, nullptr);
  core::Status s = rules->Check("ml-prod", Push("refs/heads/tune"));
  EXPECT_EQ(s.code(), core::Code::kPermissionDenied);
  EXPECT_EQ(s.message(),
            "environment 'ml-prod' allows branches main; refs/heads/tune is not one of them "
            "(.cairn/environments.yaml:3:13)");
  EXPECT_EQ(ErrorOf(rules->Check("staging", Push("refs/heads/release/2.0-rc"))),
            "environment 'staging' allows branches release/**, !release/**-rc, main; "
            "refs/heads/release/2.0-rc is excluded by '!release/**-rc' "
            "(.cairn/environments.yaml:6:28)");
  EXPECT_EQ(ErrorOf(rules->Check("ml-prod", Push("refs/tags/v1"))),
            "environment 'ml-prod' does not allow tags (refs/tags/v1 is a tag); it has no 'tags' "
            "rule (.cairn/environments.yaml:2:1)");
  EXPECT_EQ(ErrorOf(rules->Check("tags-only", Push("refs/heads/main"))),
            "environment 'tags-only' does not allow branches (refs/heads/main is a branch); it "
            "has no 'branches' rule (.cairn/environments.yaml:8:1)");
  EXPECT_EQ(ErrorOf(rules->Check("tags-only", Push("refs/tags/vX"))),
            "environment 'tags-only' allows tags v[0-9]*; refs/tags/vX is not one of them "
            "(.cairn/environments.yaml:9:9)");

  // A pull request is judged by its head branch.
  Event pr;
  pr.name = "pull_request";
  pr.ref = "refs/pull/7/merge";
  pr.head_ref = "tune";
  pr.base_ref = "main";
  EXPECT_EQ(ErrorOf(rules->Check("ml-prod", pr)),
            "environment 'ml-prod' allows branches main; the pull request's head branch tune "
            "(refs/pull/7/merge) is not one of them (.cairn/environments.yaml:3:13)");
  pr.head_ref = "main";
  EXPECT_TRUE(rules->Check("ml-prod", pr).ok());

  EXPECT_EQ(ErrorOf(rules->Check("ml-prod", Push("refs/remotes/x"))),
            "environment 'ml-prod' allows only some branches and tags "
            "(.cairn/environments.yaml:2:1); refs/remotes/x is neither a branch nor a tag");
}

TEST(EnvironmentRulesTest, SecretsComeFromTheirOwnFileAndMustBeListed) {
  auto secrets = ParseDotenv("REGISTRY_TOKEN=tok\n", ".cairn/secrets.ml-prod.env");
  ASSERT_TRUE(secrets.ok());
  auto rules = Rules({{"ml-prod", *secrets}});
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(rules->Secrets("ml-prod"),
            (std::map<std::string, std::string>{{"REGISTRY_TOKEN", "tok"}}));
  EXPECT_TRUE(rules->Secrets("staging").empty());
  EXPECT_TRUE(rules->Secrets("unknown").empty());

  auto extra = ParseDotenv("REGISTRY_TOKEN=tok\nTYPO_TOKEN=x\n", ".cairn/secrets.ml-prod.env");
  ASSERT_TRUE(extra.ok());
  auto bad =
      EnvironmentRules::Parse(kEnvironments, ".cairn/environments.yaml", {{"ml-prod", *extra}});
  EXPECT_EQ(ErrorOf(bad.status()),
            ".cairn/secrets.ml-prod.env:2:1: secret TYPO_TOKEN is not one of environment "
            "'ml-prod''s secrets (REGISTRY_TOKEN) listed at .cairn/environments.yaml:2:1: add it "
            "there or remove it");
}

TEST(EnvironmentRulesTest, LoadReadsEachEnvironmentsSecretsFile) {
  testing::MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/r/.cairn").ok());
  CairnLayout layout = LayoutAt("/r");
  auto none = EnvironmentRules::Load(env, layout);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE((*none)->rules().empty());
  EXPECT_TRUE((*none)->Check("ml-prod", Push("refs/heads/x")).ok());

  ASSERT_TRUE(env.WriteFile("/r/.cairn/environments.yaml", std::string(kEnvironments)).ok());
  ASSERT_TRUE(env.WriteFile("/r/.cairn/secrets.env", "REPO=1\n").ok());
  ASSERT_TRUE(env.WriteFile("/r/.cairn/secrets.ml-prod.env", "REGISTRY_TOKEN=t\n").ok());
  ASSERT_TRUE(env.WriteFile("/r/.cairn/secrets.review.env", "ANY=a\n").ok());
  auto loaded = EnvironmentRules::Load(env, layout);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->Secrets("ml-prod").at("REGISTRY_TOKEN"), "t");
  EXPECT_EQ((*loaded)->Secrets("review").at("ANY"), "a");
  EXPECT_EQ((*loaded)->rules().size(), 4u);
}

TEST(EnvironmentRulesTest, FormatErrors) {
  auto error = [](std::string_view text) {
    auto r = EnvironmentRules::Parse(text, "environments.yaml");
    return r.ok() ? std::string("OK") : r.status().message();
  };
  EXPECT_EQ(error(""), "OK");
  EXPECT_EQ(error("prod:\n  branch: [main]\n"),
            "environments.yaml:2:3: unknown key 'branch' in environment 'prod'; expected one of: "
            "branches, tags, secrets");
  EXPECT_EQ(error("prod:\n  branches: {main: 1}\n"),
            "environments.yaml:2:13: 'prod.branches': expected a list of strings, got a mapping");
  EXPECT_EQ(error("prod:\n  branches: ['[z-a]']\n"),
            "environments.yaml:2:14: invalid pattern '[z-a]': bad range 'z-a': ranges go "
            "upward within a-z, A-Z or 0-9");
  EXPECT_EQ(error("prod: [main]\n"),
            "environments.yaml:1:7: environment 'prod': expected a mapping (branches, tags, "
            "secrets), got a sequence");
  EXPECT_EQ(error("a/b: {}\n"),
            "environments.yaml:1:1: environment name 'a/b': expected letters, digits, '_', '-' "
            "and '.' (not first)");
  EXPECT_EQ(error("prod: {}\nPROD: {}\n"),
            "environments.yaml:2:1: environment 'PROD' is already defined as 'prod' at "
            "environments.yaml:1:1 (names ignore case, as on GitHub)");
}

}  // namespace
}  // namespace cairn::workflow
