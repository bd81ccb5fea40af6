// lint: the seed pipelines give exactly the expected warnings, and each rule fires on its own
// bad fixture and stays quiet on its good one (tests/workflow/testdata/lint/).
#include "workflow/lint.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "parsed.h"

namespace cairn::workflow {
namespace {

std::string Read(const std::string& name) {
  std::ifstream in(std::string(CAIRN_SOURCE_DIR) + "/tests/workflow/testdata/lint/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "rule line:col" per warning, in the order Lint gives them.
std::vector<std::string> LintFile(const std::string& name) {
  Workflow wf = testing::Parsed(Read(name), name);
  std::vector<std::string> out;
  for (const LintWarning& w : Lint(wf)) {
    out.push_back(w.rule + " " + std::to_string(w.location.line) + ":" +
                  std::to_string(w.location.column));
  }
  return out;
}

using Got = std::vector<std::string>;

TEST(LintTest, SeedWrongPipelineGetsExactlyTheExpectedWarnings) {
  EXPECT_EQ(LintFile("seed_wrong.yml"), (Got{"push-paths 4:3", "timeout 6:3", "data-pull 10:9",
                                             "register-gate 11:9", "register-condition 11:9"}));
}

TEST(LintTest, SeedRightPipelineGetsNone) { EXPECT_EQ(LintFile("seed_train.yml"), Got{}); }

TEST(LintTest, WarningPrintsLocationMessageRuleAndFix) {
  Workflow wf = testing::Parsed(Read("seed_wrong.yml"), "wrong.yml");
  std::vector<LintWarning> warnings = Lint(wf);
  ASSERT_EQ(warnings.size(), 5u);
  EXPECT_EQ(warnings[1].ToString(),
            "wrong.yml:6:3: warning: job 'train' has no timeout-minutes: a hung step holds the "
            "runner for GitHub's default of 6 hours [timeout]\n"
            "  fix: add `timeout-minutes:` to job 'train' (30 is generous for most training)");
  EXPECT_NE(warnings[2].message.find("'run: python src/train.py'"), std::string::npos);
}

TEST(LintTest, Timeout) {
  EXPECT_EQ(LintFile("timeout_bad.yml"), Got{"timeout 3:3"});
  EXPECT_EQ(LintFile("timeout_good.yml"), Got{});  // a reusable-workflow call takes none
}

TEST(LintTest, PushPaths) {
  EXPECT_EQ(LintFile("push-paths_bad.yml"), Got{"push-paths 3:3"});
  EXPECT_EQ(LintFile("push-paths_good.yml"), Got{});
  EXPECT_EQ(LintFile("push-paths_notrain.yml"), Got{});
}

TEST(LintTest, DataPull) {
  // A pull in another job, or after training in the same script, does not count.
  EXPECT_EQ(LintFile("data-pull_bad.yml"), Got{"data-pull 14:9"});
  EXPECT_EQ(LintFile("data-pull_good.yml"), Got{});
}

TEST(LintTest, RegisterGate) {
  // A gate after the registration does not count.
  EXPECT_EQ(LintFile("register-gate_bad.yml"), Got{"register-gate 10:9"});
  // A gate in a needed job, or an earlier step, does.
  EXPECT_EQ(LintFile("register-gate_good.yml"), Got{});
}

TEST(LintTest, RegisterCondition) {
  EXPECT_EQ(LintFile("register-condition_bad.yml"),
            (Got{"register-condition 9:9", "register-condition 12:9", "register-condition 15:9"}));
  EXPECT_EQ(LintFile("register-condition_good.yml"), Got{});
  EXPECT_EQ(LintFile("register-condition_onlymain.yml"), Got{});
}

TEST(LintTest, SecretsEnvironment) {
  EXPECT_EQ(LintFile("secrets-environment_bad.yml"), Got{"secrets-environment 3:3"});
  EXPECT_EQ(LintFile("secrets-environment_good.yml"), Got{});
}

TEST(LintTest, SetupPythonCache) {
  EXPECT_EQ(LintFile("setup-python-cache_bad.yml"), Got{"setup-python-cache 7:9"});
  EXPECT_EQ(LintFile("setup-python-cache_good.yml"), Got{});
}

TEST(LintTest, SecretEcho) {
  EXPECT_EQ(LintFile("secret-echo_bad.yml"), Got{"secret-echo 8:9"});
  // Piped into a command or redirected into a file, it is not printed.
  EXPECT_EQ(LintFile("secret-echo_good.yml"), Got{});
}

TEST(LintTest, RuleIdsAreTheDocumentedOnes) {
  EXPECT_EQ(LintRules().size(), 8u);
  EXPECT_EQ(LintRules().front(), "timeout");
  EXPECT_EQ(LintRules().back(), "secret-echo");
}

}  // namespace
}  // namespace cairn::workflow
